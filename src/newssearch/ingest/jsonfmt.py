"""JSON (``.json``: one article object or a list of them) and JSON Lines (``.jsonl``).

Fields: ``id``, ``title``, ``text`` or ``body`` (a string with paragraphs separated by
blank lines, or a list of paragraphs), ``published`` or ``date``, ``source``, ``url``,
``authors`` (a list or a string), ``language``. This is what
``shared/tools/newscorpus.py`` writes. A broken record is reported with its line (JSONL)
or position (JSON list) and the other records are still read.

Ids are unique within a file: when records share an ``id``, the last one is the article
(a feed that appends corrections keeps the latest) and each earlier one is reported, with
its line or position, as a duplicate that it replaces.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ..errors import InputError
from ..model import Article, stable_id
from .text import clean_line, decode_bytes, first_sentence, split_paragraphs


def read_json(data: bytes, path: str) -> Iterator[Article | InputError]:
    """Read a ``.json`` file: one article object, or a list of article objects."""
    text = decode_bytes(data, path)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    if isinstance(doc, dict) and isinstance(doc.get("articles"), list):
        doc = doc["articles"]
    if isinstance(doc, dict):
        yield _article(doc, path, 0, None)
    elif isinstance(doc, list):
        if not doc:
            raise InputError(path, "empty JSON list, no articles")
        yield from _last_wins(_items(doc, path), path, by_line=False)
    else:
        raise InputError(path, f"JSON of the wrong shape: expected an article object or a list, got {type(doc).__name__}")


def _items(doc: list[Any], path: str) -> Iterator[tuple[Article | InputError, int]]:
    for n, record in enumerate(doc):
        try:
            yield _article(record, path, n, None, where=f"item {n}"), n
        except InputError as err:
            yield err, n


def read_jsonl(data: bytes, path: str) -> Iterator[Article | InputError]:
    """Read a ``.jsonl`` file: one article object per line; blank lines are ignored."""
    yield from _last_wins(_lines(data, path), path, by_line=True)


def _last_wins(items: Iterator[tuple[Article | InputError, int]], path: str, by_line: bool) -> Iterator[Article | InputError]:
    """The items in file order, keeping the last record of each id: each earlier record with
    that id becomes an error naming the record that replaces it. Positions are line numbers
    (``by_line``) or list positions."""
    found: list[tuple[Article | InputError, int]] = list(items)
    last: dict[str, int] = {}
    for item, where in found:
        if isinstance(item, Article):
            last[item.id] = where
    for item, where in found:
        if isinstance(item, InputError) or last[item.id] == where:
            yield item
        elif by_line:
            yield InputError(path, f"duplicate id {item.id!r}: the record on line {last[item.id]} has the same id and replaces this one", line=where)
        else:
            yield InputError(path, f"duplicate id {item.id!r}: item {last[item.id]} has the same id and replaces item {where}")


def _lines(data: bytes, path: str) -> Iterator[tuple[Article | InputError, int]]:
    text = decode_bytes(data, path)
    found = False
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        found = True
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputError(path, f"invalid JSON: {exc.msg} (column {exc.colno})", line=lineno), lineno
            continue
        try:
            yield _article(record, path, lineno, lineno), lineno
        except InputError as err:
            yield err, lineno
    if not found:
        raise InputError(path, "empty file")


def _article(record: Any, path: str, n: int, line: int | None, where: str | None = None) -> Article:
    def fail(reason: str) -> InputError:
        if where:
            reason = f"{where}: {reason}"
        return InputError(path, reason, line=line)

    if not isinstance(record, dict):
        return _raise(fail(f"expected an article object, got {type(record).__name__}"))
    body = record.get("text", record.get("body"))
    if isinstance(body, list):
        paragraphs = [p for p in (clean_line(str(x)) for x in body if x is not None) if p]
    elif isinstance(body, str):
        paragraphs = split_paragraphs(body)
    elif body is None:
        return _raise(fail("no 'text' or 'body' field"))
    else:
        return _raise(fail(f"'text' must be a string or a list, got {type(body).__name__}"))
    if not paragraphs:
        return _raise(fail("empty text"))
    title = _string(record.get("title")) or first_sentence(paragraphs[0])
    given_id = record.get("id")
    article_id = clean_line(str(given_id)) if given_id not in (None, "") else stable_id(path, str(n))
    published = record.get("published", record.get("date"))
    authors = record.get("authors", record.get("author"))
    if isinstance(authors, str):
        authors = [authors]
    if not isinstance(authors, list):
        authors = []
    return Article(
        id=article_id,
        title=clean_line(title),
        paragraphs=paragraphs,
        source=_string(record.get("source")),
        url=_string(record.get("url")),
        authors=[a for a in (clean_line(str(x)) for x in authors if x) if a],
        language=_string(record.get("language", record.get("lang"))),
        path=path,
        published_text=_string(published),
    )


def _string(value: Any) -> str | None:
    if value is None:
        return None
    text = clean_line(str(value))
    return text or None


def _raise(err: InputError) -> Article:
    raise err
