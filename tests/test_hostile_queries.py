"""Hostile queries: never a traceback, always an answer or a one-line error, in bounded time.

Property-based (hypothesis) at the query layer (``Searcher.search``) and the CLI
(``newssearch query``) on the small shared index, plus fixed nasty cases, plus timing of
expensive query shapes (leading wildcards, fuzzy words, bare ``*``) on a generated
2000-article index built once for this module.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import newssearch.indexing as indexing
from newssearch.cli import cli
from newssearch.errors import QueryError
from newssearch.indexing import index_paths
from newssearch.search.query import MAX_QUERY_CHARS
from newssearch.search.results import SearchResult
from newssearch.search.searcher import Searcher

#: Seconds a single query may take on the 2000-article index ("a couple of seconds", with slack for slow CI).
SLOW_QUERY_SECONDS = 4.0

FIELDS = ["title", "body", "source", "person", "people", "published", "date", "mentioned", "lang", "language",
          "author", "by", "id", "kind", "path", "nosuchfield", "URL", "Title", ""]
ATOMS = ["NATO", "Kyiv", "Stoltenberg", "summit", "AND", "OR", "NOT", "and", "or", "not", "ANDNOT", "ANDMAYBE", "(", ")", "((", "))",
         '"', "'", "“", "”", ":", "::", "*", "?", "**", "*a*", "a?", "~", "~2", "~9", "~-1", "^", "^2", "^-5", "^99999999999999999999",
         "[", "]", "{", "}", "to", "TO", "[x to", "2023", "2023-04-20", "2023-13-45", "99999-01-01", "0000", "-", "+", "\\", "/",
         "<", ">", "<=", ">=", "=", "!", "&", "|", "%", "$", "#", "@", ",", ";", ".", "…", "\x00", "\t", "\n", "\u200b", "ș", "日本",
         "🙂", "\ud7ff", "\U0010ffff", "yesterday", "now", "-1d", "+1y"]

token = st.one_of(
    st.sampled_from(ATOMS),
    st.builds(lambda f, v: f"{f}:{v}", st.sampled_from(FIELDS), st.sampled_from(ATOMS + ["", "x"])),
    st.text(min_size=1, max_size=6),
)
hostile = st.one_of(
    st.lists(token, min_size=1, max_size=12).map(" ".join),
    st.lists(token, min_size=1, max_size=12).map("".join),
    st.text(max_size=60),
)

FIXED = [
    "", " ", "\n", "AND", "OR", "NOT", "AND OR NOT", "NOT NOT NOT", "(", ")", "((((", "))))", "(()", '"', '""', '"""', "'", "“unbalanced",
    "a:", ":", ":::", "*", "?", "**", "*?*", "*a*", "?a?", "a*", "title:", "title:*", "body:*", "person:", "person:*", 'person:"',
    "person:()", "mentioned:[", "mentioned:[2022", "mentioned:2022-99", "published:[x to", "published:[2023 to",
    "published:[to]", "published:[2023-06 to 2023-01]", "published:[a to b]", "published:99999", "published:>2023",
    "published:<=yesterday", "published:{2023 to]", "date:2023-02-30", "nosuchfield:value", "NoSuchField:(a OR b)",
    "source:", "lang:::", "kyiv~", "kyiv~2", "kyiv~99", "kyiv~-3", "k~2", "~", "^", "kyiv^", "kyiv^abc", "kyiv^1e400",
    "a" * 5000, "(" * 500 + "x" + ")" * 500, "(" * 1500, "NOT " * 400, '"' + "a " * 900 + '"', "a OR " * 300 + "a",
    "*" * 1000, "x" * (MAX_QUERY_CHARS + 1), "x" * 10_000, "ș" * 10_000, "\x00\x01\x02", "\ud800", "🙂 AND 🙂",
    "title:(a OR (b AND (c NOT d)))", "title:title:title", "id:*", "kind:paragraph", "path:/etc/passwd",
]


def _check_api(searcher: Searcher, text: str) -> None:
    try:
        result = searcher.search(text, limit=5)
    except QueryError as err:
        message = str(err)
        assert message and "\n" not in message and "\r" not in message, repr(message)
        assert err.hint is None or "\n" not in err.hint
        return
    assert isinstance(result, SearchResult)
    assert result.total >= len(result.hits) >= 0
    json.dumps(result.to_dict(), default=str)  # and it can be printed as JSON


def _check_cli(index_dir: Path, text: str) -> None:
    runner = CliRunner()
    for extra in ([], ["--json"]):
        result = runner.invoke(cli, ["query", "--index", str(index_dir), *extra, "--", text])
        assert result.exception is None or isinstance(result.exception, SystemExit), (text, result.exception)
        assert "Traceback" not in result.output
        if result.exit_code == 0:
            if extra:
                json.loads(result.stdout)
            continue
        assert result.exit_code == 2, (text, result.exit_code, result.output)
        lines = result.stderr.splitlines()
        assert 1 <= len(lines) <= 2, (text, lines)
        assert lines[0].startswith("Error: ") and len(lines[0]) > len("Error: ")
        if len(lines) == 2:
            assert lines[1].startswith("Hint: ")
        assert result.stdout == ""


