"""store.atomic.atomic_write: every side file of the index (metadata, vocabulary) is replaced
whole and durably: file and folder fsynced, nothing left behind by a failure."""

from __future__ import annotations

import os
import stat

import pytest

from newssearch.store import index as store_index
from newssearch.store import vocabulary
from newssearch.store.atomic import atomic_write


@pytest.fixture
def fsyncs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What os.fsync was called on: "file" or "dir"."""
    seen: list[str] = []
    real = os.fsync

    def spy(fd: int) -> None:
        seen.append("dir" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file")
        real(fd)

    monkeypatch.setattr(os, "fsync", spy)
    return seen


def test_vocabulary_save_fsyncs_file_and_folder(tmp_path, fsyncs):
    vocabulary.save(str(tmp_path), {"vilnius": 3, "summit": 2})
    assert vocabulary.load(str(tmp_path)) == {"vilnius": 3, "summit": 2}
    assert fsyncs == ["file", "dir"]
    assert os.listdir(tmp_path) == [vocabulary.FILE]


def test_write_meta_fsyncs_file_and_folder(tmp_path, fsyncs):
    store_index.write_meta(str(tmp_path), {"updated": "x", "schema_version": 5})
    assert (tmp_path / store_index.META_FILE).read_text(encoding="utf-8").startswith('{"schema_version": 5,')
    assert fsyncs == ["file", "dir"]


def test_failure_keeps_old_content_and_leaves_no_temp_file(tmp_path):
    target = tmp_path / "side.txt"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_write(str(target), prefix=".side-") as handle:
        handle.write("half of the new")
        raise RuntimeError("disk full")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert os.listdir(tmp_path) == ["side.txt"]


def test_replaces_whole(tmp_path):
    target = tmp_path / "side.txt"
    target.write_text("a much longer old content\n", encoding="utf-8")
    with atomic_write(str(target)) as handle:
        handle.write("new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert os.listdir(tmp_path) == ["side.txt"]
