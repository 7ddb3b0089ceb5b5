"""Indexing a folder full of bad files: every good article is indexed, every bad file named.

The corpus is generated in tmp_path: empty and whitespace-only files, binary junk named
.txt, legacy encodings (Latin-1, Windows-1250 Romanian), a few invalid UTF-8 bytes,
truncated and malformed HTML, a JSONL file with one broken line, JSON of the wrong shape, a
50 MB file, a FIFO, a symlink loop, a broken gzip, a folder named like a file, 60 nested
folders and (via monkeypatching, since tests run as root) a file that raises PermissionError.
"""

from __future__ import annotations

import builtins
import gzip
import json
import os
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

import newssearch.ingest as ingest
from newssearch.cli import cli
from newssearch.indexing import index_paths
from newssearch.search.results import ArticleRecord
from newssearch.search.searcher import Searcher

RO_CEDILLA = "Preşedintele a vizitat oraşul Timişoara şi a discutat despre ţară, învăţământ şi sănătate cu toţi cetăţenii."
RO_COMMA = "Primăria din București anunță că străzile vor fi închise. Țara întreagă așteaptă înțelegerea."
FR_LATIN1 = "Le garçon a mangé une crème brûlée à Noël près de la forêt. Très bien, déjà vu."

#: Good articles: (relative path, how many articles it holds).
GOOD = {
    "plain.txt": 1,
    "encodings/latin1-fr.txt": 1,
    "encodings/cp1250-ro.txt": 1,
    "encodings/utf8-ro.txt": 1,
    "encodings/utf8-with-bad-bytes.txt": 1,
    "encodings/utf8-cut-in-last-char.txt": 1,
    "html/truncated.html": 1,
    "feeds/mixed.jsonl": 5,
    "feeds/list.json": 2,
    "zipped/story.txt.gz": 1,
    "dir.txt/inside.txt": 1,  # a folder named like a file is walked like any folder
    "DEEP/leaf.txt": 1,  # DEEP is replaced by 60 nested folders
}
N_GOOD = sum(GOOD.values())
DEPTH = 60


def _article(title: str, words: str, date: str = "2023-04-20") -> str:
    return f"Title: {title}\nDate: {date}\nSource: Test Wire\n\n{words}\n\nA second paragraph about harbour repairs follows here.\n"


def _deep(root: Path) -> Path:
    d = root
    for i in range(DEPTH):
        d = d / f"level{i:02d}"
    return d


