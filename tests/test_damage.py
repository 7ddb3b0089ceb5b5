"""A damaged index: one line saying so (never a traceback), and ``index --rebuild`` recovers.

The damage matrix: each kind of file in an index folder (table of contents, segment, write
lock, metadata, vocabulary) deleted, truncated, emptied, garbled at its head, middle or tail,
or replaced by a folder; then every command through the CLI and the Python API. Damage to
Whoosh's files or a missing/unreadable metadata file is :class:`IndexDamagedError` (exit 3,
"Error: … is damaged …; run `newssearch index --rebuild` …" and a hint with the command);
damage to derived data (vocabulary, the people registry, the lock file's content) costs
nothing a user sees. Afterwards ``index --rebuild`` restores every article.
"""

from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from newssearch import IndexDamagedError, Searcher, index_paths
from newssearch.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"
SEED = FIXTURES / "seed" / "2023-04-20-stoltenberg-kyiv.txt"
ARTICLES = 5

KINDS = {"toc": "_MAIN_*.toc", "seg": "MAIN_*.seg", "lock": "MAIN_WRITELOCK", "meta": "newssearch.json", "vocab": "vocabulary.tsv"}
DAMAGES = ("delete", "truncate", "empty", "garble-head", "garble-mid", "garble-tail", "folder")
COMMANDS = {
    "query": ["query", "Vilnius summit"],
    "person": ["query", "--person", "Oleksiy Honcharuk", "--facet", "people", ""],
    "stats": ["stats"],
    "show": ["show", "wn-ukraine-pm"],
    "similar": ["similar", "wn-ukraine-pm"],
    "index": ["index"],  # (+ the corpus)
}


