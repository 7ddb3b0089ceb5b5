"""Facets: counts over all matching documents, one class per kind of facet, in one registry.

* :class:`TermsFacet` counts the values of a field, single- or multi-valued: a document
  with three people counts once for each. Each facet a user can ask for by name is a
  subclass registered with :func:`register_facet` (``people``, ``source``, ``language``,
  ``year``, ``month``, ``mentioned``, ``mentioned_month``, ``mentioned_day``): the registry
  (:data:`FACETS`) is the one list of facet names, which the CLI's ``--facet`` help, the
  request's validation and :func:`make_facet` all read. A new facet is one class::

      @register_facet
      class AuthorFacet(TermsFacet):
          name = "author"
          fieldname = "authors"
          multi = True
          description = "authors"

* :class:`DateHistogramFacet` counts matches per day, week, month or year of publication
  (:class:`Interval`), empty buckets included, over the matches' own dates (at most
  :data:`MAX_BUCKETS` buckets).

Both read per-document values from a :class:`FacetValues` cache built once per open index
(from column values or postings); a multi-valued facet also keeps each document's values
already grouped and filtered, so counting is one C-level pass (``Counter`` over a chain of
per-document tuples) and grouping happens once per distinct value, not once per match.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from enum import StrEnum
from itertools import chain
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar

from ..errors import QueryError
from .results import Bucket, FacetResult, FacetValue, Histogram

if TYPE_CHECKING:
    from ..enrich.people import PeopleRegistry

# (Whoosh is imported where values are read, so that the registry of facet names is cheap to
# import: the CLI reads it for its help.)

Label = Callable[[str], str]
#: (A term not judged yet, in :meth:`TermsFacet._doc_values`.)
_UNSEEN: Any = object()


def _to_datetime(value: int) -> dt.datetime | None:
    """A DATETIME column value, or None for documents without a date (the column's filler)."""
    from whoosh.util.times import long_to_datetime

    try:
        when = long_to_datetime(value)
    except (OverflowError, ValueError):
        return None
    return when if when.year > 1 else None


class FacetValues:
    """Per-document values of fields, read once from a Whoosh reader and kept."""

    def __init__(self, reader: Any, schema: Any) -> None:
        self._reader = reader
        self._schema = schema
        self._single: dict[str, Any] = {}
        self._multi: dict[str, dict[int, list[str]]] = {}
        self._derived: dict[Any, list[tuple[str, ...]]] = {}
        self._columns: dict[str, Any] = {}

    def single(self, fieldname: str) -> Any:
        """A column of one value per document (indexable by docnum), for sortable fields."""
        column = self._single.get(fieldname)
        if column is None:
            from whoosh.fields import DATETIME

            if isinstance(self._schema[fieldname], DATETIME):
                column = [_to_datetime(v) for v in self._reader.column_reader(fieldname, translate=False)]
            else:
                canonical: dict[Any, Any] = {}  # one object per distinct value: Counter compares by identity
                column = [
                    canonical.setdefault(v, v) for v in (v.decode("utf-8") if isinstance(v, bytes) else v for v in self._reader.column_reader(fieldname, translate=True))
                ]
            missing = self._reader.doc_count_all() - len(column)
            if missing > 0:  # a field no document has a value for reads as an empty column
                column.extend([None] * missing)
            self._single[fieldname] = column
        return column

    def column(self, fieldname: str) -> Any:
        """A reader of the column of the single-valued ``fieldname`` (values by global
        document number, read one at a time), or None when the field has no column in every
        segment (or is a date: see :mod:`newssearch.search.dates`)."""
        if fieldname in self._columns:
            return self._columns[fieldname]
        from whoosh.fields import DATETIME

        found = None
        try:
            field = self._schema[fieldname]
        except KeyError:
            field = None
        if field is not None and field.column_type and not isinstance(field, DATETIME):
            leaves = [segment for segment, _ in self._reader.leaf_readers()]
            if leaves and all(segment.has_column(fieldname) for segment in leaves):
                found = self._reader.column_reader(fieldname, translate=True)
        self._columns[fieldname] = found
        return found

    def multi(self, fieldname: str) -> dict[int, list[str]]:
        """docnum → the field's terms in that document (documents without any are absent)."""
        table = self._multi.get(fieldname)
        if table is None:
            from .postings import read_postings

            table = {}
            reader = self._reader
            if fieldname in reader.indexed_field_names():
                for segment, offset in reader.leaf_readers():  # whole posting lists, block by block
                    for btext in segment.lexicon(fieldname):
                        text = btext.decode("utf-8")
                        for docnum in read_postings(segment, fieldname, btext)[0]:
                            table.setdefault(docnum + offset, []).append(text)
            self._multi[fieldname] = table
        return table

    def derived(self, key: Any, fieldname: str, make: Callable[[list[str]], tuple[str, ...]]) -> list[tuple[str, ...]]:
        """docnum → ``make(terms)`` for the multi-valued ``fieldname`` (``()`` where there is
        none), computed once per ``key``. A list indexed by document number, each distinct
        value one (interned) string object: counting looks up and hashes nothing twice."""
        table = self._derived.get(key)
        if table is None:
            table = [()] * self._reader.doc_count_all()
            canonical: dict[str, str] = {}
            for doc, terms in self.multi(fieldname).items():
                made = make(terms)
                if made:
                    table[doc] = tuple(canonical.setdefault(v, v) for v in made)
            self._derived[key] = table
        return table

    def has(self, fieldname: str) -> bool:
        """Whether the values of ``fieldname`` were read already."""
        return fieldname in self._single or fieldname in self._multi

    @property
    def reader(self) -> Any:
        """The Whoosh reader the values are read from (facets that read more than values)."""
        return self._reader


class StoredValues:
    """The values of a few documents, from their stored fields: what :class:`FacetValues`
    would give for them, without reading a field for the whole index.

    :class:`FacetValues` reads every document's values once and keeps them: seconds on a
    large index (the people of 100k articles: about 15 s), paid by each one-shot query (a
    CLI process). A query matching a few hundred articles needs only theirs. ``values_of``
    maps a field name and a document's stored fields to the field's value (or list of
    terms, for multi-valued fields), raising KeyError for a field it cannot recompute.

    ``column(fieldname)`` (optional) gives a Whoosh column reader for a single-valued field
    that has one (None otherwise): those values are then read from the column, a few µs a
    document, instead of from the stored fields (decompressing a chunk: ~0.1 ms a document;
    the source of 7,000 matches on 100k went from ~0.5 s to ~30 ms). ``terms_of(fieldname)``
    (optional) does the same for a multi-valued field: a function giving a document's terms
    (None for a document it does not know: those are read from the stored fields), or None
    when there is no such column (the people of 10,000 matches on 100k: 0.6 s from the stored
    fields). Stored fields are read only when a value needs them.
    """

    def __init__(
        self,
        stored_fields: Callable[[int], dict[str, Any]],
        docs: Collection[int],
        values_of: Callable[[str, dict[str, Any]], Any],
        column: Callable[[str], Any] | None = None,
        terms_of: Callable[[str], Callable[[int], Sequence[str] | None] | None] | None = None,
    ) -> None:
        self._fetch = stored_fields
        self._docs = docs
        self._stored_cache: dict[int, dict[str, Any]] = {}
        self._values_of = values_of
        self._column = column
        self._terms_of = terms_of

    def _stored(self, docnum: int) -> dict[str, Any]:
        found = self._stored_cache.get(docnum)
        if found is None:
            found = self._stored_cache[docnum] = self._fetch(docnum)
        return found

    def single(self, fieldname: str) -> dict[int, Any]:
        """docnum → the field's value, for these documents."""
        column = self._column(fieldname) if self._column is not None else None
        if column is not None:
            canonical: dict[Any, Any] = {}
            return {d: canonical.setdefault(v, v) for d in self._docs for v in (_text(column[d]),)}
        return {d: self._values_of(fieldname, self._stored(d)) for d in self._docs}

    def derived(self, key: Any, fieldname: str, make: Callable[[list[str]], tuple[str, ...]]) -> dict[int, tuple[str, ...]]:
        """docnum → ``make(terms)`` (``()`` without terms), for these documents; ``make`` is
        called once per distinct list of terms."""
        terms_at = self._terms_of(fieldname) if self._terms_of is not None else None
        made: dict[tuple[str, ...], tuple[str, ...]] = {(): ()}
        out: dict[int, tuple[str, ...]] = {}
        for d in self._docs:
            found = terms_at(d) if terms_at is not None else None
            terms = tuple(found if found is not None else self._values_of(fieldname, self._stored(d)) or ())
            value = made.get(terms)
            if value is None:
                value = made[terms] = make(list(terms)) or ()
            out[d] = value
        return out


def _text(value: Any) -> Any:
    """A column value as :class:`FacetValues` gives it (bytes decoded; empty: None)."""
    if isinstance(value, bytes):
        value = value.decode("utf-8")
    return value if value not in ("", b"") else None


class FacetContext(Protocol):
    """What a facet may need from the searcher that counts it."""

    def people_registry(self) -> PeopleRegistry:
        """The index's people registry (read on first use)."""
        ...


class Facet:
    """A facet: a name, the field it reads, and a way to count matching documents."""

    #: The name a user asks for (``--facet NAME``), and the key of its result.
    name: str = ""
    #: The field whose values the facet counts.
    fieldname: str = ""
    #: What it counts, in a few words (the CLI's help).
    description: ClassVar[str] = ""

    def count(self, values: FacetValues | StoredValues, docs: Collection[int], top: int) -> FacetResult | Histogram:
        """Count over ``docs`` (document numbers of all matches)."""
        raise NotImplementedError


class TermsFacet(Facet):
    """Counts of a field's values; a ``multi`` field may hold several values per document.

    Set by a subclass's constructor when needed: ``group`` maps a raw value to the value it
    counts under (e.g. a surname-only person key to the full name's key), ``label`` maps it
    to what is shown, ``accept`` filters values.
    """

    #: Whether a document may hold several values (counted once each).
    multi: ClassVar[bool] = False

    def __init__(self, context: FacetContext | None = None) -> None:
        self.label: Label | None = None
        self.group: Label | None = None
        self.accept: Callable[[str], bool] | None = None
        self._counted_as: dict[str, str | None] = {}  # term → the value it counts as (None: not counted)

    def _doc_values(self, terms: list[str]) -> tuple[str, ...]:
        """A document's values as this facet counts them: accepted, grouped, each once
        (each term judged and grouped once per facet: a people facet over 90,000 matches
        looks up a few thousand distinct names, not every mention)."""
        if self.accept is None and self.group is None:
            return tuple(sorted(set(terms)))
        counted = self._counted_as
        values = set()
        for term in terms:
            value = counted.get(term, _UNSEEN)
            if value is _UNSEEN:
                value = counted[term] = (self.group(term) if self.group is not None else term) if self.accept is None or self.accept(term) else None
            if value is not None:
                values.add(value)
        return tuple(sorted(values))

    def count(self, values: FacetValues | StoredValues, docs: Collection[int], top: int) -> FacetResult:
        """The ``top`` values by count (ties by value), how many more values, how many docs lack one."""
        counts: Counter[str] = Counter()
        missing = 0
        group, accept = self.group, self.accept
        if self.multi:
            table = values.derived((self.name, self.fieldname), self.fieldname, self._doc_values)
            found = list(map(table.__getitem__, docs))
            counts.update(chain.from_iterable(found))
            missing = found.count(())
        else:
            column = values.single(self.fieldname)
            for value, n in Counter(map(column.__getitem__, docs)).items():
                if not value or (accept is not None and not accept(value)):
                    missing += n
                else:
                    counts[group(value) if group else value] += n
        shown = _ranked(counts, top)
        return FacetResult(
            name=self.name,
            values=[FacetValue(value=v, count=c, label=self.label(v) if self.label else None) for v, c in shown],
            other_values=len(counts) - len(shown),
            missing=missing,
        )


# -- the registry of named facets -------------------------------------------------------

#: Every facet a user can ask for, by name, in the order they are listed.
FACETS: dict[str, type[TermsFacet]] = {}
#: Facets shown when asked for facets without naming any.
DEFAULT_FACETS = ("people", "source", "year")

_F = TypeVar("_F", bound=type[TermsFacet])


def register_facet(cls: _F) -> _F:
    """Make the facet class ``cls`` available by its ``name`` (a class decorator)."""
    if not cls.name or not cls.fieldname:
        raise ValueError(f"facet class {cls.__name__} needs a name and a fieldname")
    if FACETS.get(cls.name, cls) is not cls:
        raise ValueError(f"a facet named {cls.name!r} is registered already ({FACETS[cls.name].__name__})")
    FACETS[cls.name] = cls
    return cls


def facet_names() -> tuple[str, ...]:
    """The names of the registered facets, in order."""
    return tuple(FACETS)


def check_facet(name: str) -> str:
    """``name`` if a facet has it; else QueryError naming the facets there are."""
    if name not in FACETS:
        raise QueryError(f"unknown facet {name!r}; use one of {', '.join(FACETS)}")
    return name


def make_facet(name: str, context: FacetContext) -> TermsFacet:
    """The facet named ``name``, ready to count in ``context`` (QueryError if there is none)."""
    return FACETS[check_facet(name)](context)


@register_facet
class PeopleFacet(TermsFacet):
    """People named, under their canonical name: every spelling and alias of a person counts
    for that person, and names the registry judges not to be people are left out."""

    name = "people"
    fieldname = "person"
    multi = True
    description = "people named (all spellings of a person together)"

    def __init__(self, context: FacetContext | None = None) -> None:
        super().__init__(context)
        if context is None:
            raise ValueError("the people facet needs the index's people registry")
        people = context.people_registry()
        self.group = people.group
        self.accept = people.is_person
        self.label = lambda key: people.canonical(people.group(key)) or key


@register_facet
class SourceFacet(TermsFacet):
    """The source (publisher) of each article."""

    name = "source"
    fieldname = "source"
    description = "source of the article"


@register_facet
class LanguageFacet(TermsFacet):
    """The language of each article (ISO 639-1)."""

    name = "language"
    fieldname = "language"
    description = "language"


@register_facet
class YearFacet(TermsFacet):
    """The year of publication (the publisher's local date)."""

    name = "year"
    fieldname = "pub_year"
    description = "year of publication"


@register_facet
class MonthFacet(TermsFacet):
    """The month of publication (the publisher's local date)."""

    name = "month"
    fieldname = "pub_month"
    description = "month of publication"


class _MentionedFacet(TermsFacet):
    """Dates mentioned in the text, at one granularity (values ``size`` characters long)."""

    fieldname = "mentioned"
    multi = True
    size: ClassVar[int] = 4

    def __init__(self, context: FacetContext | None = None) -> None:
        super().__init__(context)
        size = self.size
        self.accept = lambda value: len(value) == size


@register_facet
class MentionedFacet(_MentionedFacet):
    """Years mentioned in the text (2022, from "in 2022", "February 24, 2022", ...)."""

    name = "mentioned"
    size = 4
    description = "years mentioned in the text"


@register_facet
class MentionedMonthFacet(_MentionedFacet):
    """Months mentioned in the text (2022-02)."""

    name = "mentioned_month"
    size = 7
    description = "months mentioned in the text"


@register_facet
class MentionedDayFacet(_MentionedFacet):
    """Days mentioned in the text (2022-02-24)."""

    name = "mentioned_day"
    size = 10
    description = "days mentioned in the text"


def _ranked(counts: Counter[str], top: int) -> list[tuple[str, int]]:
    """The ``top`` (all when ``top`` <= 0) values by count, ties by value. Only the values
    that can make the top (counts at least the ``top``-th count) are sorted."""
    items: Any = counts.items()
    if 0 < top < len(counts):
        threshold = heapq.nlargest(top, counts.values())[-1]
        items = [kv for kv in items if kv[1] >= threshold]
    ranked = sorted(items, key=lambda kv: (-kv[1], kv[0]))
    return ranked[:top] if top > 0 else ranked


class Interval(StrEnum):
    """A histogram's interval."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


INTERVALS = tuple(interval.value for interval in Interval)
#: Most buckets a histogram has: past it, the next coarser interval is used (see
#: :class:`DateHistogramFacet`).
MAX_BUCKETS = 1000


class DateHistogramFacet(Facet):
    """Matches per publication day/week/month/year, from the first to the last dated match,
    empty buckets included.

    The histogram spans the matches' own dates (what ``--since``/``--until`` asked for only
    filters the matches: ``--until 9999-12-31`` draws no empty years up to 9999). A span
    that would need more than ``max_buckets`` buckets (a day histogram of matches spread
    over 40 years: 14,600 lines) is drawn per the finest coarser interval that fits (week,
    month, then year), and the result says so (``requested``, ``note``): a user asking for
    days over decades wants the shape of the coverage, and narrows the dates to see days.
    Years that still do not fit (stray dates centuries apart) are listed without the empty
    ones between them. Dates up to 9999-12-31 and from 0001-01-01 are handled.
    """

    def __init__(self, interval: str, max_buckets: int = MAX_BUCKETS) -> None:
        if interval not in INTERVALS:
            raise ValueError(f"histogram interval must be one of {', '.join(INTERVALS)}")
        self.name = "histogram"
        self.fieldname = "published"
        self.interval = interval
        self.max_buckets = max(1, max_buckets)

    def count(self, values: FacetValues | StoredValues, docs: Collection[int], top: int = 0) -> Histogram:
        """The histogram of ``docs`` by publication date."""
        column = values.single("published")
        days: Counter[dt.date] = Counter()
        undated = 0
        for when, n in Counter(map(column.__getitem__, docs)).items():
            if not when or not isinstance(when, dt.datetime):
                undated += n
                continue
            days[when.date()] += n
        return self.count_days(days, undated)

    def count_days(self, days: Mapping[dt.date, int], undated: int = 0) -> Histogram:
        """The histogram of matches counted per day of publication already (``days``),
        ``undated`` of them without a date (the searcher counts days from its array of
        dates: :meth:`~newssearch.search.dates.PublishedDates.days`)."""
        if not days:
            return Histogram(interval=self.interval, buckets=[], undated=undated)
        first, last = min(days), max(days)
        interval = self.interval
        wanted = bucket_count(interval, first, last)
        while wanted > self.max_buckets and interval != "year":
            interval = INTERVALS[INTERVALS.index(interval) + 1]
            wanted = bucket_count(interval, first, last)
        counts: Counter[dt.date] = Counter()
        for day, n in days.items():
            counts[bucket_start(interval, day)] += n
        note = None
        if interval != self.interval:
            note = (
                f"per {interval}: per {self.interval} would be {bucket_count(self.interval, first, last):,} lines "
                f"({first.isoformat()} to {last.isoformat()}); narrow the dates to see {self.interval}s"
            )
        if wanted > self.max_buckets:  # (years centuries apart: only those with matches)
            starts = sorted(counts)
            note = (note + "; " if note else "") + f"only the {len(starts):,} years with matches are listed ({first.year:04d} to {last.year:04d})"
        else:
            starts = list(bucket_starts(interval, bucket_start(interval, first), bucket_start(interval, last)))
        buckets = [Bucket(start=day.isoformat(), label=bucket_label(interval, day), count=counts.get(day, 0)) for day in starts]
        return Histogram(interval=interval, buckets=buckets, undated=undated, requested=self.interval if note else None, note=note)

    def bucket_start(self, day: dt.date) -> dt.date:
        """The first day of the bucket holding ``day``."""
        return bucket_start(self.interval, day)

    def label(self, day: dt.date) -> str:
        """How a bucket is named: 2023-04-20, 2023-W16, 2023-04, 2023."""
        return bucket_label(self.interval, day)


def bucket_start(interval: str, day: dt.date) -> dt.date:
    """The first day of the ``interval`` bucket holding ``day`` (weeks start on Monday;
    0001-01-01 is one)."""
    if interval == "day":
        return day
    if interval == "week":
        return day - dt.timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def bucket_count(interval: str, first: dt.date, last: dt.date) -> int:
    """The number of ``interval`` buckets from the one holding ``first`` to the one holding
    ``last``, counted without making them."""
    if interval == "day":
        return (last - first).days + 1
    if interval == "week":
        return (bucket_start("week", last) - bucket_start("week", first)).days // 7 + 1
    if interval == "month":
        return (last.year - first.year) * 12 + last.month - first.month + 1
    return last.year - first.year + 1


def bucket_starts(interval: str, first: dt.date, last: dt.date) -> Iterator[dt.date]:
    """The first days of the buckets from ``first`` to ``last`` (both bucket starts); the
    bucket after ``last`` is never made, so the last one may be at the end of 9999."""
    day = first
    while True:
        yield day
        if day >= last:
            return
        if interval == "day":
            day = day + dt.timedelta(days=1)
        elif interval == "week":
            day = day + dt.timedelta(days=7)
        elif interval == "month":
            day = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        else:
            day = dt.date(day.year + 1, 1, 1)


def bucket_label(interval: str, day: dt.date) -> str:
    """How a bucket is named: 2023-04-20, 2023-W16, 2023-04, 2023 (years of four digits)."""
    if interval == "day":
        return day.isoformat()
    if interval == "week":
        year, week, _ = day.isocalendar()
        return f"{year:04d}-W{week:02d}"
    if interval == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return f"{day.year:04d}"


# (registered last: the words facet is a facet of this registry)
from . import words as _words  # noqa: E402,F401
