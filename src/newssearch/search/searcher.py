"""The searcher: ranked article and paragraph search, filters, facets, snippets, suggestions.

:class:`Searcher` is the Python API every front end uses (the CLI only formats what it
returns). It keeps one Whoosh searcher open and caches what is costly to recompute between
queries: filter document sets and per-document facet values.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import os
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from whoosh import collectors
from whoosh import query as wq
from whoosh.scoring import BM25F

from ..errors import ArticleNotFoundError, QueryError
from ..store import vocabulary
from ..store.failures import as_newssearch_error, guarded_class
from ..store.index import open_index, read_meta
from ..store.registry import load_registry
from ..store.vocabulary import Speller
from .budget import QueryBudget, QueryLimits
from .expansion import Lexicon, expand
from .facets import INTERVALS, DateHistogramFacet, Facet, FacetValues, StoredValues, TermsFacet
from .highlight import highlight
from .postings import read_postings
from .query import (
    ARTICLE_FIELDS,
    TEXT_FIELDS,
    QueryParser,
    content_terms,
    only_text_fields,
    person_query,
    to_paragraphs,
    with_title_boost,
)
from .ranking import WordRanker, plan
from .results import FacetResult, Hit, IndexStats, ParagraphHit, SearchResult, Snippet

if TYPE_CHECKING:
    from ..enrich.people import PeopleRegistry

#: Facet names accepted by ``Searcher.search(facets=[...])``.
FACETS = ("people", "source", "language", "year", "month", "mentioned", "mentioned_month", "mentioned_day")
#: Facets shown when asked for facets without naming any.
DEFAULT_FACETS = ("people", "source", "year")
SORTS = ("relevance", "newest", "oldest")
#: Up to this many matching articles, facets are counted from the articles' stored fields
#: unless the index-wide values are read already (about 30 µs an article, against seconds
#: to read a field of a large index: see :class:`~newssearch.search.facets.StoredValues`).
FEW_DOCS = 5000
#: Unknown words "Did you mean" corrects at most (a query with more gets no suggestion).
MAX_CORRECTIONS = 10
_ISO_PARTIAL = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*$")


@guarded_class
class Searcher:
    """Search an index folder.

    >>> with Searcher("index") as s:                         # doctest: +SKIP
    ...     result = s.search("Vilnius summit", limit=5)
    ...     for hit in result.hits:
    ...         print(hit.rank, hit.title, hit.snippet.marked())

    ``mmap=False`` (the default) opens fastest for a few queries; pass ``mmap=True`` for a
    long-lived searcher over a large index. ``limits`` bounds what one query may cost
    (wildcards, words, postings, seconds: see :mod:`newssearch.search.budget`); a query
    past them raises :class:`~newssearch.errors.QueryTooExpensiveError`. A damaged index raises
    :class:`~newssearch.errors.IndexDamagedError` (from any method: Whoosh reads some files
    only when a query needs them), a folder someone else could have written
    :class:`~newssearch.errors.IndexUntrustedError`.
    """

    def __init__(self, index_dir: str | os.PathLike[str] = "index", *, mmap: bool = False, limits: QueryLimits | None = None) -> None:
        self.index_dir = os.fspath(index_dir)
        self._mmap = mmap
        self.limits = limits if limits is not None else QueryLimits()
        self._open()

    # -- lifecycle ---------------------------------------------------------------------

    def _open(self) -> None:
        self._ix = open_index(self.index_dir, mmap=self._mmap)
        self._searcher = self._ix.searcher(weighting=BM25F(B=0.75, K1=1.2))
        self._people: "PeopleRegistry | None" = None
        self._parser = QueryParser(self._ix.schema, self.person_keys)
        self._sets: dict[Any, set[int]] = {}
        self._ranker = WordRanker(self._searcher, B=0.75, K1=1.2)
        self._lexicon = Lexicon(self._searcher.reader())
        self._scorable = {name for name, field in self._ix.schema.items() if field.scorable}
        self._values = FacetValues(self._searcher.reader(), self._ix.schema)
        self._facet_queries = 0
        self._speller: Speller | None = None

    def refresh(self) -> bool:
        """Pick up changes committed since this searcher was opened; True if there were any."""
        if self._searcher.up_to_date():
            return False
        self.close()
        self._open()
        return True

    def close(self) -> None:
        """Release the index files."""
        self._searcher.close()

    def __enter__(self) -> Searcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- people ------------------------------------------------------------------------

    @property
    def _registry(self) -> "PeopleRegistry":
        """The people registry, read on first use (only person queries and facets need it)."""
        if self._people is None:
            self._people = load_registry(self.index_dir, self._ix)
        return self._people

    def person_keys(self, name: str) -> set[str]:
        """Every indexed key that denotes the person ``name`` names (any alias)."""
        from ..enrich.people import person_key

        keys = set(self._registry.resolve(name))
        key = person_key(name)
        if key:
            keys.add(key)
        return keys

    def person_name(self, key: str) -> str:
        """The canonical name of a person key."""
        return self._registry.canonical(self._registry.group(key)) or key

    # -- searching ---------------------------------------------------------------------

    def search(
        self,
        query: str = "",
        limit: int = 10,
        page: int = 1,
        *,
        person: str | Sequence[str] | None = None,
        source: str | Sequence[str] | None = None,
        language: str | Sequence[str] | None = None,
        since: str | dt.date | None = None,
        until: str | dt.date | None = None,
        sort: str = "relevance",
        facets: Iterable[str] | None = None,
        facet_limit: int = 10,
        histogram: str | None = None,
        paragraphs: bool = False,
        snippets: int = 3,
    ) -> SearchResult:
        """Search articles (or, with ``paragraphs=True``, single paragraphs).

        ``query`` uses the syntax of :mod:`newssearch.search.query` (empty: everything).
        Filters compose with the query and each other: ``person`` (any alias; several
        persons must all appear), ``source`` and ``language`` (any of several), ``since`` and
        ``until`` (publication date, ``2023``, ``2023-04`` or ``2023-04-20``, inclusive).
        ``sort`` is relevance, newest or oldest. ``facets`` names facets to count over all
        matches (see :data:`FACETS`), ``histogram`` a publication-date interval (day, week,
        month, year). Each article hit carries its best ``snippets`` matching paragraphs.
        """
        if limit < 1:
            raise QueryError("limit must be at least 1")
        if page < 1:
            raise QueryError("page must be at least 1")
        if sort not in SORTS:
            raise QueryError(f"unknown sort {sort!r}; use one of {', '.join(SORTS)}")
        level = "paragraph" if paragraphs else "article"
        budget = self.limits.start(query)
        q = self._parser.parse(query) if query.strip() else wq.Every()
        q = to_paragraphs(q) if paragraphs else with_title_boost(q)
        q = self._bounded(q, budget)
        filters = _describe_filters(person, source, language, since, until)
        allowed = self._filter_set(level, person, source, language, since, until)
        if allowed is None and not only_text_fields(q, ("text",) if paragraphs else ARTICLE_FIELDS):
            allowed = self._kind(level)  # the query could also match the other kind of document
        facet_objs = self._facets(facets, histogram, since, until)
        n = page * limit
        sortedby, reverse = {"relevance": (None, False), "newest": ("published", True), "oldest": ("published", False)}[sort]
        if isinstance(q, wq.Every) and sortedby is None:
            sortedby, reverse = "published", True
        matched: list[int] = []
        total: int | None = None  # (when None, the length of matched)
        top: list[tuple[int, float]] = []
        shape = plan(q, self._scorable) if sortedby is None else None
        if allowed is None or allowed:  # (Whoosh reads an empty filter set as no filter at all)
            try:
                if shape is not None:
                    # words with AND/OR/NOT: every match scored straight from posting blocks
                    total, matched, ranked = self._ranker.run(shape, n, allowed, docs=bool(facet_objs), check=budget.check)
                    top = ranked[(page - 1) * limit : n]
                elif sortedby is None:
                    # other shapes, one pass: rank, and record every match (the exact total, what facets count)
                    ranker = _RankAndRecord(n)
                    timed = _Timed(ranker, budget)
                    collector = timed if allowed is None else collectors.FilterCollector(timed, allow=allowed)
                    self._searcher.search_with_collector(q, collector)
                    matched = ranker.matched
                else:
                    matched = self._matching(q, allowed, budget)
                    collector = self._searcher.collector(limit=n, sortedby=sortedby, reverse=reverse, filter=allowed)
                    if matched:
                        self._searcher.search_with_collector(q, _Timed(collector, budget))
            except (ValueError, RecursionError) as exc:  # e.g. a query shape Whoosh cannot score
                damage = as_newssearch_error(exc, self.index_dir)  # (or bad bytes in the index)
                if damage is not None:
                    raise damage from exc
                raise QueryError(f"cannot run the query {query!r}: {exc}") from None
            if matched and shape is None:
                results = collector.results()
                top = [(hit.docnum, hit.score or 0.0) for hit in results][(page - 1) * limit : n]
        if total is None:
            total = len(matched)
        out = SearchResult(query=query, total=total, page=page, limit=limit, level=level, filters=filters)
        words = self._highlight_words(q)
        if paragraphs:
            out.paragraphs = self._paragraph_hits(top, words, (page - 1) * limit)
        else:
            out.hits = self._article_hits(top, q, words, (page - 1) * limit, snippets, budget)
        values = self._facet_values(facet_objs, matched, paragraphs)
        for facet in facet_objs:
            counted = facet.count(values, matched, facet_limit)
            if isinstance(counted, FacetResult):
                out.facets[facet.name] = counted
            else:
                out.histogram = counted
        if total < 3 and query.strip() and not budget.out_of_time():
            out.suggestion = self.suggest(query)
        return out

    def _bounded(self, q: wq.Query, budget: QueryBudget | None = None) -> wq.Query:
        """``q`` with its wildcard, prefix, fuzzy and range parts expanded into the index's
        words, within the query's budget (see :mod:`newssearch.search.expansion`)."""
        if budget is None:
            budget = self.limits.start("")
        return expand(q, self._searcher.reader(), self._lexicon, budget, self._doc_frequency)

    def _doc_frequency(self, fieldname: str, word: Any) -> int:
        """The number of documents holding ``word`` (each segment's looked up once)."""
        frequency = self._ranker.frequency
        return sum(frequency(index, fieldname, word) for index in range(len(self._ranker.segments)))

    def _matching(self, q: wq.Query, allowed: set[int] | None, budget: QueryBudget) -> list[int]:
        if allowed is not None and not allowed:
            return []
        if isinstance(q, wq.Every) and allowed is not None:
            return sorted(allowed)
        found = []
        for n, docnum in enumerate(self._searcher.docs_for_query(q), start=1):
            if allowed is None or docnum in allowed:
                found.append(docnum)
            if not n % _CHECK_EVERY:
                budget.check("matching")
        return found

    def _kind(self, level: str) -> set[int]:
        """All article (or all paragraph) documents."""
        return self._docset(("kind", level), wq.Term("kind", level))

    def _docset(self, key: Any, q: wq.Query) -> set[int]:
        cached = self._sets.get(key)
        if cached is None:
            cached = set(self._searcher.docs_for_query(q))
            self._sets[key] = cached
        return cached

    def _filter_set(self, level: str, person: Any, source: Any, language: Any, since: Any, until: Any) -> set[int] | None:
        """The documents of ``level`` passing the filters, or None when no filter is given."""
        if not (_as_list(person) or _as_list(source) or _as_list(language) or since is not None or until is not None):
            return None
        result = self._kind(level)
        for name in _as_list(person):
            keys = self.person_keys(name)
            result = result & self._docset(("person", frozenset(keys)), person_query(keys))
        sources = _as_list(source)
        if sources:
            q = wq.Or([wq.Term("source", s.lower()) for s in sources])
            result = result & self._docset(("source", tuple(sorted(s.lower() for s in sources))), q)
        languages = _as_list(language)
        if languages:
            q = wq.Or([wq.Term("language", s.lower()) for s in languages])
            result = result & self._docset(("language", tuple(sorted(s.lower() for s in languages))), q)
        if since is not None or until is not None:
            start = _date_bound(since, end=False) if since is not None else None
            end = _date_bound(until, end=True) if until is not None else None
            if start and end and start > end:
                raise QueryError(f"--since {since} is after --until {until}")
            q = wq.DateRange("published", start, end)
            result = result & self._docset(("published", start, end), q)
        return result

    def _facet_values(self, facets: list[Facet], matched: list[int], paragraphs: bool) -> FacetValues | StoredValues:
        """Where facets read document values: the index-wide tables (read once, then kept),
        or, while a table they need is not read yet, the matching articles' stored fields:
        for a few articles (up to :data:`FEW_DOCS`), and for any number in this searcher's
        first facet query (a one-shot query, as the CLI's, never reads a whole field: on
        100k articles, the people of 20k matches took 3.5 s this way against 18.7 s)."""
        if not facets:
            return self._values
        first, self._facet_queries = self._facet_queries == 0, self._facet_queries + 1
        if paragraphs or (len(matched) > FEW_DOCS and not first) or all(self._values.has(f.fieldname) for f in facets):
            return self._values
        from ..store.documents import stored_facet_values  # (people keys: imported by facet queries only)

        return StoredValues(self._searcher.stored_fields, matched, stored_facet_values)

    def _facets(self, names: Iterable[str] | None, histogram: str | None, since: Any, until: Any) -> list[Facet]:
        objs: list[Facet] = []
        for name in names or ():
            objs.append(self._facet(name))
        if histogram:
            if histogram not in INTERVALS:
                raise QueryError(f"unknown histogram interval {histogram!r}; use one of {', '.join(INTERVALS)}")
            objs.append(DateHistogramFacet(histogram))  # (over the matches' dates: since/until only filter)
        return objs

    def _facet(self, name: str) -> Facet:
        if name == "people":
            return TermsFacet("people", "person", multi=True, group=self._registry.group, label=self.person_name,
                              accept=self._registry.is_person)
        if name == "source":
            return TermsFacet("source", "source")
        if name == "language":
            return TermsFacet("language", "language")
        if name == "year":
            return TermsFacet("year", "pub_year")
        if name == "month":
            return TermsFacet("month", "pub_month")
        if name in ("mentioned", "mentioned_month", "mentioned_day"):
            size = {"mentioned": 4, "mentioned_month": 7, "mentioned_day": 10}[name]
            return TermsFacet(name, "mentioned", multi=True, accept=lambda v, n=size: len(v) == n)
        raise QueryError(f"unknown facet {name!r}; use one of {', '.join(FACETS)}")

    # -- building hits -----------------------------------------------------------------

    def _highlight_words(self, q: wq.Query) -> set[str]:
        words = content_terms(q)
        try:
            for fieldname, text in q.existing_terms(self._searcher.reader(), phrases=True, expand=True):
                if fieldname in TEXT_FIELDS:
                    words.add(text.decode("utf-8") if isinstance(text, bytes) else text)
        except (ValueError, TypeError):
            pass
        return words

    def _article_hits(
        self, top: list[tuple[int, float]], q: wq.Query, words: set[str], offset: int, snippets: int, budget: QueryBudget | None = None
    ) -> list[Hit]:
        stored = [self._searcher.stored_fields(docnum) for docnum, _ in top]
        articles = [(docnum, fields) for (docnum, _), fields in zip(top, stored)]
        best = self._best_paragraphs(articles, q, words, max(snippets, 1), budget)
        hits = []
        for rank, ((docnum, score), fields) in enumerate(zip(top, stored), start=offset + 1):
            hit = _hit_from_fields(rank, score, fields)
            hit.snippets = best.get(fields["id"], [])
            if not hit.snippets:
                lede = self._paragraph_text(docnum, fields, 0)
                if lede is not None:
                    hit.snippets = [highlight(lede, words, 0)]
            hits.append(hit)
        return hits

    def _paragraph_docs(self, docnum: int, fields: dict[str, Any]) -> dict[int, int]:
        """The article's paragraph documents (docnum → position in the article).

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

    def _best_paragraphs(
        self, articles: list[tuple[int, dict[str, Any]]], q: wq.Query, words: set[str], n: int, budget: QueryBudget | None = None
    ) -> dict[str, list[Snippet]]:
        """Each article's ``n`` best paragraphs for the query, best first.

        With query words, only these articles' paragraphs are looked up in the words'
        postings (only the blocks that hold a candidate are read) and scored here, rarer
        words weighing more, so the cost does not grow with the index; only the chosen
        paragraphs are read. A query of fields only (``person:…``, ``mentioned:…``) asks the
        index which paragraphs match. Past the query's time (``budget``), the words not
        looked up yet are left out of the paragraphs' scores.
        """
        if not articles:
            return {}
        if not words:
            return self._paragraphs_matching([fields["id"] for _, fields in articles], q, n)
        reader = self._searcher.reader()
        owner: dict[int, str] = {}
        for docnum, fields in articles:
            for para in self._paragraph_docs(docnum, fields):
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
        for word in words:
            if budget is not None and budget.out_of_time():
                break
            df = sum(frequency(index, "text", word) for index in range(len(segments)))
            if not df:
                continue
            idf = math.log(1 + total_docs / (1 + df))
            for index, wanted in local.items():
                segment, offset = segments[index]
                if not frequency(index, "text", word):
                    continue
                # only the blocks holding a candidate are read
                ids, weights, _ = read_postings(segment, "text", word, within=wanted)
                for d, weight in zip(ids, weights):
                    scores[d + offset] = scores.get(d + offset, 0.0) + idf * (1 + math.log(max(weight, 1.0)))
        ranked: dict[str, list[tuple[float, int]]] = {}
        for docnum, score in scores.items():
            ranked.setdefault(owner[docnum], []).append((score, docnum))
        best: dict[str, list[Snippet]] = {}
        stored = self._searcher.stored_fields
        for article_id, found in ranked.items():
            found.sort(key=lambda sd: (-sd[0], sd[1]))
            snippets = []
            for score, docnum in found[:n]:
                fields = stored(docnum)
                snippets.append(highlight(fields.get("text", ""), words, fields.get("pos", 0), score))
            best[article_id] = snippets
        return best

    def _paragraphs_matching(self, ids: list[str], q: wq.Query, n: int) -> dict[str, list[Snippet]]:
        if isinstance(q, wq.Every):
            return {}
        wanted = wq.Or([wq.Term("article_id", i) for i in ids])
        allowed = set(self._searcher.docs_for_query(wanted)) & self._kind("paragraph")
        if not allowed:
            return {}
        best: dict[str, list[Snippet]] = {}
        for hit in self._searcher.search(to_paragraphs(q), limit=None, filter=allowed):
            fields = hit.fields()
            found = best.setdefault(fields["article_id"], [])
            if len(found) < n:
                found.append(highlight(fields.get("text", ""), set(), fields.get("pos", 0), hit.score or 0.0))
        return best

    def _paragraph_fields(self, article_id: str) -> list[dict[str, Any]]:
        """Stored fields of an article's paragraphs (one short posting list, no kind scan)."""
        stored = self._searcher.stored_fields
        docs = self._searcher.docs_for_query(wq.Term("article_id", article_id))
        return [f for f in map(stored, docs) if f.get("kind") == "paragraph"]

    def _paragraph_text(self, docnum: int, fields: dict[str, Any], pos: int) -> str | None:
        """The text of paragraph ``pos`` of the article at ``docnum`` (with stored ``fields``)."""
        for para, at in self._paragraph_docs(docnum, fields).items():
            if at == pos:
                return self._searcher.stored_fields(para).get("text")
        return None

    def _paragraph_hits(self, top: list[tuple[int, float]], words: set[str], offset: int) -> list[ParagraphHit]:
        out = []
        for rank, (docnum, score) in enumerate(top, start=offset + 1):
            fields = self._searcher.stored_fields(docnum)
            article = self._searcher.document(id=fields["article_id"]) or {}
            pos = fields.get("pos", 0)
            out.append(
                ParagraphHit(
                    rank=rank,
                    article_id=fields["article_id"],
                    title=article.get("title", ""),
                    paragraph=pos,
                    score=score,
                    snippet=highlight(fields.get("text", ""), words, pos, score),
                    published=_iso(article.get("published")),
                    source=article.get("source"),
                    url=article.get("url"),
                    path=article.get("path"),
                )
            )
        return out

    # -- other questions ---------------------------------------------------------------

    def suggest(self, query: str) -> str | None:
        """A corrected query made of the index's own (unstemmed) words, or None."""
        if self._speller is None:
            self._speller = Speller(vocabulary.load(self.index_dir))
        speller = self._speller
        out, changed, unknown = [], False, 0
        for token in re.findall(r"[^\W\d_]+|\S", query):
            if token in ("AND", "OR", "NOT") or not token.isalpha():
                out.append(token)
                continue
            word = vocabulary.fold_word(token)
            if len(word) < 3 or speller.known(word):
                out.append(word)
                continue
            unknown += 1
            if unknown > MAX_CORRECTIONS:
                return None  # (a query of many unknown words is not a typo)
            found = speller.suggest(word)
            changed = changed or found is not None
            out.append(found or word)
        if not changed:
            return None
        return re.sub(r"\s+([^\w\s])", r"\1", " ".join(out))

    def similar(self, article_id: str, limit: int = 10) -> SearchResult:
        """Articles most like the article ``article_id`` (by its most distinctive words)."""
        docnum = self._searcher.document_number(id=article_id)
        if docnum is None:
            raise ArticleNotFoundError(f"no article with id {article_id!r} in {self.index_dir}", hint="ids are shown by `newssearch query --json`")
        fields = self._searcher.stored_fields(docnum)
        text = fields.get("title", "") + "\n" + "\n".join(self.paragraphs(article_id))
        allowed = self._kind("article") - {docnum}
        results = self._searcher.more_like(docnum, "body", text=text, top=limit, numterms=12, filter=allowed)
        top = [(hit.docnum, hit.score or 0.0) for hit in results]
        q = wq.Or([wq.Term("body", t) for t, _ in self._searcher.key_terms_from_text("body", text, numterms=12)])
        out = SearchResult(query=f"similar:{article_id}", total=len(top), page=1, limit=limit)
        out.hits = self._article_hits(top, q, content_terms(q), 0, 1)
        return out

    def paragraphs(self, article_id: str) -> list[str]:
        """The paragraphs of an article, in order."""
        found = self._paragraph_fields(article_id)
        ordered = sorted(found, key=lambda f: f.get("pos", 0))
        return [f.get("text", "") for f in ordered]

    def article(self, article_id: str) -> dict[str, Any]:
        """Everything stored about one article, with its paragraphs."""
        fields = self._searcher.document(id=article_id)
        if not fields or fields.get("kind") != "article":
            raise ArticleNotFoundError(f"no article with id {article_id!r} in {self.index_dir}")
        data = _hit_from_fields(0, 0.0, fields).to_dict()
        for key in ("rank", "score", "snippet", "snippets"):
            data.pop(key, None)
        data["paragraphs"] = self.paragraphs(article_id)
        data["people"] = fields.get("people") or []
        data["dates"] = fields.get("dates") or []
        return data

    def stats(self) -> IndexStats:
        """Counts of what the index holds."""
        articles = self._kind("article")
        paragraphs = self._kind("paragraph")
        sources = {self._values.single("source")[d] for d in articles} - {None, ""}
        dates = [v for d in articles if isinstance(v := self._values.single("published")[d], dt.datetime)]
        size = 0
        for name in os.listdir(self.index_dir):
            path = os.path.join(self.index_dir, name)
            if os.path.isfile(path):
                size += os.path.getsize(path)
        meta = read_meta(self.index_dir)
        people = {self._registry.group(k) for d in articles for k in self._values.multi("person").get(d, ())}
        return IndexStats(
            index_dir=self.index_dir,
            articles=len(articles),
            paragraphs=len(paragraphs),
            sources=len(sources),
            people=len(people),
            first_published=min(dates).date().isoformat() if dates else None,
            last_published=max(dates).date().isoformat() if dates else None,
            size_bytes=size,
            updated=meta.get("updated"),
            schema_version=meta.get("schema_version"),
        )