@pytest.fixture(scope="module")
def healthy(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(corpus, index) of the fixture corpus: 5 articles."""
    root = tmp_path_factory.mktemp("damage")
    corpus = root / "corpus"
    shutil.copytree(FIXTURES / "corpus", corpus)
    shutil.copy(SEED, corpus / SEED.name)
    index_paths([corpus], str(root / "index"), workers=1)
    return corpus, root / "index"


def damage(path: Path, how: str) -> None:
    """Damage one file the way ``how`` says (garbling is seeded: the same bytes every run)."""
    data = bytearray(path.read_bytes())
    if how == "delete":
        path.unlink()
    elif how == "truncate":
        path.write_bytes(bytes(data[: len(data) // 2]))
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "folder":
        path.unlink()
        path.mkdir()
        (path / "stray").write_text("x")
    else:
        rng = random.Random(how)
        start = {"garble-head": 0, "garble-mid": len(data) // 2, "garble-tail": max(0, len(data) - 64)}[how]
        for i in range(start, min(len(data), start + 64)):
            data[i] = rng.randrange(256)
        path.write_bytes(bytes(data))


def expected_exit(kind: str, how: str, command: str) -> int | None:
    """What each command must answer (None: either 0 or 3, for damage Whoosh reads only when
    a query touches it)."""
    if kind == "toc":
        # (its middle is the pickled schema, which newssearch never reads: it knows its own)
        return 0 if how == "garble-mid" else 3
    if kind == "seg":
        return None if how == "garble-mid" else 3
    if kind == "meta":  # the metadata file must say its schema version; the people registry in it is derived
        return 3 if how in ("delete", "empty", "garble-head", "folder") else 0
    # the lock's content and the vocabulary mean nothing to queries; a folder in their place stops a writer
    return 3 if how == "folder" and command == "index" else 0


def run(runner: CliRunner, name: str, index: Path, corpus: Path) -> Result:
    args = [*COMMANDS[name], "--index", str(index)]
    if name == "index":
        args.append(str(corpus))
    return runner.invoke(cli, args)


def assert_healthy_answer(name: str, result: Result) -> None:
    """The answer an undamaged index gives."""
    out = result.stdout
    if name == "query":
        assert out.startswith("1–1 of 1 matching article") and "Stoltenberg" in out
    elif name == "person":
        assert "matching article" in out and "Oleksiy Honcharuk" in out
    elif name == "stats":
        assert f"Articles:     {ARTICLES}" in out
    elif name == "show":
        assert out.startswith("Ukrainian president rejects")
    elif name == "similar":
        assert "matching article" in out or "1." in out
    elif name == "index":
        assert out.startswith(f"0 added, 0 updated, 0 removed, {ARTICLES} unchanged")


def assert_damaged_line(result: Result, index: Path) -> None:
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith(f"Error: the index at {index} is damaged (")
    assert "run `newssearch index --rebuild`" in lines[0]
    assert lines[1].startswith(f"Hint: run: newssearch index --rebuild --index {index} ")
    assert result.stdout == ""


def use_api(index: Path, corpus: Path) -> None:
    """Everything the Python API does with an index; a damage may only raise IndexDamagedError."""
    try:
        with Searcher(index) as searcher:
            searcher.search("Vilnius summit", facets=["people", "source", "year"])
            searcher.search("", person="Oleksiy Honcharuk", histogram="month")
            searcher.article("wn-ukraine-pm")
            searcher.similar("wn-ukraine-pm")
            searcher.stats()
            searcher.suggest("vilnus")
    except IndexDamagedError:
        pass
    try:
        index_paths([corpus], str(index), workers=1)
    except IndexDamagedError:
        pass


@pytest.mark.parametrize("how", DAMAGES)
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_damage_matrix(healthy: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, how: str) -> None:
    # (Whoosh retries opening a vanished segment 10 times, 50 ms apart, in case a writer just replaced it)
    monkeypatch.setattr("whoosh.index.sleep", lambda seconds: None)
    corpus, base = healthy
    index = tmp_path / "index"
    shutil.copytree(base, index)
    targets = sorted(index.glob(KINDS[kind]))
    assert targets, f"no {KINDS[kind]} in the index"
    for path in targets:
        damage(path, how)
    runner = CliRunner()
    for name in COMMANDS:
        result = run(runner, name, index, corpus)
        assert result.exception is None or isinstance(result.exception, SystemExit), (name, result.exc_info)
        want = expected_exit(kind, how, name)
        assert result.exit_code in ((0, 3) if want is None else (want,)), (name, result.output)
        if result.exit_code == 3:
            assert_damaged_line(result, index)
        elif want == 0:
            assert_healthy_answer(name, result)
    use_api(index, corpus)

    result = runner.invoke(cli, ["index", "--rebuild", "--index", str(index), str(corpus)])
    assert result.exception is None, result.exc_info
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{ARTICLES} added, 0 updated, 0 removed, 0 unchanged, 0 skipped")
    moved = [line for line in result.stderr.splitlines() if line.startswith("The damaged index was moved to ")]
    if moved:
        aside = Path(moved[0].removeprefix("The damaged index was moved to ").split(";")[0])
        assert aside.is_dir() and aside.name.startswith("index.damaged-")
    with Searcher(index) as searcher:
        assert searcher.stats().articles == ARTICLES
        assert searcher.search("Vilnius summit").total == 1
        assert searcher.search("", person="Oleksiy Honcharuk").total >= 1
    assert run(runner, "index", index, corpus).stdout.startswith(f"0 added, 0 updated, 0 removed, {ARTICLES} unchanged")


def test_rebuild_moves_a_damaged_index_aside_and_says_so(healthy: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, base = healthy
    index = tmp_path / "index"
    shutil.copytree(base, index)
    toc = next(index.glob("_MAIN_*.toc"))
    toc.write_bytes(toc.read_bytes()[:40])
    result = CliRunner().invoke(cli, ["index", "--rebuild", "--index", str(index), str(corpus)])
    assert result.exit_code == 0, result.output
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("index.damaged-")]
    assert len(aside) == 1
    assert (aside[0] / toc.name).stat().st_size == 40  # the damaged files, kept as they were
    assert f"The damaged index was moved to {aside[0]}; a new one was built in {index}." in result.stderr
    with Searcher(index) as searcher:
        assert searcher.stats().articles == ARTICLES


def test_rebuild_of_a_damaged_mount_point_moves_its_content_inside(
    healthy: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the folder itself cannot be renamed (a mount point, a parent one may not write),
    the damaged files go into a ``damaged-<time>`` folder inside it."""
    corpus, base = healthy
    index = tmp_path / "index"
    shutil.copytree(base, index)
    (index / "newssearch.json").unlink()
    real_rename = os.rename

    def rename(src: str, dst: str) -> None:
        if os.path.normpath(src) == str(index):
            raise OSError(16, "Device or resource busy", src)
        real_rename(src, dst)

    monkeypatch.setattr(os, "rename", rename)
    report = index_paths([corpus], str(index), rebuild=True, workers=1)
    assert report.added == ARTICLES
    assert report.moved_aside is not None and Path(report.moved_aside).parent == index
    assert (Path(report.moved_aside) / "vocabulary.tsv").is_file()
    with Searcher(index) as searcher:
        assert searcher.stats().articles == ARTICLES


@pytest.mark.parametrize("people", [{"spellings": [1, 2], "aliases": "x"}, "garbage", {"spellings": {"x": 3}}, None])
def test_a_garbled_people_registry_is_rebuilt_from_the_articles(healthy: tuple[Path, Path], tmp_path: Path, people: object) -> None:
    corpus, base = healthy
    index = tmp_path / "index"
    shutil.copytree(base, index)
    meta_path = index / "newssearch.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["people"] = people
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["query", "--index", str(index), "--person", "Honcharuk", "--json", ""])
    assert result.exception is None, result.exc_info
    assert json.loads(result.stdout)["total"] == 1
    result = runner.invoke(cli, ["query", "--index", str(index), "--facet", "people", "--facets-only", ""])
    assert result.exit_code == 0 and "Oleksiy Honcharuk" in result.stdout
    result = runner.invoke(cli, ["index", "--index", str(index), str(corpus)])
    assert result.exit_code == 0, result.output


