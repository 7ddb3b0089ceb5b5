"""The ``newssearch`` command: a thin layer over the Python API that formats its results.

Exit codes: 0 success; 1 an error (or skipped files under ``--strict``, or an unknown
article id); 2 a usage error or a query that cannot be read; 3 no index, an index made by
an incompatible version, a damaged index, or one someone else could have written; 74 the
index's disk failed (no space left, read-only, permission denied); 75 the index is being
updated by another process; 130 interrupted.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import click

from .errors import NewssearchError
from .search.facets import DEFAULT_FACETS, Interval, facet_names
from .search.request import Count, SearchRequest, Sort
from .terminal import safe, safe_json, safe_lines

if TYPE_CHECKING:
    from .search.results import SearchResult

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CODES_HELP = """\b
Exit codes:
  0   success
  1   error (or skipped files with --strict; unknown article id)
  2   usage error, or a query that cannot be read
  3   no index yet, an index made by an incompatible version, a damaged
      index (run index --rebuild), or one someone else could have written
  74  no space left, read-only file system, or permission denied
  75  the index is being updated by another process
  130 interrupted"""


class NewssearchClickError(click.ClickException):
    """A library error shown as one line (plus a hint), with the error's exit code."""

    def __init__(self, error: NewssearchError) -> None:
        super().__init__(str(error))
        self.exit_code = error.exit_code  # type: ignore[misc]  # (click types it a class variable; per error here)
        self.hint = error.hint

    def show(self, file: Any = None) -> None:
        click.echo(f"Error: {safe(self.format_message())}", err=True)
        if self.hint:
            click.echo(f"Hint: {safe(self.hint)}", err=True)


