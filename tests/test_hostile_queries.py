"""Hostile queries: never a traceback, always an answer or a one-line error, in bounded work.

Property-based (hypothesis) at the query layer (``Searcher.search``) and the CLI
(``newssearch query``) on the small shared index, plus fixed nasty cases, plus expensive
query shapes (leading wildcards, fuzzy words, bare ``*``, hundreds of them) on a generated
2000-article index built once for this module. The bound is checked by counting the work a
query's budget records (parts expanded, words, postings, word-list entries looked at) and
with an injected clock; the times themselves are measured by ``bench/hostile.py``.
"""

from __future__ import annotations

import json
import random
import string
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import newssearch.indexing.tasks as indexing_tasks
from newssearch.cli import cli
from newssearch.errors import QueryError, QueryTooExpensiveError
from newssearch.indexing import index_paths
from newssearch.search.budget import QueryBudget, QueryLimits
from newssearch.search.query import MAX_QUERY_CHARS
from newssearch.search.results import SearchResult
from newssearch.search.searcher import Searcher

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
        mp.setattr(indexing_tasks, "enrich", lambda article: article)
        report = index_paths([base / "big.jsonl"], str(base / "index"))
    assert report.added == N_BIG
    return base / "index", articles


@pytest.fixture(scope="module")
def big_searcher(big: tuple[Path, list[dict]]) -> Searcher:
    with Searcher(big[0]) as searcher:
        searcher.search("harbourmaster")  # warm up
        yield searcher


class RecordingLimits(QueryLimits):
    """Default limits that keep the budget of each query, to count its work."""

    budgets: list[QueryBudget]

    def start(self, text: str) -> QueryBudget:
        budget = super().start(text)
        self.budgets.append(budget)
        return budget


def recording(**limits: Any) -> RecordingLimits:
    made = RecordingLimits(**limits)
    object.__setattr__(made, "budgets", [])
    return made


@pytest.mark.parametrize("text", ["*a*", "*o*o*", "?a*", "kalomi~2", "harbourmastr~2", "*", "title:*", "body:* NOT harbourmaster",
                                  "*a* AND harbourmaster", "(kalo~2 OR *ri*) NOT *zel*"])
def test_expensive_shapes_answer_within_their_budget(big: tuple[Path, list[dict]], text: str) -> None:
    limits = recording(seconds=None)
    with Searcher(big[0], limits=limits) as searcher:
        result = searcher.search(text, limit=10)
    assert result.hits
    budget = limits.budgets[-1]
    assert budget.patterns <= 3 and budget.terms <= 3 * 512 and budget.postings <= limits.postings


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


# -- the whole query's cost is bounded (issue 14, item 7) ------------------------------------------

BIGRAMS = [a + b for a in "aeiou" for b in string.ascii_lowercase]


def _hostile(articles: list[dict]) -> dict[str, str]:
    vocab = sorted({w for a in articles for w in a["title"].split()})  # (distinct words: a repeated one is asked once)
    return {
        "infix": " ".join(f"*{b}*" for b in BIGRAMS[:130]),
        "infix OR": " OR ".join(f"*{b}*" for b in BIGRAMS[:130]),
        "prefix": " ".join(f"{b}*" for b in BIGRAMS[:130]),
        "fuzzy": " ".join(f"{w}~" for w in vocab[:300])[:MAX_QUERY_CHARS].rsplit(" ", 1)[0],
        "fuzzy OR": " OR ".join(f"{w}~2" for w in vocab[:200])[:MAX_QUERY_CHARS].rsplit(" OR ", 1)[0],
    }


@pytest.mark.parametrize("kind", ["infix", "infix OR", "prefix", "fuzzy", "fuzzy OR"])
def test_hundreds_of_expanding_parts_are_refused_early(big: tuple[Path, list[dict]], big_searcher: Searcher, kind: str) -> None:
    """130 infix wildcards took 86 s, 300 fuzzy words 63 s: now a one-line error after a
    bounded amount of work (a few parts expanded, each field's words read once)."""
    text = _hostile(big[1])[kind]
    assert len(text) <= MAX_QUERY_CHARS
    limits = recording(seconds=None)  # (only counted work may stop it)
    with Searcher(big[0], limits=limits) as searcher, pytest.raises(QueryTooExpensiveError) as err:
        searcher.search(text)
    message = str(err.value)
    assert message.startswith(f"query too expensive: {text[:20]!r}"[:-1]) and "\n" not in message
    assert "fewer" in message  # what to narrow
    budget = limits.budgets[-1]
    assert budget.patterns <= limits.patterns + 1
    assert budget.terms <= limits.terms + limits.per_pattern
    words = len(list(big_searcher._searcher.reader().lexicon("body")))
    assert budget.scanned <= 2 * words  # each field's word list read at most once (and a few walked prefixes)


def test_the_query_clock_stops_expansion_and_ranking(big: tuple[Path, list[dict]]) -> None:
    """An injected clock (each reading 10 ms later): a query past its seconds gets the
    error, naming what it was doing; the same query with no time limit answers."""
    ticks: list[float] = [0.0]

    def clock() -> float:
        ticks[0] += 0.01
        return ticks[0]

    text = "*ar* *or* harbourmaster"
    with Searcher(big[0], limits=QueryLimits(seconds=0.02, clock=clock)) as searcher, pytest.raises(QueryTooExpensiveError, match=r"took more than 0\.02 s \(expanding"):
        searcher.search(text)
    used = ticks[0]
    assert 0.02 < used < 0.1  # stopped at the first checks, not after the whole query
    with Searcher(big[0], limits=QueryLimits(seconds=None, clock=clock)) as searcher:
        assert 0 < searcher.search(text).total <= N_BIG // 10
        searcher.limits = QueryLimits(seconds=0.05, clock=clock)
        before = ticks[0]
        with pytest.raises(QueryTooExpensiveError, match=r"took more than 0\.05 s \(ranking\)"):
            searcher.search(text)  # the words are read already: ranking runs out of time
        assert ticks[0] - before < 0.1


