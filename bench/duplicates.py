"""What near-duplicate groups cost (issue 20): indexing with and without signatures, and a
collapsed query against an uncollapsed one. CPU time (``time.process_time``: other
processes on a shared machine do not count), medians.

    python bench/duplicates.py index FILES... [--articles N] [--runs 3]
    python bench/duplicates.py query INDEX [--runs 30]
    python bench/duplicates.py examples INDEX [--groups 3]

``index``: the first N articles of FILES (JSONL) indexed in one process (``workers=1``, so
the process's CPU time is all of it) into a new index, alternately with signatures (as
shipped) and without (``prepare`` computing no fingerprint, the store keeping no groups),
``--runs`` times each, after one untimed run over the first file (which loads the models and
libraries both need). ``query``: a fixed list of queries, each run collapsed and not,
``--runs`` times in one warm searcher (and the first use of the groups, once per searcher,
timed apart). ``examples``: groups from the index with titles, sources, dates, similarity.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from newssearch.enrich import duplicates as dup
from newssearch.indexing import index_paths
from newssearch.search.searcher import Searcher
from newssearch.store import duplicates as store_dup
from newssearch.store import writer

QUERIES = ["oil prices", "Blair election", "bank rate cut", "trade deficit", "dollar", "football", "shares rose",
           "merger talks", "grain exports", "profit"]


@contextmanager
def without_signatures() -> Iterator[None]:
    """Indexing as before groups existed: no fingerprint, no duplicate index, no file."""
    fingerprint, keeper = writer.fingerprint, store_dup.DuplicateKeeper
    empty = dup.Fingerprint(None, 0, np.zeros(0, dtype=np.uint32))

    class NoGroups(keeper):  # type: ignore[misc,valid-type]
        def add(self, *args: object) -> None:
            pass

        def remove(self, *args: object) -> None:
            pass

        def save(self, *args: object) -> None:
            pass

    writer.fingerprint = lambda article: empty  # type: ignore[assignment]
    writer.DuplicateKeeper = NoGroups  # type: ignore[misc]
    try:
        yield
    finally:
        writer.fingerprint = fingerprint
        writer.DuplicateKeeper = keeper  # type: ignore[misc]


def bench_index(files: list[str], articles: int, runs: int) -> None:
    work = tempfile.mkdtemp(prefix="bench-dups-")
    try:
        corpus = os.path.join(work, "corpus.jsonl")
        with open(corpus, "w", encoding="utf-8") as out:
            lines = itertools.chain.from_iterable(open(f, encoding="utf-8") for f in files)  # noqa: SIM115
            out.writelines(itertools.islice(lines, articles))
        times: dict[str, list[float]] = {"with": [], "without": []}
        index_paths([files[0]], os.path.join(work, "warm-up"), workers=1)  # (models and libraries loaded once, before timing)
        for run in range(runs):
            for mode in ("without", "with") if run % 2 else ("with", "without"):
                index = os.path.join(work, f"ix-{mode}-{run}")
                start = time.process_time()
                if mode == "with":
                    report = index_paths([corpus], index, workers=1)
                else:
                    with without_signatures():
                        report = index_paths([corpus], index, workers=1)
                times[mode].append(time.process_time() - start)
                shutil.rmtree(index)
                print(f"run {run + 1} {mode:>7}: {times[mode][-1]:.2f} s CPU ({report.added} articles)", file=sys.stderr)
        with_, without = statistics.median(times["with"]), statistics.median(times["without"])
        print(f"| indexing {report.added:,} articles, workers=1 (median of {runs}) | {without:.2f} s | {with_:.2f} s | "
              f"{100 * with_ / without:.1f} % |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def bench_query(index: str, runs: int) -> None:
    start = time.process_time()
    with Searcher(index) as s:
        opened = time.process_time() - start
        start = time.process_time()
        stories = s.stories()
        first_use = time.process_time() - start
        print(f"searcher opened in {1000 * opened:.1f} ms CPU; groups read and mapped to documents in {1000 * first_use:.1f} ms CPU "
              f"({len(stories.members):,} groups, {stories.redundant:,} redundant copies)")
        rows = []
        for q in QUERIES:
            times: dict[bool, list[float]] = {True: [], False: []}
            for run in range(runs):
                for collapse in (True, False) if run % 2 else (False, True):
                    t = time.process_time()
                    result = s.search(q, collapse=collapse)
                    times[collapse].append(time.process_time() - t)
                    if collapse:
                        total, stories_count = result.total, result.stories
            on, off = statistics.median(times[True]), statistics.median(times[False])
            rows.append((q, total, stories_count, off, on))
        print("| query | articles | stories | uncollapsed (ms) | collapsed (ms) | ratio |")
        print("|---|---:|---:|---:|---:|---:|")
        for q, total, count, off, on in rows:
            print(f"| {q} | {total:,} | {count:,} | {1000 * off:.2f} | {1000 * on:.2f} | {100 * on / off:.1f} % |")
        all_off = sum(r[3] for r in rows)
        all_on = sum(r[4] for r in rows)
        print(f"| all {len(rows)} (sum of medians) | | | {1000 * all_off:.2f} | {1000 * all_on:.2f} | {100 * all_on / all_off:.1f} % |")


def examples(index: str, groups: int) -> None:
    with Searcher(index) as s:
        result = s.duplicates("", limit=100000)
    picked = []
    by_source: dict[str, list] = {}  # type: ignore[type-arg]
    for story in result.stories:
        by_source.setdefault(story.representative.source or "", []).append(story)
    for stories in by_source.values():  # one per source first (edited copies before exact ones), then by size
        stories.sort(key=lambda st: all(v.similarity == 1.0 for v in st.versions))
    while len(picked) < groups and any(by_source.values()):
        for stories in by_source.values():
            if stories and len(picked) < groups:
                picked.append(stories.pop(0))
    print(f"{result.total:,} groups, {result.articles:,} articles in groups")
    for story in picked:
        print(f"\n**{story.representative.title}** ({len(story.versions)} versions)\n")
        print("| id | title | source | published | similarity |")
        print("|---|---|---|---|---:|")
        for v in story.versions:
            sim = "representative" if v.representative else f"{v.similarity:.2f}"
            print(f"| {v.id} | {v.title} | {v.source} | {v.published or 'undated'} | {sim} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("index")
    p.add_argument("files", nargs="+")
    p.add_argument("--articles", type=int, default=5000)
    p.add_argument("--runs", type=int, default=3)
    p = sub.add_parser("query")
    p.add_argument("index")
    p.add_argument("--runs", type=int, default=30)
    p = sub.add_parser("examples")
    p.add_argument("index")
    p.add_argument("--groups", type=int, default=3)
    args = parser.parse_args()
    if args.what == "index":
        bench_index(args.files, args.articles, args.runs)
    elif args.what == "query":
        bench_query(args.index, args.runs)
    else:
        examples(args.index, args.groups)


if __name__ == "__main__":
    main()
