"""Text rendering of search results for the terminal (bold highlights on a terminal only).

Every string from the index or the user (titles, snippets, sources, paths, ids, the query,
facet values) goes through :func:`~newssearch.terminal.safe`, so no control character from
a file reaches the terminal; the only escapes printed are this module's own bold marks.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable

import click

from .search.results import FacetResult, Histogram, OtherVersion, SearchResult, Snippet, StoriesResult
from .terminal import safe

BAR_WIDTH = 40


def _where(url: str | None, path: str | None) -> str:
    if url:
        return safe(url)
    if not path:
        return ""
    try:
        rel = os.path.relpath(path)
        return safe(rel if not rel.startswith("..") else path)
    except ValueError:
        return safe(path)


def _date(published: str | None, score: float | None) -> str | None:
    """The publication date; "undated" for an article without one in a date sort (its
    place in the order)."""
    return published or ("undated" if score is None else None)


def _score(score: float | None) -> str | None:
    """The score shown (none for date sorts: their order is the date's)."""
    return f"score {score:.2f}" if score is not None else None


#: How matched words are marked (``--marks``): bold (an escape code, shown on a terminal
#: unless NO_COLOR; with ``--marks bold`` also when piped), brackets, stars, or nothing.
MARKS: dict[str, tuple[str, str]] = {
    "bold": ("\x1b[1m", "\x1b[22m"),
    "brackets": ("[", "]"),
    "stars": ("**", "**"),
    "none": ("", ""),
}


def _snippet(snippet: Snippet, marks: str = "bold") -> str:
    """The snippet's text made safe, its highlights marked (bold escapes are stripped off a non-terminal by click)."""
    start, end = MARKS[marks]
    out, last = [], 0
    for a, b in snippet.highlights:
        out.append(safe(snippet.text[last:a]))
        out.append(start + safe(snippet.text[a:b]) + end)
        last = b
    out.append(safe(snippet.text[last:]))
    return "".join(out)


def render_result(result: SearchResult, *, facets_only: bool = False, color: bool | None = None, marks: str = "bold") -> None:
    """Print a search result: summary line, hits (or paragraphs), facets, histogram, suggestion.

    ``marks`` names how matched words are marked (:data:`MARKS`); ``color`` is click's (None:
    escape codes on a terminal only)."""

    def echo(text: str = "") -> None:
        click.echo(text, color=color)

    if result.suggestion:
        echo(f"Did you mean: {safe(result.suggestion)}")
    shown = len(result.paragraphs) if result.level == "paragraph" else len(result.hits)
    noun = "paragraph" if result.level == "paragraph" else "article"
    if not facets_only:
        if result.total == 0:
            echo(f"No {noun}s match {safe(repr(result.query))}." if result.query else f"No {noun}s match.")
        else:
            first = (result.page - 1) * result.limit + 1
            last = first + shown - 1
            matching = f"{result.total:,} matching {noun}{'s' if result.total != 1 else ''}"
            if result.stories is not None and result.stories != result.total:
                stories = f"{result.stories:,} {'story' if result.stories == 1 else 'stories'}"
                matching = f"{stories} ({result.total:,} matching articles, copies collapsed)"
            if shown:
                echo(f"{first}–{last} of {matching} (page {result.page} of {result.pages})")
            else:
                echo(f"page {result.page} is past the end: {matching}, last page {result.pages}")
        echo()
        if result.level == "paragraph":
            for para in result.paragraphs:
                meta = safe(" · ".join(x for x in (_date(para.published, para.score), para.source, f"¶{para.paragraph + 1}", _score(para.score)) if x))
                echo(click.style(f"{para.rank}. {safe(para.title)}", bold=True) + f"  [{safe(para.article_id)}]")
                echo(f"   {meta}")
                echo(f"   {_snippet(para.snippet, marks)}")
                echo()
        else:
            for hit in result.hits:
                meta = safe(" · ".join(x for x in (_date(hit.published, hit.score), hit.source, _score(hit.score)) if x))
                echo(click.style(f"{hit.rank}. {safe(hit.title)}", bold=True))
                echo(f"   {meta}  [{safe(hit.id)}]")
                where = _where(hit.url, hit.path)
                if where:
                    echo(f"   {where}")
                for snip in hit.snippets:
                    echo(f"   ¶{snip.paragraph + 1}: {_snippet(snip, marks)}")
                if hit.other_versions:
                    count = len(hit.other_versions)
                    listed = "; ".join(_version_brief(v) for v in hit.other_versions[:3])
                    more = f"; +{count - 3} more" if count > 3 else ""
                    echo(f"   and {count} other version{'s' if count != 1 else ''}: {listed}{more}")
                echo()
    for facet in result.facets.values():
        _render_facet(facet, echo)
    if result.histogram is not None:
        _render_histogram(result.histogram, echo)


def _version_brief(version: OtherVersion) -> str:
    return safe(" ".join(x for x in (version.source or "?", version.published or "undated") if x)) + f" [{safe(version.id)}]"


def version_line(version: OtherVersion) -> str:
    """One version of a story on one line: id, date, source, similarity, title (made safe)."""
    parts = [f"[{safe(version.id)}]", safe(version.published or "undated"), safe(version.source or "?"),
             "representative" if version.representative else f"similarity {version.similarity:.2f}", safe(version.title)]
    return "  ".join(parts)


def render_stories(result: StoriesResult, *, color: bool | None = None) -> None:
    """Print groups of copies (``newssearch duplicates``)."""

    def echo(text: str = "") -> None:
        click.echo(text, color=color)

    what = f" with a copy matching {safe(repr(result.query))}" if result.query else ""
    if not result.total:
        echo(f"No groups of copies{what}.")
        return
    echo(f"{result.total:,} group{'s' if result.total != 1 else ''} of copies{what} ({result.articles:,} articles); "
         f"{len(result.stories):,} shown, largest first")
    echo()
    for number, story in enumerate(result.stories, start=1):
        echo(click.style(f"{number}. {safe(story.representative.title)}", bold=True) + f"  ({len(story.versions)} versions)")
        for version in story.versions:
            echo("   " + version_line(version))
        echo()


def _render_facet(facet: FacetResult, echo: Callable[..., None]) -> None:
    echo(click.style(f"{safe(facet.name)}:", bold=True))
    if not facet.values:
        echo("  (none)")
    labels = [safe(v.label or v.value) for v in facet.values]
    width = max(map(len, labels), default=0)
    for label, value in zip(labels, facet.values):
        echo(f"  {label:<{width}}  {value.count:>6,}")
    if facet.other_values:
        echo(f"  and {facet.other_values:,} more")
    echo()


def _render_histogram(histogram: Histogram, echo: Callable[..., None]) -> None:
    echo(click.style(f"published per {histogram.interval}:", bold=True))
    if histogram.note:
        echo(f"  ({safe(histogram.note)})")
    peak = max((b.count for b in histogram.buckets), default=0)
    cols = shutil.get_terminal_size((100, 20)).columns
    width = max(10, min(BAR_WIDTH, cols - 30))
    for bucket in histogram.buckets:
        bar = "█" * (round(bucket.count / peak * width) if peak else 0)
        echo(f"  {safe(bucket.label):<10} {bucket.count:>6,} {bar}")
    if histogram.undated:
        echo(f"  (undated: {histogram.undated:,})")
    echo()
