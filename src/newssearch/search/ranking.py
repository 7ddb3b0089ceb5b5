"""Exact BM25 ranking of word and phrase queries straight from posting blocks.

Whoosh ranks by walking a tree of matcher objects, a few method calls per posting per term,
and cannot skip much on news text (every block of a common word holds a short article that
could reach the top ten). For the most common query shapes (words and phrases with ``AND``,
``OR`` and ``NOT``, the title's words as a score-only clause, see
:func:`~newssearch.search.query.with_title_boost`), :class:`WordRanker` instead reads each
word's posting list a block at a time, scores all its postings in one comprehension with
Whoosh's own BM25F statistics (idf, average field length, the stored length bytes), and
combines the words with dict operations. A part may also be any of several words (an
expanded wildcard, prefix or fuzzy word: an ``Or`` of words inside an ``AND`` or a ``NOT``),
scored as Whoosh scores an ``Or``: the sum of the words a document holds. A phrase is checked on
its words' positions (read from the same blocks, only for the documents holding every word)
and scores the sum of its words, as Whoosh's span matcher does. The ranker returns every match (the exact total, what facets count) and the
top ``n`` by score, ties by document number, as Whoosh does; ``tests/test_ranking.py`` checks
both against Whoosh's exhaustive matcher. The scored lists of common words are kept between
queries (:class:`~newssearch.search.postings.PostingCache`), and each segment's document
frequencies once looked up. For other shapes
(ranges, wildcards left unexpanded, boosts, a lone ``NOT``) :func:`plan` returns None and the
caller uses Whoosh.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Collection
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, TypeGuard

from whoosh import query as wq

from ..store.reading import LENGTH_OF_BYTE, decode_positions, segment_postings
from .postings import PostingCache, few_wanted, read_postings

#: Document frequencies a ranker remembers (segment, field, word) before starting over.
MAX_FREQUENCIES = 200_000

Leaf = tuple[str, tuple[str, ...]]  # (field, words): one word is a term, more a phrase


@dataclass(frozen=True)
class AnyOf:
    """Any of several terms or phrases (an expanded wildcard, prefix or fuzzy word): a
    document matches if it holds one, and scores the sum of those it holds."""

    leaves: tuple[Leaf, ...]


Part = Leaf | AnyOf


@dataclass
class _Plan:
    """The query in a shape :class:`WordRanker` evaluates."""

    op: str  # "and" or "or"
    terms: list[Part]
    negated: list[Part]
    boosts: list[Leaf]  # score-only terms and phrases (the title clause)


def plan(q: wq.Query, scorable: Collection[str]) -> _Plan | None:
    """The plan for ``q``, or None when it is not a shape the ranker handles. Every field it
    names must be in ``scorable`` (fields with stored lengths, which Whoosh scores by BM25)."""
    found = _plan(q)
    if found is None:
        return None
    leaves = [*_leaves(found.terms), *_leaves(found.negated), *found.boosts]
    if any(field not in scorable for field, _ in leaves):
        return None
    return found


def _leaves(parts: list[Part]) -> list[Leaf]:
    out: list[Leaf] = []
    for part in parts:
        out.extend(part.leaves if isinstance(part, AnyOf) else [part])
    return out


def _plan(q: wq.Query) -> _Plan | None:
    boosts: list[Leaf] = []
    if isinstance(q, wq.AndMaybe):
        extra = q.b.subqueries if type(q.b) is wq.Or else [q.b]
        leaves = [_leaf(t) for t in extra]
        if any(leaf is None for leaf in leaves):
            return None
        boosts = [leaf for leaf in leaves if leaf is not None]
        q = q.a
    single = _leaf(q)
    if single is not None:
        return _Plan("and", [single], [], boosts)
    if type(q) is wq.And:
        terms: list[Part] = []
        negated: list[Part] = []
        for sub in q.subqueries:
            part = _part(sub.query) if isinstance(sub, wq.Not) else _part(sub)
            if part is None:
                return None
            (negated if isinstance(sub, wq.Not) else terms).append(part)
        return _Plan("and", terms, negated, boosts) if terms else None
    if _plain_or(q):
        parts = [_part(sub) for sub in q.subqueries]
        if all(part is not None for part in parts):
            return _Plan("or", [part for part in parts if part is not None], [], boosts)
    return None


def _plain_or(q: wq.Query) -> TypeGuard[wq.Or]:
    """An ``Or`` that matches what any of its parts matches and scores their sum."""
    return type(q) is wq.Or and getattr(q, "minmatch", 0) in (0, 1, None) and bool(q.subqueries) and q.boost == 1.0


def _any(q: wq.Query) -> AnyOf | None:
    """An ``Or`` of terms, phrases and such ``Or``s as one part (the sum of sums is the sum),
    or None."""
    if not _plain_or(q):
        return None
    leaves: list[Leaf] = []
    for sub in q.subqueries:
        part = _part(sub)
        if part is None:
            return None
        leaves.extend(part.leaves if isinstance(part, AnyOf) else [part])
    return AnyOf(tuple(leaves))


def _part(q: wq.Query) -> Part | None:
    return _leaf(q) or _any(q)


def _leaf(q: wq.Query) -> Leaf | None:
    if type(q) is wq.Term and q.boost == 1.0 and isinstance(q.text, str):
        return (q.fieldname, (q.text,))
    if type(q) is wq.Phrase and q.boost == 1.0 and q.slop == 1 and q.words and all(isinstance(w, str) for w in q.words):
        return (q.fieldname, tuple(q.words))
    return None


def _tree_sum(values: list[float]) -> float:
    """Sum in the order of Whoosh's binary matcher tree (a + (b + c)), for equal floats."""
    if len(values) == 1:
        return values[0]
    half = len(values) // 2
    return _tree_sum(values[:half]) + _tree_sum(values[half:])


