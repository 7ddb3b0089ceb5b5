"""The index's disk failing: no space left, a read-only file system, permission denied.

A full disk ends a run with one line naming the device ("no space left on tmpfs (mounted at
…)", exit 74); the index stays as its last commit left it and answers queries; nothing the
run wrote stays behind (so retries do not pile up files); after freeing space the same
command completes. A read-only index folder still answers every query (a query never
writes); indexing into it, or under a read-only parent, is one line (exit 74).

The real cases need a small tmpfs and read-only bind mounts (root here; skipped with the
reason elsewhere); the mapping of each ``OSError`` is also tested by injecting it.
"""

from __future__ import annotations

import errno
import os
import random
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from newssearch import IndexStorageError, Searcher, index_paths
from newssearch.cli import cli
from newssearch.errors import IndexDamagedError
from newssearch.store.failures import device_of, storage_error

FIXTURES = Path(__file__).parent / "fixtures"
SEED = FIXTURES / "seed" / "2023-04-20-stoltenberg-kyiv.txt"
ARTICLES = 5
BIG = 40  # articles: about 1.5 MB of index, far more than the space left


def _mount(*args: str) -> None:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("mounting a file system for this test needs root")
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    done = subprocess.run(["mount", *args], check=False, capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"mounting is not permitted here: {done.stderr.strip()}")


