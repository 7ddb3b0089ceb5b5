"""One-shot CLI latency per query shape: whole-process time of ``newssearch query``.

    python bench/oneshot.py INDEX [--word oil] [--runs 10] [--src SRC [--src-label NAME]]
                            [--shapes plain,dates,...] [--out FILE.md]

Runs ``python -m newssearch query --index INDEX WORD ...`` once per shape and run, each in a
fresh interpreter (nothing warm but the OS page cache: a first run per shape is done and
thrown away so every version reads from the same warm cache), and prints a Markdown table
of medians per shape: wall time, CPU time of the child (user+sys) and the load average
when the runs were made. The shapes are those issue 17 sets targets for:

* ``plain``: ``WORD``
* ``range``: ``WORD published:[A to B]`` (the query syntax's date range)
* ``since``: ``WORD --since A --until B``
* ``people``: ``WORD --facet people``
* ``source``: ``WORD --facet source``
* ``histogram``: ``WORD --histogram month``
* ``newest``: ``WORD --sort newest``

With ``--src`` (the ``src`` folder of another version, e.g. from ``git archive main src``)
every shape runs with that version too (``PYTHONPATH=SRC``), interleaved with this one, and
the table has a column for each. Wall figures mean something only on a quiet machine (load
below the number of cores); the CPU column holds on a busy one.

Each ``src`` folder is byte-compiled first (``compileall``), as ``pip install`` does: with
``PYTHONDONTWRITEBYTECODE`` set and an editable install, every run would otherwise compile
newssearch's modules from source again (~0.08 s of CPU a run). ``--no-compile`` skips it.
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

SINCE, UNTIL = "2019-03-04", "2019-08-17"


def shapes_for(since: str, until: str) -> dict[str, list[str]]:
    """Each shape's query arguments after the word (a ``published:`` range is added to it)."""
    return {
        "plain": [],
        "range": [f"published:[{since} to {until}]"],
        "since": ["--since", since, "--until", until],
        "people": ["--facet", "people"],
        "source": ["--facet", "source"],
        "histogram": ["--histogram", "month"],
        "newest": ["--sort", "newest"],
    }


SHAPES = shapes_for(SINCE, UNTIL)
HERE = Path(__file__).resolve().parent.parent


def run_once(src: str, index: str, word: str, extra: list[str]) -> tuple[float, float]:
    """Wall and CPU (user+sys) seconds of one ``newssearch query`` process."""
    args = [word, *extra]
    if extra and extra[0].startswith("published:"):
        args = [f"{word} {extra[0]}"]
    env = dict(os.environ, PYTHONPATH=src)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "newssearch", "query", "--index", index, *args],
                          env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)}: exit {done.returncode}: {done.stderr.strip()[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    """Run the shapes and print (and optionally write) the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("index")
    parser.add_argument("--word", default="oil")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--src", help="src folder of another version to compare with")
    parser.add_argument("--src-label", default="before")
    parser.add_argument("--since", default=SINCE, help="first day of the date shapes")
    parser.add_argument("--until", default=UNTIL, help="last day of the date shapes")
    parser.add_argument("--no-compile", action="store_true", help="do not byte-compile the src folders first")
    parser.add_argument("--out", help="append the table to this Markdown file")
    options = parser.parse_args()
    shape_args = shapes_for(options.since, options.until)
    versions = [("this", str(HERE / "src"))]
    if options.src:
        versions.insert(0, (options.src_label, options.src))
    if not options.no_compile:
        for _, src in versions:
            compileall.compile_dir(src, quiet=1)
    shapes = [s for s in options.shapes.split(",") if s]
    loads = []
    rows = []
    for shape in shapes:
        extra = shape_args[shape]
        figures: dict[str, list[tuple[float, float]]] = {label: [] for label, _ in versions}
        for _, src in versions:
            run_once(src, options.index, options.word, extra)  # (thrown away: the page cache warm)
        for _ in range(options.runs):
            for label, src in versions:
                figures[label].append(run_once(src, options.index, options.word, extra))
            loads.append(os.getloadavg()[0])
        cells = []
        for label, _ in versions:
            walls = [w for w, _ in figures[label]]
            cpus = [c for _, c in figures[label]]
            cells.append(f"{statistics.median(walls):.2f} / {statistics.median(cpus):.2f}")
        rows.append(f"| {shape} | {' | '.join(cells)} |")
        print(rows[-1], file=sys.stderr)
    head = "| shape | " + " | ".join(f"{label}: wall / CPU s" for label, _ in versions) + " |"
    rule = "|---|" + "---|" * len(versions)
    table = "\n".join([head, rule, *rows])
    note = (f"\nindex {options.index}, word `{options.word}`, dates {options.since} to {options.until}, median of {options.runs} runs each; "
            f"load average (1 min) during the runs: median {statistics.median(loads):.2f}, max {max(loads):.2f}; "
            f"{'not byte-compiled' if options.no_compile else 'byte-compiled'}\n")
    print(table + note)
    if options.out:
        with open(options.out, "a", encoding="utf-8") as out:
            out.write(table + note + "\n")


if __name__ == "__main__":
    main()
