"""The indexing entry point: files → ingest → enrich → store, incrementally and in parallel.

:func:`index_paths` walks the given files and folders, reads, enriches and analyses only
what changed since the last run (by content hash), replaces changed files' articles,
removes the articles of deleted files, and commits. For large work, worker processes read,
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
from .errors import InputError, WorkerError
from .ingest import Discovery, SourceFile, discover, file_digest, read_bytes, read_file
from .model import Article
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
    skipped: list[InputError] = field(default_factory=list)
    seconds: float = 0.0
    index_dir: str = ""

    @property
    def indexed(self) -> int:
        """Articles written in this run (added + updated)."""
        return self.added + self.updated

    def skip_reasons(self) -> dict[str, int]:
        """How many skips per reason, with per-record detail dropped ("invalid JSON: …" →
        "invalid JSON", "item 3: …" → "bad record", "record 7 at offset 4096: not an HTML page
        (image/png)" → "not an HTML page")."""
        counts: dict[str, int] = {}
        for err in self.skipped:
            reason = err.reason
            if reason.startswith(("invalid JSON", "cannot parse", "no header row")):
                reason = reason.split(":")[0]
            elif reason.startswith("item "):
                reason = "bad record"
            elif reason.startswith("record ") and " at offset " in reason:  # a web archive's record
                reason = reason.split(": ", 1)[-1].split(" (")[0]
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
    errors: list[InputError] = field(default_factory=list)
    unchanged: bool = False
    last: bool = True


def _work(task: _Task) -> _Done:
    """Read (if needed), enrich and prepare; never raises for bad input."""
    errors: list[InputError] = []
    digest = task.digest
    articles = task.articles
    if articles is None:
        try:
            data = read_bytes(task.file)
        except InputError as err:
            return _Done(task.file, task.size, None, errors=[err])
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


def _tasks(files: list[tuple[SourceFile, int]], known: dict[str, tuple[str, int]]) -> Iterator[_Task | _Done]:
    """Tasks in file order; JSON/JSONL files are read here and split into chunks of articles."""
    for file, size in files:
        known_digest = known.get(file.path, (None, 0))[0]
        if not file.batch:
            yield _Task(file, size, known_digest)
            continue
        try:
            data = read_bytes(file)
        except InputError as err:
            yield _Done(file, size, None, errors=[err])
            continue
        digest = file_digest(data)
        if digest == known_digest:
            yield _Done(file, size, digest, unchanged=True)
            continue
        result = read_file(file, data=data, digest=digest)
        del data
        articles = result.articles
        if not articles:
            yield _Done(file, size, digest, errors=result.errors)
            continue
        chunks = [articles[i : i + CHUNK] for i in range(0, len(articles), CHUNK)]
        share = size // len(chunks)
        for n, chunk in enumerate(chunks):
            final = n == len(chunks) - 1
            nbytes = size - share * (len(chunks) - 1) if final else share
            yield _Task(file, nbytes, articles=chunk, digest=digest, last=final and not result.errors)
        if result.errors:  # the reader's per-record errors close the file
            yield _Done(file, 0, digest, errors=result.errors, last=True)


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
            if isinstance(answer, WorkerError):
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
        """Stop the workers (at once: uncommitted segments are dropped)."""
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
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


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
) -> IndexReport:
    """Index files and folders into ``index_dir``; return what was done.

    New files are added, changed files re-indexed (by content hash), articles of files that
    disappeared from the given folders removed; unchanged files are only hashed.
    ``rebuild=True`` starts from an empty index. ``workers`` is the number of processes that
    read, enrich and write (default: all cores, when the input is large enough to be worth
    them). Bad files never stop the run: they are in ``report.skipped`` with the reason.
    ``commit_every`` is how many articles may be written between commits (a crash loses at
    most that much work; each commit adds a segment per worker). Raises :class:`~newssearch.errors.IndexLockedError`
    when another process is writing the index (after waiting ``wait`` seconds).
    """
    started = time.perf_counter()
    index_dir = os.fspath(index_dir)
    paths = [os.fspath(p) for p in paths]
    progress = progress or Progress()
    report = IndexReport(index_dir=index_dir)
    found: Discovery = discover(paths)
    report.skipped.extend(found.skipped)
    roots = [os.path.abspath(p) for p in paths]
    sized = []
    for f in found.files:
        try:
            sized.append((f, os.path.getsize(f.path)))
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
    try:
        known = store.known_files()
        progress.start(sum(size for _, size in sized))
        current: dict[str, Any] = {}
        tasks = _tasks(sized, known)
        results = _run(tasks, commit_every) if pool is None else _run_parallel(tasks, pool, 32 * nworkers, commit_every)
        for done in results:
            if isinstance(done, _CommitPoint):
                store.commit(final=False, segments=pool.finish() if pool is not None else ())
            else:
                _apply(done, known, store, report, current, progress)
        seen = {f.path for f, _ in sized}
        for path, (_, count) in known.items():
            if path not in seen and _under(path, roots):
                store.remove_file(path)
                report.removed += count
        store.commit(segments=pool.finish() if pool is not None else ())
    except BaseException:
        store.cancel()
        raise
    return report


def _apply(done: _Done, known: dict[str, tuple[str, int]], store: IndexStore, report: IndexReport, current: dict[str, Any], progress: Progress) -> None:
    """Write one worker answer into the store (or record what a worker wrote) and the report."""
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
        if not done.prepared and done.errors and old is not None and done.last:
            # The file is there but cannot be read now (permissions, I/O, broken since):
            # keep the articles already indexed from it; the skip says why.
            report.unchanged += old[1]
            progress.advance(done.size, 0)
            return
        report.files_read += 1
        state = current[path] = {"old": set(), "new": set()}
        if old is not None:
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
