"""Check the WARC reader on real pages: a web archive written with warcio from the Zyte
article-extraction benchmark pages (which may not be shipped with the project, so this is not
a test of the suite) must give, page for page, what the HTML reader gives for the page alone.

    .venv/bin/python bench/warc_formats.py /work/shared/data/article-extraction-benchmark [--gzip/--plain]

The archive holds each page as an HTTP response (with its ground-truth URL as target URI and a
fixed capture date), a request record before it, an image response, a 404 response, and a
last page cut short. Printed: pages read, pages equal to the HTML reader's article (title,
paragraphs, authors, date; URL and source where the page names its own), the skipped records
with their reasons, and the reading time.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import sys
import time
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newssearch.errors import InputError
from newssearch.ingest import html
from newssearch.ingest.warcfmt import read_warc

CAPTURED = "2020-01-14T12:00:00Z"


def build(pages: list[tuple[str, bytes]], gz: bool) -> bytes:
    """A WARC of ``pages`` (uri, html) plus an image, a 404 and a truncated last page."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gz)
    writer.write_record(writer.create_warcinfo_record("zyte.warc", {"software": "newssearch bench/warc_formats.py"}))

    def response(uri: str, body: bytes, content_type: str = "text/html; charset=utf-8", status: str = "200 OK") -> None:
        http = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
        record = writer.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=http, warc_headers_dict={"WARC-Date": CAPTURED})
        writer.write_record(record)

    for uri, body in pages:
        writer.write_record(writer.create_warc_record(uri, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n")))
        response(uri, body)
    response("https://example.org/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(512), content_type="image/png")
    response("https://example.org/missing", b"<html><body>Not found</body></html>", status="404 Not Found")
    data = out.getvalue()
    cut = io.BytesIO()
    response_writer = WARCWriter(cut, gzip=gz)
    http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    response_writer.write_record(response_writer.create_warc_record("https://example.org/cut", "response", payload=io.BytesIO(pages[0][1]), http_headers=http))
    return data + cut.getvalue()[: len(cut.getvalue()) // 2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data_dir", type=Path, help="the article-extraction-benchmark folder (ground-truth.json, html/)")
    parser.add_argument("--plain", action="store_true", help="an uncompressed WARC (default: .warc.gz)")
    args = parser.parse_args(argv)
    truth = json.loads((args.data_dir / "ground-truth.json").read_text(encoding="utf-8"))
    keys = sorted(truth)
    pages = [(truth[k]["url"], gzip.decompress((args.data_dir / "html" / f"{k}.html.gz").read_bytes())) for k in keys]
    data = build(pages, gz=not args.plain)
    start = time.process_time()
    items = list(read_warc(data, "zyte.warc.gz"))
    seconds = time.process_time() - start
    articles = [i for i in items if not isinstance(i, InputError)]
    errors = [i for i in items if isinstance(i, InputError)]
    same = 0
    differ: list[str] = []
    by_url = {a.url: a for a in articles}
    for (uri, body), key in zip(pages, keys):
        try:
            alone = html.extract_article(body, "zyte.warc.gz")
        except InputError as err:
            if not any(e.reason.endswith(err.reason) for e in errors):
                differ.append(f"{key}: the HTML reader rejects it ({err.reason}), the WARC reader does not")
            continue
        got = by_url.get(alone.url or uri)
        if got is None:
            differ.append(f"{key}: missing from the WARC's articles ({alone.url or uri})")
            continue
        wanted = (alone.title, alone.paragraphs, alone.authors, alone.published or html.parse_metadata_date(CAPTURED), alone.url or uri)
        if (got.title, got.paragraphs, got.authors, got.published, got.url) == wanted:
            same += 1
        else:
            differ.append(f"{key}: differs")
    print(f"records: {len(pages)} pages + image + 404 + cut page; articles {len(articles)}; equal to the HTML reader {same}; "
          f"reading {len(items) / seconds:.1f} records/s (CPU, one process)")
    for err in errors:
        print(f"  skipped {err.reason}")
    for line in differ:
        print(f"  {line}")
    return 0 if not differ else 1


if __name__ == "__main__":
    sys.exit(main())