def _umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], check=False, capture_output=True)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A tmpfs of 8 MB mounted for the test."""
    disk = tmp_path / "disk"
    disk.mkdir()
    _mount("-t", "tmpfs", "-o", "size=8m", "tmpfs", str(disk))
    try:
        yield disk
    finally:
        _umount(disk)


def _read_only_view(source: Path, view: Path) -> None:
    """Mount ``source`` read-only at ``view`` (a read-only bind mount)."""
    view.mkdir()
    _mount("--bind", str(source), str(view))
    done = subprocess.run(["mount", "-o", "remount,bind,ro", str(view)], check=False, capture_output=True, text=True)
    if done.returncode != 0:
        _umount(view)
        pytest.skip(f"remounting read-only is not permitted here: {done.stderr.strip()}")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    shutil.copytree(FIXTURES / "corpus", root)
    shutil.copy(SEED, root / SEED.name)
    return root


@pytest.fixture
def big(tmp_path: Path) -> Path:
    """Synthetic articles of 1,800 words (so that their index is large)."""
    root = tmp_path / "big"
    root.mkdir()
    rng = random.Random(5)
    stems = ("harbour", "council", "budget", "railway", "treaty", "museum", "festival", "drought", "coalition", "reform", "market", "border")
    words = [f"{stem}{i}" for stem in stems for i in range(150)]
    for n in range(BIG):
        paragraphs = [" ".join(rng.choice(words) for _ in range(120)) for _ in range(5)]
        (root / f"story-{n:03d}.txt").write_text(f"Title: Ferry story {n}\nDate: 2021-05-06\nSource: Wire\n\n" + "\n\n".join(paragraphs) + "\n")
    return root


def _fill(disk: Path, leave: int) -> Path:
    """Fill ``disk`` but ``leave`` bytes with a ballast file; return it."""
    ballast = disk / "ballast"
    free = shutil.disk_usage(disk).free
    with open(ballast, "wb") as handle:
        handle.write(b"\0" * max(0, free - leave))
    return ballast


def _files(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in folder.iterdir()} if folder.exists() else {}


def _no_traceback(result: Result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output


@pytest.mark.parametrize("workers", [1, 2])
def test_disk_full_keeps_the_index_and_cleans_up(small_disk: Path, corpus: Path, big: Path, workers: int) -> None:
    index = small_disk / "index"
    runner = CliRunner()
    assert runner.invoke(cli, ["index", "--index", str(index), str(corpus)]).exit_code == 0
    before = _files(index)
    ballast = _fill(small_disk, leave=400_000)

    for attempt in range(2):  # a retry fails the same way, and leaves nothing more behind
        result = runner.invoke(cli, ["index", "--workers", str(workers), "--index", str(index), str(corpus), str(big)])
        _no_traceback(result)
        assert result.exit_code == 74, result.output
        lines = result.stderr.splitlines()
        assert len(lines) == 2, result.stderr
        assert lines[0] == (
            f"Error: no space left on tmpfs (mounted at {small_disk}) while writing the index at {index}; "
            "the index is as its last commit left it"
        )
        assert lines[1].startswith("Hint: free some space there")
        assert _files(index) == before, f"attempt {attempt + 1} left files behind"

    with Searcher(index) as searcher:  # the old content, whole
        assert searcher.stats().articles == ARTICLES
        assert searcher.search("Vilnius summit").total == 1
        assert searcher.search("ferry").total == 0

    ballast.unlink()
    result = runner.invoke(cli, ["index", "--workers", str(workers), "--index", str(index), str(corpus), str(big)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{BIG} added, 0 updated, 0 removed, {ARTICLES} unchanged")
    with Searcher(index) as searcher:
        assert searcher.stats().articles == ARTICLES + BIG
        assert searcher.search("ferry story").total == BIG
    assert not [name for name in os.listdir(index) if name.endswith(".tmp") or name.startswith(".")]


def test_disk_full_on_a_new_index_leaves_no_folder(small_disk: Path, corpus: Path, big: Path) -> None:
    index = small_disk / "index"
    ballast = _fill(small_disk, leave=16_000)
    result = CliRunner().invoke(cli, ["index", "--workers", "1", "--index", str(index), str(corpus), str(big)])
    _no_traceback(result)
    assert result.exit_code == 74, result.output
    assert result.stderr.startswith(f"Error: no space left on tmpfs (mounted at {small_disk})")
    assert not index.exists()  # (the run made it, and committed nothing)
    ballast.unlink()
    result = CliRunner().invoke(cli, ["index", "--workers", "1", "--index", str(index), str(corpus)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{ARTICLES} added")


def test_read_only_index_answers_queries_and_refuses_updates(tmp_path: Path, corpus: Path) -> None:
    source = tmp_path / "index"
    index_paths([corpus], str(source), workers=1)
    view = tmp_path / "ro"
    _read_only_view(source, view)
    try:
        runner = CliRunner()
        for args, expect in (
            (["query", "Vilnius summit"], "1–1 of 1 matching article"),
            (["query", "--person", "Oleksiy Honcharuk", "--facet", "people", ""], "Oleksiy Honcharuk"),
            (["query", "vilnus"], "Did you mean"),
            (["stats"], f"Articles:     {ARTICLES}"),
            (["show", "wn-ukraine-pm"], "Ukrainian president rejects"),
            (["similar", "wn-ukraine-pm"], "matching article"),
        ):
            result = runner.invoke(cli, [*args, "--index", str(view)])
            _no_traceback(result)
            assert result.exit_code == 0 and expect in result.stdout, (args, result.output)
        with Searcher(view) as searcher:
            assert searcher.search("Vilnius summit").total == 1
        for extra in ([], ["--rebuild"]):
            result = runner.invoke(cli, ["index", *extra, "--index", str(view), str(corpus)])
            _no_traceback(result)
            assert result.exit_code == 74, result.output
            lines = result.stderr.splitlines()
            assert len(lines) == 2 and lines[0].startswith(f"Error: cannot write the index at {view}: ")
            assert lines[0].endswith("is a read-only file system"), lines[0]
        assert _files(view) == _files(source)
    finally:
        _umount(view)


def test_read_only_parent_folder_is_one_line(tmp_path: Path, corpus: Path) -> None:
    parent = tmp_path / "parent"
    parent.mkdir()
    view = tmp_path / "ro"
    _read_only_view(parent, view)
    try:
        result = CliRunner().invoke(cli, ["index", "--index", str(view / "sub" / "index"), str(corpus)])
        _no_traceback(result)
        assert result.exit_code == 74, result.output
        assert "read-only file system" in result.stderr.splitlines()[0]
        assert len(result.stderr.splitlines()) == 2
    finally:
        _umount(view)


# -- the same failures injected (these run anywhere) --------------------------------------


@pytest.mark.parametrize(
    ("code", "kind", "words"),
    [
        (errno.ENOSPC, IndexStorageError, "no space left on "),
        (errno.EROFS, IndexStorageError, "is a read-only file system"),
        (errno.EACCES, IndexStorageError, "permission denied (MAIN_WRITELOCK)"),
        (errno.EPERM, IndexStorageError, "permission denied (MAIN_WRITELOCK)"),
        (errno.ENOENT, IndexDamagedError, "is damaged (MAIN_WRITELOCK is missing)"),
        (errno.EINVAL, IndexDamagedError, "is damaged (MAIN_WRITELOCK: "),
        (errno.EIO, IndexStorageError, "failed: "),
    ],
)
def test_os_errors_map_to_one_line_errors(tmp_path: Path, code: int, kind: type, words: str) -> None:
    index = tmp_path / "index"
    index.mkdir()
    error = storage_error(OSError(code, os.strerror(code), str(index / "MAIN_WRITELOCK")), str(index))
    assert type(error) is kind and words in str(error), str(error)
    assert "\n" not in str(error) and error.hint


def test_device_is_named() -> None:
    assert "mounted at /" in device_of(os.getcwd()) or device_of(os.getcwd()).startswith("the disk of ")


def _raise(code: int) -> object:
    def fail(*args: object, **kwargs: object) -> object:
        raise OSError(code, os.strerror(code), str(args[0]) if args else None)

    return fail


@pytest.mark.parametrize("code", [errno.EACCES, errno.EROFS])
def test_index_folder_that_cannot_be_made_is_one_line(tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    import newssearch.store.index as store_index

    monkeypatch.setattr(store_index.os, "makedirs", _raise(code))
    result = CliRunner().invoke(cli, ["index", "--index", str(tmp_path / "new"), str(corpus)])
    _no_traceback(result)
    assert result.exit_code == 74, result.output
    assert result.stderr.startswith(f"Error: cannot {'use' if code == errno.EACCES else 'write'} the index at {tmp_path / 'new'}")


@pytest.mark.parametrize("code", [errno.EACCES, errno.EROFS])
def test_lock_that_cannot_be_taken_is_one_line(tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    from whoosh.util import filelock

    index = tmp_path / "index"
    index_paths([corpus], str(index), workers=1)
    monkeypatch.setattr(filelock.FcntlLock, "acquire", _raise(code))
    for extra in ([], ["--rebuild"]):
        result = CliRunner().invoke(cli, ["index", *extra, "--index", str(index), str(corpus)])
        _no_traceback(result)
        assert result.exit_code == 74, result.output
        assert len(result.stderr.splitlines()) == 2
    assert not [p for p in tmp_path.iterdir() if ".damaged-" in p.name]  # (not mistaken for damage)


def test_unreadable_index_is_one_line_for_queries(tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from whoosh.filedb.filestore import FileStorage

    index = tmp_path / "index"
    index_paths([corpus], str(index), workers=1)
    monkeypatch.setattr(FileStorage, "open_file", lambda self, name, **kw: _raise(errno.EACCES)(os.path.join(self.folder, name)))
    for args in (["query", "Vilnius"], ["stats"], ["show", "wn-ukraine-pm"]):
        result = CliRunner().invoke(cli, [*args, "--index", str(index)])
        _no_traceback(result)
        assert result.exit_code == 74, result.output
        assert result.stderr.startswith(f"Error: cannot use the index at {index}: permission denied (_MAIN_")


def test_no_space_while_committing_keeps_the_index(tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ENOSPC injected when the segment is assembled (the largest write of a commit)."""
    from whoosh.codec import base

    index = tmp_path / "index"
    index_paths([corpus], str(index), workers=1)
    before = _files(index)
    (corpus / "late.txt").write_text("Title: Late ferry news\n\nThe ferry to the island was late again on Monday.\n", encoding="utf-8")

    def full(self: object, storage: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), os.path.join(str(index), "MAIN_x.seg"))

    with monkeypatch.context() as patch:
        patch.setattr(base.Segment, "create_compound_file", full)
        with pytest.raises(IndexStorageError, match="^no space left on "):
            index_paths([corpus], str(index), workers=1)
    assert _files(index) == before
    with Searcher(index) as searcher:
        assert searcher.stats().articles == ARTICLES and searcher.search("ferry").total == 0
    assert index_paths([corpus], str(index), workers=1).added == 1


