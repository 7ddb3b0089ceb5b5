"""The web server's search processes (``create_app(workers=N)``, what ``newssearch serve``
runs): the same answers as searching in the server process, sequentially or with many
requests at once; answers kept by URL until the index changes; a killed search process
replaced."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from newssearch.indexing import index_paths
from newssearch.web import create_app
from newssearch.web.pool import default_workers

ROOT = Path(__file__).parent.parent
URLS = [
    "/?q=parliament", "/?q=trump&sort=newest", "/?q=president&page=2", "/api/search?q=police",
    "/api/search?q=election&facet=people&facet=source&histogram=month", "/compare?q=trump&q=johnson",
    "/api/people?limit=10", "/api/histogram?q=china", "/api/search?q=%22no+such+phrase+zzz%22",
]


@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pool") / "index"
    index_paths([ROOT / "corpus"], str(out), workers=1)
    return out


def _body(client: TestClient, url: str) -> tuple[int, str]:
    got = client.get(url)
    return got.status_code, got.text


def test_search_processes_answer_as_the_server_process(corpus_index: Path) -> None:
    with TestClient(create_app(str(corpus_index))) as alone:
        expected = [_body(alone, u) for u in URLS]
    app = create_app(str(corpus_index), workers=2)
    with TestClient(app) as client:
        assert len(app.state.pool.pids()) == 2
        assert [_body(client, u) for u in URLS] == expected
        app.state.kept.size = 0  # (nothing kept: every request below goes to a search process)
        with ThreadPoolExecutor(max_workers=12) as threads:
            together = list(threads.map(lambda u: _body(client, u), URLS * 4))
        assert together == expected * 4
        assert client.get("/api/article/" + "no-such-id").status_code == 404
        assert client.get("/api/search?q=x&bogus=1").status_code == 400


def test_answers_kept_until_the_index_changes(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Title: Harbour report\nDate: 2023-01-05\n\nThe harbour council met on Tuesday.\n")
    index = tmp_path / "index"
    index_paths([corpus], str(index), workers=1)
    app = create_app(str(index), workers=1)
    with TestClient(app) as client:
        first = client.get("/api/search?q=zeppelin")
        assert first.json()["total"] == 0 and "kept" not in first.headers["server-timing"]
        again = client.get("/api/search?q=zeppelin")
        assert again.json()["total"] == 0 and "kept" in again.headers["server-timing"]
        (corpus / "b.txt").write_text("Title: Zeppelin lands\nDate: 2023-02-01\n\nA zeppelin landed at the harbour.\n")
        index_paths([corpus], str(index), workers=1)
        time.sleep(1.1)  # (the server and its search processes look for a new commit once a second)
        assert client.get("/api/search?q=zeppelin").json()["total"] == 1


def test_a_killed_search_process_is_replaced(corpus_index: Path) -> None:
    app = create_app(str(corpus_index), workers=1)
    app.state.kept.size = 0
    with TestClient(app) as client:
        assert client.get("/api/search?q=police").status_code == 200
        (pid,) = app.state.pool.pids()
        os.kill(pid, signal.SIGKILL)
        failed = client.get("/api/search?q=police")
        assert failed.status_code == 503 and "stopped" in failed.json()["error"]
        got = client.get("/api/search?q=police")  # (waits for the new process)
        assert got.status_code == 200 and got.json()["total"] > 0
        assert app.state.pool.pids() != [pid]


def test_default_workers_one_per_core_at_most_four() -> None:
    assert 1 <= default_workers() <= min(4, os.cpu_count() or 1)


def test_serve_runs_search_processes_by_default(corpus_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn
    from click.testing import CliRunner

    from newssearch.cli import cli

    served: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: served.append(app))
    for args, workers in (([], default_workers()), (["--workers", "3"], 3), (["--workers", "0"], None)):
        result = CliRunner().invoke(cli, ["serve", "--index", str(corpus_index), *args])
        assert result.exit_code == 0, result.output
        pool = served[-1].state.pool  # type: ignore[attr-defined]
        assert (pool.workers if pool is not None else None) == workers
        assert ("search process" in result.output) == bool(workers)


def test_a_stuck_search_process_is_replaced(corpus_index: Path) -> None:
    app = create_app(str(corpus_index), workers=1, request_seconds=0.5)
    app.state.kept.size = 0
    app.state.pool.stuck_seconds = 1.0
    with TestClient(app) as client:
        (pid,) = app.state.pool.pids()
        os.kill(pid, signal.SIGSTOP)  # (as a search that never ends)
        try:
            assert client.get("/api/search?q=police").status_code == 503  # (over the request's time)
            for _ in range(100):  # (until the new process is ready)
                got = client.get("/api/search?q=police")
                if got.status_code == 200:
                    break
                time.sleep(0.2)
            assert got.status_code == 200 and got.json()["total"] > 0
            assert pid not in app.state.pool.pids()
        finally:
            if pid in app.state.pool.pids():
                os.kill(pid, signal.SIGKILL)


def test_kept_responses_are_bounded_in_number_and_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from newssearch.web import app as webapp

    kept = webapp.KeptResponses(str(tmp_path), size=3)
    generation = kept.generation()
    for i in range(5):
        kept.put((f"/{i}", b""), (200, [], b"x" * 10, generation))
    assert [k for k, _ in kept._kept] == ["/2", "/3", "/4"] and kept.total == 30
    kept.put(("/4", b""), (200, [], b"y" * 5, generation))
    assert kept.total == 25 and kept.get(("/4", b""))[2] == b"y" * 5  # type: ignore[index]
    monkeypatch.setattr(webapp, "KEPT_TOTAL", 12)
    kept.put(("/5", b""), (200, [], b"z" * 10, generation))
    assert [k for k, _ in kept._kept] == ["/5"] and kept.total == 10
    kept.put(("/6", b""), (404, [], b"no", generation))
    kept.put(("/7", b""), (200, [], b"old", generation - 1))
    assert kept.get(("/6", b"")) is None and kept.get(("/7", b"")) is None
