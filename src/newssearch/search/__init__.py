"""Search: query parsing, ranking, filters, facets and highlights, returning typed results.

The public entry point is :class:`newssearch.search.searcher.Searcher`.
"""
