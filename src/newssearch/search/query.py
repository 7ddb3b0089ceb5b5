"""Turning what a user types into a Whoosh query.

Syntax: words (all must match, ranked by BM25 on the body, which holds the title's words
too, plus BM25 on the title where the title has them), ``"phrases"``,
``AND``/``OR``/``NOT`` and parentheses, ``field:value`` for ``title``, ``body``,
``source``, ``language`` (``lang``), ``author``, ``person`` (``people``),
``published`` (``date``; ``published:2023``, ``published:[2023-01-01 to 2023-06-30]``),
``mentioned`` (``mentioned:2022-02-24``, ``mentioned:2022``) and ``folder`` (``path``: a
folder or file name on the article's file path, ``path:sport``, ``path:bbc/sport``),
``word*`` prefixes and ``word~`` fuzzy matches; a quoted single word (``"gaming"``) is that
word exactly, not its stem. An unknown field or a range that ends before it starts is an
error. Person values are resolved through the people registry, so any
alias finds the person. Whatever cannot be understood raises
:class:`~newssearch.errors.QueryError` with a one-line reason.

Text words are analysed once for each analysis the index holds (the original one for
English and unknown languages, and each language with its own, see
:mod:`newssearch.store.analysis`) and ask for any of the forms: ``guvernului`` asks for
``ro:guvern`` and, if English articles are there too, ``guvernului``. A word the original
analysis drops (an English stop word) is dropped, as before; a word some language drops is
asked for in the others only, and a word every language drops is dropped.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Collection
from typing import Any

from whoosh import query as wq
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StopFilter
from whoosh.fields import TEXT, Schema
from whoosh.qparser import FieldAliasPlugin, FuzzyTermPlugin, GtLtPlugin, PhrasePlugin, Plugin, syntax
from whoosh.qparser import QueryParser as WhooshQueryParser
from whoosh.qparser.dateparse import DateParserPlugin
from whoosh.util.times import timespan

from ..errors import QueryError
from ..store import analysis as lang
from ..store.schema import _TOKEN, exact_counts, term_positions, text_analyzer
from ..timeparse import local_time

#: Longest query accepted, in characters.
MAX_QUERY_CHARS = 2000
DATE_HINT = "dates look like 2023, 2023-04 or 2023-04-20; ranges like published:[2023-01 to 2023-06]"

FIELD_ALIASES = {
    "person": ["people"],
    "published": ["date", "pubdate"],
    "language": ["lang"],
    "authors": ["author", "by"],
    "source": ["site", "outlet"],
    "folder": ["path"],
}

#: The fields a query may name (their aliases too: :data:`FIELD_ALIASES`), in the order an
#: unknown field's error lists them.
QUERY_FIELDS = ("title", "body", "text", "source", "language", "authors", "person", "published", "mentioned", "folder")

PersonResolver = Callable[[str], set[str]]

#: Fields holding an article's text, and all fields holding text (analysed alike).
ARTICLE_FIELDS = ("title", "body")
TEXT_FIELDS = (*ARTICLE_FIELDS, "text")
#: The unstemmed words of an article (title and body) and of a paragraph: a quoted single
#: word searches these. The stemmed field each stands beside.
EXACT_FIELDS = {"exact": "body", "exact_text": "text"}
#: Marks an exact word among the analysed words to highlight (``=gaming``; an analysed word
#: never starts with it).
EXACT_MARK = "="


class QueryParser:
    """Parses user queries for one schema; ``resolve_person`` maps a typed name to person keys.

    ``languages`` are the codes of the languages the index holds (their analyses are asked
    for, see the module docstring); ``original`` says whether it holds articles analysed
    the original way (English, unknown and other languages)."""

    def __init__(self, schema: Schema, resolve_person: PersonResolver, languages: Collection[str] = (), original: bool = True) -> None:
        self._errors: list[str] = []
        self._fields = tuple(name for name in QUERY_FIELDS if name in schema)
        self._unknown: list[str] = []
        self._reversed: list[tuple[str, str]] = []
        self._analyses = lang.analysed_languages(languages)
        self._original = original or not self._analyses
        parser = WhooshQueryParser("body", _parsing_schema(schema, self._original))
        parser.add_plugin(_CheckedDates(free=False, callback=self._errors.append, reversed_ranges=self._reversed))
        parser.add_plugin(FieldAliasPlugin(FIELD_ALIASES))
        parser.add_plugin(_UnknownFields(self._fields, self._unknown))
        if "exact" in schema:
            parser.add_plugin(_ExactWords())
        parser.add_plugin(FuzzyTermPlugin())
        parser.add_plugin(GtLtPlugin())
        self._parser = parser
        self._resolve_person = resolve_person

    def parse(self, text: str) -> wq.Query:
        """The Whoosh query for ``text``; raises QueryError when it cannot be read."""
        if len(text) > MAX_QUERY_CHARS:
            raise QueryError(f"query too long ({len(text)} characters; at most {MAX_QUERY_CHARS})")
        if any("\ud800" <= ch <= "\udfff" for ch in text):
            raise QueryError(
                f"cannot read the query {text!r}: it holds bytes that are not text in the terminal's encoding",
                hint="type the query as UTF-8 text",
            )
        text = unicodedata.normalize("NFC", text)  # (as the index's text is: "e\u0301" is "é")
        self._errors.clear()
        self._unknown.clear()
        self._reversed.clear()
        try:
            raw = self._parser.parse(text, normalize=False)
            # (a * is read before normalising: Whoosh's makes ``nato AND *`` every article)
            parsed = _every_article(raw, text) if _has_star(raw) else raw.normalize()
        except QueryError:
            raise
        except RecursionError:
            raise QueryError(f"cannot read the query {text!r}: nested too deeply") from None
        except Exception as exc:  # noqa: BLE001 - Whoosh's parsers raise bare Exception too ("'a' is not a parseable date")
            reason = _reason(exc)
            raise QueryError(f"cannot read the query {text!r}: {reason}", hint=DATE_HINT if "date" in reason else None) from None
        if self._unknown:
            raise QueryError(
                f"cannot read the query {text!r}: no field {self._unknown[0]!r}",
                hint="fields: " + ", ".join(self.field_names()) + ' (quote a colon meant as text: "10:30")',
            )
        if self._reversed:
            start, end = self._reversed[0]
            raise QueryError(f"cannot read the query {text!r}: the range [{start} to {end}] ends before it starts", hint=f"write it as [{end} to {start}]")
        if self._errors:
            raise QueryError(f"cannot read the query {text!r}: {self._errors[0]!r} is not a date", hint=DATE_HINT)
        return self._rewrite(parsed)

    def field_names(self) -> list[str]:
        """The fields a query may name, each with its aliases (``person (people)``)."""
        return [f"{name} ({', '.join(FIELD_ALIASES[name])})" if name in FIELD_ALIASES else name for name in self._fields]

    def _rewrite(self, q: wq.Query) -> wq.Query:
        if isinstance(q, wq.Term) and q.fieldname == "person":
            return person_query(self._resolve_person(str(q.text)), q.boost)
        if isinstance(q, wq.Term) and q.fieldname == "folder" and isinstance(q.text, str) and ("/" in q.text or "\\" in q.text):
            # ``path:bbc/sport``: each of the folders (not necessarily next to each other)
            names = [name for name in re.split(r"[/\\]+", q.text) if name]
            return wq.And([wq.Term("folder", name, boost=q.boost) for name in names]) if names else wq.NullQuery
        if isinstance(q, wq.DateRange):
            return wq.DateRange(q.fieldname, _naive(q.startdate), _naive(q.enddate), q.startexcl, q.endexcl, boost=q.boost)
        if isinstance(q, wq.FuzzyTerm):
            q.maxdist = min(q.maxdist, 2)
            q.prefixlength = max(q.prefixlength, 1)
        if isinstance(q, wq.Wildcard) and q.fieldname in ARTICLE_FIELDS and set(q.text) == {"*"}:
            return wq.Every(boost=q.boost)  # ``**``: any word at all
        if isinstance(q, wq.Every) and q.fieldname in TEXT_FIELDS:
            # A lone ``*`` (or ``title:*``): every article has a title and a body, and Whoosh's
            # Every(field) would read the postings of every word of the field (seconds).
            return wq.Every(boost=q.boost)
        if isinstance(q, (wq.Term, wq.Phrase, wq.Prefix, wq.Wildcard, wq.FuzzyTerm)) and q.fieldname in TEXT_FIELDS:
            return self._words(q)
        if q.is_leaf():
            return q
        q = q.apply(self._rewrite)
        if isinstance(q, wq.Or) and q.subqueries and all(isinstance(s, wq.Every) and s.fieldname is None for s in q.subqueries):
            return wq.Every()
        if isinstance(q, wq.CompoundQuery) and any(s is wq.NullQuery for s in q.subqueries):
            q = q.normalize()
        return q

    # -- text words, analysed for the index's languages ------------------------------------

    def _forms(self, word: str) -> list[str] | None:
        """The terms a query word asks for (any of them), or None to drop the word."""
        forms: list[str] = []
        if self._original:
            original = list(term_positions(word))
            if not original:
                return None  # dropped by the original analysis: dropped, as before
            forms.extend(original)
        for analysis in self._analyses:
            forms.extend(analysis.query_terms(word))
        return list(dict.fromkeys(forms)) or None

    def _words(self, q: wq.Query) -> wq.Query:
        """A text-field query with its words analysed for each of the index's analyses."""
        node: Any = q  # (Whoosh's base class declares neither fieldname nor boost)
        fieldname, boost = node.fieldname, node.boost
        if isinstance(q, wq.Term) and isinstance(q.text, str):
            forms = self._forms(q.text)
            if forms is None:
                return wq.NullQuery
            return _any_of([wq.Term(fieldname, form) for form in forms], boost)
        if isinstance(q, wq.Phrase):
            return self._phrase(q)
        if isinstance(q, (wq.Prefix, wq.Wildcard, wq.FuzzyTerm)) and isinstance(q.text, str):
            variants: list[wq.Query] = []
            if self._original:
                variants.append(_with_text(q, _original_pattern(q.text), 0))
            for analysis in self._analyses:
                variants.append(_with_text(q, analysis.pattern(q.text), len(analysis.prefix)))
            return _any_of(variants, 1.0)
        return q

    def _phrase(self, q: wq.Phrase) -> wq.Query:
        """A phrase asked in each analysis (its words analysed there, dropped words left out)."""
        variants: list[wq.Query] = []
        seen: set[tuple[str, ...]] = set()
        words = [w for w in q.words if isinstance(w, str)]
        analyses: list[lang.LanguageAnalysis | None] = [None] if self._original else []
        analyses.extend(self._analyses)
        for analysis in analyses:
            kept: list[str] = []
            for word in words:
                terms = list(term_positions(word)) if analysis is None else analysis.terms(word)[:1]
                kept.extend(terms[:1])
            key = tuple(kept)
            if not kept or key in seen:
                continue
            seen.add(key)
            if len(kept) == 1:
                variants.append(wq.Term(q.fieldname, kept[0]))
            else:
                variants.append(wq.Phrase(q.fieldname, kept, slop=q.slop))
        return _any_of(variants, q.boost)


