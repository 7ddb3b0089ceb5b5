"""Evaluate people extraction: CoNLL-2003 (English), RONEC (Romanian), and an index's facet.

    # English, CoNLL-2003 (the shipped model is trained on eng.train only: eng.testa is held out)
    python -m newssearch.evals.people /work/shared/data/conll2003/eng.testa [--json]
    python -m newssearch.evals.people conll /work/shared/data/conll2003/eng.testa
    # Romanian, RONEC v2 (per-sentence surname sets, see newssearch.evals.train_people_ro);
    # the shipped model is trained on valid.json, so scoring it there is no test: use --cv
    python -m newssearch.evals.people ronec /work/shared/data/ronec/test.json
    python -m newssearch.evals.people ronec /work/shared/data/ronec/valid.json --cv \
        --news /work/data/real/romanian.jsonl
    # the people facet of an index (top N, what the registry left out, merges of some names)
    python -m newssearch.evals.people facet INDEX_DIR --top 30 [--show Reagan --show "Tony Blair"]
    # the hold-out fifth of eng.train, with a model trained on the other documents:
    python -m newssearch.evals.people eng.train --docs 0.8:1 --model /tmp/m/people_model.json.gz

Each ``-DOCSTART-`` document is one article with no title; each sentence (tokens joined
by single spaces) is one paragraph. Two scores:

* **document sets** — per document, the set of people named: gold PER names and the
  canonical names of the extracted :class:`~newssearch.model.Person` s, each set folded the
  same way (a name whose words occur, in order and contiguously, inside exactly one
  longer name of the same set becomes that longer name: "Clinton" → "Bill Clinton"),
  compared case-insensitively; true/false positives and false negatives are summed over
  documents (micro-average);
* **mentions** — exact character span match of every PER mention (CoNLL style).

Also reports the speed of :func:`~newssearch.enrich.people.extract_people` in articles/s.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, cast

from newssearch.enrich.people import extract_mentions
from newssearch.evals.conll import read_conll, sentence_text


def fold_names(names: set[str]) -> set[str]:
    """Fold each name into the unique longer name containing its words; lower-cased."""
    lowered = {" ".join(n.lower().split()) for n in names if n.strip()}
    toks = {n: n.split() for n in lowered}
    out = set()
    for n in lowered:
        t = toks[n]
        containers = [m for m in lowered if len(toks[m]) > len(t) and _contains(toks[m], t)]
        # keep only the longest containers (nested names count once)
        maximal = [m for m in containers if not any(o != m and _contains(toks[o], toks[m]) for o in containers)]
        out.add(maximal[0] if len(maximal) == 1 else n)
    return out


def _contains(big: list[str], small: list[str]) -> bool:
    m = len(small)
    return any(big[i:i + m] == small for i in range(len(big) - m + 1))


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": fp, "fn": fn}


def doc_range(spec: str | None, n: int) -> tuple[int, int]:
    """Document index range ``[a, b)`` of a ``"FROM:TO"`` spec of fractions (``"0.8:1"``)."""
    if not spec:
        return 0, n
    lo, _, hi = spec.partition(":")
    return int(float(lo or 0) * n), int(float(hi or 1) * n)


def use_model(path: str | Path | None) -> None:
    """Make :mod:`newssearch.enrich.people` score with the model file ``path`` (None: the shipped one)."""
    from newssearch.enrich import people
    from newssearch.enrich._people_text import TokenModel

    people._model = TokenModel.load(str(Path(path).resolve())) if path else None


def evaluate(path: str | Path, show_errors: bool = False, docs_spec: str | None = None) -> dict[str, object]:
    """Scores for one CoNLL file (see the module docstring); ``docs_spec`` ("0.8:1") picks
    a fraction of its documents (e.g. a held-out part of eng.train)."""
    docs = read_conll(path)
    a, b = doc_range(docs_spec, len(docs))
    res = evaluate_docs(docs[a:b], show_errors)
    return {"file": str(path), **res}


def evaluate_docs(docs: list[list[list[tuple[str, str]]]], show_errors: bool = False) -> dict[str, object]:
    """Scores for CoNLL documents as read by :func:`~newssearch.evals.conll.read_conll`."""
    s_tp = s_fp = s_fn = 0
    m_tp = m_fp = m_fn = 0
    prepared = []
    for doc in docs:
        paras, golds = [], []
        for sent in doc:
            text, spans = sentence_text(sent)
            paras.append(text)
            golds.append(spans)
        prepared.append((paras, golds))
    elapsed = 0.0
    errors: list[str] = []
    for d, (paras, golds) in enumerate(prepared):
        t0 = time.perf_counter()
        people, _per_para, mentions = extract_mentions("", paras)
        elapsed += time.perf_counter() - t0
        gold_names = {paras[i][a:b] for i, spans in enumerate(golds) for a, b in spans}
        gold_set = fold_names(gold_names)
        pred_set = fold_names({p.name for p in people})
        tp = len(gold_set & pred_set)
        s_tp += tp
        s_fp += len(pred_set - gold_set)
        s_fn += len(gold_set - pred_set)
        if show_errors and (pred_set != gold_set):
            errors.append(f"doc {d}: FP {sorted(pred_set - gold_set)} FN {sorted(gold_set - pred_set)}")
        gold_m = {(i, a, b) for i, spans in enumerate(golds) for a, b in spans}
        pred_m = {(i, a, b) for i, a, b, _s, _n in mentions if i >= 0}
        m_tp += len(gold_m & pred_m)
        m_fp += len(pred_m - gold_m)
        m_fn += len(gold_m - pred_m)
    words = sum(len(p.split()) for paras, _ in prepared for p in paras)
    result: dict[str, object] = {
        "documents": len(prepared),
        "document_sets": _prf(s_tp, s_fp, s_fn),
        "mentions": _prf(m_tp, m_fp, m_fn),
        "articles_per_second": round(len(prepared) / elapsed, 1) if elapsed else None,
        "words_per_second": round(words / elapsed) if elapsed else None,
    }
    if show_errors:
        result["errors"] = errors
    return result


def ronec(path: str, cv: bool = False, news: list[str] | None = None, folds: int = 5,
          show_errors: bool = False) -> dict[str, Any]:
    """RONEC scores: of the shipped Romanian model on ``path``, or (``cv``) ``folds``-fold
    cross-validation over ``path`` (models trained on the other folds; needs ``news``)."""
    from newssearch.evals import train_people_ro as tr

    if cv:
        return tr.cross_validate(path, news or [], folds, show_errors=show_errors)
    sents = tr.read_ronec(path)
    errors: list[str] = []
    res: dict[str, Any] = {"file": path, "sentences": len(sents),
                           "surnames": tr.score_sentences(sents, errors if show_errors else None)}
    if show_errors:
        res["errors"] = errors
    return res


def facet(index_dir: str, top: int = 30, show: list[str] | None = None) -> dict[str, Any]:
    """The people facet of the index (``top`` values), the top values the registry judged
    not to be people, and the merges (keys, aliases, article counts) of the ``show`` names."""
    from newssearch import Searcher

    with Searcher(index_dir) as searcher:
        result = searcher.search("", limit=1, facets=["people"], facet_limit=top)
        values = [{"name": v.label or v.value, "key": v.value, "count": v.count}
                  for v in result.facets["people"].values]
        reg = searcher._registry
        left_out = [e.to_dict() for e in reg.people(include_non_persons=True) if not e.person][:top]
        merges = []
        for name in show or ():
            keys = searcher.person_keys(name)
            total = searcher.search("", limit=1, person=name).total
            merges.append({"query": name, "articles": total, "group": reg.canonical(reg.group(_key(name))),
                           "keys": sorted(keys), "aliases": reg.aliases(reg.group(_key(name)))[:15]})
    return {"index": index_dir, "articles": result.total, "top": values, "not_people": left_out, "merges": merges}


def _key(name: str) -> str:
    from newssearch.enrich.people import person_key

    return person_key(name)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("ronec", "facet"):
        return _main_sub(argv)
    if argv and argv[0] == "conll":
        argv = argv[1:]
    return _main_conll(argv)


def _main_sub(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description="Evaluate people extraction on RONEC or an index's facet.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("ronec", help="Romanian: RONEC per-sentence surname F1")
    r.add_argument("file", help="RONEC v2 JSON (valid.json, test.json)")
    r.add_argument("--cv", action="store_true", help="cross-validate over the file instead of scoring the shipped model")
    r.add_argument("--news", nargs="*", default=[], help="Romanian news JSONL for the word lists (with --cv)")
    r.add_argument("--folds", type=int, default=5)
    r.add_argument("--errors", action="store_true")
    r.add_argument("--json", action="store_true")
    f = sub.add_parser("facet", help="the people facet of an index")
    f.add_argument("index_dir")
    f.add_argument("--top", type=int, default=30)
    f.add_argument("--show", action="append", default=[], help="a name whose merges to show (repeatable)")
    f.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.cmd == "ronec":
        if not Path(args.file).is_file():
            print(f"error: no such file: {args.file}", file=sys.stderr)
            return 2
        if args.cv and not args.news:
            print("error: --cv needs --news (Romanian news JSONL for the word lists)", file=sys.stderr)
            return 2
        res = ronec(args.file, args.cv, args.news, args.folds, args.errors)
        if args.json:
            print(json.dumps(res, indent=2, ensure_ascii=False))
            return 0
        m = res["pooled"] if args.cv else res["surnames"]
        label = f"{args.folds}-fold CV (pooled)" if args.cv else "shipped model"
        print(f"{res['file']}: {res['sentences']} sentences, {label}: surname sets P={m['precision']:.4f} "
              f"R={m['recall']:.4f} F1={m['f1']:.4f} (tp={m['tp']} fp={m['fp']} fn={m['fn']})")
        if args.cv:
            for fo in res["folds"]:
                print(f"  fold {fo['fold']} sentences {fo['sentences'][0]}-{fo['sentences'][1] - 1}: F1={fo['f1']:.4f}")
            print(f"  mean F1={res['mean']['f1']:.4f}")
        for e in res.get("errors", []):
            print(e)
        return 0
    if not Path(args.index_dir).is_dir():
        print(f"error: no such index: {args.index_dir}", file=sys.stderr)
        return 2
    res = facet(args.index_dir, args.top, args.show)
    if args.json:
        print(json.dumps(res, indent=2, ensure_ascii=False))
        return 0
    print(f"{res['index']}: {res['articles']} articles; people facet, top {args.top}:")
    for i, v in enumerate(res["top"], 1):
        print(f"  {i:2d}. {v['name']:<32s} {v['count']:>6,}")
    print(f"left out as no person (top {args.top}):")
    print("  " + "; ".join(f"{e['name']} {e['articles']}" for e in res["not_people"]))
    for m in res["merges"]:
        print(f"--person {m['query']!r}: {m['articles']} articles; person {m['group']!r}; keys {m['keys']}; "
              f"aliases {m['aliases']}")
    return 0


def _main_conll(argv: list[str]) -> int:
    """Command line entry point."""
    ap = argparse.ArgumentParser(description="Evaluate people extraction on a CoNLL-2003 file.")
    ap.add_argument("conll_file", help="e.g. eng.testa")
    ap.add_argument("--json", action="store_true", help="print the scores as JSON")
    ap.add_argument("--errors", action="store_true", help="list per-document differences")
    ap.add_argument("--docs", help="fraction range of the documents to use, e.g. 0.8:1 (the train hold-out)")
    ap.add_argument("--model", help="a people_model.json.gz to use instead of the shipped one")
    args = ap.parse_args(argv)
    if not Path(args.conll_file).is_file():
        print(f"error: no such file: {args.conll_file}", file=sys.stderr)
        return 2
    use_model(args.model)
    res = evaluate(args.conll_file, show_errors=args.errors, docs_spec=args.docs)
    if args.json:
        print(json.dumps(res, indent=2))
        return 0
    print(f"{res['file']}: {res['documents']} documents")
    for label, key in (("document sets (micro)", "document_sets"), ("mentions (exact span)", "mentions")):
        m = res[key]
        assert isinstance(m, dict)
        print(f"{label:24s} P={m['precision']:.4f} R={m['recall']:.4f} F1={m['f1']:.4f}"
              f"  (tp={m['tp']} fp={m['fp']} fn={m['fn']})")
    print(f"speed: {res['articles_per_second']} articles/s, {res['words_per_second']} words/s")
    for e in cast("list[str]", res.get("errors") or []):
        print(e)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
