"""Reading whole posting lists, and keeping the scored lists of common words.

:func:`read_postings` reads a word's postings in one segment through the index format's
reader (:class:`~newssearch.store.reading.SegmentPostings`): a block at a time, only the
blocks that can hold wanted documents, never the positions unless asked. The ranker (all
postings of the query's words), the snippet scorer and the facet tables read lists whole;
:class:`PostingCache` keeps the scored lists of common words between queries.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable, Collection, Hashable, Iterator, Sequence
from typing import Any

from ..store.reading import segment_postings


def read_postings(
    reader: Any, fieldname: str, text: str | bytes, values: bool = False, within: Sequence[int] | None = None
) -> tuple[list[int], list[float], list[Any]]:
    """A word's (segment) document numbers, weights and (if asked) values (encoded
    positions: :func:`~newssearch.store.reading.decode_positions`) in the segment reader
    ``reader``; with ``within`` (sorted document numbers), only the postings of those
    documents (see :meth:`~newssearch.store.reading.SegmentPostings.read`)."""
    return segment_postings(reader).read(fieldname, text, values=values, within=within)


def few_wanted(within: Collection[int] | None, postings: int) -> list[int] | None:
    """``within`` sorted, when its documents are few enough to be looked up one by one in a
    list of ``postings`` (fewer than a quarter of them) rather than picked out of the whole
    list; else None."""
    return sorted(within) if within is not None and len(within) * 4 < postings else None


def _found(ids: Sequence[int], wanted: Sequence[int]) -> Iterator[int]:
    """The indexes in ``ids`` of the ``wanted`` documents it holds (both ascending), by bisection."""
    count = len(ids)
    j = 0
    for d in wanted:
        j = bisect_left(ids, d, j)
        if j == count:
            return
        if ids[j] == d:
            yield j


#: A list is read in part (not kept) the first time when its postings outnumber the wanted
#: documents this many times: fewer wanted documents than half its blocks (of 128).
_SPARSE = 256


class PostingCache:
    """Scored posting lists (document numbers and each one's score) of common words, kept
    between queries.

    The longest lists set the slowest queries: a word in a third of the articles has
    hundreds of blocks to unpickle and tens of thousands of postings to score each time it
    is queried, while the few thousand documents of the query's rarest word need only a
    lookup in it. Lists of at least ``min_postings`` postings in a segment are kept as two
    arrays (12 bytes a posting) once they are read whole (see :meth:`scored`), the least
    recently used dropped once more than ``max_postings`` are held (4M postings: 48 MB).
    Shorter lists are read from the index each time. The scores are the caller's
    (``score(ids, weights)``), so a cache belongs to one ranker on one open searcher (a
    snapshot of the index): a refreshed searcher starts a new one.
    """

    def __init__(self, min_postings: int = 128, max_postings: int = 4_000_000) -> None:
        self.min_postings = min_postings
        self.max_postings = max_postings
        self.size = 0  # postings held
        self.hits = 0
        self.misses = 0
        self._lists: OrderedDict[Hashable, tuple[array[int], array[float]]] = OrderedDict()
        self._seen: set[Hashable] = set()  # lists read in part, kept on their next use

    def __len__(self) -> int:
        return len(self._lists)

    def scored(
        self,
        key: Hashable,
        reader: Any,
        fieldname: str,
        text: str,
        frequency: int,
        score: Callable[[list[int], list[float]], list[float]],
        within: Collection[int] | None = None,
    ) -> dict[int, float]:
        """The word's segment documents → their ``score`` (a function of the document
        numbers and weights ``read_postings`` gives), only the ``within`` documents when
        given, from the cache when the list (of ``frequency`` postings) is kept under ``key``.

        Wanted documents fewer than a quarter of the postings are looked up by bisection
        (in the index, only the blocks that can hold them are read); more are picked out
        of the whole list. A list is kept when it is read whole; when the wanted documents
        are far fewer than its blocks, it is read in part the first time and kept the next.
        """
        entry = self._lists.get(key)
        if entry is None:
            kept = frequency >= self.min_postings
            if kept and within is not None and len(within) * _SPARSE < frequency and key not in self._seen:
                kept = False
                if len(self._seen) > 100_000:
                    self._seen.clear()
                self._seen.add(key)
            if not kept:
                wanted = few_wanted(within, frequency)
                ids, weights, _ = read_postings(reader, fieldname, text, within=wanted)
                if within is not None and wanted is None:
                    picked = [(d, w) for d, w in zip(ids, weights) if d in within]
                    ids, weights = [d for d, _ in picked], [w for _, w in picked]
                return dict(zip(ids, score(ids, weights)))
            self.misses += 1
            self._seen.discard(key)
            ids, weights, _ = read_postings(reader, fieldname, text)
            entry = (array("i", ids), array("d", score(ids, weights)))
            if len(ids) <= self.max_postings:
                self._lists[key] = entry
                self.size += len(ids)
                while self.size > self.max_postings:
                    _, (old, _) = self._lists.popitem(last=False)
                    self.size -= len(old)
        else:
            self.hits += 1
            self._lists.move_to_end(key)
        kept_ids, kept_scores = entry
        if within is None:
            return dict(zip(kept_ids, kept_scores))
        wanted = few_wanted(within, len(kept_ids))
        if wanted is not None:
            return dict(_lookup(kept_ids, kept_scores, wanted))
        return {d: s for d, s in zip(kept_ids, kept_scores) if d in within}


    def phrase(self, key: Hashable, compute: Callable[[], dict[int, float]]) -> dict[int, float]:
        """A phrase's segment documents → scores (``compute()``), kept under ``key`` like a
        word's list: checking a phrase on its words' positions costs tens of milliseconds for
        common words ("prime minister" on 100k articles), the kept result a copy. (A new
        dict each time: callers change theirs.)"""
        entry = self._lists.get(key)
        if entry is not None:
            self.hits += 1
            self._lists.move_to_end(key)
            return dict(zip(*entry))
        found = compute()
        if len(found) <= self.max_postings:
            self.misses += 1
            self._lists[key] = (array("i", found), array("d", found.values()))
            self.size += len(found)
            while self.size > self.max_postings:
                _, (old, _) = self._lists.popitem(last=False)
                self.size -= len(old)
        return found


def _lookup(ids: array[int], scores: array[float], within: Sequence[int]) -> Iterator[tuple[int, float]]:
    """The (document, score) postings of the ``within`` documents (sorted) in a kept list, by bisection."""
    for j in _found(ids, within):
        yield ids[j], scores[j]
