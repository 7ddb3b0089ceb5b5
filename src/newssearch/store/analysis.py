"""Per-language analysis of the text fields: Snowball stems, stop words and folding rules.

An article whose language (declared or detected, see :mod:`newssearch.enrich.language`) has
an analysis here is indexed with it; English and every other language keep the original
analysis of :mod:`newssearch.store.schema` (Porter stems, Whoosh's English stop words), so an
index of English news is unchanged. The terms of a language live in their own part of the
text fields, prefixed by the language (``ro:secet``), so a Romanian stem never answers an
English word spelt alike, and a query is analysed once per language the index holds and asks
for any of the forms (see :func:`query_forms`).

Rules by language (stems by `PyStemmer <https://pypi.org/project/PyStemmer/>`_, the C build
of the Snowball stemmers):

* every language: words lowercased, accents folded (``ședința`` and ``sedinta`` are one
  word: many readers type without diacritics), words of one letter and stop words dropped;
* German: stemmed before folding, by the Snowball German stemmer, which treats ``ß`` as
  ``ss`` and ``ä``/``ö``/``ü`` as ``ae``/``oe``/``ue`` (``Fußball`` = ``Fussball``,
  ``Müller`` = ``Mueller``);
* Romanian: ``ş``/``ţ`` (cedilla) and ``ș``/``ț`` (comma below) are one letter; words are
  folded before stemming, so a word typed without diacritics stems as the written one does.
  A few words that lose their diacritics into a name in use (``puțin`` → ``Putin``; the list
  :data:`EXACT_WORDS_FILE`, built by ``python -m newssearch.evals.name_collisions``) are also
  indexed in their exact form (``ro=putin``, ``ro=puțin``): a query word of that list
  written without diacritics asks for the exact form only, and one written with them adds
  the exact form's score to the folded match, so ``Putin`` finds Putin and ``puțin`` ranks
  ``puțin`` first.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from typing import cast

import Stemmer
from whoosh.lang import stopwords_for_language
from whoosh.support.charset import accent_map

#: Separates a language's code from its stems (``ro:secet``) and from its exact words (``ro=putin``).
STEM_SEP = ":"
EXACT_SEP = "="

#: Tokens, as the original analysis finds them (see :data:`newssearch.store.schema._TOKEN`).
TOKEN_RE = re.compile(r"\w+(?:\.\w+)*")

#: The shipped list of Romanian words indexed in their exact form too (one folded word a line).
EXACT_WORDS_FILE = "exact_words_ro.txt"

#: Romanian function words (not in Whoosh's lists), folded and not.
ROMANIAN_STOPS = """
a acea aceasta această aceea acei aceia acel acela acele acelea acest acesta aceste acestea acestei
acestor acestui acolo acum ai aia aici al ale alt alta altă alte altor am ar are as aș asta ăsta
astfel au avea avem aveți avut ca că cam care cât către ce cea cei cel cele celor ci cine cu da dacă
dar de deci deja despre din dintr dintre doar după ea ei el ele este eu fi fie fiind fost iar
ii îi îl îmi în înainte încât încă între într la le lor lui mai mă ne nici noi nu o ori pe pentru
poate prin sa să se si și sau său sunt suntem sînt tot toate toți tu un una unde unei unor unui
va vă vom vor
"""

#: ISO 639-1 code → Snowball algorithm, for the languages analysed here.
ALGORITHMS = {
    "ro": "romanian",
    "de": "german",
    "fr": "french",
    "es": "spanish",
    "it": "italian",
    "pt": "portuguese",
    "nl": "dutch",
    "sv": "swedish",
    "da": "danish",
    "no": "norwegian",
    "fi": "finnish",
    "hu": "hungarian",
    "ru": "russian",
    "tr": "turkish",
}

#: Letters written two ways that are one letter (Romanian cedilla and comma-below forms).
_ONE_LETTER = str.maketrans({"ş": "ș", "ţ": "ț"})


#: Whoosh's accent folding table, keyed by code point (see :mod:`newssearch.store.schema`).
_ACCENT_TABLE = cast("dict[int, str]", accent_map)


def fold(word: str) -> str:
    """``word`` with its accents folded (as the original analysis folds them)."""
    return word if word.isascii() else word.translate(_ACCENT_TABLE)


@dataclass
class LanguageAnalysis:
    """How the words of one language are indexed and searched."""

    code: str
    algorithm: str
    stops: frozenset[str]
    #: Stem the written word, then fold (German), or fold first (every other language).
    stem_first: bool = False
    #: Folded words also indexed in their exact form (Romanian: :data:`EXACT_WORDS_FILE`).
    exact: frozenset[str] = frozenset()
    _stemmer: Stemmer.Stemmer = field(init=False, repr=False)
    _cache: dict[str, tuple[str, ...]] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._stemmer = Stemmer.Stemmer(self.algorithm)

    @property
    def prefix(self) -> str:
        """What the language's stems start with in the index (``ro:``)."""
        return self.code + STEM_SEP

    @property
    def exact_prefix(self) -> str:
        """What the language's exact words start with in the index (``ro=``)."""
        return self.code + EXACT_SEP

    def normal(self, word: str) -> str:
        """A lowercased token with letters written two ways made one."""
        return word.translate(_ONE_LETTER) if self.code == "ro" and not word.isascii() else word

    def terms(self, word: str) -> tuple[str, ...]:
        """The index terms of one lowercased token: its stem (and its exact form for the
        words of :attr:`exact`), or nothing for a stop word or a single letter."""
        found = self._cache.get(word)
        if found is not None:
            return found
        norm = self.normal(word)
        folded = fold(norm)
        if len(folded) < 2 or norm in self.stops or folded in self.stops:
            found = ()
        else:
            stem = fold(self._stemmer.stemWord(norm)) if self.stem_first else self._stemmer.stemWord(folded)
            found = (self.prefix + stem,)
            if folded in self.exact:
                found = (*found, self.exact_prefix + norm)
        if len(self._cache) < 200_000:
            self._cache[word] = found
        return found

    def query_terms(self, word: str) -> list[str]:
        """The terms a query word asks for in this language (any of them): its stem, or, for
        a word of :attr:`exact`, its exact form only when typed without diacritics, else the
        stem and the exact form (an exact match scores both)."""
        terms = self.terms(word)
        if len(terms) == 2:
            norm = self.normal(word)
            return [terms[1]] if norm.isascii() else list(terms)
        return list(terms)

    def pattern(self, text: str) -> str:
        """A wildcard, prefix or fuzzy word of a query, as this language's stems are written:
        prefixed, folded, and stemmed when it is a plain word (a prefix or a fuzzy word), as
        the original analysis treats them."""
        norm = self.normal(text)
        if not norm.isalpha():
            return self.prefix + fold(norm.replace("ß", "ss") if self.stem_first else norm)
        stem = fold(self._stemmer.stemWord(norm)) if self.stem_first else self._stemmer.stemWord(fold(norm))
        return self.prefix + stem


