"""People named in Romanian text: a token model trained on RONEC, and Romanian rules.

:func:`find_spans` returns, for one paragraph, the token ranges of people's names;
:func:`newssearch.enrich.people.extract_people` calls it for articles in Romanian and then
resolves the mentions per article as it does for English (surname-only mentions →
the full name of the article, spellings grouped under one key).

The model is an averaged perceptron over capitalised tokens (shipped as
``data/people_ro_model.json.gz``: feature weights, a score threshold, and two word lists
derived from Romanian news: words written in lower case, and given names seen after a
title such as "președintele" or before "a declarat"). It is trained by
:mod:`newssearch.evals.train_people_ro` on the RONEC v2 validation split; its features
are the word (diacritics folded, so "Ciucă" and "Ciuca" agree, and ş/ţ with a cedilla are
the same letters as ș/ț with a comma), its endings ("-escu", "-eanu"), its shape, the
words around it ("lui", "a declarat", "premierul", "președintele"), whether it is a given
name, a place, a word Romanian writes in lower case, at the start of a sentence, and its
place in a run of capitalised words.

Romanian rules around the model: titles and role words before a name are never part of
it ("Președintele Klaus Iohannis" names Klaus Iohannis); a one-word "name" the article
also writes in lower case is no name ("Mă", "Deși"); a feminine given name in the
genitive/dative ("Vioricăi Dăncilă", "Elenei Udrea") is written in the nominative;
headlines written in title case ("Recomandări De Weekend") name only people that the
article body names too.
"""

from __future__ import annotations

import gzip
import json
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources

__all__ = ["TITLES", "RoModel", "features", "find_spans", "fold_ro", "nominative"]

#: Cedilla letters (the legacy encoding of ș/ț) → the comma-below letters.
_CEDILLA = str.maketrans({"ş": "ș", "Ş": "Ș", "ţ": "ț", "Ţ": "Ț"})


def normalise_text(text: str) -> str:
    """``text`` with ş/ţ (cedilla) written as ș/ț (comma below); same length."""
    return text.translate(_CEDILLA)


@lru_cache(maxsize=200_000)
def fold_ro(word: str) -> str:
    """Lower case, diacritics dropped (ă â î ș ț ş ţ → a a i s t s t)."""
    if word.isascii():
        return word.lower()
    text = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


