"""Terminal safety: nothing from a file, an article or a query acts on the user's terminal.

Hostile file names (screen clear, window title, OSC 8 link, C1 CSI, bidi override, newline,
bytes that are not UTF-8), hostile article fields (title, source, URL, authors, id,
paragraphs) and hostile queries go through every command (``index``, ``query``, ``show``,
``similar``, ``stats``, ``extract``, errors, "Did you mean"); the output must hold no C0
control but the newlines between lines (and the project's own bold marks, on a colour
terminal), no DEL or C1 control, no bidi embedding/override/isolate, no lone surrogate.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import SEED

from newssearch.cli import cli
from newssearch.ingest.cleaning import clean_line, split_paragraphs
from newssearch.terminal import BIDI_CONTROLS, safe, safe_json

ESC = "\x1b"
CLEAR = f"{ESC}[2J"
TITLE = f"{ESC}]0;pwned\x07"
LINK = f"{ESC}]8;;https:evil.example{ESC}\\click{ESC}]8;;{ESC}\\"  # (no "/": it is also a file name)
CSI_C1 = "\x9b2J"
RLO = "\u202e"

#: File names carrying one vector each (the text after the vector keeps the name readable).
HOSTILE_NAMES = {
    "clear": f"clear{CLEAR}.txt",
    "title": f"title{TITLE}.txt",
    "link": f"link{LINK}.txt",
    "c1": f"c1{CSI_C1}.txt",
    "rlo": f"report{RLO}txt.exe.txt",
    "newline": "line\nbreak.txt",
}

#: The only escapes the project prints itself: bold on, bold off (render), reset (click.style).
OWN_ESCAPES = re.compile(r"\x1b\[(?:1|22|0)m")


def unsafe_chars(text: str, colour: bool = False) -> list[str]:
    """The characters of ``text`` that would act on a terminal (see the module docstring)."""
    if colour:
        text = OWN_ESCAPES.sub("", text)
    return [
        ch
        for ch in text
        if (ord(ch) < 0x20 and ch != "\n")
        or 0x7F <= ord(ch) <= 0x9F
        or ch in BIDI_CONTROLS
        or ch in "\u2028\u2029"
        or 0xD800 <= ord(ch) <= 0xDFFF
    ]


def assert_inert(result: Result, colour: bool = False) -> None:
    """Neither stdout nor stderr of ``result`` holds anything unsafe; no traceback either."""
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    for stream in (result.stdout, result.stderr):
        assert not unsafe_chars(stream, colour), (unsafe_chars(stream, colour), stream[:2000])


def run(*args: str, colour: bool = False) -> Result:
    return CliRunner().invoke(cli, list(args), color=colour)


# -- the function itself ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (f"a{CLEAR}b", "a\\x1b[2Jb"),
        (TITLE, "\\x1b]0;pwned\\x07"),
        (CSI_C1, "\\x9b2J"),
        ("\x85\x7f\x00", "\\x85\\x7f\\x00"),
        (f"exe.{RLO}txt", "exe.\\u202etxt"),
        ("\u2066x\u2069", "\\u2066x\\u2069"),
        ("one\ntwo\r\tthree", "one\\ntwo\\r\\tthree"),
        ("para\u2029graph", "para\\u2029graph"),
        ("bad\udcffbyte", "bad\\xffbyte"),
        ("Ștefan 日本 🙂 \u200f\u05e9\u05dc\u05d5\u05dd", "Ștefan 日本 🙂 \u200f\u05e9\u05dc\u05d5\u05dd"),  # letters and bidi marks stay
    ],
)
def test_safe_escapes_controls_and_keeps_text(raw: str, shown: str) -> None:
    assert safe(raw) == shown
    assert not unsafe_chars(safe(raw))


def test_safe_json_escapes_what_json_dumps_leaves_and_round_trips() -> None:
    data = {"title": f"{CSI_C1} \x7f {RLO} \u2028 {CLEAR}", "path": "bad\udcff.txt"}
    dumped = safe_json(json.dumps(data, ensure_ascii=False))
    assert not unsafe_chars(dumped)
    assert json.loads(dumped) == data


def test_clean_line_drops_c1_controls_and_bidi_overrides_at_ingest() -> None:
    assert clean_line(f"Budget{CSI_C1} vote{RLO}d\u2066 passed\u2069\x7f") == "Budget2J voted passed"
    assert clean_line("one\x85two\u2028three") == "one two three"  # NEL and line separators are spaces
    assert clean_line("\u05e9\u200f\u05dc") == "\u05e9\u200f\u05dc"  # a right-to-left mark stays
    assert split_paragraphs(f"first{ESC}]0;x\x07 para\n\nsecond \x9b para") == ["first]0;x para", "second para"]


# -- through the command line ------------------------------------------------------------------

HOSTILE_RECORDS = [
    {
        "id": f"evil-1{CLEAR}",
        "title": f"Harbour strike {CLEAR}ends{CSI_C1} {RLO}gnol",
        "text": f"Dock workers in Rotterdam ended the harbour strike {TITLE} on Monday.\n\n"
        f"The union said pay talks {LINK} would resume \x9b31m in May {RLO}.",
        "source": f"Wire{ESC}[31m Red",
        "url": f"https://example.org/{CSI_C1}strike",
        "authors": [f"Ann {RLO}Lee"],
        "published": "2023-05-02",
    },
    {
        "id": "evil-2",
        "title": "Harbour pay deal signed",
        "text": "The harbour pay deal was signed in Rotterdam after the strike.",
        "published": "2023-05-09",
        "source": "Wire",
    },
]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A corpus of hostile file names and hostile JSON fields, and its index (by the CLI)."""
    root = tmp_path_factory.mktemp("hostile")
    corpus = root / "corpus"
    corpus.mkdir()
    for key, name in HOSTILE_NAMES.items():
        (corpus / name).write_text(f"Harbour notice {key}\n\nThe harbour of Rotterdam posted notice {key} about the strike.\n", encoding="utf-8")
    (corpus / f"empty{CLEAR}{RLO}.txt").write_text("")  # a skipped file: its name is in the skip line
    (corpus / "records.jsonl").write_text("\n".join(json.dumps(r) for r in HOSTILE_RECORDS) + "\n", encoding="utf-8")
    shutil.copy(SEED, corpus / SEED.name)
    index = root / "index"
    result = run("index", "--workers", "1", "--index", str(index), str(corpus))
    assert_inert(result)
    assert result.exit_code == 0, result.output
    assert "skipped" in result.stderr and "\\x1b[2J" in result.stderr and "\\u202e" in result.stderr  # shown, escaped
    return corpus, index


