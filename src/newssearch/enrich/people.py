"""The people named in news articles: extraction by language, name keys, context cues.

How names are found depends on the article's language (:func:`people_method`): English
(and text of unknown language) with the English model below, Romanian with the Romanian
model of :mod:`newssearch.enrich.people_ro` (trained on RONEC), every other language only
from runs of a known given name and a known surname (so German nouns such as "Dann" or
"Haus" are never people). Extraction runs offline with the data files in ``enrich/data/``:

1. each paragraph is tokenised; photo credits ("Photo: Jane Doe / AP") are blanked, and a
   credit glued to the previous word ("ZelenskyiPhoto:") is split off first;
2. a linear token model (averaged perceptron trained on CoNLL-2003 ``eng.train`` by
   :mod:`newssearch.evals.train_people`) scores every capitalised
   token from its own word, shape, suffixes, the words around it (titles such as
   "President", verbs such as "said"), and first-name / surname / place-name lists
   (threshold stored in the model file); runs of positive tokens,
   joined over particles like "van" or "de", are name mentions, unless rules say the
   run is a place or a firm: a multi-word GeoNames place overlaps it ("Phnom Penh",
   "Monte Carlo"), a place or firm word ends or follows it ("Karl Marx Avenue", "Warner
   Bros"), it sits next to "&" or is a well-known firm ("Morgan Stanley"), a cue precedes
   it ("nerve agent", "poisoned with", "Tell"); leading titles, nationalities and role
   words ("Frenchman", "Left-back") are trimmed off;
3. per article, names the article also writes before a firm suffix ("Piper Jaffray Inc",
   "Goldman Sachs Group", "Morgan Stanley & Co") are firms everywhere in it; names read
   from a line in capitals (a headline) or one-word names from a short line count only
   when the running text names them too; a capitalised word that is the surname of a
   full name found elsewhere in the article is a mention too, and every surname-only (or
   first-name-only) mention is resolved to that full name (to the nearest full name
   before it when several match);
4. mentions whose :func:`person_key` agree are one person: the canonical name is the
   fullest form (then the most frequent), the other spellings are aliases; each
   :class:`~newssearch.model.Person` also counts its mentions in a person's context
   ("Blair said", "Mr Blair", "premierul Ciucă") and in a thing's ("the Chelsea
   manager", "an Oscar", "în Ucraina"), for the corpus registry.

Name keys (:func:`person_key`) fold case, accents, punctuation and a few transliteration
endings, so "Volodymyr Zelenskyy", "Volodymyr Zelenskyi", "VOLODYMYR ZELENSKIY" and
"Volodymyr Zelensky" share the key ``volodymyr zelensky``. :class:`PeopleRegistry`
(:mod:`newssearch.enrich.people_registry`) keeps the corpus-wide view: one person's keys
across languages and spellings, surnames joined to the dominant full name, and which
names the corpus shows to be no person.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import lru_cache

from ..model import Person
from ._people_text import (
    _BOS,
    DEMONYMS,
    HONORIFICS,
    KNOWN_FIRMS,
    NON_PERSON_CUES,
    NON_PERSON_CUES2,
    NON_PERSON_HEADS,
    ORG_SUFFIXES,
    PARTICLES,
    PLACE_PREFIXES,
    ROLE_WORDS,
    STRONG_PLACE_PREFIXES,
    TOKEN_RE,
    TokenModel,
    fold,
    gazetteers,
    is_caps_text,
    multi_places,
    place_key,
    spans,
    tokenize,
)

__all__ = [
    "PeopleRegistry",
    "PersonEntry",
    "extract_mentions",
    "extract_people",
    "loose_key",
    "people_method",
    "person_key",
]

# --------------------------------------------------------------------------- keys

_KEY_DROP = re.compile(r"[^\w\s]|_")
#: Transliteration endings folded to "y": Zelenskyy, Zelenskyi, Zelenskiy, Zelenskij, Zelenskii.
_KEY_ENDING = re.compile(r"(?:yy|yi|iy|ij|yj|ii)$")


def _fold_token(tok: str) -> str:
    if len(tok) > 4:
        tok = _KEY_ENDING.sub("y", tok)
    return tok


@lru_cache(maxsize=200_000)
def person_key(name: str) -> str:
    """A normalised key under which spelling variants of one name agree.

    Rules, applied in order (deliberately conservative):

    * Unicode compatibility-decomposed, accents dropped, lower-cased (``Wałęsa`` →
      ``walesa`` where the letter decomposes; ``ł`` is mapped to ``l``);
    * apostrophes removed (``O'Neill`` → ``oneill``), other punctuation (hyphens, dots of
      initials) becomes a space, whitespace collapsed;
    * leading honorifics and titles dropped (``Mr``, ``President``, ``Dr`` ...), and a
      trailing possessive ``'s``;
    * in a word longer than four letters a final ``yy``, ``yi``, ``iy``, ``ij``, ``yj`` or
      ``ii`` becomes ``y`` (Zelenskyy / Zelenskyi / Zelenskiy / Zelenskij → zelensky).

    Nothing else is merged: "Clinton" and "Clinten" keep different keys.
    """
    text = name.strip()
    text = re.sub(r"['’][sS]$", "", text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.translate(_TRANSLIT).lower()
    text = text.replace("'", "").replace("’", "")
    text = _KEY_DROP.sub(" ", text)
    words = text.split()
    while len(words) > 1 and words[0] in HONORIFICS:
        words.pop(0)
    return " ".join(_fold_token(w) for w in words)


_TRANSLIT = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D",
                           "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ı": "i"})

# --------------------------------------------------------------------------- extraction

_model_lock = threading.Lock()
_model: TokenModel | None = None


def _get_model() -> TokenModel:
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                _model = TokenModel.load()
    return _model


_CREDIT_WORDS = r"(?:Photos?|Foto|Image|Picture|Credits?|Video|Source|Illustration)"
_GLUED_CREDIT = re.compile(r"(?<=[a-z])(?=" + _CREDIT_WORDS + r"\s*:)")
_CREDIT = re.compile(r"\b" + _CREDIT_WORDS + r"\s*:[^\n]*?(?=$|\n|(?<=[.!?])\s)", re.MULTILINE)
_NOT_NAME_END = frozenset(["'s", "’s", "'S", "’S"])


def _prepare(text: str) -> str:
    """Split glued credits and blank photo credits (same length, so offsets hold)."""
    if ":" in text:
        text = _GLUED_CREDIT.sub(" ", text)
        text = _CREDIT.sub(lambda m: " " * len(m.group()), text)
    return text


class _Para:
    """One scanned paragraph: tokens, scores and name spans (token index ranges)."""

    __slots__ = ("caps", "mentions", "offsets", "scores", "text", "words")

    def __init__(self, text: str, words: list[str], offsets: list[tuple[int, int]] | None,
                 scores: list[float | None], caps: bool, mentions: list[tuple[int, int]]) -> None:
        self.text = text
        self.words = words
        self.offsets = offsets
        self.scores = scores
        self.caps = caps
        self.mentions = mentions

    def surface(self, a: int, b: int) -> str:
        if self.offsets is not None:
            s = self.text[self.offsets[a][0]:self.offsets[b - 1][1]]
        else:
            s = " ".join(self.words[a:b]).replace("- ", "-")
        return _titlecase(s) if self.caps else s


_EMPTY = _Para("", [], [], [], False, [])


def _tokens(text: str, want_offsets: bool) -> tuple[list[str], list[tuple[int, int]] | None]:
    if want_offsets:
        toks = tokenize(text)
        return [t for t, _, _ in toks], [(s, e) for _, s, e in toks]
    return TOKEN_RE.findall(text), None


def _scan(text: str, want_offsets: bool, tokens: tuple[list[str], list[tuple[int, int]] | None] | None = None,
          lower: frozenset[str] | set[str] = frozenset()) -> _Para:
    offsets: list[tuple[int, int]] | None
    if tokens is not None:
        words, offsets = tokens
    elif want_offsets:
        toks = tokenize(text)
        words = [t for t, _, _ in toks]
        offsets = [(s, e) for _, s, e in toks]
    else:
        words = TOKEN_RE.findall(text)
        offsets = None
    if not words:
        return _EMPTY
    caps = is_caps_text(text)
    model = _get_model()
    scores = model.scores(words, caps, lower)
    thr = model.threshold
    flags = [s is not None and s > thr for s in scores]
    _extend_left(words, scores, flags)
    mentions = []
    for a, b in spans(words, flags):
        m = _clean_span(words, a, b, lower)
        if m is not None:
            mentions.append(m)
    return _Para(text, words, offsets, scores, caps, mentions)


_CONTRACTION = re.compile(r"['’](?:m|ve|ll|re|d|t)$", re.IGNORECASE)
_SUFFIXES = frozenset(["Jr", "Jr.", "Sr", "Sr.", "JR", "SR"])

#: A capitalised word right before a name, scoring above this, is the name's first word:
#: the left-to-right model scores "Niall" in "Niall Quinn" before it has seen that "Quinn"
#: is a name, so rare first names fall just short.
_LEFT_FLOOR = -5.0


def _extend_left(words: list[str], scores: list[float | None], flags: list[bool]) -> None:
    for i in range(len(words) - 2, -1, -1):
        if flags[i] or not flags[i + 1]:
            continue
        sc = scores[i]
        w = words[i]
        low = w.lower()
        if sc is None or sc <= _LEFT_FLOOR or not w[0].isalpha() or low.rstrip(".") in HONORIFICS \
                or low in DEMONYMS:
            continue
        flags[i] = True


def _clean_span(words: list[str], a: int, b: int,
                lower: frozenset[str] | set[str] = frozenset()) -> tuple[int, int] | None:
    """Trim a run of name tokens to the name, or None when it is no person's name."""
    first_names, surnames, _places = gazetteers()
    while a < b:
        w = words[a]
        low = w.lower()
        if low.rstrip(".") in HONORIFICS or low in DEMONYMS or (b - a >= 2 and low in ROLE_WORDS):
            a += 1
        elif b - a >= 2 and low in lower and fold(w) not in first_names and not w.isupper():
            a += 1  # "Should Rubin", "Key Clinton": a common word written in lower case elsewhere
        else:
            break
    while b > a and (words[b - 1] in _NOT_NAME_END or words[b - 1] in _SUFFIXES
                     or not words[b - 1][0].isalpha()):
        b -= 1
    if a >= b:
        return None
    if b - a == 1 and (len(words[a]) < 2 or words[a].endswith(".") or _CONTRACTION.search(words[a])):
        return None
    # "Karl Marx Avenue", "Easter Island", "Hirtenberger Defence": a place or an organisation
    n = len(words)
    if b < n and words[b][:1].isupper() and fold(words[b]).rstrip(".") in NON_PERSON_HEADS:
        return None
    if a > 0 and (words[a - 1] in NON_PERSON_CUES
                  or (a > 1 and (words[a - 2].lower(), words[a - 1]) in NON_PERSON_CUES2)):
        return None
    # "Procter & Gamble", "Baker & Watts", "Morgan Stanley & Co": a firm
    if (b < n and words[b] == "&") or (a > 0 and words[a - 1] == "&"):
        return None
    if b - a >= 2 and fold(words[a]) in PLACE_PREFIXES:
        return None
    if a > 0 and words[a - 1][:1].isupper() and fold(words[a - 1]) in STRONG_PLACE_PREFIXES:
        return None
    last = fold(words[b - 1])
    if last in NON_PERSON_HEADS and surnames.get(last, 2) > 1:
        return None
    if _in_place_name(words, a, b):
        return None
    if b - a >= 2 and words[a].lower() in _FIRM_FIRST and person_key(" ".join(words[a:b])) in KNOWN_FIRMS:
        return None
    # an attached particle before the name belongs to it: "al-Assad"
    if a > 0 and words[a - 1].endswith("-") and words[a - 1].lower() in PARTICLES:
        a -= 1
    return a, b


