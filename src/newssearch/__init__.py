"""newssearch: full-text search for news archives.

Index a folder of articles, then search it::

    from newssearch import Searcher, SearchRequest, index_paths

    report = index_paths(["corpus/"], "index")
    with Searcher("index") as searcher:
        result = searcher.search("Vilnius summit", limit=5, facets=["people"])
        for hit in result.hits:
            print(hit.rank, hit.title, hit.snippet.marked())
        request = SearchRequest.of("NATO", since="2023-01", sort="newest", histogram="month")
        result = searcher.run(request)

The names below are re-exported from private modules and imported on first use, so that
``import newssearch`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Article": "newssearch.model",
    "Person": "newssearch.model",
    "DateMention": "newssearch.model",
    "Searcher": "newssearch.search.searcher",
    "SearchRequest": "newssearch.search.request",
    "Filters": "newssearch.search.request",
    "FacetSpec": "newssearch.search.request",
    "Sort": "newssearch.search.request",
    "Level": "newssearch.search.request",
    "Interval": "newssearch.search.facets",
    "Period": "newssearch.timeparse",
    "SearchResult": "newssearch.search.results",
    "ArticleHit": "newssearch.search.results",
    "Hit": "newssearch.search.results",
    "ParagraphHit": "newssearch.search.results",
    "ArticleRecord": "newssearch.search.results",
    "Snippet": "newssearch.search.results",
    "FacetResult": "newssearch.search.results",
    "FacetValue": "newssearch.search.results",
    "Histogram": "newssearch.search.results",
    "Bucket": "newssearch.search.results",
    "IndexStats": "newssearch.search.results",
    "index_paths": "newssearch.indexing",
    "IndexReport": "newssearch.indexing",
    "Progress": "newssearch.indexing",
    "extract": "newssearch.extracting",
    "NewssearchError": "newssearch.errors",
    "InputError": "newssearch.errors",
    "IndexNotFoundError": "newssearch.errors",
    "IndexLockedError": "newssearch.errors",
    "IndexVersionError": "newssearch.errors",
    "IndexDamagedError": "newssearch.errors",
    "IndexUntrustedError": "newssearch.errors",
    "IndexStorageError": "newssearch.errors",
    "QueryError": "newssearch.errors",
    "QueryTooExpensiveError": "newssearch.errors",
    "QueryLimits": "newssearch.search.budget",
    "ArticleNotFoundError": "newssearch.errors",
    "HitStream": "newssearch.search.export",
    "ReadSettings": "newssearch.ingest.settings",
    "SettingsError": "newssearch.ingest.settings",
    "index_stream": "newssearch.indexing.stream",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover
    from .errors import (
        ArticleNotFoundError,
        IndexDamagedError,
        IndexLockedError,
        IndexNotFoundError,
        IndexStorageError,
        IndexUntrustedError,
        IndexVersionError,
        InputError,
        NewssearchError,
        QueryError,
        QueryTooExpensiveError,
    )
    from .extracting import extract
    from .indexing import IndexReport, Progress, index_paths
    from .indexing.stream import index_stream
    from .ingest.settings import ReadSettings, SettingsError
    from .model import Article, DateMention, Person
    from .search.budget import QueryLimits
    from .search.export import HitStream
    from .search.facets import Interval
    from .search.request import FacetSpec, Filters, Level, SearchRequest, Sort
    from .search.results import (
        ArticleHit,
        ArticleRecord,
        Bucket,
        FacetResult,
        FacetValue,
        Histogram,
        Hit,
        IndexStats,
        ParagraphHit,
        SearchResult,
        Snippet,
    )
    from .search.searcher import Searcher
    from .timeparse import Period


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'newssearch' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