def friendly_errors(fn: F) -> F:
    """Turn newssearch errors and Ctrl-C into one-line messages and exit codes."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except NewssearchError as err:
            raise NewssearchClickError(err) from None
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            sys.exit(130)
        except BrokenPipeError:
            sys.stderr.close()
            sys.exit(0)

    return wrapper  # type: ignore[return-value]


def index_option(fn: F) -> F:
    """The shared ``--index`` option (also NEWSSEARCH_INDEX)."""
    return click.option(
        "--index",
        "index_dir",
        envvar="NEWSSEARCH_INDEX",
        default="index",
        show_default=True,
        type=click.Path(file_okay=False),
        help="Index folder (or set NEWSSEARCH_INDEX).",
    )(fn)


def json_option(fn: F) -> F:
    """The shared ``--json`` flag."""
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead of text.")(fn)


def _color() -> bool | None:
    return False if os.environ.get("NO_COLOR") else None


def _echo_json(data: Any) -> None:
    click.echo(safe_json(json.dumps(data, ensure_ascii=False, indent=2, default=str)))


@click.group(epilog=EXIT_CODES_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newssearch")
def cli() -> None:
    """Full-text search for news archives: index a folder of articles, then query it."""


# -- index ----------------------------------------------------------------------------


class _Bar:
    """A tqdm progress bar on stderr (only when stderr is a terminal): bytes of input done,
    with rate and ETA, and the number of articles so far."""

    def __init__(self) -> None:
        self._bar: Any = None
        self.articles = 0

    def start(self, total_bytes: int) -> None:
        from tqdm import tqdm

        self._bar = tqdm(total=total_bytes, unit="B", unit_scale=True, unit_divisor=1024, file=sys.stderr, dynamic_ncols=True, desc="Indexing")

    def advance(self, nbytes: int, articles: int = 0) -> None:
        self.articles += articles
        if self._bar is not None:
            self._bar.update(nbytes)
            if articles:
                self._bar.set_postfix(articles=self.articles, refresh=False)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def waiting(self, seconds: float) -> None:
        _tell_waiting(seconds)


class _Quiet:
    """No bar (quiet, JSON, or not a terminal), but still say when waiting for another indexer."""

    def start(self, total_bytes: int) -> None:
        pass

    def advance(self, nbytes: int, articles: int = 0) -> None:
        pass

    def close(self) -> None:
        pass

    def waiting(self, seconds: float) -> None:
        _tell_waiting(seconds)


def _tell_waiting(seconds: float) -> None:
    click.echo(f"The index is being updated by another process; waiting up to {seconds:g} s for it…", err=True)


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@index_option
@click.option("--rebuild", is_flag=True, help="Start from an empty index (a damaged one is moved aside).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar, only the summary line.")
@click.option("--strict", is_flag=True, help="Exit with status 1 if any file is skipped.")
@click.option("--wait", type=click.FloatRange(min=0), default=0, show_default=True, help="Seconds to wait for another process updating the index.")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Processes reading, enriching and writing [default: all cores].")
@click.option("--follow-links", is_flag=True, help="Follow symbolic links that lead out of the folders given (not followed by default).")
@click.option("--commit-every", type=click.IntRange(min=1), default=None, hidden=True, help="Commit after this many articles (testing).")
@click.option("--source", help="Source of the articles that name none.")
@click.option("--language", help="Language code of the articles that state none (e.g. en, ro).")
@click.option("--date-order", type=click.Choice(["DMY", "MDY", "YMD"], case_sensitive=False),
              help="How to read numeric dates that read either way (06/05/2024) [default: month first, with a warning].")
@click.option("--columns", help="CSV/TSV columns of fields whose header names differ: title=Headline,text=Body (numbers for a file "
              "without header: title=2,text=3).")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "tsv"]), default="jsonl", show_default=True,
              help="Format of standard input (PATHS is -).")
@json_option
@friendly_errors
def index(paths: tuple[str, ...], index_dir: str, rebuild: bool, quiet: bool, strict: bool, wait: float, workers: int | None,
          follow_links: bool, commit_every: int | None, source: str | None, language: str | None, date_order: str | None,
          columns: str | None, fmt: str, as_json: bool) -> None:
    """Index the articles in PATHS (files or folders, read recursively), or - for standard input.

    Reads .txt, .json, .jsonl, .html/.htm, .csv/.tsv, .warc, .rss/.atom/.xml files (also
    gzipped). A re-run indexes only what changed: new files are added, changed ones
    re-indexed, deleted ones removed.

    \b
    Defaults for what files lack (--source, --language, --date-order, --columns) can also
    live in a newssearch.toml in a folder, for its files and subfolders (the nearest wins):
      source = "BBC"
      language = "en"
      date_order = "DMY"
      columns = "title=Headline,text=Body"
    Changing them re-reads the files they apply to.

    \b
    From a pipe: records upserted by id (else URL, else title and text); nothing removed:
      cat new.jsonl | newssearch index -
      newssearch index - --format csv < table.csv
    """
    from .indexing import index_paths
    from .ingest.settings import ReadSettings

    settings = ReadSettings.of(source=source, language=language, date_order=date_order, columns=columns)
    bar: Any = _Bar() if (not quiet and not as_json and sys.stderr.isatty()) else _Quiet()
    tuning: dict[str, Any] = {}
    if commit_every is not None:
        tuning["commit_every"] = commit_every
    if "-" in paths:
        if len(paths) > 1:
            raise click.UsageError("index either standard input (-) or files and folders, not both")
        if rebuild or workers is not None or follow_links:
            raise click.UsageError("--rebuild, --workers and --follow-links are for files and folders, not standard input")
        from .indexing.stream import index_stream

        report = index_stream(sys.stdin.buffer, index_dir, fmt=fmt, settings=settings, wait=wait, progress=bar, **tuning)
    else:
        report = index_paths(list(paths), index_dir, rebuild=rebuild, wait=wait, workers=workers, progress=bar, follow_links=follow_links,
                             settings=settings, **tuning)
    if report.moved_aside:
        click.echo(f"The damaged index was moved to {safe(report.moved_aside)}; a new one was built in {safe(index_dir)}.", err=True)
    if as_json:
        _echo_json(report.to_dict())
    else:
        reasons = report.skip_reasons()
        if not quiet:
            _echo_skips(report.skipped, reasons)
            for err in list(report.warnings)[:SHOWN_SKIPS]:
                click.echo(f"warning {safe(err.where)}: {safe(err.reason)}", err=True)
            if report.warnings.total > SHOWN_SKIPS:
                click.echo(f"... and {report.warnings.total - SHOWN_SKIPS:,} more warnings (see --json)", err=True)
        if report.ambiguous_dates:
            click.echo(
                f"warning: {report.ambiguous_dates:,} article(s) have numeric dates that read either way "
                f"(e.g. {safe(report.ambiguous_example)}), read month first; give --date-order DMY or MDY "
                "(or date_order in a newssearch.toml)", err=True)
        why = ", ".join(f"{n} {safe(r)}" for r, n in reasons.items())
        skipped = f"{report.skipped.total} skipped" + (f" ({why})" if why else "")
        if report.warnings:
            skipped += f", {report.warnings.total} renamed (id used by another file)"
        click.echo(
            f"{report.added} added, {report.updated} updated, {report.removed} removed, "
            f"{report.unchanged} unchanged, {skipped} in {report.seconds:.1f} s → {safe(index_dir)}"
        )
    if strict and report.skipped:
        raise NewssearchClickError(NewssearchError(f"{len(report.skipped)} file(s) or record(s) skipped (--strict)"))


#: Skipped files named one per line after indexing (the rest are counted by reason).
SHOWN_SKIPS = 50


def _echo_skips(skipped: Any, reasons: dict[str, int]) -> None:
    """Name the skipped files and records (the examples the report kept, up to
    :data:`SHOWN_SKIPS`; files of unknown type only in the count), then how many more of
    each kind of reason were skipped."""
    from .skips import reason_kind

    shown: dict[str, int] = {}
    for err in skipped:
        kind = reason_kind(err.reason)
        if kind == "unknown file type" or sum(shown.values()) >= SHOWN_SKIPS:
            continue
        shown[kind] = shown.get(kind, 0) + 1
        click.echo(f"skipped {safe(err.where)}: {safe(err.reason)}", err=True)
    for kind, count in reasons.items():
        more = count - shown.get(kind, 0)
        if kind != "unknown file type" and more > 0:
            click.echo(f"... and {more:,} more skipped: {safe(kind)}", err=True)


# -- query ----------------------------------------------------------------------------


def filter_options(fn: F) -> F:
    """The filters and order shared by ``query`` and ``export``."""
    for option in reversed([
        click.option("--paragraphs", is_flag=True, help="List matching paragraphs instead of articles."),
        click.option("--person", multiple=True, help="Only articles naming this person (any spelling). Repeatable."),
        click.option("--source", multiple=True, help="Only articles from this source. Repeatable."),
        click.option("--lang", "language", multiple=True, help="Only articles in this language. Repeatable."),
        click.option("--since", help="Published on or after (2023, 2023-04 or 2023-04-20; the publisher's local date)."),
        click.option("--until", help="Published on or before (2023, 2023-04 or 2023-04-20; the publisher's local date)."),
        click.option("--sort", type=click.Choice([s.value for s in Sort]), default=Sort.RELEVANCE.value, show_default=True),
    ]):
        fn = option(fn)
    return fn


def query_request(params: Mapping[str, Any]) -> SearchRequest:
    """The request ``newssearch query`` runs for its parsed options (click's ``params``
    of the ``query`` command; the web API's ``/api/search`` parses its parameters with the
    same command, so both run the same request). Raises QueryError."""
    p = params
    facets = tuple(p.get("facets") or ()) or (DEFAULT_FACETS if p.get("facets_only") else ())
    return SearchRequest.of(
        p.get("text") or "", p.get("limit", 10), p.get("page", 1), person=p.get("person"), source=p.get("source"),
        language=p.get("language"), since=p.get("since"), until=p.get("until"), sort=p.get("sort") or Sort.RELEVANCE.value,
        facets=facets, facet_limit=p.get("facet_limit", 10), histogram=p.get("histogram"), paragraphs=bool(p.get("paragraphs")),
        snippets=p.get("snippets", 3), collapse=bool(p.get("collapse", True)), count=p.get("count_by") or Count.ARTICLES.value,
    )


def query_json(result: SearchResult, *, facets_only: bool = False) -> dict[str, Any]:
    """What ``newssearch query --json`` prints for ``result`` (and ``/api/search`` returns):
    without the hits with ``facets_only``."""
    data = result.to_dict()
    if facets_only:
        data.pop("hits", None)
        data.pop("paragraphs", None)
    return data


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("text", required=False, default="")
@index_option
@click.option("--limit", "-n", type=click.IntRange(min=1, max=1000), default=10, show_default=True, help="Hits per page.")
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True, help="Page of hits to show.")
@filter_options
@click.option("--facet", "facets", multiple=True, help=f"Count matches by: {', '.join(facet_names())}. Repeatable.")
@click.option("--facets-only", is_flag=True, help=f"Only print the facet counts (default facets: {', '.join(DEFAULT_FACETS)}).")
@click.option("--facet-limit", type=click.IntRange(min=1), default=10, show_default=True, help="Values shown per facet.")
@click.option("--histogram", type=click.Choice([i.value for i in Interval]), help="Matches over time, per interval.")
@click.option("--snippets", type=click.IntRange(min=1, max=10), default=3, show_default=True, help="Matching paragraphs shown per article (its best ones).")
@click.option("--jsonl", "as_jsonl", is_flag=True, help="Print the page's hits as JSON lines, one hit per line (for jq and pipes).")
@click.option("--count", "count_only", is_flag=True, help="Print only the number of matches.")
@click.option("--collapse/--no-collapse", default=True, show_default=True,
              help="One hit per story: copies of one article (wire copies, corrections) shown as its other versions.")
@click.option("--count-by", "count_by", type=click.Choice([c.value for c in Count]), default=Count.ARTICLES.value, show_default=True,
              help="What facets and the histogram count: every article, or each story once.")
@click.option("--marks", type=click.Choice(["auto", "bold", "brackets", "stars", "none"]), default="auto", show_default=True,
              help="How matched words are marked: auto (bold on a terminal, none when piped or NO_COLOR), bold, [brackets], **stars**, none.")
@json_option
@friendly_errors
def query(text: str, index_dir: str, limit: int, page: int, paragraphs: bool, person: tuple[str, ...], source: tuple[str, ...],
          language: tuple[str, ...], since: str | None, until: str | None, sort: str, facets: tuple[str, ...], facets_only: bool,
          facet_limit: int, histogram: str | None, snippets: int, as_jsonl: bool, count_only: bool, collapse: bool, count_by: str,
          marks: str, as_json: bool) -> None:
    """Search the index for TEXT.

    \b
    Words must all match (ranked by BM25F, title above body):
      newssearch query "Vilnius summit"
    Phrases, boolean operators, fields, prefixes and fuzzy words:
      newssearch query '"rightful place" AND (NATO OR alliance) NOT Moscow'
      newssearch query 'person:"Jens Stoltenberg" published:[2023-01-01 to 2023-06-30]'
      newssearch query 'mentioned:2022-02-24 source:Reuters title:kyiv*  vilnus~'
    Every match rather than a page: `newssearch export`.
    """
    if sum((as_json, as_jsonl, count_only)) > 1:
        raise click.UsageError("choose one of --json, --jsonl and --count")
    request = query_request(click.get_current_context().params)
    from .search.searcher import Searcher

    with Searcher(index_dir) as searcher:
        result = searcher.run(request)
    if count_only:
        click.echo(result.total)
        return
    if as_json:
        _echo_json(query_json(result, facets_only=facets_only))
        return
    if as_jsonl:
        for hit in result.paragraphs if request.paragraphs else result.hits:
            click.echo(safe_json(json.dumps(hit.to_dict(), ensure_ascii=False, default=str)))
        return
    from .render import render_result

    color = True if marks == "bold" else _color()
    render_result(result, facets_only=facets_only, color=color, marks="bold" if marks == "auto" else marks)


# -- export ---------------------------------------------------------------------------


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("text", required=False, default="")
@index_option
@filter_options
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True, help="Output format.")
@click.option("--fields", help="Comma-separated fields of each row [default: rank,id,score,title,published,source,url,authors,"
              "language,people; also path, snippet, text (the whole body)].")
@click.option("--output", "-o", type=click.Path(dir_okay=False, allow_dash=True), default="-", help="Write to this file [default: standard output].")
@friendly_errors
def export(text: str, index_dir: str, paragraphs: bool, person: tuple[str, ...], source: tuple[str, ...], language: tuple[str, ...],
           since: str | None, until: str | None, sort: str, fmt: str, fields: str | None, output: str) -> None:
    """Write every match of TEXT (not one page) as JSON lines or CSV, with the filters of `query`.

    \b
      newssearch export "Vilnius summit" --since 2023 -o summit.jsonl
      newssearch export NATO --source Reuters --format csv --fields published,title,url,text > nato.csv
    Rows are streamed as they are read; a progress bar is shown when standard error is a terminal.
    """
    from .search.export import check_fields
    from .search.searcher import Searcher

    chosen = check_fields(fields, paragraphs)
    with Searcher(index_dir) as searcher:  # (not mapped: reading every hit's stored fields, 100k hits took 61 MiB, mapped 761 MiB)
        stream = searcher.hits(text, snippets=1 if "snippet" in chosen else 0, person=person, source=source, language=language,
                               since=since, until=until, sort=sort, paragraphs=paragraphs)
        bar: Any = None
        if sys.stderr.isatty():
            from tqdm import tqdm

            bar = tqdm(total=stream.total, unit=" hits", file=sys.stderr, dynamic_ncols=True, desc="Exporting")
        to_terminal = output == "-" and sys.stdout.isatty()
        try:
            with _output(output) as out:
                target: Any = out
                if fmt == "jsonl":
                    target = _SafeWriter(out, safe_json)  # (the same JSON, the characters that act on a terminal escaped)
                elif to_terminal:
                    target = _SafeWriter(out, safe_lines)
                write = stream.write_csv if fmt == "csv" else stream.write_jsonl
                count = write(target, chosen, progress=bar.update if bar is not None else None)
        except OSError as exc:
            if isinstance(exc, BrokenPipeError):
                raise
            raise NewssearchClickError(NewssearchError(f"cannot write {output}: {exc.strerror or exc}")) from None
        finally:
            if bar is not None:
                bar.close()
    if output != "-":
        click.echo(f"{count:,} hits → {safe(output)}", err=True)


def _output(name: str) -> Any:
    """The text stream to write rows to: standard output for ``-``, else the file (UTF-8,
    newlines as written)."""
    import contextlib

    if name == "-":
        return contextlib.nullcontext(sys.stdout)
    return open(name, "w", encoding="utf-8", newline="")


class _SafeWriter:
    """A text stream whose text goes through ``clean`` (e.g. :func:`safe_lines`) on its way out."""

    def __init__(self, out: Any, clean: Callable[[str], str]) -> None:
        self._out = out
        self._clean = clean

    def write(self, text: str) -> int:
        return self._out.write(self._clean(text))


# -- similar, show, extract, stats ------------------------------------------------------


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("article_id")
@index_option
@click.option("--limit", "-n", type=click.IntRange(min=1, max=100), default=10, show_default=True)
@json_option
@friendly_errors
def similar(article_id: str, index_dir: str, limit: int, as_json: bool) -> None:
    """Articles most like the article ARTICLE_ID (ids are in `query --json`)."""
    from .search.searcher import Searcher

    with Searcher(index_dir) as searcher:
        result = searcher.similar(article_id, limit=limit)
    if as_json:
        _echo_json(result.to_dict())
        return
    from .render import render_result

    render_result(result, color=_color())


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("article_id")
@index_option
@json_option
@friendly_errors
def show(article_id: str, index_dir: str, as_json: bool) -> None:
    """Print one indexed article: its metadata, people, dates and paragraphs."""
    from .search.searcher import Searcher

    with Searcher(index_dir) as searcher:
        article = searcher.article(article_id)
    if as_json:
        _echo_json(article.to_dict())
        return
    click.echo(click.style(safe(article.title), bold=True), color=_color())
    meta = " · ".join(x for x in (article.published, article.source, article.origin) if x)
    click.echo(safe(meta))
    if article.people:
        click.echo("People: " + safe(", ".join(p.name for p in article.people)))
    if article.other_versions:
        from .render import version_line

        click.echo(f"Other versions ({len(article.other_versions)}):")
        for version in article.other_versions:
            click.echo("  " + version_line(version))
    click.echo()
    for para in article.paragraphs:
        click.echo(safe(para) + "\n")


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("text", required=False, default="")
@index_option
@click.option("--limit", "-n", type=click.IntRange(min=1, max=10000), default=20, show_default=True, help="Groups listed.")
@json_option
@friendly_errors
def duplicates(text: str, index_dir: str, limit: int, as_json: bool) -> None:
    """List groups of copies of one story (near-duplicates), largest first: every group, or
    those with a copy matching TEXT (the query syntax of `newssearch query`).

    \b
    Copies: articles whose bodies share at least 80 % of their word 5-shingles (wire
    stories republished, corrected versions, one article under two URLs). The first
    version of a group is its representative: the earliest published copy.
    """
    from .search.searcher import Searcher

    with Searcher(index_dir) as searcher:
        result = searcher.duplicates(text, limit=limit)
    if as_json:
        _echo_json(result.to_dict())
        return
    from .render import render_stories

    render_stories(result, color=_color())


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--jsonl", "as_jsonl", is_flag=True, help="One JSON object per line instead of one JSON array.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "tsv"]), default="jsonl", show_default=True,
              help="Format of standard input (PATHS is -).")
@friendly_errors
def extract(paths: tuple[str, ...], as_jsonl: bool, fmt: str) -> None:
    """Print what would be indexed from PATHS (or - for standard input), as JSON (no index is touched).

    One JSON array (or, with --jsonl, one line per object): an object per article (title,
    published, source, authors, paragraphs, people with aliases, dates with the text they
    came from, and the file as "path"), and an object with "error" for each file or record
    that cannot be read. Exits with status 1 when any could not be read.
    """
    from .errors import InputError
    from .extracting import extract as run_extract
    from .extracting import extract_stream

    if "-" in paths and len(paths) > 1:
        raise click.UsageError("extract either standard input (-) or files and folders, not both")
    items = extract_stream(sys.stdin.buffer, fmt) if paths == ("-",) else run_extract(list(paths))
    failed = 0
    if not as_jsonl:
        click.echo("[")
    first = True
    for item in items:
        if isinstance(item, InputError):
            failed += 1
            data: dict[str, Any] = {"path": item.path, "line": item.line, "error": item.reason}
        else:
            data = item.to_dict()
        if as_jsonl:
            click.echo(safe_json(json.dumps(data, ensure_ascii=False, default=str)))
            continue
        text = safe_json(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        click.echo(("" if first else ",\n") + "  " + text.replace("\n", "\n  "), nl=False)
        first = False
    if not as_jsonl:
        click.echo("\n]")
    if failed:
        click.echo(f"{failed} file(s) or record(s) could not be read", err=True)
        sys.exit(1)


@cli.command(epilog=EXIT_CODES_HELP)
@index_option
@json_option
@friendly_errors
def stats(index_dir: str, as_json: bool) -> None:
    """What the index holds: articles, paragraphs, sources, people, dates, size."""
    from .search.searcher import Searcher

    with Searcher(index_dir) as searcher:
        info = searcher.stats()
    if as_json:
        _echo_json(info.to_dict())
        return
    rows = [
        ("Index", info.index_dir),
        ("Articles", f"{info.articles:,}"),
        ("Paragraphs", f"{info.paragraphs:,}"),
        ("Sources", f"{info.sources:,}"),
        ("People", f"{info.people:,}"),
        ("Languages", ", ".join(f"{code} {count:,}" for code, count in info.languages.items()) or "none"),
        ("Published", f"{info.first_published or '?'} to {info.last_published or '?'}"),
        ("Size on disk", f"{info.size_bytes / 1e6:.1f} MB"),
        ("Last update", info.updated or "never"),
    ]
    for name, value in rows:
        click.echo(f"{name + ':':<14}{safe(value)}")
    if info.no_people_model:
        click.echo(safe(f"No people model for: {', '.join(info.no_people_model)} (only names in the given-name and surname lists are found)"))


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("text", required=False, default="")
@index_option
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True, help="People to list.")
@click.option("--all", "include_all", is_flag=True, help="List every name: also those judged not to be people (marked).")
@json_option
@friendly_errors
def people(text: str, index_dir: str, limit: int, include_all: bool, as_json: bool) -> None:
    """The people of the index, most named first: articles, and the aliases merged into each.

    With TEXT, only the people whose name or an alias holds it (case and accents aside).
    """
    from .search.searcher import Searcher

    with Searcher(index_dir) as searcher:
        entries = searcher.people(text, limit=limit, include_non_persons=include_all)
    if as_json:
        _echo_json([e.to_dict() for e in entries])
        return
    if not entries:
        click.echo("No people" + (safe(f" matching {text!r}") if text else "") + ".")
        return
    width = len(f"{entries[0].articles:,}")
    for entry in entries:
        line = f"{entry.articles:>{width},}  {entry.name}"
        if entry.aliases:
            line += f"  (also: {', '.join(entry.aliases)})"
        if not entry.person:
            line += "  [not a person]"
        click.echo(safe(line))


@cli.command(epilog=EXIT_CODES_HELP)
@index_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (another than 127.0.0.1 opens the page to the network).")
@click.option("--port", type=click.IntRange(min=0, max=65535), default=8080, show_default=True)
@click.option("--workers", type=click.IntRange(min=0, max=64), default=None,
              help="Search processes (each with its own searcher and caches; any free one takes the next request); "
                   "0: search in the server process itself, one request at a time [default: one per core, at most 4].")
@friendly_errors
def serve(index_dir: str, host: str, port: int, workers: int | None) -> None:
    """Serve the search page and the JSON API of the index (read only) over HTTP.

    Open http://127.0.0.1:8080/ in a browser; the API is under /api/ (described at
    /api/openapi.json). New commits of the index are picked up without a restart. The
    server listens once every search process has read the index's facet tables.
    """
    import uvicorn

    from .search.searcher import Searcher
    from .web import create_app
    from .web.pool import default_workers

    Searcher(index_dir).close()  # (an index that cannot be opened: one line, before listening)
    workers = default_workers() if workers is None else workers
    processes = f"{workers} search process{'es' if workers != 1 else ''}" if workers else "searching in the server process"
    click.echo(f"Serving {safe(index_dir)} on http://{safe(host)}:{port}/ ({processes}; ready once the facet tables are read; Ctrl-C to stop)", err=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"Note: {safe(host)} is reachable from other machines; the page has no login.", err=True)
    options: dict[str, Any] = {"host": host, "port": port, "log_level": "warning", "timeout_keep_alive": 5, "limit_concurrency": 200}
    uvicorn.run(create_app(index_dir, workers=workers), **options)


def main() -> None:
    """Entry point of the ``newssearch`` console script."""
    cli(prog_name="newssearch")


if __name__ == "__main__":  # pragma: no cover
    main()