#: Titles, offices and role words (folded) that stand before a name and are never part of
#: it, in their common inflected forms: "președintele Klaus Iohannis", "premierul Nicolae
#: Ciucă", "ministrului", "fostul", "dl".
TITLES = frozenset(fold_ro(w) for w in ["președinte", "președintele", "președintelui", "președinta", "președintei", "președinții", "premier", "premierul", "premierului", "premiera", "prim-ministrul", "prim-ministrului", "prim-ministru", "ministru", "ministrul", "ministrului", "ministra", "ministrei", "miniștrii", "miniștrilor", "vicepremier", "vicepremierul", "vicepremierului", "vicepreședinte", "vicepreședintele", "vicepreședintelui", "secretar", "secretarul", "secretarului", "secretara", "domnul", "domnului", "doamna", "doamnei", "domnișoara", "dl", "dl.", "dna", "dna.", "d-l", "d-na", "dlui", "dr", "dr.", "prof", "prof.", "ing", "ing.", "av", "av.", "conf", "lect", "papa", "papei", "papii", "papă", "regele", "regelui", "regina", "reginei", "prințul", "prințului", "prințesa", "prințesei", "împăratul", "împăratului", "țarul", "țarului", "sultanul", "sultanului", "voievodul", "voievodului", "domnitorul", "domnitorului", "sfântul", "sfântului", "sfânta", "sfintei", "sfinții", "patriarhul", "patriarhului", "mitropolitul", "mitropolitului", "episcopul", "episcopului", "preotul", "preotului", "părintele", "părintelui", "pr", "pr.", "ips", "ps", "generalul", "generalului", "colonelul", "colonelului", "maiorul", "maiorului", "căpitanul", "căpitanului", "locotenentul", "amiralul", "mareșalul", "mareșalului", "comandantul", "comandantului", "senatorul", "senatorului", "senatoarea", "deputatul", "deputatului", "deputata", "primarul", "primarului", "primărița", "prefectul", "prefectului", "consilierul", "consilierului", "liderul", "liderului", "lidera", "șeful", "șefului", "șefa", "șefei", "purtătorul", "purtătoarea", "ambasadorul", "ambasadorului", "ambasadoarea", "procurorul", "procurorului", "procuroarea", "judecătorul", "judecătoarea", "avocatul", "avocatului", "avocata", "directorul", "directorului", "directoarea", "antrenorul", "antrenorului", "selecționerul", "selecționerului", "jucătorul", "jucătorului", "jucătoarea", "fundașul", "mijlocașul", "atacantul", "portarul", "tenismanul", "tenismena", "sportivul", "sportiva", "actorul", "actorului", "actrița", "actriței", "cântărețul", "cântăreața", "artistul", "artista", "scriitorul", "scriitoarea", "poetul", "poetului", "poeta", "regizorul", "regizorului", "jurnalistul", "jurnalistului", "jurnalista", "realizatorul", "realizatoarea", "prezentatorul", "prezentatoarea", "vedeta", "vedetei", "profesorul", "profesorului", "profesoara", "academicianul", "academicianului", "medicul", "medicului", "economistul", "analistul", "analista", "politologul", "istoricul", "istoricului", "sociologul", "fostul", "fostului", "fosta", "fostei", "actualul", "actuala", "noul", "noua", "omul", "omului", "femeia", "femeii", "bărbatul", "bărbatului", "tânărul", "tânăra", "fiul", "fiului", "fiica", "fiicei", "soțul", "soțului", "soția", "soției", "fratele", "fratelui", "sora", "surorii", "mama", "mamei", "tatăl", "tatălui", "bunicul", "bunica", "nepotul", "nepoata", "americanul", "americana", "rusul", "rusului", "ucraineanul", "românul", "românului", "românca", "germanul", "francezul", "britanicul", "italianul", "ungurul", "maghiarul", "chinezul", "principele", "principelui", "principesa", "ducele", "ducelui", "ducesa", "contele", "contelui", "contesa", "baronul", "emirul", "emirului", "șahul", "califul", "faraonul", "faraonului", "cneazul", "hatmanul", "boierul", "marchizul", "vicontele", "cuviosul", "cuvioasa", "fericitul", "marele", "cardinalul", "arhiepiscopul", "arhimandritul", "starețul", "călugărul", "suveranul", "suveranului", "monarhul", "monarhului", "împărăteasa", "dirijorul", "dirijor", "violonistul", "pianistul", "pianista", "compozitorul", "compozitorului", "pictorul", "pictorului", "sculptorul", "arhitectul", "inginerul", "cercetătorul", "omul", "afaceristul", "milionarul", "miliardarul", "interpretul", "interpreta", "solistul", "solista", "vocalistul", "chitaristul", "rapperul", "rapperița", "influencerul", "blogger", "bloggerul", "youtuberul", "vloggerul", "fotograful", "designerul", "creatorul", "fondatorul", "cofondatorul", "patronul", "proprietarul", "managerul", "administratorul", "consultantul", "expertul", "specialistul", "polițistul", "polițista", "agentul", "ofițerul", "soldatul", "militarul", "pilotul", "marinarul", "lui", "lu"])

#: Words that introduce a name's genitive ("lui Iohannis"): a strong person cue.
_LUI = frozenset(["lui"])

_MODEL_FILE = "people_ro_model.json.gz"
#: A capitalised word right next to a name word is part of the name when its score is above
#: the threshold minus this margin (chosen by cross-validation on RONEC valid).
JOIN_MARGIN = float(__import__("os").environ.get("NS_RO_JOIN", "8.0"))

_INITIAL = re.compile(r"^[A-ZĂÂÎȘȚ]\.$")
_BOS = frozenset(['.', '!', '?', '"', '“', '„', '”', "'", ':', ';', '(', '-', '–', '—', '«', '»', '<S>'])
_SENT_END = frozenset([".", "!", "?"])
OFFSETS = (-2, -1, 1, 2)


