"""Snippets: where an article's paragraphs are in the index, and which of them best match a query.

An article is one document, its paragraphs the documents written right after it
(:mod:`newssearch.store.documents`). :class:`Paragraphs` finds them (by position, checked,
else by ``article_id``), reads their text, and picks each hit's best matching paragraphs:
with query words, only the hits' own paragraphs are looked up in the words' postings and
scored here (rarer words weigh more), so the cost does not grow with the index. Marking the
words in the chosen paragraphs is :func:`~newssearch.search.highlight.highlight`'s job.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

from whoosh import query as wq

from ..store.schema import phrase_spans
from .budget import QueryBudget
from .filters import FilterSets
from .highlight import highlight
from .postings import read_postings
from .query import EXACT_FIELDS, EXACT_MARK, TEXT_FIELDS, content_terms, to_paragraphs
from .ranking import WordRanker
from .request import Level
from .results import Snippet


def highlight_words(q: wq.Query, reader: Any) -> set[str]:
    """The analysed words to mark in snippets: the query's own text words, and the index's
    words its wildcards, prefixes and fuzzy words stand for."""
    words = content_terms(q)
    try:
        for fieldname, text in q.existing_terms(reader, phrases=True, expand=True):
            word = text.decode("utf-8") if isinstance(text, bytes) else text
            if fieldname in TEXT_FIELDS:
                words.add(word)
            elif fieldname in EXACT_FIELDS:
                words.add(EXACT_MARK + word)
    except (ValueError, TypeError):
        pass
    return words


def query_phrases(q: wq.Query) -> tuple[tuple[str, ...], ...]:
    """The phrases (their analysed words) of the query's text parts, each once."""
    found: list[tuple[str, ...]] = []

    def walk(node: wq.Query) -> None:
        if isinstance(node, wq.Phrase):
            words = tuple(str(w) for w in node.words)
            if node.fieldname in TEXT_FIELDS and len(words) > 1 and words not in found:
                found.append(words)
        elif not node.is_leaf():
            for child in node.children():
                walk(child)

    walk(q)
    return tuple(found)


@dataclass(frozen=True)
class Marks:
    """What a query marks in its snippets: ``words`` (analysed; ``=word`` for exact words)
    score paragraphs; ``phrases`` are marked as one span each, and ``single`` are the words
    marked on their own (a word of a phrase only where the phrase is, unless the query also
    asks for it alone)."""

    words: set[str] = field(default_factory=set)
    phrases: tuple[tuple[str, ...], ...] = ()
    single: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, q: wq.Query, reader: Any) -> Marks:
        """The marks of query ``q`` (its wildcards, prefixes and fuzzy words expanded in ``reader``)."""
        words = highlight_words(q, reader)
        phrases = query_phrases(q)
        if not phrases:
            return cls(words, (), words)
        alone = {text for fieldname, text in q.iter_all_terms(phrases=False) if fieldname in TEXT_FIELDS}
        in_phrases = {w for phrase in phrases for w in phrase}
        return cls(words, phrases, {w for w in words if w not in in_phrases or w in alone})

    def snippet(self, text: str, paragraph: int = 0, score: float = 0.0, language: str | None = None) -> Snippet:
        """``text`` (in ``language``) with these marks (see :func:`~newssearch.search.highlight.highlight`)."""
        return highlight(text, self.single, paragraph, score, self.phrases, language)


#: A hit's best paragraphs by words that are looked at for a phrase of the query.
PHRASE_CANDIDATES = 12


