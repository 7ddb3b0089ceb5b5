"""Build the CSV and WARC corpora that bench/results/formats-stream.md measures, from real data.

    .venv/bin/python bench/format_corpora.py csv  /work/data/remix100k OUT/remix.csv  [--rows 20000]
    .venv/bin/python bench/format_corpora.py jsonl /work/data/remix100k OUT/remix.jsonl [--rows 20000]
    .venv/bin/python bench/format_corpora.py warc /work/shared/data OUT/crawl.warc.gz [--records 10000]

``csv``: the first ROWS articles of a remix corpus (``newscorpus.py remix``: JSONL files read in
name order) as one CSV file, header ``id,title,text,published,source,url,authors,language``
(authors joined with ``; ``); ``jsonl``: the same articles as one JSONL file (the rate to compare
with). ``warc``: a ``.warc.gz`` written with warcio, record by record, of RECORDS HTTP responses
(each after its request record) cycling through the Zyte article-extraction benchmark pages and
the trafilatura-eval pages of the shared data folder, each under its own target URI. The data
is read from where it lies and never copied into the repository.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

FIELDS = ("id", "title", "text", "published", "source", "url", "authors", "language")


def remix_records(folder: Path, rows: int) -> Iterator[dict[str, object]]:
    """The first ``rows`` records of the remix corpus in ``folder``."""
    count = 0
    for part in sorted(folder.glob("*.jsonl")):
        with open(part, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                yield json.loads(line)
                count += 1
                if count >= rows:
                    return


def write_csv(folder: Path, out: Path, rows: int) -> int:
    n = 0
    with open(out, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(FIELDS)
        for record in remix_records(folder, rows):
            authors = record.get("authors") or []
            record["authors"] = "; ".join(authors) if isinstance(authors, list) else str(authors)
            writer.writerow(["" if record.get(k) is None else record.get(k) for k in FIELDS])
            n += 1
    return n


def write_jsonl(folder: Path, out: Path, rows: int) -> int:
    n = 0
    with open(out, "w", encoding="utf-8") as f:
        for record in remix_records(folder, rows):
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
            n += 1
    return n


def pages(shared: Path) -> list[tuple[str, bytes]]:
    """(url, html) of the Zyte benchmark pages, then the trafilatura-eval pages."""
    found: list[tuple[str, bytes]] = []
    zyte = shared / "article-extraction-benchmark"
    truth = json.loads((zyte / "ground-truth.json").read_text(encoding="utf-8"))
    for key in sorted(truth):
        found.append((truth[key]["url"], gzip.decompress((zyte / "html" / f"{key}.html.gz").read_bytes())))
    for path in sorted((shared / "trafilatura-eval" / "html").glob("*.html.gz")):
        found.append((f"https://trafilatura-eval.example/{path.name.removesuffix('.html.gz')}", gzip.decompress(path.read_bytes())))
    return found


def write_warc(shared: Path, out: Path, records: int) -> int:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    source = pages(shared)
    with open(out, "wb") as f:
        writer = WARCWriter(f, gzip=True)
        writer.write_record(writer.create_warcinfo_record(out.name, {"software": "newssearch bench/format_corpora.py"}))
        for n in range(records):
            url, body = source[n % len(source)]
            uri = f"{url}#capture-{n // len(source)}" if n >= len(source) else url
            request = writer.create_warc_record(uri, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n"))
            writer.write_record(request)
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            record = writer.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=http,
                                               warc_headers_dict={"WARC-Date": "2024-03-05T10:20:30Z"})
            writer.write_record(record)
    return records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("kind", choices=["csv", "jsonl", "warc"])
    parser.add_argument("data", type=Path, help="the remix folder (csv, jsonl) or the shared data folder (warc)")
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=10_000)
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.kind == "csv":
        n = write_csv(args.data, args.out, args.rows)
    elif args.kind == "jsonl":
        n = write_jsonl(args.data, args.out, args.rows)
    else:
        n = write_warc(args.data, args.out, args.records)
    print(f"{n:,} records → {args.out} ({args.out.stat().st_size / 2**20:.1f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
