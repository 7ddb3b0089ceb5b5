"""Indexing workers end with the indexer, and importing the indexing code changes nothing
for the other processes a program forks (no process-wide fork hook)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PDEATHSIG is Linux only")

_FORK_AND_READ_PDEATHSIG = """
import ctypes, os, sys
import newssearch, newssearch.cli, newssearch.indexing
from newssearch.indexing import index_paths, runner, tasks, workers
from newssearch import Searcher, IndexReport
libc = ctypes.CDLL(None, use_errno=True)
read, write = os.pipe()
pid = os.fork()
if pid == 0:
    value = ctypes.c_int(-1)
    libc.prctl(workers.PR_GET_PDEATHSIG, ctypes.byref(value))
    os.write(write, str(value.value).encode())
    os._exit(0)
os.waitpid(pid, 0)
print(os.read(read, 16).decode())
"""


def _run(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120, check=False)


def test_importing_indexing_registers_no_fork_hook() -> None:
    """A child forked by a program that imported newssearch.indexing has no death signal
    (before: every fork got SIGKILL-on-parent-death from an import-time fork hook)."""
    done = _run(_FORK_AND_READ_PDEATHSIG)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0"


_START_WORKERS_THEN_DIE = """
import os, signal, sys, time
from newssearch.indexing.workers import Workers
pool = Workers(2, sys.argv[1])
for proc in pool.procs:
    print(proc.pid, flush=True)
time.sleep(0.5)  # (the workers start their loop; one that has not yet is caught by its parent check)
os.kill(os.getpid(), signal.SIGKILL)
"""


def _alive(pid: int) -> bool:
    """The process exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_workers_die_with_a_killed_indexer(tmp_path: Path) -> None:
    done = _run(_START_WORKERS_THEN_DIE, str(tmp_path / "index"))
    assert done.returncode == -signal.SIGKILL, done.stderr
    pids = [int(line) for line in done.stdout.split()]
    assert len(pids) == 2
    deadline = time.monotonic() + 30  # (a bound on the wait, not a speed target)
    while any(map(_alive, pids)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in pids if _alive(pid)], "workers outlived the killed indexer"


def test_a_worker_asks_for_its_own_death_signal() -> None:
    """die_with_parent (what a worker calls first) sets SIGKILL for this process only."""
    code = """
import ctypes, os
from newssearch.indexing import workers
libc = ctypes.CDLL(None, use_errno=True)
def pdeathsig():
    value = ctypes.c_int(-1)
    libc.prctl(workers.PR_GET_PDEATHSIG, ctypes.byref(value))
    return value.value
before = pdeathsig()
workers.die_with_parent(os.getppid())
print(before, pdeathsig())
"""
    done = _run(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", str(int(signal.SIGKILL))]
