"""Reading as streams: `extract --jsonl`, `extract -`, its exit status; CSV and WARC files read as streams."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from newssearch.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"


def test_extract_jsonl_one_object_per_line(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "csv" / "wikinews-2020.csv", tmp_path)
    result = CliRunner().invoke(cli, ["extract", "--jsonl", str(tmp_path / "wikinews-2020.csv")])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) >= 3 and all(r["path"].endswith("wikinews-2020.csv") for r in rows)
    assert rows[0]["title"] == "Samoan government ends state of emergency over measles outbreak"
    assert rows[0]["published"] == "2020-01-01"


def test_extract_exits_1_when_a_file_failed(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("Headline\n\nA body about the port of Constanta.\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract", str(tmp_path)])
    assert result.exit_code == 1
    data = json.loads(result.stdout)  # still one JSON array
    assert [d.get("error") for d in data if "error" in d] == ["empty file"]
    assert any(d.get("title") == "Headline" for d in data)
    assert "could not be read" in result.stderr
    good = CliRunner().invoke(cli, ["extract", str(tmp_path / "good.txt")])
    assert good.exit_code == 0


def test_extract_reads_standard_input(tmp_path: Path) -> None:
    data = (FIXTURES / "corpus" / "wikinews-2020.jsonl").read_text(encoding="utf-8") + "{broken\n"
    result = CliRunner().invoke(cli, ["extract", "-", "--jsonl"], input=data)
    assert result.exit_code == 1
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    articles = [r for r in rows if "error" not in r]
    assert articles and all(r["path"] == f"stdin:{r['id']}" for r in articles)
    assert any(r["people"] for r in articles)  # enriched, as indexing would
    errors = [r for r in rows if "error" in r]
    assert len(errors) == 1 and errors[0]["path"] == "-" and errors[0]["line"] == len(data.splitlines())
    csv_input = "title,text\nTram strike,The tram drivers stopped work.\n"
    result = CliRunner().invoke(cli, ["extract", "-", "--format", "csv"], input=csv_input)
    assert result.exit_code == 0 and json.loads(result.stdout)[0]["title"] == "Tram strike"


def test_a_csv_file_is_read_as_a_stream(tmp_path: Path) -> None:
    """A 11 MB table: reading it keeps far less than the file in memory (before, its bytes were read whole)."""
    import tracemalloc

    from newssearch.ingest import SourceFile, iter_file

    notes = "Raw notes of the desk, a column not read. " * 350  # (kept out of the text: cleaning text is what costs time)
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8") as f:
        f.write("id,title,text,notes\n")
        f.writelines(f'r{n},"Story {n}","The harbour of Constanta reopened, said story {n}.","{notes}"\n' for n in range(800))
    size = path.stat().st_size
    assert size > 10_000_000
    tracemalloc.start()
    try:
        count = sum(1 for item in iter_file(SourceFile(str(path), ".csv")) if not isinstance(item, Exception))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 800
    assert peak < size / 2, f"peak {peak / 2**20:.1f} MiB for a {size / 2**20:.1f} MiB file"


def test_stdin_csv_rows_named_by_line(tmp_path: Path) -> None:
    table = "title,text\nGood,The tram drivers stopped work.\nBad,\nAlso good,The port reopened.\n"
    result = CliRunner().invoke(cli, ["index", "-", "--format", "csv", "--index", str(tmp_path / "ix")], input=table)
    assert result.exit_code == 0 and result.stdout.startswith("2 added") and "skipped -:3: empty text" in result.stderr


def test_warc_pages_are_read_in_the_workers_and_index_the_same(tmp_path: Path) -> None:
    """A web archive's pages are split off in the indexing process and read (HTML extraction)
    by the workers; the index is the same as with one process, skipped records named alike."""
    from test_warc_reader import archive

    from newssearch.indexing import index_paths
    from newssearch.ingest import SourceFile, iter_file
    from newssearch.ingest.warcfmt import Page
    from newssearch.search.searcher import Searcher

    (tmp_path / "c").mkdir()
    warc = tmp_path / "c" / "crawl.warc.gz"
    warc.write_bytes(archive(gz=True, truncate=40))
    deferred = list(iter_file(SourceFile(str(warc), ".warc"), deferred=True))
    assert any(isinstance(item, Page) for item in deferred)  # (no HTML extraction here)
    assert not any(hasattr(item, "paragraphs") for item in deferred)
    reports, contents = [], []
    for workers in (1, 2):
        out = tmp_path / f"ix{workers}"
        reports.append(index_paths([tmp_path / "c"], str(out), workers=workers))
        with Searcher(out) as s:
            contents.append(sorted((h.id, h.title, h.url, h.published) for h in s.hits("", snippets=0)))
    assert contents[0] == contents[1] and len(contents[0]) >= 5
    skipped = [sorted((e.where, e.reason) for e in r.skipped) for r in reports]
    assert skipped[0] == skipped[1]
    reasons = " | ".join(reason for _, reason in skipped[0])
    assert "not an HTML page (image/png)" in reasons and "HTTP status 404" in reasons and "truncated record" in reasons
    assert all(re.match(r"record \d+ at offset \d+: ", reason) for _, reason in skipped[0])
