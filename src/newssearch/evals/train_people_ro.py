"""Train and evaluate the Romanian people model (:mod:`newssearch.enrich.people_ro`).

    # word lists from unlabelled Romanian news (JSONL, one article a line) + the model,
    # trained on every sentence of RONEC v2 valid.json; writes enrich/data/people_ro_model.json.gz
    python -m newssearch.evals.train_people_ro train /work/shared/data/ronec/valid.json \
        --news /work/data/real/romanian.jsonl

    # 5-fold cross-validation over valid.json (the estimate for unseen data)
    python -m newssearch.evals.train_people_ro cv /work/shared/data/ronec/valid.json \
        --news /work/data/real/romanian.jsonl

RONEC marks people with PERSON spans that also hold titles and common nouns ("Președintele
Ion Iliescu", "profesorii", "copil , Harald"). The *named people* of a sentence are read
from them by :func:`gold_names`: each span is cut at punctuation, lower-case words and
leading titles (:data:`~newssearch.enrich.people_ro.TITLES`) are dropped, and a one-word
name at the start of a sentence that Romanian also writes in lower case ("Polițiștii",
"Unii") is no name. A token is a positive training example when it lies in such a name.

The score (:func:`score_sentences`) treats every sentence as one article and compares, per
sentence, the set of surnames (last word of each name, folded: lower case, no
diacritics; a regnal number keeps the word before it: "Ioan XXIII") of the gold names with
those of the people :func:`newssearch.enrich.people.extract_people` finds with
``language="ro"``; true/false positives and misses are summed over sentences (micro P/R/F1).

Cross-validation: the sentences of valid.json, in file order (RONEC's ids are already
shuffled there, so neighbouring sentences are unrelated), in ``k`` contiguous folds; each
fold is scored with a model trained on the other ``k - 1``. The word lists from the news
(lower-case words, given names) do not depend on the folds.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent.parent / "enrich" / "data"
EPOCHS = 10
#: The model is the mean of averaged perceptrons trained on data shuffled with these seeds
#: (three seeds gave the same cross-validated F1 as one, 0.807: one is kept).
SEEDS = (7,)
THRESHOLD = 0.0
#: A word written in lower case in this many news articles is a "lower-case word".
COMMON_DOCS = 2
#: A given name must be seen this many times in a name-revealing context of the news.
FIRST_NAME_MIN = 2

Sentence = dict[str, Any]


# --------------------------------------------------------------------------- RONEC


def read_ronec(path: str | Path) -> list[Sentence]:
    """RONEC sentences: ``text``, ``tokens`` (our tokenizer's tokens of the text, with
    character offsets), and the gold named people as character spans ``names``."""
    from newssearch.enrich._people_text import tokenize
    from newssearch.enrich.people_ro import normalise_text

    with open(path, encoding="utf-8") as fh:
        rows = json.load(fh)
    out = []
    for row in rows:
        toks, tags, space = row["tokens"], row["ner_tags"], row.get("space_after") or [True] * len(row["tokens"])
        parts: list[str] = []
        offs: list[tuple[int, int]] = []
        pos = 0
        for t, sp in zip(toks, space):
            offs.append((pos, pos + len(t)))
            parts.append(t + (" " if sp else ""))
            pos += len(t) + (1 if sp else 0)
        text = normalise_text("".join(parts))
        names = [(offs[a][0], offs[b - 1][1]) for a, b in gold_names(toks, tags)]
        out.append({"id": row.get("id"), "text": text, "names": names, "tokens": tokenize(text)})
    return out


_PUNCT = re.compile(r"^[^\w]+$")
_ROMAN = re.compile(r"^[IVXLC]+$")


def gold_names(toks: list[str], tags: list[str], common: frozenset[str] | set[str] | None = None) -> list[tuple[int, int]]:
    """Token ranges of the named people in one RONEC sentence (see the module docstring)."""
    from newssearch.enrich.people_ro import TITLES, fold_ro, is_cap

    common = _common_words() if common is None else common
    first = _first_names()
    spans: list[tuple[int, int]] = []
    i, n = 0, len(toks)
    while i < n:
        if not tags[i].endswith("PERSON") or (tags[i].startswith("I-") and i and tags[i - 1].endswith("PERSON")):
            i += 1
            continue
        j = i + 1
        while j < n and tags[j] == "I-PERSON":
            j += 1
        # cut at punctuation into runs; keep capitalised words, drop leading titles
        k = i
        while k < j:
            if _PUNCT.match(toks[k]) and toks[k] not in ("-",):
                k += 1
                continue
            m = k
            while m < j and not (_PUNCT.match(toks[m]) and toks[m] != "-"):
                m += 1
            a, b = k, m
            while a < b and (not is_cap(toks[a]) or fold_ro(toks[a]) in TITLES):
                a += 1
            while b > a and not is_cap(toks[b - 1]):
                b -= 1
            # a role noun RONEC marks as a person ("Polițiștii", "Înaltul Reprezentant"):
            # every word is one Romanian writes in lower case, and none is a given name
            if a < b and not all(fold_ro(t) in common and fold_ro(t) not in first for t in toks[a:b] if is_cap(t)):
                spans.append((a, b))
            k = m
        i = j
    return spans


def surname_key(name: str) -> str:
    """The folded last word of a name (with the word before a regnal number)."""
    from newssearch.enrich.people_ro import fold_ro

    words = [w for w in re.split(r"[\s]+", name.strip()) if w]
    if not words:
        return ""
    if len(words) >= 2 and _ROMAN.match(words[-1].split("-")[0]):
        return fold_ro(words[0])  # a ruler: "Ludovic al XIV-lea", "Carol I", "Papa Ioan XXIII"
    return fold_ro(words[-1].strip(".,"))


_COMMON_CACHE: list[frozenset[str]] = []
_FIRST_CACHE: list[frozenset[str]] = []


def _first_names() -> frozenset[str]:
    """Given names of the shipped Romanian model's word lists and the census list."""
    if not _FIRST_CACHE:
        from newssearch.enrich.people_ro import RoModel

        try:
            _FIRST_CACHE.append(RoModel.load().lex.first)
        except (OSError, ValueError, KeyError):
            from newssearch.enrich._people_text import gazetteers

            _FIRST_CACHE.append(gazetteers()[0])
    return _FIRST_CACHE[0]


