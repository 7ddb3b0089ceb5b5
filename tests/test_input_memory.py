"""Memory of bad input (issue 14 item 9): skips are counted by reason with a few examples
kept, a record is capped in size, JSON/JSONL and gzip are read as streams.

Measured before these changes (``/usr/bin/time -v newssearch index --workers 1``): 2M lines
of ``{}`` (6 MB) peaked at 3.4 GB, one 50 MB JSONL record at 0.9 GB, a gzip member expanding
to 5 GB at 2.1 GB; now each stays under 40 MB. The subprocess test below bounds the peak
memory of a gzip bomb without timing anything.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from newssearch.cli import cli
from newssearch.errors import InputError
from newssearch.indexing import index_paths
from newssearch.ingest import MAX_TEXT_BYTES, SourceFile, read_file
from newssearch.ingest.jsonfmt import MAX_RECORD_CHARS, read_json, read_jsonl
from newssearch.search.searcher import Searcher
from newssearch.skips import EXAMPLES_PER_REASON, MAX_REASONS, OTHER, Skips, reason_kind

GOOD = [{"id": f"g{i}", "title": f"Good {i}", "text": f"Good story {i} about lemurs."} for i in range(3)]
NO_TEXT = "no 'text' or 'body' field"


def _lines(records: list[object]) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


# -- counting skips -------------------------------------------------------------------------


def test_reason_kinds_drop_the_detail() -> None:
    assert reason_kind("invalid JSON: Expecting value (column 3)") == "invalid JSON"
    assert reason_kind("file too large (21.0 MB; limit 20 MB for this type)") == "file too large"
    assert reason_kind("item 3: expected an article object, got int") == "expected an article object, got int"
    assert reason_kind("cannot process article 9f3a: list index out of range") == "cannot process article"
    assert reason_kind("empty file") == "empty file"


def test_skips_count_exactly_and_keep_a_few_examples() -> None:
    skips = Skips()
    for n in range(1000):
        skips.append(InputError("feed.jsonl", f"invalid JSON: Expecting value (column {n})", line=n + 1))
    skips.append(InputError("a.txt", "empty file"))
    assert len(skips) == skips.total == 1001
    assert skips.reasons() == {"invalid JSON": 1000, "empty file": 1}
    kept = list(skips)
    assert len(kept) == EXAMPLES_PER_REASON + 1
    assert [e.line for e in kept[:3]] == [1, 2, 3] and kept[-1].path == "a.txt"  # the first ones, in order
    # merging another file's skips keeps exact counts and the caps
    more = Skips([InputError("b.jsonl", "invalid JSON: x", line=1)] * 50)
    skips.extend(more)
    assert skips.reasons() == {"invalid JSON": 1050, "empty file": 1}
    assert len(list(skips)) == EXAMPLES_PER_REASON + 1
    # it crosses process boundaries (workers send their files' skips)
    back = pickle.loads(pickle.dumps(skips))
    assert back.reasons() == skips.reasons() and [str(e) for e in back] == [str(e) for e in skips]


def test_skips_bound_the_number_of_reasons() -> None:
    skips = Skips()
    for n in range(MAX_REASONS + 30):
        skips.append(InputError(f"f{n}.txt", f"reason number {n}"))
    assert len(skips.counts) == MAX_REASONS + 1
    assert skips.counts[OTHER] == 30 and skips.total == MAX_REASONS + 30


def test_100k_bad_lines_are_counted_not_kept(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "feed.jsonl").write_text(_lines([GOOD[0]]) + "{}\n" * 100_000 + _lines(GOOD[1:]))
    report = index_paths([corpus], tmp_path / "ix", workers=1)
    assert report.added == 3
    assert report.skipped.total == 100_000
    assert report.skip_reasons() == {NO_TEXT: 100_000}
    kept = list(report.skipped)
    assert len(kept) == EXAMPLES_PER_REASON
    assert [e.line for e in kept] == list(range(2, 2 + EXAMPLES_PER_REASON))
    data = report.to_dict()
    assert data["skipped_count"] == 100_000 and data["skip_reasons"] == {NO_TEXT: 100_000}
    assert len(data["skipped"]) == EXAMPLES_PER_REASON
    with Searcher(tmp_path / "ix") as searcher:
        assert searcher.search("lemurs").total == 3


def test_cli_shows_examples_and_counts(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "feed.jsonl").write_text(_lines(GOOD) + "{}\n" * 500 + "not json\n" * 30)
    (corpus / "empty.txt").write_text("")
    runner = CliRunner()
    result = runner.invoke(cli, ["index", str(corpus), "--index", str(tmp_path / "ix"), "--workers", "1"])
    assert result.exit_code == 0, result.output
    summary = result.stdout.strip().splitlines()[-1]
    assert summary.startswith(f"3 added, 0 updated, 0 removed, 0 unchanged, 531 skipped (500 {NO_TEXT}, 30 invalid JSON, 1 empty file)")
    err = result.stderr.splitlines()
    assert f"skipped {corpus / 'feed.jsonl'}:4: {NO_TEXT}" in err
    assert f"skipped {corpus / 'empty.txt'}: empty file" in err
    assert f"... and {500 - EXAMPLES_PER_REASON} more skipped: {NO_TEXT}" in err
    assert len(err) <= 50 + 3
    result = runner.invoke(cli, ["index", str(corpus), "--index", str(tmp_path / "ix2"), "--json", "--workers", "2"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["skipped_count"] == 531
    assert data["skip_reasons"] == {NO_TEXT: 500, "invalid JSON": 30, "empty file": 1}
    assert len(data["skipped"]) == 2 * EXAMPLES_PER_REASON + 1


# -- record size cap ----------------------------------------------------------------------


def test_a_jsonl_record_too_large_is_skipped_and_the_next_lines_read(tmp_path: Path) -> None:
    big = {"id": "big", "title": "Big", "text": "word " * (MAX_RECORD_CHARS // 5 + 10)}
    items = list(read_jsonl(_lines([GOOD[0], big, GOOD[1]]).encode(), "feed.jsonl"))
    assert [getattr(i, "id", None) for i in items] == ["g0", None, "g1"]
    assert isinstance(items[1], InputError) and items[1].line == 2 and "record too large" in items[1].reason
    # just under the cap is read
    fits = {"id": "fits", "text": "w" * (MAX_RECORD_CHARS - 100)}
    assert [a.id for a in read_jsonl(_lines([fits]).encode(), "f.jsonl")] == ["fits"]


def test_a_json_record_too_large_is_skipped(tmp_path: Path) -> None:
    big = {"id": "big", "title": "Big", "text": "word " * (MAX_RECORD_CHARS // 5 + 10)}
    with pytest.raises(InputError, match="record too large"):
        list(read_json(json.dumps(big).encode(), "one.json"))
    # in a list, the items after it are read
    items = list(read_json(json.dumps([GOOD[0], big, GOOD[1]]).encode(), "list.json"))
    assert [getattr(i, "id", None) for i in items] == ["g0", None, "g1"]
    assert isinstance(items[1], InputError)
    assert items[1].reason == f"item 1: record too large (over {MAX_RECORD_CHARS:,} characters, the limit for one article)"
    # an item far too large ends the reading of the file there (the parser would have to
    # hold all of it); the articles before it are kept
    huge = {"id": "huge", "text": "word " * (MAX_RECORD_CHARS // 5 + 1_000_000)}
    path = tmp_path / "list.json"
    path.write_text(json.dumps({"articles": [GOOD[0], huge, GOOD[1]]}))
    result = read_file(SourceFile(str(path), ".json"))
    assert [a.id for a in result.articles] == ["g0"]
    [error] = result.errors
    assert error.reason.startswith("item 1: record too large") and error.reason.endswith("the rest of the file was not read")


def test_a_text_file_over_the_cap_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    with open(path, "wb") as handle:
        handle.truncate(MAX_TEXT_BYTES + 1)
    [error] = read_file(SourceFile(str(path), ".txt")).errors
    assert error.reason.startswith("file too large")


# -- streaming: peak memory of a gzip bomb ------------------------------------------------

#: Peak memory of this process from VmHWM (ru_maxrss would count the parent's memory at fork),
#: and what the libraries indexing loads take before any input is read (datasketch, loaded
#: by the first near-duplicate signature, brings SciPy: about 58 MB).
_MEASURE = """
import json, sys
from newssearch.enrich.duplicates import signature
from newssearch.indexing import index_paths

