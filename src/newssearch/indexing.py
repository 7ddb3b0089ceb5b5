"""The indexing entry point: files → ingest → enrich → store, incrementally and in parallel.

:func:`index_paths` walks the given files and folders, reads, enriches and analyses only
what changed since the last run (by content hash), replaces changed files' articles,
removes the articles of deleted files (first, before anything is written), and commits.
What the index holds is read from its live documents at the start of each run
(:meth:`~newssearch.store.writer.IndexStore.known_files`), and article ids are kept unique by
:class:`~newssearch.ids.IdLedger`. For large work, worker processes read,
enrich, analyse and write (a whole file per task, or chunks of a large JSON/JSONL file), each
into an index segment of its own (:class:`~newssearch.store.writer.SegmentBuilder`); this
process holds the lock, deletes replaced articles, keeps the report and commits the workers'
segments together. Commits happen only between files, so no file is ever half in the index.
"""

from __future__ import annotations

import collections
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .enrich import enrich
from .errors import InputError, NewssearchError, WorkerError
from .ids import IdLedger
from .ingest import Discovery, SourceFile, discover, file_digest, iter_file, read_bytes, read_file, stream_digest
from .model import Article, single_article_id
from .skips import Skips
from .store.writer import IndexStore, PreparedArticle, SegmentBuilder, pool_budget_mb, prepare

#: Below this many bytes of input, everything runs in this process (workers cost start-up).
PARALLEL_MIN_BYTES = 2_000_000
#: Commit (at a file boundary) once this many articles were written since the last commit,
#: so a crash loses at most this much work. Each commit adds a segment (or more) per worker.
COMMIT_EVERY = 16_000
#: Articles per task when a JSON/JSONL file is split among workers.
CHUNK = 64


class Progress:
    """What :func:`index_paths` reports while it works; the CLI draws a bar from it."""

    def start(self, total_bytes: int) -> None:
        """Work is about to begin on files of ``total_bytes`` bytes in all."""

    def advance(self, nbytes: int, articles: int = 0) -> None:
        """``nbytes`` more bytes of input are done, giving ``articles`` articles."""

    def close(self) -> None:
        """Work is over."""

    def waiting(self, seconds: float) -> None:
        """Another process is updating the index; waiting up to ``seconds`` for it."""


@dataclass
class IndexReport:
    """What an indexing run did. Counts are articles, except those named ``files``."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    unchanged_files: int = 0
    files_read: int = 0
    #: Skipped files and records: exact counts per kind of reason and the first few of each
    #: (``len(report.skipped)`` is the count; iterating gives the examples kept).
    skipped: Skips = field(default_factory=Skips)
    #: Records indexed, but not as they said (an id another file holds: indexed under a suffix).
    warnings: Skips = field(default_factory=Skips)
    seconds: float = 0.0
    index_dir: str = ""
    #: Where a damaged index was moved before ``rebuild`` made a new one (else None).
    moved_aside: str | None = None

    @property
    def indexed(self) -> int:
        """Articles written in this run (added + updated)."""
        return self.added + self.updated

    def skip_reasons(self) -> dict[str, int]:
        """How many skips per kind of reason, the most frequent first, with detail dropped
        ("invalid JSON: …" → "invalid JSON"; see :func:`~newssearch.skips.reason_kind`)."""
        return self.skipped.reasons()

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
            "skipped_count": self.skipped.total,
            "skip_reasons": self.skip_reasons(),
            "warnings": [{"path": e.path, "line": e.line, "reason": e.reason} for e in self.warnings],
            "warning_count": self.warnings.total,
            "seconds": round(self.seconds, 3),
            "moved_aside": self.moved_aside,
        }


# -- work units ---------------------------------------------------------------------------


@dataclass
class _Task:
    """Work for a worker: a whole file to read, or a chunk of articles already read."""

    file: SourceFile
    size: int
    known_digest: str | None = None
    articles: list[Article] | None = None
    digest: str | None = None
    last: bool = True


@dataclass
class _Done:
    """A worker's answer: prepared articles of (part of) a file."""

    file: SourceFile
    size: int
    digest: str | None
    prepared: list[PreparedArticle] = field(default_factory=list)
    errors: Skips = field(default_factory=Skips)
    unchanged: bool = False
    last: bool = True


