"""CSV, WARC and feed files in an index: a changed row/record/item is re-read, a removed one removed.

Each test indexes a folder, changes one record and deletes another, indexes again, and
checks the exact articles in the index against an index built from scratch.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newssearch import Searcher
from newssearch.indexing import index_paths
from newssearch.store.index import open_index

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = sorted((Path(__file__).parent.parent / "corpus" / "html").glob("*.html"))


def articles(index_dir: Path) -> dict[str, tuple[str, str, str]]:
    """Article id → (title, path, body: the paragraphs joined) of every article in the index."""
    found: dict[str, tuple[str, str]] = {}
    paragraphs: dict[str, dict[int, str]] = {}
    with open_index(str(index_dir)).searcher() as s:
        for f in s.all_stored_fields():
            if f["kind"] == "article":
                assert f["id"] not in found, f"{f['id']} twice"
                found[f["id"]] = (f["title"], f["path"])
            else:
                paragraphs.setdefault(f["article_id"], {})[f["pos"]] = f["text"]
    assert set(paragraphs) == set(found)
    return {k: (*v, "\n\n".join(t for _, t in sorted(paragraphs[k].items()))) for k, v in found.items()}


def rebuilt(folder: Path, tmp_path: Path) -> dict[str, tuple[str, str, str]]:
    fresh = tmp_path / "fresh-index"
    index_paths([folder], str(fresh), workers=1, rebuild=True)
    return articles(fresh)


def test_csv_row_changed_and_row_deleted(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    words = ["", "alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]
    rows = [["id", "title", "text", "date"]] + [
        [f"r{n}", f"Council story {n}", f"The council met for the {n}th time.\n\nIt decided on the {words[n]} plan.", f"2024-03-{n:02d}"] for n in range(1, 7)
    ]
    path = folder / "stories.csv"

    def write(table: list[list[str]]) -> None:
        with open(path, "w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(table)

    write(rows)
    index = tmp_path / "index"
    first = index_paths([folder], str(index), workers=1)
    assert (first.added, list(first.skipped)) == (6, [])
    rows[2][2] = "The council met again.\n\nThe harbour plan was approved."  # r2 changed
    del rows[4]  # r4 deleted
    write(rows)
    second = index_paths([folder], str(index), workers=1)
    assert (second.added, second.updated, second.removed) == (0, 5, 1)
    got = articles(index)
    assert sorted(got) == ["r1", "r2", "r3", "r5", "r6"]
    assert got["r2"] == ("Council story 2", str(path), "The council met again.\n\nThe harbour plan was approved.")
    assert got == rebuilt(folder, tmp_path)
    with Searcher(index) as s:
        assert [h.title for h in s.search("harbour").hits] == ["Council story 2"]
        assert s.search("delta").total == 0
        assert s.search("echo").total == 1


def test_wikinews_csv_without_ids_matches_a_fresh_index_after_changes(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    source = FIXTURES / "csv" / "wikinews-2020.csv"
    shutil.copy(source, folder / "wikinews.csv")
    index = tmp_path / "index"
    assert index_paths([folder], str(index), workers=1).added == 6
    with open(folder / "wikinews.csv", encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    table[1][3] = "Samoa lifted the state of emergency on Sunday.\n\n\nSchools reopened."
    del table[3]
    with open(folder / "wikinews.csv", "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(table)
    index_paths([folder], str(index), workers=1)
    got = articles(index)
    assert len(got) == 5
    assert got == rebuilt(folder, tmp_path)
    titles = sorted(t for t, _, _ in got.values())
    assert "Police shoot man dead after 'terrorist-related' knife attack in London" in titles
    assert "Wikinews discusses International Women's Day celebration with Mysore Divisional Railway Manager" not in titles


def _warc(path: Path, pages: list[tuple[str, bytes]]) -> None:
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    for uri, body in pages:
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=http))
    path.write_bytes(out.getvalue())


def test_warc_record_changed_and_record_removed(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    pages = [(f"https://archive.example/{n}", page.read_bytes()) for n, page in enumerate(PAGES)]
    _warc(folder / "crawl.warc.gz", pages)
    index = tmp_path / "index"
    assert index_paths([folder], str(index), workers=1).added == 4
    before = articles(index)
    changed = pages[0][1].replace(b"James Alex Fields", b"James Quincy Fields")
    _warc(folder / "crawl.warc.gz", [(pages[0][0], changed), pages[1], pages[3]])  # written anew: new record ids
    report = index_paths([folder], str(index), workers=1)
    assert (report.added, report.updated, report.removed) == (0, 3, 1)
    got = articles(index)
    assert got == rebuilt(folder, tmp_path)
    assert set(got) < set(before)  # the same ids (by target URI) for the pages kept
    with Searcher(index) as s:
        assert s.search('"James Quincy Fields"').total == 1
        assert s.search('"James Alex Fields"').total == 0
        assert s.search("Carrie Lam").total == 0  # the removed page


def test_feed_item_changed_and_item_removed(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    feed = (FIXTURES / "feeds" / "wikinews-2020.rss").read_text(encoding="utf-8")
    (folder / "news.rss").write_text(feed, encoding="utf-8")
    index = tmp_path / "index"
    first = index_paths([folder], str(index), workers=1)
    assert first.added == 4 and [e.reason for e in first.skipped] == ["item 5 (https://en.wikinews.org/wiki/Photo): no text (neither content nor description)"]
    items = feed.split("<item>")
    items[2] = items[2].replace("seven pardons", "nine pardons")  # the Trump clemency item
    del items[3]  # the Arizona primaries item
    (folder / "news.rss").write_text("<item>".join(items), encoding="utf-8")
    report = index_paths([folder], str(index), workers=1)
    assert (report.added, report.updated, report.removed) == (0, 3, 1)
    got = articles(index)
    assert got == rebuilt(folder, tmp_path)
    with Searcher(index) as s:
        assert s.search('"nine pardons"').total == 1
        assert s.search("Arizona primaries").total == 0


@pytest.mark.parametrize("workers", [2])
def test_batch_formats_split_among_workers(tmp_path: Path, workers: int) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    rows = [["title", "text"]] + [[f"Story {n}", f"Paragraph about the harbour number {n}."] for n in range(300)]
    with open(folder / "big.csv", "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    report = index_paths([folder], str(tmp_path / "index"), workers=workers)
    assert report.added == 300 and not report.skipped
    assert len(articles(tmp_path / "index")) == 300
