"""Store: the Whoosh index of articles and paragraphs — schema, index format, opening,
writing, reading.

The index format is newssearch's own Whoosh codec (:mod:`.codec`), recorded in each segment;
:mod:`.reading` is what search reads through it (whole posting lists, field lengths, word
lists). Everything that depends on Whoosh's internals is here, for the Whoosh versions
:mod:`.compat` checks at import; :mod:`newssearch.search` uses Whoosh's public query, parser
and searcher API and this package.
"""
