"""Marking the query's words in a paragraph, and cutting long paragraphs to a window."""

from __future__ import annotations

from ..store.analysis import initial
from ..store.schema import exact_spans, phrase_spans, term_spans
from .query import EXACT_MARK
from .results import Snippet

#: Paragraphs longer than this (characters) are cut to a window around the first match.
MAX_SNIPPET_CHARS = 480


def highlight(
    text: str,
    words: set[str],
    paragraph: int = 0,
    score: float = 0.0,
    phrases: tuple[tuple[str, ...], ...] = (),
    language: str | None = None,
) -> Snippet:
    """A snippet of ``text`` with every token whose analysed form (the text fields'
    analysis in the text's ``language``, see :func:`~newssearch.store.schema.term_spans`)
    is in ``words`` marked,
    every token that is one of the exact words (``=word`` in ``words``) as it is, and each
    occurrence of one of ``phrases`` (analysed words) as one span. A long paragraph is cut
    to a window centred on its first phrase, else its first marked word."""
    spans: list[tuple[int, int]] = []
    stems = {w for w in words if not w.startswith(EXACT_MARK)}
    if stems:
        found = ((start, end) for term, start, end in term_spans(text, {initial(w) for w in stems}, language) if term in stems)
        spans = list(dict.fromkeys(found))  # (a word with an exact form has two terms)
    if len(stems) < len(words):
        exact = {w[len(EXACT_MARK) :] for w in words if w.startswith(EXACT_MARK)}
        spans = sorted({*spans, *exact_spans(text, exact)})
    centre = None
    if phrases:
        located = phrase_spans(text, phrases, language)
        if located:
            centre = located[0]
            spans = _merge(located, spans)
    return _window(Snippet(text=text, highlights=spans, paragraph=paragraph, score=score), centre)


def _merge(phrases: list[tuple[int, int]], words: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Phrase spans and the word spans outside them, in order (overlapping phrases joined)."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(phrases):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    inside = out[:]
    for a, b in words:
        if not any(pa <= a and b <= pb for pa, pb in inside):
            out.append((a, b))
    return sorted(out)


def _window(snippet: Snippet, centre: tuple[int, int] | None = None) -> Snippet:
    text = snippet.text
    if len(text) <= MAX_SNIPPET_CHARS:
        return snippet
    if centre is None and snippet.highlights:
        centre = snippet.highlights[0]
    first = centre[0] if centre else 0
    middle = (centre[0] + centre[1]) // 2 if centre else 0
    start = max(0, min(middle - MAX_SNIPPET_CHARS // 2, len(text) - MAX_SNIPPET_CHARS))
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = min(len(text), start + MAX_SNIPPET_CHARS)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > (centre[1] if centre else start) else end
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    shift = len(prefix) - start
    spans = [(a + shift, b + shift) for a, b in snippet.highlights if a >= start and b <= end]
    return Snippet(text=prefix + text[start:end] + suffix, highlights=spans, paragraph=snippet.paragraph, score=snippet.score)
