"""Incremental runs keep the index equal to the corpus: deleted, restored, edited and reverted
files, files re-read after churn, and article ids that more than one record claims (issue 14,
items 1, 2 and 12)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from indexed import indexed  # tests/indexed.py

from newssearch import Searcher
from newssearch.cli import cli
from newssearch.indexing import IndexReport, index_paths
from newssearch.model import stable_id


def _write_txt(path: Path, title: str, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"Title: {title}\n\n{body}\n", encoding="utf-8")


def _jsonl(path: Path, records: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def _counts(report: IndexReport) -> tuple[int, int, int, int]:
    return report.added, report.updated, report.removed, report.unchanged


def _stats_articles(index_dir: Path) -> int:
    with Searcher(index_dir) as searcher:
        return searcher.stats().articles


# -- item 1: a deleted file that comes back --------------------------------------------------


def test_a_deleted_then_restored_file_comes_back(tmp_path: Path) -> None:
    corpus, index, aside = tmp_path / "corpus", tmp_path / "index", tmp_path / "aside"
    for n in (1, 2, 3):
        _write_txt(corpus / f"00{n}.txt", f"Story {n}", f"Body of story number {n} about the harbour.")
    assert _counts(index_paths([corpus], index, workers=1)) == (3, 0, 0, 0)
    aside.mkdir()
    shutil.move(corpus / "002.txt", aside / "002.txt")
    assert _counts(index_paths([corpus], index, workers=1)) == (0, 0, 1, 2)
    again = index_paths([corpus], index, workers=1)
    assert _counts(again) == (0, 0, 0, 2) and again.files_read == 0  # removed once, not on every run
    shutil.move(aside / "002.txt", corpus / "002.txt")
    back = index_paths([corpus], index, workers=1)
    assert _counts(back) == (1, 0, 0, 2) and back.files_read == 1
    assert _stats_articles(index) == 3
    assert indexed(index)[stable_id(str(corpus / "002.txt"))] == ("Story 2", "Body of story number 2 about the harbour.")


def test_a_deleted_then_restored_jsonl_record_comes_back(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    records = [{"id": f"r{n}", "title": f"Record {n}", "text": f"Text of record {n}."} for n in range(3)]
    _jsonl(corpus / "feed.jsonl", records)
    index_paths([corpus], index, workers=1)
    _jsonl(corpus / "feed.jsonl", [records[0], records[2]])
    assert _counts(index_paths([corpus], index, workers=1)) == (0, 2, 1, 0)
    assert _counts(index_paths([corpus], index, workers=1)) == (0, 0, 0, 2)
    _jsonl(corpus / "feed.jsonl", records)
    assert _counts(index_paths([corpus], index, workers=1)) == (1, 2, 0, 0)
    assert sorted(indexed(index)) == ["r0", "r1", "r2"]


def test_a_file_emptied_loses_its_articles_and_one_that_cannot_be_read_keeps_them(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    _jsonl(corpus / "feed.jsonl", [{"id": f"r{n}", "title": f"Record {n}", "text": f"Text {n}."} for n in range(3)])
    _write_txt(corpus / "note.txt", "Note", "A note.")
    index_paths([corpus], index, workers=1)
    (corpus / "feed.jsonl").write_text("\n\n", encoding="utf-8")  # read, but no article in it now
    report = index_paths([corpus], index, workers=1)
    assert _counts(report) == (0, 0, 3, 1) and [e.reason for e in report.skipped] == ["empty file"]
    assert len(indexed(index)) == 1
    if os.geteuid() != 0:  # (root reads any file)
        (corpus / "note.txt").chmod(0)
        report = index_paths([corpus], index, workers=1)
        assert _counts(report) == (0, 0, 0, 1) and "permission denied" in [e.reason for e in report.skipped]
        assert len(indexed(index)) == 1


# -- item 2: edited, reverted, and churned files -----------------------------------------------


def test_an_edited_file_is_read_once_and_a_reverted_edit_brings_back_the_first_text(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    for n in range(20):
        _write_txt(corpus / f"{n:03d}.txt", f"Story {n}", f"The original harbour text of story {n}.")
    index_paths([corpus], index, workers=1)
    for n in range(20):
        _write_txt(corpus / f"{n:03d}.txt", f"Story {n}", f"An edited railway text of story {n}.")
    assert _counts(index_paths([corpus], index, workers=1)) == (0, 20, 0, 0)
    again = index_paths([corpus], index, workers=1)
    assert _counts(again) == (0, 0, 0, 20) and again.files_read == 0  # not "1 updated" forever
    for n in range(20):
        _write_txt(corpus / f"{n:03d}.txt", f"Story {n}", f"The original harbour text of story {n}.")
    reverted = index_paths([corpus], index, workers=1)
    assert _counts(reverted) == (0, 20, 0, 0) and reverted.files_read == 20
    with Searcher(index) as searcher:
        assert searcher.search("railway").total == 0
        assert searcher.search("harbour").total == 20
    assert all(text.startswith("The original harbour text") for _, text in indexed(index).values())
    last = index_paths([corpus], index, workers=1)
    assert _counts(last) == (0, 0, 0, 20) and last.files_read == 0


@pytest.mark.parametrize("workers", [1, 2])
def test_after_churn_an_unchanged_corpus_reads_no_file(tmp_path: Path, workers: int) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    for n in range(40):
        _write_txt(corpus / f"{n:03d}.txt", f"Story {n}", f"Round 0 of story {n}.")
    index_paths([corpus], index, workers=workers, commit_every=7)
    for round_ in range(1, 6):  # each round edits, deletes and restores a different share
        for n in range(round_, 40, round_ + 1):
            _write_txt(corpus / f"{n:03d}.txt", f"Story {n}", f"Round {round_} of story {n}.")
        gone = corpus / f"{round_:03d}.txt"
        saved = gone.read_bytes()
        gone.unlink()
        index_paths([corpus], index, workers=workers, commit_every=7)
        gone.write_bytes(saved)
        index_paths([corpus], index, workers=workers, commit_every=7)
    files = sorted(p.name for p in index.iterdir())
    quiet = index_paths([corpus], index, workers=workers, commit_every=7)
    assert _counts(quiet) == (0, 0, 0, 40) and quiet.files_read == 0
    assert sorted(p.name for p in index.iterdir()) == files  # nothing written, nothing left behind
    assert len(indexed(index)) == 40 == _stats_articles(index)


def test_the_store_reports_only_live_files(tmp_path: Path) -> None:
    """What the index says it holds comes from live documents only: terms of deleted documents
    (kept by Whoosh until a merge) do not count."""
    from newssearch.store.writer import IndexStore

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    for n in range(3):
        _write_txt(corpus / f"{n}.txt", f"Story {n}", f"Text {n}.")
    _jsonl(corpus / "feed.jsonl", [{"id": f"j{n}", "title": f"J {n}", "text": f"Record {n}."} for n in range(4)])
    index_paths([corpus], index, workers=1)
    (corpus / "1.txt").unlink()
    _jsonl(corpus / "feed.jsonl", [{"id": f"j{n}", "title": f"J {n}", "text": f"Record {n}."} for n in range(2)])
    index_paths([corpus], index, workers=1)
    store = IndexStore(str(index))
    try:
        known = store.known_files()
    finally:
        store.cancel()
    assert {Path(p).name: count for p, (_, count) in known.items()} == {"0.txt": 1, "2.txt": 1, "feed.jsonl": 2}


# -- item 12: duplicate ids ------------------------------------------------------------------


def test_duplicate_ids_in_one_file_the_last_record_wins(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    _jsonl(corpus / "feed.jsonl", [
        {"id": "X1", "title": "First", "text": "The first version."},
        {"id": "Y", "title": "Other", "text": "Another story."},
        {"id": "X1", "title": "Second", "text": "The second version."},
        {"id": "X1", "title": "Third", "text": "The third version."},
    ])
    report = index_paths([corpus], index, workers=1)
    assert _counts(report) == (2, 0, 0, 0)
    assert [(e.line, e.reason) for e in report.skipped] == [
        (1, "duplicate id 'X1': the record on line 4 has the same id and replaces this one"),
        (3, "duplicate id 'X1': the record on line 4 has the same id and replaces this one"),
    ]
    assert report.skip_reasons() == {"duplicate id": 2}
    assert indexed(index) == {"X1": ("Third", "The third version."), "Y": ("Other", "Another story.")}
    assert _stats_articles(index) == 2
    with Searcher(index) as searcher:
        assert searcher.search("version").total == 1
        assert searcher.article("X1")["title"] == "Third"
    assert _counts(index_paths([corpus], index, workers=1)) == (0, 0, 0, 2)


def test_duplicate_ids_in_a_json_list(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "list.json").write_text(json.dumps([
        {"id": "A", "title": "Old", "text": "Old text."},
        {"id": "A", "title": "New", "text": "New text."},
    ]), encoding="utf-8")
    report = index_paths([corpus], index, workers=1)
    assert report.added == 1 and [e.reason for e in report.skipped] == ["duplicate id 'A': item 1 has the same id and replaces item 0"]
    assert indexed(index) == {"A": ("New", "New text.")}


def test_an_id_used_by_two_files_stays_with_the_first_and_the_other_gets_a_suffix(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    _jsonl(corpus / "b.jsonl", [{"id": "X1", "title": "From b", "text": "Text of b."}])
    assert _counts(index_paths([corpus], index, workers=1)) == (1, 0, 0, 0)
    # a file sorting before b claims X1: it takes it, and b's record moves to X1~<b's tag>
    _jsonl(corpus / "a.jsonl", [{"id": "X1", "title": "From a", "text": "Text of a."}])
    report = index_paths([corpus], index, workers=1)
    b_id = "X1~" + stable_id(str(corpus / "b.jsonl"))[:8]
    assert [w.reason for w in report.warnings] == [f"id 'X1' is also used by {corpus / 'a.jsonl'}; this record is indexed as '{b_id}'"]
    assert report.warnings[0].path == str(corpus / "b.jsonl")
    assert indexed(index) == {"X1": ("From a", "Text of a."), b_id: ("From b", "Text of b.")}
    assert (report.added, report.removed) == (2, 1)  # a's X1, b's X1~…; b's old X1
    assert _stats_articles(index) == 2
    # what a rebuild gives, and nothing to do on the next run
    assert _counts(index_paths([corpus], index, workers=1)) == (0, 0, 0, 2)
    rebuilt = tmp_path / "rebuilt"
    index_paths([corpus], rebuilt, workers=1)
    assert indexed(rebuilt) == indexed(index)
    # a gives up X1: b's record gets it back
    (corpus / "a.jsonl").unlink()
    report = index_paths([corpus], index, workers=1)
    assert indexed(index) == {"X1": ("From b", "Text of b.")}
    assert (report.added, report.removed) == (1, 2) and not report.warnings
    with Searcher(index) as searcher:
        assert searcher.article("X1")["title"] == "From b"
    assert _counts(index_paths([corpus], index, workers=1)) == (0, 0, 0, 1)


def test_an_id_given_up_by_two_files_in_one_run_goes_to_the_third(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    for name in "abc":
        _jsonl(corpus / f"{name}.jsonl", [{"id": "X", "title": f"X in {name}", "text": f"Text of {name}."}])
    index_paths([corpus], index, workers=1)
    assert set(indexed(index)) == {"X", "X~" + stable_id(str(corpus / "b.jsonl"))[:8], "X~" + stable_id(str(corpus / "c.jsonl"))[:8]}
    # a gives X up; b, next in line, gives it up too: c gets it
    _jsonl(corpus / "a.jsonl", [{"id": "Y", "title": "Y in a", "text": "Text of a."}])
    _jsonl(corpus / "b.jsonl", [{"id": "Z", "title": "Z in b", "text": "Text of b."}])
    report = index_paths([corpus], index, workers=1)
    assert indexed(index) == {"Y": ("Y in a", "Text of a."), "Z": ("Z in b", "Text of b."), "X": ("X in c", "Text of c.")}
    assert (report.added, report.updated, report.removed, report.files_read) == (3, 0, 3, 3)
    assert _counts(index_paths([corpus], index, workers=1)) == (0, 0, 0, 3)


def test_an_indexed_file_outside_the_folders_of_a_run_keeps_its_ids(tmp_path: Path) -> None:
    index = tmp_path / "index"
    _jsonl(tmp_path / "later" / "z.jsonl", [{"id": "X", "title": "X in z", "text": "Text of z."}])
    _jsonl(tmp_path / "early" / "a.jsonl", [{"id": "X", "title": "X in a", "text": "Text of a."}])
    index_paths([tmp_path / "later"], index, workers=1)
    report = index_paths([tmp_path / "early"], index, workers=1)  # z.jsonl is not read in this run
    suffixed = "X~" + stable_id(str(tmp_path / "early" / "a.jsonl"))[:8]
    assert indexed(index) == {"X": ("X in z", "Text of z."), suffixed: ("X in a", "Text of a.")}
    assert (report.added, report.removed, len(report.warnings)) == (1, 0, 1)


def test_an_id_of_a_text_file_is_never_taken_by_a_json_record(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    _write_txt(corpus / "z.txt", "Plain", "Plain text file.")
    taken = stable_id(str(corpus / "z.txt"))
    _jsonl(corpus / "a.jsonl", [{"id": taken, "title": "Record", "text": "A record with a hash id."}])
    report = index_paths([corpus], index, workers=1)
    suffixed = taken + "~" + stable_id(str(corpus / "a.jsonl"))[:8]
    assert indexed(index) == {taken: ("Plain", "Plain text file."), suffixed: ("Record", "A record with a hash id.")}
    assert report.added == 2 and len(report.warnings) == 1


def test_duplicate_ids_through_the_cli_counts_agree(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    _jsonl(corpus / "a.jsonl", [{"id": "X1", "title": f"Take {n}", "text": f"Harbour take {n}."} for n in range(3)])
    _jsonl(corpus / "b.jsonl", [{"id": "X1", "title": "Other file", "text": "Harbour in another file."}])
    runner = CliRunner()
    result = runner.invoke(cli, ["index", "--index", str(index), str(corpus)])
    assert result.exit_code == 0, result.output
    assert "2 added, 0 updated, 0 removed, 0 unchanged, 2 skipped (2 duplicate id)" in result.output
    assert "duplicate id 'X1'" in result.output and "is also used by" in result.output
    stats = runner.invoke(cli, ["stats", "--index", str(index), "--json"])
    query = runner.invoke(cli, ["query", "harbour", "--index", str(index), "--json"])
    show = runner.invoke(cli, ["show", "X1", "--index", str(index), "--json"])
    assert json.loads(stats.output)["articles"] == 2
    assert json.loads(query.output)["total"] == 2
    assert json.loads(show.output)["title"] == "Take 2"
