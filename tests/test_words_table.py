"""Distinctive words' background: the document frequencies of the whole ``body`` field read
at once (what a long-lived searcher switches to from its second words facet on) are the
ones looked up one term at a time, and the words facet answers the same either way."""

from __future__ import annotations

from pathlib import Path

import pytest

from newssearch.search import words
from newssearch.search.searcher import Searcher
from newssearch.store.reading import doc_frequencies

QUERIES = ["trump", "parliament", "election", "police", "china", "president"]


def test_doc_frequencies_are_the_readers_own(corpus_index: Path) -> None:
    with Searcher(corpus_index) as s:
        reader = s._searcher.reader()
        table = doc_frequencies(reader, "body")
        assert len(table) > 1000
        for term in list(table)[::37]:
            assert table[term] == reader.doc_frequency("body", term), term
        assert doc_frequencies(reader, "no_such_field") == {}


def _words(index: Path) -> list[list[tuple[str, int]]]:
    with Searcher(index) as s:
        return [[(v.value, v.count) for v in s.search(q, facets=["words"]).facets["words"].values] for q in QUERIES]


def test_words_facet_is_the_same_with_the_table(corpus_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(words, "TABLE_FROM", 10**9)
    one_by_one = _words(corpus_index)
    monkeypatch.setattr(words, "TABLE_FROM", 1)
    with_table = _words(corpus_index)
    assert with_table == one_by_one and any(with_table)


def test_the_table_is_read_from_the_second_words_facet(corpus_index: Path) -> None:
    with Searcher(corpus_index) as s:
        s.search("trump", facets=["words"])
        background = words._background(s._searcher.reader())
        assert background.table is None and background.known  # (a one-shot query looks words up)
        s.search("parliament", facets=["words"])
        assert background.table is not None


def test_reading_the_table_does_not_eat_the_samples_time(corpus_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # (on a large index the table takes longer than the sample's time budget: simulated)
    import time

    from newssearch.store import reading

    real = reading.doc_frequencies

    def slow(reader: object, fieldname: str) -> dict[str, int]:
        started = time.thread_time()
        while time.thread_time() - started < words.SECONDS + 0.05:
            pass
        return real(reader, fieldname)

    monkeypatch.setattr(reading, "doc_frequencies", slow)
    with Searcher(corpus_index) as fresh:
        expected = fresh.search("parliament", facets=["words"]).facets["words"].values
    with Searcher(corpus_index) as s:
        s.search("trump", facets=["words"])
        assert s.search("parliament", facets=["words"]).facets["words"].values == expected