def test_postings_budget(big_searcher: Searcher, big: tuple[Path, list[dict]]) -> None:
    reader = big_searcher._searcher.reader()
    limits = recording(postings=300, seconds=None)
    with Searcher(big[0], limits=limits) as searcher:
        assert searcher.search("harbourmaster").total == N_BIG // 10  # 200 postings
        assert limits.budgets[-1].postings == reader.doc_frequency("body", "harbourmast")
        with pytest.raises(QueryTooExpensiveError, match="postings"):
            searcher.search("harbourmaster OR harbourmastr~2 OR *arbour*")


def test_cli_says_too_expensive_in_one_line(big: tuple[Path, list[dict]]) -> None:
    text = _hostile(big[1])["infix"]
    result = CliRunner().invoke(cli, ["query", "--index", str(big[0]), text])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: query too expensive: '*ae* *ab*"[:30])
    assert len(lines[0]) < 300


@pytest.mark.parametrize("text", ["*arbour*", "harbour*", "*a*o*", "ka?o*", "kalomi~2", "harbourmastr~2", "kalo~", "ran*~", "title:lo*", "[ka TO kal]"])
def test_expansion_equals_whooshs_own(big_searcher: Searcher, text: str) -> None:
    """The fast expansion (read word list, C-level glob filter, RapidFuzz) keeps exactly the
    words Whoosh's own expansion keeps."""
    from whoosh import query as wq

    from newssearch.search.expansion import Lexicon, expand

    parsed = big_searcher._parser.parse(text)
    reader = big_searcher._searcher.reader()
    parts = [q for q in parsed.leaves() if isinstance(q, wq.MultiTerm)] if not parsed.is_leaf() else [parsed]
    assert parts, parsed
    for part in parts:
        theirs = {t.decode("utf-8") if isinstance(t, bytes) else t for _, t in part.expanded_terms(reader)}
        budget = QueryLimits(per_pattern=10**6, terms=None, seconds=None).start(text)
        ours = expand(part, reader, Lexicon(reader), budget, lambda field, word: 0)
        got = {ours.text} if isinstance(ours, wq.Term) else {t.text for t in ours.children()} if ours is not wq.NullQuery else set()
        assert got == theirs, (part, sorted(got ^ theirs)[:10])


def test_field_words_equal_whooshs_lexicon(big_searcher: Searcher) -> None:
    from newssearch.store.reading import segment_postings

    for segment, _ in big_searcher._searcher.reader().leaf_readers():
        for field in ("body", "title", "text", "id", "source", "nosuchfield"):
            expected = list(segment.lexicon(field)) if field in segment.indexed_field_names() else []
            assert segment_postings(segment).words(field) == expected
            assert len(expected) > 0 or field == "nosuchfield"


def test_did_you_mean_is_bounded_and_unchanged(big_searcher: Searcher, monkeypatch: pytest.MonkeyPatch) -> None:
    from whoosh.spelling import ListCorrector

    from newssearch.store.vocabulary import Speller

    assert big_searcher.suggest("harbourmastr") == "harbourmaster"
    speller = big_searcher._speller
    assert speller is not None
    corrector = ListCorrector(speller._ordered)
    for word in ("harbourmastr", "kalomo", "ranvell", "zzzzzz", "durpenn", "kalomitos"):
        expected = None
        for dist in (1, 2):  # what Speller.suggest did with Whoosh's automaton
            found = [w for _, w in corrector._suggestions(word, dist, 1) if w != word]
            if found:
                expected = max(found, key=lambda w: (speller.words.get(w, 0), w))
                break
        assert speller.suggest(word) == expected, word
    calls: list[str] = []
    original = Speller.suggest
    monkeypatch.setattr(Speller, "suggest", lambda self, word, maxdist=2: calls.append(word) or original(self, word, maxdist))
    many = " ".join(f"qzx{a}{b}" for a in string.ascii_lowercase for b in "aeiou")[:MAX_QUERY_CHARS]
    assert big_searcher.search(many).suggestion is None  # a query of 130 unknown words is not a typo
    assert len(calls) <= 10


def test_star_not_many_words_is_held_to_the_budget(big: tuple[Path, list[dict]], big_searcher: Searcher) -> None:
    """``* NOT (w1 OR … OR w100)``: Whoosh's matcher walked every document of the negated OR
    without a match to stop at and never met the budget (over 60 s on 100k articles); it is
    now every article less the OR's matches, and the OR is held to the budget as any query."""
    words = sorted({w for article in big[1][:40] for w in article["title"].split()})[:100]
    negated = " OR ".join(words)
    text = f"* NOT ({negated})"
    assert len(text) <= MAX_QUERY_CHARS
    some = big_searcher.search(negated).total
    assert 0 < some < N_BIG
    assert big_searcher.search(text).total == N_BIG - some
    assert big_searcher.search(text, paragraphs=True).total == N_BIG - big_searcher.search(negated, paragraphs=True).total
    # not by Whoosh's InverseMatcher, which steps through every document (no budget check
    # between its steps: with a negated OR of common words, minutes without one match)
    from whoosh.matching.wrappers import InverseMatcher

    steps = [0]
    real = InverseMatcher._find_next

    def counted(self: InverseMatcher) -> None:
        steps[0] += 1
        real(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(InverseMatcher, "_find_next", counted)
        assert big_searcher.search(text).total == N_BIG - some
    assert steps[0] == 0