def _work(task: _Task) -> _Done:
    """Read (if needed), enrich and prepare; never raises for bad input."""
    errors = Skips()
    digest = task.digest
    articles = task.articles
    if articles is None:
        try:
            data = read_bytes(task.file)
        except InputError as err:
            return _Done(task.file, task.size, None, errors=Skips([err]))
        digest = file_digest(data)
        if digest == task.known_digest:
            return _Done(task.file, task.size, digest, unchanged=True)
        result = read_file(task.file, data=data, digest=digest)
        articles, errors = result.articles, result.errors
    prepared = []
    for article in articles:
        try:
            prepared.append(prepare(enrich(article), digest or ""))
        except (ValueError, TypeError, LookupError, RecursionError) as exc:  # a bug must not cost the other articles
            errors.append(InputError(article.path or task.file.path, f"cannot process article {article.id}: {exc}"))
    return _Done(task.file, task.size, digest, prepared=prepared, errors=errors, last=task.last)


def _tasks(
    files: list[tuple[SourceFile, int]], known: dict[str, tuple[str, int]], ledger: IdLedger, only: set[str] | None, warnings: Skips,
) -> Iterator[_Task | _Done]:
    """Tasks in file order (of the files in ``only``, if given); JSON/JSONL files are read
    here, as streams, their ids assigned by ``ledger`` (its warnings go to ``warnings``), and
    sent in chunks of :data:`CHUNK` articles as they come (a file is never whole in memory).
    A file the ledger forced to be read again is read whatever its digest."""
    for file, size in files:
        if only is not None and file.path not in only and file.path not in ledger.forced:
            continue
        ledger.position = file.path
        known_digest = None if file.path in ledger.forced else known.get(file.path, (None, 0))[0]
        if not file.batch:
            yield _Task(file, size, known_digest)
            continue
        try:
            digest = stream_digest(file)
        except InputError as err:
            yield _Done(file, size, None, errors=Skips([err]))
            continue
        if digest == known_digest:
            yield _Done(file, size, digest, unchanged=True)
            continue
        yield from _batch_tasks(file, size, digest, ledger, warnings)


def _batch_tasks(file: SourceFile, size: int, digest: str, ledger: IdLedger, warnings: Skips) -> Iterator[_Task | _Done]:
    """A JSON/JSONL file's articles in chunks, their ids assigned by ``ledger``; then a last
    answer with the file's errors.

    Each chunk counts (for progress) about the bytes of its text, the last answer the rest
    of the file's bytes (for a gzipped file, all of them)."""
    errors = Skips()
    chunk: list[Article] = []
    sent = 0  # chunks sent
    left = 0 if file.path.lower().endswith(".gz") else size  # bytes the chunks may still count
    counted = left

    def task(articles: list[Article]) -> _Task:
        nonlocal left
        warnings.extend(ledger.assign(file.path, articles))
        nbytes = min(left, sum(len(a.title) + sum(len(p) + 2 for p in a.paragraphs) for a in articles))
        left -= nbytes
        return _Task(file, nbytes, articles=articles, digest=digest, last=False)

    for item in iter_file(file):
        if isinstance(item, InputError):
            errors.append(item)
            continue
        chunk.append(item)
        if len(chunk) == CHUNK:
            yield task(chunk)
            chunk, sent = [], sent + 1
    if not chunk and not sent:
        ledger.finish(file.path)
        yield _Done(file, size, digest, errors=errors)  # no article at all
        return
    if chunk:
        yield task(chunk)
    ledger.finish(file.path)
    yield _Done(file, size - (counted - left), digest, errors=errors, last=True)


class _CommitPoint:
    """Marks a file boundary where the work so far should be committed."""


def _articles_in(task: _Task | _Done) -> int:
    if isinstance(task, _Done):
        return 0
    return len(task.articles) if task.articles is not None else 1


def _run(tasks: Iterable[_Task | _Done], commit_every: int) -> Iterator[_Done | _CommitPoint]:
    """Work in this process, in task order, with a commit point every ``commit_every`` articles."""
    pending = 0
    for task in tasks:
        done = task if isinstance(task, _Done) else _work(task)
        yield done
        pending += len(done.prepared)
        if done.last and pending >= commit_every:
            yield _CommitPoint()
            pending = 0


