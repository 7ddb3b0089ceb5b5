"""Tokens, word lists and the token classifier behind :mod:`newssearch.enrich.people`.

Private helper. The classifier is a linear model (averaged perceptron) that scores each
capitalised token as "part of a person's name" or not. Every feature depends on a single
token at a fixed offset (-2..+2) from the scored token, plus a handful of cheap
position features, so the sum of weights a token string contributes at each offset is
computed once and cached: scoring an article is then a few dict look-ups per capitalised
token. The weights are trained by :mod:`newssearch.evals.train_people` and shipped as
``data/people_model.json.gz``; the word lists (first names, surnames, places) are in
``data/`` too (see ``data/README-people.md`` for where they come from and their licenses).
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable

#: Tokens: acronyms with dots, abbreviations, initials, words (with inner hyphens and
#: apostrophes, but the possessive 's split off), punctuation.
TOKEN_RE = re.compile(
    r"""
      (?:[^\W\d_]\.){2,}
    | (?=[A-Z][a-z]{0,5}\.)(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Prof|Gen|Sen|Rep|Gov|Lt|Col|Capt|Sgt|Rev|Mt|Fr|Messrs|Mme|Mlle|Maj|Adm|Cmdr|Supt|Insp|Pres|Hon|Sir)\.
    | [A-ZÀ-ÖØ-Þ]\.
    | (?:al|el|ad|ar|as|ash|at|az|ud|bin|ibn|abu|abd)-(?=[A-ZÀ-ÖØ-Þ])
    | \w+(?:[-&]\w+|['’](?![sS]\b)\w+)*
    | ['’][sS]\b
    | [^\w\s]
    """,
    re.VERBOSE,
)

#: Lower-case words that can sit inside a name ("Ludwig van Beethoven").
PARTICLES = frozenset(
    "van von de der den di da del della dos das du le la ter ten bin ibn al el zu".split()
    + "al- el- ad- ar- as- ash- at- az- ud- bin- ibn- abu- abd-".split()
)

#: Words that may precede a name and are never part of it.
HONORIFICS = frozenset(
    """mr mrs ms miss mx dr prof sir dame lord lady mme mlle messrs herr frau sr jr
    president premier minister chancellor king queen prince princess pope father
    sen senator rep gov governor gen general col lt capt sgt rev judge justice
    coach striker captain secretary chairman chief ambassador mayor speaker leader
    spokesman spokeswoman spokesperson deputy vice cardinal bishop archbishop rabbi imam
    sheikh detective inspector officer sheriff councillor councilman councilwoman
    representative congressman congresswoman doctor professor
    major-general lieutenant lieutenant-colonel lieutenant-general colonel brigadier brigadier-general
    admiral commander marshal sergeant corporal private superintendent constable
    commissioner magistrate prosecutor attorney""".split()
)

#: Words for nationalities and the like: "American Nate Miller" names Nate Miller.
DEMONYMS = frozenset(
    """american british english scottish welsh irish french german dutch belgian swiss austrian
    italian spanish portuguese greek turkish polish czech slovak hungarian romanian bulgarian
    serbian croatian bosnian slovenian albanian russian ukrainian belarusian lithuanian latvian
    estonian finnish swedish norwegian danish icelandic georgian armenian azeri kazakh uzbek
    israeli palestinian lebanese syrian jordanian iraqi iranian saudi yemeni egyptian libyan
    tunisian algerian moroccan sudanese ethiopian kenyan nigerian ghanaian somali ugandan
    zimbabwean zambian congolese angolan rwandan south african afghan pakistani indian
    bangladeshi sri lankan nepali chinese japanese korean taiwanese vietnamese thai cambodian
    burmese malaysian indonesian filipino singaporean australian canadian mexican cuban
    brazilian argentine argentinian chilean peruvian colombian venezuelan bolivian ecuadorean
    ecuadorian uruguayan paraguayan european asian arab african latin yankee soviet
    kurdish chechen tamil sikh muslim christian jewish catholic protestant republican
    democrat democratic conservative liberal socialist communist
    frenchman frenchwoman dutchman dutchwoman englishman englishwoman irishman irishwoman
    scotsman scotswoman welshman briton finn dane swede pole kiwi aussie""".split()
)

#: Role words that may start a capitalised run before a name and are never part of it:
#: "Left-back Hinchcliffe", "Lock Ian Jones", "Accountant Natalya Sypron".
ROLE_WORDS = frozenset(
    """left-back right-back fullback full-back centre-back center-back wing-back midfielder
    striker forward defender goalkeeper keeper sweeper winger playmaker opener batsman bowler
    all-rounder wicketkeeper lock flanker prop hooker scrum-half fly-half centre quarterback
    pitcher catcher shortstop outfielder infielder rookie veteran jockey trainer driver rider
    accountant lawyer banker businessman businesswoman tycoon actor actress singer writer
    novelist poet director producer manager owner founder analyst economist editor
    brother sister cousin uncle aunt wife husband daughter widow""".split()
)

#: Capitalised words that end (or directly follow) the names of places, organisations,
#: events, products and the like: "Karl Marx Avenue", "Easter Island", "Hirtenberger
#: Defence" are not people. Words that are also common surnames (Hill, Park, Hall,
#: Banks ...) only count right after a name, not as its last word.
NON_PERSON_HEADS = frozenset(
    """avenue street st road rd boulevard blvd lane drive square plaza place highway motorway
    bridge tunnel island islands isle peninsula bay gulf strait river lake sea ocean mountain
    mountains mount valley canyon desert forest falls coast beach cape harbour harbor port
    park gardens garden stadium arena ground grounds oval field airport station terminal
    city town village county borough district province region state republic territory
    kingdom emirate oblast township municipality prefecture
    university college school academy institute institution foundation trust hospital clinic
    museum gallery library theatre theater cathedral church mosque temple synagogue abbey
    palace castle tower hall building centre center
    group holdings holding corp corporation co company inc ltd llc plc ag sa gmbh nv bv
    partners associates industries industrial systems technologies technology solutions
    communications telecom networks media entertainment studios pictures records
    airlines airways air motors automotive energy oil gas petroleum power electric steel
    chemicals pharmaceuticals pharma foods brewery bank bancorp capital securities
    financial finance insurance investments fund funds trust markets exchange
    defence defense army navy force forces guard police ministry department agency
    bureau office council committee commission party union league federation association
    society club team fc united rovers wanderers athletic
    times post herald tribune journal gazette news daily weekly magazine review press
    television tv radio channel network
    disease syndrome virus award awards prize cup trophy championship championships open
    games festival conference summit treaty accord act agreement declaration doctrine
    award medal prize bond bonds index parish corps""".split()
    # firms named after people: "Lehman Brothers", "Warner Bros", "Taylor Asset Management"
    + """bros brothers sons cos lp llp limited asset management advisers advisors ventures
    enterprises resources properties realty electronics""".split()
)

#: Words that end a firm's name: a name written before one of them anywhere in an article
#: ("Morgan Stanley & Co", "Piper Jaffray Inc", "Goldman Sachs Group") is a firm there.
ORG_SUFFIXES = frozenset(
    """inc corp corporation co cos company ltd limited plc llc llp lp ag sa spa nv bv gmbh
    group holdings holding brothers bros sons securities capital partners associates
    management investments bancorp bank &""".split()
)

#: Capitalised words that start place names and never a person's name: a name right after
#: one ("Tell Tamer", "Ras Tanura", "Fort Worth") is part of a place.
STRONG_PLACE_PREFIXES = frozenset(
    "tell tel ras wadi jebel jabal deir kafr beit bir khirbet puerto porto fort".split()
)

#: Well-known firms and brands whose names read like a person's (keys as made by
#: ``people.person_key``): never a person, and in an article naming one, its first word
#: alone ("Merrill", "Goldman") is the firm too.
KNOWN_FIRMS = frozenset(" ".join(k.split()) for k in
    """goldman sachs|morgan stanley|merrill lynch|lehman brothers|salomon brothers|bear stearns|
    dean witter|smith barney|paine webber|kidder peabody|piper jaffray|morgan grenfell|
    hoare govett|kleinwort benson|hill samuel|jardine fleming|jardine matheson|baring brothers|
    donaldson lufkin|
    robertson stephens|hambrecht quist|kleiner perkins|philip morris|eli lilly|procter gamble|
    johnson johnson|marks spencer|sears roebuck|ernst young|arthur andersen|price waterhouse|
    coopers lybrand|deloitte touche|peat marwick|dow jones|dow chemical|dow corning|rolls royce|
    mercedes benz|harley davidson|hewlett packard|warner lambert|bristol myers|pitney bowes|
    black decker|baker hughes|dun bradstreet|lockheed martin|martin marietta|mcdonnell douglas|
    pratt whitney|levi strauss|louis vuitton|tate lyle|reckitt colman|cadbury schweppes|
    booz allen|arthur d little|fannie mae|freddie mac|sallie mae|ginnie mae|ben jerry|
    standard poors|warner bros""".split("|")
)

#: Lower-case nouns right before a capitalised name that make it no person's name:
#: "daily newspaper Magyar Nemzet", "manufacturer Hirtenberger", "the town Tell Tamer".
NON_PERSON_CUES = frozenset(
    """newspaper newspapers daily tabloid magazine broadcaster channel agency company firm
    manufacturer maker brand band ship vessel town village city province region island
    airport hotel restaurant hurricane storm cyclone typhoon nerve drug drugs vaccine vaccines
    virus toxin poison antidote medicine medication painkiller antibiotic pesticide herbicide
    steroid""".split()
)

#: Two-word cues: "nerve agent Novichok", "poisoned with Novichok".
NON_PERSON_CUES2 = frozenset(
    [("nerve", "agent"), ("chemical", "agent"), ("biological", "agent")]
    + [(verb, "with") for verb in """poisoned infected contaminated vaccinated inoculated injected
    laced sprayed dosed treated immunised immunized""".split()]
)

#: First words of multi-word place names: "Puerto Rico", "El Paso", "Fort Worth".
PLACE_PREFIXES = frozenset(
    """puerto porto port fort san santa santo sao são los las el lake mount mt cape saint st st.
    new north south east west upper lower great
    tell tel ras wadi jebel jabal deir kafr beit ain bir khirbet""".split()
)

#: Common lower-case words (set from the model file): a capitalised word that is usually
#: written in lower case is seldom a name, even where this article has no lower-case use.
COMMON: set[str] = set()

#: Tokens after which a new sentence starts: seen as the "<S>" padding on the left.
SENT_END = frozenset([".", "!", "?"])
_BOS = frozenset(['.', '!', '?', '"', '“', '‘', "'", ':', ';', '(', '-', '–', '—', '<S>'])


def _data_path(name: str) -> Traversable:
    return resources.files("newssearch.enrich").joinpath("data", name)


def _read_list(name: str) -> list[str]:
    with _data_path(name).open("r", encoding="utf-8") as fh:
        return [line.strip() for line in fh if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def gazetteers() -> tuple[frozenset[str], dict[str, int], frozenset[str]]:
    """(first names, surname -> rank bucket, places), all lower-case."""
    first = frozenset(w.lower() for w in _read_list("people_firstnames.txt"))
    surnames: dict[str, int] = {}
    for rank, w in enumerate(_read_list("people_surnames.txt")):
        surnames.setdefault(w.lower(), 0 if rank < 1000 else 1 if rank < 10000 else 2)
    places = frozenset(w.lower() for w in _read_list("people_places.txt"))
    return first, surnames, places


@lru_cache(maxsize=1)
def multi_places() -> frozenset[str]:
    """Multi-word place names ("phnom penh", "monte carlo"), folded as by :func:`place_key`."""
    return frozenset(_read_list("people_places_multi.txt"))


_PLACE_KEY_DROP = str.maketrans({"-": " ", ".": " ", "’": "'"})


def place_key(words: list[str]) -> str:
    """The folded form of a run of tokens, as stored in ``people_places_multi.txt``."""
    return " ".join(fold(" ".join(words)).translate(_PLACE_KEY_DROP).split())


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """(token, start, end) triples of ``text``."""
    return [(m.group(), m.start(), m.end()) for m in TOKEN_RE.finditer(text)]


_CAPS_WORD = re.compile(r"[^\W\d_]{2,}")


def is_caps_text(text: str) -> bool:
    """True when a line is written in capitals (a headline, a table): no lower-case
    letter and at least two words of two letters or more."""
    return text == text.upper() and len(_CAPS_WORD.findall(text)) >= 2


@lru_cache(maxsize=100_000)
def shape(tok: str) -> str:
    """A coarse word shape: Xx, XX, X., x, d, X-X, XxXx ..."""
    if tok.isdigit():
        return "d"
    if not tok[0].isalnum():
        return "p"
    if len(tok) == 2 and tok[1] == "." and tok[0].isupper():
        return "X."
    if "." in tok:
        return "X.X."
    if "-" in tok:
        return "X-X" if all(p[:1].isupper() for p in tok.split("-") if p) else "x-x"
    if "'" in tok or "’" in tok:
        return "X'X"
    if tok.isupper():
        return "X" if len(tok) == 1 else "XX"
    if tok.islower():
        return "x"
    if tok[0].isupper():
        return "Xx" if tok[1:].islower() else "XxXx"
    if any(c.isdigit() for c in tok):
        return "dx"
    return "xX"


def fold(text: str) -> str:
    """Lower-case ASCII-ish form: accents removed."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=200_000)
def token_features(tok: str, caps: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(context features, own features) of one token string.

    Context features are used at offsets -2..+2; own features only for the scored token.
    """
    first, surnames, places = gazetteers()
    low = fold(tok)
    shp = "U" if caps and tok.isalpha() else shape(tok)
    ctx = ["w=" + low, "s=" + shp]
    if low in first:
        ctx.append("fn")
    sb = surnames.get(low)
    if sb is not None:
        ctx.append(f"sn{sb}")
    if low in places:
        ctx.append("pl")
    if low in HONORIFICS:
        ctx.append("hon")
    own = ["x3=" + low[-3:], "x4=" + low[-4:], "p2=" + low[:2], f"len={min(len(tok), 12)}"]
    if caps:
        own = ["U" + f for f in own]
    return tuple(ctx), tuple(own)


OFFSETS = (-2, -1, 0, 1, 2)


def features_at(toks: list[str], i: int, caps: bool, prev_pos: bool = False,
                lower: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """All feature names of token ``i`` (for training; inference uses the cache)."""
    out: list[str] = []
    n = len(toks)
    sent_start = i > 0 and toks[i - 1] in SENT_END
    for k in OFFSETS:
        j = i + k
        t = toks[j] if 0 <= j < n else ("<S>" if j < 0 else "</S>")
        if k < 0 and (sent_start or t in SENT_END):
            t = "<S>"
        ctx, own = token_features(t, caps)
        out.extend(f"{k}{f}" for f in ctx)
        if k == 0:
            out.extend(own)
    out.extend(position_features(toks, i, caps, prev_pos, lower))
    return out


def position_features(toks: list[str], i: int, caps: bool, prev_pos: bool = False,
                      lower: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """Sentence start, capitals line, place in a run of capitalised words, previous
    decision, and whether the word is written in lower case elsewhere in the article."""
    prev = toks[i - 1] if i > 0 else "<S>"
    out = ["bias"]
    if toks[i].lower() in COMMON:
        out.append("clow")
        if prev in _BOS:
            out.append("clowbos")
    if toks[i].lower() in lower:
        out.append("dlow")
        if prev in _BOS:
            out.append("dlowbos")
    if prev_pos:
        out.append("prevP")
        out.append("prevP" + shape(toks[i]))
    if prev in _BOS:
        out.append("bos")
    if caps:
        out.append("caps")
    # the run of capitalised tokens this one is in
    a = i
    while a > 0 and toks[a - 1][0].isupper():
        a -= 1
    b = i
    n = len(toks)
    while b + 1 < n and toks[b + 1][0].isupper():
        b += 1
    length = min(b - a + 1, 5)
    out.append(f"run={length}:{min(i - a, 4)}")
    return out


class TokenModel:
    """Linear scorer of capitalised tokens, with per-token-string caches."""

    def __init__(self, weights: dict[str, float], threshold: float = 0.0) -> None:
        self.w = weights
        self.threshold = threshold
        self._dlow = (weights.get("dlow", 0.0), weights.get("dlowbos", 0.0))
        self._clow = (weights.get("clow", 0.0), weights.get("clowbos", 0.0))
        self._by_offset: dict[int, dict[str, float]] = {k: {} for k in OFFSETS}
        for f, v in weights.items():
            for k in OFFSETS:
                p = str(k)
                if f.startswith(p) and not f[len(p):len(p) + 1].isdigit():
                    self._by_offset[k][f[len(p):]] = v
                    break
        self._caches: dict[bool, dict[str, tuple[float, float, float, float, float, float]]] = {
            False: {}, True: {}}

    @classmethod
    def load(cls, name: str = "people_model.json.gz") -> TokenModel:
        """Read the shipped model (or, when ``name`` is a path to a file, that model)."""
        import os

        src = name if os.path.sep in str(name) else _data_path(name)
        with open(src, "rb") if isinstance(src, (str, os.PathLike)) else src.open("rb") as fh:
            data = json.loads(gzip.decompress(fh.read()).decode("utf-8"))
        COMMON.clear()
        COMMON.update(data.get("common", ()))
        return cls(data["weights"], data.get("threshold", 0.0))

    def _contrib(self, tok: str, caps: bool) -> tuple[float, float, float, float, float, float]:
        """Weight sums of ``tok``'s features at offsets -2..+2, then its "prevP" shape weight."""
        cache = self._caches[caps]
        c = cache.get(tok)
        if c is None:
            w = self.w.get
            ctx, own = token_features(tok, caps)
            vals = []
            for k in OFFSETS:
                s = 0.0
                wk = self._by_offset[k].get
                for f in ctx:
                    s += wk(f, 0.0)
                if k == 0:
                    for f in own:
                        s += w(f, 0.0)
                vals.append(s)
            c = (vals[0], vals[1], vals[2], vals[3], vals[4], w("prevP" + shape(tok), 0.0))
            if len(cache) > 300_000:
                cache.clear()
            cache[tok] = c
        return c

    def _position_weights(self) -> tuple[float, float, float, float, dict[tuple[int, int], float]]:
        pw = getattr(self, "_pw", None)
        if pw is None:
            w = self.w.get
            runs = {(ln, p): w(f"run={ln}:{p}", 0.0) for ln in range(1, 6) for p in range(0, 5)}
            pw = (w("bias", 0.0), w("bos", 0.0), w("caps", 0.0), w("prevP", 0.0), runs)
            self._pw = pw
        return pw

    def scores(self, toks: list[str], caps: bool,
               lower: frozenset[str] | set[str] = frozenset()) -> list[float | None]:
        """A score per token, left to right; ``None`` for tokens without a capital.

        Same value as summing the weights of :func:`features_at`, computed from cached
        per-token-string sums.
        """
        n = len(toks)
        out: list[float | None] = [None] * n
        contrib = self._contrib
        bias, w_bos, w_caps, w_prev, runs = self._position_weights()
        if caps:
            bias += w_caps
        thr = self.threshold
        cache = self._caches[caps]
        get = cache.get
        pl = get("<S>") or contrib("<S>", caps)
        pr = get("</S>") or contrib("</S>", caps)
        mid = [get(t) or contrib(t, caps) for t in toks]
        pad = [pl, pl] + mid + [pr, pr]
        left = [pl, pl] + [pl if t in SENT_END else c for t, c in zip(toks, mid)]
        w_dlow, w_dlowbos = self._dlow
        w_clow, w_clowbos = self._clow
        common = COMMON
        upper = [t[0].isupper() for t in toks]
        prev_pos = False
        run_start = 0
        for i, t in enumerate(toks):
            if not upper[i]:
                prev_pos = prev_pos and i + 1 < n and upper[i + 1] and toks[i].lower() in PARTICLES
                continue
            if i == 0 or not upper[i - 1]:
                run_start = i
                run_end = i
                while run_end + 1 < n and upper[run_end + 1]:
                    run_end += 1
            own = pad[i + 2]
            if i > 0 and toks[i - 1] in SENT_END:
                s = own[2] + pl[0] + pl[1] + pad[i + 3][3] + pad[i + 4][4] + bias
            else:
                s = own[2] + left[i][0] + left[i + 1][1] + pad[i + 3][3] + pad[i + 4][4] + bias
            bos = i == 0 or toks[i - 1] in _BOS
            if bos:
                s += w_bos
            tl = t.lower()
            if lower and tl in lower:
                s += w_dlowbos + w_dlow if bos else w_dlow
            if tl in common:
                s += w_clowbos + w_clow if bos else w_clow
            s += runs[(min(run_end - run_start + 1, 5), min(i - run_start, 4))]
            if prev_pos:
                s += w_prev + own[5]
            out[i] = s
            prev_pos = s > thr
        return out


def spans(toks: list[str], flags: list[bool]) -> Iterator[tuple[int, int]]:
    """[start, end) token ranges of names: runs of flagged tokens, joined over particles."""
    n = len(toks)
    i = 0
    while i < n:
        if not flags[i]:
            i += 1
            continue
        j = i + 1
        while j < n:
            if flags[j]:
                j += 1
            elif toks[j].lower() in PARTICLES:
                k = j
                while k < n and toks[k].lower() in PARTICLES:
                    k += 1
                if k < n and flags[k] and k - j <= 2:
                    j = k + 1
                else:
                    break
            else:
                break
        yield i, j
        i = j
