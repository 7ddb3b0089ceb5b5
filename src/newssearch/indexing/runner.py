"""The indexing run: :func:`index_paths` (see :mod:`newssearch.indexing`)."""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Iterable
from typing import Any

from ..ids import IdLedger
from ..ingest import Discovery, SourceFile, discover
from ..ingest.settings import ReadSettings, SettingsResolver
from ..model import single_article_id
from ..store.writer import IndexStore
from .report import IndexReport, Progress
from .tasks import CommitPoint, Done, file_tasks, run_here
from .workers import Workers, run_parallel

#: Below this many bytes of input, everything runs in this process (workers cost start-up).
PARALLEL_MIN_BYTES = 2_000_000
#: Commit (at a file boundary) once this many articles were written since the last commit,
#: so a crash loses at most this much work. Each commit adds a segment (or more) per worker.
COMMIT_EVERY = 16_000


def _under(path: str, roots: Iterable[str]) -> bool:
    """True when ``path`` (of an indexed file) is in one of the (resolved) ``roots``: by name,
    or through a symbolic link (an index made by a version that did not resolve roots named
    files by a symlinked root; they are the same files)."""
    roots = list(roots)
    for candidate in (path, os.path.realpath(path)):
        if any(candidate == root or candidate.startswith(root.rstrip(os.sep) + os.sep) for root in roots):
            return True
    return False


# -- the entry point ------------------------------------------------------------------------


def index_paths(
    paths: Iterable[str | os.PathLike[str]],
    index_dir: str | os.PathLike[str],
    *,
    rebuild: bool = False,
    wait: float = 0.0,
    workers: int | None = None,
    progress: Progress | None = None,
    commit_every: int = COMMIT_EVERY,
    follow_links: bool = False,
    settings: ReadSettings | None = None,
) -> IndexReport:
    """Index files and folders into ``index_dir``; return what was done.

    New files are added, changed files re-indexed (by content hash), articles of files that
    disappeared from the given folders removed; unchanged files are only hashed.
    ``rebuild=True`` starts from an empty index. ``workers`` is the number of processes that
    read, enrich and write (default: all cores, when the input is large enough to be worth
    them). Bad files never stop the run: they are in ``report.skipped`` with the reason.
    ``commit_every`` is how many articles may be written between commits (a crash loses at
    most that much work; each commit adds a segment per worker). Symbolic links that lead
    out of the folders given are skipped unless ``follow_links``; folders given through a
    symbolic link are resolved, so each file is one article whatever name reaches it. Raises :class:`~newssearch.errors.IndexLockedError`
    when another process is writing the index (after waiting ``wait`` seconds).

    ``settings`` are what to assume for what files lack (source, language, date order, CSV
    columns); a ``newssearch.toml`` in a folder overrides them for its files and subfolders
    (:mod:`newssearch.ingest.settings`). They are part of each file's digest: a file whose
    settings changed is read again. A broken settings file raises
    :class:`~newssearch.ingest.settings.SettingsError` before anything is written.
    """
    started = time.perf_counter()
    index_dir = os.fspath(index_dir)
    paths = [os.fspath(p) for p in paths]
    progress = progress or Progress()
    report = IndexReport(index_dir=index_dir)
    found: Discovery = discover(paths, follow_links=follow_links)
    report.skipped.extend(found.skipped)
    roots = found.roots
    resolver = SettingsResolver(settings, roots)
    found.files = [dataclasses.replace(f, settings=resolver.for_file(f.location)) for f in found.files]
    sized = []
    for f in found.files:
        try:
            sized.append((f, os.path.getsize(f.location)))
        except OSError:
            sized.append((f, 0))
    total_bytes = sum(size for _, size in sized)
    cores = os.cpu_count() or 1
    nworkers = workers if workers is not None else cores
    pool = None
    if nworkers > 1 and (workers is not None or total_bytes >= PARALLEL_MIN_BYTES):
        pool = Workers(nworkers, index_dir)  # started before the index lock is taken
    try:
        report = _index(sized, roots, index_dir, report, rebuild, wait, pool, nworkers, progress, commit_every)
    finally:
        progress.close()
        if pool is not None:
            pool.close()
    report.seconds = time.perf_counter() - started
    return report


