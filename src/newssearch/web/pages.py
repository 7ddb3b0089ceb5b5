"""The HTML pages: search, article, person and comparison. Each handler runs in a worker
thread (see :mod:`newssearch.web.app`), asks the shared searcher what it needs, and renders
a template. Everything from the index reaches the page through Jinja2's escaping; URLs are
links only when they are http(s) (:func:`safe_link`)."""

from __future__ import annotations

import os
import re
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ..errors import ArticleNotFoundError, QueryError
from ..search.request import SearchRequest
from ..search.results import Histogram, OtherVersion, SearchResult, Snippet
from .chart import Chart, Series, all_starts, bar_chart
from .service import IndexService
from .state import PAGE_FACETS, PageState, bucket_period

#: Titles of the sidebar's facets.
FACET_TITLES = {"people": "People", "source": "Source", "language": "Language", "year": "Year", "month": "Month", "mentioned": "Mentioned years"}
#: Queries one comparison chart draws at most.
MAX_COMPARED = 6
#: Distinctive words shown beside the facets.
WORDS_SHOWN = 12


def safe_link(url: Any) -> str | None:
    """``url`` if it is an http or https URL a browser may follow, else None (a
    ``javascript:`` or ``data:`` URL, or a file path, is shown as text, never linked)."""
    if not isinstance(url, str) or any(ord(c) < 32 for c in url):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return url.strip()
    return None


def _file_name(path: str | None) -> str | None:
    """A file's name without the server's folders (a page does not show where files live)."""
    return os.path.basename(path) if path else None


def article_href(article_id: str) -> str:
    """The article page of ``article_id``."""
    return "/article/" + quote(article_id, safe="")


def person_href(name: str) -> str:
    """The person page of ``name``."""
    return "/person/" + quote(name, safe="")


def snippet_parts(snippet: Snippet | None) -> list[tuple[str, bool]]:
    """A snippet as (text, highlighted) pieces for the template to escape and mark."""
    if snippet is None:
        return []
    out, last = [], 0
    for a, b in snippet.highlights:
        if a > last:
            out.append((snippet.text[last:a], False))
        out.append((snippet.text[a:b], True))
        last = b
    if last < len(snippet.text):
        out.append((snippet.text[last:], False))
    return out