#: token -> whether it can start a multi-word place name (a cache)
_PLACE_START: dict[str, bool] = {}
#: Longest multi-word place name looked for around a name, in tokens.
_PLACE_MAX = 4


@lru_cache(maxsize=1)
def _place_first_words() -> frozenset[str]:
    """First words of the multi-word place names (a hyphenated token: its first part)."""
    return frozenset(k.split()[0] for k in multi_places())


def _in_place_name(words: list[str], a: int, b: int) -> bool:
    """True when a multi-word place name ("Phnom Penh", "Monte Carlo", "Sierra Leone") of
    the capitalised run around ``words[a:b]`` overlaps it."""
    places = multi_places()
    starts = _PLACE_START
    lo = a
    while lo > 0 and a - lo < _PLACE_MAX and words[lo - 1][:1].isupper():
        lo -= 1
    hi = b
    n = len(words)
    while hi < n and hi - b < _PLACE_MAX and words[hi][:1].isupper():
        hi += 1
    for i in range(lo, b):
        w = words[i]
        st = starts.get(w)
        if st is None:
            st = fold(w).split("-", 1)[0].rstrip(".") in _place_first_words()
            if len(starts) > 100_000:
                starts.clear()
            starts[w] = st
        if not st:
            continue
        for j in range(max(i + 1, a + 1), min(hi, i + _PLACE_MAX) + 1):
            if j - i == 1 and "-" not in words[i]:
                continue
            if place_key(words[i:j]) in places:
                return True
    return False


