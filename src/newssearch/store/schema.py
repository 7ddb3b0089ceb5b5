"""The Whoosh schema: one index holding article documents and paragraph documents.

Every document has ``kind`` (``article`` or ``paragraph``), its own ``id`` and the
``article_id`` it belongs to, so an article and all its paragraphs are deleted together by
one term. Paragraph documents carry copies of the article's filter fields (source, dates,
language) so paragraph-level search and facets filter the same way. Documents are flat (no
Whoosh nesting): updating an article is "delete by ``article_id``/``path``, add again".
"""

from __future__ import annotations

from whoosh import fields
from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.support.charset import accent_map

#: Bumped whenever the schema or the meaning of a field changes incompatibly.
SCHEMA_VERSION = 1

#: Tokens: runs of letters/digits, keeping inner dots ("U.S."). Apostrophes, straight or curly,
#: split words ("Ukraine’s" -> "ukraine", "s"; the lone "s" is too short to index), so both
#: spellings search alike.
_TOKEN = r"\w+(?:\.?\w+)*"


def text_analyzer() -> Analyzer:
    """Words lowercased, accents folded, stopwords dropped, English (Porter) stems."""
    return (
        RegexTokenizer(_TOKEN)
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopFilter()
        | StemFilter(cachesize=100_000)
    )


def word_analyzer() -> Analyzer:
    """Words lowercased and accent-folded, not stemmed: the vocabulary for spelling suggestions."""
    return RegexTokenizer(r"[^\W\d_]{3,}") | LowercaseFilter() | CharsetFilter(accent_map)


def build_schema() -> fields.Schema:
    """The schema of a newssearch index (see the module docstring)."""
    text = text_analyzer()
    return fields.Schema(
        kind=fields.ID(stored=True),
        id=fields.ID(stored=True, unique=True),
        article_id=fields.ID(stored=True),
        path=fields.ID(stored=True),
        filekey=fields.ID(),
        title=fields.TEXT(analyzer=text, stored=True, field_boost=2.0, phrase=True),
        body=fields.TEXT(analyzer=text, stored=True, phrase=True),
        spell=fields.TEXT(analyzer=word_analyzer(), phrase=False),
        pos=fields.NUMERIC(int, stored=True),
        paragraphs=fields.NUMERIC(int, stored=True),
        source=fields.KEYWORD(stored=True, commas=True, lowercase=True, sortable=True),
        url=fields.ID(stored=True),
        published=fields.DATETIME(stored=True, sortable=True),
        pub_year=fields.ID(sortable=True),
        pub_month=fields.ID(sortable=True),
        authors=fields.KEYWORD(stored=True, commas=True, lowercase=True, scorable=True),
        language=fields.KEYWORD(stored=True, commas=True, lowercase=True, sortable=True),
        person=fields.KEYWORD(commas=True, lowercase=True, scorable=True),
        people=fields.STORED(),
        mentioned=fields.KEYWORD(commas=True, lowercase=True),
        dates=fields.STORED(),
    )
