"""Indexing analyses text in one fused loop; it must give exactly the analyzer's postings."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from newssearch.ingest import discover, read_file
from newssearch.store.schema import accent_map, build_schema, pre_analyze_paragraphs, term_positions, term_spans, text_analyzer

CORPUS = Path(__file__).resolve().parent.parent / "corpus"

TRICKY = [
    "",
    "the of and a",  # only stopwords: no postings at all
    "The U.S. and the E.U. met in São Paulo, Zürich and Târgu Mureș.",
    "A summit: NATO's (and Ukraine’s) leaders — 31 of them — agreed on 2023-07-11.",
    "I a x y z 1 22 333 running runners ran runs Stepping stepped",
    "Zelensky, Zelenskyi and Zelenskyy; ZELENSKY! Œuvre, æsir, straße, İstanbul, ǅemal",
    "word\u00a0with\u2009odd\u200bspaces and_underscores and tabs\tand\nnewlines",
    "the the the Vilnius the summit the",
    "a.b.c U.S.A. e.g.. x..y 3.14.15 .5 end. _x_ ..dots.. ú.é",
]


def _analyzer_postings(text: str) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for token in text_analyzer()(text, positions=True, mode="index"):
        out.setdefault(token.text, []).append(token.pos)
    return out


@pytest.mark.parametrize("text", TRICKY)
def test_term_positions_equal_the_analyzer(text: str) -> None:
    assert term_positions(text) == _analyzer_postings(text)


@pytest.mark.parametrize("text", TRICKY)
def test_term_spans_equal_the_highlighters_analysis(text: str) -> None:
    tokens = text_analyzer()(text, chars=True, removestops=False, mode="query")
    assert list(term_spans(text)) == [(t.text, t.startchar, t.endchar) for t in tokens]


def test_term_spans_of_some_initials_keep_every_term_with_them_on_the_corpus() -> None:
    """The highlighter's shortcut: asked for the terms starting with some letters, the
    tokens of other letters are skipped unstemmed; a Porter stem keeps its word's first
    letter, so no term with those letters is lost (``Œuvre`` → ``oeuvr``, ``İstanbul``)."""
    texts = TRICKY + [text for paragraphs in _corpus_paragraphs() for text in paragraphs]
    for initials in ({"z", "o"}, {"s", "i", "e"}, {"n", "r", "u", "a"}):
        kept = 0
        for text in texts:
            some = list(term_spans(text, initials))
            assert some == [span for span in term_spans(text) if span[0][:1] in initials]
            kept += len(some)
        assert kept > 1_000


def test_lowercase_ascii_folds_to_itself() -> None:
    """The fused loops fold accents only in non-ASCII tokens."""
    assert all(c.lower().translate(accent_map) == c.lower() for c in map(chr, range(128)))


def test_term_positions_count_unstemmed_words() -> None:
    words: Counter[str] = Counter()
    term_positions("The summits of São Paulo: summits, x, ab, 2023", words)
    assert words == Counter({"the": 1, "summits": 2, "sao": 1, "paulo": 1})


def _corpus_paragraphs() -> list[list[str]]:
    found = discover([str(CORPUS)])
    return [a.paragraphs for f in found.files for a in read_file(f).articles]


def test_paragraph_and_body_postings_equal_the_field_on_the_corpus() -> None:
    """Every shipped article: each paragraph's postings, and the body merged from them,
    equal what Whoosh's own field indexing gives for the paragraph and the joined text."""
    schema = build_schema()
    articles = _corpus_paragraphs()
    assert len(articles) > 100
    for paragraphs in articles:
        body, parts = pre_analyze_paragraphs(schema["body"], paragraphs)
        assert sorted(body) == sorted(schema["body"].index("\n\n".join(paragraphs)))
        for text, part in zip(paragraphs, parts):
            assert sorted(part) == sorted(schema["text"].index(text))


def test_term_spans_equal_the_highlighters_analysis_on_the_corpus() -> None:
    analyzer = text_analyzer()
    checked = 0
    for paragraphs in _corpus_paragraphs():
        for text in paragraphs:
            tokens = analyzer(text, chars=True, removestops=False, mode="query")
            assert list(term_spans(text)) == [(t.text, t.startchar, t.endchar) for t in tokens]
            checked += 1
    assert checked > 900
