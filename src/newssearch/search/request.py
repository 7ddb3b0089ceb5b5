"""What one search asks for, as typed, validated values: :class:`SearchRequest`.

A request holds the query text, the page wanted, the level (:class:`Level`: articles or
paragraphs), the :class:`Filters` (people, sources, languages, a publication period), the
order (:class:`Sort`), the facets to count (:class:`FacetSpec`, by the names of the facet
registry), a histogram interval and how many snippets an article hit carries. Every value is
checked when the request is made, so a bad one raises
:class:`~newssearch.errors.QueryError` (one line, exit status 2 in the CLI) before the index
is touched. Requests are frozen: one can be kept, compared, hashed and varied
(``dataclasses.replace(request, page=2)``).

:meth:`SearchRequest.of` builds one from loose options (strings or lists, dates as text),
as the CLI, :meth:`Searcher.search <newssearch.search.searcher.Searcher.search>` and a web
form give them::

    request = SearchRequest.of("NATO", person="Zelenskyy", since="2023-01", sort="newest",
                               facets=["people", "source"], histogram="month")
    result = searcher.run(request)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from ..errors import QueryError
from ..timeparse import Period
from .facets import DEFAULT_FACETS, Interval, check_facet

__all__ = ["DEFAULT_FACETS", "Count", "FacetSpec", "Filters", "Interval", "Level", "SearchRequest", "Sort"]


class Sort(StrEnum):
    """The order of hits: by relevance (BM25F), or by publication date."""

    RELEVANCE = "relevance"
    NEWEST = "newest"
    OLDEST = "oldest"


class Count(StrEnum):
    """What facets and histograms count: every matching article, or each story once (copies
    of one story, see :mod:`newssearch.search.collapse`, count once)."""

    ARTICLES = "articles"
    STORIES = "stories"


class Level(StrEnum):
    """What a hit is: an article, or one paragraph of an article."""

    ARTICLE = "article"
    PARAGRAPH = "paragraph"


_E = TypeVar("_E", bound=StrEnum)


def _choice(kind: type[_E], value: str | _E, what: str) -> _E:
    """``value`` as a member of ``kind``; QueryError naming the choices when it is none."""
    try:
        return kind(value)
    except ValueError:
        raise QueryError(f"unknown {what} {value!r}; use one of {', '.join(m.value for m in kind)}") from None


def _texts(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """One value or several, blank ones dropped."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    return tuple(v for v in value if v and v.strip())


def _period(value: str | dt.date | Period | None) -> Period | None:
    if value is None or isinstance(value, Period):
        return value
    try:
        return Period.parse(value)
    except ValueError as exc:
        raise QueryError(str(exc)) from None


@dataclass(frozen=True)
class Filters:
    """Which documents a search may return; filters compose with the query and each other.

    ``person``: documents naming every one of these people (any spelling or alias of each);
    ``source`` and ``language``: documents with any of these values (case does not matter);
    ``since`` and ``until``: publication period bounds, inclusive (the publisher's local date:
    see :mod:`newssearch.timeparse`). Values are as given (the JSON ``filters`` shows them).
    """

    person: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    since: Period | None = None
    until: Period | None = None

    def __post_init__(self) -> None:
        for name in ("person", "source", "language"):
            values = getattr(self, name)
            if isinstance(values, str) or any(not isinstance(v, str) or not v.strip() for v in values):
                raise QueryError(f"the {name} filter takes a tuple of non-blank names, not {values!r}")
        if self.since is not None and self.until is not None and self.since.start > self.until.end:
            raise QueryError(f"--since {self.since} is after --until {self.until}")

    @classmethod
    def of(
        cls,
        person: str | Iterable[str] | None = None,
        source: str | Iterable[str] | None = None,
        language: str | Iterable[str] | None = None,
        since: str | dt.date | Period | None = None,
        until: str | dt.date | Period | None = None,
    ) -> Filters:
        """Filters from loose values: one name or several (blank ones ignored), dates as
        ``2023``, ``2023-04``, ``2023-04-20`` or ``date`` objects. Raises QueryError."""
        return cls(
            person=_texts(person),
            source=_texts(source),
            language=_texts(language),
            since=_period(since),
            until=_period(until),
        )

    def __bool__(self) -> bool:
        """True when any filter is set."""
        return bool(self.person or self.source or self.language or self.since or self.until)

    def to_dict(self) -> dict[str, Any]:
        """The filters set, JSON-ready: lists of names, and dates as given."""
        data: dict[str, Any] = {}
        for name in ("person", "source", "language"):
            if getattr(self, name):
                data[name] = list(getattr(self, name))
        for name in ("since", "until"):
            period = getattr(self, name)
            if period is not None:
                data[name] = period.text
        return data