def peak():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))

signature("libraries loaded")
loaded = peak()
report = index_paths([sys.argv[1]], sys.argv[2], workers=1)
print(json.dumps({"peak_kb": peak(), "loaded_kb": loaded, "report": report.to_dict()}))
"""


def _bomb(path: Path, head: bytes, unit: bytes, total_mb: int) -> None:
    """A gzip file expanding to ``head`` then ``total_mb`` MB of ``unit`` repeated: one 16 MB
    member, compressed once and written again and again (a multi-member gzip file is valid)."""
    member = zlib.compress(unit * (16 * 2**20 // len(unit)), 9, wbits=31)
    with open(path, "wb") as handle:
        handle.write(zlib.compress(head, 9, wbits=31))
        handle.writelines([member] * (total_mb // 16))


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="peak memory read from Linux's /proc")
def test_gzip_bombs_are_streamed_not_expanded_in_memory(tmp_path: Path) -> None:
    """Three 96 MB bombs: binary zeros in a JSONL, one endless line in a JSONL, one endless
    string in a JSON file. Reading any of them whole takes over 200 MB (their bytes, then
    their text); streamed, the run adds less than 64 MB to what the libraries take (about
    33 MB measured) and names each file."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _bomb(corpus / "zeros.jsonl.gz", b"", b"\0", 96)
    _bomb(corpus / "line.jsonl.gz", b'{"text": "', b"a", 96)
    _bomb(corpus / "string.json.gz", b'["', b"b", 96)
    (corpus / "good.jsonl").write_text(_lines(GOOD))
    done = subprocess.run([sys.executable, "-c", _MEASURE, str(corpus), str(tmp_path / "ix")],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    measured = json.loads(done.stdout)
    reasons = {os.path.basename(s["path"]): s["reason"] for s in measured["report"]["skipped"]}
    assert measured["report"]["added"] == 3
    assert reasons["zeros.jsonl.gz"] == "binary file, not text"
    assert reasons["line.jsonl.gz"].startswith("record too large")
    assert reasons["string.json.gz"].startswith("item 0: record too large")
    assert measured["peak_kb"] - measured["loaded_kb"] < 64 * 1024, measured
