"""The groups a searcher reads from ``duplicates.npz`` (:func:`read_search_groups`): the same
groups, in the same representative order, as the duplicate index itself and NumPy's
reading of the file, read with the standard library only and without the signatures."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from test_duplicates import DAY, story, text_of

from newssearch.enrich import duplicates as dup
from newssearch.enrich.duplicates import DuplicateIndex
from newssearch.errors import IndexDamagedError
from newssearch.store import duplicates as store_dup
from newssearch.store.duplicates import FILE, read_search_groups


def _saved(tmp_path: Path, generation: int = 4) -> tuple[Path, DuplicateIndex]:
    """An index folder holding only a duplicates file: three stories, one with copies tied on
    date and length (the smallest id comes first), one undated copy, and an article alone."""
    index = DuplicateIndex()
    first, second, third = text_of(story(10)), text_of(story(11)), text_of(story(12))
    for article_id, text, when in (
        ("z-wire", first, dt.datetime(2024, 3, 1, 9)), ("b-wire", first, dt.datetime(2024, 3, 1, 9)),
        ("a-later", first, dt.datetime(2024, 3, 2)), ("m-copy", second, DAY), ("k-copy", second, None),
        ("q-one", third, DAY), ("é-two", third, dt.datetime(2023, 12, 31)), ("alone", text_of(story(13)), DAY),
    ):
        index.add(article_id, dup.signature(text), when, len(dup.words(text)))
    index.meta = {"generation": generation, "groups": len(index.groups())}
    folder = tmp_path / "index"
    folder.mkdir()
    (folder / FILE).write_bytes(index.save())
    return folder, index


def test_search_groups_are_the_index_groups(tmp_path: Path) -> None:
    folder, index = _saved(tmp_path)
    table = read_search_groups(str(folder), 4)
    assert table is not None and len(table) == 3
    expected = {a: g for g in index.groups() for a in g.ids}
    assert table.groups() == expected == dup.read_groups(str(folder / FILE))
    assert expected["z-wire"].ids == ("b-wire", "z-wire", "a-later")  # (a tie on date and length: by id)
    assert expected["m-copy"].ids == ("m-copy", "k-copy")  # (undated last)
    assert sorted(tuple(table.version(row).id for row in table.rows(k)) for k in range(len(table))) == sorted(g.ids for g in index.groups())
    assert read_search_groups(str(folder), 5) is None  # (a stale file: no groups)


def test_search_groups_read_without_numpy_nor_signatures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, index = _saved(tmp_path)
    read: list[str] = []
    real = store_dup._plain_arrays

    def plain(path: str, names: tuple[str, ...]):  # type: ignore[no-untyped-def]
        read.extend(names)
        return real(path, names)

    monkeypatch.setattr(store_dup, "_plain_arrays", plain)
    monkeypatch.setattr(dup, "read_arrays", lambda *a: pytest.fail("NumPy read the file"))
    table = read_search_groups(str(folder), 4)
    assert table is not None and table.groups() == {a: g for g in index.groups() for a in g.ids}
    assert "signatures" not in read and read
    code = (
        "import sys\nfrom newssearch.store.duplicates import read_search_groups\n"
        f"assert len(read_search_groups({str(folder)!r}, 4)) == 3\nprint('numpy' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_a_file_numpy_must_read_gives_the_same_groups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, index = _saved(tmp_path)
    monkeypatch.setattr(store_dup, "_plain_arrays", lambda path, names: None)
    table = read_search_groups(str(folder), 4)
    assert table is not None and table.groups() == {a: g for g in index.groups() for a in g.ids}


def test_garbled_arrays_are_a_damaged_index(tmp_path: Path) -> None:
    folder, _ = _saved(tmp_path)
    data = (folder / FILE).read_bytes()
    at = data.index(b"representative.npy")
    (folder / FILE).write_bytes(data[: at + 200] + b"\xff" * 64 + data[at + 264 :])  # (the array's bytes, not its header)
    with pytest.raises(IndexDamagedError):
        read_search_groups(str(folder), 4)


def test_the_writer_saves_each_generations_document_numbers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After the first run and after runs that add, edit and delete articles, the document
    numbers saved with the groups are the index's own, and a searcher looks up no id."""
    from test_duplicates_store import ORIGINAL, corpus, edited, record, text, write

    from newssearch.indexing import index_paths
    from newssearch.search import searcher as searcher_module
    from newssearch.search.searcher import Searcher
    from newssearch.store.reading import document_numbers

    folder = corpus(tmp_path / "corpus")
    index = tmp_path / "index"
    steps = [
        lambda: None,
        lambda: write(folder / "more.jsonl", [record("E", edited(ORIGINAL, 5), "2024-03-03", "ap"), record("F", text(8), "2024-03-04")]),
        lambda: (folder / "wire.jsonl").unlink(),
        lambda: write(folder / "more.jsonl", [record("E", edited(ORIGINAL, 5), "2024-03-03", "ap"), record("G", edited(ORIGINAL, 5), "2024-03-05")]),
    ]
    for step in steps:
        step()
        index_paths([folder], index, workers=1)
        with Searcher(index) as s:
            generation = s._reader.generation()
            table = read_search_groups(str(index), generation)
            assert table is not None and table.docnums is not None
            expected = document_numbers(s._reader, "id", table.ids)
            assert {a: d for a, d in zip(table.ids, table.docnums) if d >= 0} == expected
            with monkeypatch.context() as patch:
                patch.setattr(searcher_module, "document_numbers", lambda *a: pytest.fail("looked the ids up"))
                stories = s.stories()
            assert stories.members and {s._reader.stored_fields(d)["id"] for d in stories.story_of} == set(expected)
    with Searcher(index) as s:
        assert len(s.search("", collapse=False).hits) == 5 and s.search("").stories == 3  # (B, E, G: one story; C; D)


def test_document_numbers_of_another_generation_are_not_used(tmp_path: Path) -> None:
    folder, index = _saved(tmp_path)
    data = DuplicateIndex.load(folder / FILE)
    data.meta = {"generation": 4, "groups": 3, "docnums": 3}
    (folder / FILE).write_bytes(data.save({a: n for n, a in enumerate(data.ids())}))
    table = read_search_groups(str(folder), 4)
    assert table is not None and table.docnums is None
    data.meta["docnums"] = 4
    (folder / FILE).write_bytes(data.save({a: n for n, a in enumerate(data.ids())}))
    table = read_search_groups(str(folder), 4)
    assert table is not None and table.docnums is not None
    assert [table.docnums[row] for row in range(len(table.ids))] == [data.ids().index(a) for a in table.ids]


def test_an_unchanged_run_adds_the_document_numbers_to_an_older_file(tmp_path: Path) -> None:
    from test_duplicates_store import corpus

    from newssearch.indexing import index_paths
    from newssearch.search.searcher import Searcher

    folder = corpus(tmp_path / "corpus")
    index = tmp_path / "index"
    index_paths([folder], index, workers=1)
    saved = DuplicateIndex.load(index / FILE)
    generation = saved.meta["generation"]
    saved.meta = {"generation": generation, "groups": 1}  # (as written before document numbers were)
    (index / FILE).write_bytes(saved.save())
    assert read_search_groups(str(index), generation).docnums is None  # type: ignore[union-attr]
    report = index_paths([folder], index, workers=1)
    assert report.added == 0 and report.unchanged == 4
    with Searcher(index) as s:
        assert s._reader.generation() == generation
        table = read_search_groups(str(index), generation)
        assert table is not None and table.docnums is not None
        assert sorted(s._reader.stored_fields(d)["id"] for d in table.docnums) == ["A", "B"]