@pytest.fixture(scope="module")
def small(shared_index: Path) -> Searcher:
    with Searcher(shared_index) as searcher:
        yield searcher


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=hostile)
def test_hostile_queries_at_the_api(small: Searcher, text: str) -> None:
    _check_api(small, text)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=hostile)
def test_hostile_queries_at_the_cli(shared_index: Path, text: str) -> None:
    _check_cli(shared_index, text)


@pytest.mark.parametrize("text", FIXED, ids=[repr(t[:20]) + f"#{i}" for i, t in enumerate(FIXED)])
def test_fixed_hostile_queries(small: Searcher, shared_index: Path, text: str) -> None:
    _check_api(small, text)
    if len(text) < 3000 or text.startswith("x"):  # the CLI path is the same; keep the run short
        _check_cli(shared_index, text)


def test_known_errors_are_query_errors_with_reasons(small: Searcher) -> None:
    with pytest.raises(QueryError, match="too long"):
        small.search("x" * 10_000)
    with pytest.raises(QueryError, match="not a date") as err:
        small.search("published:[x to 2023]")
    assert err.value.hint and "2023-04" in err.value.hint
    runner = CliRunner()
    result = runner.invoke(cli, ["query", "published:[nonsense to 2023]", "--index", str(small.index_dir)])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0].startswith("Error: cannot read the query")
    assert result.stderr.splitlines()[1].startswith("Hint: dates look like")


# -- a larger index for timing --------------------------------------------------------------

SYLLABLES = ["ka", "lo", "mi", "ran", "tos", "vel", "dur", "pen", "sab", "ri", "no", "qua", "zel", "fir", "gon", "bet", "lum", "sor"]
N_BIG = 2000


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    """2000 generated articles over a ~3400-word vocabulary (people/date enrichment skipped for speed)."""
    rng = random.Random(3)
    vocab = sorted({"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(5000)})
    base = tmp_path_factory.mktemp("big")
    articles = []
    for i in range(N_BIG):
        articles.append({
            "id": f"a{i}",
            "title": " ".join(rng.choice(vocab) for _ in range(4)),
            "text": " ".join(rng.choice(vocab) for _ in range(15)) + (" harbourmaster" if i % 10 == 0 else ""),
            "published": f"20{10 + i % 14}-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "source": ["Wire A", "Wire B", "Daily"][i % 3],
        })
    with open(base / "big.jsonl", "w", encoding="utf-8") as handle:
        for article in articles:
            handle.write(json.dumps(article) + "\n")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(indexing, "enrich", lambda article: article)
        report = index_paths([base / "big.jsonl"], str(base / "index"))
    assert report.added == N_BIG
    return base / "index", articles


@pytest.fixture(scope="module")
def big_searcher(big: tuple[Path, list[dict]]) -> Searcher:
    with Searcher(big[0]) as searcher:
        searcher.search("harbourmaster")  # warm up
        yield searcher


@pytest.mark.parametrize("text", ["*a*", "*o*o*", "?a*", "kalomi~2", "harbourmastr~2", "*", "title:*", "body:* NOT harbourmaster",
                                  "*a* AND harbourmaster", "(kalo~2 OR *ri*) NOT *zel*"])
def test_expensive_shapes_are_bounded(big_searcher: Searcher, text: str) -> None:
    started = time.perf_counter()
    result = big_searcher.search(text, limit=10)
    elapsed = time.perf_counter() - started
    assert elapsed < SLOW_QUERY_SECONDS, f"{text!r} took {elapsed:.2f} s"
    assert result.hits


def test_bare_star_and_field_star_match_everything(big_searcher: Searcher) -> None:
    assert big_searcher.search("*").total == N_BIG
    assert big_searcher.search("title:*").total == N_BIG
    assert big_searcher.search("body:* NOT harbourmaster").total == N_BIG - N_BIG // 10
    assert big_searcher.search("*", paragraphs=True).total == N_BIG  # one paragraph each


@pytest.mark.parametrize("text", ["harbourmaster", "harbourmastr~2", "harbour*", "*arbourmas*", "harbourmaster OR harbourmaster"])
def test_total_counts_every_match(big_searcher: Searcher, text: str) -> None:
    """``total`` is the number of matching articles, with or without facets, for every query shape."""
    expected = N_BIG // 10
    assert big_searcher.search(text, facets=["source"]).total == expected
    assert big_searcher.search(text).total == expected


def test_wildcard_total_agrees_with_and_without_facets(big_searcher: Searcher) -> None:
    plain = big_searcher.search("*a*").total
    faceted = big_searcher.search("*a*", facets=["source"])
    assert plain == faceted.total
    assert sum(v.count for v in faceted.facets["source"].values) == faceted.total
