"""The indexing entry point: files → ingest → enrich → store, incrementally.

:func:`index_paths` walks the given files and folders, reads and enriches only what changed
since the last run (by content hash), replaces changed files' articles, removes the articles
of deleted files, and commits. Reading and enrichment run in worker processes when there is
enough work; the index is written by this process alone.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .enrich import enrich
from .errors import InputError
from .ingest import Discovery, FileResult, SourceFile, discover, file_digest, read_bytes, read_file
from .store.writer import IndexStore

#: Below this many files to read, reading happens in this process (workers cost start-up).
PARALLEL_MIN_FILES = 64
#: Commit after this many added articles, so a crash loses at most this much work.
COMMIT_EVERY = 20_000


class Progress:
    """What :func:`index_paths` reports while it works; the CLI draws a bar from it."""

    def start(self, total: int) -> None:
        """Work is about to begin on ``total`` files."""

    def advance(self, files: int = 1, articles: int = 0) -> None:
        """``files`` more files are done, giving ``articles`` articles."""

    def close(self) -> None:
        """Work is over."""


@dataclass
class IndexReport:
    """What an indexing run did. Counts are articles, except ``unchanged_files``."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    unchanged_files: int = 0
    files_read: int = 0
    skipped: list[InputError] = field(default_factory=list)
    seconds: float = 0.0
    index_dir: str = ""

    @property
    def indexed(self) -> int:
        """Articles written in this run (added + updated)."""
        return self.added + self.updated

    def skip_reasons(self) -> dict[str, int]:
        """How many skips per reason (reasons without per-file detail)."""
        counts: dict[str, int] = {}
        for err in self.skipped:
            reason = err.reason.split(":")[0] if err.reason.startswith(("invalid JSON", "cannot parse")) else err.reason
            counts[reason] = counts.get(reason, 0) + 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "index": self.index_dir,
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "unchanged_files": self.unchanged_files,
            "files_read": self.files_read,
            "skipped": [{"path": e.path, "line": e.line, "reason": e.reason} for e in self.skipped],
            "seconds": round(self.seconds, 3),
        }


def _load(job: tuple[SourceFile, str | None]) -> FileResult:
    """Read, hash, parse and enrich one file (in a worker process or inline)."""
    file, known_digest = job
    try:
        data = read_bytes(file)
    except InputError as err:
        return FileResult(file=file, errors=[err])
    digest = file_digest(data)
    if digest == known_digest:
        return FileResult(file=file, digest=digest)
    result = read_file(file, data=data, digest=digest)
    for article in result.articles:
        enrich(article)
    return result


def _results(jobs: list[tuple[SourceFile, str | None]], workers: int) -> Iterator[FileResult]:
    if workers <= 1 or len(jobs) < PARALLEL_MIN_FILES:
        for job in jobs:
            yield _load(job)
        return
    import multiprocessing

    ctx = multiprocessing.get_context("fork") if hasattr(os, "fork") else multiprocessing.get_context()
    with ctx.Pool(workers, initializer=_worker_init) as pool:
        yield from pool.imap(_load, jobs, chunksize=8)


def _worker_init() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and ends the pool


def _under(path: str, roots: Iterable[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def index_paths(
    paths: list[str] | list[os.PathLike[str]] | list[Any],
    index_dir: str,
    *,
    rebuild: bool = False,
    wait: float = 0.0,
    workers: int | None = None,
    progress: Progress | None = None,
    commit_every: int = COMMIT_EVERY,
) -> IndexReport:
    """Index files and folders into ``index_dir``; return what was done.

    New files are added, changed files re-indexed (by content hash), articles of files that
    disappeared from the given folders removed; unchanged files are not re-read beyond
    hashing. ``rebuild=True`` starts from an empty index. Bad files never stop the run: they
    are in ``report.skipped`` with the reason. Raises :class:`~newssearch.errors.IndexLockedError`
    when another process is writing the index (after waiting ``wait`` seconds).
    """
    started = time.perf_counter()
    progress = progress or Progress()
    report = IndexReport(index_dir=index_dir)
    found: Discovery = discover([os.fspath(p) for p in paths])
    report.skipped.extend(found.skipped)
    roots = [os.path.abspath(os.fspath(p)) for p in paths]
    store = IndexStore(index_dir, rebuild=rebuild, wait=wait)
    try:
        known = {} if rebuild else store.known_files()
        jobs = [(f, known.get(f.path, (None, 0))[0]) for f in found.files]
        progress.start(len(jobs))
        pending = 0
        for result in _results(jobs, workers if workers is not None else (os.cpu_count() or 1)):
            path = result.file.path
            report.skipped.extend(result.errors)
            old = known.get(path)
            if old is not None and result.digest == old[0]:
                report.unchanged += old[1]
                report.unchanged_files += 1
                progress.advance(1, 0)
                continue
            report.files_read += 1
            if not result.articles and result.errors and old is not None:
                # The file is there but cannot be read now (permissions, I/O, broken since):
                # keep the articles already indexed from it; the skip says why.
                report.unchanged += old[1]
                progress.advance(1, 0)
                continue
            if old is not None:
                old_ids = store.article_ids(path)
                store.remove_file(path)
                new_ids = {a.id for a in result.articles}
                report.updated += len(new_ids & old_ids)
                report.added += len(new_ids - old_ids)
                report.removed += len(old_ids - new_ids)
            else:
                report.added += len(result.articles)
            for article in result.articles:
                store.add(article, result.digest or "")
            pending += len(result.articles)
            progress.advance(1, len(result.articles))
            if pending >= commit_every:
                store.commit(final=False)
                pending = 0
        seen = {f.path for f in found.files}
        for path, (_, count) in known.items():
            if path not in seen and _under(path, roots):
                store.remove_file(path)
                report.removed += count
        store.commit()
    except BaseException:
        store.cancel()
        raise
    finally:
        progress.close()
    report.seconds = time.perf_counter() - started
    return report