def _parsing_schema(schema: Schema, original: bool) -> Schema:
    """``schema`` with its text fields read as lowercased tokens only: the parser keeps the
    words as typed, and :class:`QueryParser` analyses them for each language. Single letters
    are dropped, and with the ``original`` analysis its (English) stop words, as before."""
    raw = RegexTokenizer(_TOKEN) | LowercaseFilter() | (StopFilter() if original else StopFilter(stoplist=(), minsize=2))
    fields = {name: schema[name] for name in schema.names()}
    for name in TEXT_FIELDS:
        if name in fields:
            fields[name] = TEXT(analyzer=raw, phrase=True)
    return Schema(**fields)


_ORIGINAL = text_analyzer()


def _original_pattern(text: str) -> str:
    """A wildcard, prefix or fuzzy word as the original analysis reads it (the whole text
    one token: lowercased, folded, Porter-stemmed)."""
    tokens = [t.text for t in _ORIGINAL(text, tokenize=False, mode="query", removestops=False)]
    return tokens[0] if tokens else text


def _any_of(queries: list[wq.Query], boost: float) -> wq.Query:
    if not queries:
        return wq.NullQuery
    if len(queries) == 1:
        single: Any = queries[0]
        single.boost = boost
        return single
    return wq.Or(queries, boost=boost)


