"""Evaluate people extraction on a CoNLL-2003 file.

    python -m newssearch.evals.people /work/shared/data/conll2003/eng.testa [--json]
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

from newssearch.enrich.people import extract_mentions
from newssearch.evals.train_people import read_conll, sentence_text


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


def evaluate_docs(docs: list, show_errors: bool = False) -> dict[str, object]:
    """Scores for CoNLL documents as read by :func:`~newssearch.evals.train_people.read_conll`."""
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


def main(argv: list[str] | None = None) -> int:
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
    for e in res.get("errors", []) or []:  # type: ignore[union-attr]
        print(e)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
