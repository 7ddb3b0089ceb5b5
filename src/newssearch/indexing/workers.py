"""Worker processes that read, enrich and write index segments of their own.

Each worker is started by :class:`Workers` (forked where the platform can) and, first thing,
asks the kernel to kill it when the indexing process dies (:func:`die_with_parent`, Linux), so
no orphan keeps running or holding the index after the indexer is killed. That is set in the
worker itself: importing :mod:`newssearch.indexing` changes nothing for the other processes a
program forks.
"""

from __future__ import annotations

import collections
import os
from collections.abc import Iterable, Iterator
from typing import Any

from ..errors import NewssearchError, WorkerError
from ..store.writer import SegmentBuilder, pool_budget_mb
from .tasks import CommitPoint, Done, Task, articles_in, work

#: prctl(2) options (linux/prctl.h).
PR_SET_PDEATHSIG = 1
PR_GET_PDEATHSIG = 2


def die_with_parent(parent: int) -> None:
    """Have the kernel SIGKILL this process when its parent dies (Linux only; elsewhere
    nothing). A parent that died already (before this call: between the fork and now) is
    caught by checking who the parent is now: then this process exits at once."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:
        os._exit(1)  # the parent is already gone


def _worker_init(parent: int) -> None:
    import signal

    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and ends the workers


def worker_main(index_dir: str, inbox: Any, outbox: Any, limitmb: int, parent: int) -> None:
    """A worker's loop: ("work", seq, task) → read, enrich, write into its own segment;
    ("finish", seq, None) → close the segment and send it; None → exit. ``parent`` is the
    indexing process, whose death ends the worker."""
    _worker_init(parent)
    builder = SegmentBuilder(index_dir, limitmb)
    while True:
        message = inbox.get()
        if message is None:
            builder.cancel()
            return
        kind, seq, task = message
        try:
            if kind == "work":
                done = work(task)
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


class Workers:
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
        parent = os.getpid()
        self.procs = [
            ctx.Process(target=worker_main, args=(index_dir, inbox, self.outbox, limitmb, parent), daemon=True) for inbox in self.inboxes
        ]
        for proc in self.procs:
            proc.start()
        self.load = [0] * count  # tasks in flight per worker
        self._owner: dict[int, int] = {}
        self._seq = 0
        self._finishing: dict[int, int] = {}  # finish requests sent: sequence number → worker
        self._finished: set[int] = set()  # workers asked to finish since the last commit
        self._segments: list[Any] = []
        self._closed = False

    def submit(self, task: Task) -> int:
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


def run_parallel(tasks: Iterable[Task | Done], workers: Workers, window: int, commit_every: int) -> Iterator[Done | CommitPoint]:
    """Results in task order; a commit point (after all earlier tasks are done) at the first
    file boundary after every ``commit_every`` articles.

    A task goes to a worker only when it has fewer than :data:`PER_WORKER` tasks: a worker
    busy writing a full segment holds no queue of tasks, the others take them. Results
    that arrive ahead of an earlier one wait (at most ``window`` of them).
    """
    ready: dict[int, Done] = {}
    order: collections.deque[int | Done] = collections.deque()
    dispatched = 0

    def in_order() -> Iterator[Done]:
        while order:
            head = order[0]
            if isinstance(head, Done):
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

    def drain() -> Iterator[Done]:
        """Every result so far; a worker done with its tasks starts closing its segment."""
        while order:
            workers.finish_idle()
            if not isinstance(order[0], Done) and order[0] not in ready:
                wait_one()
            yield from in_order()

    for task in tasks:
        if isinstance(task, Done):
            order.append(task)
        else:
            while min(workers.load) >= PER_WORKER or len(ready) >= window:
                wait_one()
                yield from in_order()
            order.append(workers.submit(task))
            dispatched += articles_in(task)
        yield from in_order()
        if task.last and dispatched >= commit_every:
            yield from drain()
            yield CommitPoint()
            dispatched = 0
    yield from drain()
