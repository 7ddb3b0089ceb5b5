"""Concurrency and index format: queries during indexing, a second writer, the schema version.

One ``newssearch index`` runs in a subprocess over a generated corpus while the test
queries the index over and over (every query answers, totals never go down), a second
``index`` fails at once with exit 75, a third with ``--wait`` waits its turn; afterwards the
index holds exactly the expected articles. An index whose ``newssearch.json`` records
another schema version is refused with exit 3 and a hint to run ``index --rebuild``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from whoosh import index as whoosh_index

from newssearch.cli import cli
from newssearch.errors import IndexVersionError
from newssearch.indexing import index_paths
from newssearch.search.searcher import Searcher

N_FIRST = 4
N_BIG = 200
N_LATE = 3


def _write_articles(folder: Path, prefix: str, n: int) -> None:
    folder.mkdir(parents=True)
    for i in range(n):
        (folder / f"{prefix}-{i:04d}.txt").write_text(
            f"Title: {prefix} report {i}\nDate: 2023-{1 + i % 12:02d}-{1 + i % 28:02d}\nSource: Wire {i % 3}\n\n"
            f"The council of {prefix} town discussed harbour repairs, item {i}, on Tuesday. "
            f"Mayor Ana Popescu said the budget for {prefix} would rise.\n\n"
            f"A second paragraph about the {prefix} ferry timetable and river levels follows here.\n",
            encoding="utf-8",
        )


def _index_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "newssearch.cli", "index", *args]


def _lock_is_held(index_dir: Path) -> bool:
    """True when another process holds the index's write lock (probed without keeping it)."""
    ix = whoosh_index.open_dir(str(index_dir), indexname="MAIN")
    lock = ix.lock("WRITELOCK")
    if lock.acquire():
        lock.release()
        return False
    return True


def test_queries_during_indexing_and_a_second_writer(tmp_path: Path) -> None:
    first, big, late = tmp_path / "first", tmp_path / "big", tmp_path / "late"
    _write_articles(first, "alpha", N_FIRST)
    _write_articles(big, "bravo", N_BIG)
    _write_articles(late, "charlie", N_LATE)
    ix = tmp_path / "index"
    assert index_paths([first], str(ix), workers=1).added == N_FIRST

    env = {**os.environ, "NO_COLOR": "1"}
    # --wait: our lock probe may hold the lock for an instant; the writer must not give up on it
    writer = subprocess.Popen(_index_cmd(str(first), str(big), "--index", str(ix), "--json", "--wait", "30"),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    waiter = None
    try:
        deadline = time.monotonic() + 60
        while not _lock_is_held(ix):
            assert writer.poll() is None, f"the indexer ended before it was seen working: {writer.communicate()}"
            assert time.monotonic() < deadline, "the indexer never took the lock"
            time.sleep(0.05)

        # a second writer fails at once, exit 75, one error line (+ hint)
        started = time.monotonic()
        second = CliRunner().invoke(cli, ["index", str(late), "--index", str(ix)])
        assert time.monotonic() - started < 10
        assert second.exit_code == 75, second.output
        lines = second.stderr.splitlines()
        assert lines[0].startswith("Error: ") and "is being updated by another process" in lines[0]
        assert len(lines) <= 2 and all(x.startswith("Hint: ") for x in lines[1:])

        # a third one waits its turn
        waiter = subprocess.Popen(_index_cmd(str(late), "--index", str(ix), "--json", "--wait", "300"),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)

        # queries keep answering while the index is written, and never lose articles
        seen: list[int] = []
        errors: list[BaseException] = []
        with Searcher(ix) as long_lived:
            while writer.poll() is None or waiter.poll() is None:
                try:
                    long_lived.refresh()
                    with Searcher(ix) as fresh:
                        total = fresh.search("").total
                        hits = fresh.search("harbour repairs", limit=3)
                        assert hits.total == total and len(hits.hits) == min(3, total)
                    assert long_lived.search("council").total >= N_FIRST
                    seen.append(total)
                except BaseException as exc:  # noqa: BLE001 - collected and reported below
                    errors.append(exc)
                time.sleep(0.02)
        assert not errors, errors[:3]
        assert len(seen) >= 3, "the indexing ended before queries could run alongside it"
        assert seen == sorted(seen), "a query saw fewer articles than an earlier one"
        assert seen[0] >= N_FIRST and seen[-1] <= N_FIRST + N_BIG + N_LATE

        out, err = writer.communicate(timeout=60)
        assert writer.returncode == 0, err
        assert json.loads(out)["added"] == N_BIG
        out, err = waiter.communicate(timeout=60)
        assert waiter.returncode == 0, err
        assert json.loads(out)["added"] == N_LATE
    finally:
        for proc in (writer, waiter):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()

    with Searcher(ix) as searcher:
        assert searcher.stats().articles == N_FIRST + N_BIG + N_LATE
        assert searcher.search("").total == N_FIRST + N_BIG + N_LATE
        assert searcher.search("bravo").total == N_BIG
        assert searcher.search("charlie").total == N_LATE
    # a re-run of the same inputs changes nothing (nothing was lost or doubled)
    report = index_paths([first, big], str(ix), workers=1)
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 0, 0, N_FIRST + N_BIG)


def test_wait_gives_up_after_its_seconds(tmp_path: Path) -> None:
    _write_articles(tmp_path / "a", "delta", 2)
    ix = tmp_path / "index"
    index_paths([tmp_path / "a"], str(ix), workers=1)
    holder = whoosh_index.open_dir(str(ix), indexname="MAIN").lock("WRITELOCK")
    assert holder.acquire()
    try:
        started = time.monotonic()
        result = CliRunner().invoke(cli, ["index", str(tmp_path / "a"), "--index", str(ix), "--wait", "1"])
        elapsed = time.monotonic() - started
        assert result.exit_code == 75, result.output
        assert result.stderr.startswith("The index is being updated by another process; waiting up to 1 s for it…\n")
        assert "is being updated by another process" in result.stderr.splitlines()[1]
        assert 0.9 <= elapsed < 8
    finally:
        holder.release()
    result = CliRunner().invoke(cli, ["index", str(tmp_path / "a"), "--index", str(ix)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("recorded", [999, 0, None])  # (a version that is no number is damage: test_metadata_edges)
def test_schema_version_mismatch_says_rebuild(tmp_path: Path, recorded: object) -> None:
    _write_articles(tmp_path / "a", "echo", 3)
    ix = tmp_path / "index"
    index_paths([tmp_path / "a"], str(ix), workers=1)
    meta_path = ix / "newssearch.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    assert isinstance(meta["schema_version"], int)
    if recorded is None:
        del meta["schema_version"]
    else:
        meta["schema_version"] = recorded
    meta_path.write_text(json.dumps(meta), encoding="utf-8")

    with pytest.raises(IndexVersionError) as err:
        Searcher(ix)
    assert err.value.exit_code == 3
    assert "--rebuild" in (err.value.hint or "")
    runner = CliRunner()
    for args in (["query", "echo"], ["stats"], ["query", "echo", "--json"]):
        result = runner.invoke(cli, [*args, "--index", str(ix)])
        assert result.exit_code == 3, (args, result.output)
        lines = result.stderr.splitlines()
        assert len(lines) == 2 and lines[0].startswith("Error: ") and lines[1].startswith("Hint: ")
        assert "index --rebuild" in lines[1]
        assert result.stdout == ""

    result = runner.invoke(cli, ["index", str(tmp_path / "a"), "--index", str(ix), "--rebuild", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["added"] == 3
    with Searcher(ix) as searcher:
        assert searcher.search("echo").total == 3
