"""Queries sorted by date find their matches from the posting blocks (as ranking does), not
through Whoosh's matchers: the same matches, totals and order either way."""

from __future__ import annotations

from pathlib import Path

import pytest

from newssearch.search import searcher as searcher_module
from newssearch.search.searcher import Searcher

QUERIES = ["trump", "trump johnson", "trump OR parliament", "police NOT london", '"prime minister"', "title:election", "elect*"]


def _sorted(index: Path, sort: str) -> list[tuple[int, list[str]]]:
    with Searcher(index) as s:
        out = []
        for q in QUERIES:
            result = s.search(q, limit=200, sort=sort)
            out.append((result.total, [h.id for h in result.hits]))
        return out


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_sorted_queries_match_as_whooshs_matchers(corpus_index: Path, sort: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = _sorted(corpus_index, sort)
    monkeypatch.setattr(searcher_module, "plan", lambda q, scorable: None)  # (every query through Whoosh's matchers)
    assert fast == _sorted(corpus_index, sort)
    assert all(total for total, _ in fast[:5])


def test_sorted_and_ranked_totals_agree(corpus_index: Path) -> None:
    with Searcher(corpus_index) as s:
        for q in QUERIES:
            ranked, newest = s.search(q, limit=500), s.search(q, limit=500, sort="newest")
            assert newest.total == ranked.total, q
            assert {h.id for h in newest.hits} == {h.id for h in ranked.hits}, q
