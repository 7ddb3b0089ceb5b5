"""Enrichment speed on one core: people and mentioned dates, articles per second.

    python bench/enrich_speed.py CORPUS_DIR [--limit N]

Reads the corpus with newssearch's own readers (any folder ``newssearch index`` takes, e.g.
one built by ``newscorpus.py remix 100000 DIR``), then times, in this one process, people
extraction and date extraction over every article (CPU time, so other load on the machine
matters less), and for comparison the text analysis the index writer needs for the same
articles. Prints one Markdown table.
"""

from __future__ import annotations

import argparse
import time

from newssearch.enrich import dates, people
from newssearch.ingest import discover, read_file
from newssearch.model import Article
from newssearch.store.writer import prepare


def load(corpus: str, limit: int | None) -> list[Article]:
    """Articles of the corpus, at most ``limit``."""
    articles: list[Article] = []
    for file in discover([corpus]).files:
        articles.extend(read_file(file).articles)
        if limit and len(articles) >= limit:
            return articles[:limit]
    return articles


def timed(label: str, fn, articles: list[Article]) -> tuple[str, float]:  # type: ignore[no-untyped-def]
    """CPU seconds of ``fn`` over all articles."""
    start = time.process_time()
    for article in articles:
        fn(article)
    return label, time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    articles = load(args.corpus, args.limit)
    words = sum(len(p.split()) for a in articles for p in a.paragraphs) / max(len(articles), 1)
    rows = [
        timed("people (extract_people)", lambda a: people.extract_people(a.title, a.paragraphs), articles),
        timed("mentioned dates (extract_dates)", lambda a: dates.extract_dates(a.paragraphs, dates.parse_date(a.published_text or "")), articles),
        timed("index text analysis (store.prepare)", lambda a: prepare(a, ""), articles),
    ]
    print(f"{len(articles):,} articles, {words:.0f} words each on average, one core (CPU time)\n")
    print("| stage | CPU s | articles/s |")
    print("|---|---:|---:|")
    for label, seconds in rows:
        print(f"| {label} | {seconds:.1f} | {len(articles) / seconds:,.0f} |")
    enrich = rows[0][1] + rows[1][1]
    print(f"| enrichment (people + dates) | {enrich:.1f} | {len(articles) / enrich:,.0f} |")


if __name__ == "__main__":
    main()
