"""The shortcuts of ``Searcher.search`` must give exactly what Whoosh's exhaustive matcher
gives: one-word queries count from document frequencies and rank with block skipping, and
facets read the word's posting list; the totals, the top ten and the facet counts must equal
those of visiting and scoring every match."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from whoosh import collectors

from newssearch import Searcher
from newssearch.indexing import index_paths
from newssearch.search import postings, ranking
from newssearch.search.postings import PostingCache
from newssearch.search.query import to_paragraphs, with_title_boost

QUERIES = [
    "NATO",  # one word: the shortcut
    "police",
    "said",  # in most articles
    "zzzunknownword",
    "Vilnius summit",
    "police OR fire",
    "election -president",
    "NOT election",
    '"prime minister"',  # phrases: positions checked from the same blocks
    '"prime minister" resigned',
    '"the prime minister" OR "foreign minister"',
    '"secretary general" -"prime minister"',
    '"said that"',
    "title:police",
    "minist*",
    "minist* elect*",  # expanded wildcards inside AND, OR and NOT: any of their words
    "*ection* police",
    "police -minist*",
    "(polic* OR fire) summit~",
    "polic* OR elect*",
    "person:stoltenberg",
    "summit source:wikinews",  # a field Whoosh does not score by BM25: Whoosh ranks it
    "police language:en",
    "police OR language:en",
]


def _exhaustive(s: Searcher, query: str, paragraphs: bool = False) -> list[tuple[int, float]]:
    """Every match with its score, best first, by Whoosh's matcher visiting and scoring every document."""
    parsed = s._parser.parse(query)
    q = s._bounded(to_paragraphs(parsed) if paragraphs else with_title_boost(parsed))
    kind = s._sets.kind("paragraph" if paragraphs else "article")
    collector = collectors.TopCollector(limit=100_000, usequality=False, replace=0)
    s._searcher.search_with_collector(q, collectors.FilterCollector(collector, allow=kind))
    return [(hit.docnum, hit.score) for hit in collector.results()]


def _check(s: Searcher, query: str, paragraphs: bool) -> None:
    scored = _exhaustive(s, query, paragraphs)
    ranked = [d for d, _ in scored]
    # (every article: the corpus holds copies of one story, which a collapsed search shows once)
    result = s.search(query, limit=10, paragraphs=paragraphs, facets=["people", "source", "year"], collapse=False)
    assert result.total == len(ranked)
    stored = s._searcher.stored_fields
    hits = result.paragraphs if paragraphs else result.hits
    assert [h.score for h in hits] == pytest.approx([sc for _, sc in scored[:10]], rel=1e-9)
    if paragraphs:
        got = [(p.article_id, p.paragraph) for p in result.paragraphs]
        want = [(stored(d)["article_id"], stored(d)["pos"]) for d in ranked[:10]]
    else:
        got = [h.id for h in result.hits]
        want = [stored(d)["id"] for d in ranked[:10]]
        plain = s.search(query, limit=10, collapse=False)  # without facets: the total from document frequencies
        assert plain.total == len(ranked)
        assert [h.id for h in plain.hits] == want
    assert got == want
    # facet counts equal a count over the exhaustive matches
    sources: dict[str, int] = {}
    for d in ranked:
        source = stored(d).get("source")
        if source:
            sources[source] = sources.get(source, 0) + 1
    assert {v.value: v.count for v in result.facets["source"].values} == dict(sorted(sources.items(), key=lambda kv: (-kv[1], kv[0]))[:10])


@pytest.mark.parametrize("paragraphs", [False, True])
@pytest.mark.parametrize("query", QUERIES)
def test_search_equals_the_exhaustive_matcher(corpus_index: Path, query: str, paragraphs: bool) -> None:
    with Searcher(corpus_index) as s:
        _check(s, query, paragraphs)


@pytest.mark.parametrize("budget", [10**7, 300])
def test_cached_posting_lists_rank_as_read_ones(corpus_index: Path, budget: int) -> None:
    """Every list kept (and, with a small budget, dropped and read again): each query, run
    twice, still equals the exhaustive matcher."""
    with Searcher(corpus_index) as s:
        cache = s._ranker.cache = PostingCache(min_postings=1, max_postings=budget)
        for query in QUERIES:
            for paragraphs in (False, True):
                _check(s, query, paragraphs)
                _check(s, query, paragraphs)
        assert cache.hits > 20 and cache.misses > 10
        assert cache.size <= budget
        if budget < 10**7:
            assert 0 < len(cache) < cache.misses  # lists were dropped