def _with_text(q: wq.Query, text: str, prefix: int) -> wq.Query:
    """A copy of a wildcard, prefix or fuzzy query with ``text`` (``prefix`` letters of a
    language prefix kept as they are by a fuzzy word)."""
    made = q.copy()
    made.text = text  # type: ignore[attr-defined]
    if isinstance(made, wq.FuzzyTerm):
        made.prefixlength += prefix
    return made


def _is_star(q: wq.Query) -> bool:
    """A ``*`` (``**``, ``FIELD:*``): any value of a field, not a pattern of words."""
    return isinstance(q, wq.Every) or (isinstance(q, wq.Wildcard) and set(q.text) == {"*"})


def _has_star(q: wq.Query) -> bool:
    return _is_star(q) or (not q.is_leaf() and any(_has_star(child) for child in q.children()))


def _stars(q: wq.Query) -> list[wq.Query]:
    if _is_star(q):
        return [q]
    return [] if q.is_leaf() else [star for child in q.children() for star in _stars(child)]


def _conjuncts(q: wq.Query) -> list[wq.Query]:
    """The parts of ``q`` that must all hold (``AND`` groups flattened, ``a ANDNOT b`` as
    ``a`` and ``NOT b``)."""
    if isinstance(q, wq.And):
        return [part for child in q.children() for part in _conjuncts(child)]
    if isinstance(q, wq.AndNot):
        return [*_conjuncts(q.a), wq.Not(q.b)]
    return [q]


