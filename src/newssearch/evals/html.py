"""Evaluate the HTML reader (:mod:`newssearch.ingest.html`) on public benchmarks.

``python -m newssearch.evals.html body DATA_DIR [--limit N] [--json]``
    DATA_DIR is the Zyte/Scrapinghub *article-extraction-benchmark* folder
    (``ground-truth.json`` + ``html/<id>.html.gz``). Every page goes through the reader's
    :func:`~newssearch.ingest.html.read` (metadata, dates and main text, as when
    indexing); its paragraphs, joined by newlines, are scored against ``articleBody``.

    Scoring follows the benchmark's own ``evaluate.py``: tokens are ``\\w+`` runs (case
    kept), compared as multisets of 4-token shingles; per page, TP/FP/FN are normalised
    to sum to 1; precision and recall are averaged over pages and F1 is the harmonic mean
    of the two averages (the figure the upstream README reports, e.g. 0.958 for
    trafilatura 2.0.0). Also printed: the mean of per-page F1 on lowercased single tokens
    ("token F1"). Speed is pages per second of CPU time (``time.process_time``) of the
    reader alone, one process, one thread — decompression and scoring are not counted.

``python -m newssearch.evals.html meta DATA_DIR [--limit N] [--json]``
    DATA_DIR is the *trafilatura-eval* folder (``evaldata.json``, ``stored_files.json``,
    ``html/*.gz``; pages are resolved through ``stored_files.json``). Accuracy over the
    pages that carry each annotation:

    * date: (also printed for the pages of even and of odd index, a tuning half and a
      held-out half) the reader's ``published`` (its date part, ``YYYY-MM-DD``) equals the
      annotated date exactly; a page the reader rejects or with no date counts as wrong.
    * title: equal after normalisation (NFKC, lowercase, ``\\w+`` tokens joined by single
      spaces), or one contains the other when the shorter has at least 60 % of the
      longer's tokens (the annotations are sometimes cut, e.g. at 96 characters).
    * author: the token sets (normalised as for titles) of the reader's authors and of the
      annotation overlap with Jaccard >= 0.5 (annotations join several names with "und",
      ","...). The mean Jaccard is printed too.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..ingest import html as reader

_TOKEN = re.compile(r"\w+")


# --------------------------------------------------------------------------- body


def shingle_counts(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    """Multiset of ``n``-token shingles of ``text`` (tokens: ``\\w+``), as upstream."""
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def tp_fp_fn(true: str, pred: str, n: int = 4) -> tuple[float, float, float]:
    """Normalised (sum 1) true-positive, false-positive, false-negative shingle shares."""
    gold, got = shingle_counts(true, n), shingle_counts(pred, n)
    tp = sum((gold & got).values())
    fp = sum((got - gold).values())
    fn = sum((gold - got).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fp == 0:
        return 0.0
    return tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fn == 0:
        return 0.0
    return tp / (tp + fn)


def token_f1(true: str, pred: str) -> float:
    """F1 of the multiset overlap of lowercased ``\\w+`` tokens."""
    gold = Counter(t.lower() for t in _TOKEN.findall(true or ""))
    got = Counter(t.lower() for t in _TOKEN.findall(pred or ""))
    common = sum((gold & got).values())
    if not gold and not got:
        return 1.0
    if common == 0:
        return 0.0
    p, r = common / sum(got.values()), common / sum(gold.values())
    return 2 * p * r / (p + r)


def eval_body(data_dir: Path, limit: int | None = None, passes: int = 1) -> dict[str, Any]:
    """Score the reader's main text on the article-extraction benchmark.

    With ``passes`` > 1 the pages are read again; the speed of each pass is reported (the
    first pass includes one-time costs such as dateparser's locale tables in htmldate).
    """
    truth = json.loads((data_dir / "ground-truth.json").read_text(encoding="utf-8"))
    keys = sorted(truth)[:limit] if limit else sorted(truth)
    pages = {key: gzip.decompress((data_dir / "html" / f"{key}.html.gz").read_bytes()) for key in keys}
    predictions: dict[str, str] = {}
    failures: dict[str, str] = {}
    speeds = []
    for _ in range(max(1, passes)):
        start = time.process_time()
        for key, data in pages.items():
            try:
                article = next(reader.read(data, f"{key}.html"))
                predictions[key] = "\n".join(article.paragraphs)
            except InputError as err:
                predictions[key] = ""
                failures[key] = err.reason
        elapsed = time.process_time() - start
        speeds.append(len(keys) / elapsed if elapsed else float("inf"))
    scores = [tp_fp_fn(truth[k]["articleBody"], predictions[k]) for k in keys]
    precision = statistics.mean(_precision(*s) for s in scores if s[0] + s[1] > 0)
    recall = statistics.mean(_recall(*s) for s in scores if s[0] + s[2] > 0)
    per_page = {k: round(2 * s[0] / (2 * s[0] + s[1] + s[2]), 4) if s[0] else 0.0 for k, s in zip(keys, scores)}
    return {
        "pages": len(keys),
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "token_f1": statistics.mean(token_f1(truth[k]["articleBody"], predictions[k]) for k in keys),
        "pages_per_second": speeds[0],
        "pages_per_second_by_pass": speeds,
        "rejected": failures,
        "worst": sorted(per_page.items(), key=lambda kv: kv[1])[:10],
    }


# --------------------------------------------------------------------------- metadata


def _norm_tokens(text: str) -> list[str]:
    return _TOKEN.findall(unicodedata.normalize("NFKC", text or "").lower())


def title_match(gold: str, got: str) -> bool:
    """Normalised equality, or containment covering >= 60 % of the longer title's tokens."""
    a, b = " ".join(_norm_tokens(gold)), " ".join(_norm_tokens(got))
    if not a or not b:
        return False
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return short in long_ and len(short.split()) >= 0.6 * len(long_.split())


def author_jaccard(gold: str | list[str], got: list[str]) -> float:
    """Jaccard overlap of the normalised token sets of the annotation and the authors found."""
    if isinstance(gold, list):
        gold = " ".join(str(g) for g in gold)
    a, b = set(_norm_tokens(gold)), set(_norm_tokens(" ".join(got)))
    a -= {"und", "and", "von", "by"}
    b -= {"und", "and", "von", "by"}
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b) if a | b else 0.0


