"""Edges of the index's metadata file and folder: a ``schema_version`` that is no number is
damage (exit 3, rebuild), a folder or metadata file one may not read is a storage error
(exit 74, one line), and "create it with" is said only when there is no index at all.

Permission denied is injected (the tests run as root in CI, and root reads everything);
the same cases with real file modes run when the tests are not root.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import newssearch.store.index as store_index
from newssearch import IndexDamagedError, IndexStorageError, IndexVersionError, Searcher, index_paths
from newssearch.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"
SEED = FIXTURES / "seed" / "2023-04-20-stoltenberg-kyiv.txt"
ARTICLES = 5
COMMANDS = (["query", "Vilnius summit"], ["stats"], ["show", "wn-ukraine-pm"], ["query", "--person", "Honcharuk", ""])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("meta")
    corpus = root / "corpus"
    shutil.copytree(FIXTURES / "corpus", corpus)
    shutil.copy(SEED, corpus / SEED.name)
    index_paths([corpus], str(root / "index"), workers=1)
    return corpus, root / "index"


@pytest.fixture
def index(built: tuple[Path, Path], tmp_path: Path) -> Path:
    copy = tmp_path / "index"
    shutil.copytree(built[1], copy)
    return copy


def _set_version(index: Path, value: object) -> None:
    meta_path = index / "newssearch.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["schema_version"] = value
    meta_path.write_text(json.dumps(meta), encoding="utf-8")


def _one_line(result: Result, code: int, start: str) -> list[str]:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and lines[0].startswith(start) and lines[1].startswith("Hint: "), result.stderr
    return lines


@pytest.mark.parametrize("value", ["5", "abc", 5.0, True, [5], {"v": 5}, None, "x" * 500])
def test_a_schema_version_that_is_no_number_is_damage(built: tuple[Path, Path], index: Path, value: object) -> None:
    corpus, _ = built
    _set_version(index, value)
    with pytest.raises(IndexDamagedError, match="newssearch.json says schema_version .*, not a number"):
        Searcher(index)
    runner = CliRunner()
    for args in COMMANDS:
        lines = _one_line(runner.invoke(cli, [*args, "--index", str(index)]), 3, f"Error: the index at {index} is damaged (newssearch.json says")
        assert "run `newssearch index --rebuild`" in lines[0] and len(lines[0]) < 300
        assert "create it with" not in lines[1] and "index --rebuild" in lines[1]
    _one_line(runner.invoke(cli, ["index", "--index", str(index), str(corpus)]), 3, f"Error: the index at {index} is damaged (")
    result = runner.invoke(cli, ["index", "--rebuild", "--index", str(index), str(corpus)])
    assert result.exit_code == 0 and result.stdout.startswith(f"{ARTICLES} added"), result.output
    with Searcher(index) as searcher:
        assert searcher.stats().articles == ARTICLES


@pytest.mark.parametrize("value", [999, 0, -1])
def test_another_number_is_another_version(index: Path, value: int) -> None:
    _set_version(index, value)
    with pytest.raises(IndexVersionError, match=f"made by schema version {value} of newssearch"):
        Searcher(index)


def test_no_schema_version_at_all_is_an_unknown_version(index: Path) -> None:
    meta_path = index / "newssearch.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    del meta["schema_version"]
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(IndexVersionError, match="made by an unknown version"):
        Searcher(index)


@pytest.fixture
def deny(monkeypatch: pytest.MonkeyPatch) -> Iterator[set[str]]:
    """Paths added to the set yielded cannot be read or listed (EACCES), as without the
    read permission."""
    denied: set[str] = set()
    real_open, real_listdir, real_scandir = open, os.listdir, os.scandir

    def check(path: object) -> None:
        if isinstance(path, (str, os.PathLike)) and os.path.abspath(os.fspath(path)) in denied:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))

    def fake_open(path: object, *args: object, **kwargs: object) -> object:
        check(path)
        return real_open(path, *args, **kwargs)  # type: ignore[call-overload]

    def fake_listdir(path: object = ".") -> list[str]:
        check(path)
        return real_listdir(path)  # type: ignore[arg-type]

    def fake_scandir(path: object = ".") -> object:
        check(path)
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(store_index, "open", fake_open, raising=False)
    monkeypatch.setattr(os, "listdir", fake_listdir)
    monkeypatch.setattr(os, "scandir", fake_scandir)
    yield denied


def test_an_unreadable_index_folder_is_permission_denied(index: Path, deny: set[str]) -> None:
    deny.add(str(index))
    with pytest.raises(IndexStorageError, match="permission denied"):
        Searcher(index)
    runner = CliRunner()
    for args in COMMANDS:
        lines = _one_line(runner.invoke(cli, [*args, "--index", str(index)]), 74, f"Error: cannot use the index at {index}: permission denied")
        assert "create it with" not in lines[1]  # (an index is there: creating one is no advice)


def test_an_unreadable_metadata_file_is_permission_denied(index: Path, deny: set[str]) -> None:
    deny.add(str(index / "newssearch.json"))
    runner = CliRunner()
    for args in COMMANDS:
        lines = _one_line(runner.invoke(cli, [*args, "--index", str(index)]), 74, f"Error: cannot use the index at {index}: permission denied")
        assert "newssearch.json" in lines[0] and "damaged" not in lines[0] and "create it with" not in lines[1]


def test_create_it_is_said_only_when_there_is_no_index(built: tuple[Path, Path], index: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    missing = tmp_path / "nothing"
    lines = _one_line(runner.invoke(cli, ["query", "x", "--index", str(missing)]), 3, f"Error: no index at {missing}")
    assert lines[1] == f"Hint: create it with: newssearch index --index {missing} FOLDER"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "create it with" in runner.invoke(cli, ["query", "x", "--index", str(empty)]).stderr
    # every kind of damage: the rebuild hint, never "create it"
    for damage in ("toc", "meta", "version"):
        broken = tmp_path / f"broken-{damage}"
        shutil.copytree(built[1], broken)
        if damage == "toc":
            next(broken.glob("_MAIN_*.toc")).unlink()
        elif damage == "meta":
            (broken / "newssearch.json").unlink()
        else:
            _set_version(broken, "5")
        result = runner.invoke(cli, ["query", "x", "--index", str(broken)])
        assert result.exit_code == 3 and "create it with" not in result.stderr and "index --rebuild" in result.stderr, result.output


needs_non_root = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads files whatever their modes")


@needs_non_root
@pytest.mark.parametrize("target", ["folder", "meta"])
def test_real_file_modes(index: Path, target: str) -> None:
    path = index if target == "folder" else index / "newssearch.json"
    path.chmod(0o000 if target == "meta" else 0o300)
    try:
        for args in COMMANDS:
            _one_line(CliRunner().invoke(cli, [*args, "--index", str(index)]), 74, f"Error: cannot use the index at {index}: permission denied")
    finally:
        path.chmod(0o755 if target == "folder" else 0o644)