def _titlecase(s: str) -> str:
    return " ".join(
        "-".join(p[:1].upper() + p[1:].lower() for p in w.split("-")) for w in s.split(" ")
    )


#: How the people of an article in a language are found (:func:`people_method`).
METHOD_EN = "model:conll2003-en"
METHOD_RO = "model:ronec-ro"
METHOD_NAMES = "name-list"


def people_method(language: str | None) -> str:
    """How :func:`extract_people` finds people in text of ``language`` (ISO 639-1, or None
    for unknown): the English model (English, and text of unknown language), the Romanian
    model, or — for every other language, which has no people model — only names
    confirmed by the given-name and surname lists ("Angela Merkel", not "Dann" or "Haus")."""
    if language is None or language == "en":
        return METHOD_EN
    if language == "ro":
        return METHOD_RO
    return METHOD_NAMES


def extract_people(title: str, paragraphs: list[str],
                   language: str | None = None) -> tuple[list[Person], list[list[str]]]:
    """The people an article names, and per paragraph the canonical names mentioned in it.

    ``title`` mentions count for the article but belong to no paragraph. Each returned
    :class:`Person` has the fullest spelling as ``name``, the other spellings seen in the
    article as ``aliases`` and the number of mentions as ``mentions``. The paragraph
    lists hold canonical names (surname-only mentions already resolved), in order of
    first mention, without repeats. ``language`` (ISO 639-1) chooses how names are found
    (:func:`people_method`); None means unknown and is read as English.
    """
    people, per_para, _mentions = _extract(title, paragraphs, False, language)
    return people, per_para


