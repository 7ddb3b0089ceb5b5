"""Indexing records from a stream (``newssearch index -``): JSON Lines or CSV from a pipe.

A stream has no file to compare with next time, so each record is its own unit: it is
identified by its ``id``, else its URL, else a hash of its title and text, and stored with
the path ``stdin:ID`` (what ``query --json`` shows as its ``path``). Sending a record again
replaces the article of that id when the record (or the settings it is read with) changed,
and leaves it when it did not (an upsert). Nothing is ever removed: the articles of records
that are not sent again stay. Bad records are skipped and named ``-:LINE``.

Records are read, enriched and written one at a time in this process (memory holds one
record and the index writer's buffers), with a commit every ``commit_every`` articles.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from typing import IO

from ..enrich import enrich
from ..errors import InputError
from ..ids import IdLedger
from ..ingest.settings import ReadSettings
from ..model import Article, stable_id
from ..store.writer import IndexStore, prepare
from .report import IndexReport, Progress
from .runner import COMMIT_EVERY

__all__ = ["FORMATS", "STDIN_NAME", "STDIN_PREFIX", "index_stream", "read_stream", "record_id"]

#: How the stream is named in messages (``-:12``: its record on line 12).
STDIN_NAME = "-"
#: What the path of an article read from a stream starts with (``stdin:ID``).
STDIN_PREFIX = "stdin:"
#: The formats a stream can be in.
FORMATS = ("jsonl", "csv", "tsv")


def record_id(article: Article, given: bool) -> str:
    """A stream record's id: the one it gives (``given``), else one made from its URL, else
    from its title and text (the same record sent again gets the same id)."""
    if given:
        return article.id
    if article.url:
        return stable_id("url", article.url)
    return stable_id("text", article.title, *article.paragraphs)


def _record_digest(article: Article, settings: ReadSettings) -> str:
    """What tells that a record changed: every field a reader gives, and the settings."""
    parts = [article.title, *article.paragraphs, "\x1e", article.source or "", article.url or "", article.published_text or "",
             str(article.published or ""), ";".join(article.authors), article.language or "", settings.key()]
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def read_stream(stream: IO[bytes], fmt: str = "jsonl", settings: ReadSettings | None = None) -> Iterator[Article | InputError]:
    """The articles of a stream's records, their ids as :func:`index_stream` gives them
    (:func:`record_id`), and an error for each bad record (``-:LINE``) or for the whole
    stream. Nothing is enriched."""
    try:
        for item in _records(stream, fmt, settings or ReadSettings()):
            if isinstance(item, InputError):
                yield item
            else:
                article, given = item
                article.id = record_id(article, given)
                yield article
    except InputError as err:
        yield err


def _records(stream: IO[bytes], fmt: str, settings: ReadSettings) -> Iterator[tuple[Article, bool] | InputError]:
    """(article, whether the record gave its id) for each record, or the error of a bad one."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown stream format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "jsonl":
        from ..ingest.jsonfmt import read_jsonl

        items: Iterator[Article | InputError] = read_jsonl(stream, STDIN_NAME)
    else:
        from ..ingest.csvfmt import read_csv

        items = read_csv(stream, STDIN_NAME, columns=settings.column_map, delimiter="\t" if fmt == "tsv" else None)
    position = 0  # the record's position (what a reader's made-up id is made from when there is no line)
    for item in items:
        position += 1
        if isinstance(item, InputError):
            yield item
            continue
        positional = {stable_id(STDIN_NAME, str(n)) for n in (item.line, position) if n is not None}
        yield settings.apply(item), item.id not in positional


def index_stream(
    stream: IO[bytes],
    index_dir: str | os.PathLike[str],
    *,
    fmt: str = "jsonl",
    settings: ReadSettings | None = None,
    wait: float = 0.0,
    progress: Progress | None = None,
    commit_every: int = COMMIT_EVERY,
) -> IndexReport:
    """Upsert the records of ``stream`` (binary; JSON Lines, or CSV/TSV with a header) into
    ``index_dir``; return what was done (see the module docstring). ``settings`` fill what
    records lack. Bad records are in ``report.skipped`` as ``-:LINE``; an unreadable stream
    (not JSON Lines, a CSV without a text column) is one skip for ``-``.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown stream format {fmt!r}; use one of {', '.join(FORMATS)}")
    started = time.perf_counter()
    settings = settings or ReadSettings()
    index_dir = os.fspath(index_dir)
    progress = progress or Progress()
    report = IndexReport(index_dir=index_dir)
    store = IndexStore(index_dir, wait=wait, on_wait=progress.waiting)
    try:
        known = store.known_files()
        ledger = IdLedger(store, (), {}, (), store.remove_file)
        written: set[str] = set()  # paths written since the last commit
        pending = 0
        progress.start(0)
        try:
            for item in _records(stream, fmt, settings):
                if isinstance(item, InputError):
                    report.skipped.append(item)
                    continue
                article, given = item
                article.id = record_id(article, given)
                path = article.path = STDIN_PREFIX + article.id
                digest = _record_digest(article, settings)
                old = known.get(path)
                if old is not None and old[0] == digest:
                    report.unchanged += 1
                    progress.advance(0, 0)
                    continue
                if path in written:  # the same id twice in one stream, changed: the last one wins
                    store.commit(final=False)  # (removing reads the index as last committed)
                    written.clear()
                    pending = 0
                report.warnings.extend(ledger.assign(path, [article]))
                old_ids = store.remove_file(path) if old is not None else set()
                ledger.finish(path)
                if settings.ambiguous(article):
                    report.ambiguous_dates += 1
                    report.ambiguous_example = report.ambiguous_example or f"{STDIN_NAME}:{article.line}: {article.published_text}"
                try:
                    store.add(prepare(enrich(article), digest))
                except (ValueError, TypeError, LookupError, RecursionError) as exc:
                    report.skipped.append(InputError(STDIN_NAME, f"cannot process article {article.id}: {exc}", line=article.line))
                    continue
                written.add(path)
                known[path] = (digest, 1)
                if article.id in old_ids:
                    report.updated += 1
                else:
                    report.added += 1
                report.removed += len(old_ids - {article.id})
                pending += 1
                progress.advance(0, 1)
                if pending >= commit_every:
                    store.commit(final=False)
                    written.clear()
                    pending = 0
        except InputError as err:  # the stream as a whole (empty, not JSON Lines, no text column)
            report.skipped.append(err)
        store.commit()
    except BaseException:
        store.cancel()
        raise
    finally:
        progress.close()
    report.files_read = 1
    report.seconds = time.perf_counter() - started
    return report
