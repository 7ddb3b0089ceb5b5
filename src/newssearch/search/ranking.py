"""Exact BM25 ranking of word queries straight from posting blocks.

Whoosh ranks by walking a tree of matcher objects, a few method calls per posting per
term, and cannot skip much on news text (every block of a common word holds a short
article that could reach the top ten). For the most common query shapes: words, ``AND``,
``OR`` and ``NOT`` of words, with the title's words as a score-only clause (see
:func:`~newssearch.search.query.with_title_boost`). :class:`WordRanker` instead reads each word's
posting list a block at a time, scores all its postings in one comprehension with Whoosh's
own BM25F statistics (idf, average field length, the stored field lengths), and combines
the words with dict and set operations. It returns every match (the exact total, what
facets count) and the top ``n`` by score, ties by document number, as Whoosh does.
``tests/test_ranking.py`` checks both against Whoosh's exhaustive matcher. Other shapes
(phrases, ranges, wildcards not yet expanded, boosts) return None: the caller uses Whoosh.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from whoosh import query as wq
from whoosh.util.numeric import byte_to_length

_LENGTH = [byte_to_length(b) for b in range(256)]


@dataclass
class _Plan:
    """The query in a shape :class:`WordRanker` evaluates."""

    op: str  # "and" or "or"
    terms: list[tuple[str, str]]
    negated: list[tuple[str, str]]
    boosts: list[tuple[str, str]]  # score-only terms (the title clause)


def plan(q: wq.Query) -> _Plan | None:
    """The plan for ``q``, or None when it is not a shape the ranker handles."""
    boosts: list[tuple[str, str]] = []
    if isinstance(q, wq.AndMaybe):
        extra = q.b.subqueries if isinstance(q.b, wq.Or) else [q.b]
        if not all(_plain_term(t) for t in extra):
            return None
        boosts = [(t.fieldname, t.text) for t in extra]
        q = q.a
    if _plain_term(q):
        return _Plan("and", [(q.fieldname, q.text)], [], boosts)
    if isinstance(q, wq.And) and type(q) is wq.And:
        terms, negated = [], []
        for sub in q.subqueries:
            if isinstance(sub, wq.Not) and _plain_term(sub.query):
                negated.append((sub.query.fieldname, sub.query.text))
            elif _plain_term(sub):
                terms.append((sub.fieldname, sub.text))
            else:
                return None
        return _Plan("and", terms, negated, boosts) if terms else None
    if isinstance(q, wq.Or) and type(q) is wq.Or and getattr(q, "minmatch", 0) in (0, 1, None):
        if all(_plain_term(sub) for sub in q.subqueries) and q.subqueries:
            return _Plan("or", [(s.fieldname, s.text) for s in q.subqueries], [], boosts)
    return None


def _plain_term(q: wq.Query) -> bool:
    return type(q) is wq.Term and q.boost == 1.0 and isinstance(q.text, str)


class WordRanker:
    """Ranks planned word queries on one open Whoosh searcher (see the module docstring)."""

    def __init__(self, searcher: Any, B: float = 0.75, K1: float = 1.2) -> None:
        self._searcher = searcher
        self._B = B
        self._K1 = K1
        self._segments = [(reader, offset) for reader, offset in searcher.reader().leaf_readers()]
        self._lengths: dict[tuple[int, str], bytes] = {}

    def run(self, p: _Plan, n: int, allowed: set[int] | None = None) -> tuple[list[int], list[tuple[int, float]]]:
        """Every matching document and the top ``n`` (document, score), best first."""
        matched: list[int] = []
        scores: list[tuple[int, float]] = []
        for index, (reader, offset) in enumerate(self._segments):
            found = self._segment(p, index, reader, offset)
            if not found:
                continue
            if allowed is not None:
                found = {d: s for d, s in found.items() if d + offset in allowed}
            if offset:
                matched.extend([d + offset for d in found])
                scores.extend([(d + offset, s) for d, s in found.items()])
            else:
                matched.extend(found)
                scores.extend(found.items())
        return matched, _top(scores, n)

    # -- one segment -----------------------------------------------------------------------

    def _segment(self, p: _Plan, index: int, reader: Any, offset: int) -> dict[int, float] | None:
        found: dict[int, float] | None = None
        # the rarest word first: an intersection never grows
        terms = sorted(p.terms, key=lambda t: reader.doc_frequency(*t)) if p.op == "and" else p.terms
        for fieldname, text in terms:
            scored = self._scored(index, reader, fieldname, text)
            if p.op == "and":
                if found is None:
                    found = scored
                else:
                    found = {d: s + scored[d] for d, s in found.items() if d in scored}
                if not found:
                    return None
            else:
                if found is None:
                    found = dict(scored)
                else:
                    for d, s in scored.items():
                        found[d] = found.get(d, 0.0) + s
        if not found:
            return None
        for fieldname, text in p.negated:
            if (fieldname, text) in reader:
                for d in self._ids(reader, fieldname, text):
                    found.pop(d, None)
        for fieldname, text in p.boosts:
            if (fieldname, text) not in reader:
                continue
            for d, s in self._scored(index, reader, fieldname, text).items():
                if d in found:
                    found[d] += s
        return found

    def _scored(self, index: int, reader: Any, fieldname: str, text: str) -> dict[int, float]:
        """Segment document → this word's BM25 score, for every posting of the word."""
        if (fieldname, text) not in reader:
            return {}
        ids, weights = self._postings(reader, fieldname, text)
        searcher = self._searcher
        idf = searcher.idf(fieldname, text)
        avgfl = searcher.avg_field_length(fieldname) or 1
        B, K1 = self._B, self._K1
        lengths = self._field_lengths(index, reader, fieldname)
        k1p1 = K1 + 1
        # Whoosh's bm25(): idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl))); the
        # length part has only 256 values (lengths are stored as one byte): computed once each
        norm = [K1 * ((1 - B) + B * fl / avgfl) for fl in _LENGTH]
        if ids and ids[-1] >= len(lengths):  # (a document without a stored length: 0)
            lengths = lengths + bytes(ids[-1] + 1 - len(lengths))
        return {d: idf * ((w * k1p1) / (w + norm[lengths[d]])) for d, w in zip(ids, weights)}

    def _ids(self, reader: Any, fieldname: str, text: str) -> Iterable[int]:
        return self._postings(reader, fieldname, text)[0]

    @staticmethod
    def _postings(reader: Any, fieldname: str, text: str) -> tuple[list[int], list[float]]:
        """A word's (segment) document numbers and weights, a block at a time when the
        posting list is a plain block list (else posting by posting)."""
        m = reader.postings(fieldname, text)
        ids: list[int] = []
        weights: list[float] = []
        if all(hasattr(m, a) for a in ("_read_ids", "_read_weights", "_ids", "_weights", "_atend", "_lastblock", "_goto", "_nextoffset", "_i")):
            while not m._atend:
                if m._ids is None:
                    m._read_ids()
                if m._weights is None:
                    m._read_weights()
                start = m._i
                ids.extend(m._ids[start:])
                weights.extend(m._weights[start:])
                if m._lastblock:
                    break
                m._goto(m._nextoffset)
            return ids, weights
        while m.is_active():  # inlined one-posting lists, lists filtered for deleted documents
            ids.append(m.id())
            weights.append(m.weight())
            m.next()
        return ids, weights

    def _field_lengths(self, index: int, reader: Any, fieldname: str) -> bytes:
        """The segment's stored field-length bytes, one per document (read once)."""
        key = (index, fieldname)
        raw = self._lengths.get(key)
        if raw is None:
            raw = b""
            perdoc = getattr(reader, "_perdoc", None)
            column = perdoc._cached_reader(f"_{fieldname}_len", _lengths_column()) if perdoc is not None else None
            if column is not None and hasattr(column, "_dbfile"):
                raw = bytes(column._dbfile.get(column._basepos, column._count * column._fixedlen))
            elif column is not None:
                raw = bytes(b[0] if isinstance(b, bytes) else int(b) for b in column)
            self._lengths[key] = raw
        return raw


def _top(scores: list[tuple[int, float]], n: int) -> list[tuple[int, float]]:
    """The ``n`` best (document, score) pairs: highest score first, ties by document number."""
    if len(scores) > n:
        threshold = heapq.nlargest(n, [s for _, s in scores])[-1]
        scores = [ds for ds in scores if ds[1] >= threshold]
    scores.sort(key=lambda ds: (-ds[1], ds[0]))
    return scores[:n]


def _lengths_column() -> Any:
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN

    return LENGTHS_COLUMN
