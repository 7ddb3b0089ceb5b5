"""Crash safety: ``newssearch index`` killed with SIGKILL at many points loses nothing.

After each kill: the index opens; every article in it is whole (all its paragraphs, once);
no stale lock or orphan process blocks the next run; and a re-run completes to exactly the
full article count with no duplicates. Slow: run with ``pytest -m slow`` (``.ci/run`` does).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from newssearch.store.index import has_segment_files, index_exists, open_index

pytestmark = pytest.mark.slow

WORDS = (
    "alliance summit minister parliament election budget river harbour council court energy "
    "railway vaccine drought festival museum treaty border market strike reform coalition"
).split()
NAMES = ["Jens Stoltenberg", "Angela Merkel", "Volodymyr Zelensky", "Klaus Iohannis", "Maia Sandu"]


def _article(n: int, rng: random.Random) -> dict:
    paragraphs = []
    for p in range(rng.randint(2, 5)):
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 30)))
        paragraphs.append(f"{rng.choice(NAMES)} said on Monday that the {words} story {n}-{p} continues.")
    return {"id": f"crash-{n}", "title": f"Story {n} about the {rng.choice(WORDS)}", "text": "\n\n".join(paragraphs),
            "published": f"2022-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", "source": rng.choice(["Reuters", "AP", "BBC"])}


@pytest.fixture(scope="module")
def crash_corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """240 articles: 4 JSONL files of 40 and 80 .txt files; returns (folder, id → paragraphs)."""
    rng = random.Random(7)
    root = tmp_path_factory.mktemp("crash") / "corpus"
    root.mkdir()
    expected: dict[str, int] = {}
    n = 0
    for f in range(4):
        lines = []
        for _ in range(40):
            art = _article(n, rng)
            expected[art["id"]] = len(art["text"].split("\n\n"))
            lines.append(json.dumps(art))
            n += 1
        (root / f"feed-{f}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "txt").mkdir()
    for _ in range(80):
        art = _article(n, rng)
        path = root / "txt" / f"story-{n}.txt"
        path.write_text(f"Title: {art['title']}\nDate: {art['published']}\nSource: {art['source']}\n\n{art['text']}\n", encoding="utf-8")
        n += 1
        expected[f"txt/{path.name}"] = len(art["text"].split("\n\n"))
    return root, expected


def _index_cmd(index_dir: Path, corpus: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "newssearch.cli", "index", "--quiet", "--index", str(index_dir), str(corpus), *extra]


def _check_whole(index_dir: Path, expected: dict[str, int], corpus: Path) -> int:
    """Every indexed article has exactly its paragraphs, once; return how many articles."""
    ix = open_index(str(index_dir))
    with ix.searcher() as searcher:
        articles = list(searcher.documents(kind="article"))
        paragraphs = Counter(f["article_id"] for f in searcher.documents(kind="paragraph"))
        ids = Counter(f["id"] for f in articles)
    assert not [i for i, c in ids.items() if c > 1], "duplicate articles"
    for fields in articles:
        key = fields["id"] if fields["id"].startswith("crash-") else os.path.relpath(fields["path"], corpus)
        assert paragraphs[fields["id"]] == expected[key], f"article {key} is not whole"
    assert set(paragraphs) <= set(ids), "orphan paragraphs"
    return len(articles)


def _orphans(index_dir: Path) -> list[int]:
    """Processes whose command line names this index (workers left behind)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if str(index_dir).encode() in cmdline:
            found.append(int(pid))
    return found


@pytest.mark.parametrize(
    ("mode", "extra"),
    [
        ("single", ["--workers", "1", "--commit-every", "25"]),
        ("workers", ["--workers", "2", "--commit-every", "40"]),
        ("workers-3", ["--workers", "3", "--commit-every", "60"]),
    ],
)
def test_sigkill_at_many_points_loses_nothing(crash_corpus, tmp_path: Path, mode: str, extra: list[str]) -> None:  # type: ignore[no-untyped-def]
    corpus, expected = crash_corpus
    index_dir = tmp_path / f"index-{mode}"
    # how long a whole run takes here, to spread the kill points over it
    started = time.monotonic()
    subprocess.run(_index_cmd(tmp_path / "probe", corpus, *extra), check=True, capture_output=True, timeout=600)
    full = time.monotonic() - started
    rng = random.Random(mode)
    kills = 0
    for point in range(8):
        delay = full * (0.1 + 0.85 * point / 7) * rng.uniform(0.9, 1.1)
        if point % 3 == 0:
            # start over now and then, so early phases (reading, first commit) are hit too
            subprocess.run(["rm", "-rf", str(index_dir)], check=True)
        proc = subprocess.Popen(_index_cmd(index_dir, corpus, *extra), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=False)
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=60)
        deadline = time.monotonic() + 10
        while _orphans(index_dir) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _orphans(index_dir) == [], "worker processes outlived the killed indexer"
        if index_exists(str(index_dir)):
            _check_whole(index_dir, expected, corpus)
        else:  # (killed while creating it: at most the metadata file, which the next run completes; see test_damage)
            assert not has_segment_files(str(index_dir)), "segments without a table of contents"
    assert kills >= 5
    # the next run is not blocked by a stale lock and completes to exactly the full count
    done = subprocess.run(_index_cmd(index_dir, corpus, *extra), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert _check_whole(index_dir, expected, corpus) == len(expected)
    again = subprocess.run(_index_cmd(index_dir, corpus, "--json", *extra), capture_output=True, text=True, timeout=600)
    report = json.loads(again.stdout)
    assert (report["added"], report["updated"], report["removed"], report["unchanged"]) == (0, 0, 0, len(expected))
