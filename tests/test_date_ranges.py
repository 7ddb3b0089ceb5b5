"""Date ranges answered from the array of publication dates (issue 17) give exactly the
articles a brute-force date check gives: query syntax (``published:[A to B]``,
``published:2019``, ``>``/``<``, ``NOT``) and ``since``/``until``, alone
and with words, articles and paragraphs; histograms and date sorts from the same array; a
date range is a filter, never refused as too expensive."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newssearch import Searcher
from newssearch.indexing import index_paths
from newssearch.search.budget import QueryLimits
from newssearch.search.dates import pull_date_ranges

FIRST, LAST = dt.date(2018, 11, 1), dt.date(2021, 2, 28)
WORDS = ("harbour", "tariff", "election")


def _records() -> list[dict[str, object]]:
    rng = random.Random(17)
    records: list[dict[str, object]] = []
    span = (LAST - FIRST).days
    for i in range(90):
        word = WORDS[i % len(WORDS)]
        record: dict[str, object] = {
            "id": f"a{i:03d}",
            "title": f"Report {i} on the {word}",
            "text": f"The {word} story number {i}.\n\nA second paragraph about the {word}.",
        }
        if i % 11 != 5:  # (some undated)
            day = FIRST + dt.timedelta(days=rng.randrange(span + 1))
            if i % 7 == 0:
                day = dt.date(2019, 12, 31) if i % 2 else dt.date(2020, 1, 1)  # (at a year's edge)
            moment = dt.datetime.combine(day, dt.time(rng.randrange(24), rng.randrange(60), rng.randrange(60)))
            if i % 13 == 0:
                moment = dt.datetime.combine(day, dt.time(23, 59, 59))
            record["published"] = moment.isoformat()
        records.append(record)
    return records


RECORDS = _records()
PUBLISHED = {str(r["id"]): dt.datetime.fromisoformat(str(r["published"])) if r.get("published") else None for r in RECORDS}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("date-ranges")
    (root / "a.jsonl").write_text("\n".join(json.dumps(r) for r in RECORDS) + "\n", encoding="utf-8")
    report = index_paths([root / "a.jsonl"], str(root / "index"), workers=1)
    assert report.added == len(RECORDS)
    return root / "index"


@pytest.fixture(scope="module")
def searcher(index: Path):  # type: ignore[no-untyped-def]
    with Searcher(index) as s:
        yield s


def _expected(lo: dt.datetime | None, hi: dt.datetime | None, word: str | None = None, negate: bool = False) -> set[str]:
    """Brute force: the ids of the articles (with ``word``) published in [lo, hi]."""
    out = set()
    for record in RECORDS:
        when = PUBLISHED[str(record["id"])]
        inside = when is not None and (lo is None or when >= lo) and (hi is None or when <= hi)
        if inside != negate and (word is None or word in str(record["text"])):
            out.add(str(record["id"]))
    return out


def _with(word: str) -> set[str]:
    """The ids of the articles with ``word``, dated or not."""
    return {str(r["id"]) for r in RECORDS if word in str(r["text"])}


def _ids(searcher: Searcher, query: str, **options: object) -> set[str]:
    result = searcher.search(query, limit=200, **options)  # type: ignore[arg-type]
    assert result.total == len(result.hits)
    return {hit.id for hit in result.hits}


def _start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min)


def _end(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.max)


days = st.dates(min_value=FIRST - dt.timedelta(days=20), max_value=LAST + dt.timedelta(days=20))
words = st.sampled_from([None, *WORDS])
checks = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@checks
@given(a=days, b=days, word=words)
def test_a_query_syntax_range_gives_what_a_brute_force_date_check_gives(searcher: Searcher, a: dt.date, b: dt.date, word: str | None) -> None:
    a, b = min(a, b), max(a, b)
    query = (f"{word} " if word else "") + f"published:[{a.isoformat()} to {b.isoformat()}]"
    assert _ids(searcher, query) == _expected(_start(a), _end(b), word)


@checks
@given(a=days, b=days, word=words)
def test_since_until_give_what_a_brute_force_date_check_gives(searcher: Searcher, a: dt.date, b: dt.date, word: str | None) -> None:
    a, b = min(a, b), max(a, b)
    assert _ids(searcher, word or "", since=a.isoformat(), until=b.isoformat()) == _expected(_start(a), _end(b), word)
    assert _ids(searcher, word or "", since=a.isoformat()) == _expected(_start(a), None, word)
    assert _ids(searcher, word or "", until=b.isoformat()) == _expected(None, _end(b), word)


@checks
@given(a=days, b=days, word=st.sampled_from(WORDS))
def test_open_and_negated_ranges(searcher: Searcher, a: dt.date, b: dt.date, word: str) -> None:
    a, b = min(a, b), max(a, b)
    assert _ids(searcher, f"{word} published:>={a.isoformat()}") == _expected(_start(a), None, word)
    assert _ids(searcher, f"{word} published:<={b.isoformat()}") == _expected(None, _end(b), word)
    negated = _expected(_start(a), _end(b), word, negate=True)  # (undated articles are outside every range)
    assert _ids(searcher, f"{word} NOT published:[{a.isoformat()} to {b.isoformat()}]") == negated


@pytest.mark.parametrize(("text", "first", "last"), [("2019", "2019-01-01", "2019-12-31"), ("2020-02", "2020-02-01", "2020-02-29"), ("2019-12-31", "2019-12-31", "2019-12-31")])
def test_a_year_month_or_day(searcher: Searcher, text: str, first: str, last: str) -> None:
    lo, hi = _start(dt.date.fromisoformat(first)), _end(dt.date.fromisoformat(last))
    expected = _expected(lo, hi)
    assert expected  # (the fixture has articles then)
    assert _ids(searcher, f"published:{text}") == expected
    assert _ids(searcher, f"date:{text}") == expected  # (an alias)
    assert _ids(searcher, "", since=text, until=text) == expected
    assert _ids(searcher, f"harbour published:{text}") == _expected(lo, hi, "harbour")


def test_two_ranges_and_a_range_with_since_until_intersect(searcher: Searcher) -> None:
    both = _expected(_start(dt.date(2019, 6, 1)), _end(dt.date(2019, 12, 31)))
    assert _ids(searcher, "published:2019 published:[2019-06-01 to 2020-06-30]") == both
    assert _ids(searcher, "published:2019", since="2019-06", until="2020-06") == both


def test_a_range_under_or_still_matches(searcher: Searcher) -> None:
    lo, hi = _start(dt.date(2019, 3, 1)), _end(dt.date(2019, 3, 31))
    either = _expected(lo, hi) | _with("tariff")
    assert _ids(searcher, "tariff OR published:2019-03") == either


@checks
@given(a=days, b=days)
def test_ranges_nested_under_or_and_not_match_what_a_brute_force_check_gives(searcher: Searcher, a: dt.date, b: dt.date) -> None:
    a, b = min(a, b), max(a, b)
    inside = _expected(_start(a), _end(b))
    text = f"[{a.isoformat()} to {b.isoformat()}]"
    assert _ids(searcher, f"election OR published:{text}") == _with("election") | inside
    assert _ids(searcher, f"tariff AND (harbour OR NOT published:{text})") == _with("tariff") - inside
    assert _ids(searcher, f"(tariff OR harbour) AND (election OR published:{text})") == (_with("tariff") | _with("harbour")) & inside


def test_paragraphs_are_filtered_by_their_article_date(searcher: Searcher) -> None:
    expected = _expected(_start(dt.date(2020, 1, 1)), _end(dt.date(2020, 12, 31)), "tariff")
    result = searcher.search("tariff", paragraphs=True, limit=500, since="2020", until="2020")
    assert {p.article_id for p in result.paragraphs} == expected
    result = searcher.search("tariff published:2020", paragraphs=True, limit=500)
    assert {p.article_id for p in result.paragraphs} == expected


def test_pulled_ranges_leave_the_rest_of_the_query() -> None:
    from whoosh import query as wq

    when = dt.datetime(2019, 1, 1)
    rng = wq.DateRange("published", when, when)
    q, ranges = pull_date_ranges(wq.And([wq.Term("body", "oil"), rng]))
    assert q == wq.Term("body", "oil") and len(ranges.within) == 1 and not ranges.outside
    q, ranges = pull_date_ranges(wq.And([wq.Term("body", "oil"), wq.Not(rng)]))
    assert q == wq.Term("body", "oil") and len(ranges.outside) == 1
    q, ranges = pull_date_ranges(wq.And([wq.Not(wq.Term("body", "oil")), rng]))
    assert q == wq.And([wq.Every(), wq.Not(wq.Term("body", "oil"))]) and len(ranges.within) == 1
    q, ranges = pull_date_ranges(wq.Or([wq.Term("body", "oil"), rng]))
    assert q == wq.Or([wq.Term("body", "oil"), rng]) and not ranges


@checks
@given(a=days, b=days, interval=st.sampled_from(["day", "week", "month", "year"]))
def test_histogram_counts_what_a_brute_force_count_gives(searcher: Searcher, a: dt.date, b: dt.date, interval: str) -> None:
    from newssearch.search.facets import bucket_start

    a, b = min(a, b), max(a, b)
    expected = _expected(_start(a), _end(b))
    hist = searcher.search("", since=a.isoformat(), until=b.isoformat(), histogram=interval).histogram
    assert hist is not None
    counts: dict[str, int] = {}
    for key in expected:
        when = PUBLISHED[key]
        assert when is not None
        start = bucket_start(hist.interval, when.date()).isoformat()
        counts[start] = counts.get(start, 0) + 1
    assert {b.start: b.count for b in hist.buckets if b.count} == counts
    assert hist.total == len(expected) and hist.undated == 0


def test_histogram_of_all_counts_the_undated(searcher: Searcher) -> None:
    hist = searcher.search("", histogram="year").histogram
    assert hist is not None
    assert hist.undated == sum(1 for v in PUBLISHED.values() if v is None) > 0
    assert {b.label: b.count for b in hist.buckets} == {
        str(year): sum(1 for v in PUBLISHED.values() if v is not None and v.year == year) for year in (2018, 2019, 2020, 2021)
    }


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_date_sorts_put_undated_articles_last(searcher: Searcher, sort: str) -> None:
    hits = searcher.search("harbour", sort=sort, limit=200).hits
    dated = [PUBLISHED[h.id] for h in hits if PUBLISHED[h.id] is not None]
    assert [PUBLISHED[h.id] for h in hits] == [*dated, *([None] * (len(hits) - len(dated)))]
    assert dated == sorted(dated, reverse=sort == "newest")  # type: ignore[type-var]
    assert len(hits) == len(_with("harbour"))
    page2 = searcher.search("harbour", sort=sort, limit=5, page=2).hits
    assert [h.id for h in page2] == [h.id for h in hits[5:10]]


def test_a_date_range_is_never_refused_as_too_expensive(index: Path) -> None:
    ticks = itertools.count()
    limits = QueryLimits(seconds=1.0, clock=lambda: float(next(ticks)))  # (each look at the clock: one more second)
    with Searcher(index, limits=limits) as s:
        expected = _expected(_start(dt.date(2019, 1, 1)), _end(dt.date(2020, 12, 31)))
        assert len(expected) > 64  # (more matches than are collected between two looks at the clock)
        assert _ids(s, "published:[2019-01-01 to 2020-12-31]") == expected
        assert _ids(s, "", since="2019", until="2020") == expected


def test_numpy_is_imported_only_by_queries_that_use_dates(index: Path) -> None:
    """A plain one-shot query does not pay for importing numpy (~0.1 s of CPU); a date
    filter, histogram or sort imports it."""
    import subprocess
    import sys

    code = (
        "import sys; from newssearch import Searcher; s = Searcher(sys.argv[1]); "
        "s.search('harbour'); s.search('harbour', facets=['source']); print('numpy' in sys.modules); "
        "s.search('harbour', since='2019'); print('numpy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(index)], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "True"]
