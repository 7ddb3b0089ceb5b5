#!/usr/bin/env python3
"""Memory and time of one long-lived Searcher over a query mix, on any index folder.

    python bench/searcher_memory.py INDEX [--no-mmap]

Opens ``Searcher(INDEX, mmap=True)`` (or ``mmap=False``) and runs a plain query, a
since/until query, two faceted queries (people, source, year: the second reads the
index-wide facet tables), a histogram of everything and a paragraph query with a date
filter, printing the time of each and the process's VmRSS after it, then the peak RSS
(``ru_maxrss``). Used for the searcher rows of ``bench/results/growth-300k.md``.
"""

from __future__ import annotations

import argparse
import resource
import time

QUERIES: list[tuple[str, dict[str, object]]] = [
    ("oil", {}),
    ("bank rates", {"since": "2019", "until": "2020"}),
    ("oil", {"facets": ["people", "source", "year"]}),
    ("trade", {"facets": ["people", "source", "year"]}),
    ("", {"histogram": "month"}),
    ("oil", {"paragraphs": True, "since": "2019"}),
]


def rss_mib() -> int:
    """This process's resident set size now, in MiB (Linux /proc)."""
    with open("/proc/self/status", encoding="ascii") as handle:
        return int(handle.read().split("VmRSS:")[1].split()[0]) // 1024


def main() -> None:
    """Run the query mix and print the times and memory."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("index")
    parser.add_argument("--mmap", action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args()
    from newssearch import Searcher

    started = time.perf_counter()
    searcher = Searcher(args.index, mmap=args.mmap)
    print(f"open {time.perf_counter() - started:.2f} s, RSS {rss_mib()} MiB (mmap={args.mmap})")
    with searcher:
        for text, options in QUERIES:
            started = time.perf_counter()
            searcher.search(text, **options)  # type: ignore[arg-type]
            print(f"{(time.perf_counter() - started) * 1000:8.0f} ms  {text!r} {options}  RSS {rss_mib()} MiB")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB")


if __name__ == "__main__":
    main()