def _common_words() -> frozenset[str]:
    """The lower-case words of the shipped Romanian model (for the gold rule)."""
    if not _COMMON_CACHE:
        from newssearch.enrich.people_ro import RoModel

        try:
            _COMMON_CACHE.append(RoModel.load().lex.common)
        except (OSError, ValueError, KeyError):
            _COMMON_CACHE.append(frozenset())
    return _COMMON_CACHE[0]


def _set_lists(lists: dict[str, list[str]]) -> None:
    """Make the gold rule use these word lists (not the shipped model's)."""
    _COMMON_CACHE[:] = [frozenset(lists["common"])]
    _FIRST_CACHE[:] = [_model({}, lists).lex.first]


# --------------------------------------------------------------------------- word lists


_NAME_CUE_AFTER = re.compile(
    r"^(?:a|au)\s+(?:declarat|spus|afirmat|precizat|explicat|transmis|anunțat|scris|adăugat|subliniat|"
    r"menționat|arătat|susținut|răspuns|comentat|postat|dezvăluit|mărturisit|recunoscut|acuzat|cerut)\b")


_PLACE_PREP = frozenset(["în", "din", "la", "spre", "către", "lângă", "prin", "orașul", "orașului", "județul", "județului", "țara", "țării", "capitala", "capitalei", "regiunea", "regiunii", "statul", "statului", "comuna", "comunei", "satul", "satului", "municipiul", "municipiului"])


def news_lists(paths: Iterable[str | Path]) -> dict[str, list[str]]:
    """Word lists from unlabelled Romanian news in JSONL files (all folded):

    * ``common``: words written in lower case inside a sentence in at least
      :data:`COMMON_DOCS` articles;
    * ``first_names``: the first of two capitalised words that follow a title
      ("premierul Nicolae Ciucă") or precede a reporting verb ("Nicolae Ciucă a
      declarat"), seen :data:`FIRST_NAME_MIN` times, and not a lower-case word;
    * ``person_cued`` / ``place_cued``: capitalised words seen at least twice in a
      person's context (after a title or "lui", before a reporting verb) and at most half
      as often in a place's ("în", "din", "orașul" before it), and the other way round;
      ``place_cued`` also holds the one-word names of countries and regions in Romanian
      (CLDR, from Babel: "Franța", "Iordania").
    """
    from newssearch.enrich._people_text import TOKEN_RE
    from newssearch.enrich.people_ro import TITLES, fold_ro, is_cap, normalise_text

    doc_freq: Counter[str] = Counter()
    first: Counter[str] = Counter()
    pcue: Counter[str] = Counter()
    lcue: Counter[str] = Counter()
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                text = normalise_text((rec.get("title") or "") + "\n" + (rec.get("text") or ""))
                words = TOKEN_RE.findall(text)
                seen = set()
                n = len(words)
                for i, w in enumerate(words):
                    if w.islower() and w.isalpha() and i and words[i - 1] not in (".", "!", "?"):
                        seen.add(fold_ro(w))
                    if i and is_cap(w) and not w.isupper() and words[i - 1].islower():
                        prev = fold_ro(words[i - 1])
                        j = i
                        while j + 1 < n and is_cap(words[j + 1]):
                            j += 1
                        after = " ".join(words[j + 1:j + 3])
                        if prev in TITLES or _NAME_CUE_AFTER.match(after):
                            for k in range(i, j + 1):
                                pcue[fold_ro(words[k])] += 1
                        elif prev in _PLACE_PREP and j == i:
                            lcue[fold_ro(w)] += 1
                doc_freq.update(seen)
                for m in re.finditer(r"(\w+(?:-\w+)?) ([A-ZĂÂÎȘȚ]\w+) ([A-ZĂÂÎȘȚ][\w-]+)( \w+ \w+)?", text):
                    title, given, rest = m.group(1), m.group(2), m.group(4) or ""
                    cued = (title.islower() and fold_ro(title) in TITLES and title != "lui") or \
                        _NAME_CUE_AFTER.match(rest.strip())
                    if cued and is_cap(given) and not given.isupper():
                        first[fold_ro(given)] += 1
    common = sorted(w for w, c in doc_freq.items() if c >= COMMON_DOCS)
    cset = set(common)
    names = sorted(w for w, c in first.items() if c >= FIRST_NAME_MIN and w not in cset)
    person = sorted(w for w, c in pcue.items() if c >= 2 and c >= 2 * lcue[w] and w not in cset)
    place = sorted(w for w, c in lcue.items() if c >= 2 and c >= 2 * pcue[w] and w not in cset)
    from babel import Locale  # CLDR: the countries' and regions' names in Romanian

    territories = sorted({fold_ro(v) for v in Locale("ro").territories.values() if " " not in v})
    return {"common": common, "first_names": names, "person_cued": person,
            "place_cued": sorted(set(place) | set(territories))}


