"""The Whoosh schema: one index holding article documents and paragraph documents.

Every document has ``kind`` (``article`` or ``paragraph``), the ``article_id`` it belongs
to and the ``path`` of its file (article documents also have their own unique ``id``), so a
file's articles and all their paragraphs are deleted together by one term; ``folder`` holds
the path's folder names and file name as separate terms (``path:sport`` in a query). Article
documents hold ``title`` and ``body`` (the title's words, then the paragraphs'; not stored:
paragraphs are), so a word query matches on ``body`` alone and ``title`` only adds to the
score of the articles it matches (see ``search.query.with_title_boost``); paragraph documents hold
their paragraph in ``text``, so an article query reads only article postings and a
paragraph query only paragraph postings. ``exact`` (article documents: title and body) and
``exact_text`` (paragraph documents) hold the same words unstemmed, lowercased only, with
their frequencies and no positions: a quoted single word (``"gaming"``) searches them.
Paragraph documents carry copies of the article's
filter fields (source, dates, language) so paragraph-level search and facets filter the same
way. Documents are flat (no Whoosh nesting): updating an article is "delete by ``path``,
add again". ``person_keys`` is a column of each article document's ``person`` terms (see
:func:`newssearch.store.documents.column_terms`): the people facet of a one-shot query reads
its matches' people there instead of from their stored fields.
"""

from __future__ import annotations

import re
import struct
from collections import Counter
from collections.abc import Collection, Iterator
from typing import Any, cast

from whoosh import columns, fields, formats
from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.lang.porter import stem as porter_stem
from whoosh.support.charset import accent_map

from . import analysis as lang
from .codec import VarintPositions, encode_positions

#: Bumped whenever the schema, the meaning of a field or the index format changes incompatibly
#: (5: newssearch's own codec, :mod:`newssearch.store.codec`; 6: the unstemmed ``exact`` and
#: ``exact_text`` fields, and ``folder``; 7: per-language analysis, :mod:`newssearch.store.analysis`;
#: 8: the codec's own terms file, :mod:`newssearch.store.termfile`).
SCHEMA_VERSION = 8

#: Tokens: runs of letters/digits, keeping inner dots ("U.S."). Apostrophes, straight or curly,
#: split words ("Ukraine’s" -> "ukraine", "s"; the lone "s" is too short to index), so both
#: spellings search alike.
_TOKEN = r"\w+(?:\.?\w+)*"


def text_analyzer() -> Analyzer:
    """Words lowercased, accents folded, stopwords dropped, English (Porter) stems.

    The analyzer of the text fields, used for queries and highlighting. Indexing takes the
    same steps in one fused loop (:func:`term_positions`), which gives the same terms and
    positions at a fraction of the cost of the token-object pipeline.
    """
    return RegexTokenizer(_TOKEN) | LowercaseFilter() | CharsetFilter(accent_map) | StopFilter() | StemFilter(cachesize=100_000)


#: The tokens of ``_TOKEN`` (its optional dot never matches empty), found a tenth faster.
_TOKEN_RE = re.compile(r"\w+(?:\.\w+)*")
_STOPS = StopFilter().stops
_stem_cache: dict[str, str] = {}
#: Whoosh's accent folding table (keyed by code point, as str.translate wants; Whoosh's source
#: builds it from a literal keyed by characters, which is the type a checker sees).
_ACCENT_TABLE = cast("dict[int, str]", accent_map)