def extract_mentions(
    title: str, paragraphs: list[str], language: str | None = None
) -> tuple[list[Person], list[list[str]], list[tuple[int, int, int, str, str]]]:
    """Like :func:`extract_people`, plus every mention as
    ``(paragraph index, start, end, surface, canonical name)`` (index -1 = the title;
    offsets into the paragraph text)."""
    return _extract(title, paragraphs, True, language)


def _scan_ro(text: str, tokens: tuple[list[str], list[tuple[int, int]] | None],
             lower: set[str]) -> _Para:
    """One Romanian paragraph: name spans from the Romanian model."""
    from . import people_ro

    words, offsets = tokens
    if not words:
        return _EMPTY
    model = people_ro.get_model()
    spans_, scores = people_ro.find_spans(words, lower, model)
    para = _Para(text, words, offsets, scores, False, spans_)
    if people_ro.is_title_case(words):
        para.mentions = [(a, b) for a, b in spans_ if b - a >= 2]
        para.caps = False
    return para


def _scan_names(text: str, tokens: tuple[list[str], list[tuple[int, int]] | None],
                full_counts: Counter[str]) -> _Para:
    """One paragraph of a language without a people model: only runs of two or three
    capitalised words that start with a known given name and end with a known surname,
    or that the article writes at least twice ("Angela Merkel"; not "Dann", "Haus")."""
    words, offsets = tokens
    first_names, surnames, places = gazetteers()
    mentions: list[tuple[int, int]] = []
    n = len(words)
    i = 0
    while i < n:
        w = words[i]
        if not (w[:1].isupper() and w[0].isalpha()):
            i += 1
            continue
        j = i
        while j < n and words[j][:1].isupper() and words[j][0].isalpha():
            j += 1
        if 2 <= j - i <= 3 and not any(t.isupper() or len(t) < 2 or fold(t) in places for t in words[i:j]) \
                and fold(words[i]) in first_names and fold(words[i]) not in COMMON_NAMES_NOT \
                and (fold(words[j - 1]) in surnames or full_counts[" ".join(words[i:j])] >= 2):
            mentions.append((i, j))
        i = j
    return _Para(text, words, offsets, [None] * n, False, mentions)


#: Given names that are also ordinary words in the languages read with the name lists only
#: (German "Mark", "Art", French "Rose", Spanish "Rosa" ...): they confirm nothing.
COMMON_NAMES_NOT = frozenset("""mark art will may rose rosa hope grace joy faith guy van
    son sun star gold pearl ruby jade iris lily ivy hazel dawn summer june april august
    major king prince earl duke page bill chance clay dale glen lane ray wolf fox""".split())

_CAP_PAIR = re.compile(r"\b[A-ZÀ-ÖØ-Þ][\w'’-]+(?:\s+[A-ZÀ-ÖØ-Þ][\w'’-]+){1,2}\b")