# --------------------------------------------------------------------------- training


def _examples(sents: list[Sentence], model: Any) -> list[tuple[list[str], list[str], list[bool], set[str], bool]]:
    """(words, folded, labels, lower-case words, title case) per sentence."""
    from newssearch.enrich.people_ro import fold_ro, is_title_case

    out = []
    for s in sents:
        toks = s["tokens"]
        words = [t for t, _, _ in toks]
        labels = [any(a <= st and en <= b for a, b in s["names"]) for _, st, en in toks]
        lower = {w for w in words if w.islower()}
        out.append((words, [fold_ro(w) for w in words], labels, lower, is_title_case(words)))
    return out


def fit(sents: list[Sentence], lists: dict[str, list[str]], epochs: int = EPOCHS,
        prune: float = 0.001) -> dict[str, float]:
    """Averaged-perceptron weights over the capitalised tokens of ``sents``."""
    from newssearch.enrich.people_ro import features, is_cap

    model = _model({}, lists)
    data = []
    for words, folded, labels, lower, tcase in _examples(sents, model):
        for i, word in enumerate(words):
            if is_cap(word):
                data.append((features(words, folded, i, model.lex, lower, tcase), labels[i]))
    summed: dict[str, float] = defaultdict(float)
    for seed in SEEDS:
        for f, a in _perceptron(data, epochs, seed).items():
            summed[f] += a / len(SEEDS)
    return {f: round(a, 4) for f, a in summed.items() if abs(a) >= prune}


def _perceptron(data: list[tuple[list[str], bool]], epochs: int, seed: int) -> dict[str, float]:
    """Averaged-perceptron weights of one run over ``data`` shuffled with ``seed``."""
    w: dict[str, float] = defaultdict(float)
    total: dict[str, float] = defaultdict(float)
    stamp: dict[str, int] = defaultdict(int)
    rng = random.Random(seed)
    c = 0
    order = list(range(len(data)))
    for _ep in range(epochs):
        rng.shuffle(order)
        for idx in order:
            feats, y = data[idx]
            c += 1
            s = sum(w.get(f, 0.0) for f in feats)
            if (s > 0) != y:
                delta = 1.0 if y else -1.0
                for f in feats:
                    total[f] += (c - stamp[f]) * w[f]
                    stamp[f] = c
                    w[f] += delta
    return {f: (total[f] + (c - stamp[f]) * v) / max(c, 1) for f, v in w.items()}


def _model(weights: dict[str, float], lists: dict[str, list[str]], threshold: float = THRESHOLD) -> Any:
    from newssearch.enrich.people_ro import RoModel

    return RoModel(weights, threshold, lists["first_names"], lists["common"], lists["person_cued"], lists["place_cued"])


