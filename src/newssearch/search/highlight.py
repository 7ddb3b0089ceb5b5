"""Marking the query's words in a paragraph, and cutting long paragraphs to a window."""

from __future__ import annotations

from ..store.analysis import initial
from ..store.schema import term_spans
from .results import Snippet

#: Paragraphs longer than this (characters) are cut to a window around the first match.
MAX_SNIPPET_CHARS = 480


def highlight(text: str, words: set[str], paragraph: int = 0, score: float = 0.0, language: str | None = None) -> Snippet:
    """A snippet of ``text`` with every token whose analysed form (the text fields'
    analysis in the text's ``language``, see :func:`~newssearch.store.schema.term_spans`)
    is in ``words`` marked."""
    spans: list[tuple[int, int]] = []
    if words:
        found = ((start, end) for term, start, end in term_spans(text, {initial(w) for w in words}, language) if term in words)
        spans = list(dict.fromkeys(found))  # (a word with an exact form has two terms)
    return _window(Snippet(text=text, highlights=spans, paragraph=paragraph, score=score))


def _window(snippet: Snippet) -> Snippet:
    text = snippet.text
    if len(text) <= MAX_SNIPPET_CHARS:
        return snippet
    first = snippet.highlights[0][0] if snippet.highlights else 0
    start = max(0, first - MAX_SNIPPET_CHARS // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = min(len(text), start + MAX_SNIPPET_CHARS)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    shift = len(prefix) - start
    spans = [(a + shift, b + shift) for a, b in snippet.highlights if a >= start and b <= end]
    return Snippet(text=prefix + text[start:end] + suffix, highlights=spans, paragraph=snippet.paragraph, score=snippet.score)
