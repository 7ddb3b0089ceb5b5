"""The searcher: ranked article and paragraph search, filters, facets, snippets, suggestions.

:class:`Searcher` is the Python API every front end uses (the CLI only formats what it
returns). :meth:`Searcher.run` answers a :class:`~newssearch.search.request.SearchRequest`
(typed, validated); :meth:`Searcher.search` is the friendly call that builds one from
keyword options. A searcher keeps one Whoosh searcher open and caches what is costly to
recompute between queries: filter document sets (:mod:`newssearch.search.filters`) and
per-document facet values (:mod:`newssearch.search.facets`). Each hit's snippets come from
:mod:`newssearch.search.snippets`.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Self

from whoosh import collectors
from whoosh import query as wq
from whoosh.scoring import BM25F

from ..errors import ArticleNotFoundError, QueryError
from ..model import DateMention, Person
from ..store import vocabulary
from ..store.analysis import analysed_languages, analysis_for, fold
from ..store.failures import as_newssearch_error, guarded_class
from ..store.index import open_index, read_meta
from ..store.reading import document_numbers
from ..store.registry import load_registry
from ..store.schema import term_positions
from ..store.vocabulary import Speller
from ..timeparse import format_published
from .budget import QueryBudget, QueryLimits
from .collapse import Collapsed, Stories
from .dates import DateRanges, PublishedDates, nested_ranges, pull_date_ranges
from .expansion import Lexicon, expand
from .export import HitStream
from .facets import DEFAULT_FACETS, DateHistogramFacet, Facet, FacetValues, StoredValues, make_facet
from .filters import FilterSets
from .query import ARTICLE_FIELDS, QueryParser, content_terms, only_text_fields, to_paragraphs, with_title_boost
from .ranking import WordRanker, plan
from .request import Count, Level, SearchRequest, Sort
from .results import ArticleHit, ArticleRecord, FacetResult, IndexStats, OtherVersion, ParagraphHit, SearchResult, StoriesResult, Story
from .snippets import Marks, Paragraphs

if TYPE_CHECKING:
    from ..enrich.people import PeopleRegistry
    from ..enrich.people_registry import PersonEntry

__all__ = ["DEFAULT_FACETS", "FEW_DOCS", "FEW_MATCHES", "MAX_CORRECTIONS", "Searcher"]

#: Up to this many matching articles, facets are counted from the articles' stored fields
#: unless the index-wide values are read already (about 30 µs an article, against seconds
#: to read a field of a large index: see :class:`~newssearch.search.facets.StoredValues`).
FEW_DOCS = 5000
#: Below this many matches, a query gets a "Did you mean" (when a corrected query finds more).
FEW_MATCHES = 5
#: Unknown words "Did you mean" corrects at most (a query with more gets no suggestion).
MAX_CORRECTIONS = 10
#: Hits read from the index at a time by :meth:`Searcher.hits` streams.
HITS_BATCH = 256
#: How many times a query's time limit (:class:`QueryLimits`) matching every hit may take.
HITS_TIME = 10
#: The stored field a sort orders by, and whether newest first.
_SORT_KEYS: dict[Sort, tuple[str | None, bool]] = {Sort.RELEVANCE: (None, False), Sort.NEWEST: ("published", True), Sort.OLDEST: ("published", False)}


@dataclass
class _Matches:
    """What matching found: the exact total, every matching document (when facets need them,
    or the way of matching records them anyway), and the page's (docnum, score) in order
    (score None when sorted by date)."""

    total: int = 0
    matched: list[int] = field(default_factory=list)
    top: list[tuple[int, float | None]] = field(default_factory=list)


@guarded_class
class Searcher:
    """Search an index folder.

    >>> with Searcher("index") as s:                         # doctest: +SKIP
    ...     result = s.search("Vilnius summit", limit=5)
    ...     for hit in result.hits:
    ...         print(hit.rank, hit.title, hit.snippet.marked())
    ...     request = SearchRequest.of("NATO", since="2023", facets=["people"])
    ...     people = s.run(request).facets["people"]

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
        self._reader = self._searcher.reader()
        schema = self._searcher.schema
        self._people: PeopleRegistry | None = None
        languages, original = self._languages()
        self._parser = QueryParser(schema, self.person_keys, languages, original)
        self._dates = PublishedDates(self._reader)
        self._sets = FilterSets(self._searcher, self.person_keys, self._dates)
        self._ranker = WordRanker(self._searcher, B=0.75, K1=1.2)
        self._paragraphs = Paragraphs(self._searcher, self._ranker, self._sets)
        self._lexicon = Lexicon(self._reader)
        self._scorable = {name for name, field in schema.items() if field.scorable}
        self._values = FacetValues(self._reader, schema)
        self._facet_queries = 0
        self._speller: Speller | None = None
        self._stories: Stories | None = None

    def _languages(self) -> tuple[list[str], bool]:
        """The languages of the index with their own analysis, and whether it also holds
        documents analysed the original way (see :mod:`newssearch.store.analysis`)."""
        reader = self._reader
        codes = [str(c) for c in reader.field_terms("language")] if "language" in reader.indexed_field_names() else []
        analysed = [a.code for a in analysed_languages(codes)]
        own = sum(reader.doc_frequency("language", code) for code in analysed)
        return analysed, reader.has_deletions() or own < reader.doc_count()

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

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- people ------------------------------------------------------------------------

    @property
    def _registry(self) -> PeopleRegistry:
        """The people registry, read on first use (only person queries and facets need it)."""
        if self._people is None:
            self._people = load_registry(self.index_dir, self._ix)
        return self._people

    def people_registry(self) -> PeopleRegistry:
        """The index's people registry: who is who across spellings (read on first use)."""
        return self._registry

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

    def search(self, query: str = "", limit: int = 10, page: int = 1, **options: Any) -> SearchResult:
        """Search articles (or, with ``paragraphs=True``, single paragraphs): the friendly
        call, ``self.run(SearchRequest.of(query, limit, page, **options))``.

        ``query`` uses the syntax of :mod:`newssearch.search.query` (empty: everything).
        Options (see :meth:`SearchRequest.of <newssearch.search.request.SearchRequest.of>`):
        ``person`` (any alias; several persons must all appear), ``source`` and ``language``
        (any of several), ``since`` and ``until`` (publication date, ``2023``, ``2023-04`` or
        ``2023-04-20``, inclusive, the publisher's local date), ``sort`` (relevance, newest,
        oldest), ``facets`` (names of the facet registry,
        :data:`~newssearch.search.facets.FACETS`) with ``facet_limit`` values each,
        ``histogram`` (day, week, month, year), ``paragraphs``, ``snippets`` (the best
        matching paragraphs each article hit carries). Raises QueryError for a value it
        cannot take, and TypeError for an option it does not know.
        """
        return self.run(SearchRequest.of(query, limit, page, **options))

    def run(self, request: SearchRequest) -> SearchResult:
        """Answer ``request``: the exact total, one page of hits (articles or paragraphs;
        copies of one story collapsed into one hit unless ``request.collapse`` is false),
        the facets and histogram asked for, and a "did you mean" when little matched."""
        parsed, ranges = self._parse(request)
        allowed = self._allowed(request, parsed, ranges)  # (filters first: they are not charged to the query's budget)
        budget = self.limits.start(request.query)
        q = self._bounded(parsed, budget)
        facets = self._facets(request)
        stories = self.stories() if not request.paragraphs and (request.collapse or request.count is Count.STORIES) else None
        collapse = request.collapse and not request.paragraphs
        if collapse and stories:
            matches, page, matching = self._match_collapsed(q, request, allowed, budget, stories)
        else:
            matches = self._match(q, request, allowed, budget, docs=bool(facets) or bool(stories))
            page = [Collapsed(d, s, None) for d, s in matches.top]
            matching = stories.matching(matches.matched) if stories else {}
        out = SearchResult(
            query=request.query,
            total=matches.total,
            page=request.page,
            limit=request.limit,
            level=request.level.value,
            filters=request.filters.to_dict(),
            request=request,
            stories=Stories.count(matches.total, matching) if collapse else None,
        )
        marks = Marks.of(q, self._reader)
        if request.paragraphs:
            out.paragraphs = self._paragraph_hits(matches.top, marks, request.offset)
        else:
            out.hits = self._article_hits([(c.docnum, c.score) for c in page], q, marks, request.offset, request.snippets, budget)
            if stories:
                for hit, line in zip(out.hits, page):
                    if line.story is not None:
                        hit.other_versions = self._versions(stories, line.story, line.docnum)
        counted_docs = matches.matched
        if stories and request.count is Count.STORIES:
            counted_docs = stories.per_story(matches.matched, matching)
        values = self._facet_values([facet for facet, _ in facets if not isinstance(facet, DateHistogramFacet)], counted_docs, request.paragraphs)
        for facet, top in facets:
            if isinstance(facet, DateHistogramFacet):  # (from the array of dates, whatever the other facets read)
                out.histogram = facet.count_days(*self._dates.days(counted_docs))
                continue
            counted = facet.count(values, counted_docs, top)
            if isinstance(counted, FacetResult):
                out.facets[facet.name] = counted
            else:
                out.histogram = counted
        if matches.total < FEW_MATCHES and request.query.strip() and not budget.out_of_time():
            out.suggestion = self._better(request, matches.total)
        return out

    def _match_collapsed(
        self, q: wq.Query, request: SearchRequest, allowed: set[int] | None, budget: QueryBudget, stories: Stories
    ) -> tuple[_Matches, list[Collapsed], dict[int, list[int]]]:
        """Match, and rank the stories: the page of collapsed lines, and each matching
        story's matching copies. The ranking read is longer than the page by the copies it
        may skip (at most the matches' copies beyond the first of their story: asked for a
        second time, with that exact number, only when a first guess fell short)."""
        n = request.page * request.limit
        ranked = min(stories.redundant, n + 10)
        while True:
            matches = self._match(q, request, allowed, budget, docs=True, n=n + ranked, offset=0)
            matching = stories.matching(matches.matched)
            lines = stories.collapse(matches.top, matching)
            redundant = matches.total - Stories.count(matches.total, matching)
            if len(lines) >= n or len(matches.top) >= matches.total or ranked >= redundant:
                return matches, lines[request.offset : n], matching
            ranked = redundant

    def stories(self) -> Stories:
        """The index's stories (groups of copies) by document number, read on first use."""
        if self._stories is None:
            from ..enrich.groups import GroupTable
            from ..store.duplicates import read_search_groups

            generation = self._reader.generation()
            table = read_search_groups(self.index_dir, self._ix.latest_generation() if generation is None else generation)
            if table is None:
                table = GroupTable([], [0], [], [], [])
            if table.docnums is not None:  # (saved with the groups for this generation)
                total = self._reader.doc_count_all()
                docnums = {a: d for a, d in zip(table.ids, table.docnums) if 0 <= d < total}
            else:
                docnums = document_numbers(self._reader, "id", table.ids)
            self._stories = Stories(table, docnums.get)
        return self._stories

    def _versions(self, stories: Stories, story: int, docnum: int) -> list[OtherVersion]:
        """The copies of a story other than ``docnum`` (all of them for -1), as results show them."""
        out = []
        for other, version, representative in stories.others(story, docnum):
            fields = self._reader.stored_fields(other)
            out.append(OtherVersion(
                id=version.id, title=fields.get("title", ""), source=fields.get("source"),
                published=format_published(fields.get("published")), similarity=version.similarity, representative=representative,
            ))
        return out

    def versions(self, article_id: str) -> list[OtherVersion]:
        """The other copies of the article's story (near-duplicates), representative first;
        [] when it has none. Raises ArticleNotFoundError for an unknown id."""
        docnum = self._searcher.document_number(id=article_id)
        if docnum is None:
            raise ArticleNotFoundError(f"no article with id {article_id!r} in {self.index_dir}")
        stories = self.stories()
        story = stories.story_of.get(docnum)
        return [] if story is None else self._versions(stories, story, docnum)

    def duplicates(self, query: str = "", limit: int = 20, **options: Any) -> StoriesResult:
        """Groups of copies of one story (near-duplicates), largest first, then earliest:
        every group, or those with a copy matching ``query`` and the filters of ``options``
        (as :meth:`search` takes them). ``limit`` groups are listed; ``total`` counts them all."""
        stories = self.stories()
        numbers: list[int] = list(range(len(stories.members)))
        if query.strip() or options:
            request = SearchRequest.of(query, 1, collapse=False, **options)
            parsed, ranges = self._parse(request)
            allowed = self._allowed(request, parsed, ranges)
            budget = self.limits.start(request.query)
            q = self._bounded(parsed, budget)
            matches = self._match(q, request, allowed, budget, docs=True)
            numbers = list(stories.matching(matches.matched))
        first = {n: stories.version(stories.members[n][0][1]) for n in numbers}
        numbers.sort(key=lambda n: (-len(stories.members[n]), _published_order(first[n].published), first[n].id))
        out = StoriesResult(query=query, total=len(numbers), articles=sum(len(stories.members[n]) for n in numbers))
        out.stories = [Story(self._versions(stories, number, -1)) for number in numbers[:limit]]
        return out

    def hits(self, query: str = "", *, snippets: int = 1, batch: int = HITS_BATCH, **options: Any) -> HitStream:
        """Every match of ``query``, not one page: a :class:`~newssearch.search.export.HitStream`
        with the exact ``total``, iterating over :class:`ArticleHit` (or, with
        ``paragraphs=True``, :class:`ParagraphHit`) objects in order, and writing them as
        rows (``rows()``, ``write_jsonl()``, ``write_csv()``, ``to_dataframe()``).

        Takes the filters and order of :meth:`search` (``person``, ``source``, ``language``,
        ``since``, ``until``, ``sort``, ``paragraphs``); ``snippets`` best paragraphs per
        article hit (0: none, the fastest). The query's limits hold, with
        :data:`HITS_TIME` times its time for matching and ordering. The query is matched and ordered here (a bad one
        raises QueryError now); the hits' stored fields are read ``batch`` at a time while the
        stream is read, so keep this searcher open until then::

            with Searcher("index") as s:
                frame = s.hits("NATO", since="2023").to_dataframe()
        """
        for name in ("facets", "facet_limit", "histogram", "limit", "page"):
            if name in options:
                raise TypeError(f"hits() takes no {name!r} option: it gives every match")
        if snippets < 0:
            raise QueryError("snippets must be 0 or more")
        every = max(1, self._reader.doc_count_all())  # (more than can match: one page of everything)
        request = SearchRequest.of(query, every, 1, snippets=max(snippets, 1), **options)
        parsed, ranges = self._parse(request)
        allowed = self._allowed(request, parsed, ranges)
        limits = self.limits if self.limits.seconds is None else replace(self.limits, seconds=self.limits.seconds * HITS_TIME)
        budget = limits.start(request.query)
        q = self._bounded(parsed, budget)
        top = self._match(q, request, allowed, budget, docs=False).top  # (ordered by date: scores are None)
        marks = Marks.of(q, self._reader)

        def batches() -> Iterator[list[ArticleHit] | list[ParagraphHit]]:
            for start in range(0, len(top), batch):
                part = top[start : start + batch]
                if request.paragraphs:
                    yield self._paragraph_hits(part, marks, start)
                elif snippets:
                    yield self._article_hits(part, q, marks, start, snippets)
                else:
                    yield [_article_hit(start + n, score, self._reader.stored_fields(docnum)) for n, (docnum, score) in enumerate(part, 1)]

        return HitStream(len(top), batches, request.paragraphs, self.paragraphs)

    def _better(self, request: SearchRequest, total: int) -> str | None:
        """A corrected query (see :meth:`suggest`) when it finds more than ``request`` did."""
        suggestion = self.suggest(request.query)
        if suggestion is None:
            return None
        fixed = replace(request, query=suggestion, page=1, limit=1, facets=(), histogram=None)
        try:
            parsed, ranges = self._parse(fixed)
            allowed = self._allowed(fixed, parsed, ranges)
            budget = self.limits.start(suggestion)
            q = self._bounded(parsed, budget)
            found = self._match(q, fixed, allowed, budget, docs=False).total
        except QueryError:
            return None
        return suggestion if found > total else None

    def _parse(self, request: SearchRequest) -> tuple[wq.Query, DateRanges]:
        """The request's query, parsed, for its level, and the ``published:`` ranges that
        constrain all of it, taken out (answered as filters: see :mod:`newssearch.search.dates`)."""
        q = self._parser.parse(request.query) if request.query.strip() else wq.Every()
        q, ranges = pull_date_ranges(q)
        q = nested_ranges(q, lambda span: self._sets.dated(request.level, DateRanges((span,))))
        return (to_paragraphs(q) if request.paragraphs else with_title_boost(q)), ranges

    def _allowed(self, request: SearchRequest, q: wq.Query, ranges: DateRanges | None = None) -> set[int] | None:
        """The documents the query may return (None: any), from the filters and date
        ranges, and the level when the query could also match the other kind of document."""
        allowed = self._sets.allowed(request.level, request.filters, ranges)
        if allowed is None and not only_text_fields(q, ("text",) if request.paragraphs else ARTICLE_FIELDS):
            allowed = self._sets.kind(request.level)
        return allowed

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

    def _match(
        self, q: wq.Query, request: SearchRequest, allowed: set[int] | None, budget: QueryBudget, docs: bool,
        n: int | None = None, offset: int | None = None,
    ) -> _Matches:
        """Match and order: the exact total, the page's hits (or the ranking's ``offset`` to
        ``n``), and every match when ``docs`` (facets count them) or when the way of matching
        records them anyway."""
        if n is None:
            n = request.page * request.limit
        if offset is None:
            offset = request.offset
        sortedby, reverse = _SORT_KEYS[request.sort]
        if isinstance(q, wq.Every) and sortedby is None:
            sortedby, reverse = "published", True
        found = _Matches()
        if allowed is not None and not allowed:  # (Whoosh reads an empty filter set as no filter at all)
            return found
        negated = every_but(q)
        if negated is not None:
            # ``* NOT …``: the documents of the level less the matches of what is negated, found
            # within the budget (Whoosh's matcher walks every document of a negated OR of many
            # common words without a match to stop at: minutes on 100k articles)
            excluded = self._match(negated, request, None, budget, docs=True).matched
            base = allowed if allowed is not None else self._sets.kind(request.level)
            found.matched = sorted(base.difference(excluded))
            found.total = len(found.matched)
            newest = reverse if sortedby is not None else True
            no_score: float | None = None  # (ordered by date, as every article is)
            found.top = [(d, no_score) for d in self._dates.order(found.matched, newest=newest, limit=n)][request.offset : n]
            return found
        shape = plan(q, self._scorable)
        try:
            if shape is not None and sortedby is None:
                # words with AND/OR/NOT: every match scored straight from posting blocks
                found.total, found.matched, ranked = self._ranker.run(shape, n, allowed, docs=docs, check=budget.check)
                found.top.extend(ranked[offset:n])
                return found
            if sortedby is None:
                # other shapes, one pass: rank, and record every match (the exact total, what facets count)
                ranker = _RankAndRecord(n)
                timed = _Timed(ranker, budget)
                collector: collectors.Collector = timed if allowed is None else collectors.FilterCollector(timed, allow=allowed)
                self._searcher.search_with_collector(q, collector)
                found.matched = ranker.matched
            else:
                # by date: every match (for words, from posting blocks as when ranking, the
                # title's boosts left out: Whoosh's matchers step one match at a time, 80 ms
                # for 3,000 matches), then the page's from the array of dates (undated last; no score)
                if shape is not None:
                    matched = self._ranker.run(replace(shape, boosts=[]), 0, allowed, docs=True, check=budget.check)[1]
                    found.matched = sorted(matched)
                else:
                    found.matched = self._matching(q, allowed, budget)
                found.total = len(found.matched)
                undated_score: float | None = None
                found.top = [(d, undated_score) for d in self._dates.order(found.matched, newest=reverse, limit=n)][offset:n]
                return found
        except (ValueError, RecursionError) as exc:  # e.g. a query shape Whoosh cannot score
            damage = as_newssearch_error(exc, self.index_dir)  # (or bad bytes in the index)
            if damage is not None:
                raise damage from exc
            raise QueryError(f"cannot run the query {request.query!r}: {exc}") from None
        found.total = len(found.matched)
        if found.matched:
            found.top = [(hit.docnum, hit.score or 0.0) for hit in collector.results()][offset:n]
        return found

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

    # -- facets ------------------------------------------------------------------------

    def _facets(self, request: SearchRequest) -> list[tuple[Facet, int]]:
        """The facets the request counts, each with how many top values to show."""
        facets: list[tuple[Facet, int]] = [(make_facet(spec.name, self), spec.limit) for spec in request.facets]
        if request.histogram is not None:
            # (over the matches' dates: since/until only filter)
            facets.append((DateHistogramFacet(request.histogram.value), 0))
        return facets

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
        from ..store.documents import STORED_FACET_FIELDS, stored_facet_values  # (people keys: imported by facet queries only)

        if any(f.fieldname not in STORED_FACET_FIELDS for f in facets):
            return self._values  # (a facet of a field the stored fields do not give)
        return StoredValues(self._reader.stored_fields, matched, stored_facet_values, self._values.column, self._column_terms)

    def _column_terms(self, fieldname: str) -> Callable[[int], Sequence[str] | None] | None:
        """A document's terms of the multi-valued ``fieldname`` from the column that records
        them (None for a document the column does not know), or None when the index has no
        such column in every segment (an index written before it: see
        :data:`~newssearch.store.documents.TERMS_COLUMNS`)."""
        from ..store.documents import TERMS_COLUMNS, column_terms

        name = TERMS_COLUMNS.get(fieldname)
        column = self._values.column(name) if name is not None else None
        if column is None:
            return None
        return lambda docnum: column_terms(column[docnum])

    # -- building hits -----------------------------------------------------------------

    def _article_hits(
        self, top: list[tuple[int, float | None]], q: wq.Query, marks: Marks, offset: int, snippets: int, budget: QueryBudget | None = None
    ) -> list[ArticleHit]:
        stored = [self._reader.stored_fields(docnum) for docnum, _ in top]
        articles = [(docnum, fields) for (docnum, _), fields in zip(top, stored)]
        best = self._paragraphs.best(articles, q, marks, max(snippets, 1), budget)
        hits = []
        for rank, ((docnum, score), fields) in enumerate(zip(top, stored), start=offset + 1):
            hit = _article_hit(rank, score, fields)
            hit.snippets = best.get(fields["id"], [])
            if not hit.snippets:
                lede = self._paragraphs.text(docnum, fields, 0)
                if lede is not None:
                    hit.snippets = [marks.snippet(lede, language=fields.get("language"))]
            hits.append(hit)
        return hits

    def _paragraph_hits(self, top: list[tuple[int, float | None]], marks: Marks, offset: int) -> list[ParagraphHit]:
        out = []
        for rank, (docnum, score) in enumerate(top, start=offset + 1):
            fields = self._reader.stored_fields(docnum)
            article = self._searcher.document(id=fields["article_id"]) or {}
            pos = fields.get("pos", 0)
            out.append(
                ParagraphHit(
                    rank=rank,
                    article_id=fields["article_id"],
                    title=article.get("title", ""),
                    paragraph=pos,
                    score=score,
                    snippet=marks.snippet(fields.get("text", ""), pos, score or 0.0, fields.get("language")),
                    published=format_published(article.get("published")),
                    source=article.get("source"),
                    url=article.get("url"),
                    path=article.get("path"),
                )
            )
        return out

    # -- other questions ---------------------------------------------------------------

    def suggest(self, query: str) -> str | None:
        """The query with its unknown words corrected to the index's own (unstemmed) words,
        or None (nothing to correct, or too much).

        Only the text's words are corrected (no field name or value of other fields, no
        operator, wildcard, fuzzy word or date); everything else (operators, parentheses,
        quotes, fields, spacing) is kept as typed, and a word is never corrected to a word
        the query already has (``Kyiv OR Kiev`` stays). Corrected words are lowercase."""
        if self._speller is None:
            self._speller = Speller(vocabulary.load(self.index_dir))
        speller = self._speller
        present = {vocabulary.fold_word(w) for w in re.findall(r"[^\W\d_]+", query)}
        changed, unknown = False, 0

        def correct(word: str) -> str:
            nonlocal changed, unknown
            if word in _OPERATORS:
                return word
            folded = vocabulary.fold_word(word)
            if len(folded) < 3 or speller.known(folded):
                return word
            unknown += 1
            if unknown > MAX_CORRECTIONS:
                raise _TooMany
            found = speller.suggest(folded)
            if found is None or found in present:
                return word
            changed = True
            return found

        def words_in(text: str) -> str:
            return _WORD.sub(lambda m: m.group() if m.group("rest") else correct(m.group("word")), text)

        def part(match: re.Match[str]) -> str:
            if match.group("field") is not None:
                name = match.group("field")
                if name.lower() not in _TEXT_FIELD_NAMES or match.group("value").startswith(("[", "{", "(")):
                    return match.group()
                return f"{name}:{words_in(match.group('value'))}"
            return words_in(match.group())

        try:
            out = _PART.sub(part, query)
        except _TooMany:
            return None  # (a query of many unknown words is not a typo)
        return out if changed else None

    def similar(self, article_id: str, limit: int = 10) -> SearchResult:
        """Articles most like the article ``article_id`` (by its most distinctive words)."""
        docnum = self._searcher.document_number(id=article_id)
        if docnum is None:
            raise ArticleNotFoundError(f"no article with id {article_id!r} in {self.index_dir}", hint="ids are shown by `newssearch query --json`")
        fields = self._reader.stored_fields(docnum)
        text = fields.get("title", "") + "\n" + "\n".join(self.paragraphs(article_id))
        allowed = self._sets.kind(Level.ARTICLE) - {docnum}
        language = fields.get("language")
        if language is None or analysis_for(language) is None:
            results = self._searcher.more_like(docnum, "body", text=text, top=limit, numterms=12, filter=allowed)
            q = wq.Or([wq.Term("body", t) for t, _ in self._searcher.key_terms_from_text("body", text, numterms=12)])
        else:  # (Whoosh's key terms analyse the text the original way)
            q = wq.Or([wq.Term("body", t) for t in self._key_terms(text, language, 12)])
            results = self._searcher.search(q, limit=limit, filter=allowed)
        top = [(hit.docnum, hit.score or 0.0) for hit in results]
        out = SearchResult(query=f"similar:{article_id}", total=len(top), page=1, limit=limit)
        out.hits = self._article_hits(top, q, Marks(content_terms(q), (), content_terms(q)), 0, 1)
        return out

    def _key_terms(self, text: str, language: str, count: int) -> list[str]:
        """The ``count`` most distinctive terms of ``text`` analysed in ``language`` (by
        frequency times inverse document frequency in the index)."""
        total = max(self._reader.doc_count_all(), 1)
        weights = []
        for term, positions in term_positions(text, None, language).items():
            documents = self._reader.doc_frequency("body", term)
            if documents:
                weights.append((len(positions) * math.log(total / documents), term))
        weights.sort(key=lambda w: (-w[0], w[1]))
        return [term for _, term in weights[:count]]

    def paragraphs(self, article_id: str) -> list[str]:
        """The paragraphs of an article, in order."""
        return self._paragraphs.texts(article_id)

    def article(self, article_id: str) -> ArticleRecord:
        """Everything stored about one article: metadata, paragraphs, people, dates."""
        fields = self._searcher.document(id=article_id)
        if not fields or fields.get("kind") != "article":
            raise ArticleNotFoundError(f"no article with id {article_id!r} in {self.index_dir}")
        return ArticleRecord(
            **_metadata(fields),
            paragraphs=self.paragraphs(article_id),
            people=[_person(p) for p in fields.get("people") or []],
            dates=[_mention(d) for d in fields.get("dates") or []],
            other_versions=self.versions(article_id),
        )

    def stats(self) -> IndexStats:
        """Counts of what the index holds."""
        articles = self._sets.kind(Level.ARTICLE)
        paragraphs = self._sets.kind(Level.PARAGRAPH)
        sources = {self._values.single("source")[d] for d in articles} - {None, ""}
        dates = [v for d in articles if isinstance(v := self._values.single("published")[d], dt.datetime)]
        size = 0
        for name in os.listdir(self.index_dir):
            path = os.path.join(self.index_dir, name)
            if os.path.isfile(path):
                size += os.path.getsize(path)
        meta = read_meta(self.index_dir)
        from ..enrich.people import METHOD_NAMES, people_method

        people = {self._registry.group(k) for d in articles for k in self._values.multi("person").get(d, ())}
        counted = Counter(self._values.single("language")[d] or UNKNOWN_LANGUAGE for d in articles)
        languages = dict(sorted(counted.items(), key=lambda item: (-item[1], item[0])))
        no_model = sorted(c for c in languages if c != UNKNOWN_LANGUAGE and people_method(c) == METHOD_NAMES)
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
            languages=languages,
            no_people_model=no_model,
        )

    def people(self, text: str = "", limit: int | None = 50, include_non_persons: bool = False) -> list[PersonEntry]:
        """The people of the index, most named first, with their article counts and the
        aliases the registry merged into each; with ``text``, those whose name or an alias
        holds it (case and accents aside). ``include_non_persons`` adds the names the
        registry judged not to be people (teams, firms, places), marked ``person=False``."""
        entries = self._registry.people(include_non_persons=include_non_persons)
        wanted = fold(text.strip().lower())
        if wanted:
            entries = [e for e in entries if any(wanted in fold(n.lower()) for n in (e.name, *e.aliases))]
        return entries if limit is None else entries[:limit]