def _render(env: Environment, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(env.get_template(template).render(**context), status_code=status)


# -- the search page --------------------------------------------------------------------


def histogram_chart(histogram: Histogram | None, state: PageState, name: str = "") -> Chart:
    """A query's date histogram as bars, each narrowing the page to its interval."""
    if histogram is None or not histogram.buckets:
        return Chart()
    interval = histogram.interval
    starts = [b.start for b in histogram.buckets]
    hrefs = {}
    for start in starts:
        since, until = bucket_period(interval, start)
        hrefs[start] = state.between(since, until)
    series = Series(name=name, values={b.start: float(b.count) for b in histogram.buckets}, counts={b.start: b.count for b in histogram.buckets}, href=hrefs)
    return bar_chart([series], starts, {b.start: b.label for b in histogram.buckets})


def facet_links(result: SearchResult, state: PageState) -> list[dict[str, Any]]:
    """The sidebar: each facet's values with the link adding each as a filter."""
    out = []
    for name in PAGE_FACETS:
        facet = result.facets.get(name)
        if facet is None:
            continue
        values = []
        for v in facet.values:
            label = v.label or v.value
            if name == "people":
                href = state.adding("person", label)
            elif name == "source":
                href = state.adding("source", v.value)
            elif name == "language":
                href = state.adding("lang", v.value)
            elif name in ("year", "month"):
                href = state.between(v.value, v.value)
            else:
                href = state.with_term(f"mentioned:{v.value}")
            values.append({"label": label, "count": v.count, "href": href})
        out.append({"name": name, "title": FACET_TITLES.get(name, name), "values": values, "more": facet.other_values})
    return out


def version_views(versions: list[OtherVersion]) -> list[dict[str, Any]]:
    """What the page shows of a story's other versions (hits and article pages alike)."""
    return [{"href": article_href(v.id), "title": v.title or v.id, "source": v.source, "published": v.published} for v in versions]


def hit_view(hit: Any, state: PageState) -> dict[str, Any]:
    """What the page shows of one article hit."""
    versions = version_views(hit.other_versions)
    return {
        "rank": hit.rank,
        "id": hit.id,
        "title": hit.title or hit.id,
        "href": article_href(hit.id),
        "published": hit.published,
        "source": hit.source,
        "source_href": state.adding("source", hit.source) if hit.source else None,
        "url": safe_link(hit.url),
        "origin": hit.url or _file_name(hit.path),
        "people": [{"name": p, "href": state.adding("person", p), "page": person_href(p)} for p in hit.people[:8]],
        "snippet": snippet_parts(hit.snippet),
        "versions": versions,
    }


def pagination(result: SearchResult, state: PageState) -> list[tuple[str, str | None]]:
    """Page links: (label, href or None for the current page)."""
    pages = min(result.pages, 1000)
    if pages <= 1:
        return []
    shown = sorted({1, pages, *range(max(1, state.page - 2), min(pages, state.page + 2) + 1)})
    out: list[tuple[str, str | None]] = []
    if state.page > 1:
        out.append(("‹ previous", state.url(page=state.page - 1)))
    last = 0
    for n in shown:
        if n > last + 1:
            out.append(("…", None))
        out.append((str(n), None if n == state.page else state.url(page=n)))
        last = n
    if state.page < pages:
        out.append(("next ›", state.url(page=state.page + 1)))
    return out


def search_page(request: Request, service: IndexService, env: Environment) -> HTMLResponse:
    """``/``: the query box, hits, facets, chart and distinctive words."""
    state = PageState.from_params(request.query_params)
    error = None
    result = None
    words: list[dict[str, Any]] = []
    try:
        # (distinctive words compare the matches with the archive: not when they are the archive)
        words_facet = ("words",) if state.q or state.filters() else ()
        result = service.run(state.request(facets=(*PAGE_FACETS, *words_facet), histogram=state.interval))
        words = word_links(result, state)
    except QueryError as err:
        error = str(err)
    context: dict[str, Any] = {"state": state, "error": error, "result": result, "words": words, "title": state.q or "Search"}
    if result is not None:
        context.update(
            hits=[hit_view(h, state) for h in result.hits],
            facets=facet_links(result, state),
            chart=histogram_chart(result.histogram, state),
            pages=pagination(result, state),
            first=(state.page - 1) * result.limit + 1,
            compare_href="/compare?" + "&".join("q=" + quote(q) for q in [state.q] if q),
            interval_links=[(i, state.url(interval=i), i == (result.histogram.interval if result.histogram else state.interval))
                            for i in ("day", "week", "month", "year")],
            sort_links=[(s, state.url(sort=s), s == (state.sort if state.q or state.sort != "relevance" else "newest"))
                        for s in ("relevance", "newest", "oldest")],
            suggestion_href=state.url(q=result.suggestion) if result.suggestion else None,
            export=export_links(state, result.total),
        )
    status = 400 if error else 200
    return _render(env, "search.html", status, **context)


#: The most matches the page offers as a download (more: ``newssearch export``).
MAX_EXPORT = 5000


def export_links(state: PageState, total: int = 0) -> list[tuple[str, str]]:
    """Links downloading every match of the page's query (CSV, JSON lines), when there are
    at most :data:`MAX_EXPORT`."""
    if not total or total > MAX_EXPORT:
        return []
    return [("CSV", state.url("/export.csv", page=1)), ("JSONL", state.url("/export.jsonl", page=1))]


def export(request: Request, service: IndexService, env: Environment) -> Response:
    """``/export.csv`` and ``/export.jsonl``: every match of the page's query, as
    ``newssearch export`` writes them (at most :data:`MAX_EXPORT`)."""
    import io

    state = PageState.from_params(request.query_params)
    fmt = "csv" if request.url.path.endswith(".csv") else "jsonl"

    def write(s: Any) -> tuple[int, str]:
        stream = s.hits(state.q, snippets=0, person=state.person, source=state.source, language=state.lang,
                        since=state.since or None, until=state.until or None, sort=state.sort)
        if stream.total > MAX_EXPORT:
            return stream.total, ""
        out = io.StringIO(newline="")
        (stream.write_csv if fmt == "csv" else stream.write_jsonl)(out)
        return stream.total, out.getvalue()

    total, body = service.cached(("export", fmt, state.url()), write)
    if total > MAX_EXPORT:
        raise QueryError(f"{total:,} matches are more than a download from the page takes ({MAX_EXPORT:,}); use newssearch export")
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson; charset=utf-8"
    return Response(body, media_type=media, headers={"content-disposition": f'attachment; filename="newssearch.{fmt}"'})


def word_links(result: SearchResult, state: PageState) -> list[dict[str, Any]]:
    """The distinctive words of the matches, each a link adding it to the query."""
    facet = result.facets.get("words")
    if facet is None:
        return []
    return [{"word": v.value, "count": v.count, "href": state.with_term(v.value)} for v in facet.values[:WORDS_SHOWN]]


# -- article and person pages -----------------------------------------------------------


def _marker(names: dict[str, str]) -> re.Pattern[str] | None:
    if not names:
        return None
    alternatives = sorted((n for n in names if len(n) >= 3), key=len, reverse=True)[:200]
    if not alternatives:
        return None
    return re.compile(r"(?<!\w)(" + "|".join(map(re.escape, alternatives)) + r")(?!\w)")


def marked_paragraph(text: str, pattern: re.Pattern[str] | None, links: dict[str, str]) -> list[tuple[str, str | None]]:
    """A paragraph as (text, link or None) pieces: names and dates found in it linked."""
    if pattern is None:
        return [(text, None)]
    out: list[tuple[str, str | None]] = []
    last = 0
    for m in pattern.finditer(text):
        if m.start() > last:
            out.append((text[last : m.start()], None))
        out.append((m.group(0), links.get(m.group(0))))
        last = m.end()
    if last < len(text):
        out.append((text[last:], None))
    return out


def article_page(request: Request, service: IndexService, env: Environment) -> HTMLResponse:
    """``/article/{id}``: the full text by paragraph, metadata, people and dates linked,
    similar articles, other versions."""
    article_id = request.path_params["article_id"]
    record = service.cached(("article", article_id), lambda s: s.article(article_id))
    similar = service.cached(("similar", article_id), lambda s: s.similar(article_id, limit=6))
    state = PageState()
    links: dict[str, str] = {}
    people = []
    for p in record.people:
        href = person_href(p.name)
        people.append({"name": p.name, "aliases": p.aliases, "mentions": p.mentions, "href": href, "filter": state.adding("person", p.name)})
        for name in (p.name, *p.aliases):
            links.setdefault(name, href)
    dates = []
    for d in record.dates:
        href = state.with_term(f"mentioned:{d.value}")
        dates.append({"value": d.value, "text": d.text, "href": href})
        if d.text:
            links.setdefault(d.text, href)
    pattern = _marker(links)
    versions = version_views(record.other_versions)
    return _render(
        env,
        "article.html",
        state=state,
        title=record.title or record.id,
        article=record,
        url=safe_link(record.url),
        file_name=record.url or _file_name(record.path),
        source_href=state.adding("source", record.source) if record.source else None,
        paragraphs=[marked_paragraph(p, pattern, links) for p in record.paragraphs],
        people=people,
        dates=dates,
        similar=[hit_view(h, state) for h in similar.hits],
        versions=versions,
    )


def person_page(request: Request, service: IndexService, env: Environment) -> HTMLResponse:
    """``/person/{name}``: canonical name, aliases, mentions over time, co-mentioned people."""
    name = request.path_params["name"][:200]
    interval = request.query_params.get("interval", "month")
    interval = interval if interval in ("day", "week", "month", "year") else "month"

    def about(s: Any) -> dict[str, Any]:
        keys = sorted(s.person_keys(name))
        registry = s.people_registry()
        head = registry.group(keys[0]) if keys else ""
        canonical = registry.canonical(head) if head else name
        aliases = registry.aliases(head) if head else []
        result = s.run(SearchRequest.of("", 10, 1, person=name, sort="newest", facets=("people",), facet_limit=13, histogram=interval))
        return {"canonical": canonical, "aliases": aliases, "result": result}

    found = service.cached(("person", name, interval), about)
    result = found["result"]
    if not result.total:
        raise ArticleNotFoundError(f"no article names {name!r}")
    state = PageState(person=(found["canonical"],), interval=interval)
    canonical = found["canonical"]
    co = []
    facet = result.facets.get("people")
    for v in facet.values if facet else []:
        label = v.label or v.value
        if label == canonical or label == name:
            continue
        co.append({"name": label, "count": v.count, "href": person_href(label), "both": state.adding("person", label)})
    return _render(
        env,
        "person.html",
        state=state,
        title=canonical,
        name=canonical,
        aliases=found["aliases"],
        total=result.total,
        hits=[hit_view(h, state) for h in result.hits],
        chart=histogram_chart(result.histogram, state),
        co=co[:12],
        search_href=state.url(),
    )


# -- comparison -------------------------------------------------------------------------


def compare_series(service: IndexService, queries: list[str], interval: str, share: bool) -> tuple[list[Series], list[str], dict[str, str], str]:
    """Each query's articles per interval (or share of all articles), on common intervals."""
    def histogram(q: str, interval: str) -> Histogram:
        request = SearchRequest.of(q, 1, 1, histogram=interval)
        result = service.cached(("histogram", q, interval), lambda s: s.run(request))
        return result.histogram or Histogram(interval=interval, buckets=[])

    found = [histogram(q, interval) for q in queries]
    used = max((h.interval for h in found), key=("day", "week", "month", "year").index, default=interval)
    if any(h.interval != used for h in found):
        found = [histogram(q, used) for q in queries]
    everything = histogram("", used) if share else None
    totals = {b.start: b.count for b in everything.buckets} if everything else {}
    labels: dict[str, str] = {}
    for h in found + ([everything] if everything else []):
        labels.update({b.start: b.label for b in h.buckets})
    starts = all_starts(used, [b.start for h in found for b in h.buckets if b.count])
    series = []
    for q, h in zip(queries, found):
        counts = {b.start: b.count for b in h.buckets}
        values = {k: (c / totals[k] if totals.get(k) else 0.0) if share else float(c) for k, c in counts.items()}
        hrefs = {}
        for start in starts:
            since, until = bucket_period(used, start)
            hrefs[start] = PageState(q=q).between(since, until)
        series.append(Series(name=q or "(all articles)", values=values, counts=counts, href=hrefs))
    for start in starts:
        labels.setdefault(start, start)
    return series, starts, labels, used


def compare_page(request: Request, service: IndexService, env: Environment) -> HTMLResponse:
    """``/compare?q=A&q=B``: several queries' attention over time on one chart."""
    queries = [q.strip()[:300] for q in request.query_params.getlist("q") if q.strip()][:MAX_COMPARED]
    interval = request.query_params.get("interval", "month")
    interval = interval if interval in ("day", "week", "month", "year") else "month"
    share = request.query_params.get("mode") == "share"
    error = None
    chart = Chart()
    totals: list[tuple[str, int, str]] = []
    used = interval
    if queries:
        try:
            series, starts, labels, used = compare_series(service, queries, interval, share)
            chart = bar_chart(series, starts, labels, share=share)
            totals = [(s.name, sum(s.counts.values()), PageState(q=q).url()) for s, q in zip(series, queries)]
        except QueryError as err:
            error = str(err)
    fields = queries + [""] * max(0, 2 - len(queries))
    if len(fields) < MAX_COMPARED:
        fields.append("")

    def mode_url(mode: str, inter: str) -> str:
        from urllib.parse import urlencode

        pairs = [("q", q) for q in queries] + [("interval", inter)] + ([("mode", "share")] if mode == "share" else [])
        return "/compare?" + urlencode(pairs)

    return _render(
        env,
        "compare.html",
        400 if error else 200,
        state=PageState(),
        title="Compare: " + " vs ".join(queries) if queries else "Compare",
        queries=queries,
        fields=fields,
        chart=chart,
        totals=totals,
        share=share,
        error=error,
        interval=used,
        mode_links=[("count", mode_url("count", interval), not share), ("share of all articles", mode_url("share", interval), share)],
        interval_links=[(i, mode_url("share" if share else "count", i), i == used) for i in ("day", "week", "month", "year")],
    )
