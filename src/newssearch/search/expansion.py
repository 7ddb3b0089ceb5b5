"""Expanding wildcards, prefixes, fuzzy words and word ranges into the index's own words,
within one query's :class:`~newssearch.search.budget.QueryBudget`.

Whoosh expands each such part on its own, walking the index's word list through a merge of
every segment's list (about 9 µs a word: half a second per infix wildcard on 20k articles),
and builds a Levenshtein automaton in Python for each fuzzy word (0.2 s each). Here:

* a :class:`Lexicon` reads a field's words once per open index (each segment's in one go:
  :meth:`~newssearch.store.reading.SegmentPostings.words`), when a part needs the
  whole list or a large share of it (an infix wildcard, a one-letter prefix, a fuzzy word),
  and keeps them sorted: prefixes are then a bisection, wildcards one C-level regex filter
  over the words that share their literal prefix, fuzzy words one call of RapidFuzz's
  Levenshtein distance over the words sharing their first letter(s) (what Whoosh's automaton
  matches: the same prefix, then at most ``maxdist`` edits);
* a part with a literal prefix of two or more letters, on a field whose list is not read yet,
  walks only those words (``expand_prefix``), as Whoosh does;
* every word looked at and every word kept is charged to the query's budget, which stops
  the query (a one-line error) past its limits or its time.

Each part becomes an ``Or`` of the words it matches (a single ``Term`` for one word, nothing
for none), at most ``per_pattern`` words: the first in word order for wildcards and
prefixes, the nearest (then in word order) for fuzzy words.
"""

from __future__ import annotations

import fnmatch
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from whoosh import query as wq
from whoosh.fields import BOOLEAN, NUMERIC

from ..store.reading import segment_postings
from .budget import QueryBudget

#: Word-list entries looked at between two checks of the clock.
CHECK_EVERY = 4096
#: Literal prefixes at least this long walk the index's word list without reading it whole.
SHORT_PREFIX = 2

DocFrequency = Callable[[str, Any], int]


class Lexicon:
    """The sorted words of each field, read once from an open reader when first needed."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._words: dict[str, list[str]] = {}

    def has(self, fieldname: str) -> bool:
        """Whether the words of ``fieldname`` were read already."""
        return fieldname in self._words

    def words(self, fieldname: str, budget: QueryBudget) -> list[str]:
        """Every word of ``fieldname``, sorted (read now if need be, charged to ``budget``)."""
        words = self._words.get(fieldname)
        if words is None:
            found: set[bytes] = set()
            for segment, _ in self._reader.leaf_readers():
                batch = segment_postings(segment).words(fieldname)
                found.update(batch)
                budget.scan(len(batch), "reading the index's words")
            words = self._words[fieldname] = [b.decode("utf-8") for b in sorted(found)]
        return words

    def starting(self, fieldname: str, prefix: str, budget: QueryBudget) -> list[str]:
        """The words of ``fieldname`` starting with ``prefix``, in order."""
        words = self.words(fieldname, budget)
        if not prefix:
            return words
        lo = bisect_left(words, prefix)
        hi = bisect_left(words, prefix + "\U0010ffff", lo)
        return words[lo:hi]


def expand(q: wq.Query, reader: Any, lexicon: Lexicon, budget: QueryBudget, doc_frequency: DocFrequency) -> wq.Query:
    """``q`` with every wildcard, prefix, fuzzy word and word range replaced by the words it
    matches, its words and postings charged to ``budget`` (raises QueryTooExpensiveError
    past a limit). ``doc_frequency(field, word)`` gives a word's number of documents."""
    expander = _Expander(reader, lexicon, budget)
    expanded = expander.expand(q)
    _charge(expanded, budget, doc_frequency, expander.made)
    return expanded