def _worker_init() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and ends the workers


def _worker_main(index_dir: str, inbox: Any, outbox: Any, limitmb: int) -> None:
    """A worker's loop: ("work", seq, task) → read, enrich, write into its own segment;
    ("finish", seq, None) → close the segment and send it; None → exit."""
    _worker_init()
    builder = SegmentBuilder(index_dir, limitmb)
    while True:
        message = inbox.get()
        if message is None:
            builder.cancel()
            return
        kind, seq, task = message
        try:
            if kind == "work":
                done = _work(task)
                for prepared in done.prepared:
                    builder.add(prepared)
                done.prepared = [prepared.written() for prepared in done.prepared]
                outbox.put((seq, done))
            else:
                outbox.put((seq, builder.finish()))
        except NewssearchError as exc:  # (no space left, a damaged index…: said as it is)
            outbox.put((seq, exc))
            builder.cancel()
            return
        except BaseException as exc:  # noqa: BLE001 - reported to the parent, which stops the run
            import traceback

            outbox.put((seq, WorkerError(f"an indexing worker failed: {exc}", detail=traceback.format_exc())))
            builder.cancel()
            return


class _Workers:
    """Worker processes that read, enrich and write index segments, fed in task order.

    Results come back in the order the tasks were given. At each commit point, the workers
    are drained and close their segments, which :meth:`finish` returns for the commit.
    """

    def __init__(self, count: int, index_dir: str) -> None:
        import multiprocessing

        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork") if "fork" in methods else multiprocessing.get_context()
        self.outbox = ctx.Queue()
        self.inboxes = [ctx.Queue() for _ in range(count)]
        limitmb = pool_budget_mb(count)
        self.procs = [ctx.Process(target=_worker_main, args=(index_dir, inbox, self.outbox, limitmb), daemon=True) for inbox in self.inboxes]
        for proc in self.procs:
            proc.start()
        self.load = [0] * count  # tasks in flight per worker
        self._owner: dict[int, int] = {}
        self._seq = 0
        self._finishing: dict[int, int] = {}  # finish requests sent: sequence number → worker
        self._finished: set[int] = set()  # workers asked to finish since the last commit
        self._segments: list[Any] = []
        self._closed = False

    def submit(self, task: _Task) -> int:
        """Give a task to the least busy worker; return its sequence number."""
        worker = min(range(len(self.procs)), key=self.load.__getitem__)
        self._seq += 1
        self._owner[self._seq] = worker
        self.load[worker] += 1
        self.inboxes[worker].put(("work", self._seq, task))
        return self._seq

    def _next(self) -> tuple[int, Any]:
        """The next (sequence number, answer) from any worker; raises WorkerError if one died."""
        import queue

        while True:
            try:
                seq, answer = self.outbox.get(timeout=1.0)
            except queue.Empty:
                dead = [p for p in self.procs if not p.is_alive()]
                if dead:
                    raise WorkerError(f"a worker process ended unexpectedly (exit code {dead[0].exitcode})") from None
                continue
            if isinstance(answer, NewssearchError):
                raise answer
            return seq, answer

    def receive(self) -> tuple[int, Any]:
        """The next (sequence number, result) of a task; segments that workers asked to
        finish sent meanwhile are kept for :meth:`finish`."""
        while True:
            seq, answer = self._next()
            if self._kept_segments(seq, answer):
                continue
            worker = self._owner.pop(seq, None)
            if worker is not None:
                self.load[worker] -= 1
            return seq, answer

    def _kept_segments(self, seq: int, answer: Any) -> bool:
        """Keep ``answer`` if it answers a finish request (a worker's segments); say so."""
        if self._finishing.pop(seq, None) is None:
            return False
        self._segments.extend(answer)
        return True

    def finish_idle(self) -> None:
        """Ask every worker with no task left to close its segment now (before a commit):
        it writes it while the others still work, instead of all waiting for the slowest."""
        for worker, inbox in enumerate(self.inboxes):
            if self.load[worker] == 0 and worker not in self._finished:
                self._seq += 1
                self._finishing[self._seq] = worker
                self._finished.add(worker)
                inbox.put(("finish", self._seq, None))

    def finish(self) -> list[Any]:
        """Every worker closes its segment (call with no task in flight); return the segments
        written since the last call."""
        self.finish_idle()
        while self._finishing:
            self._kept_segments(*self._next())
        segments, self._segments = self._segments, []
        self._finished = set()
        return segments

    def close(self) -> None:
        """Stop the workers (at once: uncommitted segments are dropped). Closing twice is harmless."""
        if self._closed:
            return
        self._closed = True
        for proc in self.procs:
            if proc.is_alive():
                proc.kill()
        for proc in self.procs:
            proc.join()
        for q in (*self.inboxes, self.outbox):
            # tasks still buffered for killed workers: drop them, or this process would wait
            # at exit for its queue threads to push them into pipes nobody reads
            q.cancel_join_thread()
            q.close()