def make_corpus(root: Path) -> dict[tuple[str, int | None], str]:
    """Write the corpus; return the expected skips: (name relative to root, line) -> reason fragment."""
    root.mkdir(parents=True, exist_ok=True)
    for sub in ("encodings", "html", "feeds", "zipped", "bad", "dir.txt"):
        (root / sub).mkdir()
    # -- good ------------------------------------------------------------------------
    (root / "plain.txt").write_text(_article("Council debates the budget", "The council met to discuss zanzibarian budgets."))
    (root / "encodings/latin1-fr.txt").write_bytes(_article("Café résumé", FR_LATIN1).encode("latin-1"))
    (root / "encodings/cp1250-ro.txt").write_bytes(_article("Ştiri din Timişoara", RO_CEDILLA).encode("cp1250"))
    (root / "encodings/utf8-ro.txt").write_text(_article("Știri din București", RO_COMMA), encoding="utf-8")
    good_utf8 = _article("Zürich naïve café", "Die Straße in Zürich ist für Fußgänger gesperrt, sagte Müller.").encode()
    (root / "encodings/utf8-with-bad-bytes.txt").write_bytes(good_utf8.replace(b"gesperrt", b"gesp\xff\xferrt"))
    (root / "encodings/utf8-cut-in-last-char.txt").write_bytes(
        _article("Cut short", "Încă o știre despre Brașov și Constanța").encode() + "ș".encode()[:1]
    )
    words = " ".join(f"The mayor of Springfield opened bridge number {i} across the wide river today." for i in range(12))
    (root / "html/truncated.html").write_text(
        f"<html><head><title>Bridge opened in Springfield</title></head><body><article><h1>Bridge opened</h1><p>{words}</p><p>And then the"
    )
    good_lines = [json.dumps({"id": f"jl-{i}", "title": f"Feed item {i}", "text": f"Body of feed item {i} about river floods."}) for i in range(5)]
    lines = good_lines[:2] + ['{"id": "broken", "title": "cut off', ""] + good_lines[2:]
    (root / "feeds/mixed.jsonl").write_text("\n".join(lines) + "\n")
    (root / "feeds/list.json").write_text(
        json.dumps([{"id": "js-1", "title": "List one", "text": "First list article."}, {"id": "js-2", "body": ["Second", "list article."]}])
    )
    with gzip.open(root / "zipped/story.txt.gz", "wt", encoding="utf-8") as handle:
        handle.write(_article("Zipped story", "A gzipped article about quokkas."))
    (root / "dir.txt/inside.txt").write_text(_article("Inside a folder named dir.txt", "Folder names can look like doppelgangers."))
    deep = _deep(root)
    deep.mkdir(parents=True)
    (deep / "leaf.txt").write_text(_article("Deep leaf", "An article sixty folders down about axolotls."))
    # -- bad -------------------------------------------------------------------------
    expected: dict[tuple[str, int | None], str] = {}
    (root / "bad/zero.txt").write_bytes(b"")
    expected[("bad/zero.txt", None)] = "empty file"
    (root / "bad/zero.json").write_bytes(b"")
    expected[("bad/zero.json", None)] = "empty file"
    (root / "bad/blank.txt").write_text("  \n\n\t\n")
    expected[("bad/blank.txt", None)] = "empty file"
    (root / "bad/only-title.txt").write_text("Title: Nothing follows\n\n")
    expected[("bad/only-title.txt", None)] = "no text after the title"
    rng = random.Random(7)
    (root / "bad/junk.txt").write_bytes(bytes(rng.randrange(256) for _ in range(4096)) + b"\x00")
    expected[("bad/junk.txt", None)] = "binary file"
    (root / "bad/junk-high.txt").write_bytes(bytes(rng.randrange(1, 256) for _ in range(4096)).replace(b"\x00", b""))
    expected[("bad/junk-high.txt", None)] = "not text"
    (root / "bad/malformed.html").write_text("<<<>>><p><div></span>garbage</b>")
    expected[("bad/malformed.html", None)] = "no article text"
    (root / "bad/no-tags.html").write_text("just some words, no markup at all")
    expected[("bad/no-tags.html", None)] = "not an HTML page"
    (root / "bad/number.json").write_text("42")
    expected[("bad/number.json", None)] = "wrong shape"
    (root / "bad/strings.json").write_text('["a", "b"]')
    expected[("bad/strings.json", None)] = "item 0: expected an article object, got str"
    (root / "bad/no-text.json").write_text('{"title": "only a title"}')
    expected[("bad/no-text.json", None)] = "no 'text' or 'body' field"
    (root / "bad/broken.json").write_text('{"title": "x", "text": ')
    expected[("bad/broken.json", None)] = "invalid JSON"
    expected[("feeds/mixed.jsonl", 3)] = "invalid JSON"
    (root / "bad/broken.txt.gz").write_bytes(b"\x1f\x8b\x08\x00garbage-not-gzip")
    expected[("bad/broken.txt.gz", None)] = "broken gzip"
    with open(root / "bad/huge.txt", "wb") as handle:
        handle.write(b"Title: Huge\n\n")
        chunk = b"lorem ipsum dolor sit amet " * 40_000
        while handle.tell() < 50 * 1024 * 1024:
            handle.write(chunk)
    expected[("bad/huge.txt", None)] = "file too large"
    os.mkfifo(root / "bad/pipe.txt")
    expected[("bad/pipe.txt", None)] = "not a regular file"
    os.symlink("loop-b.txt", root / "bad/loop-a.txt")
    os.symlink("loop-a.txt", root / "bad/loop-b.txt")
    expected[("bad/loop-a.txt", None)] = "symbolic link loop"
    expected[("bad/loop-b.txt", None)] = "symbolic link loop"
    os.symlink("does-not-exist.txt", root / "bad/dangling.txt")
    expected[("bad/dangling.txt", None)] = "broken symbolic link"
    os.symlink(".", root / "bad/self")  # a folder symlink loop: not followed, not an error
    (root / "bad/notes.pdf").write_bytes(b"%PDF-1.4")
    expected[("bad/notes.pdf", None)] = "unknown file type"
    return expected


