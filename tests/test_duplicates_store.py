"""The index keeps its near-duplicate groups (issue 20): signatures computed while articles
are prepared (in workers too), groups updated as articles are added, edited and removed,
saved in ``duplicates.npz`` stamped with the index generation, rebuilt when missing, stale
or garbled."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from indexed import indexed  # tests/indexed.py

from newssearch.cli import cli
from newssearch.enrich.duplicates import DuplicateIndex, read_groups, saved_meta, signature
from newssearch.indexing import index_paths
from newssearch.store.duplicates import FILE, stored_articles
from newssearch.store.index import open_index, read_meta

VOCAB = [f"w{n}" for n in range(3000)]


def text(seed: int, paragraphs: int = 4, words: int = 60) -> list[str]:
    """Paragraphs of words no other seed shares in the same order."""
    rng = random.Random(seed)
    return [" ".join(rng.choice(VOCAB) for _ in range(words)) + "." for _ in range(paragraphs)]


def edited(paragraphs: list[str], seed: int) -> list[str]:
    """A copy with a few words changed (word 5-shingle Jaccard about 0.9)."""
    rng = random.Random(seed)
    out = []
    for p in paragraphs:
        words = p.split()
        words[rng.randrange(len(words))] = "changed"
        out.append(" ".join(words))
    return out


def record(article_id: str, paragraphs: list[str], published: str, source: str = "wire", title: str | None = None) -> dict[str, str]:
    return {"id": article_id, "title": title or f"Story {article_id}", "text": "\n\n".join(paragraphs), "published": published,
            "source": source}


def write(path: Path, records: list[dict[str, str]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def groups(index: Path) -> set[frozenset[str]]:
    return {frozenset(g.ids) for g in read_groups(str(index / FILE)).values()}


def rebuilt_groups(index: Path) -> set[frozenset[str]]:
    """The groups of a duplicate index built from scratch from what the index holds."""
    built = DuplicateIndex()
    with open_index(str(index)).searcher() as searcher:
        for article_id, published, body in stored_articles(searcher):
            built.add(article_id, signature(body), published, len(body.split()))
    return {frozenset(g.ids) for g in built.groups()}


ORIGINAL = text(1)
FOLLOW_UP = [ORIGINAL[1], *text(2, 3)]  # a later story repeating one paragraph (a quote)


def corpus(folder: Path) -> Path:
    folder.mkdir()
    write(folder / "wire.jsonl", [record("A", ORIGINAL, "2024-03-01T10:00:00", "reuters", "Harbour strike ends")])
    write(folder / "papers.jsonl", [
        record("B", edited(ORIGINAL, 5), "2024-03-01T12:00:00", "bbc", "Harbour strike is over"),
        record("C", FOLLOW_UP, "2024-03-02", "bbc", "Harbour strike: what next"),
        record("D", text(3), "2024-03-01", "bbc", "Unrelated"),
    ])
    return folder


@pytest.mark.parametrize("workers", [1, 2])
def test_copies_are_grouped_at_index_time_and_a_follow_up_is_not(tmp_path: Path, workers: int) -> None:
    index = tmp_path / "index"
    index_paths([corpus(tmp_path / "corpus")], index, workers=workers)
    assert groups(index) == {frozenset({"A", "B"})}
    group = read_groups(str(index / FILE))["B"]
    assert group.representative == "A"  # published first
    assert 0.8 <= group.members[1].similarity < 1.0
    generation = read_meta(str(index))["generation"]
    assert saved_meta(str(index / FILE)) == {"generation": generation, "groups": 1, "docnums": generation}
    assert groups(index) == rebuilt_groups(index)


def test_adding_editing_and_deleting_update_the_groups(tmp_path: Path) -> None:
    folder, index = corpus(tmp_path / "corpus"), tmp_path / "index"
    index_paths([folder], index)
    # a third copy, published earlier: it becomes the representative
    write(folder / "early.jsonl", [record("E", ORIGINAL, "2024-02-29", "ap")])
    index_paths([folder], index)
    assert groups(index) == {frozenset({"A", "B", "E"})}
    assert read_groups(str(index / FILE))["A"].representative == "E"
    # B edited into another story: it leaves the group
    write(folder / "papers.jsonl", [record("B", text(7), "2024-03-01T12:00:00", "bbc"), record("C", FOLLOW_UP, "2024-03-02", "bbc")])
    index_paths([folder], index)
    assert groups(index) == {frozenset({"A", "E"})}
    # the earliest copy deleted: A is the representative again, then alone
    (folder / "early.jsonl").unlink()
    index_paths([folder], index)
    assert groups(index) == set()
    write(folder / "copy.jsonl", [record("F", ORIGINAL, "2024-03-05", "afp")])
    index_paths([folder], index)
    assert groups(index) == {frozenset({"A", "F"})} == rebuilt_groups(index)
    assert read_groups(str(index / FILE))["F"].representative == "A"


def test_a_missing_or_stale_file_is_rebuilt_by_the_next_run(tmp_path: Path) -> None:
    folder, index = corpus(tmp_path / "corpus"), tmp_path / "index"
    index_paths([folder], index)
    saved = (index / FILE).read_bytes()
    (index / FILE).unlink()  # an index made before groups existed
    report = index_paths([folder], index)
    assert report.added == 0 and report.unchanged == 4
    assert groups(index) == {frozenset({"A", "B"})}
    # a run stopped between the index's commit and this file's: the file of the commit before
    write(folder / "copy.jsonl", [record("F", ORIGINAL, "2024-03-05", "afp")])
    index_paths([folder], index)
    (index / FILE).write_bytes(saved)
    assert groups(index) == {frozenset({"A", "B"})}
    index_paths([folder], index)
    assert groups(index) == {frozenset({"A", "B", "F"})}
    assert saved_meta(str(index / FILE))["generation"] == read_meta(str(index))["generation"]


def test_a_garbled_file_is_rebuilt_by_the_writer(tmp_path: Path) -> None:
    folder, index = corpus(tmp_path / "corpus"), tmp_path / "index"
    index_paths([folder], index)
    (index / FILE).write_bytes(b"PK\x03\x04 not an archive")
    write(folder / "copy.jsonl", [record("F", ORIGINAL, "2024-03-05", "afp")])
    index_paths([folder], index)
    assert groups(index) == {frozenset({"A", "B", "F"})}


def test_rebuild_starts_the_groups_again_and_no_temporary_file_is_left(tmp_path: Path) -> None:
    folder, index = corpus(tmp_path / "corpus"), tmp_path / "index"
    index_paths([folder], index)
    (folder / "wire.jsonl").unlink()
    result = CliRunner().invoke(cli, ["index", "--rebuild", "--index", str(index), str(folder)])
    assert result.exit_code == 0, result.output
    assert groups(index) == set() and set(indexed(index)) == {"B", "C", "D"}
    assert not [n for n in os.listdir(index) if n.startswith(".dups-")]


def test_the_duplicates_file_must_be_a_file(tmp_path: Path) -> None:
    folder, index = corpus(tmp_path / "corpus"), tmp_path / "index"
    index_paths([folder], index)
    (index / FILE).unlink()
    (index / FILE).mkdir()
    result = CliRunner().invoke(cli, ["index", "--index", str(index), str(folder)])
    assert result.exit_code == 3
    assert "damaged" in result.output and FILE in result.output and "Traceback" not in result.output
