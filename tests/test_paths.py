"""Paths (issue 14 item 11): symbolic links that leave the folder given are not followed
unless asked (``follow_links``/``--follow-links``); a corpus reached through a symlinked root
is the same corpus (one file, one article, one id); file names with any bytes are indexed,
stored and printed as text."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from newssearch.cli import cli
from newssearch.indexing import index_paths
from newssearch.ingest import discover
from newssearch.search.searcher import Searcher

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink") or os.name != "posix", reason="POSIX file names and symbolic links")


def _article(title: str, words: str) -> str:
    return f"Title: {title}\nDate: 2023-05-02\n\n{words}\n\nA second paragraph about the harbour follows.\n"


def _ids_and_paths(index_dir: Path) -> dict[str, str]:
    """Indexed article id → path, read through the public API."""
    with Searcher(index_dir) as searcher:
        result = searcher.search("", limit=1000)
        return {hit.id: searcher.article(hit.id).path for hit in result.hits}


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder outside the corpus holding a file that must not be indexed by default."""
    secret = tmp_path / "outside"
    secret.mkdir()
    (secret / "secret.txt").write_text(_article("Secret", "The password is swordfish."))
    (secret / "more.txt").write_text(_article("More secrets", "The vault code is kumquat."))
    return secret


def test_link_to_a_file_outside_the_folder_is_not_followed(tmp_path: Path, outside: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "story.txt").write_text(_article("Story", "Otters were seen in the river."))
    os.symlink(outside / "secret.txt", corpus / "passwd.txt")
    report = index_paths([corpus], tmp_path / "ix")
    assert report.added == 1
    [skip] = report.skipped
    assert skip.path == str(corpus / "passwd.txt")
    assert "outside" in skip.reason and "follow" in skip.reason
    with Searcher(tmp_path / "ix") as searcher:
        assert searcher.search("swordfish").total == 0
        assert searcher.search("otters").total == 1


