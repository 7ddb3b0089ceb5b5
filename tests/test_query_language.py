"""The query language as a user meets it (issue 16): unknown fields and reversed ranges
refused, date sorts, pages past the end, exact words, phrases, suggestions, marks, folders."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from newssearch import Searcher, index_paths
from newssearch.cli import cli
from newssearch.errors import QueryError

ARTICLES = {
    "sport/2019-05-01-gaming.txt": (
        "Title: Gaming league draws record crowds\nDate: 2019-05-01\n\n"
        "The gaming league filled the arena for the final.\n\n"
        "Organisers said video gaming now draws more viewers than football."
    ),
    "sport/2018-03-02-games.txt": (
        "Title: Commonwealth Games open in the rain\nDate: 2018-03-02\n\n"
        "The games opened with a parade of athletes. The game of the day was rugby."
    ),
    "business/2020-07-09-gates.txt": (
        "Title: Foundation pledges vaccine money\nDate: 2020-07-09\n\n"
        "Mr Gates told reporters the money would go to vaccine makers. Gates said Gates and his staff would check it.\n\n"
        "Bill Gates said the foundation would give more to vaccine research this year."
    ),
    "politics/undated-bill.txt": (
        "Title: Farm bill passes\n\n"
        "The bill passed its second reading.\n\nCritics of the bill said it was rushed.\n\n"
        "The bill now goes to the upper house, where the bill may be amended."
    ),
    "business/undated-economy.txt": (
        "Title: Économie et emploi\n\n"
        "L'économie française a créé des emplois, selon les chiffres publiés hier."
    ),
    "politics/undated-hunting.txt": (
        "Title: Countryside groups march on parliament\n\n"
        + "Thousands of people marched through London against a ban on hunting with dogs, carrying banners and flags, "
        "while speakers from rural groups addressed the crowd about farming, housing, schools, roads, "
        "post offices and the future of villages across the country, which they said had been forgotten "
        "by a government that spends its time on cities and on the concerns of people who never leave them. "
        "After two hours the march reached Westminster, where its leaders said they opposed the hunting ban "
        "that the government plans to bring in next year, and that they would keep marching until it listened."
    ),
}


def write_corpus(root: Path) -> Path:
    for name, text in ARTICLES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def ql_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of :data:`ARTICLES` (three dated, three undated, in three folders)."""
    root = tmp_path_factory.mktemp("ql")
    corpus = write_corpus(root / "news")
    out = root / "index"
    report = index_paths([corpus], str(out), workers=1)
    assert report.added == len(ARTICLES) and not report.skipped
    return out


def run(*args: str) -> object:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


# -- unknown fields, reversed ranges, Unicode ------------------------------------------


def test_unknown_field_is_an_error_naming_it_and_listing_fields(ql_index: Path) -> None:
    result = run("query", "--index", str(ql_index), "foo:bar")
    assert result.exit_code == 2  # type: ignore[attr-defined]
    err = result.stderr  # type: ignore[attr-defined]
    assert "no field 'foo'" in err
    assert "title" in err and "source" in err and "published" in err and "person" in err
    assert "Did you mean" not in result.stdout  # type: ignore[attr-defined]


def test_known_fields_aliases_urls_and_times_are_not_unknown_fields(ql_index: Path) -> None:
    with Searcher(ql_index) as s:
        assert s.search("title:league").total == 1
        assert s.search("lang:fr").total == 1
        s.search("http://example.com")
        s.search("arena 10:30")
        with pytest.raises(QueryError, match="no field 'kind'"):
            s.search("kind:article")
        with pytest.raises(QueryError, match="no field 'foo'"):
            s.search("gaming AND (foo:bar OR arena)")


def test_reversed_range_is_an_error(ql_index: Path) -> None:
    result = run("query", "--index", str(ql_index), "published:[2019 to 2018]")
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "[2019 to 2018] ends before it starts" in result.stderr  # type: ignore[attr-defined]
    with Searcher(ql_index) as s:
        with pytest.raises(QueryError, match="ends before it starts"):
            s.search("date:[2019-05 to 2019-02]")
        assert s.search("published:[2018 to 2019]").total == 2
        assert s.search("published:[2019-05 to 2019-05]").total == 1


def test_decomposed_unicode_query_finds_what_composed_finds(ql_index: Path) -> None:
    with Searcher(ql_index) as s:
        composed = s.search("économie").total
        decomposed = s.search("e\u0301conomie").total
    assert composed == decomposed == 1


# -- date sorts, pages, JSON ------------------------------------------------------------


