"""The WARC reader: HTML responses through the HTML reader, other records skipped with reasons.

The archives are written in each test with warcio, from the sample corpus's pages
(``corpus/html``, Wikinews text under CC BY 2.5) and small synthetic pages. (The Zyte
benchmark pages may not be shipped; ``bench/warc_formats.py`` reads them from ``shared/``.)
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import re
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newssearch.errors import InputError
from newssearch.ingest import discover, read_file
from newssearch.ingest.warcfmt import read_warc
from newssearch.model import Article, stable_id

CORPUS = Path(__file__).parent.parent / "corpus" / "html"
PAGES = sorted(CORPUS.glob("*.html"))
BODY = " ".join(f"Sentence {n} of the synthetic report says what the council decided about the old tram depot." for n in range(10))
#: A page with no canonical URL and no date of its own.
BARE = f"<html><head><title>Depot plan approved</title></head><body><h1>Depot plan approved</h1><p>{BODY}</p><p>{BODY}</p></body></html>".encode()


def response(writer: WARCWriter, uri: str, body: bytes, content_type: str = "text/html; charset=utf-8", status: str = "200 OK",
             date: str = "2024-03-05T10:20:30Z") -> None:
    http = StatusAndHeaders(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
    record = writer.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=http, warc_headers_dict={"WARC-Date": date})
    writer.write_record(record)


def archive(gz: bool = True, truncate: int = 0) -> bytes:
    """warcinfo, 4 corpus pages (each after its request), an image, a 404, the bare page,
    and (cut when ``truncate``) a last page."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gz)
    writer.write_record(writer.create_warcinfo_record("test.warc", {"software": "newssearch tests"}))
    for n, page in enumerate(PAGES):
        uri = f"https://archive.example/page/{n}"
        request = writer.create_warc_record(uri, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\nHost: archive.example\r\n\r\n"))
        writer.write_record(request)
        response(writer, uri, page.read_bytes())
    response(writer, "https://archive.example/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(200), content_type="image/png")
    response(writer, "https://archive.example/gone", b"<html><body>Not here</body></html>", status="404 Not Found")
    response(writer, "https://archive.example/depot", BARE)
    data = out.getvalue()
    if truncate:
        last = io.BytesIO()
        tail = WARCWriter(last, gzip=gz)
        response(tail, "https://archive.example/last", BARE.replace(b"Depot plan", b"Last plan"))
        data += last.getvalue()[:-truncate]
    return data


def split(items) -> tuple[list[Article], list[InputError]]:
    items = list(items)
    return [i for i in items if isinstance(i, Article)], [i for i in items if isinstance(i, InputError)]


@pytest.mark.parametrize("gz", [True, False])
def test_html_responses_become_articles_and_others_are_skipped_with_reasons(gz: bool) -> None:
    articles, errors = split(read_warc(archive(gz=gz), "crawl.warc.gz"))
    assert [a.title for a in articles] == [
        "Charlottesville, Virginia killer sentenced to life in prison",
        "UK Prime Minister Johnson suspends parliament for five weeks as Brexit deadline approaches",
        "Hong Kong's Carrie Lam delivers speech on video after protests in legislature",
        "Iraqi Parliament votes for expulsion of United States troops",
        "Depot plan approved",
    ]
    # the pages' own canonical URLs and dates win over the record's
    first = articles[0]
    assert first.url == "https://en.wikinews.org/wiki/Charlottesville,_Virginia_killer_sentenced_to_life_in_prison"
    assert first.published == dt.date(2019, 7, 1)
    assert first.source == "Wikinews"
    assert first.path == "crawl.warc.gz"
    assert first.paragraphs[0].startswith("On Friday, United States Federal District Judge Michael Urbanski")
    # a page without them: the target URI, its host as source, and the capture date
    bare = articles[4]
    assert bare.url == "https://archive.example/depot"
    assert bare.source == "archive.example"
    assert bare.published == dt.datetime(2024, 3, 5, 10, 20, 30)
    reasons = [e.reason.split(": ", 1) for e in errors]
    offsets = [int(where.split()[-1]) for where, _ in reasons]
    assert [(where.split(" at ")[0], why) for where, why in reasons] == [
        ("record 10", "not an HTML page (image/png)"),
        ("record 11", "HTTP status 404, not a page"),
    ]
    assert all(e.path == "crawl.warc.gz" and e.line is None for e in errors)
    assert offsets[0] < offsets[1]


def test_ids_are_stable_by_target_uri_also_when_the_archive_is_written_again() -> None:
    first, _ = split(read_warc(archive(), "a.warc.gz"))
    again, _ = split(read_warc(archive(), "a.warc.gz"))  # new WARC-Record-IDs, same pages
    assert [a.id for a in first] == [a.id for a in again]
    assert len({a.id for a in first}) == 5
    assert first[0].id == stable_id("a.warc.gz", "https://archive.example/page/0")


def test_two_captures_of_one_uri_are_two_articles() -> None:
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    response(writer, "https://archive.example/depot", BARE)
    response(writer, "https://archive.example/depot", BARE.replace(b"Depot plan approved", b"Depot plan approved again"))
    one, two = split(read_warc(out.getvalue(), "twice.warc.gz"))[0]
    assert (one.title, two.title) == ("Depot plan approved", "Depot plan approved again")
    assert one.id != two.id


@pytest.mark.parametrize("gz", [True, False])
def test_truncated_last_record_is_reported_and_the_others_kept(gz: bool) -> None:
    articles, errors = split(read_warc(archive(gz=gz, truncate=300), "cut.warc"))
    assert len(articles) == 5
    assert "Last plan approved" not in [a.title for a in articles]
    last = errors[-1]
    assert last.reason.startswith("record 13 at offset ")
    assert "truncated record" in last.reason


def test_record_offsets_point_at_the_records() -> None:
    data = archive(gz=False)
    _, errors = split(read_warc(data, "x.warc"))
    for err in errors:
        offset = int(err.reason.split(":")[0].split()[-1])
        assert data[offset : offset + 8] == b"WARC/1.0" or data[offset : offset + 8] == b"WARC/1.1"


def test_whole_file_gzip_is_read_too() -> None:
    # some tools gzip a WARC as one stream instead of record by record
    articles, errors = split(read_warc(gzip.compress(archive(gz=False)), "one-stream.warc.gz"))
    assert len(articles) == 5 and len(errors) == 2


def test_garbage_after_records_keeps_the_records_before() -> None:
    articles, errors = split(read_warc(archive(gz=False) + b"this is not a WARC record\r\n\r\n" * 3, "tail.warc"))
    assert len(articles) == 5
    assert "the rest of the file was not read" in errors[-1].reason


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"<html><body>hello</body></html>", "not a WARC file"), (gzip.compress(b"just some text\n" * 10), "not a WARC file")],
)
def test_not_a_warc_file(data: bytes, reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        list(read_warc(data, "fake.warc"))


def test_warc_gz_is_discovered_and_given_to_the_reader_compressed(tmp_path: Path) -> None:
    # a truncated .warc.gz must not be refused as a broken gzip file as a whole
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(archive(gz=True, truncate=300))
    [file] = discover([tmp_path]).files
    assert (file.suffix, file.batch) == (".warc", True)
    result = read_file(file)
    assert len(result.articles) == 5
    assert [e.reason.split(": ", 1)[1] for e in result.errors][-1].startswith("truncated record")


@pytest.mark.parametrize("gz", [True, False])
def test_a_file_cut_anywhere_in_its_last_record_never_loses_it_silently(gz: bool) -> None:
    out = io.BytesIO()
    response(WARCWriter(out, gzip=gz), "https://archive.example/depot", BARE)
    base = out.getvalue()
    last = io.BytesIO()
    response(WARCWriter(last, gzip=gz), "https://archive.example/last", BARE.replace(b"Depot plan", b"Last plan"))
    whole = last.getvalue()
    for cut in range(1, len(whole), max(1, len(whole) // 40)):
        items = list(read_warc(base + whole[:-cut], "cut.warc"))
        assert isinstance(items[0], Article) and items[0].title == "Depot plan approved"
        assert len(items) == 2, cut
        if isinstance(items[1], Article):  # only the record's trailing separator or gzip trailer was lost
            assert items[1].title == "Last plan approved" and cut <= 12, cut
        else:
            where, _, why = items[1].reason.partition(": ")
            assert where.startswith("record 2 at offset ") and len(base) - 4 <= int(where.split()[-1]) <= len(base), cut
            assert "truncated record" in why or "unreadable" in why or "not an HTML page" in why, (cut, why)


def test_index_summary_groups_record_reasons(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from newssearch.cli import cli

    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "crawl.warc.gz").write_bytes(archive(truncate=300))
    result = CliRunner().invoke(cli, ["index", "--index", str(tmp_path / "index"), str(tmp_path / "corpus")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(re.fullmatch(r"skipped .*crawl\.warc\.gz: record 10 at offset \d+: not an HTML page \(image/png\)", line) for line in lines)
    summary = lines[-1]
    assert summary.startswith("5 added, 0 updated, 0 removed, 0 unchanged, 3 skipped (")
    assert "1 not an HTML page" in summary and "1 HTTP status 404, not a page" in summary and "1 truncated record" in summary