#: How :meth:`Searcher.stats` counts articles of no known language.
UNKNOWN_LANGUAGE = "unknown"

#: Query words that are operators, never corrected.
_OPERATORS = frozenset({"AND", "OR", "NOT", "TO", "to"})
#: The fields whose values are the text's words (what the vocabulary holds).
_TEXT_FIELD_NAMES = frozenset({"title", "body", "text"})
#: A field and its value (quoted, a range, a group or a word), or a quoted phrase, or any
#: other run of text: the parts of a query a suggestion works through.
_PART = re.compile(r'(?P<field>\w+):(?P<value>"[^"]*"?|\[[^\]]*\]?|\{[^}]*\}?|\([^)]*\)?|[^\s()]*)|"[^"]*"?|[^"\s()]+|[()]|\s+')
#: A word, with what follows it when that makes it a wildcard, prefix or fuzzy word (kept).
_WORD = re.compile(r"(?P<word>[^\W\d_]+)(?P<rest>[*?~^][^\s()\"]*|\w*[*?][^\s()\"]*|\d\w*)?")


class _TooMany(Exception):
    """Too many unknown words to correct (see :meth:`Searcher.suggest`)."""


#: Matches collected between two checks of a query's clock.
_CHECK_EVERY = 64


def every_but(q: wq.Query) -> wq.Query | None:
    """What ``* NOT a NOT b`` (every document but the matches of ``a`` or ``b``) negates, as
    one query; None for any other shape."""
    parts = q.subqueries if isinstance(q, wq.And) else []
    if len(parts) < 2 or not isinstance(parts[0], wq.Every) or parts[0].fieldname is not None:
        return None
    nots = [part for part in parts[1:] if isinstance(part, wq.Not)]
    if len(nots) < len(parts) - 1:
        return None
    negated = [part.query for part in nots]
    return negated[0] if len(negated) == 1 else wq.Or(negated)


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