def eval_meta(data_dir: Path, limit: int | None = None) -> dict[str, Any]:
    """Title/date/author accuracy of the reader on the trafilatura evaluation pages."""
    evaldata = json.loads((data_dir / "evaldata.json").read_text(encoding="utf-8"))
    stored = json.loads((data_dir / "stored_files.json").read_text(encoding="utf-8"))
    items = [(url, rec) for url, rec in evaldata.items() if rec.get("date") or rec.get("title") or rec.get("author")]
    if limit:
        items = items[:limit]
    counts = {"date": [0, 0], "title": [0, 0], "author": [0, 0]}
    halves = {"even": [0, 0], "odd": [0, 0]}  # date accuracy by page index parity (tune/held-out)
    jaccards: list[float] = []
    misses: dict[str, list[Any]] = {"date": [], "title": [], "author": []}
    rejected: dict[str, str] = {}
    start = time.process_time()
    for index, (_url, rec) in enumerate(items):
        entry = stored.get(rec["file"])
        if entry is None:
            continue
        data = gzip.decompress((data_dir / entry["stored"]).read_bytes())
        try:
            article = next(reader.read(data, rec["file"]))
        except InputError as err:
            article = None
            rejected[rec["file"]] = err.reason
        if rec.get("date"):
            got = article.published if article else None
            got_s = got.isoformat()[:10] if got else None
            ok = got_s == rec["date"]
            counts["date"][0] += ok
            counts["date"][1] += 1
            half = halves["even" if index % 2 == 0 else "odd"]
            half[0] += ok
            half[1] += 1
            if not ok:
                misses["date"].append((rec["file"], rec["date"], got_s))
        if rec.get("title"):
            got_t = article.title if article else ""
            ok = title_match(rec["title"], got_t)
            counts["title"][0] += ok
            counts["title"][1] += 1
            if not ok:
                misses["title"].append((rec["file"], rec["title"], got_t))
        if rec.get("author"):
            got_a = article.authors if article else []
            jac = author_jaccard(rec["author"], got_a)
            jaccards.append(jac)
            counts["author"][0] += jac >= 0.5
            counts["author"][1] += 1
            if jac < 0.5:
                misses["author"].append((rec["file"], rec["author"], got_a))
    elapsed = time.process_time() - start
    result: dict[str, Any] = {"pages": len(items), "seconds": elapsed, "rejected": rejected}
    for name, (ok, total) in counts.items():
        result[f"{name}_accuracy"] = ok / total if total else None
        result[f"{name}_pages"] = total
    for name, (ok, total) in halves.items():
        result[f"date_accuracy_{name}"] = ok / total if total else None
    result["author_mean_jaccard"] = statistics.mean(jaccards) if jaccards else None
    result["misses"] = misses
    return result


# --------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; prints a summary (or JSON with ``--json``)."""
    parser = argparse.ArgumentParser(prog="python -m newssearch.evals.html", description=__doc__.split("\n")[0])
    parser.add_argument("task", choices=["body", "meta"], help="body: main-text F1; meta: title/date/author")
    parser.add_argument("data_dir", type=Path, help="benchmark folder (see module docs)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    parser.add_argument("--json", action="store_true", help="print the full result as JSON")
    parser.add_argument("--passes", type=int, default=1, help="body: read the pages this many times (speed per pass)")
    parser.add_argument("--misses", action="store_true", help="list wrong pages (meta) / worst pages (body)")
    args = parser.parse_args(argv)
    if not args.data_dir.is_dir():
        parser.error(f"not a folder: {args.data_dir}")
    if args.task == "body":
        result = eval_body(args.data_dir, args.limit, args.passes)
        if args.json:
            print(json.dumps(result, indent=2, ensure_ascii=False))
        else:
            print(
                f"pages={result['pages']} precision={result['precision']:.4f} recall={result['recall']:.4f} "
                f"F1={result['f1']:.4f} token_F1={result['token_f1']:.4f} "
                f"pages/s={'/'.join(f'{v:.1f}' for v in result['pages_per_second_by_pass'])} "
                f"(one core, CPU time; per pass) rejected={len(result['rejected'])}"
            )
            if args.misses:
                for key, f1 in result["worst"]:
                    print(f"  {f1:.3f} {key} {result['rejected'].get(key, '')}")
    else:
        result = eval_meta(args.data_dir, args.limit)
        if args.json:
            print(json.dumps(result, indent=2, ensure_ascii=False, default=str))
        else:
            print(
                f"pages={result['pages']} "
                f"date={result['date_accuracy']:.4f} (n={result['date_pages']}; even/odd pages "
                f"{result['date_accuracy_even']:.4f}/{result['date_accuracy_odd']:.4f}) "
                f"title={result['title_accuracy']:.4f} (n={result['title_pages']}) "
                f"author={result['author_accuracy']:.4f} (n={result['author_pages']}, "
                f"mean Jaccard {result['author_mean_jaccard']:.3f}) "
                f"rejected={len(result['rejected'])} seconds={result['seconds']:.1f}"
            )
            if args.misses:
                for name, rows in result["misses"].items():
                    for row in rows:
                        print(f"  {name}: {row}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