def _skips(report_skipped: list[dict], root: Path) -> dict[tuple[str, int | None], str]:
    out = {}
    for item in report_skipped:
        rel = os.path.relpath(item["path"], root)
        key = (rel, item["line"])
        assert key not in out or "item" in item["reason"], f"{key} skipped twice"
        out.setdefault(key, item["reason"])
    return out


def _assert_skips(skipped: list[dict], root: Path, expected: dict[tuple[str, int | None], str]) -> None:
    got = _skips(skipped, root)
    assert set(got) == set(expected), f"unexpected: {set(got) - set(expected)}; missing: {set(expected) - set(got)}"
    for key, fragment in expected.items():
        assert fragment in got[key], f"{key}: reason {got[key]!r} does not say {fragment!r}"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict, object]:
    base = tmp_path_factory.mktemp("badfiles")
    root = base / "corpus"
    expected = make_corpus(root)
    ix = base / "index"
    report = index_paths([root], str(ix), workers=1)
    return root, ix, expected, report


def test_api_indexes_every_good_article_and_names_every_bad_file(built) -> None:
    root, ix, expected, report = built
    assert report.added == N_GOOD
    assert report.updated == 0 and report.removed == 0
    _assert_skips(report.to_dict()["skipped"], root, expected)
    # the strings.json list gives one error per item
    reasons = [e.reason for e in report.skipped if e.path.endswith("strings.json")]
    assert reasons == ["item 0: expected an article object, got str", "item 1: expected an article object, got str"]
    with Searcher(ix) as searcher:
        assert searcher.search("").total == N_GOOD
        # every JSONL line but the broken one, both JSON list items
        for article_id in ("jl-0", "jl-1", "jl-2", "jl-3", "jl-4", "js-1", "js-2"):
            assert searcher.article(article_id).paragraphs
        # gzip, deep folder, folder named dir.txt, truncated HTML
        for word, title in (("quokkas", "Zipped story"), ("axolotls", "Deep leaf"), ("Springfield", "Bridge opened"),
                            ("doppelgangers", "Inside a folder named dir.txt"), ("zanzibarian", "Council debates the budget")):
            result = searcher.search(word)
            assert [h.title for h in result.hits] == [title], word