def test_date_sorts_put_undated_last_and_have_no_score(ql_index: Path) -> None:
    with Searcher(ql_index) as s:
        newest = s.search("", sort="newest").hits
        oldest = s.search("", sort="oldest").hits
    assert [h.published for h in newest] == ["2020-07-09", "2019-05-01", "2018-03-02", None, None, None]
    assert [h.published for h in oldest] == ["2018-03-02", "2019-05-01", "2020-07-09", None, None, None]
    assert all(h.score is None for h in newest + oldest)
    assert all(h.to_dict()["score"] is None for h in newest)
    with Searcher(ql_index) as s:
        ranked = s.search("gaming").hits
        paragraphs = s.search("", sort="newest", paragraphs=True, limit=100).paragraphs
    assert ranked and all(isinstance(h.score, float) for h in ranked)
    dates = [p.published for p in paragraphs]
    assert dates[0] == "2020-07-09" and dates[-1] is None and None not in dates[: dates.index(None)] and all(d is None for d in dates[dates.index(None) :])
    assert all(p.score is None for p in paragraphs)


def test_date_sort_prints_dates_not_scores(ql_index: Path) -> None:
    result = run("query", "--index", str(ql_index), "--sort", "newest", "")
    out = result.stdout  # type: ignore[attr-defined]
    assert result.exit_code == 0  # type: ignore[attr-defined]
    assert "score" not in out
    assert "2020-07-09" in out and "undated" in out
    assert out.index("2018-03-02") < out.index("undated")


def test_page_past_the_end_names_the_last_page(ql_index: Path) -> None:
    result = run("query", "--index", str(ql_index), "--limit", "2", "--page", "5", "")
    assert result.exit_code == 0  # type: ignore[attr-defined]
    assert "page 5 is past the end: 6 matching articles, last page 3" in result.stdout  # type: ignore[attr-defined]


def test_json_facets_only_prints_no_hits(ql_index: Path) -> None:
    result = run("query", "--index", str(ql_index), "--json", "--facets-only", "")
    data = json.loads(result.stdout)  # type: ignore[attr-defined]
    assert "hits" not in data and "paragraphs" not in data
    assert data["total"] == 6 and data["facets"]


