"""Date histograms at the edges of the calendar and over long spans (issue 14, item 8).

``--until 9999-12-31 --histogram day`` ran out of memory then overflowed, ``--histogram
year`` over a year-9999 article raised ``ValueError: year 10000``, ``--since 0001
--histogram day`` printed 739,654 lines. The histogram now spans the matches' own dates and
has at most ``MAX_BUCKETS`` buckets (a coarser interval, with a note, past that).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from newssearch import Searcher
from newssearch.cli import cli
from newssearch.indexing import index_paths
from newssearch.search.facets import MAX_BUCKETS, DateHistogramFacet, bucket_count, bucket_starts

RECORDS = [
    {"id": "far", "title": "Far future harbour", "text": "The harbour of the far future opened.", "published": "9999-12-30"},
    {"id": "old", "title": "Old harbour", "text": "The harbour of old times opened.", "published": "0002-01-03"},
    {"id": "h85", "title": "Harbour in 1985", "text": "The harbour opened in 1985.", "published": "1985-03-04"},
    {"id": "h24", "title": "Harbour in 2024", "text": "The harbour reopened in 2024.", "published": "2024-06-01"},
    {"id": "h24b", "title": "Harbour strike in 2024", "text": "The harbour strike ended in 2024.", "published": "2024-06-03"},
    {"id": "undated", "title": "Undated harbour note", "text": "A harbour note without a date."},
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("histogram")
    (root / "a.jsonl").write_text("\n".join(json.dumps(r) for r in RECORDS) + "\n", encoding="utf-8")
    report = index_paths([root / "a.jsonl"], str(root / "index"), workers=1)
    assert report.added == len(RECORDS)
    return root / "index"


@pytest.mark.parametrize("interval", ["day", "week", "month", "year"])
@pytest.mark.parametrize(("since", "until"), [(None, None), (None, "9999-12-31"), ("0001", None), ("0001-01-01", "9999-12"), (None, "9999")])
def test_calendar_edges_never_overflow(index: Path, interval: str, since: str | None, until: str | None) -> None:
    with Searcher(index) as s:
        result = s.search("harbour", histogram=interval, since=since, until=until)
    hist = result.histogram
    assert hist is not None and result.total == (len(RECORDS) if since is None and until is None else len(RECORDS) - 1)
    assert hist.total + hist.undated == result.total
    assert len(hist.buckets) <= MAX_BUCKETS
    assert hist.buckets[0].label.startswith("0002") and hist.buckets[-1].label.startswith("9999")  # the matches' dates, not 0001
    assert hist.interval == "year" and hist.note  # (eight millennia apart: only years with matches)
    assert [b.label for b in hist.buckets] == ["0002", "1985", "2024", "9999"]
    assert [b.count for b in hist.buckets] == [1, 1, 2, 1]


def test_a_span_too_long_for_days_is_drawn_per_month_with_a_note(index: Path) -> None:
    with Searcher(index) as s:
        result = s.search("harbour", histogram="day", since="1985", until="2024")
    hist = result.histogram
    assert hist is not None
    days = (dt.date(2024, 6, 3) - dt.date(1985, 3, 4)).days + 1
    assert days > MAX_BUCKETS
    assert hist.interval == "month" and hist.requested == "day"  # weeks (2,048) would not fit either
    assert hist.note and f"{days:,} lines" in hist.note and "1985-03-04 to 2024-06-03" in hist.note
    assert len(hist.buckets) == (2024 - 1985) * 12 + 6 - 3 + 1  # every month from the first match to the last, empty ones too
    assert hist.buckets[0].label == "1985-03" and hist.buckets[-1].label == "2024-06" and hist.buckets[-1].count == 2
    data = result.to_dict()["histogram"]
    assert data["interval"] == "month" and data["requested"] == "day" and data["note"] == hist.note


def test_a_short_span_keeps_the_interval_asked_for(index: Path) -> None:
    with Searcher(index) as s:
        hist = s.search("harbour", histogram="day", since="2024", until="2024-12-31").histogram
    assert hist is not None and hist.interval == "day" and hist.note is None and hist.requested is None
    assert [(b.label, b.count) for b in hist.buckets] == [("2024-06-01", 1), ("2024-06-02", 0), ("2024-06-03", 1)]
    assert "requested" not in json.dumps(hist.to_dict())


def test_cli_prints_the_note_and_few_lines(index: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["query", "--index", str(index), "harbour", "--since", "0001", "--histogram", "day", "--facets-only", "--facet", "source"])
    assert result.exit_code == 0, result.output
    out = result.stdout.splitlines()
    start = out.index("published per year:")
    assert out[start + 1].startswith("  (per year: per day would be ") and "narrow the dates" in out[start + 1]
    assert len(out) < 30
    result = runner.invoke(cli, ["query", "--index", str(index), "harbour", "--until", "9999-12-31", "--histogram", "year"])
    assert result.exit_code == 0 and "Traceback" not in result.output


def test_bucket_arithmetic_at_the_ends_of_the_calendar() -> None:
    first, last = dt.date(9999, 12, 27), dt.date(9999, 12, 31)  # (a Monday: the last week starts here)
    assert list(bucket_starts("day", first, last)) == [dt.date(9999, 12, d) for d in range(27, 32)]
    assert list(bucket_starts("week", first, first)) == [first]
    assert list(bucket_starts("month", dt.date(9999, 11, 1), dt.date(9999, 12, 1))) == [dt.date(9999, 11, 1), dt.date(9999, 12, 1)]
    assert list(bucket_starts("year", dt.date(9998, 1, 1), dt.date(9999, 1, 1))) == [dt.date(9998, 1, 1), dt.date(9999, 1, 1)]
    assert bucket_count("day", dt.date.min, dt.date.max) == 3_652_059
    assert bucket_count("week", dt.date.min, dt.date.max) == 521_723
    assert bucket_count("month", dt.date.min, dt.date.max) == 119_988
    assert bucket_count("year", dt.date.min, dt.date.max) == 9999
    facet = DateHistogramFacet("week")
    assert facet.label(dt.date(1, 1, 1)) == "0001-W01" and facet.bucket_start(dt.date(1, 1, 3)) == dt.date(1, 1, 1)