GARBLED_PARTS = [
    ("cues", {"alexei navalny": []}),
    ("cues", {"volodymyr zelensky": ""}),
    ("cues", {"a": [1]}),
    ("cues", {"a": [1, "x"]}),
    ("spellings", {"jens stoltenberg": {"Jens Stoltenberg": "many"}}),
    ("aliases", {"x": ["Honcharuk"]}),
    ("articles", {"al assad": True}),
    ("derived", {"groups": {"a": ["b"]}}),
    ("derived", {"surname_heads": {"honcharuk": 7}}),
    ("derived", {"not_people": "oleksy honcharuk"}),
    ("derived", {"not_people": [["x"]]}),
]


@pytest.mark.parametrize(("part", "value"), GARBLED_PARTS)
def test_a_registry_garbled_inside_is_rebuilt_too(healthy: tuple[Path, Path], tmp_path: Path, part: str, value: object) -> None:
    """A registry whose keys are all there but whose values are garbled (found by replacing
    one value at a time: an empty cue list crashed every person query with IndexError) is
    refused whole and rebuilt from the articles, for every command that reads it."""
    corpus, base = healthy
    index = tmp_path / "index"
    shutil.copytree(base, index)
    meta_path = index / "newssearch.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["people"][part] = value
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["query", "--index", str(index), "--person", "Honcharuk", "--json", ""])
    assert result.exception is None, result.exc_info
    assert json.loads(result.stdout)["total"] == 1
    result = runner.invoke(cli, ["query", "--index", str(index), "--facet", "people", "Vilnius"])
    assert result.exit_code == 0 and "Jens Stoltenberg" in result.stdout, result.output
    result = runner.invoke(cli, ["show", "--index", str(index), "wn-ukraine-pm"])
    assert result.exit_code == 0 and "Oleksiy Honcharuk" in result.stdout, result.output
    result = runner.invoke(cli, ["index", "--index", str(index), str(corpus)])
    assert result.exit_code == 0, result.output
    with Searcher(index) as searcher:
        assert searcher.search("", person="Honcharuk").total == 1


def test_a_garbled_vocabulary_line_costs_only_that_word(healthy: tuple[Path, Path], tmp_path: Path) -> None:
    from newssearch.store import vocabulary

    _, base = healthy
    index = tmp_path / "index"
    shutil.copytree(base, index)
    path = index / "vocabulary.tsv"
    words = vocabulary.load(str(index))
    assert "vilnius" in words
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].split("\t")[0] + "\tnot-a-number"
    path.write_bytes(("\n".join(lines) + "\n").encode() + b"\xff\xfe\tbad\n")
    assert vocabulary.load(str(index)) == {**words, lines[0].split("\t")[0]: 1}


def test_index_errors_cross_a_process_boundary_whole() -> None:
    """A worker sends these to the indexing process: message, hint and exit code survive."""
    import pickle

    from newssearch.errors import IndexStorageError, IndexUntrustedError

    for err in (IndexDamagedError("the index at x is damaged (y)", hint="run it"), IndexStorageError("no space left", hint="free"),
                IndexUntrustedError("refusing", hint="chown")):
        back = pickle.loads(pickle.dumps(err))
        assert type(back) is type(err) and str(back) == str(err) and back.hint == err.hint and back.exit_code == err.exit_code


def test_a_bug_is_not_called_damage(healthy: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """A ValueError raised by newssearch's own code (a bug) stays a ValueError; the same
    error raised while Whoosh decodes the index's files is damage."""
    import types

    import newssearch.search.snippets as snippets_module
    from newssearch.store import codec

    _, index = healthy

    def buggy(*args: object, **kwargs: object) -> None:
        raise ValueError("a bug in newssearch")

    with monkeypatch.context() as patch:
        patch.setattr(snippets_module, "highlight_words", buggy)
        with Searcher(index) as searcher, pytest.raises(ValueError, match="a bug in newssearch"):
            searcher.search("Vilnius")
    # the same function as if it were the index format's decoding code (its globals are the codec module's)
    in_codec = types.FunctionType(buggy.__code__, vars(codec), "term_info")
    with monkeypatch.context() as patch:
        patch.setattr(codec.NewsTermsReader, "term_info", in_codec)
        with Searcher(index) as searcher, pytest.raises(IndexDamagedError, match="ValueError: a bug in newssearch"):
            searcher.search("Vilnius")


def test_an_index_killed_while_being_created_is_made_again(healthy: tuple[Path, Path], tmp_path: Path) -> None:
    """SIGKILL between writing the metadata file and the first table of contents leaves only
    the metadata: not damage, the next run creates the index."""
    corpus, _ = healthy
    index = tmp_path / "index"
    index.mkdir()
    (index / "newssearch.json").write_text('{"schema_version": 4, "generation": 0}', encoding="utf-8")
    (index / "MAIN_WRITELOCK").write_bytes(b"")
    assert index_paths([corpus], str(index), workers=1).added == ARTICLES
