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