def _data_path(name: str):  # type: ignore[no-untyped-def]
    return resources.files("newssearch.enrich").joinpath("data", name)


def is_cap(tok: str) -> bool:
    """A word starting with a capital letter."""
    return tok[:1].isupper() and tok[0].isalpha()


def _shape(tok: str) -> str:
    if tok.isupper():
        return "X" if len(tok) == 1 else "XX"
    if "-" in tok:
        return "X-X" if all(is_cap(p) for p in tok.split("-") if p) else "X-x"
    if tok.endswith("."):
        return "X."
    if tok[1:].islower():
        return "Xx"
    if any(c.isdigit() for c in tok):
        return "Xd"
    return "XxX"


class Lexicon:
    """Word lists the features look up: given names, places, lower-case words."""

    def __init__(self, first_names: Iterable[str], common: Iterable[str],
                 person_cued: Iterable[str] = (), place_cued: Iterable[str] = ()) -> None:
        from ._people_text import gazetteers

        self.person_cued = frozenset(person_cued)
        self.place_cued = frozenset(place_cued)
        census_first, surnames, places = gazetteers()
        self.first = frozenset(fold_ro(w) for w in first_names) | census_first
        self.surnames = surnames
        self.places = frozenset(fold_ro(p) for p in places)
        self.common = frozenset(common)


def features(words: Sequence[str], folded: Sequence[str], i: int, lex: Lexicon,
             lower: frozenset[str] | set[str], title_case: bool) -> list[str]:
    """Feature names of the capitalised token ``words[i]`` (``folded``: the words folded)."""
    w = words[i]
    f = folded[i]
    n = len(words)
    out = ["bias", "w=" + f, "s2=" + f[-2:], "s3=" + f[-3:], "s4=" + f[-4:], "p3=" + f[:3],
           "sh=" + _shape(w), f"len={min(len(w), 10)}"]
    prev = words[i - 1] if i > 0 else "<S>"
    bos = prev in _BOS
    if bos:
        out.append("bos")
    if f in lex.first:
        out.append("fn")
    elif f.endswith(("ei", "ai")) and (f[:-2] + "a") in lex.first:
        out.append("fng")  # a given name in the genitive/dative: "Simonei", "Vioricăi"
    sb = lex.surnames.get(f)
    if sb is not None:
        out.append(f"sn{sb}")
    if f in lex.places:
        out.append("pl")
    if f in TITLES:
        out.append("title")
    if f in lex.person_cued:
        out.append("npc")
    if f in lex.place_cued:
        out.append("nlc")
    else:
        base = _genitive_base(f)
        if base and (base in lex.place_cued or base in lex.places):
            out.append("nlcg")  # "Austriei", "Berlinului": a place in the genitive
    if f in lex.common:
        out.append("cl")
        if bos:
            out.append("clbos")
    if w.lower() in lower:
        out.append("dl")
        if bos:
            out.append("dlbos")
    if title_case:
        out.append("tcase")
    # the run of capitalised words this one is in
    a = i
    while a > 0 and is_cap(words[a - 1]):
        a -= 1
    b = i
    while b + 1 < n and is_cap(words[b + 1]):
        b += 1
    out.append(f"run={min(b - a + 1, 4)}:{min(i - a, 3)}")
    for k in OFFSETS:
        j = i + k
        if j < 0 or (k < 0 and j >= 0 and any(words[m] in _SENT_END for m in range(j, i))):
            t, tf = "<S>", "<S>"
        elif j >= n:
            t, tf = "</S>", "</S>"
        else:
            t, tf = words[j], folded[j]
        out.append(f"{k}w={tf}")
        if is_cap(t):
            out.append(f"{k}cap")
            if tf in lex.first:
                out.append(f"{k}fn")
            if tf in lex.places:
                out.append(f"{k}pl")
            if tf in lex.common:
                out.append(f"{k}cl")
        if tf in TITLES:
            out.append(f"{k}title")
    # conjunctions: a given name before a capitalised word, a word between two name-like words
    left_cap = i > 0 and not bos and is_cap(words[i - 1])
    right_cap = i + 1 < n and is_cap(words[i + 1])
    if "fn" in out:
        out.append(f"fn+r{int(right_cap)}b{int(bos)}")
    if left_cap and folded[i - 1] in lex.first:
        out.append("afterfn")
    out.append(f"lr={int(left_cap)}{int(right_cap)}{int(bos)}")
    nxt = folded[i + 1] if i + 1 < n else "</S>"
    nxt2 = folded[i + 2] if i + 2 < n else "</S>"
    out.append(f"+12={nxt}_{nxt2}")
    pw = folded[i - 1] if i > 0 and not bos else "<S>"
    pw2 = folded[i - 2] if i > 1 and not bos and words[i - 2] not in _SENT_END else "<S>"
    out.append(f"-21={pw2}_{pw}")
    return out


