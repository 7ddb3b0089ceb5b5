"""Ctrl-C during parallel indexing: the indexer stops at once with status 130, leaves no
worker behind and no lock, keeps what it committed, and the next run completes."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newssearch import Searcher


def _feed(root: Path, sizes: tuple[int, ...] = (400, 3000)) -> int:
    """A small file (committed on its own), then a large one (no file boundary to commit at,
    so the workers' queues stay full)."""
    root.mkdir()
    n = 0
    for f, size in enumerate(sizes):
        lines = []
        for _ in range(size):
            # long enough that the tasks waiting for the workers do not fit in a pipe's buffer
            text = "\n\n".join(f"Paragraph {p} of story {n} about the harbour council and the river budget. " * 8 for p in range(6))
            lines.append(json.dumps({"id": f"s-{n}", "title": f"Story {n}", "text": text}))
            n += 1
        (root / f"feed-{f}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return n


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_stops_parallel_indexing_cleanly(tmp_path: Path) -> None:
    total = _feed(tmp_path / "corpus")
    index = tmp_path / "index"
    cmd = [sys.executable, "-m", "newssearch.cli", "index", str(tmp_path / "corpus"), "--index", str(index), "--workers", "2", "--commit-every", "400", "-q"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 60
    while not list(index.glob("_MAIN_*.toc")) or not any(p.name != "_MAIN_0.toc" for p in index.glob("_MAIN_*.toc")):
        assert proc.poll() is None, "the indexer finished before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.05)  # wait for a first commit with articles
    time.sleep(1.5)  # and for the workers' queues to fill up again
    assert proc.poll() is None
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err.decode()
    assert "Traceback" not in err.decode()
    leftovers = subprocess.run(["pgrep", "-f", str(index)], capture_output=True, text=True).stdout.split()
    assert leftovers == []
    with Searcher(index) as s:
        kept = s.stats().articles
    assert 0 < kept < total
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    with Searcher(index) as s:
        assert s.stats().articles == total
        assert s.search("harbour").total == total
