"""JSON (``.json``: one article object or a list of them) and JSON Lines (``.jsonl``).

Fields: ``id``, ``title``, ``text`` or ``body`` (a string with paragraphs separated by
blank lines, or a list of paragraphs), ``published`` or ``date``, ``source``, ``url``,
``authors`` (a list or a string), ``language``. This is what
``shared/tools/newscorpus.py`` writes. A broken record is reported with its line (JSONL)
or position (JSON list) and the other records are still read.

Both are read as streams, one record at a time (JSON with ijson), so memory does not grow
with the file. A record over :data:`MAX_RECORD_CHARS` characters is skipped as "record too
large" and the next ones are read; but a JSON list item so large that the parser would
have to hold over :data:`_HARD_LIMIT_CHARS` of it ends the reading of its file there (a
JSON parser cannot resume inside a record; the articles before it are kept). So does JSON
nested deeper than :data:`MAX_DEPTH` (a JSONL line that deep is skipped alone).

Records may share an ``id``: :func:`newssearch.ingest.iter_file` keeps the last one.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import IO, Any

import ijson

from ..errors import InputError
from ..model import Article, stable_id
from .cleaning import clean_line, first_sentence, split_paragraphs, text_stream

#: Its readers take a binary stream (see :func:`newssearch.ingest.iter_file`).
STREAMS = True

#: Longest record (one JSONL line, one item of a JSON list, or a whole single-article JSON
#: file) read as an article, in characters: a news article is rarely over 100 k. Larger
#: records are skipped, so one cannot take gigabytes of memory and minutes of enrichment.
MAX_RECORD_CHARS = 4_000_000
TOO_LARGE = f"record too large (over {MAX_RECORD_CHARS:,} characters, the limit for one article)"
#: Characters read at a time while skipping the rest of a line that is too large.
_SKIP_CHUNK = 1 << 20
#: Characters of one JSON record the parser may read before the reading of the file stops
#: (the cap, plus slack for the parser's read-ahead, which makes the count approximate).
_HARD_LIMIT_CHARS = MAX_RECORD_CHARS + 1_000_000


#: Deepest nesting of JSON arrays and objects read (an article needs 3: a list of article
#: objects whose authors are a list). Deeper JSON is skipped: a JSON parser's memory grows
#: with the square of the depth (2 MB of ``[`` took 22 GB), and Python's own parser hits its
#: recursion limit.
MAX_DEPTH = 64
TOO_DEEP = f"nested too deeply (over {MAX_DEPTH} levels of JSON arrays and objects)"


#: Bytes the JSON parser reads at a time.
_PARSE_BYTES = 2048


class _TooDeep(Exception):
    """Raised while reading JSON events nested deeper than :data:`MAX_DEPTH`."""


def _depth_bounded(events: Iterator[tuple[str, str, Any]]) -> Iterator[tuple[str, str, Any]]:
    """ijson's events, raising :class:`_TooDeep` at the first container past :data:`MAX_DEPTH`
    (before the parser builds anything deeper)."""
    depth = 0
    for item in events:
        event = item[1]
        if event == "start_map" or event == "start_array":
            depth += 1
            if depth > MAX_DEPTH:
                raise _TooDeep
        elif event == "end_map" or event == "end_array":
            depth -= 1
        yield item


def _too_deep(record: Any) -> bool:
    """True when ``record`` nests arrays and objects deeper than :data:`MAX_DEPTH`."""
    todo = [(record, 1)]
    while todo:
        value, depth = todo.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                return True
            todo.extend((item, depth + 1) for item in (value.values() if isinstance(value, dict) else value))
    return False


def _binary(source: bytes | IO[bytes]) -> IO[bytes]:
    return io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source


def read_jsonl(source: bytes | IO[bytes], path: str) -> Iterator[Article | InputError]:
    """Read a ``.jsonl`` file (its bytes, or a binary stream): one article object per line;
    blank lines are ignored."""
    text = text_stream(_binary(source), path)
    found = False
    lineno = 0
    while True:
        line = text.readline(MAX_RECORD_CHARS + 1)
        if not line:
            break
        lineno += 1
        if len(line) > MAX_RECORD_CHARS and not line.endswith("\n"):
            while True:  # the rest of the line, a bounded piece at a time
                rest = text.readline(_SKIP_CHUNK)
                if not rest or rest.endswith("\n"):
                    break
            found = True
            yield InputError(path, TOO_LARGE, line=lineno)
            continue
        if not line.strip():
            continue
        found = True
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputError(path, f"invalid JSON: {exc.msg} (column {exc.colno})", line=lineno)
            continue
        except RecursionError:
            yield InputError(path, TOO_DEEP, line=lineno)
            continue
        if _too_deep(record):
            yield InputError(path, TOO_DEEP, line=lineno)
            continue
        try:
            yield _article(record, path, lineno, lineno)
        except InputError as err:
            yield err
    if not found:
        raise InputError(path, "empty file")


class _RecordTooLarge(Exception):
    """Raised inside the JSON parser's reads when one record has used up its budget."""