class WordRanker:
    """Ranks planned word queries on one open Whoosh searcher (see the module docstring)."""

    def __init__(self, searcher: Any, B: float = 0.75, K1: float = 1.2, cache: PostingCache | None = None) -> None:
        self._searcher = searcher
        self.cache = cache if cache is not None else PostingCache()
        self._B = B
        self._K1 = K1
        #: The segment readers with the document number each one starts at, in order.
        self.segments = [(reader, offset) for reader, offset in searcher.reader().leaf_readers()]
        self._lengths: dict[tuple[int, str], bytes] = {}
        self._norm: dict[str, list[float]] = {}
        self._frequencies: dict[tuple[int, str, str], int] = {}

    def run(
        self, p: _Plan, n: int, allowed: set[int] | None = None, docs: bool = True, check: Callable[[str], None] | None = None
    ) -> tuple[int, list[int], list[tuple[int, float]]]:
        """The number of matching documents, every one of them (when ``docs``; else an
        empty list) and the top ``n`` (document, score), best first. ``check`` is called
        before each word of each segment is read (a query's clock: it raises to stop)."""
        total = 0
        matched: list[int] = []
        best: list[tuple[int, float]] = []
        for index, (reader, offset) in enumerate(self.segments):
            found = self._segment(p, index, reader, offset, check)
            if not found:
                continue
            if allowed is not None:
                found = {d: s for d, s in found.items() if d + offset in allowed}
            total += len(found)
            if docs:
                matched.extend([d + offset for d in found] if offset else found)
            top = _top(found, n)
            best.extend([(d + offset, s) for d, s in top] if offset else top)
        best.sort(key=_by_rank)
        return total, matched, best[:n]

    # -- one segment -----------------------------------------------------------------------

    def _segment(self, p: _Plan, index: int, reader: Any, offset: int, check: Callable[[str], None] | None = None) -> dict[int, float] | None:
        found: dict[int, float] | None = None
        # the rarest first: an intersection never grows, and later words score only what is left
        terms = sorted(p.terms, key=lambda part: self._rarity(index, part)) if p.op == "and" else p.terms
        for part in terms:
            if check is not None:
                check("ranking")
            if p.op == "and":
                scored = self._scored_part(index, reader, part, found, check)
                found = scored if found is None else {d: s + scored[d] for d, s in found.items() if d in scored}
                if not found:
                    return None
            else:
                scored = self._scored_part(index, reader, part, None, check)
                if found is None:
                    found = dict(scored)
                else:
                    for d, s in scored.items():
                        found[d] = found.get(d, 0.0) + s
        if not found:
            return None
        for part in p.negated:
            for d in self._scored_part(index, reader, part, found, check):
                found.pop(d, None)
        for leaf in p.boosts:
            for d, s in self._scored(index, reader, leaf, within=found).items():
                found[d] += s
        return found

    def _scored_part(
        self, index: int, reader: Any, part: Part, within: Collection[int] | None, check: Callable[[str], None] | None
    ) -> dict[int, float]:
        """:meth:`_scored` for a term, a phrase or any of several (their scores summed)."""
        if not isinstance(part, AnyOf):
            return self._scored(index, reader, part, within)
        total: dict[int, float] = {}
        for leaf in part.leaves:
            if check is not None:
                check("ranking")
            for d, s in self._scored(index, reader, leaf, within).items():
                total[d] = total.get(d, 0.0) + s
        return total

    def _scored(self, index: int, reader: Any, leaf: Leaf, within: Collection[int] | None = None) -> dict[int, float]:
        """Segment document → the leaf's BM25 score, for every document the leaf matches
        (only those in ``within`` when given: the rest are read, not scored)."""
        fieldname, words = leaf
        frequencies = [self.frequency(index, fieldname, w) for w in words]
        if not all(frequencies):
            return {}
        if len(words) == 1:
            word = words[0]

            def bm25(ids: list[int], weights: list[float]) -> list[float]:
                return self._bm25(index, reader, fieldname, word, ids, weights)

            return self.cache.scored((index, fieldname, word), reader, fieldname, word, frequencies[0], bm25, within)
        if within is None:  # (the phrase alone, or the rarest part of an AND: kept for the next query)
            return self.cache.phrase((index, fieldname, words), lambda: self._phrase(index, reader, fieldname, words, frequencies, None))
        return self._phrase(index, reader, fieldname, words, frequencies, within)

    def _phrase(
        self, index: int, reader: Any, fieldname: str, words: tuple[str, ...], frequencies: list[int], within: Collection[int] | None
    ) -> dict[int, float]:
        """:meth:`_scored` for a phrase (each of its words in the segment)."""
        # few wanted documents: looked up block by block (the rest of the list is not kept)
        wanted = few_wanted(within, frequencies[0])
        # a phrase: the documents with all its words (read without positions), then each
        # word's positions in those documents only, the words one after another
        weights_of: list[dict[int, float]] = [{} for _ in words]
        positions: list[dict[int, bytes]] = [{} for _ in words]
        # the rarest word first; the others only in the blocks that can hold its documents
        order = sorted(range(len(words)), key=frequencies.__getitem__)
        for i in order:
            last = i == order[-1]  # (its read gives the documents with every word: its positions with it)
            ids, weights, values = read_postings(reader, fieldname, words[i], values=last, within=wanted)
            if not ids:
                return {}
            weights_of[i] = dict(zip(ids, weights))
            if last:
                positions[i] = dict(zip(ids, values))
            wanted = ids  # (ascending; read within the last ``wanted``: the documents with every word so far)
        candidates = [d for d in wanted or () if d in within] if within is not None else list(wanted or ())
        if not candidates:
            return {}
        for i in order[:-1]:
            ids, _, values = read_postings(reader, fieldname, words[i], values=True, within=candidates)
            positions[i] = dict(zip(ids, values))
        decode = decode_positions
        matched = []
        for d in candidates:
            starts = set(decode(positions[0][d]))
            for shift, table in enumerate(positions[1:], start=1):
                starts.intersection_update(p - shift for p in decode(table[d]))
                if not starts:
                    break
            if starts:
                matched.append(d)
        word_scores = [
            self._bm25(index, reader, fieldname, word, matched, [table[d] for d in matched]) for word, table in zip(words, weights_of)
        ]
        return {d: _tree_sum([scores[i] for scores in word_scores]) for i, d in enumerate(matched)}

    def _bm25(self, index: int, reader: Any, fieldname: str, text: str, ids: list[int], weights: list[float]) -> list[float]:
        """Whoosh's bm25() for each posting: idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))."""
        idf = self._searcher.idf(fieldname, text)
        lengths = self._field_lengths(index, reader, fieldname)
        norm = self._norms(fieldname)
        k1p1 = self._K1 + 1
        if ids and ids[-1] >= len(lengths):  # (a document without a stored length: 0)
            lengths = lengths + bytes(ids[-1] + 1 - len(lengths))
        return [idf * ((w * k1p1) / (w + norm[lengths[d]])) for d, w in zip(ids, weights)]

    def frequency(self, index: int, fieldname: str, word: str) -> int:
        """The number of documents of segment ``index`` holding ``word`` (0: none), looked
        up once."""
        key = (index, fieldname, word)
        found = self._frequencies.get(key)
        if found is None:
            if len(self._frequencies) >= MAX_FREQUENCIES:  # (~150 bytes each: ~30 MB)
                self._frequencies.clear()
            found = self._frequencies[key] = self.segments[index][0].doc_frequency(fieldname, word)
        return found

    def _rarity(self, index: int, part: Part) -> int:
        if isinstance(part, AnyOf):
            return sum(self._rarity(index, leaf) for leaf in part.leaves)
        fieldname, words = part
        return min(self.frequency(index, fieldname, w) for w in words)

    def _norms(self, fieldname: str) -> list[float]:
        """The length part of BM25 for each of the 256 stored length bytes (lengths are stored
        as one byte), computed once per field: K1 * ((1 - B) + B * fl / avgfl)."""
        norm = self._norm.get(fieldname)
        if norm is None:
            avgfl = self._searcher.avg_field_length(fieldname) or 1
            B, K1 = self._B, self._K1
            norm = self._norm[fieldname] = [K1 * ((1 - B) + B * fl / avgfl) for fl in LENGTH_OF_BYTE]
        return norm

    def _field_lengths(self, index: int, reader: Any, fieldname: str) -> bytes:
        """The segment's stored field-length bytes, one per document (read once)."""
        key = (index, fieldname)
        raw = self._lengths.get(key)
        if raw is None:
            raw = self._lengths[key] = segment_postings(reader).field_lengths(fieldname)
        return raw


def _by_rank(ds: tuple[int, float]) -> tuple[float, int]:
    return (-ds[1], ds[0])


def _top(found: dict[int, float], n: int) -> list[tuple[int, float]]:
    """The ``n`` best (document, score) pairs of one segment (highest score first, ties by
    document number), with every pair tied with the n-th (the caller sorts and cuts)."""
    if n <= 0:
        return []
    if len(found) <= n:
        return list(found.items())
    top = heapq.nlargest(n, found.items(), key=itemgetter(1))
    threshold = top[-1][1]
    if list(found.values()).count(threshold) > sum(1 for _, s in top if s == threshold):
        # more documents tie with the n-th than were kept: keep them all (lowest numbers win)
        top = [ds for ds in top if ds[1] > threshold] + [ds for ds in found.items() if ds[1] == threshold]
    return top