#: Matches collected between two checks of a query's clock.
_CHECK_EVERY = 64


class _Timed(collectors.WrappingCollector):
    """Passes every match on to its child collector, and checks the query's time every
    :data:`_CHECK_EVERY` matches (QueryTooExpensiveError when it is used up)."""

    def __init__(self, child: collectors.Collector, budget: QueryBudget) -> None:
        super().__init__(child)
        self._budget = budget
        self._count = 0

    def collect(self, sub_docnum: int) -> Any:
        self._count += 1
        if not self._count % _CHECK_EVERY:
            self._budget.check("matching and ranking")
        return self.child.collect(sub_docnum)


class _RankAndRecord(collectors.TopCollector):
    """Whoosh's top-N collector made exact: it visits every match (no block skipping, no
    matcher replacement, which undercounts OR queries) and records each one."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit, usequality=False, replace=0)
        self.matched: list[int] = []

    def _collect(self, global_docnum: int, score: float) -> Any:
        self.matched.append(global_docnum)
        return super()._collect(global_docnum, score)


def _as_list(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    return [v for v in value if v and v.strip()]


def _describe_filters(person: Any, source: Any, language: Any, since: Any, until: Any) -> dict[str, Any]:
    filters: dict[str, Any] = {}
    for name, value in (("person", person), ("source", source), ("language", language)):
        if _as_list(value):
            filters[name] = _as_list(value)
    for name, value in (("since", since), ("until", until)):
        if value is not None:
            filters[name] = str(value)
    return filters


def _date_bound(value: str | dt.date, end: bool) -> dt.datetime:
    """``2023`` / ``2023-04`` / ``2023-04-20`` (or a date) as the first or last instant it covers."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        day = value
        return dt.datetime(day.year, day.month, day.day, 23, 59, 59) if end else dt.datetime(day.year, day.month, day.day)
    match = _ISO_PARTIAL.match(str(value))
    if not match:
        raise QueryError(f"cannot read {value!r} as a date; use 2023, 2023-04 or 2023-04-20")
    year, month, day = int(match.group(1)), match.group(2), match.group(3)
    try:
        if month is None:
            return dt.datetime(year, 12, 31, 23, 59, 59) if end else dt.datetime(year, 1, 1)
        m = int(month)
        if day is None:
            if end:
                return dt.datetime(year, m, calendar.monthrange(year, m)[1], 23, 59, 59)  # (9999-12 too)
            return dt.datetime(year, m, 1)
        d = dt.datetime(year, m, int(day))
        return d.replace(hour=23, minute=59, second=59) if end else d
    except ValueError:
        raise QueryError(f"{value!r} is not a real date") from None


def _iso(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    return str(value) if value else None


def _hit_from_fields(rank: int, score: float, fields: dict[str, Any]) -> Hit:
    authors = fields.get("authors") or []
    if isinstance(authors, str):
        authors = [a for a in authors.split(",") if a]
    return Hit(
        rank=rank,
        id=fields["id"],
        title=fields.get("title", ""),
        score=score,
        published=_iso(fields.get("published")),
        source=fields.get("source"),
        url=fields.get("url"),
        path=fields.get("path"),
        authors=list(authors),
        language=fields.get("language"),
        people=[p["name"] for p in fields.get("people") or []],
    )