def test_a_run_removes_what_a_killed_run_left(tmp_path: Path, corpus: Path) -> None:
    """Segment files of an uncommitted segment, a half-written table of contents, Whoosh's
    temporary folder and newssearch's temporary files (what SIGKILL or a full disk leaves)
    go at the next run; the committed index stays whole."""
    index = tmp_path / "index"
    index_paths([corpus], str(index), workers=1)
    committed = _files(index)
    strays = ["MAIN_0123456789abcdef.pst", "MAIN_0123456789abcdef.trm", "MAIN_zzzzzzzzzzzzzzzz.seg", "_MAIN_0.toc", "_MAIN_2.toc.1733300000.5",
              ".meta-x1y2", ".vocab-a3b4"]
    for name in strays:
        (index / name).write_bytes(b"partial")
    (index / "MAIN.tmp").mkdir()
    (index / "MAIN.tmp" / "x.pool").write_bytes(b"partial")
    report = index_paths([corpus], str(index), workers=1)
    assert (report.added, report.unchanged) == (0, ARTICLES)
    assert _files(index) == committed
    with Searcher(index) as searcher:
        assert searcher.stats().articles == ARTICLES


@pytest.mark.parametrize("rename_fails", [False, True])
def test_a_failed_rebuild_of_a_damaged_index_puts_it_back(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch, rename_fails: bool
) -> None:
    """--rebuild moved the damaged index aside, then the disk was full: the folder is as it was."""
    from whoosh.codec import base

    index = tmp_path / "index"
    index_paths([corpus], str(index), workers=1)
    toc = next(index.glob("_MAIN_*.toc"))
    toc.write_bytes(toc.read_bytes()[:40])
    before = {name: (index / name).read_bytes() for name in os.listdir(index)}

    def full(self: object, storage: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), os.path.join(str(index), "MAIN_x.seg"))

    real_rename = os.rename

    def rename(src: str, dst: str) -> None:
        if rename_fails and os.path.normpath(src) == str(index):
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), src)
        real_rename(src, dst)

    with monkeypatch.context() as patch:
        patch.setattr(base.Segment, "create_compound_file", full)
        patch.setattr(os, "rename", rename)
        with pytest.raises(IndexStorageError, match="^no space left on "):
            index_paths([corpus], str(index), rebuild=True, workers=1)
    assert {name: (index / name).read_bytes() for name in os.listdir(index)} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "index"]
    assert index_paths([corpus], str(index), rebuild=True, workers=1).moved_aside is not None
