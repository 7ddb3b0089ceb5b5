#!/usr/bin/env python3
"""Worst-case query times: hostile queries of at most 2,000 characters on one index.

    python bench/hostile.py INDEX_DIR [--timeout 120] [--only NAME,...] [--out FILE.json]

Builds a fixed set of expensive query shapes from the index's own vocabulary
(``vocabulary.tsv``: the most frequent words first, so the set is the same for the same
index): many infix wildcards (``*ae* *ai* …``), many prefixes, many fuzzy words, hundreds
of common words with AND and with OR, hundreds of misspelled words (the "Did you mean" path),
a long phrase, many phrases, deep parentheses, long glob patterns, and a mix of them. Each
query runs in a fresh child process (as a CLI user's does: nothing cached), with a time
limit, through the public API: ``Searcher(INDEX).search(query)``. Printed per query: its
name, length, the seconds ``search()`` took (process start and opening the index not
counted) and its CPU seconds (the same on an idle machine; on a shared one, what the query
itself cost), and what came back (the number of matches, or the first line of the error).

Prints a Markdown table and, with ``--out``, writes the raw numbers as JSON. Reads nothing
but the index.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import string
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

MAX_CHARS = 2000

_CHILD = """
import json, sys, time
from newssearch import Searcher
from newssearch.errors import NewssearchError
index, kwargs = sys.argv[1], json.loads(sys.argv[2])
text = sys.stdin.read()
with Searcher(index) as searcher:
    started, cpu = time.perf_counter(), time.thread_time()
    try:
        result = searcher.search(text, limit=10, **kwargs)
        outcome = f"{result.total} matches"
    except NewssearchError as err:
        outcome = "error: " + str(err).splitlines()[0][:160]
    seconds, cpu = time.perf_counter() - started, time.thread_time() - cpu
print(json.dumps({"seconds": seconds, "cpu": cpu, "outcome": outcome}))
"""


def vocabulary(index_dir: Path) -> list[str]:
    """The index's unstemmed words, most frequent first (ties alphabetical)."""
    counts: dict[str, int] = {}
    with open(index_dir / "vocabulary.tsv", encoding="utf-8") as handle:
        for line in handle:
            word, _, count = line.rstrip("\n").partition("\t")
            if word.isalpha() and word.isascii():
                counts[word] = int(count or 1)
    return sorted(counts, key=lambda w: (-counts[w], w))


def fill(parts: list[str], sep: str = " ", most: int | None = None) -> str:
    """As many of ``parts`` joined by ``sep`` as fit in :data:`MAX_CHARS` (at most ``most``)."""
    out: list[str] = []
    size = 0
    for part in parts[: most or len(parts)]:
        extra = len(part) + (len(sep) if out else 0)
        if size + extra > MAX_CHARS:
            break
        out.append(part)
        size += extra
    return sep.join(out)


def misspell(word: str) -> str:
    """``word`` with its two middle letters swapped (or a letter doubled)."""
    i = len(word) // 2
    swapped = word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    return swapped if swapped != word else word[:i] + word[i] + word[i:]


#: Options some queries run with (the name's suffix): other ways through the searcher.
OPTIONS = {" --paragraphs": {"paragraphs": True}, " --sort newest": {"sort": "newest"}}


def options(name: str) -> dict[str, Any]:
    """The ``Searcher.search`` keyword arguments of the query called ``name``."""
    return next((kwargs for suffix, kwargs in OPTIONS.items() if name.endswith(suffix)), {})