def _published_order(value: dt.datetime | None) -> tuple[int, dt.datetime]:
    """Sorts dates, the unknown ones last."""
    return (1, dt.datetime.min) if value is None else (0, value)


def _metadata(fields: dict[str, Any]) -> dict[str, Any]:
    """An article document's metadata, as the result types hold it."""
    authors = fields.get("authors") or []
    if isinstance(authors, str):
        authors = [a for a in authors.split(",") if a]
    return {
        "id": fields["id"],
        "title": fields.get("title", ""),
        "published": format_published(fields.get("published")),
        "source": fields.get("source"),
        "url": fields.get("url"),
        "path": fields.get("path"),
        "authors": list(authors),
        "language": fields.get("language"),
    }


def _article_hit(rank: int, score: float | None, fields: dict[str, Any]) -> ArticleHit:
    return ArticleHit(rank=rank, score=score, people=[p["name"] for p in fields.get("people") or []], **_metadata(fields))


_PERSON_FIELDS = frozenset(Person.__dataclass_fields__)
_MENTION_FIELDS = frozenset(DateMention.__dataclass_fields__)


def _person(stored: dict[str, Any]) -> Person:
    """A person as stored with an article (fields of other versions ignored)."""
    return Person(**{k: v for k, v in stored.items() if k in _PERSON_FIELDS})


def _mention(stored: dict[str, Any]) -> DateMention:
    """A mentioned date as stored with an article (fields of other versions ignored)."""
    return DateMention(**{k: v for k, v in stored.items() if k in _MENTION_FIELDS})
