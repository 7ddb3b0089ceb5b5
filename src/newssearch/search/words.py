"""Distinctive words: the words most over-represented in a query's matches compared with the
whole archive (Elasticsearch's "significant terms", Media Cloud's "top words").

The ``words`` facet (``--facet words``) reads a sample of the matching articles (all of them
up to :data:`SAMPLE`, else an even spread of :data:`SAMPLE`: their titles and first
:data:`PARAGRAPHS` paragraphs), counts in how many of them each word appears, and compares
that share with the word's share of all articles, taken from the index's own document
frequencies of the ``body`` field (kept per open index). The score is JLH's,
``(fg - bg) * fg / bg`` for the foreground and background shares: it favours words both
common in the matches and rare elsewhere. A value is the word as written most often in the
sample (a query for it finds its stem); its count is the number of sampled matches that
hold it. The work stops at :data:`SECONDS` of CPU time (the sample read so far is used).
"""

from __future__ import annotations

import re
import time
import weakref
from collections import Counter
from collections.abc import Collection
from typing import Any

from ..store.schema import term_positions
from .facets import FacetContext, FacetValues, StoredValues, TermsFacet, register_facet
from .results import FacetResult, FacetValue

#: Matching articles read at most.
SAMPLE = 150
#: Paragraphs read from each sampled article (after its title).
PARAGRAPHS = 6
#: Fewest sampled matches a word must appear in (fewer when the sample is small).
MIN_DOCS = 3
#: CPU seconds the sampling may take.
SECONDS = 0.25

_NUMBER = re.compile(r"^[\d._]+$")
#: Per open reader: the number of articles and the body's document frequencies looked up.
_BACKGROUND: weakref.WeakKeyDictionary[Any, tuple[int, dict[str, int]]] = weakref.WeakKeyDictionary()


def _background(reader: Any) -> tuple[int, dict[str, int]]:
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


def distinctive(reader: Any, docs: Collection[int], top: int, *, sample: int = SAMPLE, seconds: float = SECONDS) -> FacetResult:
    """The ``top`` words most over-represented in ``docs`` against all articles."""
    from whoosh.lang.porter import stem

    started = time.thread_time()
    articles, frequencies = _background(reader)
    fg: Counter[str] = Counter()
    surface: Counter[str] = Counter()
    read = 0
    for docnum in _sample(docs, sample):
        words: Counter[str] = Counter()
        terms = term_positions(_article_text(reader, docnum, PARAGRAPHS), words)
        fg.update(t for t in terms if len(t) > 2 and not _NUMBER.match(t))
        surface.update(words)
        read += 1
        if time.thread_time() - started > seconds:
            break
    if not read:
        return FacetResult(name="words", values=[])
    least = min(MIN_DOCS, max(1, read // 10))
    scored: list[tuple[float, str, int]] = []
    for term, n in fg.items():
        if n < least:
            continue
        bg_n = frequencies.get(term)
        if bg_n is None:
            bg_n = frequencies[term] = reader.doc_frequency("body", term)
        fg_share = n / read
        bg_share = max(bg_n, 1) / articles
        if fg_share <= bg_share:
            continue
        scored.append(((fg_share - bg_share) * fg_share / bg_share, term, n))
    scored.sort(key=lambda x: (-x[0], x[1]))
    kept = scored[:top] if top > 0 else scored
    spelled: dict[str, tuple[int, str]] = {}
    wanted = {term for _, term, _ in kept}
    for word, n in surface.items():
        w = word.lower()
        s = stem(w)
        if s in wanted and (s not in spelled or n > spelled[s][0]):
            spelled[s] = (n, w)
    values = [FacetValue(value=spelled.get(term, (0, term))[1], count=n, label=spelled.get(term, (0, term))[1]) for _, term, n in kept]
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