class Paragraphs:
    """The paragraph documents of one open index (a Whoosh searcher), its ranker's posting
    reads and its document sets."""

    def __init__(self, searcher: Any, ranker: WordRanker, sets: FilterSets) -> None:
        self._searcher = searcher
        self._ranker = ranker
        self._sets = sets

    # -- layout --------------------------------------------------------------------------

    def docs(self, docnum: int, fields: dict[str, Any]) -> dict[int, int]:
        """The paragraph documents (docnum → position in the article) of the article at
        ``docnum`` with stored ``fields``.

        An article's paragraphs are written right after it, merged in order and deleted
        with it, so they are the next ``paragraphs`` documents; if the index says otherwise
        (checked on the first one), they are looked up by ``article_id``."""
        count = fields.get("paragraphs") or 0
        if count:
            first = self._searcher.stored_fields(docnum + 1) if docnum + 1 < self._searcher.doc_count_all() else {}
            if first.get("article_id") == fields["id"] and first.get("pos") == 0:
                return {docnum + 1 + pos: pos for pos in range(count)}
        stored = self._searcher.stored_fields
        found = {}
        for d in self._searcher.docs_for_query(wq.Term("article_id", fields["id"])):
            para = stored(d)
            if para.get("kind") == "paragraph":
                found[d] = para.get("pos", 0)
        return found

    def stored(self, article_id: str) -> list[dict[str, Any]]:
        """Stored fields of an article's paragraphs (one short posting list, no kind scan)."""
        stored = self._searcher.stored_fields
        docs = self._searcher.docs_for_query(wq.Term("article_id", article_id))
        return [f for f in map(stored, docs) if f.get("kind") == "paragraph"]

    def texts(self, article_id: str) -> list[str]:
        """The paragraphs of an article, in order."""
        ordered = sorted(self.stored(article_id), key=lambda f: f.get("pos", 0))
        return [f.get("text", "") for f in ordered]

    def text(self, docnum: int, fields: dict[str, Any], pos: int) -> str | None:
        """The text of paragraph ``pos`` of the article at ``docnum`` (with stored ``fields``)."""
        for para, at in self.docs(docnum, fields).items():
            if at == pos:
                return self._searcher.stored_fields(para).get("text")
        return None

    # -- the best paragraphs ---------------------------------------------------------------

    def best(
        self, articles: list[tuple[int, dict[str, Any]]], q: wq.Query, marks: Marks, n: int, budget: QueryBudget | None = None
    ) -> dict[str, list[Snippet]]:
        """Each article's ``n`` best paragraphs for the query, best first (article id → snippets).

        With query words, only these articles' paragraphs are looked up in the words'
        postings (only the blocks that hold a candidate are read) and scored here, rarer
        words weighing more, so the cost does not grow with the index; only the chosen
        paragraphs are read. A query of fields only (``person:…``, ``mentioned:…``) asks the
        index which paragraphs match. Past the query's time (``budget``), the words not
        looked up yet are left out of the paragraphs' scores.

        A paragraph holding more of the query's words comes first (``Bill Gates``: the one
        with the whole name before the one with ``Gates`` alone, however often), and with
        phrases, one holding a phrase first of all.
        """
        words = marks.words
        if not articles:
            return {}
        if not words:
            return self._matching([fields["id"] for _, fields in articles], q, n)
        reader = self._searcher.reader()
        owner: dict[int, str] = {}
        for docnum, fields in articles:
            for para in self.docs(docnum, fields):
                owner[para] = fields["id"]
        # the candidates of each segment, as segment document numbers (ascending)
        segments = self._ranker.segments
        starts = [offset for _, offset in segments]
        local: dict[int, list[int]] = {}
        for docnum in sorted(owner):
            index = bisect_right(starts, docnum) - 1
            local.setdefault(index, []).append(docnum - starts[index])
        total_docs = max(reader.doc_count(), 1)
        frequency = self._ranker.frequency
        scores: dict[int, float] = {}
        covered: dict[int, int] = {}
        for marked in words:
            if budget is not None and budget.out_of_time():
                break
            fieldname, word = ("exact_text", marked[len(EXACT_MARK) :]) if marked.startswith(EXACT_MARK) else ("text", marked)
            df = sum(frequency(index, fieldname, word) for index in range(len(segments)))
            if not df:
                continue
            idf = math.log(1 + total_docs / (1 + df))
            for index, wanted in local.items():
                segment, offset = segments[index]
                if not frequency(index, fieldname, word):
                    continue
                # only the blocks holding a candidate are read
                ids, weights, _ = read_postings(segment, fieldname, word, within=wanted)
                for d, weight in zip(ids, weights):
                    scores[d + offset] = scores.get(d + offset, 0.0) + idf * (1 + math.log(max(weight, 1.0)))
                    covered[d + offset] = covered.get(d + offset, 0) + 1
        ranked: dict[str, list[tuple[int, float, int]]] = {}
        for docnum, score in scores.items():
            ranked.setdefault(owner[docnum], []).append((-covered[docnum], -score, docnum))
        best: dict[str, list[Snippet]] = {}
        stored = self._searcher.stored_fields
        for article_id, found in ranked.items():
            found.sort()
            chosen: list[tuple[float, dict[str, Any], Snippet | None]] = []
            if marks.phrases:
                # the paragraphs holding a phrase first (looked for in the best few by words)
                looked = []
                for _, negscore, docnum in found[:PHRASE_CANDIDATES]:
                    fields = stored(docnum)
                    text = fields.get("text", "")
                    language = fields.get("language")
                    snippet = marks.snippet(text, fields.get("pos", 0), -negscore, language)
                    looked.append((bool(phrase_spans(text, marks.phrases, language)), -negscore, fields, snippet))
                looked.sort(key=lambda item: not item[0])  # (stable: by words within each kind)
                chosen = [(score, fields, snippet) for _, score, fields, snippet in looked[:n]]
            else:
                chosen = [(-negscore, stored(docnum), None) for _, negscore, docnum in found[:n]]
            best[article_id] = [
                snippet or marks.snippet(fields.get("text", ""), fields.get("pos", 0), score, fields.get("language"))
                for score, fields, snippet in chosen
            ]
        return best

    def _matching(self, ids: list[str], q: wq.Query, n: int) -> dict[str, list[Snippet]]:
        """The first ``n`` paragraphs of each article that match ``q`` itself (a query of fields only)."""
        if isinstance(q, wq.Every):
            return {}
        wanted = wq.Or([wq.Term("article_id", i) for i in ids])
        allowed = set(self._searcher.docs_for_query(wanted)) & self._sets.kind(Level.PARAGRAPH)
        if not allowed:
            return {}
        best: dict[str, list[Snippet]] = {}
        for hit in self._searcher.search(to_paragraphs(q), limit=None, filter=allowed):
            fields = hit.fields()
            found = best.setdefault(fields["article_id"], [])
            if len(found) < n:
                found.append(highlight(fields.get("text", ""), set(), fields.get("pos", 0), hit.score or 0.0, language=fields.get("language")))
        return best