def test_stats_and_histogram_with_undated_articles(built) -> None:
    """Most JSON/HTML articles here have no date: stats and histograms must still work."""
    _, ix, _, _ = built
    with Searcher(ix) as searcher:
        info = searcher.stats()
        assert info.articles == N_GOOD
        assert info.first_published == "2023-04-20" and info.last_published == "2023-04-20"
        result = searcher.search("", histogram="month")
        assert result.total == N_GOOD
    runner = CliRunner()
    result = runner.invoke(cli, ["stats", "--index", str(ix), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["articles"] == N_GOOD


def test_legacy_encodings_come_out_right(built) -> None:
    root, ix, _, _ = built
    with Searcher(ix) as searcher:
        def only(query: str) -> ArticleRecord:
            result = searcher.search(query)
            assert result.total == 1, (query, [h.title for h in result.hits])
            return searcher.article(result.hits[0].id)

        ro = only("Timişoara")
        assert ro.title == "Ştiri din Timişoara"
        assert ro.paragraphs[0] == RO_CEDILLA  # ă â î ş ţ from Windows-1250
        ro2 = only("București")
        assert ro2.title == "Știri din București" and ro2.paragraphs[0] == RO_COMMA  # ș ț (comma below) from UTF-8
        fr = only("garçon")
        assert fr.title == "Café résumé" and fr.paragraphs[0] == FR_LATIN1
        de = only("Fußgänger")
        # a few bad bytes do not turn the whole file into mojibake: the rest stays UTF-8
        assert de.title == "Zürich naïve café"
        assert "Zürich" in de.paragraphs[0] and "Müller" in de.paragraphs[0] and "\ufffd" in de.paragraphs[0]
        cut = only("Brașov")
        assert cut.paragraphs[0] == "Încă o știre despre Brașov și Constanța"


def test_cli_json_report_and_text_summary(built, tmp_path: Path) -> None:
    root, _, expected, _ = built
    runner = CliRunner()
    result = runner.invoke(cli, ["index", str(root), "--index", str(tmp_path / "ix-json"), "--json", "--workers", "1"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["added"] == N_GOOD
    _assert_skips(data["skipped"], root, expected)

    ix = tmp_path / "index"
    result = runner.invoke(cli, ["index", str(root), "--index", str(ix), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    summary = result.stdout.strip().splitlines()
    assert len(summary) == 1
    n_skips = len(expected) + 1  # strings.json has two bad items
    assert summary[0].startswith(f"{N_GOOD} added, 0 updated, 0 removed, 0 unchanged, {n_skips} skipped (")
    assert "1 unknown file type" in summary[0] and "2 symbolic link loop" in summary[0]
    err = result.stderr
    for (rel, line), fragment in expected.items():
        if fragment == "unknown file type":
            continue
        where = str(root / rel) + (f":{line}" if line else "")
        assert f"skipped {where}: " in err, where
        assert fragment in err.split(f"skipped {where}: ", 1)[1].splitlines()[0], where

    # a re-run reads nothing again: everything good is unchanged, unreadable files are named again
    result = runner.invoke(cli, ["index", str(root), "--index", str(ix), "--json", "--workers", "1"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["added"], data["updated"], data["removed"], data["unchanged"]) == (0, 0, 0, N_GOOD)
    again = _skips(data["skipped"], root)
    # (the broken line of the unchanged, partly good JSONL file is not re-read, so not named again)
    assert set(again) == set(expected) - {("feeds/mixed.jsonl", 3)}


def test_strict_turns_skips_into_exit_1(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "good.txt").write_text(_article("Good", "Fine words."))
    (root / "feed.jsonl").write_text('{"id": "a", "text": "ok"}\nnot json\n')
    runner = CliRunner()
    result = runner.invoke(cli, ["index", str(root), "--index", str(tmp_path / "ix"), "--strict", "--quiet"])
    assert result.exit_code == 1
    err_lines = [x for x in result.stderr.splitlines() if x.startswith("Error:")]
    assert err_lines == ["Error: 1 file(s) or record(s) skipped (--strict)"]
    assert result.stdout.startswith("2 added,")
    # without skips --strict exits 0
    (root / "feed.jsonl").write_text('{"id": "a", "text": "ok"}\n')
    result = runner.invoke(cli, ["index", str(root), "--index", str(tmp_path / "ix"), "--strict", "--quiet"])
    assert result.exit_code == 0, result.output
    # an unknown file type counts as a skip too
    (root / "x.docx").write_bytes(b"PK")
    result = runner.invoke(cli, ["index", str(root), "--index", str(tmp_path / "ix"), "--strict", "--quiet"])
    assert result.exit_code == 1


def test_permission_denied_is_a_named_skip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "ok.txt").write_text(_article("Readable", "Readable words about otters."))
    locked = root / "locked.txt"
    locked.write_text(_article("Locked", "Words nobody may read."))
    if os.geteuid() != 0:
        locked.chmod(0)
    else:  # root reads anything: make open() refuse this one file instead
        real_open = builtins.open

        def fake_open(file, *args, **kwargs):  # type: ignore[no-untyped-def]
            if os.fspath(file) == str(locked):
                raise PermissionError(13, "Permission denied", str(locked))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(ingest, "open", fake_open, raising=False)
    runner = CliRunner()
    result = runner.invoke(cli, ["index", str(root), "--index", str(tmp_path / "ix"), "--json", "--workers", "1"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["added"] == 1
    assert data["skipped"] == [{"path": str(locked), "line": None, "reason": "permission denied"}]
    result = runner.invoke(cli, ["index", str(root), "--index", str(tmp_path / "ix2"), "--strict", "--workers", "1"])
    assert result.exit_code == 1
    assert f"skipped {locked}: permission denied" in result.stderr


def test_explicit_bad_paths_are_named(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    good = tmp_path / "good.txt"
    good.write_text(_article("Given by name", "An explicitly named file."))
    report = index_paths([fifo, tmp_path / "missing.txt", good], str(tmp_path / "ix"), workers=1)
    assert report.added == 1
    got = {os.path.basename(e.path): e.reason for e in report.skipped}
    assert set(got) == {"pipe.jsonl", "missing.txt"}
    assert "not a regular file" in got["pipe.jsonl"]
    assert got["missing.txt"] == "no such file or folder"