class _Budget(io.RawIOBase):
    """UTF-8 bytes of a text stream for ijson, counting characters read since :meth:`mark`;
    a read past :data:`_HARD_LIMIT_CHARS` of them while ``armed`` raises :class:`_RecordTooLarge`."""

    def __init__(self, text: IO[str]) -> None:
        self._text = text
        self._pending = b""
        self.read_chars = 0
        self.start = 0
        self.armed = True
        self.content = False  # anything but white space read yet

    def mark(self, armed: bool = True) -> None:
        """A record starts here (``armed``), or what follows counts towards no record."""
        self.start = self.read_chars
        self.armed = armed

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.armed and self.read_chars - self.start > _HARD_LIMIT_CHARS:
            raise _RecordTooLarge
        if not self._pending:
            chunk = self._text.read(max(1, len(buffer) // 4))
            self.read_chars += len(chunk)
            self.content = self.content or bool(chunk.strip())
            self._pending = chunk.encode("utf-8", "surrogatepass")
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


def _json_error(exc: Exception) -> str:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else "cannot parse"
    return first.removeprefix("parse error: ")


def read_json(source: bytes | IO[bytes], path: str) -> Iterator[Article | InputError]:
    """Read a ``.json`` file (its bytes, or a binary stream): one article object, a list of
    article objects, or an object whose ``articles`` is that list."""
    budget = _Budget(text_stream(_binary(source), path))
    # (the parser hands over the events of one read of ``buf_size`` bytes at a time, each with
    # its path: a small read bounds what ``[[[[…`` costs before _depth_bounded sees it)
    events = _depth_bounded(ijson.parse(io.BufferedReader(budget, buffer_size=1 << 16), buf_size=_PARSE_BYTES, use_float=True))
    reading = "the file"
    items = _Items()
    try:
        first = next(events, None)
        if first is None:
            raise InputError(path, "empty file")
        _, event, value = first
        if event == "start_array":
            reading = "a list item"
            for n, record in items.read(events, "item", budget):
                yield _item(record, path, n)
            reading = "the file"
            budget.mark()
            for _ in events:  # only the end of the file may follow
                pass
            if not items.count:
                raise InputError(path, "empty JSON list, no articles")
        elif event == "start_map":
            yield from _json_object(events, budget, items, path)
        else:
            raise InputError(path, f"JSON of the wrong shape: expected an article object or a list, got {type(value).__name__}")
    except (_RecordTooLarge, _TooDeep) as exc:
        reason = TOO_LARGE if isinstance(exc, _RecordTooLarge) else TOO_DEEP
        if reading == "a list item" or items.count:
            raise InputError(path, f"item {items.count}: {reason}; the rest of the file was not read") from None
        raise InputError(path, reason) from None
    except ijson.JSONError as exc:
        if not budget.content:
            raise InputError(path, "empty file") from None
        where = f"item {items.count}: " if reading == "a list item" else ""
        raise InputError(path, f"{where}invalid JSON: {_json_error(exc)}") from None


def _item(record: Any, path: str, n: int) -> Article | InputError:
    if _chars(record) > MAX_RECORD_CHARS:
        return InputError(path, f"item {n}: {TOO_LARGE}")
    try:
        return _article(record, path, n, None, where=f"item {n}")
    except InputError as err:
        return err


def _chars(record: Any) -> int:
    """About how many characters of JSON ``record`` takes (its strings, keys and values)."""
    total = 0
    todo = [record]
    while todo:
        value = todo.pop()
        if isinstance(value, str):
            total += len(value) + 2
        elif isinstance(value, dict):
            total += 2
            for key, item in value.items():
                total += len(key) + 4
                todo.append(item)
        elif isinstance(value, list):
            total += 2 + len(value)
            todo.extend(value)
        else:
            total += 5
    return total


def _json_object(events: Iterator[tuple[str, str, Any]], budget: _Budget, items: _Items, path: str) -> Iterator[Article | InputError]:
    """A top-level object: one article, or a list of them under ``articles``."""
    single = ijson.ObjectBuilder()
    single.event("start_map", None)
    in_list = False
    for prefix, event, value in events:
        if prefix == "" and event == "map_key" and value == "articles" and not in_list:
            following = next(events)
            if following[1] == "start_array":
                in_list = True
                for n, record in items.read(events, "articles.item", budget):
                    yield _item(record, path, n)
                budget.mark(armed=False)
                if not items.count:
                    raise InputError(path, "empty JSON list, no articles")
                continue
            single.event(event, value)
            single.event(following[1], following[2])
            continue
        if not in_list:
            single.event(event, value)
    if not in_list:
        if _chars(single.value) > MAX_RECORD_CHARS:
            raise InputError(path, TOO_LARGE)
        yield _article(single.value, path, 0, None)


class _Items:
    """Reads the items of a JSON list one at a time from ijson events."""

    def __init__(self) -> None:
        self.count = 0

    def read(self, events: Iterator[tuple[str, str, Any]], prefix: str, budget: _Budget) -> Iterator[tuple[int, Any]]:
        """(position, value) of each item under ``prefix``, up to the end of the list."""
        list_prefix = prefix.rsplit(".", 1)[0] if "." in prefix else ""
        builder: Any = None
        budget.mark()
        for event_prefix, event, value in events:
            if builder is None:
                if event_prefix == list_prefix and event == "end_array":
                    return
                builder = ijson.ObjectBuilder()
            builder.event(event, value)
            if event_prefix == prefix and event != "map_key" and not builder.containers:  # the item is complete
                n, self.count = self.count, self.count + 1
                record, builder = builder.value, None
                yield n, record
                budget.mark()


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
        line=line,
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
