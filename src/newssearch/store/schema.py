"""The Whoosh schema: one index holding article documents and paragraph documents.

Every document has ``kind`` (``article`` or ``paragraph``), its own ``id`` and the
``article_id`` it belongs to, so an article and all its paragraphs are deleted together by
one term. Paragraph documents carry copies of the article's filter fields (source, dates,
language) so paragraph-level search and facets filter the same way. Documents are flat (no
Whoosh nesting): updating an article is "delete by ``article_id``/``path``, add again".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

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


class PreAnalyzed(list):  # type: ignore[type-arg]
    """A field value already analysed into postings (in a worker process).

    Holds the ``(term bytes, frequency, weight, encoded positions)`` tuples that
    ``field.index(text)`` would give, so the process writing the index does no analysis.
    """


class AnalyzedText(fields.TEXT):
    """A TEXT field that also accepts :class:`PreAnalyzed` values."""

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        if isinstance(value, PreAnalyzed):
            return iter(value)
        return super().index(value, **kwargs)


def pre_analyze(field: fields.FieldType, text: str) -> PreAnalyzed:
    """Analyse ``text`` for ``field`` now; the result can be pickled and indexed elsewhere."""
    return PreAnalyzed(field.index(text))


def build_schema() -> fields.Schema:
    """The schema of a newssearch index (see the module docstring)."""
    text = text_analyzer()
    return fields.Schema(
        kind=fields.ID(stored=True),
        id=fields.ID(stored=True, unique=True),
        article_id=fields.ID(stored=True),
        path=fields.ID(stored=True),
        filekey=fields.ID(),
        title=AnalyzedText(analyzer=text, stored=True, field_boost=2.0, phrase=True),
        body=AnalyzedText(analyzer=text, stored=True, phrase=True),
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