def _index(
    sized: list[tuple[SourceFile, int]],
    roots: list[str],
    index_dir: str,
    report: IndexReport,
    rebuild: bool,
    wait: float,
    pool: Workers | None,
    nworkers: int,
    progress: Progress,
    commit_every: int,
) -> IndexReport:
    store = IndexStore(index_dir, rebuild=rebuild, wait=wait, on_wait=progress.waiting)
    report.moved_aside = store.moved_aside
    try:
        known = store.known_files()
        progress.start(sum(size for _, size in sized))
        seen = {f.path for f, _ in sized}
        gone = [path for path in known if path not in seen and _under(path, roots)]
        reserved = {single_article_id(f.path): f.path for f, _ in sized if not f.batch}
        ledger = IdLedger(store, seen, reserved, gone, store.remove_file)
        for path in gone:  # first: from the first commit on, no article of a deleted file is left
            ids = store.remove_file(path)
            report.removed += len(ids)
            ledger.release_gone(path, ids)
        only: set[str] | None = None  # the first pass goes over every file
        while True:
            current: dict[str, Any] = {}
            tasks = file_tasks(sized, known, ledger, only, report.warnings)
            results = run_here(tasks, commit_every) if pool is None else run_parallel(tasks, pool, 32 * nworkers, commit_every)
            for done in results:
                if isinstance(done, CommitPoint):
                    store.commit(final=False, segments=pool.finish() if pool is not None else ())
                else:
                    _apply(done, known, store, report, current, progress, ledger.forced)
            only = ledger.next_pass()
            if not only:
                break
            # files whose ids changed hands behind the current one (a damaged or interrupted index)
            store.commit(final=False, segments=pool.finish() if pool is not None else ())
        store.commit(segments=pool.finish() if pool is not None else ())
    except BaseException:
        if pool is not None:
            pool.close()  # (before the store removes what this run wrote: no worker may still write)
        store.cancel()
        raise
    return report


def _apply(
    done: Done, known: dict[str, tuple[str, int]], store: IndexStore, report: IndexReport, current: dict[str, Any], progress: Progress,
    forced: dict[str, set[str]],
) -> None:
    """Write one worker answer into the store (or record what a worker wrote) and the report.
    ``forced``: files whose articles were removed already (path → their ids)."""
    path = done.file.path
    report.skipped.extend(done.errors)
    if done.ambiguous:
        report.ambiguous_dates += done.ambiguous
        report.ambiguous_example = report.ambiguous_example or done.ambiguous_example
    old = known.get(path)
    if done.unchanged:
        report.unchanged += old[1] if old else 0
        report.unchanged_files += 1
        progress.advance(done.size, 0)
        return
    state = current.get(path)
    if state is None:
        removed = forced.pop(path, None)
        if done.digest is None and done.last and (old is not None or removed is not None):
            # The file is there but cannot be read now (permissions, I/O, too large): keep the
            # articles already indexed from it (unless they were removed already); the skip says why.
            if removed is None:
                report.unchanged += old[1] if old else 0
            else:
                report.removed += len(removed)
            progress.advance(done.size, 0)
            return
        report.files_read += 1
        state = current[path] = {"old": set(), "new": set()}
        if removed is not None:
            state["old"] = removed
        elif old is not None:
            state["old"] = store.remove_file(path)
    for prepared in done.prepared:
        if prepared.documents:
            store.add(prepared)
        else:  # a worker wrote it into its own segment
            store.record(prepared)
        state["new"].add(prepared.id)
    progress.advance(done.size, len(done.prepared))
    if done.last:
        del current[path]
        old_ids, new_ids = state["old"], state["new"]
        report.updated += len(new_ids & old_ids)
        report.added += len(new_ids - old_ids)
        report.removed += len(old_ids - new_ids)