def test_python_dash_m_newssearch_runs_the_command() -> None:
    done = subprocess.run([sys.executable, "-m", "newssearch", "--help"], capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert "Full-text search for news archives" in done.stdout


# -- exact words --------------------------------------------------------------------------


def test_quoted_single_word_matches_that_word_exactly(ql_index: Path) -> None:
    with Searcher(ql_index) as s:
        stemmed = s.search("gaming")
        exact = s.search('"gaming"')
        exact_upper = s.search('"Gaming"')
        games = s.search('"games"')
    assert stemmed.total == 2  # gaming, and games/game (Porter: game)
    assert [h.title for h in exact.hits] == ["Gaming league draws record crowds"]
    assert exact_upper.total == 1
    assert [h.title for h in games.hits] == ["Commonwealth Games open in the rain"]
    marked = {exact.hits[0].snippets[0].text[a:b] for a, b in exact.hits[0].snippets[0].highlights}
    assert marked == {"gaming"}


def test_exact_word_in_paragraphs_snippets_and_boolean_queries(ql_index: Path) -> None:
    with Searcher(ql_index) as s:
        paragraphs = s.search('"game"', paragraphs=True)
        mixed = s.search('game NOT "gaming"')
        stopword = s.search('"the" AND arena')
    assert [p.snippet.text for p in paragraphs.paragraphs] == ["The games opened with a parade of athletes. The game of the day was rugby."]
    assert {p.snippet.text[a:b] for p in paragraphs.paragraphs for a, b in p.snippet.highlights} == {"game"}
    assert [h.title for h in mixed.hits] == ["Commonwealth Games open in the rain"]
    assert stopword.total == 1  # an exact word may be a stopword


def test_phrases_of_several_words_still_match_stems(ql_index: Path) -> None:
    with Searcher(ql_index) as s:
        assert s.search('"video games"').total == 1  # the phrase "video gaming", on stems


# -- phrases and names in snippets -------------------------------------------------------


def test_phrase_is_highlighted_as_one_span_in_a_window_around_it(ql_index: Path) -> None:
    with Searcher(ql_index) as s:
        hit = s.search('"hunting ban"').hits[0]
    snippet = hit.snippets[0]
    marked = [snippet.text[a:b] for a, b in snippet.highlights]
    assert marked == ["hunting ban"]  # not "ban" and "hunting" of "a ban on hunting" one by one
    assert "**hunting ban**" in snippet.marked()
    assert snippet.text.startswith("… ") or snippet.text.endswith(" …")  # a window of a long paragraph
    a, b = snippet.highlights[0]
    assert 60 < a and b < len(snippet.text) - 60  # the phrase well inside it


def test_name_query_prefers_the_paragraph_with_the_whole_name(ql_index: Path) -> None:
    with Searcher(ql_index) as s:
        hit = s.search("Bill Gates").hits[0]
    assert hit.title == "Foundation pledges vaccine money"
    assert hit.snippets[0].text.startswith("Bill Gates said")


# -- did you mean ---------------------------------------------------------------------------


def test_suggestion_keeps_the_query_syntax(ql_index: Path) -> None:
    with Searcher(ql_index) as s:
        result = s.search('(legue OR stadium) AND NOT "vacine"')
        fielded = s.search("(title:legue OR source:Reutrs)")
    assert result.total == 0
    assert result.suggestion == '(league OR stadium) AND NOT "vaccine"'
    assert fielded.suggestion == "(title:league OR source:Reutrs)"  # a field's name and another field's value kept


def test_suggestion_never_repeats_a_word_of_the_query(ql_index: Path) -> None:
    with Searcher(ql_index) as s:
        assert s.search("leage OR league").suggestion is None  # not "league OR league"


def test_suggestion_only_when_it_finds_more(ql_index: Path) -> None:
    with Searcher(ql_index) as s:
        found = s.search("gaming OR arenna")
        nothing = s.search("gaming arenna")
    assert found.total == 2 and found.suggestion is None
    assert nothing.total == 0 and nothing.suggestion == "gaming arena"
    out = run("query", "--index", str(ql_index), "gaming OR arenna").stdout  # type: ignore[attr-defined]
    assert "Did you mean" not in out


def test_suggestion_shows_no_control_characters(ql_index: Path) -> None:
    result = run("query", "--index", str(ql_index), "gaming arenna \x07\x1b")
    out = result.stdout  # type: ignore[attr-defined]
    assert "Did you mean: gaming arena" in out
    assert "\x07" not in out and "\x1b" not in out


# -- the README's examples ------------------------------------------------------------------

REPO = Path(__file__).resolve().parent.parent


def readme_query_examples() -> list[list[str]]:
    """Every ``newssearch query …`` line of the README's shell blocks, as arguments."""
    import shlex

    examples, in_shell = [], False
    for line in (REPO / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_shell = line.strip() == "```sh"
            continue
        command = line.split("  #")[0].split(" | ")[0].strip()
        if in_shell and command.startswith("newssearch query "):
            examples.append(shlex.split(command)[2:])
    return examples


@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the repository's sample corpus (``corpus/``)."""
    out = tmp_path_factory.mktemp("readme") / "index"
    index_paths([REPO / "corpus"], str(out), workers=1)
    return out


def test_every_readme_query_example_finds_something(corpus_index: Path) -> None:
    examples = readme_query_examples()
    assert len(examples) >= 8
    empty = []
    for args in examples:
        if "--jsonl" in args or "--count" in args:  # (their own output formats: run as written)
            result = CliRunner().invoke(cli, ["query", "--index", str(corpus_index), *args], catch_exceptions=False)
            assert result.exit_code == 0 and result.stdout.strip() not in ("", "0"), (args, result.stderr)
            continue
        result = CliRunner().invoke(cli, ["query", "--index", str(corpus_index), "--json", *args], catch_exceptions=False)
        assert result.exit_code == 0, (args, result.stderr)
        if json.loads(result.stdout)["total"] == 0:
            empty.append(args)
    assert empty == []


# -- marks on piped output --------------------------------------------------------------


def test_piped_output_is_plain_unless_marks_are_asked_for(ql_index: Path) -> None:
    def snippet_line(*args: str) -> str:
        out = run("query", "--index", str(ql_index), "--snippets", "1", *args, '"gaming"').stdout  # type: ignore[attr-defined]
        return next(line for line in out.splitlines() if line.strip().startswith("¶"))

    assert snippet_line() == "   ¶1: The gaming league filled the arena for the final."
    assert snippet_line("--marks", "brackets") == "   ¶1: The [gaming] league filled the arena for the final."
    assert snippet_line("--marks", "stars") == "   ¶1: The **gaming** league filled the arena for the final."
    assert snippet_line("--marks", "bold") == "   ¶1: The \x1b[1mgaming\x1b[22m league filled the arena for the final."


# -- where an article came from -------------------------------------------------------------


def test_path_filter_finds_the_files_under_a_folder(ql_index: Path) -> None:
    with Searcher(ql_index) as s:
        sport = s.search("path:sport")
        business_vaccine = s.search("folder:Business vaccine")
        nested = s.search("path:news/politics")
        by_file = s.search("path:2019-05-01-gaming.txt")
        paragraphs = s.search("path:sport gaming", paragraphs=True)
    assert sorted(h.title for h in sport.hits) == ["Commonwealth Games open in the rain", "Gaming league draws record crowds"]
    assert all("/sport/" in (h.path or "") for h in sport.hits)
    assert [h.title for h in business_vaccine.hits] == ["Foundation pledges vaccine money"]
    assert nested.total == 2
    assert by_file.total == 1
    assert paragraphs.total == 3 and all("/sport/" in (p.path or "") for p in paragraphs.paragraphs)