def term_positions(text: str, words: Counter[str] | None = None, language: str | None = None) -> dict[str, list[int]]:
    """Each term of ``text`` (as :func:`text_analyzer` indexes it) with its positions.

    A ``language`` with its own analysis (:func:`~.analysis.analysis_for`) is analysed by it
    (:func:`~.analysis.term_positions`); the rest of this docstring is the original analysis.

    Mirrors the analyzer step by step: tokens by ``_TOKEN``; lowercased; accents folded;
    tokens shorter than 2 letters or in the stop list dropped, the kept ones numbered
    consecutively from the first kept token's own position; Porter stems. With ``words``,
    the unstemmed words of three or more letters are counted into it (before stopping),
    the vocabulary for spelling suggestions. ``tests/test_readers.py`` checks that both
    give the same postings.
    """
    own = lang.analysis_for(language)
    if own is not None:
        return lang.term_positions(own, text, words)
    out: dict[str, list[int]] = {}
    cache = _stem_cache
    stops = _STOPS
    pos = -1
    for raw, token in enumerate(_TOKEN_RE.findall(text)):
        word = token.lower()
        if not word.isascii():  # (lowercase ASCII folds to itself)
            word = word.translate(accent_map)
        if words is not None and len(word) >= 3 and word.isalpha():
            words[word] += 1
        if len(word) < 2 or word in stops:
            continue
        pos = raw if pos < 0 else pos + 1
        stem = cache.get(word)
        if stem is None:
            stem = cache[word] = porter_stem(word)
        positions = out.get(stem)
        if positions is None:
            out[stem] = [pos]
        else:
            positions.append(pos)
    return out


def term_spans(text: str, initials: Collection[str] | None = None, language: str | None = None) -> Iterator[tuple[str, int, int]]:
    """Each token of ``text`` as ``(term, start, end)``: what :func:`text_analyzer` gives
    with ``chars=True, removestops=False`` (the highlighter's call), in one fused loop.
    A ``language`` with its own analysis gives its terms (:func:`~.analysis.term_spans`).

    Stopped tokens (stopwords, single letters) are kept, lowercased and folded but not
    stemmed, as the analyzer keeps them. ``tests/test_analysis.py`` checks both agree.
    With ``initials``, only the tokens whose term starts with one of them are given (the
    others are not stemmed: a Porter stem keeps the word's first letter).
    """
    own = lang.analysis_for(language)
    if own is not None:
        yield from lang.term_spans(own, text, initials)
        return
    cache = _stem_cache
    stops = _STOPS
    for match in _TOKEN_RE.finditer(text):
        word = match.group().lower()
        if not word.isascii():
            word = word.translate(_ACCENT_TABLE)
        if initials is not None and word[:1] not in initials:
            continue
        if len(word) >= 2 and word not in stops:
            stem = cache.get(word)
            if stem is None:
                stem = cache[word] = porter_stem(word)
            word = stem
        yield word, match.start(), match.end()


def exact_analyzer() -> Analyzer:
    """Words lowercased, nothing else: no stemming, no accent folding, no stopwords (the
    ``exact`` fields, for a quoted single word). Text is NFC already (and queries are read
    as NFC), so one word has one form."""
    return RegexTokenizer(_TOKEN) | LowercaseFilter()


def exact_counts(text: str) -> Counter[str]:
    """Each word of ``text`` as :func:`exact_analyzer` gives it, with its count."""
    return Counter(token.lower() for token in _TOKEN_RE.findall(text))


def exact_spans(text: str, words: Collection[str]) -> Iterator[tuple[int, int]]:
    """The ``(start, end)`` of each token of ``text`` whose exact form (see
    :func:`exact_analyzer`) is in ``words``."""
    for match in _TOKEN_RE.finditer(text):
        if match.group().lower() in words:
            yield match.start(), match.end()


def exact_postings(counts: Counter[str]) -> PreAnalyzed:
    """The postings an ``exact`` field (frequencies, no positions) indexes for ``counts``:
    what ``field.index(text)`` gives, without analysing the text again."""
    return PreAnalyzed((word.encode("utf-8"), n, float(n), _FREQUENCIES.get(n) or _frequency(n)) for word, n in counts.items())


_FREQUENCIES: dict[int, bytes] = {}


def _frequency(n: int) -> bytes:
    value = _FREQUENCIES[n] = struct.pack("!I", n)  # (Whoosh's Frequency format: the count, 4 bytes big-endian)
    return value


