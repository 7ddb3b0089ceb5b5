"""Search: query parsing, ranking, filters, facets and snippets, returning typed results.

The public entry point is :class:`newssearch.search.searcher.Searcher`: ``run()`` answers a
:class:`~newssearch.search.request.SearchRequest` (``search()`` builds one from keyword
options). Modules: ``request`` (what a search asks for), ``query`` (the query language),
``expansion`` and ``budget`` (wildcards and what a query may cost), ``ranking`` and
``postings`` (matching and BM25F), ``filters`` (filter document sets), ``facets`` (the
registry of facets, histograms), ``snippets`` and ``highlight`` (each hit's best paragraphs,
marked), ``results`` (the typed results).
"""