def _extract(
    title: str, paragraphs: list[str], want_offsets: bool, language: str | None = None
) -> tuple[list[Person], list[list[str]], list[tuple[int, int, int, str, str]]]:
    method = people_method(language)
    if method == METHOD_RO:
        from .people_ro import normalise_text

        title = normalise_text(title or "")
        paragraphs = [normalise_text(p) for p in paragraphs]
    texts = [_prepare(t) if t and not t.isspace() else "" for t in [title or ""] + list(paragraphs)]
    tokens = [_tokens(t, want_offsets) for t in texts]
    lower = {w for words, _ in tokens for w in words if w.islower()}
    if method == METHOD_EN:
        paras: list[_Para] = [
            _scan(t, want_offsets, tk, lower) if t else _EMPTY for t, tk in zip(texts, tokens)
        ]
        _drop_lone_sentence_starts(paras)
    elif method == METHOD_RO:
        paras = [_scan_ro(t, tk, lower) if t else _EMPTY for t, tk in zip(texts, tokens)]
    else:
        full_counts: Counter[str] = Counter(m.group() for t in texts for m in _CAP_PAIR.finditer(t))
        paras = [_scan_names(t, tk, full_counts) if t else _EMPTY for t, tk in zip(texts, tokens)]
    _drop_firm_names(paras)
    for para in paras:
        if para.mentions and len(para.text) < 160 and _RESULT_LINE.match(para.text):
            para.mentions = []
    _confirm_caps_mentions(paras)
    # full names found anywhere in the article: their other uses are mentions too, and so
    # are other uses of their last words (surnames), unless the model is sure they are not
    last_words: set[str] = set()
    first_words: set[str] = set()
    full_seqs: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for para in paras:
        for a, b in para.mentions:
            if b - a >= 2:
                ws = para.words
                last_words.add(ws[b - 1])
                last_words.add(ws[b - 1].upper())
                first_words.add(ws[a])
                first_words.add(ws[a].upper())
                seq = tuple(person_key(w) for w in ws[a:b])
                if seq not in full_seqs[seq[0]]:
                    full_seqs[seq[0]].append(seq)
    for seqs in full_seqs.values():
        seqs.sort(key=len, reverse=True)
    trigger = last_words | first_words
    if method == METHOD_EN:
        thr = _get_model().threshold
    elif method == METHOD_RO:
        from .people_ro import get_model as _ro_model

        thr = _ro_model().threshold
    else:
        trigger = set()  # no scores: surname-only mentions are not looked for
        thr = 0.0
    mentions: list[tuple[int, str]] = []  # (paragraph index + 1, surface), 0 = title
    cues: list[int] = []  # per mention: 1 a person's context, -1 a thing's, 0 neither
    offsets: list[tuple[int, int]] = []
    for idx, para in enumerate(paras):
        ments = para.mentions
        if trigger and para.words:
            words = para.words
            scores = para.scores
            hits = [i for i, w in enumerate(words) if w in trigger]
            if hits:
                covered: set[int] = set()
                for a, b in ments:
                    covered.update(range(a, b))
                extra = []
                n = len(words)
                for i in hits:
                    sc = scores[i]
                    if i in covered or sc is None:
                        continue
                    span = _match_full(words, i, full_seqs.get(person_key(words[i]), ()), covered)
                    if span:
                        extra.append(span)
                        covered.update(range(*span))
                        continue
                    if words[i] not in last_words or sc > thr or sc < _RECALL_FLOOR:
                        continue
                    if i + 1 < n and words[i + 1][:1].isupper():
                        continue
                    extra.append((i, i + 1))
                if extra:
                    ments = sorted(ments + extra)
        for a, b in ments:
            surface = para.surface(a, b)
            if method == METHOD_RO and b - a >= 2:
                from .people_ro import nominative

                surface = nominative(surface)
            mentions.append((idx, surface))
            cues.append(_cue(para.words, a, b, method))
            if want_offsets and para.offsets is not None:
                offsets.append((para.offsets[a][0], para.offsets[b - 1][1]))
            else:
                offsets.append((-1, -1))
    if any(person_key(sf) in DEITIES for _i, sf in mentions):
        keep = [i for i, (_i, sf) in enumerate(mentions) if person_key(sf) not in DEITIES]
        mentions = [mentions[i] for i in keep]
        offsets = [offsets[i] for i in keep]
        cues = [cues[i] for i in keep]
    people, per_para, canon = _resolve(mentions, len(paragraphs), cues)
    out = [(idx - 1, a, b, surface, name) for (idx, surface), (a, b), name in zip(mentions, offsets, canon)]
    return people, per_para, out


_TEAM = r"(?:x-)?[A-Z][\w'.&-]*(?:\s+(?:[A-Z][\w'.&-]*|de|del|la|van|\(\s*[A-Z][\w. ]*?\s*\)))*"
#: A sports result or fixture line, "Levski Sofia 2 Lokomotiv Plovdiv 1", "Brann Bergen v
#: Odra Wodzislaw": club names, no people (in CoNLL-2003 train+testa 595 such lines, one
#: with a "person", a mislabelled club).
_RESULT_LINE = re.compile(
    rf"^\s*(?:In\s+[A-Z][\w .'-]*?\s*:\s*)?{_TEAM}\s+(?:\d+\s*,?\s+{_TEAM}\s+\d+|v\s+{_TEAM})(?:\s+\([^A-Z()]*\))?\s*\.?\s*$"
    # a league-table row: "Levski Sofia 3 2 1 0 7 3 7" (818 lines in CoNLL-2003, none with a person)
    rf"|^\s*{_TEAM}(?:\s+\d+){{5,}}\s*$")


#: A line of fewer words than this is a heading, a menu item or a caption, not running text.
_SHORT_LINE = 4


def _unsure(p: _Para, title: bool = False) -> bool:
    """A line whose names need confirming: in capitals, an article's title in title case,
    or too short to give context."""
    return p.caps or (title and _title_case(p.words)) or sum(1 for w in p.words if w[0].isalnum()) < _SHORT_LINE