def test_index_output_is_inert(hostile: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, _ = hostile
    for extra in ([], ["--json"]):
        result = run("index", "--workers", "1", "--index", str(tmp_path / f"ix{len(extra)}"), *extra, str(corpus))
        assert_inert(result)
        assert result.exit_code == 0
    summary = result.stdout  # (the JSON report names the skipped file, escaped)
    assert json.loads(summary)["skipped"][0]["path"].endswith(f"empty{CLEAR}{RLO}.txt")


@pytest.mark.parametrize("colour", [False, True])
@pytest.mark.parametrize("extra", [[], ["--paragraphs"], ["--json"], ["--facet", "source", "--histogram", "day"]])
def test_query_output_is_inert(hostile: tuple[Path, Path], extra: list[str], colour: bool) -> None:
    _, index = hostile
    result = run("query", "--index", str(index), "-n", "20", *extra, "harbour", colour=colour)
    assert_inert(result, colour)
    assert result.exit_code == 0
    if extra == ["--json"]:
        data = json.loads(result.stdout)
        assert data["total"] == 2 + len(HOSTILE_NAMES)
        assert {h["title"] for h in data["hits"]} >= {"Harbour strike [2Jends2J gnol", "Harbour pay deal signed"}  # dropped at ingest
        paths = {os.path.basename(h["path"]) for h in data["hits"] if h["path"]}
        assert set(HOSTILE_NAMES.values()) <= paths  # file names are kept as they are, and printed escaped
    elif not extra:
        out = result.stdout
        assert "Harbour strike [2Jends2J gnol" in out
        assert "title\\x1b]0;pwned\\x07.txt" in out and "report\\u202etxt.exe.txt" in out and "line\\nbreak.txt" in out
        assert "c1\\x9b2J.txt" in out and "link\\x1b]8;;https:evil.example\\x1b\\click" in out
        if colour:
            assert "\x1b[1m" in out  # the project's own bold marks are still there on a colour terminal


def test_show_similar_stats_are_inert(hostile: tuple[Path, Path]) -> None:
    _, index = hostile
    for extra in ([], ["--json"]):
        shown = run("show", "--index", str(index), *extra, "evil-1[2J")
        assert_inert(shown)
        assert shown.exit_code == 0
        assert "Dock workers in Rotterdam" in shown.stdout
        similar = run("similar", "--index", str(index), *extra, "evil-2")
        assert_inert(similar)
        assert similar.exit_code == 0 and "Harbour" in similar.stdout
    data = json.loads(run("show", "--json", "--index", str(index), "evil-1[2J").stdout)
    assert data["source"] == "Wire[31m Red" and data["authors"] == ["Ann Lee"]
    stats = run("stats", "--index", str(index))
    assert_inert(stats)
    assert stats.exit_code == 0


def test_stats_and_errors_escape_a_hostile_index_name(hostile: tuple[Path, Path], tmp_path: Path) -> None:
    _, index = hostile
    odd = tmp_path / f"ix{TITLE}{RLO}\n"
    shutil.copytree(index, odd)
    stats = run("stats", "--index", str(odd))
    assert_inert(stats)
    assert stats.exit_code == 0 and "ix\\x1b]0;pwned\\x07\\u202e\\n" in stats.stdout
    missing = run("query", "--index", str(tmp_path / f"none{CLEAR}"), "harbour")
    assert_inert(missing)
    assert missing.exit_code == 3 and "none\\x1b[2J" in missing.stderr


def test_extract_is_inert(hostile: tuple[Path, Path]) -> None:
    corpus, _ = hostile
    result = run("extract", str(corpus))
    assert_inert(result)
    assert result.exit_code == 1  # (a file could not be read: the empty one)
    items = json.loads(result.stdout)
    names = {os.path.basename(i["path"]) for i in items}
    assert set(HOSTILE_NAMES.values()) <= names  # escaped in the JSON text, the same names once decoded
    assert any("error" in i and i["path"].endswith(f"empty{CLEAR}{RLO}.txt") for i in items)


@pytest.mark.parametrize(
    "text",
    [
        f"harbour {CLEAR}",
        f"harbuor {TITLE} strikke",  # misspelled: "Did you mean" repeats the rest of the query
        f"harbuor {CSI_C1} {RLO}",
        f"title:{LINK}",
        "harbour\nstrike",
        f'"harbour {RLO} strike',  # unbalanced quote
        f"published:{CLEAR}",  # not a date: an error naming the query
        f"{ESC}*",
    ],
)
def test_hostile_queries_and_did_you_mean_are_inert(hostile: tuple[Path, Path], text: str) -> None:
    _, index = hostile
    for extra in ([], ["--json"]):
        result = run("query", "--index", str(index), *extra, "--", text)
        assert_inert(result)
        assert result.exit_code in (0, 2), result.output


def test_did_you_mean_shows_escaped_controls(hostile: tuple[Path, Path]) -> None:
    _, index = hostile
    # (a suggestion is offered when it finds more: CLEAR's "[2J" would be a word "2j" found nowhere)
    result = run("query", "--index", str(index), f"harbuor {ESC}{RLO}")
    line = result.stdout.splitlines()[0]
    assert line.startswith("Did you mean: harbour") and "\\x1b" in line and "\\u202e" in line


def test_filters_and_usage_errors_are_inert(hostile: tuple[Path, Path]) -> None:
    _, index = hostile
    for args in (["--since", CLEAR], ["--until", f"2023{RLO}"], ["--source", TITLE], ["--person", CSI_C1]):
        result = run("query", "--index", str(index), *args, "harbour")
        assert_inert(result)
        assert result.exit_code in (0, 2)
    result = run("show", "--index", str(index), f"nope{TITLE}")
    assert_inert(result)
    assert result.exit_code == 1


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file systems refuse names that are not UTF-8")
def test_a_file_name_that_is_not_utf8_is_shown_escaped(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    name = os.fsencode(corpus) + b"/caf\xe9-notes\xff.txt"
    with open(name, "wb") as handle:
        handle.write(b"")  # skipped (empty): the skip line names the file
    result = run("index", "--workers", "1", "--index", str(tmp_path / "ix"), str(corpus))
    assert_inert(result)
    assert "caf\\xe9-notes\\xff.txt" in result.stderr