_ANALYSES: dict[str, LanguageAnalysis] = {}


def _exact_words() -> frozenset[str]:
    text = resources.files("newssearch.store").joinpath("data", EXACT_WORDS_FILE).read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _stops(code: str) -> frozenset[str]:
    words = set(ROMANIAN_STOPS.split()) if code == "ro" else set(stopwords_for_language(code))
    return frozenset(words | {fold(w) for w in words})


def analysis_for(language: str | None) -> LanguageAnalysis | None:
    """The analysis of ``language`` (an ISO 639-1 code), or None for English, an unknown
    language and the languages analysed the original way."""
    if not language:
        return None
    code = language.lower()
    found = _ANALYSES.get(code)
    if found is None:
        algorithm = ALGORITHMS.get(code)
        if algorithm is None:
            return None
        found = _ANALYSES[code] = LanguageAnalysis(
            code=code,
            algorithm=algorithm,
            stops=_stops(code),
            stem_first=code == "de",
            exact=_exact_words() if code == "ro" else frozenset(),
        )
    return found


def analysed_languages(codes: Iterable[str]) -> list[LanguageAnalysis]:
    """The analyses of those of ``codes`` that have their own (sorted by code)."""
    found = {a.code: a for a in (analysis_for(c) for c in codes) if a is not None}
    return [found[c] for c in sorted(found)]


def term_positions(analysis: LanguageAnalysis, text: str, words: Counter[str] | None = None) -> dict[str, list[int]]:
    """Each term of ``text`` in ``analysis``'s language with its positions, numbered as the
    original analysis numbers them (see :func:`newssearch.store.schema.term_positions`:
    dropped tokens leave no gap after the first kept one); an exact form shares its word's
    position. ``words`` counts the folded, unstemmed words of three or more letters."""
    out: dict[str, list[int]] = {}
    terms_of = analysis.terms
    pos = -1
    for raw, token in enumerate(TOKEN_RE.findall(text)):
        word = token.lower()
        if words is not None:
            folded = fold(word)
            if len(folded) >= 3 and folded.isalpha():
                words[folded] += 1
        terms = terms_of(word)
        if not terms:
            continue
        pos = raw if pos < 0 else pos + 1
        for term in terms:
            positions = out.get(term)
            if positions is None:
                out[term] = [pos]
            else:
                positions.append(pos)
    return out


def term_spans(analysis: LanguageAnalysis, text: str, initials: Collection[str] | None = None) -> Iterator[tuple[str, int, int]]:
    """Each term of ``text`` as ``(term, start, end)`` (a word with an exact form gives two).
    With ``initials``, only the words whose folded form starts with one of them (a stem keeps
    its word's first letter)."""
    for match in TOKEN_RE.finditer(text):
        word = match.group().lower()
        if initials is not None and fold(analysis.normal(word))[:1] not in initials:
            continue
        for term in analysis.terms(word):
            yield term, match.start(), match.end()


def initial(term: str) -> str:
    """The first letter of a term's word (after a language prefix, if any)."""
    for sep in (STEM_SEP, EXACT_SEP):
        code, found, rest = term.partition(sep)
        if found and code in ALGORITHMS:
            return fold(rest[:1])
    return term[:1]