def hostile_queries(words: list[str]) -> dict[str, str]:
    """The named hostile queries (each at most :data:`MAX_CHARS` characters)."""
    letters = string.ascii_lowercase
    bigrams = [a + b for a in letters for b in letters]
    vowelled = [a + b for a in "aeiou" for b in letters] + [a + b for a in letters for b in "aeiou"]
    common = [w for w in words if len(w) >= 3]
    short = [w for w in common if len(w) <= 5]
    longer = [w for w in common if len(w) >= 6]
    queries = {
        "infix x130 (AND)": fill([f"*{b}*" for b in vowelled], most=130),
        "infix max (AND)": fill([f"*{b}*" for b in vowelled]),
        "infix max (OR)": fill([f"*{b}*" for b in vowelled], " OR "),
        "title infix max (OR)": fill([f"title:*{b}*" for b in vowelled], " OR "),
        "prefix x130 (AND)": fill([f"{b}*" for b in bigrams], most=130),
        "prefix max (OR)": fill([f"{b}*" for b in bigrams], " OR "),
        "fuzzy x300 (AND)": fill([f"{w}~" for w in short], most=300),
        "fuzzy~2 max (OR)": fill([f"{w}~2" for w in longer], " OR "),
        "common words max (OR)": fill(common, " OR "),
        "common words max (AND)": fill(common),
        "misspelled max (AND)": fill([misspell(w) for w in longer]),
        "long phrase": '"' + fill(common)[: MAX_CHARS - 2] + '"',
        "phrases max (OR)": fill([f'"{a} {b}"' for a, b in zip(common[::2], common[1::2])], " OR "),
        "deep parentheses": "(" * 999 + "x" + ")" * 999,
        "long glob": "*" + "*".join("aeiou" * 400)[: MAX_CHARS - 2] + "*",
        "question marks": fill(["?" * n + "*" for n in range(1, 60)]),
        "mixed max (OR)": fill(
            [p for trio in zip([f"*{b}*" for b in vowelled], [f"{w}~2" for w in longer], [f"{b}*" for b in bigrams], common) for p in trio],
            " OR ",
        ),
        # (a * stands alone or before NOT: the negated words in one group)
        "star NOT": "* NOT (" + fill(common, " OR ")[: MAX_CHARS - 8].rsplit(" OR ", 1)[0] + ")",
        "4 one-letter infixes (AND)": "*a* *e* *i* *o*",
        "4 one-letter infixes (AND) --paragraphs": "*a* *e* *i* *o*",
        "4 one-letter infixes (OR) --sort newest": "*a* OR *e* OR *i* OR *o*",
        "common words max (OR) --sort newest": fill(common, " OR "),
        "common words max (OR) --paragraphs": fill(common, " OR "),
    }
    for name, text in queries.items():
        assert len(text) <= MAX_CHARS, (name, len(text))
    return queries


def run_one(index_dir: Path, text: str, timeout: float, kwargs: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run one query in a fresh child process; its seconds and outcome (or a timeout)."""
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, str(index_dir), json.dumps(kwargs or {})],
            input=text,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"seconds": None, "outcome": f"still running after {timeout:g} s (stopped)", "process_s": time.perf_counter() - started}
    if done.returncode != 0:
        return {"seconds": None, "outcome": "crashed: " + (done.stderr.strip().splitlines() or ["?"])[-1][:160], "process_s": None}
    data = json.loads(done.stdout.strip().splitlines()[-1])
    data["process_s"] = time.perf_counter() - started
    return data


def main(argv: list[str] | None = None) -> None:
    """Run the hostile queries and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a query's process is stopped")
    parser.add_argument("--only", default="", help="comma-separated names (or parts of names) of queries to run")
    parser.add_argument("--repeat", type=int, default=1, help="runs per query (the median is reported)")
    parser.add_argument("--out", type=Path, help="write the raw numbers here as JSON")
    args = parser.parse_args(argv)
    queries = hostile_queries(vocabulary(args.index))
    wanted = [w.strip() for w in args.only.split(",") if w.strip()]
    rows = []
    print("| query | chars | search() s | CPU s | outcome |")
    print("|---|---:|---:|---:|---|")
    for name, text in queries.items():
        if wanted and not any(w in name for w in wanted):
            continue
        runs = [run_one(args.index, text, args.timeout, options(name)) for _ in range(args.repeat)]
        times = [r["seconds"] for r in runs if r["seconds"] is not None]
        seconds = statistics.median(times) if len(times) == len(runs) else None
        cpu = statistics.median([r["cpu"] for r in runs]) if seconds is not None else None
        row = {"name": name, "chars": len(text), "seconds": seconds, "cpu": cpu, "runs": runs, "outcome": runs[-1]["outcome"], "query": text}
        rows.append(row)
        shown = f"{seconds:.2f} | {cpu:.2f}" if seconds is not None and cpu is not None else f"> {args.timeout:g} | —"
        print(f"| {name} | {len(text)} | {shown} | {row['outcome'][:110]} |", flush=True)
    finished = [r for r in rows if r["seconds"] is not None]
    if finished:
        worst = max(finished, key=lambda r: r["seconds"])
        print(f"\nworst: {worst['seconds']:.2f} s ({worst['cpu']:.2f} s CPU, {worst['name']}); "
              f"most CPU: {max(r['cpu'] for r in finished):.2f} s; {len(rows) - len(finished)} not finished", flush=True)
    if args.out:
        args.out.write_text(json.dumps({"index": os.fspath(args.index), "rows": rows}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