def phrase_spans(text: str, phrases: Collection[tuple[str, ...]], language: str | None = None) -> list[tuple[int, int]]:
    """The ``(start, end)`` of each place in ``text`` where one of ``phrases`` (their
    analysed words, as a phrase query holds them) occurs: the phrase's words on consecutive
    kept tokens (stopwords between them skipped, as the index numbers positions), from the
    first word's start to the last's end. ``language``: the text's (see :func:`term_spans`)."""
    if not phrases:
        return []
    own = lang.analysis_for(language)
    if own is not None:  # (a word's first term is its stem; stop words give none)
        kept = [(found[0], m.start(), m.end()) for m in _TOKEN_RE.finditer(text) if (found := own.terms(m.group().lower()))]
    else:
        kept = [(term, start, end) for term, start, end in term_spans(text) if len(term) >= 2 and not _stopped(text[start:end])]
    terms = [term for term, _, _ in kept]
    spans = []
    for phrase in phrases:
        n = len(phrase)
        if not n:
            continue
        for i in range(len(terms) - n + 1):
            if terms[i] == phrase[0] and tuple(terms[i : i + n]) == phrase:
                spans.append((kept[i][1], kept[i + n - 1][2]))
    return sorted(set(spans))


def _stopped(token: str) -> bool:
    """True when the analysis drops ``token`` (a stopword or a single letter)."""
    word = token.lower()
    if not word.isascii():
        fold: Any = accent_map
        word = word.translate(fold)
    return len(word) < 2 or word in _STOPS


def word_analyzer() -> Analyzer:
    """Words lowercased and accent-folded, not stemmed: the vocabulary for spelling suggestions."""
    return RegexTokenizer(r"[^\W\d_]{3,}") | LowercaseFilter() | CharsetFilter(accent_map)


class PreAnalyzed(list):  # type: ignore[type-arg]
    """A field value already analysed into postings (in a worker process).

    Holds the ``(term bytes, frequency, weight, encoded positions)`` tuples that
    ``field.index(text)`` would give, so the process writing the index does no analysis.
    """


class _AcceptsPreAnalyzed:
    """Mixin for Whoosh field types: a :class:`PreAnalyzed` value is indexed as it is."""

    def index(self, value: Any, **kwargs: Any) -> Any:  # (an iterator of Whoosh's postings)
        if isinstance(value, PreAnalyzed):
            return iter(value)
        return super().index(value, **kwargs)  # type: ignore[misc]


class AnalyzedText(_AcceptsPreAnalyzed, fields.TEXT):
    """A TEXT field that also accepts :class:`PreAnalyzed` values, its positions stored by
    newssearch's codec's :class:`~.codec.VarintPositions` format."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if type(self.format) is formats.Positions:
            self.format = VarintPositions(field_boost=self.format.field_boost)


class ExactWords(AnalyzedText):
    """Unstemmed words with their frequencies, no positions (see :func:`exact_analyzer`):
    a quoted single word (``"gaming"``) matches these, where ``gaming`` matches the stem
    ``game`` of the stemmed fields."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(analyzer=exact_analyzer(), phrase=False, **kwargs)


class IdField(_AcceptsPreAnalyzed, fields.ID):
    """An ID field that also accepts :class:`PreAnalyzed` values (an article's paragraphs
    share its ``article_id``, ``path``…: analysed once per article)."""


class KeywordField(_AcceptsPreAnalyzed, fields.KEYWORD):
    """A KEYWORD field that also accepts :class:`PreAnalyzed` values."""


def pre_analyze(field: fields.FieldType, value: Any) -> PreAnalyzed:
    """Analyse ``value`` for ``field`` now; the result can be pickled and indexed elsewhere."""
    return PreAnalyzed(field.index(value))


def pre_analyze_text(field: fields.FieldType, text: str, language: str | None = None) -> PreAnalyzed:
    """Analyse ``text`` for the text ``field`` in ``language`` (the original analysis, as
    :func:`pre_analyze`, when the language has none of its own)."""
    if lang.analysis_for(language) is None:
        return pre_analyze(field, text)
    fmt: Any = field.format
    boost = fmt.field_boost
    encode = _encode_positions if type(fmt) is VarintPositions else fmt.encode
    poses = term_positions(text, None, language)
    return PreAnalyzed((w.encode("utf-8"), len(pl), len(pl) * boost, encode(pl)) for w, pl in sorted(poses.items()))