def test_follow_links_indexes_links_that_leave_the_folder(tmp_path: Path, outside: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "story.txt").write_text(_article("Story", "Otters were seen in the river."))
    os.symlink(outside / "secret.txt", corpus / "passwd.txt")
    os.symlink(outside, corpus / "linked-folder")
    report = index_paths([corpus], tmp_path / "ix", follow_links=True)
    # secret.txt is reached twice (passwd.txt, linked-folder/secret.txt): one file, one article
    assert report.added == 3 and not report.skipped
    paths = sorted(_ids_and_paths(tmp_path / "ix").values())
    # articles of files outside the folder are named by where they were found in it
    assert paths == sorted(str(corpus / p) for p in ("story.txt", "passwd.txt", "linked-folder/more.txt"))
    # the links are removed: their articles go too
    os.remove(corpus / "passwd.txt")
    os.remove(corpus / "linked-folder")
    again = index_paths([corpus], tmp_path / "ix", follow_links=True)
    assert (again.added, again.removed, again.unchanged) == (0, 2, 1)

    runner = CliRunner()
    os.symlink(outside / "secret.txt", corpus / "passwd.txt")
    result = runner.invoke(cli, ["index", str(corpus), "--index", str(tmp_path / "ix-cli"), "--follow-links", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["added"] == 2
    result = runner.invoke(cli, ["index", str(corpus), "--index", str(tmp_path / "ix-cli2"), "--json"])
    assert json.loads(result.stdout)["added"] == 1


def test_link_to_a_folder_outside_is_named_not_followed(tmp_path: Path, outside: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "story.txt").write_text(_article("Story", "Otters were seen in the river."))
    os.symlink(outside, corpus / "elsewhere")
    os.symlink(".", corpus / "self")  # a link back into the folder: its files are indexed once, silently
    report = index_paths([corpus], tmp_path / "ix")
    assert report.added == 1
    assert [(e.path, "outside" in e.reason) for e in report.skipped] == [(str(corpus / "elsewhere"), True)]


def test_links_within_the_folder_give_one_article_under_the_real_name(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "real").mkdir(parents=True)
    (corpus / "real/story.txt").write_text(_article("Story", "Otters were seen in the river."))
    os.symlink("real/story.txt", corpus / "a-alias.txt")  # walked before real/
    os.symlink("real", corpus / "b-alias-folder")
    report = index_paths([corpus], tmp_path / "ix", follow_links=True)
    assert report.added == 1 and not report.skipped
    assert list(_ids_and_paths(tmp_path / "ix").values()) == [str(corpus / "real/story.txt")]


def test_a_symlinked_root_is_the_same_corpus(tmp_path: Path) -> None:
    real = tmp_path / "archive"
    real.mkdir()
    for i in range(3):
        (real / f"s{i}.txt").write_text(_article(f"Story {i}", f"Story {i} about otters."))
    (real / "feed.jsonl").write_text(json.dumps({"title": "Feed", "text": "A feed story about otters."}) + "\n")
    link = tmp_path / "current"
    os.symlink(real, link)
    first = index_paths([link], tmp_path / "ix")
    assert first.added == 4
    before = _ids_and_paths(tmp_path / "ix")
    second = index_paths([real], tmp_path / "ix")
    assert (second.added, second.updated, second.removed, second.unchanged) == (0, 0, 0, 4)
    third = index_paths([link / "s0.txt", real / "s1.txt"], tmp_path / "ix")
    assert (third.added, third.removed, third.unchanged) == (0, 0, 2)
    after = _ids_and_paths(tmp_path / "ix")
    assert after == before and len(after) == 4
    assert all(p.startswith(str(real.resolve())) for p in after.values())
    # both roots at once: still one article per file
    both = index_paths([link, real], tmp_path / "ix2")
    assert both.added == 4


def test_file_names_with_any_bytes_are_indexed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    latin1 = os.path.join(os.fsencode(corpus), b"caf\xe9.txt")  # not UTF-8
    with open(latin1, "wb") as handle:
        handle.write(_article("Latin-1 name", "Zebras crossed the park.").encode())
    bad_folder = os.path.join(os.fsencode(corpus), b"d\xffir")
    os.mkdir(bad_folder)
    with open(os.path.join(bad_folder, b"feed.jsonl"), "wb") as handle:
        handle.write(json.dumps({"id": "f1", "title": "Feed", "text": "Zebras in a feed."}).encode() + b"\n")
    escape = corpus / "\x1b[2Jclear.txt"  # a control character: kept as data
    escape.write_text(_article("Escape name", "Zebras on the screen."))
    report = index_paths([corpus], tmp_path / "ix")
    assert report.added == 3 and not report.skipped
    paths = set(_ids_and_paths(tmp_path / "ix").values())
    assert paths == {str(corpus / "caf\\xe9.txt"), str(corpus / "d\\xffir" / "feed.jsonl"), str(escape)}
    for path in paths:
        path.encode("utf-8")  # stored as valid text
    with Searcher(tmp_path / "ix") as searcher:
        assert searcher.search("zebras").total == 3
    again = index_paths([corpus], tmp_path / "ix")
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 3)
    os.remove(latin1)
    gone = index_paths([corpus], tmp_path / "ix")
    assert (gone.removed, gone.unchanged) == (1, 2)

    # the CLI prints them (text and JSON) without failing
    runner = CliRunner()
    os.mkfifo(os.path.join(os.fsencode(corpus), b"pipe\xe9.txt"))
    result = runner.invoke(cli, ["index", str(corpus), "--index", str(tmp_path / "ix-cli"), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["added"] == 2
    assert [s["path"] for s in data["skipped"]] == [str(corpus / "pipe\\xe9.txt")]
    result = runner.invoke(cli, ["index", str(corpus), "--index", str(tmp_path / "ix-cli2")])
    assert result.exit_code == 0, result.output
    assert f"skipped {corpus / 'pipe'}\\xe9.txt: not a regular file" in result.stderr


def test_discover_names_are_text(tmp_path: Path) -> None:
    name = os.path.join(os.fsencode(tmp_path), b"\xff\xfe.json")
    with open(name, "wb") as handle:
        handle.write(b"{}")
    [found] = discover([tmp_path]).files
    assert found.path == str(tmp_path / "\\xff\\xfe.json")
    with open(found.location, "rb") as handle:  # the name to open it by
        assert handle.read() == b"{}"
