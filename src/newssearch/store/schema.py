"""The Whoosh schema: one index holding article documents and paragraph documents.

Every document has ``kind`` (``article`` or ``paragraph``), the ``article_id`` it belongs
to and the ``path`` of its file (article documents also have their own unique ``id``), so a
file's articles and all their paragraphs are deleted together by one term. Article
documents hold ``title`` and ``body`` (not stored: paragraphs are); paragraph documents hold
their paragraph in ``text``, so an article query reads only article postings and a
paragraph query only paragraph postings. Paragraph documents carry copies of the article's
filter fields (source, dates, language) so paragraph-level search and facets filter the same
way. Documents are flat (no Whoosh nesting): updating an article is "delete by ``path``,
add again".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from whoosh import columns, fields
from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    Token,
)
from whoosh.support.charset import accent_map

#: Bumped whenever the schema or the meaning of a field changes incompatibly.
SCHEMA_VERSION = 2

#: Tokens: runs of letters/digits, keeping inner dots ("U.S."). Apostrophes, straight or curly,
#: split words ("Ukraine’s" -> "ukraine", "s"; the lone "s" is too short to index), so both
#: spellings search alike.
_TOKEN = r"\w+(?:\.?\w+)*"


def text_analyzer(words: Counter[str] | None = None) -> Analyzer:
    """Words lowercased, accents folded, stopwords dropped, English (Porter) stems.

    With ``words``, the unstemmed words of three or more letters are also counted into it as
    they pass (the vocabulary for spelling suggestions, gathered in the same pass).
    """
    counted = [WordCounter(words)] if words is not None else []
    return _compose(RegexTokenizer(_TOKEN), LowercaseFilter(), CharsetFilter(accent_map), *counted, StopFilter(), StemFilter(cachesize=100_000))


def _compose(*parts: Any) -> Analyzer:
    analyzer = parts[0]
    for part in parts[1:]:
        analyzer = analyzer | part
    return analyzer


class WordCounter(Filter):
    """Counts each passing token of three or more letters into a Counter (changes nothing)."""

    def __init__(self, counts: Counter[str]) -> None:
        self.counts = counts

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WordCounter)

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        counts = self.counts
        for token in tokens:
            text = token.text
            if len(text) >= 3 and text.isalpha():
                counts[text] += 1
            yield token


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


def pre_analyze_paragraphs(
    field: fields.FieldType, paragraphs: list[str], analyzer: Analyzer | None = None
) -> tuple[PreAnalyzed, list[PreAnalyzed]]:
    """Analyse each paragraph once; return the whole body's postings and each paragraph's.

    The body's postings are the paragraphs' merged with position offsets, exactly what
    analysing the paragraphs joined by blank lines gives, at half the cost. ``analyzer``
    replaces the field's own (e.g. one that also counts words, see :func:`text_analyzer`).
    """
    fmt = field.format
    boost = fmt.field_boost
    analyzer = analyzer or field.analyzer
    whole: dict[str, list[int]] = {}
    parts = []
    next_pos: int | None = None  # where the joined text's next kept token would be
    for text in paragraphs:
        poses: dict[str, list[int]] = {}
        first = last = None
        for token in analyzer(text, positions=True, mode="index"):
            poses.setdefault(token.text, []).append(token.pos)
            if first is None:
                first = token.pos
            last = token.pos
        if first is not None and last is not None:
            # the stop filter renumbers kept tokens consecutively after the first one,
            # which keeps its own position: shift this paragraph to follow the previous one
            offset = 0 if next_pos is None else next_pos - first
            for word, positions in poses.items():
                whole.setdefault(word, []).extend(p + offset for p in positions)
            next_pos = last + offset + 1
        parts.append(PreAnalyzed((w.encode("utf-8"), len(pl), len(pl) * boost, fmt.encode(pl)) for w, pl in poses.items()))
    body = PreAnalyzed((w.encode("utf-8"), len(pl), len(pl) * boost, fmt.encode(pl)) for w, pl in whole.items())
    return body, parts


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
        body=AnalyzedText(analyzer=text, phrase=True),
        text=AnalyzedText(analyzer=text, stored=True, phrase=True),
        pos=fields.STORED(),
        paragraphs=fields.STORED(),
        source=fields.KEYWORD(stored=True, commas=True, lowercase=True, sortable=True),
        url=fields.ID(stored=True),
        published=fields.DATETIME(stored=True, sortable=True),
        pub_year=fields.COLUMN(columns.VarBytesColumn()),
        pub_month=fields.COLUMN(columns.VarBytesColumn()),
        authors=fields.KEYWORD(stored=True, commas=True, lowercase=True, scorable=True),
        language=fields.KEYWORD(stored=True, commas=True, lowercase=True, sortable=True),
        person=fields.KEYWORD(commas=True, lowercase=True, scorable=True),
        people=fields.STORED(),
        mentioned=fields.KEYWORD(commas=True, lowercase=True),
        dates=fields.STORED(),
    )