def _title_case(words: list[str]) -> bool:
    """A headline in title case ("Byrd Urges Reagan To Veto Farm Bill"): at least four
    words of three letters or more, all capitalised ("Stoltenberg meets Zelensky in Kyiv"
    is no such headline: its names count as they are)."""
    long = [w for w in words if len(w) >= 3 and w[0].isalpha()]
    return len(long) >= 4 and all(w[0].isupper() for w in long)


def _confirm_caps_mentions(paras: list[_Para]) -> None:
    """In an article with running text, a name read from a headline in capitals or title
    case ("BYRD URGES REAGAN TO VETO BILL", "Byrd Urges Reagan To Veto Bill") or a
    one-word name from a line of a few words (a web page's "Learn more", "Hey!") counts
    only when the running text also names it (the full name, or its last word as a
    surname): there the model cannot tell "Urges" or "Learn" from a name."""
    unsure = [_unsure(p, i == 0) for i, p in enumerate(paras)]  # paras[0]: the title
    if not any(p.mentions and u for p, u in zip(paras, unsure)) or not any(p.words and not u for p, u in zip(paras, unsure)):
        return
    keys: set[str] = set()
    for p, u in zip(paras, unsure):
        if not u:
            for a, b in p.mentions:
                k = person_key(" ".join(p.words[a:b]))
                keys.add(k)
                keys.add(k.rsplit(" ", 1)[-1])
    for i, (p, u) in enumerate(zip(paras, unsure)):
        if p.mentions and u:
            # on a short line only one-word names need confirming ("Hey", but "Pete Sampras")
            headline = p.caps or (i == 0 and _title_case(p.words))
            p.mentions = [(a, b) for a, b in p.mentions
                          if (not headline and b - a >= 2) or person_key(" ".join(p.words[a:b])) in keys]


def _drop_lone_sentence_starts(paras: list[_Para]) -> None:
    """Drop one-word mentions seen only at the start of a sentence ("Altogether, ...",
    "Historically ...") unless the word is a known first name or surname, or the article
    also writes it with a capital inside a sentence or inside a longer name."""
    mid: set[str] = set()
    for para in paras:
        ws = para.words
        for i in range(1, len(ws)):
            if ws[i][:1].isupper() and ws[i - 1] not in _BOS and not para.caps:
                mid.add(ws[i])
        for a, b in para.mentions:
            if b - a >= 2:
                mid.update(ws[a:b])
    first_names, surnames, _places = gazetteers()
    for para in paras:
        if not para.mentions:
            continue
        ws = para.words
        keep = []
        for a, b in para.mentions:
            w = ws[a]
            if b - a == 1 and (a == 0 or ws[a - 1] in _BOS) and w not in mid:
                f = fold(w)
                if f not in first_names and f not in surnames:
                    continue
            keep.append((a, b))
        if len(keep) != len(para.mentions):
            para.mentions = keep


_FIRM_FIRST = frozenset(k.split()[0] for k in KNOWN_FIRMS)
#: Exact token strings that can start a known firm or end a firm's name: "Inc", "INC", "&" ...
_FIRM_TRIGGERS = frozenset(
    v for w in ORG_SUFFIXES | _FIRM_FIRST for v in (w, w.capitalize(), w.upper(), w.capitalize() + ".")
) | {"GmbH", "SpA", "KGaA"}


def _drop_firm_names(paras: list[_Para]) -> None:
    """Drop mentions of names the article also writes before a firm's suffix ("Piper
    Jaffray Inc", "Morgan Stanley & Co") or around "&" ("Baker & Watts")."""
    firms: set[str] = set()
    triggers = _FIRM_TRIGGERS
    for para in paras:
        ws = para.words
        if triggers.isdisjoint(ws):
            continue
        n = len(ws)
        for j in range(n):
            w = ws[j]
            if w not in triggers:
                continue
            if w.lower() in _FIRM_FIRST:
                for m in (2, 3, 4):
                    k = person_key(" ".join(t for t in ws[j:j + m] if t != "&"))
                    if k in KNOWN_FIRMS:
                        firms.add(k)
                        firms.add(person_key(w))
            if j == 0:
                continue
            if w == "&" or (w[:1].isupper() and w.lower().rstrip(".") in ORG_SUFFIXES):
                i = j
                while i > 0 and j - i < 3 and ws[i - 1][:1].isupper() and ws[i - 1][0].isalpha():
                    i -= 1
                    firms.add(person_key(" ".join(ws[i:j])))
                if j - i >= 2:
                    firms.add(person_key(ws[i]))  # "Goldman" of "Goldman Sachs Group"
                if w == "&":
                    end = j + 1
                    while end < n and end - j <= 3 and ws[end][:1].isupper() and ws[end][0].isalpha():
                        end += 1
                        firms.add(person_key(" ".join(ws[j + 1:end])))
    if not firms:
        return
    for para in paras:
        if para.mentions:
            ws = para.words
            keep = [(a, b) for a, b in para.mentions if person_key(" ".join(ws[a:b])) not in firms]
            if len(keep) != len(para.mentions):
                para.mentions = keep