def _genitive_base(f: str) -> str | None:
    """The nominative a folded genitive/dative form may come from: "austriei" → "austria",
    "berlinului" → "berlin" (None when the word has no such ending)."""
    if f.endswith("ului") and len(f) > 6:
        return f[:-4]
    if f.endswith("iei") and len(f) > 5:
        return f[:-2] + "a"
    if f.endswith("ei") and len(f) > 4:
        return f[:-2] + "a"
    return None


def _is_place(f: str, lex: Lexicon) -> bool:
    """A place name, or one in the genitive ("franței", "berlinului"), and no given name."""
    if f in lex.first:
        return False
    if f in lex.place_cued:
        return True
    base = _genitive_base(f)
    return base is not None and (base in lex.place_cued or base in lex.places)


def is_title_case(words: Sequence[str]) -> bool:
    """A headline written in title case: most words of three letters or more capitalised."""
    long = [w for w in words if len(w) >= 3 and w[0].isalpha()]
    return len(long) >= 4 and sum(1 for w in long if is_cap(w)) >= 0.75 * len(long)


class RoModel:
    """The Romanian token model: weights, threshold and word lists."""

    def __init__(self, weights: dict[str, float], threshold: float, first_names: Iterable[str],
                 common: Iterable[str], person_cued: Iterable[str] = (), place_cued: Iterable[str] = ()) -> None:
        self.w = weights
        self.threshold = threshold
        self.lex = Lexicon(first_names, common, person_cued, place_cued)

    @classmethod
    def load(cls, path: str | None = None) -> RoModel:
        """The shipped model, or the model file at ``path``."""
        if path:
            with open(path, "rb") as fh:
                raw = fh.read()
        else:
            with _data_path(_MODEL_FILE).open("rb") as fh:
                raw = fh.read()
        data = json.loads(gzip.decompress(raw).decode("utf-8"))
        return cls(data["weights"], data.get("threshold", 0.0), data.get("first_names", ()), data.get("common", ()),
                   data.get("person_cued", ()), data.get("place_cued", ()))

    def scores(self, words: Sequence[str], folded: Sequence[str], lower: frozenset[str] | set[str],
               title_case: bool) -> list[float | None]:
        """A score per token; ``None`` for tokens without a capital letter."""
        get = self.w.get
        out: list[float | None] = []
        for i, w in enumerate(words):
            if not is_cap(w):
                out.append(None)
                continue
            out.append(sum(get(f, 0.0) for f in features(words, folded, i, self.lex, lower, title_case)))
        return out


_lock = threading.Lock()
_model: RoModel | None = None


