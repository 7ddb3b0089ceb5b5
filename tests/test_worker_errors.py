"""Errors cross process boundaries intact (issue 14 item 3).

Indexing workers send the errors of bad files back to the parent process by pickling them;
an error class whose ``__init__`` takes other arguments than ``(message)`` used to fail to
unpickle (``InputError.__init__() missing 1 required positional argument: 'reason'``), so any
skipped file ended every parallel run.
"""

from __future__ import annotations

import gzip
import inspect
import json
import os
import pickle
from pathlib import Path
from typing import Any

import pytest

from newssearch import errors
from newssearch.indexing import index_paths
from newssearch.ingest import MAX_ARTICLE_BYTES
from newssearch.search.searcher import Searcher


def _all_error_classes() -> list[type[errors.NewssearchError]]:
    found: list[type[errors.NewssearchError]] = []
    todo: list[type[errors.NewssearchError]] = [errors.NewssearchError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def _sample_arguments(cls: type[errors.NewssearchError]) -> dict[str, Any]:
    """A value for every parameter of ``cls.__init__``: ints where an int is expected, else text."""
    values: dict[str, Any] = {}
    for name, param in inspect.signature(cls.__init__).parameters.items():
        if name == "self" or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        values[name] = 7 if "int" in str(param.annotation) else f"<{name} of {cls.__name__}>"
    return values


ERROR_CLASSES = _all_error_classes()


def test_every_error_class_of_the_tree_is_found() -> None:
    names = {cls.__name__ for cls in ERROR_CLASSES}
    assert {"NewssearchError", "InputError", "IndexError_", "IndexLockedError", "QueryError", "WorkerError"} <= names
    # every class defined in errors.py is covered
    defined = {name for name, obj in vars(errors).items() if isinstance(obj, type) and issubclass(obj, errors.NewssearchError)}
    assert defined <= names


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_every_error_survives_a_pickle_round_trip(cls: type[errors.NewssearchError]) -> None:
    error = cls(**_sample_arguments(cls))
    error.extra_detail = "kept"  # type: ignore[attr-defined]
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is cls
    assert str(back) == str(error) and back.args == error.args
    assert vars(back) == vars(error)
    assert back.hint == error.hint and back.exit_code == error.exit_code
    # a hint given per instance survives too
    error.hint = "try again later"
    assert pickle.loads(pickle.dumps(error)).hint == "try again later"


def test_input_error_keeps_path_reason_and_line() -> None:
    error = errors.InputError("/corpus/feed.jsonl", "invalid JSON: Expecting value (column 1)", line=12)
    back = pickle.loads(pickle.dumps(error))
    assert (back.path, back.reason, back.line, back.where) == ("/corpus/feed.jsonl", "invalid JSON: Expecting value (column 1)", 12,
                                                               "/corpus/feed.jsonl:12")
    assert str(back) == "/corpus/feed.jsonl:12: invalid JSON: Expecting value (column 1)"


def _article(title: str, words: str) -> str:
    return f"Title: {title}\nDate: 2023-05-02\n\n{words}\n\nA second paragraph about the harbour follows.\n"


def _corpus(root: Path) -> dict[str, str]:
    """Good files among every kind of bad one; returns bad file name → reason fragment."""
    root.mkdir()
    for i in range(6):
        (root / f"good-{i}.txt").write_text(_article(f"Good story {i}", f"Story {i} tells of wombats number{i}."))
    (root / "feed.jsonl").write_text(json.dumps({"id": "feed-1", "title": "Feed one", "text": "A feed story about wombats."}) + "\n")
    bad: dict[str, str] = {}
    (root / "empty.txt").write_bytes(b"")
    bad["empty.txt"] = "empty file"
    (root / "missing.html").write_text(
        "<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1>"
        "<p>The requested URL was not found on this server.</p></body></html>"
    )
    bad["missing.html"] = "404"
    with open(root / "huge.txt", "wb") as handle:  # sparse: its size alone says it is too big
        handle.truncate(MAX_ARTICLE_BYTES + 1)
    bad["huge.txt"] = "file too large"
    with gzip.open(root / "bomb.txt.gz", "wb") as handle:  # ~25 KB expanding past the limit
        handle.write(b" " * (MAX_ARTICLE_BYTES + 2**20))
    bad["bomb.txt.gz"] = "too large after gunzip"
    (root / "broken.txt.gz").write_bytes(b"\x1f\x8b\x08\x00not really gzip")
    bad["broken.txt.gz"] = "broken gzip"
    (root / "junk.txt").write_bytes(bytes(range(256)) * 4)
    bad["junk.txt"] = "binary"
    (root / "shape.json").write_text("42")
    bad["shape.json"] = "wrong shape"
    return bad


def test_parallel_run_with_bad_files_indexes_the_good_and_names_the_bad(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    bad = _corpus(root)
    report = index_paths([root], tmp_path / "ix", workers=2)
    assert report.added == 7
    reasons = {os.path.basename(e.path): e.reason for e in report.skipped}
    assert set(reasons) == set(bad)
    for name, fragment in bad.items():
        assert fragment in reasons[name], (name, reasons[name])
    with Searcher(tmp_path / "ix") as searcher:
        assert searcher.search("wombats").total == 7
    # a second parallel run reads nothing again and names the bad files again
    again = index_paths([root], tmp_path / "ix", workers=2)
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 7)
    assert {os.path.basename(e.path) for e in again.skipped} == set(bad)
