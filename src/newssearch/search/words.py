"""Distinctive words: the words most over-represented in a query's matches compared with the
whole archive (Elasticsearch's "significant terms", Media Cloud's "top words").

The ``words`` facet (``--facet words``) reads a sample of the matching articles (all of them
up to :data:`SAMPLE`, else an even spread of :data:`SAMPLE`: their titles and first
:data:`PARAGRAPHS` paragraph), counts in how many of them each word appears, and compares
that share with the word's share of all articles, taken from the index's own document
frequencies of the ``body`` field (each word's looked up once per open index). The score is JLH's,
``(fg - bg) * fg / bg`` for the foreground and background shares: it favours words both
common in the matches and rare elsewhere. Spellings of one indexed term count together (the
value is the one seen in most sampled matches; a query for it finds them all); a count is
the number of sampled matches holding the word. The work stops at :data:`SECONDS` of CPU time (the sample read so far is used).
"""

from __future__ import annotations

import re
import time
import weakref
from collections import Counter
from collections.abc import Collection
from typing import Any

from .facets import FacetContext, FacetValues, StoredValues, TermsFacet, register_facet
from .results import FacetResult, FacetValue

#: Matching articles read at most.
SAMPLE = 100
#: Paragraphs read from each sampled article (after its title): the lede says what it is about.
PARAGRAPHS = 1
#: Fewest sampled matches a word must appear in (fewer when the sample is small).
MIN_DOCS = 3
#: The sample's most common words compared with the archive (each new word is looked up once).
CANDIDATES = 300
#: CPU seconds the sampling may take.
SECONDS = 0.1

_WORD = re.compile(r"[^\W\d_]{3,}")
#: Per open reader: the number of articles, and each word's indexed term and its document
#: frequency in the ``body`` field (looked up once).
_BACKGROUND: weakref.WeakKeyDictionary[Any, tuple[int, dict[str, tuple[str, int]]]] = weakref.WeakKeyDictionary()


def _background(reader: Any) -> tuple[int, dict[str, tuple[str, int]]]:
    found = _BACKGROUND.get(reader)
    if found is None:
        articles = reader.doc_frequency("kind", "article") or reader.doc_count()
        found = (max(1, articles), {})
        _BACKGROUND[reader] = found
    return found


def _sample(docs: Collection[int], size: int) -> list[int]:
    ordered = sorted(docs)
    if len(ordered) <= size:
        return ordered
    step = len(ordered) / size
    return [ordered[int(i * step)] for i in range(size)]


def _article_text(reader: Any, docnum: int, paragraphs: int) -> str:
    """The title and first paragraphs of the article at ``docnum`` (or a paragraph's text)."""
    fields = reader.stored_fields(docnum)
    if fields.get("kind") == "paragraph":
        return str(fields.get("text") or "")
    parts = [str(fields.get("title") or "")]
    count = min(int(fields.get("paragraphs") or 0), paragraphs)
    total = reader.doc_count_all()
    for pos in range(count):
        d = docnum + 1 + pos
        if d >= total:
            break
        para = reader.stored_fields(d)
        if para.get("article_id") != fields.get("id") or para.get("pos") != pos:
            break
        parts.append(str(para.get("text") or ""))
    return "\n".join(parts)


def _term(word: str, known: dict[str, tuple[str, int]], reader: Any) -> tuple[str, int]:
    """The indexed term of ``word`` ("" for a stopword) and its articles, looked up once."""
    found = known.get(word)
    if found is None:
        from ..store.schema import term_positions  # (the store is imported by searches only)

        terms = list(term_positions(word))
        term = terms[0] if len(terms) == 1 else ""
        found = known[word] = (term, reader.doc_frequency("body", term) if term else 0)
    return found


def distinctive(reader: Any, docs: Collection[int], top: int, *, sample: int = SAMPLE, seconds: float = SECONDS) -> FacetResult:
    """The ``top`` words most over-represented in ``docs`` against all articles."""
    started = time.thread_time()
    articles, known = _background(reader)
    fg: Counter[str] = Counter()  # word -> sampled documents holding it
    read = 0
    for docnum in _sample(docs, sample):
        fg.update(set(_WORD.findall(_article_text(reader, docnum, PARAGRAPHS).lower())))
        read += 1
        if time.thread_time() - started > seconds:
            break
    if not read:
        return FacetResult(name="words", values=[])
    least = min(MIN_DOCS, max(1, read // 10))
    by_term: dict[str, tuple[int, int, str]] = {}  # term -> (documents, the most common spelling's count, spelling)
    for word, n in fg.most_common(CANDIDATES):
        if n < least:
            break
        term, _ = _term(word, known, reader)
        if not term:
            continue
        docs_n, best_n, best = by_term.get(term, (0, 0, word))
        by_term[term] = (max(docs_n, n), max(best_n, n), word if n > best_n else best)
    scored: list[tuple[float, str, int]] = []
    for n, _, word in by_term.values():
        fg_share = n / read
        bg_share = max(known[word][1], 1) / articles
        if fg_share > bg_share:
            scored.append(((fg_share - bg_share) * fg_share / bg_share, word, n))
    scored.sort(key=lambda x: (-x[0], x[1]))
    kept = scored[:top] if top > 0 else scored
    values = [FacetValue(value=word, count=n) for _, word, n in kept]
    return FacetResult(name="words", values=values, other_values=len(scored) - len(kept), missing=0)


@register_facet
class WordsFacet(TermsFacet):
    """Words over-represented in the matches compared with the whole archive (see the module
    docstring); counts are of a sample of up to :data:`SAMPLE` matches."""

    name = "words"
    fieldname = "body"
    description = "distinctive words of the matches (against the whole archive)"

    def __init__(self, context: FacetContext | None = None) -> None:
        super().__init__(context)

    def count(self, values: FacetValues | StoredValues, docs: Collection[int], top: int) -> FacetResult:
        """The ``top`` distinctive words of ``docs``."""
        reader = getattr(values, "reader", None)
        if reader is None:
            return FacetResult(name=self.name, values=[])
        return distinctive(reader, docs, top)
