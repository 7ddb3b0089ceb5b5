"""Publication dates as an array: range filters, histograms and date sorts without terms.

A date range used to be a Whoosh ``DateRange``: a union of thousands of numeric terms (one
per 72-minute bucket of the range, plus its ends), read and merged for every query: 1.3 s
for a year on 20k articles, past the query budget on 100k. Here the publication time of
every document is one ``int64`` array read once per open index
(:func:`newssearch.store.published.published_micros`), and:

* a range (``--since/--until``, ``published:[2019-01-01 to 2019-06-30]``,
  ``published:2019``) is one vectorised comparison, masked with the documents of the
  level searched (:meth:`PublishedDates.select`); nothing is cached per range, so ranges
  that never repeat cost the same as those that do;
* a histogram counts the matches' distinct days with :func:`numpy.unique`
  (:meth:`PublishedDates.days`);
* a date sort orders the matches with one :func:`numpy.lexsort`, undated ones last
  (:meth:`PublishedDates.order`).

:func:`pull_date_ranges` takes the ``published:`` parts that constrain the whole query
(the query itself, or parts of its top-level AND, negated or not) out of a parsed query, so
they are answered here instead of by term expansion; :func:`nested_ranges` turns the
ranges left (under OR, say) into sets of documents from the same array. numpy is imported
only when one of these is used (a plain query does not pay for importing it).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from whoosh import query as wq

from ..store.published import MICROS_PER_DAY, UNDATED, DocumentSet, published_micros

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["DateSpan", "PublishedDates", "micros", "nested_ranges", "pull_date_ranges"]

#: The field publication dates are indexed in.
PUBLISHED = "published"
_ONE_MICRO = dt.timedelta(microseconds=1)
_EPOCH = dt.datetime.min


def micros(when: dt.datetime) -> int:
    """``when`` (naive, the publisher's wall clock) in the column's unit: microseconds since
    0001-01-01T00:00."""
    return (when.replace(tzinfo=None) - _EPOCH) // _ONE_MICRO


@dataclass(frozen=True)
class DateSpan:
    """A period of publication, both ends inclusive (None: open)."""

    start: dt.datetime | None = None
    end: dt.datetime | None = None

    def bounds(self) -> tuple[int | None, int | None]:
        """The span in the column's unit (microseconds; None: open)."""
        return (micros(self.start) if self.start is not None else None, micros(self.end) if self.end is not None else None)


@dataclass(frozen=True)
class DateRanges:
    """The ``published:`` parts pulled out of a query: spans every match must fall in
    (``within``), and spans no match may fall in (``outside``, from ``NOT published:…``)."""

    within: tuple[DateSpan, ...] = ()
    outside: tuple[DateSpan, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.within or self.outside)


def _span(node: wq.Query, fieldname: str) -> DateSpan | None:
    """The span a ``published:`` node matches, or None when ``node`` is not one."""
    if isinstance(node, wq.DateRange) and node.fieldname == fieldname:
        start, end = node.startdate, node.enddate
        if start is not None and node.startexcl:
            start = start + _ONE_MICRO
        if end is not None and node.endexcl:
            end = end - _ONE_MICRO
        return DateSpan(start, end)
    if type(node) is wq.Term and node.fieldname == fieldname and isinstance(node.text, dt.datetime):
        return DateSpan(node.text, node.text)
    return None


def pull_date_ranges(q: wq.Query, fieldname: str = PUBLISHED) -> tuple[wq.Query, DateRanges]:
    """``q`` without the ``fieldname`` ranges that constrain all of it, and those ranges.

    Pulled out: ``q`` itself when it is a range (what is left is ``Every``), and the
    children of a top-level ``And`` that are ranges or ``Not`` of ranges. Anything else
    (a range under ``OR``, say) stays in the query. Boosts of pulled ranges are dropped:
    a filter adds nothing to a score."""
    span = _span(q, fieldname)
    if span is not None:
        return wq.Every(), DateRanges(within=(span,))
    if type(q) is not wq.And:
        return q, DateRanges()
    within: list[DateSpan] = []
    outside: list[DateSpan] = []
    rest: list[wq.Query] = []
    for child in q.children():
        found = _span(child, fieldname)
        if found is not None:
            within.append(found)
            continue
        if isinstance(child, wq.Not):
            found = _span(child.query, fieldname)
            if found is not None:
                outside.append(found)
                continue
        rest.append(child)
    if not within and not outside:
        return q, DateRanges()
    if not rest or all(isinstance(child, wq.Not) for child in rest):
        rest.insert(0, wq.Every())  # (only negations left: they need something to take away from)
    kept = rest[0] if len(rest) == 1 else wq.And(rest, boost=q.boost)
    return kept, DateRanges(tuple(within), tuple(outside))


def nested_ranges(q: wq.Query, dates: Callable[[DateSpan], set[int]], fieldname: str = PUBLISHED) -> wq.Query:
    """``q`` with every ``fieldname`` range in it (those :func:`pull_date_ranges` left, e.g.
    under OR) replaced by the documents it matches (:class:`DocumentSet` of ``dates(span)``:
    the searcher gives the documents of the level searched, which is all such a query may
    return)."""
    span = _span(q, fieldname)
    if span is not None:
        return DocumentSet(dates(span), boost=getattr(q, "boost", 1.0), label=str(q))
    if q.is_leaf():
        return q
    return q.apply(lambda child: nested_ranges(child, dates, fieldname))


class PublishedDates:
    """The publication dates of one open index (a Whoosh reader), as an array read on first use.

    Document numbers are the reader's (global) ones. Undated documents are in no range,
    count as ``undated`` in histograms and come last in date sorts.
    """

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._subsets: dict[Any, Any] = {}

    @property
    def values(self) -> npt.NDArray[np.int64]:
        """Every document's publication time (microseconds; :data:`UNDATED` for none)."""
        return published_micros(self._reader)

    def select(self, key: Any, docs: Collection[int], within: Iterable[DateSpan] = (), outside: Iterable[DateSpan] = ()) -> set[int]:
        """The documents of ``docs`` published within all ``within`` spans and in none of the
        ``outside`` ones. Only the dates of ``docs`` are compared: they are kept, with the
        documents sorted, once per ``key`` (e.g. the documents of a level: the articles of an
        index are an eighth of its documents)."""
        import numpy as np

        found = self._subsets.get(key)
        if found is None:
            ids = np.fromiter(docs, dtype=np.int64, count=len(docs)) if docs else np.zeros(0, dtype=np.int64)
            ids.sort()
            found = self._subsets[key] = (ids, self.values[ids])
        ids, values = found
        mask = np.ones(len(ids), dtype=bool)
        within = tuple(within)
        if within:
            mask &= _inside(values, within)
        for span in outside:
            mask &= ~_inside(values, (span,))
        return set(ids[mask].tolist())

    def between(self, start: dt.datetime | None, end: dt.datetime | None) -> set[int]:
        """All documents (articles and paragraphs) published from ``start`` to ``end``
        (inclusive; None: open)."""
        import numpy as np

        return set(np.flatnonzero(_inside(self.values, (DateSpan(start, end),))).tolist())

    def days(self, docs: Collection[int]) -> tuple[Counter[dt.date], int]:
        """How many of ``docs`` were published on each day, and how many are undated."""
        import numpy as np

        if not docs:
            return Counter(), 0
        picked = self.values[np.fromiter(docs, dtype=np.int64, count=len(docs))]
        dated = picked[picked != UNDATED]
        undated = len(picked) - len(dated)
        numbers, counts = np.unique(dated // MICROS_PER_DAY, return_counts=True)
        first = dt.date.min.toordinal()
        return Counter({dt.date.fromordinal(first + int(day)): int(n) for day, n in zip(numbers, counts)}), undated

    def order(self, docs: Collection[int], newest: bool, limit: int | None = None) -> list[int]:
        """``docs`` by publication time, newest (or oldest) first, undated ones last; ties
        in document order (reversed for newest first, as Whoosh's sort of a column had it).
        The first ``limit`` only, when given."""
        import numpy as np

        if not docs:
            return []
        ids = np.fromiter(docs, dtype=np.int64, count=len(docs))
        values = self.values[ids]
        undated = values == UNDATED
        if newest:
            key = np.where(undated, np.iinfo(np.int64).max, -values)
            tiebreak = -ids
        else:
            key = np.where(undated, np.iinfo(np.int64).max, values)
            tiebreak = ids
        if limit is not None and 0 < limit < len(ids) // 4:
            # only the candidates that can make the first ``limit``: those keyed at most the limit-th key
            cut = np.partition(key, limit - 1)[limit - 1]
            keep = key <= cut
            ids, key, tiebreak = ids[keep], key[keep], tiebreak[keep]
        order = np.lexsort((tiebreak, key))
        if limit is not None:
            order = order[:limit]
        return ids[order].tolist()


def _inside(values: npt.NDArray[np.int64], spans: Iterable[DateSpan]) -> npt.NDArray[np.bool_]:
    """Where ``values`` (dates; :data:`UNDATED` for none) fall within every one of ``spans``."""
    import numpy as np

    mask = values != UNDATED
    for span in spans:
        lo, hi = span.bounds()
        if lo is not None:
            mask &= values >= lo
        if hi is not None:
            mask &= values <= hi
    return np.asarray(mask)
