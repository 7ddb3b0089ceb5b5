"""Crash safety: ``newssearch index`` killed with SIGKILL at every kind of point loses nothing.

After each kill: the index opens; every article in it is whole (all its paragraphs, once);
no stale lock or orphan process blocks the next run; and a re-run completes to exactly the
full article count with no duplicates. Slow: run with ``pytest -m slow`` (``.ci/run`` does).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from newssearch.store.index import has_segment_files, index_exists, open_index

pytestmark = pytest.mark.slow

WORDS = ["alliance", "summit", "minister", "parliament", "election", "budget", "river", "harbour", "council", "court", "energy", "railway", "vaccine", "drought", "festival", "museum", "treaty", "border", "market", "strike", "reform", "coalition"]
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


CRASHPOINTS = Path(__file__).parent / "crashpoints.py"


def _index_cmd(index_dir: Path, corpus: Path, *extra: str) -> list[str]:
    return [sys.executable, str(CRASHPOINTS), "index", "--quiet", "--index", str(index_dir), str(corpus), *extra]


def _run(index_dir: Path, corpus: Path, extra: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("CRASH_AT", "CRASH_LOG")}
    return subprocess.run(_index_cmd(index_dir, corpus, *extra), check=False, capture_output=True, text=True, timeout=600, env={**environ, **env})


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


def _kill_points(counts: Counter[str], thorough: bool) -> list[tuple[str, int]]:
    """Where to kill: every kind of point (``thorough``: at its first and last pass, and at
    four more places among the files and commits; else at its middle pass), and always after
    the first commit, at the last file and after the last metadata file."""
    chosen = {("committed", 1), ("apply", counts["apply"]), ("meta-written", counts["meta-written"])}
    for name, count in counts.items():
        chosen |= {(name, 1), (name, count)} if thorough else {(name, (count + 1) // 2)}
    if thorough:
        for k in range(1, 5):
            name = "apply" if k % 2 else "committed"
            chosen.add((name, max(1, counts[name] * k // 5)))
    return sorted(chosen)


@pytest.mark.parametrize(
    ("mode", "extra", "thorough"),
    [
        ("single", ["--workers", "1", "--commit-every", "25"], True),
        ("workers", ["--workers", "2", "--commit-every", "40"], False),
        ("workers-3", ["--workers", "3", "--commit-every", "60"], False),
    ],
)
def test_sigkill_at_every_kind_of_point_loses_nothing(crash_corpus, tmp_path: Path, mode: str, extra: list[str], thorough: bool) -> None:  # type: ignore[no-untyped-def]
    """Each kill point (see crashpoints.py) is hit exactly, on a fresh index: what the killed
    run committed is whole, no worker outlives it, and the next run completes the index."""
    corpus, expected = crash_corpus
    index_dir = tmp_path / f"index-{mode}"
    log = tmp_path / "points.log"
    probe = _run(tmp_path / "probe", corpus, extra, CRASH_LOG=str(log))
    assert probe.returncode == 0, probe.stderr
    counts = Counter(log.read_text(encoding="utf-8").split())
    assert set(counts) == {"apply", "commit", "toc", "vocabulary", "meta", "meta-written", "committed"}, counts
    assert counts["committed"] >= 3, counts  # (several commits: kills between them are tested)
    points = _kill_points(counts, thorough)
    kept = {}
    for name, n in points:
        shutil.rmtree(index_dir, ignore_errors=True)
        killed = _run(index_dir, corpus, extra, CRASH_AT=f"{name}:{n}")
        assert killed.returncode == -signal.SIGKILL, (name, n, killed.returncode, killed.stderr)
        deadline = time.monotonic() + 10
        while _orphans(index_dir) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _orphans(index_dir) == [], f"worker processes outlived the indexer killed at {name}:{n}"
        if index_exists(str(index_dir)):
            kept[(name, n)] = _check_whole(index_dir, expected, corpus)
        else:  # (killed while creating it: at most the metadata file, which the next run completes; see test_damage)
            assert not has_segment_files(str(index_dir)), f"segments without a table of contents after {name}:{n}"
            kept[(name, n)] = 0
        # the next run is not blocked by a stale lock and completes to exactly the full count
        done = _run(index_dir, corpus, extra)
        assert done.returncode == 0, (name, n, done.stderr)
        assert _check_whole(index_dir, expected, corpus) == len(expected), (name, n)
    # kills after a commit kept what it committed; the last commit's own points keep everything written before it
    assert kept[("committed", 1)] > 0 and kept[("meta-written", counts["meta-written"])] == len(expected), kept
    assert 0 < kept[("apply", counts["apply"])] < len(expected), kept
    again = _run(index_dir, corpus, ["--json", *extra])
    report = json.loads(again.stdout)
    assert (report["added"], report["updated"], report["removed"], report["unchanged"]) == (0, 0, 0, len(expected))