def _match_full(words: list[str], i: int, seqs: Iterable[tuple[str, ...]], covered: set[int]) -> tuple[int, int] | None:
    """The span at ``i`` spelling one of the article's full names (``seqs``: key words)."""
    n = len(words)
    for seq in seqs:
        m = len(seq)
        if i + m > n or any(j in covered for j in range(i, i + m)):
            continue
        if all(person_key(words[i + j]) == seq[j] for j in range(1, m)):
            if i + m < n and words[i + m][:1].isupper() and words[i + m][0].isalpha():
                continue  # part of a longer capitalised run: leave it to the model
            return i, i + m
    return None


#: Score above which a word that is a surname of a full name in the same article is a mention.
_RECALL_FLOOR = -8.0


def _resolve(
    mentions: list[tuple[int, str]], n_paragraphs: int, cues: list[int] | None = None
) -> tuple[list[Person], list[list[str]], list[str]]:
    keys = [person_key(s) for _, s in mentions]
    full_order: list[str] = []  # keys of multi-word names, in order of first mention
    for k in keys:
        if " " in k and k not in full_order:
            full_order.append(k)
    full_tokens = {k: k.split() for k in full_order}
    counts = Counter(keys)
    # the full names each distinct key can stand for ("Clinton" -> "Bill Clinton")
    cands_of: dict[str, list[str]] = {}
    for k in counts:
        toks = k.split()
        cands_of[k] = [f for f in full_order if f != k and _contains(full_tokens[f], toks)] if toks else []
    longest: dict[str, str] = {}
    for f in full_order:
        longer = cands_of[f]
        # a full name inside exactly one longer one is that one ("George Bush" in "George W Bush" no;
        # "Unser" in "Al Unser" yes)
        longest[f] = longer[0] if len(longer) == 1 else f
    resolved: list[str] = []
    last_seen: dict[str, int] = {}
    for pos, k in enumerate(keys):
        cands = cands_of[k]
        if cands:
            if len(cands) == 1:
                target = cands[0]
            else:
                # prefer the nearest full name mentioned before, else the most frequent one
                before = [f for f in cands if f in last_seen]
                if before:
                    target = max(before, key=lambda f: last_seen[f])
                else:
                    target = max(cands, key=lambda f: (counts[f], -full_order.index(f)))
            target = longest.get(target, target)
            resolved.append(target)
        else:
            resolved.append(k)
        last_seen[resolved[-1]] = pos
        last_seen[k] = pos
    groups: dict[str, Counter[str]] = defaultdict(Counter)
    first_pos: dict[str, int] = {}
    cue_counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for pos, ((_idx, surface), key) in enumerate(zip(mentions, resolved)):
        if not key:
            continue
        groups[key][surface] += 1
        first_pos.setdefault(key, pos)
        if cues is not None and cues[pos]:
            cue_counts[key][0 if cues[pos] > 0 else 1] += 1
    people: list[Person] = []
    canon: dict[str, str] = {}
    for key, spellings in groups.items():
        full = [s for s in spellings if person_key(s) == key] or list(spellings)
        name = max(full, key=lambda s: (len(s.split()), spellings[s], _mixed(s), -_first(mentions, s)))
        canon[key] = name
        aliases = sorted((s for s in spellings if s != name), key=lambda s: (-spellings[s], _first(mentions, s)))
        pc, tc = cue_counts.get(key, (0, 0))
        people.append(Person(name=name, aliases=aliases, mentions=sum(spellings.values()), person_cues=pc, thing_cues=tc))
    people.sort(key=lambda p: (-p.mentions, first_pos[person_key(p.name)] if person_key(p.name) in first_pos else 0))
    per_para: list[list[str]] = [[] for _ in range(n_paragraphs)]
    for (idx, _surface), key in zip(mentions, resolved):
        if idx == 0 or not key:
            continue
        name = canon[key]
        if name not in per_para[idx - 1]:
            per_para[idx - 1].append(name)
    return people, per_para, [canon.get(k, "") for k in resolved]


#: Reporting verbs before a name ("said John Smith").
_PERSON_BEFORE = frozenset("said says added wrote explained asked".split())

#: Keys that never name a person in the news: names of God ("God", "Dumnezeu", "Allah")
#: and one-word interjections ("Oh", "Hey").
DEITIES = frozenset("god dumnezeu dumnezeul allah gott dieu dios jehova iehova yahweh".split()
                    # and interjections a sentence may start with ("Oh, we got a report")
                    + "oh hey ah wow ok okay yes yeah hi hello".split())

