"""Enrichment speed on one core: language, people and mentioned dates, articles per second.

    python bench/enrich_speed.py CORPUS_DIR [--limit N]

Reads the corpus with newssearch's own readers (any folder ``newssearch index`` takes, e.g.
one built by ``newscorpus.py remix 100000 DIR``), then times, in this one process, people
extraction and date extraction over every article (CPU time, so other load on the machine
matters less), language detection as if no article declared its language (the detector's
model is loaded before timing), the whole of ``enrich()`` (language as the files declare it,
then people and dates for that language), and for comparison the text analysis the index
writer needs for the same articles. Prints one Markdown table.
"""

from __future__ import annotations

import argparse
import copy
import time

from newssearch.enrich import dates, enrich, language, people
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
    language._get_identifier()
    fresh = [copy.deepcopy(a) for a in articles]
    rows = [
        timed("people (extract_people)", lambda a: people.extract_people(a.title, a.paragraphs, a.language), articles),
        timed("mentioned dates (extract_dates)", lambda a: dates.extract_dates(a.paragraphs, dates.parse_date(a.published_text or ""), a.language), articles),
        timed("index text analysis (store.prepare)", lambda a: prepare(a, ""), articles),
        timed("language detection (undeclared)", lambda a: language.detect_language(language._sample(a)), articles),
        timed("enrich() (declared language)", enrich, fresh),
    ]
    print(f"{len(articles):,} articles, {words:.0f} words each on average, one core (CPU time)\n")
    print("| stage | CPU s | articles/s |")
    print("|---|---:|---:|")
    for label, seconds in rows:
        print(f"| {label} | {seconds:.1f} | {len(articles) / seconds:,.0f} |")
    both = rows[0][1] + rows[1][1]
    print(f"| enrichment (people + dates) | {both:.1f} | {len(articles) / both:,.0f} |")
    allin = both + rows[3][1]
    print(f"| enrichment with detection (language + people + dates) | {allin:.1f} | {len(articles) / allin:,.0f} |")


if __name__ == "__main__":
    main()
