"""Search processes behind the web server: :class:`SearchPool`.

``newssearch serve`` answers HTTP in one process (uvicorn's event loop: connections, static
files, kept answers) and hands every page and API call to one of N search processes, each
with its own :class:`~newssearch.web.service.IndexService` (its own searcher and caches),
whichever is free first. Why processes and not threads: the searcher's caches are not safe
under threads (see :mod:`newssearch.web.service`), and searching is Python code holding the
GIL, so threads would not search in parallel anyway; one process per core does. Why a pool
of our own and not uvicorn's ``--workers``: uvicorn's workers each accept their own
connections, and a browser or client keeps its connection, so one worker can queue five
clients' requests while another idles; here any free process takes the next request.

Each process reads the facet tables and publication dates (:func:`warm`) before it says it
is ready, and the server listens only when every process is ready, so no visitor waits for
them. A process that dies (killed, out of memory) is replaced; the request it was answering
gets a 503. A request waits at most its time limit for a free process; one that took too
long is answered 503 by the server while its process finishes it (the query budget stops most
searches long before) and then takes the next.

Only plain data crosses between the processes: the request's path, query string, headers and
path parameters one way; the response's status, headers and body (and the index generation it
was computed on, for the server's kept answers) the other.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import queue
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from ..search.budget import QueryLimits

#: Seconds a new search process may take to open the index and read its facet tables.
START_SECONDS = 600.0

#: What a search process sends back: status, raw headers, body, the index generation.
Reply = tuple[int, list[tuple[bytes, bytes]], bytes, int]
#: What the server sends a search process: the route's name and the request's scope (plain data).
Job = tuple[str, dict[str, Any]]


class SearchProcessError(Exception):
    """A search process stopped while answering (it is being replaced)."""


def default_workers() -> int:
    """Search processes ``newssearch serve`` starts by default: one per core (of those this
    process may use), at most 4 (each holds its own facet tables and caches: 1.4 GB on 100k articles)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


def _serve(conn: Connection, index_dir: str, limits: QueryLimits | None, warm: bool) -> None:
    """A search process: open the index, read what the first requests would (``warm``), say
    ready, then answer jobs one at a time until told to stop (None) or the server is gone."""
    from . import app as webapp  # (the handlers and templates: imported in the process)

    service, env = webapp.IndexService(index_dir, limits=limits), webapp.templates()
    try:
        if warm:
            webapp.warm_service(service, env)
        # (what the warm-up read stays for the process's life: the facet tables alone are
        # about a million objects, which the collector's full passes would walk again and again)
        gc.freeze()
        conn.send(("ready", os.getpid()))
        while True:
            try:
                job = conn.recv()
            except (EOFError, OSError):
                break
            if job is None:
                break
            conn.send(_answer(job, service, env))
    except KeyboardInterrupt:
        pass
    finally:
        service.close()


def _answer(job: Job, service: Any, env: Any) -> Reply:
    from starlette.requests import Request

    from . import app as webapp

    name, scope = job
    handler, kind = webapp.HANDLERS[name]
    try:
        response = webapp.respond(handler, kind, Request(scope), service, env)
    except Exception:  # (a bug: the page says 500, the traceback goes to the server's log)
        traceback.print_exc(file=sys.stderr)
        response = webapp.error_response(kind, env, 500, "The server failed to answer this request.")
    return response.status_code, list(response.raw_headers), bytes(response.body), service.generation


@dataclass
class _Process:
    process: Any
    conn: Connection


class SearchPool:
    """``workers`` search processes over ``index_dir``; :meth:`exchange` hands a request to
    the first free one. :meth:`start` before use (blocks until every process is ready),
    :meth:`close` after."""

    def __init__(self, index_dir: str, workers: int, *, limits: QueryLimits | None = None, warm: bool = True) -> None:
        self.index_dir = index_dir
        self.workers = workers
        self.limits = limits
        self.warm = warm
        self._idle: queue.Queue[_Process] = queue.Queue()
        self._all: list[_Process] = []
        self._lock = threading.Lock()
        self._closed = False
        # (spawned, not forked: the server process has threads, and forked processes would
        # share the index files' read positions with each other)
        self._context = multiprocessing.get_context("spawn")

    def _launch(self) -> _Process:
        ours, theirs = self._context.Pipe()
        process = self._context.Process(target=_serve, args=(theirs, self.index_dir, self.limits, self.warm), name="newssearch-search", daemon=True)
        process.start()
        theirs.close()
        found = _Process(process, ours)
        with self._lock:
            self._all.append(found)
        return found

    def _ready(self, found: _Process) -> None:
        """Wait for ``found`` to say it is ready (RuntimeError if it stops or takes too long)."""
        if not found.conn.poll(START_SECONDS):
            found.process.kill()
            raise RuntimeError(f"a search process did not start in {START_SECONDS:.0f} s")
        try:
            found.conn.recv()
        except (EOFError, OSError):
            found.process.join(5)
            raise RuntimeError(f"a search process stopped as it started (exit status {found.process.exitcode})") from None

    def start(self) -> None:
        """Start every process and wait until each has opened the index and read its tables."""
        started = [self._launch() for _ in range(self.workers)]
        for found in started:
            self._ready(found)
        for found in started:
            self._idle.put(found)

    def pids(self) -> list[int]:
        """The process ids of the search processes (alive or being replaced)."""
        with self._lock:
            return [p.process.pid for p in self._all]

    def _replace(self, dead: _Process) -> None:
        """Start a process in place of ``dead``, in the background; it joins the free ones
        when ready."""
        with self._lock:
            if dead in self._all:
                self._all.remove(dead)
        with contextlib.suppress(OSError):
            dead.conn.close()
        dead.process.join(1)
        if self._closed:
            return

        def restart() -> None:
            while not self._closed:
                found = self._launch()
                try:
                    self._ready(found)
                except RuntimeError as err:
                    print(f"newssearch serve: {err}; starting another", file=sys.stderr)
                    with self._lock:
                        self._all.remove(found)
                    time.sleep(1.0)
                    continue
                self._idle.put(found)
                return

        threading.Thread(target=restart, name="newssearch-restart", daemon=True).start()

    def exchange(self, job: Job, deadline: float) -> tuple[Reply, float]:
        """Hand ``job`` to the first free process and return its reply, and the seconds it
        waited for one. TimeoutError when no process is free before ``deadline``
        (``time.monotonic()``); SearchProcessError when the process stopped while answering."""
        started = time.monotonic()
        try:
            found = self._idle.get(timeout=max(0.0, deadline - started))
        except queue.Empty:
            raise TimeoutError from None
        waited = time.monotonic() - started
        try:
            found.conn.send(job)
            reply: Reply = found.conn.recv()
        except (EOFError, OSError):
            self._replace(found)
            raise SearchProcessError from None
        self._idle.put(found)
        return reply, waited

    def close(self) -> None:
        """Stop every process: the free ones are told to stop, busy ones get a moment to
        finish their request, then are killed."""
        self._closed = True
        with self._lock:
            every = list(self._all)
        while True:
            try:
                found = self._idle.get_nowait()
            except queue.Empty:
                break
            with contextlib.suppress(OSError):
                found.conn.send(None)
        deadline = time.monotonic() + 5.0
        for found in every:
            found.process.join(max(0.1, deadline - time.monotonic()))
            if found.process.is_alive():
                found.process.kill()
                found.process.join(1)
            with contextlib.suppress(OSError):
                found.conn.close()