def test_posting_cache_keeps_long_lists_read_whole(corpus_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # (a list is read in part when the wanted documents are far fewer than its blocks; in
    # this small index, when they are fewer than its postings)
    monkeypatch.setattr(postings, "_SPARSE", 1)
    with Searcher(corpus_index) as s:
        assert s._ranker.cache.min_postings >= 100  # (the default: not the short lists)
        reader = s._searcher.reader()
        assert reader.doc_frequency("body", "police") < 50 < reader.doc_frequency("body", "said")
        cache = s._ranker.cache = PostingCache(min_postings=50)
        s.search("police")
        assert (len(cache), cache.hits, cache.misses) == (0, 0, 0)  # a short list: read each time
        s.search("police said")
        assert (len(cache), cache.hits, cache.misses) == (0, 0, 0)  # read in part (police's articles): not kept
        s.search("said police")
        assert (len(cache), cache.hits, cache.misses) == (1, 0, 1)  # its second use keeps the list
        s.search("said")
        assert (len(cache), cache.hits, cache.misses) == (1, 1, 1)
        assert cache.size == reader.doc_frequency("body", "said")
        assert reader.doc_frequency("body", "state") >= 50
        s.search("the state")
        assert (len(cache), cache.hits, cache.misses) == (2, 1, 2)  # read whole: kept at once


def test_remembered_document_frequencies_are_bounded(corpus_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ranking, "MAX_FREQUENCIES", 5)
    with Searcher(corpus_index) as s:
        for query in QUERIES[:10]:
            _check(s, query, False)
            assert 0 < len(s._ranker._frequencies) <= 5


def test_the_cases_are_not_trivial(corpus_index: Path) -> None:
    with Searcher(corpus_index) as s:
        totals = {q: s.search(q).total for q in QUERIES}
    assert totals["zzzunknownword"] == 0
    assert totals["NATO"] == 3 and totals["said"] > 60
    assert 60 < totals["NOT election"] < 111


def test_one_word_counts_skip_deleted_articles(tmp_path: Path) -> None:
    """After an update, the old versions are deleted documents still in the postings:
    the one-word total must not count them."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    records = [{"id": f"a{i}", "title": f"Harbour story {i}", "text": f"The harbour council met on day {i}.\n\nIt discussed the harbour."} for i in range(6)]
    feed = corpus / "feed.jsonl"
    feed.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    index_paths([corpus], str(tmp_path / "index"), workers=1)
    records[0]["text"] = "Nothing about ports any more."
    records[0]["title"] = "Other story"
    feed.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    index_paths([corpus], str(tmp_path / "index"), workers=1)
    with Searcher(tmp_path / "index") as s:
        assert s.search("harbour").total == 5
        assert s.search("harbour", facets=["source"]).total == 5
        _check(s, "harbour", paragraphs=False)


def test_title_words_rank_first(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    records = [
        {"id": "body", "title": "Council news", "text": "The drought worried farmers.\n\nRain came later."},
        {"id": "title", "title": "Drought hits farmers", "text": "Farmers waited for rain all summer.\n\nThe drought ended."},
    ]
    (corpus / "feed.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    index_paths([corpus], str(tmp_path / "index"), workers=1)
    with Searcher(tmp_path / "index") as s:
        assert [h.id for h in s.search("drought").hits] == ["title", "body"]
        # a word only in a title is found too (the body holds the title's words)
        assert [h.id for h in s.search("hits").hits] == ["title"]
        assert [h.id for h in s.search('"drought hits"').hits] == ["title"]


@pytest.mark.parametrize("n", [1, 2, 3, 5, 10])
def test_top_keeps_lowest_document_among_ties(n: int) -> None:
    from newssearch.search.ranking import _by_rank, _top

    # an OR query's dict is not in document order: ties must still go to the lowest number
    found = {50: 1.0, 3: 2.0, 90: 1.0, 10: 1.0, 7: 0.5, 1: 2.0, 60: 1.0}
    want = sorted(found.items(), key=lambda ds: (-ds[1], ds[0]))[:n]
    assert sorted(_top(found, n), key=_by_rank)[:n] == want


@pytest.mark.parametrize("positions", [[0], [5], [127], [128], [3, 9, 200], list(range(0, 3000, 7)), [70000, 70001], [2**31, 2**31 + 1]])
def test_positions_format_round_trips(positions: list[int]) -> None:
    """The text fields' positions (varint gaps, store/codec.py) decode to what was encoded,
    through the format Whoosh's own phrase matching calls too."""
    from newssearch.store.codec import VarintPositions, decode_positions

    fmt = VarintPositions(field_boost=2.0)
    encoded = fmt.encode(positions)
    assert decode_positions(encoded) == fmt.decode_positions(encoded) == positions
    assert fmt.decode_frequency(encoded) == len(positions)
    assert fmt.decode_weight(encoded) == 2.0 * len(positions)
    assert fmt.decode_positions(fmt.combine([encoded, fmt.encode([1])])) == sorted(set(positions) | {1})
    assert len(encoded) == len(positions) or max(positions) >= 128 or any(b - a >= 128 for a, b in itertools.pairwise(positions))


def test_phrases_are_kept_and_rank_as_checked_ones(corpus_index: Path) -> None:
    """A phrase's matches are kept like a word's list: the next query with it reads them
    (a copy: the query that changes its own, with NOT or a title boost, changes nothing kept)."""
    with Searcher(corpus_index) as s:
        cache = s._ranker.cache
        _check(s, '"prime minister"', False)
        kept = [key for key in cache._lists if isinstance(key[2], tuple)]
        assert kept and all(key[2] == ("prime", "minist") for key in kept)
        hits = cache.hits
        for query in ('"prime minister" -resigned', '"prime minister" OR "foreign minister"', '"prime minister"', '"prime minister" police'):
            _check(s, query, False)
        assert cache.hits > hits
        _check(s, '"prime minister"', False)
