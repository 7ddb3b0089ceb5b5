"""Store: the Whoosh index of articles and paragraphs — schema, opening, writing.

Whoosh is used only here and in :mod:`newssearch.search`; the rest of newssearch speaks
articles, hits and facets.
"""
