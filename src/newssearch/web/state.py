"""The search page's state in its URL: the query, filters, sort, page and chart interval,
and the links that change one of them (add a filter, remove it, go to a page, narrow the
dates to a chart bar)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from ..search.request import SearchRequest

#: Facets the page's sidebar counts, in order.
PAGE_FACETS = ("people", "source", "language", "year", "month", "mentioned")
#: Hits per page.
PAGE_SIZE = 10
#: Values shown per facet.
FACET_VALUES = 8
INTERVALS = ("day", "week", "month", "year")
SORTS = ("relevance", "newest", "oldest")
#: The longest query text the page takes (longer: cut).
MAX_QUERY = 1000
#: The most values of one filter a URL may set.
MAX_VALUES = 20


#: The order of the parameters in a page's URL (see :meth:`PageState.params`).
_ORDER = ("q", "person", "source", "lang", "since", "until", "sort", "interval", "page")


def _one(params: Mapping[str, Any], name: str) -> str:
    get = getattr(params, "get", None)
    value = get(name) if get else None
    return str(value or "").strip()[:MAX_QUERY]


def _many(params: Any, name: str) -> tuple[str, ...]:
    values = params.getlist(name) if hasattr(params, "getlist") else ([params[name]] if name in params else [])
    out: list[str] = []
    for v in values:
        v = str(v).strip()[:200]
        if v and v not in out:
            out.append(v)
    return tuple(out[:MAX_VALUES])


@dataclass(frozen=True)
class PageState:
    """What the search page shows, as its URL says."""

    q: str = ""
    person: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    lang: tuple[str, ...] = ()
    since: str = ""
    until: str = ""
    sort: str = "relevance"
    page: int = 1
    interval: str = "month"
    extra: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_params(cls, params: Any) -> PageState:
        """The state of a query string (unknown or bad values fall back to defaults)."""
        try:
            page = max(1, min(int(_one(params, "page") or 1), 1000))
        except ValueError:
            page = 1
        sort = _one(params, "sort")
        interval = _one(params, "interval")
        return cls(
            q=_one(params, "q"),
            person=_many(params, "person"),
            source=_many(params, "source"),
            lang=_many(params, "lang"),
            since=_one(params, "since")[:10],
            until=_one(params, "until")[:10],
            sort=sort if sort in SORTS else "relevance",
            page=page,
            interval=interval if interval in INTERVALS else "month",
        )

    def params(self) -> list[tuple[str, str]]:
        """The query-string pairs of this state (defaults left out)."""
        out: list[tuple[str, str]] = []
        if self.q:
            out.append(("q", self.q))
        for name in ("person", "source", "lang"):
            out.extend((name, v) for v in getattr(self, name))
        if self.since:
            out.append(("since", self.since))
        if self.until:
            out.append(("until", self.until))
        if self.sort != "relevance":
            out.append(("sort", self.sort))
        if self.interval != "month":
            out.append(("interval", self.interval))
        if self.page != 1:
            out.append(("page", str(self.page)))
        return out

    def url(self, path: str = "/", /, **changes: Any) -> str:
        """The URL of this state with ``changes`` (any change but the page goes to page 1)."""
        if changes and "page" not in changes:
            changes["page"] = 1
        state = replace(self, **changes) if changes else self
        query = urlencode(state.params())
        return f"{path}?{query}" if query else path

    def adding(self, name: str, value: str) -> str:
        """The URL with one more value of the filter ``name`` (person, source, lang): what
        ``self.url(name=(*values, value))`` gives, from the rest of the query string encoded
        once (a page links every hit's people and source and every facet value)."""
        head, tail = self._around_filter(name)
        added = "" if value in getattr(self, name) else urlencode([(name, value)])
        query = "&".join(part for part in (head, added, tail) if part)
        return f"/?{query}" if query else "/"

    @cached_property
    def _around_filters(self) -> dict[str, tuple[str, str]]:
        return {}

    def _around_filter(self, name: str) -> tuple[str, str]:
        """The query string of this state on page 1 up to its last value of ``name`` (where
        one more goes) and after it, encoded."""
        found = self._around_filters.get(name)
        if found is None:
            pairs = replace(self, page=1).params()
            after = _ORDER[_ORDER.index(name) + 1 :]
            cut = next((i for i, (k, _) in enumerate(pairs) if k in after), len(pairs))
            found = self._around_filters[name] = (urlencode(pairs[:cut]), urlencode(pairs[cut:]))
        return found

    def removing(self, name: str, value: str | None = None) -> str:
        """The URL without the filter ``name`` (one of its values, when given)."""
        current = getattr(self, name)
        if isinstance(current, tuple):
            return self.url(**{name: tuple(v for v in current if v != value)})
        return self.url(**{name: ""})

    def with_term(self, term: str) -> str:
        """The URL with ``term`` added to the query text (e.g. ``mentioned:2022-02-24``)."""
        q = f"{self.q} {term}".strip() if term not in self.q.split() else self.q
        return self.url(q=q)

    def between(self, since: str, until: str) -> str:
        """The URL narrowed to the dates ``since`` .. ``until`` (``self.url(since=since,
        until=until)``, from the rest of the query string encoded once: a chart has a link
        per bar, hundreds of them)."""
        head, tail = self._around_dates
        dates = urlencode([(k, v) for k, v in (("since", since), ("until", until)) if v])
        query = "&".join(part for part in (head, dates, tail) if part)
        return f"/?{query}" if query else "/"

    @cached_property
    def _around_dates(self) -> tuple[str, str]:
        """The query string of this state on page 1 before and after its dates, encoded."""
        pairs = replace(self, since="", until="", page=1).params()
        cut = next((i for i, (k, _) in enumerate(pairs) if k in ("sort", "interval", "page")), len(pairs))
        return urlencode(pairs[:cut]), urlencode(pairs[cut:])

    def filters(self) -> list[tuple[str, str, str]]:
        """The active filters: (what, value, the URL without it)."""
        out: list[tuple[str, str, str]] = []
        for name, label in (("person", "person"), ("source", "source"), ("lang", "language")):
            out.extend((label, v, self.removing(name, v)) for v in getattr(self, name))
        if self.since:
            out.append(("since", self.since, self.removing("since")))
        if self.until:
            out.append(("until", self.until, self.removing("until")))
        return out

    def request(self, *, facets: tuple[str, ...] = PAGE_FACETS, histogram: str | None = None, limit: int = PAGE_SIZE) -> SearchRequest:
        """The search request of this state (QueryError for a value it cannot take)."""
        return SearchRequest.of(
            self.q, limit, self.page, person=self.person, source=self.source, language=self.lang, since=self.since or None,
            until=self.until or None, sort=self.sort, facets=facets, facet_limit=FACET_VALUES, histogram=histogram,
        )


def period_of(value: str) -> tuple[str, str]:
    """``since`` and ``until`` of a year (2023) or month (2023-04) facet value."""
    return value, value


def bucket_period(interval: str, start: str) -> tuple[str, str]:
    """``since`` and ``until`` of the chart bar of ``interval`` starting on ``start`` (ISO)."""
    from .chart import bucket_end

    day = dt.date.fromisoformat(start)
    if interval == "year":
        return f"{day.year:04d}", f"{day.year:04d}"
    if interval == "month":
        return f"{day.year:04d}-{day.month:02d}", f"{day.year:04d}-{day.month:02d}"
    return day.isoformat(), bucket_end(interval, day).isoformat()
