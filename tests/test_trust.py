"""An index folder can run code (Whoosh reads pickles from it): only trusted ones are opened.

A folder someone else could have written (not yours, or writable by your group or by others,
or holding index files that are) is refused with one line and exit 3 before any file in it is
read, unless ``NEWSSEARCH_TRUST_INDEX`` trusts it. A crafted pickle in the table of contents
proves the point: it runs when the folder is trusted, never when it is refused.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from newssearch import IndexUntrustedError, Searcher, index_paths
from newssearch.cli import cli
from newssearch.store.trust import TRUST_ENV

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    shutil.copytree(FIXTURES / "corpus", root)
    return root


@pytest.fixture
def index(tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv(TRUST_ENV, raising=False)
    out = tmp_path / "index"
    index_paths([corpus], str(out), workers=1)
    return out


def _add_mode(path: Path, bits: int) -> None:
    path.chmod(stat.S_IMODE(path.stat().st_mode) | bits)


def _refused(result, index: Path, why: str) -> None:  # type: ignore[no-untyped-def]
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert result.exit_code == 3, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith(f"Error: refusing to open the index at {index}: ") and why in lines[0], lines[0]
    assert "an index can run code when read" in lines[0]
    assert lines[1].startswith("Hint: ") and f"{TRUST_ENV}=" in lines[1]
    assert result.stdout == ""


@pytest.mark.parametrize(("bits", "why"), [(stat.S_IWOTH, "writable by every user"), (stat.S_IWGRP, "writable by its group")])
def test_a_folder_others_can_write_is_refused(index: Path, corpus: Path, bits: int, why: str) -> None:
    _add_mode(index, bits)
    runner = CliRunner()
    for args in (["query", "Honcharuk"], ["stats"], ["show", "wn-ukraine-pm"], ["similar", "wn-ukraine-pm"], ["index", str(corpus)],
                 ["index", "--rebuild", str(corpus)]):
        _refused(runner.invoke(cli, [*args, "--index", str(index)]), index, f"the index folder {index}: it is {why}")
    with pytest.raises(IndexUntrustedError):
        Searcher(index)
    with pytest.raises(IndexUntrustedError):
        index_paths([corpus], str(index), workers=1)


def test_an_index_file_others_can_write_is_refused(index: Path) -> None:
    toc = next(index.glob("_MAIN_*.toc"))
    _add_mode(toc, stat.S_IWOTH)
    _refused(CliRunner().invoke(cli, ["query", "Honcharuk", "--index", str(index)]), index, f"{toc}: it is writable by every user")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="giving a file to another user needs root")
def test_a_folder_or_file_of_another_user_is_refused(index: Path) -> None:
    segment = next(index.glob("MAIN_*.seg"))
    os.chown(segment, 65534, -1)
    _refused(CliRunner().invoke(cli, ["query", "Honcharuk", "--index", str(index)]), index, f"{segment}: it belongs to ")
    os.chown(segment, os.geteuid(), -1)
    os.chown(index, 65534, -1)
    _refused(CliRunner().invoke(cli, ["stats", "--index", str(index)]), index, f"the index folder {index}: it belongs to ")


@pytest.mark.parametrize("value", ["1", "{index}", "{parent}", "/elsewhere{sep}{index}"])
def test_the_environment_variable_trusts_a_folder(index: Path, tmp_path: Path, value: str) -> None:
    _add_mode(index, stat.S_IWOTH)
    trusted = value.format(index=index, parent=tmp_path, sep=os.pathsep)
    result = CliRunner().invoke(cli, ["query", "Honcharuk", "--index", str(index)], env={TRUST_ENV: trusted})
    assert result.exit_code == 0, result.output
    assert "Oleksiy Honcharuk" in result.stdout or "Honcharuk" in result.stdout
    other = CliRunner().invoke(cli, ["query", "Honcharuk", "--index", str(index)], env={TRUST_ENV: str(tmp_path / "other")})
    assert other.exit_code == 3


def test_a_crafted_pickle_never_runs_in_a_refused_folder(index: Path, corpus: Path, tmp_path: Path) -> None:
    """A newer table of contents whose segment list unpickles to ``open(marker, "w")``."""
    from whoosh import index as whoosh_index
    from whoosh.filedb.filestore import FileStorage

    from newssearch.store.schema import build_schema

    marker = tmp_path / "the-pickle-ran"

    class Payload:
        def __reduce__(self):  # type: ignore[no-untyped-def]
            return (open, (str(marker), "w"))

    storage = FileStorage(str(index))
    generation = max(int(p.name[len("_MAIN_") : -len(".toc")]) for p in index.glob("_MAIN_*.toc"))
    whoosh_index.TOC(build_schema(), [Payload()], generation + 1).write(storage, "MAIN")
    _add_mode(index, stat.S_IWOTH)
    runner = CliRunner()
    for args in (["query", "Honcharuk"], ["stats"], ["index", str(corpus)], ["index", "--rebuild", str(corpus)]):
        result = runner.invoke(cli, [*args, "--index", str(index)])
        assert result.exit_code == 3 and "refusing to open" in result.stderr, result.output
        assert not marker.exists(), f"{args[0]} unpickled the table of contents of a refused folder"
    with pytest.raises(IndexUntrustedError):
        Searcher(index)
    assert not marker.exists()

    # the same folder trusted: the pickle runs (this is what the check prevents), and the
    # garbage it makes is reported as damage, not a traceback
    index.chmod(0o755)
    result = runner.invoke(cli, ["query", "Honcharuk", "--index", str(index)])
    assert marker.exists()
    assert result.exit_code == 3 and "is damaged" in result.stderr, result.output


def test_indexes_made_under_a_permissive_umask_are_trusted(tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """umask 002 (common with per-user groups) must not make newssearch refuse its own index."""
    monkeypatch.delenv(TRUST_ENV, raising=False)
    old = os.umask(0o002)
    try:
        out = tmp_path / "index"
        index_paths([corpus], str(out), workers=1)
        index_paths([corpus, FIXTURES / "seed"], str(out), workers=2)  # (workers write segments too)
    finally:
        os.umask(old)
    for path in [out, *out.glob("_MAIN_*.toc"), *out.glob("MAIN_*.seg")]:
        assert not path.stat().st_mode & (stat.S_IWGRP | stat.S_IWOTH), path
    with Searcher(out) as searcher:
        assert searcher.stats().articles == 5
