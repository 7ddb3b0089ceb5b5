"""One time-zone rule everywhere: ``published`` is the publisher's local date.

An article published at 23:30 in Bucharest (+03:00) or New York (-05:00) on 20 April, or at
00:30 in Bucharest on 20 April, is a story of 20 April, whichever reader read it (JSON,
JSONL, .txt header, HTML metadata, RFC 2822), and it is stored, filtered (``--since``,
``--until``, ``published:``), faceted, drawn in histograms and shown as such. Before one
rule, the JSON and .txt readers converted to UTC (19 or 21 April) while the HTML reader did
not.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from newssearch import ArticleRecord, Period, Searcher, index_paths
from newssearch.cli import cli
from newssearch.errors import InputError
from newssearch.extracting import extract
from newssearch.store.index import open_index
from newssearch.timeparse import as_datetime, format_published, local_time, parse_published

BODY = "The harbour council met late into the night to approve the new budget for the district and its schools."

#: id → (how the file states the publication date, the local time it means)
LATE = {
    "bucharest-late": ("2023-04-20T23:30:00+03:00", dt.datetime(2023, 4, 20, 23, 30)),  # UTC: 20:30 the same day
    "bucharest-early": ("2023-04-20T00:30:00+03:00", dt.datetime(2023, 4, 20, 0, 30)),  # UTC: 19 April
    "newyork-late": ("2023-04-20T23:30:00-05:00", dt.datetime(2023, 4, 20, 23, 30)),  # UTC: 21 April
    "rfc-late": ("Thu, 20 Apr 2023 23:30:00 -0500", dt.datetime(2023, 4, 20, 23, 30)),  # UTC: 21 April
    "last-instant": ("2023-04-20T23:59:59.500000+03:00", dt.datetime(2023, 4, 20, 23, 59, 59, 500000)),
}
NEXT_DAY = ("next-day", "2023-04-21T00:10:00+03:00")


def _html(published: str) -> str:
    prose = " ".join([BODY] * 5)
    return (
        "<html lang='en'><head><title>Late budget vote in the harbour district</title>"
        f"<meta property='article:published_time' content='{published}'></head>"
        "<body><article><h1>Late budget vote in the harbour district</h1>"
        f"<p>{prose}</p><p>{prose}</p></article></body></html>"
    )


@pytest.fixture(scope="module")
def late_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("late")
    corpus = root / "corpus"
    corpus.mkdir()
    lines = [{"id": i, "title": f"Budget vote {i}", "text": BODY, "published": text, "source": "Harbour News"} for i, (text, _) in LATE.items()]
    lines.append({"id": NEXT_DAY[0], "title": "Budget vote next-day", "text": BODY, "published": NEXT_DAY[1], "source": "Harbour News"})
    (corpus / "feed.jsonl").write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    (corpus / "newyork-late.txt").write_text(f"Title: Budget vote in txt\nDate: 2023-04-20T23:30:00-05:00\n\n{BODY}\n", encoding="utf-8")
    (corpus / "bucharest-early.html").write_text(_html("2023-04-20T00:30:00+03:00"), encoding="utf-8")
    return corpus


@pytest.fixture(scope="module")
def late_index(late_corpus: Path) -> Path:
    index = late_corpus.parent / "index"
    report = index_paths([late_corpus], str(index), workers=1)
    assert report.added == len(LATE) + 3 and not report.skipped
    return index


def _ids_by_title(searcher: Searcher, **options: object) -> set[str]:
    return {hit.title for hit in searcher.search("", limit=100, collapse=False, **options).hits}  # (copies of one story too)


def test_the_rule_itself() -> None:
    aware = dt.datetime(2023, 4, 20, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    assert local_time(aware) == dt.datetime(2023, 4, 20, 23, 30)
    assert as_datetime(aware) == dt.datetime(2023, 4, 20, 23, 30)
    assert as_datetime(dt.date(2023, 4, 20)) == dt.datetime(2023, 4, 20)
    assert format_published(aware) == "2023-04-20T23:30:00"
    assert format_published(dt.datetime(2023, 4, 20)) == format_published(dt.date(2023, 4, 20)) == "2023-04-20"
    for text, local in LATE.values():
        assert parse_published(text) == local


def test_every_reader_keeps_the_local_date(late_corpus: Path) -> None:
    """JSON, .txt and HTML readers (through enrichment or not) agree."""
    got = {}
    for item in extract([late_corpus]):
        assert not isinstance(item, InputError), item
        key = item.id if item.path and item.path.endswith(".jsonl") else Path(item.path or "").name
        got[key] = item.published
    for article_id, (_, local) in LATE.items():
        assert got[article_id] == local, article_id
    assert got["newyork-late.txt"] == dt.datetime(2023, 4, 20, 23, 30)
    assert got["bucharest-early.html"] == dt.datetime(2023, 4, 20, 0, 30)
    assert got["next-day"] == dt.datetime(2023, 4, 21, 0, 10)


def test_stored_as_the_local_wall_clock(late_index: Path) -> None:
    with open_index(str(late_index)).searcher() as s:
        stored = {f["id"]: f["published"] for f in s.documents(kind="article")}
    for article_id, (_, local) in LATE.items():
        assert stored[article_id] == local


def test_since_and_until_select_the_local_day(late_index: Path) -> None:
    on_the_20th = {f"Budget vote {i}" for i in LATE} | {"Budget vote in txt", "Late budget vote in the harbour district"}
    with Searcher(late_index) as s:
        assert _ids_by_title(s, since="2023-04-20", until="2023-04-20") == on_the_20th
        assert _ids_by_title(s, until="2023-04-20") == on_the_20th  # (23:59:59.5 too: the day ends at its last instant)
        assert _ids_by_title(s, until="2023-04-19") == set()
        assert _ids_by_title(s, since="2023-04-21") == {"Budget vote next-day"}
        assert _ids_by_title(s, since=dt.date(2023, 4, 20), until=dt.date(2023, 4, 20)) == on_the_20th
        by_syntax = {h.title for h in s.search("published:2023-04-20", limit=100, collapse=False).hits}
        assert by_syntax == on_the_20th


def test_facets_and_histogram_count_the_local_day(late_index: Path) -> None:
    with Searcher(late_index) as s:
        result = s.search("", facets=["year", "month"], histogram="day")
    assert {v.value: v.count for v in result.facets["month"].values} == {"2023-04": 8}
    assert {v.value: v.count for v in result.facets["year"].values} == {"2023": 8}
    assert result.histogram is not None
    assert [(b.label, b.count) for b in result.histogram.buckets] == [("2023-04-20", 7), ("2023-04-21", 1)]


def test_shown_as_the_local_time(late_index: Path) -> None:
    with Searcher(late_index) as s:
        hit = s.search("", since="2023-04-20", until="2023-04-20", sort="oldest", limit=1).hits[0]
        record = s.article("newyork-late")
    assert (hit.title, hit.published) == ("Late budget vote in the harbour district", "2023-04-20T00:30:00")
    assert isinstance(record, ArticleRecord) and record.published == "2023-04-20T23:30:00"
    shown = CliRunner().invoke(cli, ["show", "newyork-late", "--index", str(late_index)])
    assert shown.exit_code == 0 and "2023-04-20T23:30:00 · Harbour News" in shown.stdout


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2023", dt.datetime(2023, 1, 1), dt.datetime(2023, 12, 31, 23, 59, 59, 999999)),
        ("2023-02", dt.datetime(2023, 2, 1), dt.datetime(2023, 2, 28, 23, 59, 59, 999999)),
        ("2024-02", dt.datetime(2024, 2, 1), dt.datetime(2024, 2, 29, 23, 59, 59, 999999)),
        (" 2023-04-20 ", dt.datetime(2023, 4, 20), dt.datetime(2023, 4, 20, 23, 59, 59, 999999)),
        ("9999-12", dt.datetime(9999, 12, 1), dt.datetime(9999, 12, 31, 23, 59, 59, 999999)),
    ],
)
def test_periods(text: str, start: dt.datetime, end: dt.datetime) -> None:
    period = Period.parse(text)
    assert (period.start, period.end, period.text) == (start, end, text.strip())


@pytest.mark.parametrize(("text", "message"), [("May", "cannot read 'May' as a date"), ("2023-02-30", "'2023-02-30' is not a real date"),
                                               ("0000", "'0000' is not a real date"), ("2023-13", "'2023-13' is not a real date")])
def test_bad_periods(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Period.parse(text)
