"""Speed checks that used to be timed assertions in the unit tests, with the floors they had.

    python bench/speed_checks.py [--repeat 5]

* **dates**: :func:`newssearch.enrich.dates.extract_dates` on the seed article (~700 words,
  ``tests/fixtures/seed``), articles per second (was ``test_speed_smoke``: more than 300).
* **huge page**: the HTML reader on a ~7.5 MB page of chrome around a real article
  (``tests/fixtures/html/article_full.html``), seconds (was ``test_huge_page_is_cut_not_hung``:
  under 60; the test still checks that the article is read from it).

Prints one Markdown table (median of ``--repeat`` runs, the slowest run, the floor) and the
load average; exits 1 when a median misses its floor. The unit tests count work instead of
timing it (see ``tests/test_hostile_queries.py`` for query budgets).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from newssearch.enrich.dates import extract_dates
from newssearch.ingest import html as html_reader

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
SEED = FIXTURES / "seed" / "2023-04-20-stoltenberg-kyiv.txt"


def dates_rate() -> float:
    """Articles per second of date extraction on the seed article (200 runs)."""
    text = SEED.read_text(encoding="utf-8")
    paras = [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]
    published = dt.date(2023, 4, 20)
    extract_dates(paras, published)  # (warm: patterns compiled)
    n = 200
    start = time.perf_counter()
    for _ in range(n):
        extract_dates(paras, published)
    return n / (time.perf_counter() - start)


def huge_page_seconds() -> float:
    """Seconds to read a ~7.5 MB page (a real article inside 150,000 blocks of chrome)."""
    article = (FIXTURES / "html" / "article_full.html").read_text(encoding="utf-8")
    filler = "<div class='promo'><a href='/x'>More news</a></div>\n" * 150_000
    data = article.replace("<footer>", filler + "<footer>").encode("utf-8")
    start = time.perf_counter()
    result = next(html_reader.read(data, "huge.html"))
    seconds = time.perf_counter() - start
    assert result.paragraphs[0].startswith("The Harbour Bridge reopened")
    return seconds


#: name, function, unit, floor, whether higher is better
CHECKS: list[tuple[str, Callable[[], float], str, float, bool]] = [
    ("dates: seed article", dates_rate, "articles/s", 300.0, True),
    ("HTML reader: 7.5 MB page", huge_page_seconds, "s", 60.0, False),
]


def main(argv: list[str] | None = None) -> int:
    """Run every check ``--repeat`` times; print the table; 1 if a median misses its floor."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each check (median reported)")
    args = parser.parse_args(argv)
    failed = False
    print("| check | median | worst | floor | ok |")
    print("|---|---:|---:|---:|---|")
    for name, fn, unit, floor, higher in CHECKS:
        values = [fn() for _ in range(args.repeat)]
        median = statistics.median(values)
        worst = min(values) if higher else max(values)
        ok = median > floor if higher else median < floor
        failed |= not ok
        bound = ">" if higher else "<"
        print(f"| {name} | {median:,.2f} {unit} | {worst:,.2f} {unit} | {bound} {floor:,.0f} {unit} | {'yes' if ok else 'NO'} |")
    print(f"\nload average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {args.repeat} runs each")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