class _Expander:
    def __init__(self, reader: Any, lexicon: Lexicon, budget: QueryBudget) -> None:
        self.reader = reader
        self.lexicon = lexicon
        self.budget = budget
        self.schema = reader.schema
        #: The ids of the nodes made from expanded parts (their words are counted already).
        self.made: set[int] = set()

    def expand(self, query: wq.Query) -> wq.Query:
        if isinstance(query, wq.MultiTerm):
            node: Any = query  # (Whoosh's base class does not declare fieldname and boost)
            self.budget.pattern()
            words = self._words(node)
            self.budget.add_terms(len(words))
            if not words:
                return wq.NullQuery
            made: wq.Query
            if len(words) == 1:
                made = wq.Term(node.fieldname, words[0], boost=node.boost)
            else:
                made = wq.Or([wq.Term(node.fieldname, w) for w in words], boost=node.boost)
            self.made.add(id(made))
            return made
        if query.is_leaf():
            return query
        return query.apply(self.expand)

    def _words(self, node: Any) -> list[str]:
        limit = self.budget.limits.per_pattern
        try:
            fieldobj = self.schema[node.fieldname]
        except KeyError:
            fieldobj = None
        textual = fieldobj is not None and not isinstance(fieldobj, (NUMERIC, BOOLEAN))
        if textual and isinstance(node, wq.FuzzyTerm):
            return self._fuzzy(node, limit)
        if textual and isinstance(node, wq.PatternQuery):
            return self._pattern(node, limit)
        # anything else (a word range, a pattern on a number field): Whoosh's own expansion, counted
        out: list[str] = []
        for n, (_, text) in enumerate(node.expanded_terms(self.reader), start=1):
            out.append(text.decode("utf-8") if isinstance(text, bytes) else str(text))
            if not n % CHECK_EVERY:
                self.budget.scan(CHECK_EVERY)
            if len(out) >= limit:
                break
        self.budget.scan(len(out) % CHECK_EVERY)
        return out

    def _candidates(self, fieldname: str, prefix: str) -> Iterable[str]:
        """The field's words starting with ``prefix``: from the read list when it is read or
        the prefix is short, else walked in the index."""
        if self.lexicon.has(fieldname) or len(prefix) < SHORT_PREFIX:
            return self.lexicon.starting(fieldname, prefix, self.budget)
        return self._walk(fieldname, prefix)

    def _walk(self, fieldname: str, prefix: str) -> Iterator[str]:
        n = 0
        for btext in self.reader.expand_prefix(fieldname, prefix):
            n += 1
            if not n % CHECK_EVERY:
                self.budget.scan(CHECK_EVERY)
            yield btext.decode("utf-8") if isinstance(btext, bytes) else str(btext)
        self.budget.scan(n % CHECK_EVERY)

    def _pattern(self, node: Any, limit: int) -> list[str]:
        text = str(node.text)
        if isinstance(node, wq.Prefix):
            prefix, pattern = text, None
        else:
            prefix = _literal_prefix(text, node.SPECIAL_CHARS)
            pattern = re.compile(fnmatch.translate(text))
        candidates = self._candidates(node.fieldname, prefix)
        matching = candidates if pattern is None else filter(pattern.match, candidates)
        out: list[str] = []
        for word in matching:
            out.append(word)
            if len(out) >= limit:
                break
        self.budget.check("expanding its wildcards, prefixes and fuzzy words")
        return out

    def _fuzzy(self, node: Any, limit: int) -> list[str]:
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        text = str(node.text)
        prefix = text[: node.prefixlength]
        candidates = self._candidates(node.fieldname, prefix)
        if not isinstance(candidates, list):
            candidates = list(candidates)
        found = process.extract(text, candidates, scorer=Levenshtein.distance, score_cutoff=node.maxdist, limit=None)
        found.sort(key=lambda match: (match[1], match[2]))  # nearest first, then in word order
        self.budget.check("expanding its wildcards, prefixes and fuzzy words")
        return sorted(word for word, _, _ in found[:limit])


def _literal_prefix(text: str, special: Iterable[str]) -> str:
    """The part of a glob before its first special character."""
    for i, char in enumerate(text):
        if char in special:
            return text[:i]
    return text


def _frequency(doc_frequency: DocFrequency, fieldname: str, text: Any) -> int:
    try:
        return doc_frequency(fieldname, text)
    except (ValueError, TypeError):  # a value Whoosh cannot look up (it matches nothing either)
        return 0


def _charge(q: wq.Query, budget: QueryBudget, doc_frequency: DocFrequency, made: set[int]) -> None:
    """Charge the words of ``q`` but those of the nodes in ``made`` (expanded parts, counted
    already) and the postings of all of them. The score-only part of an ``AndMaybe`` (the
    title clause: read only for documents that match already) is not charged."""
    plain = 0
    postings = 0

    def walk(node: wq.Query, counted: bool) -> None:
        nonlocal plain, postings
        if isinstance(node, wq.AndMaybe):
            walk(node.a, counted)
            return
        counted = counted or id(node) in made
        if type(node) is wq.Term:
            if not counted:
                plain += 1
            postings += _frequency(doc_frequency, node.fieldname, node.text)
        elif isinstance(node, wq.Phrase):
            plain += len(node.words)
            postings += sum(_frequency(doc_frequency, node.fieldname, w) for w in node.words)
        elif not node.is_leaf():
            for child in node.children():
                walk(child, counted)

    walk(q, False)
    budget.add_terms(plain)
    budget.add_postings(postings)
