"""The index behind the web page: one :class:`~newssearch.search.searcher.Searcher` shared by
every request, reopened when the index gets a new commit, and the few answers worth keeping.

Concurrency: the searcher's caches are not all safe under threads: the stored-field chunk
cache has its own lock, but the ranker's posting-list cache (an LRU ``OrderedDict`` whose
lookup, move and eviction are separate steps), the lazily built people registry, filter sets,
facet tables and words' statistics are plain dicts filled on first use. So every use of the
searcher goes through :attr:`IndexService.lock`, one at a time. Searching in parallel threads
would not go faster anyway: the work is Python code holding the GIL. ``newssearch serve``
uses more cores with processes instead (:mod:`newssearch.web.pool`): each search process has
its own service, used by one request at a time.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from ..search.budget import QueryLimits
from ..search.request import SearchRequest
from ..search.searcher import Searcher
from ..store.index import generation

T = TypeVar("T")

#: Seconds between two looks at the index folder for a new commit.
CHECK_EVERY = 1.0
#: Answers kept (searches, histograms, archive statistics), the least recently used dropped.
CACHED_ANSWERS = 256


class GenerationWatch:
    """The newest generation of the index in ``index_dir``, looked at (in the folder) at most
    every ``check_every`` seconds."""

    def __init__(self, index_dir: str, check_every: float = CHECK_EVERY) -> None:
        self.index_dir = index_dir
        self.check_every = check_every
        self._generation = -2
        self._checked = -1e9

    def __call__(self) -> int:
        now = time.monotonic()
        if now - self._checked >= self.check_every:
            self._checked, self._generation = now, generation(self.index_dir)
        return self._generation


class IndexService:
    """The shared searcher of one index folder, with its answers cache.

    Every use of the searcher goes through :meth:`call` (one at a time, under :attr:`lock`);
    :meth:`cached` keeps answers keyed by the caller until the index changes.
    """

    def __init__(self, index_dir: str, *, limits: QueryLimits | None = None, check_every: float = CHECK_EVERY) -> None:
        self.index_dir = index_dir
        self.limits = limits
        self.newest = GenerationWatch(index_dir, check_every)
        self.lock = threading.RLock()
        self._searcher: Searcher | None = None
        self._generation = -2
        self._cache: OrderedDict[Hashable, Any] = OrderedDict()

    @property
    def generation(self) -> int:
        """The generation of the commit the searcher reads."""
        return self._generation

    @property
    def check_every(self) -> float:
        """Seconds between two looks at the index folder for a new commit."""
        return self.newest.check_every

    @check_every.setter
    def check_every(self, seconds: float) -> None:
        self.newest.check_every = seconds

    def searcher(self) -> Searcher:
        """The current searcher, reopened when the index has a newer commit (looked at most
        every ``check_every`` seconds). Call with :attr:`lock` held."""
        gen = self.newest()
        if self._searcher is None or gen != self._generation:
            fresh = Searcher(self.index_dir, mmap=True, limits=self.limits)
            old, self._searcher, self._generation = self._searcher, fresh, gen
            self._cache.clear()
            if old is not None:
                old.close()
        return self._searcher

    def call(self, fn: Callable[[Searcher], T]) -> T:
        """``fn(searcher)`` on the current searcher, one call at a time."""
        with self.lock:
            return fn(self.searcher())

    def cached(self, key: Hashable, fn: Callable[[Searcher], T]) -> T:
        """``fn(searcher)``, kept under ``key`` until the index changes (errors are not kept)."""
        with self.lock:
            searcher = self.searcher()
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
            value = fn(searcher)
            self._cache[key] = value
            while len(self._cache) > CACHED_ANSWERS:
                self._cache.popitem(last=False)
            return value

    def run(self, request: SearchRequest) -> Any:
        """The result of ``request`` (kept until the index changes)."""
        return self.cached(("run", request), lambda s: s.run(request))

    def close(self) -> None:
        """Close the searcher."""
        with self.lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None