#: Words right after a name that show a person ("Blair said", "Blair, who ...").
_PERSON_AFTER = frozenset("""said says told added explained insisted admitted argued claimed denied
    wrote warned believes thinks replied stressed noted urged announced declared who whose himself herself
    aged""".split())
#: Words right after a name that show a team, firm, work, prize or holiday ("the Chelsea
#: manager", "Sony shares", "Harry Potter films", "Oscar nominations", "Christmas Day").
_THING_AFTER = frozenset("""fans boss manager players player squad club striker midfielder defender
    goalkeeper coach shares share stock stocks profits profit sales products product brand search
    engine website site users console consoles film films movie movies book books novel novels album
    albums band single tour series show award awards ceremony nomination nominations winner winners
    statuette day eve holiday holidays season shopping period party parties which its frontman
    guitarist drummer bassist concert gig gigs songs listeners viewers""".split())
#: Words right before a name that show a thing: an article ("the Chelsea", "an Oscar"), a
#: place's preposition ("in Wales", "at Chelsea"), a kind of thing ("the band Franz
#: Ferdinand", "the film Vera Drake", "electronics giant Sony").
_THING_BEFORE = frozenset("""the a an this every
    band group film movie novel book album game console firm company giant maker makers
    brand club side team network channel newspaper magazine website site engine""".split())
#: Words after "the Name" that still speak of a person ("the Biden administration").
_NEUTRAL_AFTER = frozenset("""administration government presidency campaign era family camp years
    regime cabinet doctrine team's""".split())
#: Prepositions before a one-word name that show a place or a club ("in Wales", "at Chelsea").
_THING_BEFORE_ONE = frozenset("in at from into across throughout within".split())
#: Words after a possessive that show a thing ("Franz Ferdinand's album", "EMI Music's sales").
_THING_AFTER_POSS = frozenset("""album albums film films book books novel novels single songs debut
    self-titled shares stock profits sales products website search engine console consoles game games
    series show award awards headquarters logo""".split())
#: Romanian: prepositions before places ("în Ucraina", "din România"), reporting verbs after people.
_RO_THING_BEFORE = frozenset("în din la spre către prin pentru".split())
_RO_PERSON_AFTER = frozenset("""declarat spus afirmat precizat explicat transmis anunțat scris adăugat
    subliniat menționat arătat susținut răspuns comentat postat dezvăluit mărturisit recunoscut""".split())


def _cue(words: list[str], a: int, b: int, method: str) -> int:
    """1 when the mention ``words[a:b]`` stands in a person's context, -1 in a thing's, else 0."""
    prev = words[a - 1] if a > 0 else ""
    nxt = words[b] if b < len(words) else ""
    if nxt == "," and b + 1 < len(words):
        after = words[b + 1].lower()
        if after in ("who", "whose", "aged") or after.isdigit():
            return 1
        if after == "which":
            return -1
    if method == METHOD_RO:
        from .people_ro import TITLES, fold_ro

        if prev and fold_ro(prev) in TITLES:
            return 1
        if nxt in ("a", "au") and b + 1 < len(words) and words[b + 1] in _RO_PERSON_AFTER:
            return 1
        if prev in _RO_THING_BEFORE:
            return -1
        return 0
    low = nxt.lower()
    if prev and (prev.lower().rstrip(".") in HONORIFICS or prev.lower() in ROLE_WORDS):
        return 1
    if low in _PERSON_AFTER or prev in _PERSON_BEFORE:
        return 1
    if low in _NEUTRAL_AFTER:
        return 0  # "the Biden administration", "the Bush era": a person's
    if low in ("'s", "’s") and b + 1 < len(words):
        # "Franz Ferdinand's album", "Google's search engine", "Franz Ferdinand's self-titled album"
        if any(w.lower() in _THING_AFTER_POSS for w in words[b + 1:b + 3]):
            return -1
        return 0
    if prev in _THING_BEFORE or low in _THING_AFTER or (b - a == 1 and prev in _THING_BEFORE_ONE):
        return -1
    return 0


def _mixed(s: str) -> bool:
    return not s.isupper()


def _first(mentions: list[tuple[int, str]], surface: str) -> int:
    for i, (_idx, s) in enumerate(mentions):
        if s == surface:
            return i
    return len(mentions)


def _contains(big: list[str], small: list[str]) -> bool:
    n, m = len(big), len(small)
    if m >= n or m == 0:
        return False
    return any(big[i:i + m] == small for i in range(n - m + 1))


# --------------------------------------------------------------------------- registry

from .people_registry import PeopleRegistry, PersonEntry, loose_key  # noqa: E402 - re-exported (the registry imports this module back, in functions)
