"""Evaluate language detection against the languages files declare.

    python -m newssearch.evals.language /work/data/real/romanian.jsonl /work/data/real/bbc.jsonl \
        /work/shared/data/trafilatura-eval/html

Reads every article with newssearch's own readers, hides the declared language, detects it
from the text (:func:`newssearch.enrich.language.detect_language` on the title and first
paragraphs) and compares with the declared one (normalised). Prints per input: articles,
articles with a declared language, accuracy of the detection against it (undetected ones
count as wrong), how many got no answer, the most frequent confusions, and the detection
speed in articles per second (CPU time, model load excluded).
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter

from newssearch.enrich.language import _get_identifier, _sample, detect_language, normalise_language
from newssearch.ingest import discover, read_file


def evaluate(path: str) -> dict[str, object]:
    """Detection scores for the articles under ``path`` (a file or a folder)."""
    articles = [a for f in discover([path]).files for a in read_file(f).articles]
    _get_identifier()
    declared = [normalise_language(a.language) for a in articles]
    samples = [_sample(a) for a in articles]
    start = time.process_time()
    detected = [detect_language(s) for s in samples]
    seconds = time.process_time() - start
    pairs = [(d, g) for d, g in zip(detected, declared) if g is not None]
    right = sum(1 for d, g in pairs if d == g)
    confusions = Counter(f"{g}->{d}" for d, g in pairs if d != g)
    return {
        "input": path,
        "articles": len(articles),
        "declared": len(pairs),
        "declared_languages": dict(Counter(g for _, g in pairs).most_common(8)),
        "accuracy": round(right / len(pairs), 4) if pairs else None,
        "undetected": sum(1 for d in detected if d is None),
        "detected_languages": dict(Counter(detected).most_common(8)),
        "confusions": dict(confusions.most_common(8)),
        "articles_per_second": round(len(articles) / seconds) if seconds else None,
    }


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    ap = argparse.ArgumentParser(description="Evaluate language detection against declared languages.")
    ap.add_argument("inputs", nargs="+", help="files or folders of articles")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    results = [evaluate(p) for p in args.inputs]
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
        return 0
    for r in results:
        print(f"{r['input']}: {r['articles']} articles, {r['declared']} declared {r['declared_languages']}; "
              f"accuracy {r['accuracy']}, undetected {r['undetected']}, detected {r['detected_languages']}, "
              f"confusions {r['confusions']}; {r['articles_per_second']} articles/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