def save(weights: dict[str, float], lists: dict[str, list[str]], out: Path,
         threshold: float = THRESHOLD, source: str = "") -> Path:
    """Write the model file (deterministic bytes)."""
    model = {"weights": dict(sorted(weights.items())), "threshold": threshold, "source": source,
             **lists, "epochs": EPOCHS}
    out.mkdir(parents=True, exist_ok=True)
    path = out / "people_ro_model.json.gz"
    raw = json.dumps(model, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    path.write_bytes(gzip.compress(raw, mtime=0))
    return path


# --------------------------------------------------------------------------- scoring


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": fp, "fn": fn}


def score_sentences(sents: list[Sentence], errors: list[str] | None = None) -> dict[str, float]:
    """Per-sentence surname-set P/R/F1 of the extractor (language "ro") on ``sents``."""
    from newssearch.enrich.people import extract_people

    tp = fp = fn = 0
    for s in sents:
        gold = {surname_key(s["text"][a:b]) for a, b in s["names"]} - {""}
        people, _ = extract_people("", [s["text"]], language="ro")
        pred = {surname_key(p.name) for p in people} - {""}
        tp += len(gold & pred)
        fp += len(pred - gold)
        fn += len(gold - pred)
        if errors is not None and gold != pred:
            errors.append(f"{s['id']}: FP {sorted(pred - gold)} FN {sorted(gold - pred)} | {s['text'][:160]}")
    return _prf(tp, fp, fn)


def cross_validate(path: str | Path, news: list[str], k: int = 5, epochs: int = EPOCHS,
                   show_errors: bool = False, threshold: float = THRESHOLD) -> dict[str, Any]:
    """``k``-fold cross-validation over the sentences of ``path`` (see the module docstring)."""
    from newssearch.enrich import people_ro

    lists = news_lists(news)
    _set_lists(lists)
    sents = read_ronec(path)
    n = len(sents)
    folds: list[dict[str, Any]] = []
    sums = [0, 0, 0]
    errors: list[str] = []
    try:
        for i in range(k):
            lo, hi = n * i // k, n * (i + 1) // k
            train_part = sents[:lo] + sents[hi:]
            weights = fit(train_part, lists, epochs)
            people_ro.set_model(_model(weights, lists, threshold))
            r = score_sentences(sents[lo:hi], errors if show_errors else None)
            folds.append({"fold": i, "sentences": [lo, hi], **r})
            sums[0] += int(r["tp"])
            sums[1] += int(r["fp"])
            sums[2] += int(r["fn"])
            print(f"fold {i} [{lo}, {hi}): P={r['precision']:.4f} R={r['recall']:.4f} F1={r['f1']:.4f}", file=sys.stderr)
    finally:
        people_ro.set_model(None)
    mean = {m: round(sum(float(f[m]) for f in folds) / k, 4) for m in ("precision", "recall", "f1")}
    res: dict[str, Any] = {"file": str(path), "sentences": n, "folds": folds, "mean": mean, "pooled": _prf(*sums)}
    if show_errors:
        res["errors"] = errors
    return res


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    ap = argparse.ArgumentParser(description="Train / cross-validate the Romanian people model on RONEC.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train", help="train on every sentence and write the shipped model")
    t.add_argument("ronec", help="RONEC v2 valid.json")
    t.add_argument("--news", nargs="+", required=True, help="Romanian news JSONL (word lists)")
    t.add_argument("--epochs", type=int, default=EPOCHS)
    t.add_argument("--threshold", type=float, default=THRESHOLD)
    t.add_argument("--out", type=Path, default=DATA_DIR)
    c = sub.add_parser("cv", help="k-fold cross-validation over the sentences")
    c.add_argument("ronec")
    c.add_argument("--news", nargs="+", required=True)
    c.add_argument("--folds", type=int, default=5)
    c.add_argument("--epochs", type=int, default=EPOCHS)
    c.add_argument("--threshold", type=float, default=THRESHOLD)
    c.add_argument("--errors", action="store_true")
    c.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.cmd == "train":
        lists = news_lists(args.news)
        _set_lists(lists)
        sents = read_ronec(args.ronec)
        weights = fit(sents, lists, args.epochs)
        path = save(weights, lists, args.out, args.threshold,
                    source=f"RONEC v2 {Path(args.ronec).name} ({len(sents)} sentences)")
        print(f"{len(weights)} weights, " + ", ".join(f"{len(v)} {k}" for k, v in lists.items()) + f" -> {path}")
        return 0
    res = cross_validate(args.ronec, args.news, args.folds, args.epochs, args.errors, args.threshold)
    if args.json:
        print(json.dumps(res, indent=2, ensure_ascii=False))
        return 0
    m, p = res["mean"], res["pooled"]
    print(f"{res['file']}: {res['sentences']} sentences, {args.folds}-fold CV")
    print(f"mean   P={m['precision']:.4f} R={m['recall']:.4f} F1={m['f1']:.4f}")
    print(f"pooled P={p['precision']:.4f} R={p['recall']:.4f} F1={p['f1']:.4f} (tp={p['tp']} fp={p['fp']} fn={p['fn']})")
    for e in res.get("errors", []):
        print(e)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
