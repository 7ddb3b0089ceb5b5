"""Deeply nested JSON: skipped with a one-line reason, in bounded memory.

Measured before (``/usr/bin/time -v newssearch index --workers 1``): 50,000 ``[`` in a
``.json`` file peaked at 6.2 GB after 60 s, 2 MB of them at 22 GB (the JSON parser gives
each event its path, so its memory grows with the square of the depth within one read); a
JSONL line of them cost its whole file (Python's parser hit the recursion limit: "document
nested too deeply"). Now the parser reads 2 KB at a time and the events stop at
:data:`~newssearch.ingest.jsonfmt.MAX_DEPTH`: 2 MB of ``[`` peak at about 35 MB, and a deep
JSONL line is skipped alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from newssearch.errors import InputError
from newssearch.ingest.jsonfmt import MAX_DEPTH, TOO_DEEP, read_json, read_jsonl

GOOD = [{"id": f"g{i}", "title": f"Good {i}", "text": f"Good story {i} about lemurs."} for i in range(3)]


def _nested(depth: int) -> object:
    value: object = "bottom"
    for _ in range(depth):
        value = [value]
    return value


def _article(n: int, extra_depth: int) -> dict[str, object]:
    return {"id": f"deep{n}", "title": f"Deep {n}", "text": f"A story {n} about otters.", "extra": _nested(extra_depth)}


def test_depth_up_to_the_limit_is_read() -> None:
    # the article object is level 1 (level 2 in a list): its extra field may nest MAX_DEPTH - 2 more
    record = _article(1, MAX_DEPTH - 2)
    [article] = list(read_json(json.dumps([record]).encode(), "ok.json"))
    assert not isinstance(article, InputError) and article.id == "deep1"
    [article] = list(read_jsonl((json.dumps(_article(2, MAX_DEPTH - 1)) + "\n").encode(), "ok.jsonl"))
    assert not isinstance(article, InputError) and article.id == "deep2"


def test_a_deep_jsonl_line_is_skipped_alone() -> None:
    lines = ["[" * 100_000, json.dumps(GOOD[0]), json.dumps(_article(3, MAX_DEPTH + 5)), json.dumps(GOOD[1]), "{" * 50 + "}" * 50]
    found = list(read_jsonl("\n".join(lines).encode(), "feed.jsonl"))
    assert [(e.line, e.reason) for e in found if isinstance(e, InputError)] == [(1, TOO_DEEP), (3, TOO_DEEP), (5, "invalid JSON: Expecting property name enclosed in double quotes (column 2)")]
    assert [a.id for a in found if not isinstance(a, InputError)] == ["g0", "g1"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        # (small enough to cost little before the depth bound too: these run in the test process)
        (b"[" * 3000, f"item 0: {TOO_DEEP}; the rest of the file was not read"),
        (b'{"a":' * 3000, TOO_DEEP),
        (b'{"articles": ' + b"[" * 3000, TOO_DEEP),
        (json.dumps([GOOD[0], _article(4, MAX_DEPTH), GOOD[1]]).encode(), f"item 1: {TOO_DEEP}; the rest of the file was not read"),
    ],
)
def test_deep_json_ends_its_file_with_a_reason(data: bytes, reason: str) -> None:
    found = []
    with pytest.raises(InputError) as err:
        found.extend(read_json(data, "deep.json"))
    assert err.value.reason == reason and "\n" not in str(err.value)
    assert [a.id for a in found if not isinstance(a, InputError)] == (["g0"] if data.startswith(b'[{"id": "g0"') else [])


#: Peak memory of this process from VmHWM (ru_maxrss would count the parent's memory at fork);
#: the address space is capped at 2 GB so that a regression fails here instead of taking the
#: machine's memory (2 MB of ``[`` took 19 GB before the bound, and was killed for it). What the
#: libraries indexing loads take before any input is read is measured apart (datasketch, loaded by
#: the first near-duplicate signature, brings SciPy: about 58 MB).
_MEASURE = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
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


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="peak memory read from Linux's /proc")
def test_megabytes_of_brackets_are_skipped_in_little_memory(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "brackets.json").write_bytes(b"[" * 2_000_000)
    (corpus / "keys.json").write_bytes(b'{"a":' * 400_000)
    (corpus / "lines.jsonl").write_text("[" * 2_000_000 + "\n" + json.dumps(GOOD[2]) + "\n", encoding="utf-8")
    (corpus / "good.jsonl").write_text("".join(json.dumps(g) + "\n" for g in GOOD[:2]), encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", _MEASURE, str(corpus), str(tmp_path / "ix")],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    measured = json.loads(done.stdout)
    reasons = {(os.path.basename(s["path"]), s["line"]): s["reason"] for s in measured["report"]["skipped"]}
    assert reasons == {
        ("brackets.json", None): f"item 0: {TOO_DEEP}; the rest of the file was not read",
        ("keys.json", None): TOO_DEEP,
        ("lines.jsonl", 1): TOO_DEEP,
    }
    assert measured["report"]["added"] == 3
    assert measured["peak_kb"] - measured["loaded_kb"] < 64 * 1024, measured