def pre_analyze_paragraphs(
    field: fields.FieldType, paragraphs: list[str], words: Counter[str] | None = None, language: str | None = None
) -> tuple[PreAnalyzed, list[PreAnalyzed]]:
    """Analyse each paragraph once; return the whole body's postings and each paragraph's.

    The body's postings are the paragraphs' merged with position offsets, exactly what
    analysing the paragraphs joined by blank lines gives, at half the cost. ``words``
    counts the unstemmed words (see :func:`term_positions`), analysed for ``language``.
    """
    fmt: Any = field.format
    boost = fmt.field_boost
    encode = _encode_positions if type(fmt) is VarintPositions else fmt.encode
    whole: dict[str, list[int]] = {}
    parts = []
    next_pos: int | None = None  # where the joined text's next kept token would be
    for text in paragraphs:
        poses = term_positions(text, words, language)
        if poses:
            first = min(pl[0] for pl in poses.values())
            last = max(pl[-1] for pl in poses.values())
            # the stop filter renumbers kept tokens consecutively after the first one,
            # which keeps its own position: shift this paragraph to follow the previous one
            offset = 0 if next_pos is None else next_pos - first
            for word, positions in poses.items():
                positions = [p + offset for p in positions] if offset else list(positions)
                merged = whole.get(word)
                if merged is None:
                    whole[word] = positions
                else:
                    merged.extend(positions)
            next_pos = last + offset + 1
        parts.append(PreAnalyzed((w.encode("utf-8"), len(pl), len(pl) * boost, encode(pl)) for w, pl in poses.items()))
    body = PreAnalyzed((w.encode("utf-8"), len(pl), len(pl) * boost, encode(pl)) for w, pl in whole.items())
    return body, parts


_one_position: dict[int, bytes] = {}


def _encode_positions(positions: list[int]) -> bytes:
    """:func:`~.codec.encode_positions`, a term's single position (most terms) encoded once
    per position value."""
    if len(positions) == 1:
        encoded = _one_position.get(positions[0])
        if encoded is None:
            encoded = _one_position[positions[0]] = encode_positions(positions)
        return encoded
    return encode_positions(positions)


class PublishedField(_AcceptsPreAnalyzed, fields.DATETIME):  # type: ignore[misc]  # (NUMERIC.index calls its value "num")
    """Whoosh's DATETIME indexed at two precisions (``shift_step=32``) instead of eight.

    A numeric field is indexed once per precision level so that ranges read few terms; at
    Whoosh's default (8 levels) the publication date made 17 % of all postings of an index,
    more than any field but the text. Two levels (the exact value, and 2**32 µs ≈ 72-minute
    buckets) keep a date range to its boundary values plus one term per bucket in between,
    and dates are filtered once per searcher (the filter sets are cached).
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.shift_step = 32


def build_schema() -> fields.Schema:
    """The schema of a newssearch index (see the module docstring)."""
    text = text_analyzer()
    return fields.Schema(
        kind=IdField(stored=True),
        id=fields.ID(stored=True, unique=True),
        article_id=IdField(stored=True),
        path=IdField(stored=True),
        filekey=fields.ID(),
        folder=KeywordField(commas=True, lowercase=True),
        title=AnalyzedText(analyzer=text, stored=True, field_boost=2.0, phrase=True),
        body=AnalyzedText(analyzer=text, phrase=True),
        text=AnalyzedText(analyzer=text, stored=True, phrase=True),
        exact=ExactWords(),
        exact_text=ExactWords(),
        pos=fields.STORED(),
        paragraphs=fields.STORED(),
        source=KeywordField(stored=True, commas=True, lowercase=True, sortable=True),
        url=fields.ID(stored=True),
        published=PublishedField(stored=True, sortable=True),
        pub_year=fields.COLUMN(columns.VarBytesColumn()),
        pub_month=fields.COLUMN(columns.VarBytesColumn()),
        authors=fields.KEYWORD(stored=True, commas=True, lowercase=True, scorable=True),
        language=KeywordField(stored=True, commas=True, lowercase=True, sortable=True),
        person=fields.KEYWORD(commas=True, lowercase=True, scorable=True),
        person_keys=fields.COLUMN(columns.VarBytesColumn()),
        people=fields.STORED(),
        mentioned=fields.KEYWORD(commas=True, lowercase=True),
        dates=fields.STORED(),
    )