@dataclass(frozen=True)
class FacetSpec:
    """A facet to count over all matches: its registered ``name`` (see
    :data:`~newssearch.search.facets.FACETS`) and how many top values to show (0: all)."""

    name: str
    limit: int = 10

    def __post_init__(self) -> None:
        check_facet(self.name)
        if self.limit < 0:
            raise QueryError(f"the facet limit must be 0 (all values) or more, not {self.limit}")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"name": self.name, "limit": self.limit}


@dataclass(frozen=True)
class SearchRequest:
    """One search: what to match, which page of what, in what order, and what to count.

    ``query`` uses the syntax of :mod:`newssearch.search.query` (empty: everything);
    ``limit`` hits per page, ``page`` from 1; ``level`` articles or paragraphs; ``filters``
    (:class:`Filters`); ``sort`` (:class:`Sort`; a query of no words is ordered newest
    first); ``facets`` to count over all matches; ``histogram`` the interval of a
    publication-date histogram of all matches; ``snippets`` the best matching paragraphs an
    article hit carries; ``collapse``: one hit per story, copies of one story collapsed into
    it (article level only; see :mod:`newssearch.search.collapse`); ``count``
    (:class:`Count`): facets and histogram count articles, or stories. Enum fields also accept their string values
    (``SearchRequest(sort="newest")``) and facets their names.
    """

    query: str = ""
    limit: int = 10
    page: int = 1
    level: Level = Level.ARTICLE
    filters: Filters = field(default_factory=Filters)
    sort: Sort = Sort.RELEVANCE
    facets: tuple[FacetSpec, ...] = ()
    histogram: Interval | None = None
    snippets: int = 3
    collapse: bool = True
    count: Count = Count.ARTICLES

    def __post_init__(self) -> None:
        if not isinstance(self.query, str):
            raise QueryError(f"the query must be text, not {type(self.query).__name__}")
        if self.limit < 1:
            raise QueryError("limit must be at least 1")
        if self.page < 1:
            raise QueryError("page must be at least 1")
        if self.snippets < 1:
            raise QueryError("snippets must be at least 1")
        # (frozen: normalised values are set through object.__setattr__)
        object.__setattr__(self, "level", _choice(Level, self.level, "level"))
        object.__setattr__(self, "sort", _choice(Sort, self.sort, "sort"))
        object.__setattr__(self, "count", _choice(Count, self.count, "count"))
        if not isinstance(self.collapse, bool):
            raise QueryError(f"collapse is true or false, not {self.collapse!r}")
        if self.histogram is not None:
            object.__setattr__(self, "histogram", _choice(Interval, self.histogram, "histogram interval"))
        specs = tuple(FacetSpec(f) if isinstance(f, str) else f for f in self.facets)
        names = [spec.name for spec in specs]
        if len(set(names)) < len(names):
            specs = tuple({spec.name: spec for spec in specs}.values())  # each facet once (its last spec)
        object.__setattr__(self, "facets", specs)

    @classmethod
    def of(
        cls,
        query: str = "",
        limit: int = 10,
        page: int = 1,
        *,
        person: str | Sequence[str] | None = None,
        source: str | Sequence[str] | None = None,
        language: str | Sequence[str] | None = None,
        since: str | dt.date | None = None,
        until: str | dt.date | None = None,
        sort: str | Sort = Sort.RELEVANCE,
        facets: Iterable[str] | None = None,
        facet_limit: int = 10,
        histogram: str | Interval | None = None,
        paragraphs: bool = False,
        snippets: int = 3,
        collapse: bool = True,
        count: str | Count = Count.ARTICLES,
    ) -> SearchRequest:
        """A request from the loose options of :meth:`Searcher.search
        <newssearch.search.searcher.Searcher.search>` (and the CLI): filters as one value or
        several, dates as text, ``facets`` by name with one ``facet_limit``, ``paragraphs``
        for the paragraph level, ``collapse`` and ``count`` as the fields. Raises QueryError for any value it cannot take."""
        return cls(
            query=query,
            limit=limit,
            page=page,
            level=Level.PARAGRAPH if paragraphs else Level.ARTICLE,
            filters=Filters.of(person, source, language, since, until),
            sort=_choice(Sort, sort, "sort"),
            facets=tuple(FacetSpec(name, facet_limit) for name in facets or ()),
            histogram=_choice(Interval, histogram, "histogram interval") if histogram else None,
            snippets=snippets,
            collapse=collapse,
            count=_choice(Count, count, "count"),
        )

    @property
    def offset(self) -> int:
        """How many hits come before this page."""
        return (self.page - 1) * self.limit

    @property
    def paragraphs(self) -> bool:
        """True for a paragraph-level search."""
        return self.level is Level.PARAGRAPH

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "query": self.query,
            "limit": self.limit,
            "page": self.page,
            "level": self.level.value,
            "filters": self.filters.to_dict(),
            "sort": self.sort.value,
            "facets": [spec.to_dict() for spec in self.facets],
            "histogram": self.histogram.value if self.histogram else None,
            "snippets": self.snippets,
            "collapse": self.collapse,
            "count": self.count.value,
        }