def _every_article(raw: wq.Query, text: str) -> wq.Query:
    """The query for ``raw`` (not normalised) holding a ``*``: every article, less what it
    negates (``*``, ``title:*``, ``body:*``, ``text:*``, ``* NOT word``). No word is expanded
    (``text:*`` read every word's postings: 8.5 s on 2,127 articles).

    A ``*`` anywhere else raises :class:`QueryError`: ``nato AND *`` (Whoosh reads it as
    every article), ``NOT *`` (no article), ``source:*`` and the other fields."""
    for star in _stars(raw):
        field = getattr(star, "fieldname", None)
        if field is not None and field not in TEXT_FIELDS:
            raise QueryError(
                f"cannot read the query {text!r}: {field}:* is not supported; "
                f"a * alone matches every article, and {field}:a* the values starting with a"
            )
    parts = _conjuncts(raw)
    negated = [part for part in parts if isinstance(part, wq.Not)]
    if any(_has_star(part) for part in negated):
        raise QueryError(f"cannot read the query {text!r}: NOT * matches no article")
    if not all(_is_star(part) for part in parts if not isinstance(part, wq.Not)):
        raise QueryError(
            f"cannot read the query {text!r}: a * matches every article; "
            "it stands alone or before NOT (* NOT word), not with other words"
        )
    kept = [wq.Not(inner) for inner in (part.query.normalize() for part in negated) if inner is not wq.NullQuery]
    return wq.And([wq.Every("body"), *kept]) if kept else wq.Every("body")


class _UnknownFields(Plugin):
    """Records the ``name:`` prefixes naming no field a query may use (Whoosh would search
    ``foo:bar`` as the words ``foo`` and ``bar``). Digits (``10:30``) and URLs
    (``http://``) are text, not fields."""

    def __init__(self, fields: tuple[str, ...], unknown: list[str]) -> None:
        self._fields = frozenset(fields)
        self._unknown = unknown

    def filters(self, parser: Any) -> list[tuple[Any, int]]:
        return [(self._check, 95)]  # (after the aliases, 90; before Whoosh's fields, 100)

    def _check(self, parser: Any, group: Any) -> Any:
        nodes = list(group)
        for i, node in enumerate(nodes):
            if isinstance(node, syntax.GroupNode):
                self._check(parser, node)
            elif isinstance(node, syntax.FieldnameNode) and node.fieldname not in self._fields:
                name = str(node.fieldname)
                after = nodes[i + 1] if i + 1 < len(nodes) else None
                url = after is not None and str(getattr(after, "text", "") or "").startswith("//")
                if not name.isdigit() and name != "*" and not url:
                    self._unknown.append(name)
        return group


class _ExactNode(syntax.TextNode):
    """A quoted single word: the word exactly (lowercased), not its stem."""

    def query(self, parser: Any) -> wq.Query:
        fieldname = "exact_text" if self.fieldname == "text" else "exact"
        return wq.Term(fieldname, self.text, boost=self.boost)


class _ExactWords(Plugin):
    """Turns a quoted single word (``"gaming"``, ``body:"gaming"``, ``text:"gaming"``) into
    an exact-word node; a quoted phrase of several words stays a phrase (on stems), and a
    quoted word in another field (``title:"games"``) stays that field's word."""

    def filters(self, parser: Any) -> list[tuple[Any, int]]:
        return [(self._exact, 105)]  # (once fields are assigned, 100)

    def _exact(self, parser: Any, group: Any) -> Any:
        for i, node in enumerate(group):
            if isinstance(node, syntax.GroupNode):
                self._exact(parser, node)
            elif isinstance(node, PhrasePlugin.PhraseNode) and node.fieldname in (None, "body", "text"):
                words = list(exact_counts(node.text))
                if len(words) == 1:
                    exact = _ExactNode(words[0])
                    exact.fieldname = node.fieldname
                    exact.boost = node.boost
                    exact.startchar, exact.endchar = node.startchar, node.endchar
                    group[i] = exact
        return group


