"""Filters: the sets of documents that pass a request's :class:`~newssearch.search.request.Filters`,
cached per open index.

A filter is answered as a set of document numbers (Whoosh's ``filter=``), one per filter
value, made once per searcher and intersected per request: filtered queries measured 163/299
ms (p50/p95) with Whoosh's own filtering and 21/98 ms with cached sets
(/work/shared/notes/whoosh.md). Publication dates are compared by the publisher's wall clock
(:mod:`newssearch.timeparse`): ``--until 2023-04-20`` ends at the last instant of that day.
Date ranges (``--since/--until`` and the ``published:`` ranges pulled out of a query) are
not cached: each is one comparison over the index's array of dates
(:class:`~newssearch.search.dates.PublishedDates`), so ranges that never repeat are as cheap
as those that do, and a long-lived searcher keeps no set per range.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from typing import Any

from whoosh import query as wq

from ..timeparse import Period
from .dates import DateRanges, DateSpan, PublishedDates
from .query import person_query
from .request import Filters, Level


def date_bounds(since: Period | None, until: Period | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The first and last instants (inclusive) of publication a filter allows (None: open)."""
    return (since.start if since is not None else None, until.end if until is not None else None)


class FilterSets:
    """The document sets of filters over one open index (a Whoosh searcher), each made once.

    ``person_keys`` maps a name as typed to the index's keys of that person (all spellings).
    """

    def __init__(self, searcher: Any, person_keys: Callable[[str], set[str]], dates: PublishedDates | None = None) -> None:
        self._searcher = searcher
        self._person_keys = person_keys
        self._sets: dict[Hashable, set[int]] = {}
        self.dates = dates if dates is not None else PublishedDates(searcher.reader())

    def docset(self, key: Hashable, q: wq.Query) -> set[int]:
        """The documents matching ``q``, cached under ``key``."""
        cached = self._sets.get(key)
        if cached is None:
            cached = set(self._searcher.docs_for_query(q))
            self._sets[key] = cached
        return cached

    def kind(self, level: Level | str) -> set[int]:
        """All article (or all paragraph) documents."""
        level = Level(level)
        return self.docset(("kind", level.value), wq.Term("kind", level.value))

    def person(self, name: str) -> set[int]:
        """Documents naming the person ``name`` names (under any of their spellings)."""
        keys = frozenset(self._person_keys(name))
        return self.docset(("person", keys), person_query(set(keys)))

    def any_of(self, fieldname: str, values: tuple[str, ...]) -> set[int]:
        """Documents whose ``fieldname`` (a lowercased keyword field) is any of ``values``."""
        lowered = tuple(sorted({v.lower() for v in values}))
        return self.docset((fieldname, lowered), wq.Or([wq.Term(fieldname, v) for v in lowered]))

    def published(self, start: dt.datetime | None, end: dt.datetime | None) -> set[int]:
        """Documents published from ``start`` to ``end`` (inclusive; None: open)."""
        return self.dates.between(start, end)

    def dated(self, level: Level | str, ranges: DateRanges) -> set[int]:
        """The documents of ``level`` published within all of ``ranges.within`` and in none
        of ``ranges.outside`` (undated documents are within no range)."""
        level = Level(level)
        return self.dates.select(("kind", level.value), self.kind(level), ranges.within, ranges.outside)

    def allowed(self, level: Level | str, filters: Filters, ranges: DateRanges | None = None) -> set[int] | None:
        """The documents of ``level`` passing ``filters`` and the date ``ranges`` pulled out
        of the query, or None when there are none."""
        if not filters and not ranges:
            return None
        within = list(ranges.within) if ranges else []
        if filters.since is not None or filters.until is not None:
            within.insert(0, DateSpan(*date_bounds(filters.since, filters.until)))
        result: set[int] | None = None
        if within or (ranges and ranges.outside):
            result = self.dated(level, DateRanges(tuple(within), ranges.outside if ranges else ()))
        for name in filters.person:
            result = _meet(result, self.person(name))
        if filters.source:
            result = _meet(result, self.any_of("source", filters.source))
        if filters.language:
            result = _meet(result, self.any_of("language", filters.language))
        if result is None or not within and not (ranges and ranges.outside):
            result = _meet(result, self.kind(level))
        return result


def _meet(a: set[int] | None, b: set[int]) -> set[int]:
    """``a & b`` (``b`` when ``a`` is None), never changing either."""
    if a is None:
        return b
    return a & b if len(a) <= len(b) else b & a