def get_model() -> RoModel:
    """The shipped Romanian model (loaded once)."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = RoModel.load()
    return _model


def set_model(model: RoModel | None) -> None:
    """Use ``model`` instead of the shipped one (None: back to the shipped one); for evals."""
    global _model
    _model = model


def find_spans(words: Sequence[str], lower: frozenset[str] | set[str],
               model: RoModel | None = None) -> tuple[list[tuple[int, int]], list[float | None]]:
    """Token ranges ``[a, b)`` of the people's names among ``words`` (one paragraph), and
    the model's score of every token (None: not capitalised)."""
    model = model or get_model()
    if not any(is_cap(w) for w in words):
        return [], [None] * len(words)
    folded = [fold_ro(w) for w in words]
    title_case = is_title_case(words)
    scores = model.scores(words, folded, lower, title_case)
    thr = model.threshold
    flags = [s is not None and s > thr for s in scores]
    n = len(words)
    # hysteresis: a capitalised word next to a name word joins it at a lower score
    # ("Georges Clemenceau", "Sara H. Konrath": the model scores the rarer word lower)
    low = thr - JOIN_MARGIN
    changed = True
    while changed:
        changed = False
        for i in range(n):
            sc = scores[i]
            if flags[i] or sc is None or sc <= low or words[i].isupper():
                continue
            if (i > 0 and flags[i - 1]) or (i + 1 < n and flags[i + 1]) or \
                    (i > 1 and flags[i - 2] and _INITIAL.match(words[i - 1])):
                flags[i] = True
                changed = True
    out: list[tuple[int, int]] = []
    i = 0
    while i < n:
        if not flags[i]:
            i += 1
            continue
        j = i + 1
        while j < n and (flags[j] or (words[j] == "-" and j + 1 < n and flags[j + 1])
                         or (_INITIAL.match(words[j]) is not None
                             and (j + 1 >= n or flags[j + 1] or not is_cap(words[j + 1])))):
            j += 1
        # a given name the model took alone, followed by a capitalised word: "Octav Băncilă"
        if j - i == 1 and j < n and folded[i] in model.lex.first and is_cap(words[j]) \
                and folded[j] not in model.lex.common and folded[j] not in model.lex.places \
                and folded[j] not in TITLES and not words[j].isupper():
            j += 1
            while j < n and flags[j]:
                j += 1
        span = _clean(words, folded, i, j, model.lex, lower)
        if span is not None:
            out.append(span)
        i = j
    return out, scores


def _clean(words: Sequence[str], folded: Sequence[str], a: int, b: int, lex: Lexicon,
           lower: frozenset[str] | set[str]) -> tuple[int, int] | None:
    """Trim titles and common words off a run of name tokens; None when nothing is left."""
    while a < b and (folded[a] in TITLES or (b - a >= 2 and folded[a] in lex.common and folded[a] not in lex.first)
                     or (b - a >= 2 and words[a].lower() in lower and folded[a] not in lex.first)
                     or (b - a >= 2 and _is_place(folded[a], lex))):
        a += 1  # "Președintele", "Deși", "Franței" (Emmanuel Macron)
    while b > a and (not words[b - 1][:1].isalpha() or words[b - 1] == "-"):
        b -= 1
    if a >= b:
        return None
    # a heading in capitals before a name-like word: "BERBEC Venus" (a horoscope), not
    # "Klaus IOHANNIS" (a surname in capitals, as official texts write it)
    if b - a >= 2 and words[a].isupper() and len(words[a]) >= 3 and not words[b - 1].isupper():
        return None
    if b - a == 1:
        w = words[a]
        if len(w) < 2 or w.endswith(".") or w.lower() in lower or w.isupper() and len(w) <= 3:
            return None
    return a, b


#: Feminine given names in the genitive/dative: "Vioricăi" → "Viorica", "Elenei" → "Elena".
_GEN_AI = re.compile(r"ăi$")
_GEN_EI = re.compile(r"ei$")


def nominative(name: str, lex: Lexicon | None = None) -> str:
    """``name`` with its first word (a given name) in the nominative when it is written in
    the genitive/dative: "Vioricăi Dăncilă" → "Viorica Dăncilă", "Elenei Udrea" → "Elena
    Udrea" (only when the "-a" form is a known given name and the "-ei" form is not:
    "Andrei Pleșu" stays)."""
    words = name.split(" ")
    if len(words) < 2:
        return name
    first = words[0]
    lex = lex or get_model().lex
    if first.endswith("ăi") and len(first) > 3:
        words[0] = _GEN_AI.sub("a", first)
    elif first.endswith("ei") and len(first) > 3 and fold_ro(first) not in lex.first:
        cand = _GEN_EI.sub("a", first)
        if fold_ro(cand) in lex.first:
            words[0] = cand
    return " ".join(words)