#: Tasks given to a worker at a time (one running, one waiting, so it never waits for this process).
PER_WORKER = 2


def _run_parallel(tasks: Iterable[_Task | _Done], workers: _Workers, window: int, commit_every: int) -> Iterator[_Done | _CommitPoint]:
    """Results in task order; a commit point (after all earlier tasks are done) at the first
    file boundary after every ``commit_every`` articles.

    A task goes to a worker only when it has fewer than :data:`PER_WORKER` tasks: a worker
    busy writing a full segment holds no queue of tasks, the others take them. Results
    that arrive ahead of an earlier one wait (at most ``window`` of them).
    """
    ready: dict[int, _Done] = {}
    order: collections.deque[int | _Done] = collections.deque()
    dispatched = 0

    def in_order() -> Iterator[_Done]:
        while order:
            head = order[0]
            if isinstance(head, _Done):
                order.popleft()
                yield head
            elif head in ready:
                order.popleft()
                yield ready.pop(head)
            else:
                return

    def wait_one() -> None:
        seq, done = workers.receive()
        ready[seq] = done

    def drain() -> Iterator[_Done]:
        """Every result so far; a worker done with its tasks starts closing its segment."""
        while order:
            workers.finish_idle()
            if not isinstance(order[0], _Done) and order[0] not in ready:
                wait_one()
            yield from in_order()

    for task in tasks:
        if isinstance(task, _Done):
            order.append(task)
        else:
            while min(workers.load) >= PER_WORKER or len(ready) >= window:
                wait_one()
                yield from in_order()
            order.append(workers.submit(task))
            dispatched += _articles_in(task)
        yield from in_order()
        if task.last and dispatched >= commit_every:
            yield from drain()
            yield _CommitPoint()
            dispatched = 0
    yield from drain()


_forking_parent: int | None = None


def _remember_parent() -> None:
    global _forking_parent
    _forking_parent = os.getpid()


def _die_with_parent() -> None:
    """In a forked child (worker or Whoosh sub-writer): get SIGKILL when the parent dies, so no
    orphan keeps running or holds the index lock after the indexer is killed (Linux only).
    A parent killed between the fork and this call is caught by checking who the parent is."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if _forking_parent is not None and os.getppid() != _forking_parent:
        os._exit(1)  # the parent is already gone


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_remember_parent, after_in_child=_die_with_parent)


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
    """
    started = time.perf_counter()
    index_dir = os.fspath(index_dir)
    paths = [os.fspath(p) for p in paths]
    progress = progress or Progress()
    report = IndexReport(index_dir=index_dir)
    found: Discovery = discover(paths, follow_links=follow_links)
    report.skipped.extend(found.skipped)
    roots = found.roots
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
        pool = _Workers(nworkers, index_dir)  # started before the index lock is taken
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
    pool: _Workers | None,
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
            tasks = _tasks(sized, known, ledger, only, report.warnings)
            results = _run(tasks, commit_every) if pool is None else _run_parallel(tasks, pool, 32 * nworkers, commit_every)
            for done in results:
                if isinstance(done, _CommitPoint):
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
    done: _Done, known: dict[str, tuple[str, int]], store: IndexStore, report: IndexReport, current: dict[str, Any], progress: Progress,
    forced: dict[str, set[str]],
) -> None:
    """Write one worker answer into the store (or record what a worker wrote) and the report.
    ``forced``: files whose articles were removed already (path → their ids)."""
    path = done.file.path
    report.skipped.extend(done.errors)
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
