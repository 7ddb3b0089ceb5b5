"""Distinctive words: the words most over-represented in a query's matches compared with the
whole archive (Elasticsearch's "significant terms", Media Cloud's "top words").

The ``words`` facet (``--facet words``) reads a sample of the matching articles (all of them
up to :data:`SAMPLE`, else an even spread of :data:`SAMPLE`: their titles and first
:data:`PARAGRAPHS` paragraph), counts in how many of them each word appears, and compares
that share with the word's share of all articles, taken from the index's own document
frequencies of the ``body`` field (each word's looked up once per open index; from the
:data:`TABLE_FROM`-th words facet of one open index on, as in a server, the whole field's
are read at once instead). The score is JLH's,
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
#: From this words facet of one open index on, the document frequencies of every word of
#: the ``body`` field are read at once (0.35 s on 100k articles in 28 segments, the cost of
#: some 2,000 lookups, where a query looks up to 300 words): a long-lived searcher (the web
#: server) then looks up nothing, a one-shot query (the CLI) never reads them all.
TABLE_FROM = 2

_WORD = re.compile(r"[^\W\d_]{3,}")
class _Background:
    """Per open reader: the number of articles, and each word's indexed term and its
    document frequency in the ``body`` field (looked up once, or all read at once: see
    :data:`TABLE_FROM`)."""

    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self.articles = max(1, reader.doc_frequency("kind", "article") or reader.doc_count())
        self.known: dict[str, tuple[str, int]] = {}
        self.table: dict[str, int] | None = None
        self.calls = 0

    def called(self) -> None:
        """Count a words facet; read the whole table from the :data:`TABLE_FROM`-th on."""
        self.calls += 1
        if self.table is None and self.calls >= TABLE_FROM:
            from ..store.reading import doc_frequencies  # (the store is imported by searches only)

            self.table = doc_frequencies(self.reader, "body")

    def term(self, word: str) -> tuple[str, int]:
        """The indexed term of ``word`` ("" for a stopword) and its articles."""
        found = self.known.get(word)
        if found is None:
            from ..store.schema import term_positions  # (the store is imported by searches only)

            terms = list(term_positions(word))
            term = terms[0] if len(terms) == 1 else ""
            if not term:
                docs = 0
            elif self.table is not None:
                docs = self.table.get(term, 0)
            else:
                docs = self.reader.doc_frequency("body", term)
            found = self.known[word] = (term, docs)
        return found


_BACKGROUND: weakref.WeakKeyDictionary[Any, _Background] = weakref.WeakKeyDictionary()


def _background(reader: Any) -> _Background:
    found = _BACKGROUND.get(reader)
    if found is None:
        found = _BACKGROUND[reader] = _Background(reader)
    return found


def _sample(docs: Collection[int], size: int) -> list[int]:
    ordered = sorted(docs)
    if len(ordered) <= size:
        return ordered
    step = len(ordered) / size
    return [ordered[int(i * step)] for i in range(size)]


def _article_text(reader: Any, docnum: int, paragraphs: int, total: int | None = None) -> str:
    """The title and first paragraphs of the article at ``docnum`` (or a paragraph's text)."""
    fields = reader.stored_fields(docnum)
    if fields.get("kind") == "paragraph":
        return str(fields.get("text") or "")
    parts = [str(fields.get("title") or "")]
    count = min(int(fields.get("paragraphs") or 0), paragraphs)
    total = reader.doc_count_all() if total is None else total  # (summed over the segments: once per call of distinctive)
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
    background = _background(reader)
    background.called()  # (before the clock starts: reading the whole table is not the sample's time)
    articles, known = background.articles, background.known
    total = reader.doc_count_all()
    started = time.thread_time()
    fg: Counter[str] = Counter()  # word -> sampled documents holding it
    read = 0
    for docnum in _sample(docs, sample):
        fg.update(set(_WORD.findall(_article_text(reader, docnum, PARAGRAPHS, total).lower())))
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
        term, _ = background.term(word)
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