class _CheckedDates(DateParserPlugin):
    """Whoosh's date plugin, which swaps the bounds of a reversed range
    (``published:[2019 to 2018]``) silently: this one records the range instead."""

    def __init__(self, *args: Any, reversed_ranges: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._reversed = reversed_ranges

    def range_to_dt(self, node: Any) -> Any:
        if node.start and node.end:
            start: Any = self._bound_from(node.start)
            end: Any = self._bound_from(node.end)
            if start is not None and end is not None:
                first: Any = start.disambiguated(self.basedate)
                last: Any = end.disambiguated(self.basedate)
                first = first.start if isinstance(first, timespan) else first
                last = last.end if isinstance(last, timespan) else last
                if first > last:
                    self._reversed.append((str(node.start), str(node.end)))
                    return syntax.ErrorNode("reversed range", node)
        return super().range_to_dt(node)


def with_title_boost(q: wq.Query) -> wq.Query:
    """The article query: ``q`` matches on ``body`` (which holds the title's words too), and
    the words and phrases it asks for (not those it negates) add their title score where the
    title has them. One posting list per word decides the matches (intersections, not
    unions of title and body lists); the short title lists only add to the score."""
    title: list[wq.Query] = []

    def collect(node: wq.Query) -> None:
        if isinstance(node, wq.Not):
            return
        if isinstance(node, wq.AndNot):
            collect(node.a)
        elif isinstance(node, wq.Term) and node.fieldname == "body":
            title.append(wq.Term("title", node.text, boost=node.boost))
        elif isinstance(node, wq.Term) and node.fieldname == "exact":
            title.extend(wq.Term("title", stem, boost=node.boost) for stem in term_positions(str(node.text)))
        elif isinstance(node, wq.Phrase) and node.fieldname == "body":
            title.append(wq.Phrase("title", node.words, slop=node.slop, boost=node.boost))
        elif not node.is_leaf():
            for child in node.children():
                collect(child)

    collect(q)
    if not title:
        return q
    return wq.AndMaybe(q, title[0] if len(title) == 1 else wq.Or(title))


def person_query(keys: set[str], boost: float = 1.0) -> wq.Query:
    """Match any of the person keys (all the spellings of one person)."""
    if not keys:
        return wq.NullQuery
    terms = [wq.Term("person", key, boost=boost) for key in sorted(keys)]
    return terms[0] if len(terms) == 1 else wq.Or(terms)


def _naive(value: dt.datetime | None) -> dt.datetime | None:
    """A bound of a ``published:`` range, compared as publication dates are (the
    publisher's wall clock: an offset is dropped, see :mod:`newssearch.timeparse`)."""
    return local_time(value) if value is not None else None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    message = str(exc).strip() or type(exc).__name__
    if "invalid literal for int()" in message or "is not a parseable date" in message:
        return "a date in it is not a date (use 2023, 2023-04 or 2023-04-20)"
    return message.splitlines()[0][:200]


def content_terms(q: wq.Query) -> set[str]:
    """The analysed words of the query's title/body parts (to highlight and to pick snippets)."""
    words: set[str] = set()
    for fieldname, text in q.iter_all_terms(phrases=True):
        if isinstance(text, str):
            if fieldname in TEXT_FIELDS:
                words.add(text)
            elif fieldname in EXACT_FIELDS:
                words.add(EXACT_MARK + text)
    return words


def to_paragraphs(q: wq.Query) -> wq.Query:
    """The query asked of paragraph documents: its title and body parts search ``text``
    (exact words ``exact_text``)."""
    if isinstance(q, (wq.Term, wq.Phrase, wq.PatternQuery, wq.FuzzyTerm)) and getattr(q, "fieldname", None) in (*ARTICLE_FIELDS, "exact"):
        leaf: Any = q.copy()  # (each of these four shapes has a field name)
        leaf.fieldname = "exact_text" if leaf.fieldname == "exact" else "text"
        return leaf
    if q.is_leaf():
        return q
    return q.apply(to_paragraphs)


def only_text_fields(q: wq.Query, fields: tuple[str, ...]) -> bool:
    """True when ``q`` can only match documents having one of ``fields`` (e.g. only article
    documents for title/body), so no filter on the kind of document is needed."""
    if q is wq.NullQuery:
        return True
    if isinstance(q, (wq.AndNot, wq.AndMaybe)):
        return only_text_fields(q.a, fields)
    if isinstance(q, wq.And):
        return any(only_text_fields(child, fields) for child in q.children() if not isinstance(child, wq.Not))
    if isinstance(q, (wq.Not, wq.Every)):
        return False
    if q.is_leaf():
        fieldname = getattr(q, "fieldname", None)
        return fieldname in fields or EXACT_FIELDS.get(str(fieldname)) in fields
    return all(only_text_fields(child, fields) for child in q.children())
