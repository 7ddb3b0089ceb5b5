"""Ids and paths on output: a line break in an id (a JSON or CSV ``id``), a title or an author
becomes a space when read, so the value stays one line of output and ``show`` finds it as
printed; a path with control characters (a file name, the index folder, the folder a damaged
index was moved to) is printed escaped, and the same way in every message that names it.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from newssearch.cli import cli
from newssearch.terminal import UNSAFE, safe

BREAKS = ["\n", "\r\n", "\r", "\x0b", "\x0c", "\u2028", "\u2029", "\x85", "\x1e"]


def _lines_are_clean(result: Result) -> None:
    for stream in (result.stdout, result.stderr):
        for line in stream.splitlines():
            assert not UNSAFE.search(line), line


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    root.mkdir()
    with open(root / "feed.jsonl", "w", encoding="utf-8") as handle:
        handle.writelines(json.dumps({"id": f"wire{brk}{n}", "title": f"Harbour{brk}strike {n}", "authors": [f"Ana{brk}Pop"],
                                     "text": f"The harbour strike number {n} went on."}) + "\n" for n, brk in enumerate(BREAKS))
    with open(root / "table.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "title", "text"])
        writer.writerow(["row\none", "Railway\nreform", "The railway reform passed."])
    (root / "two\nlines\x1b[2J.txt").write_text("Title: Ferry news\n\nThe ferry sailed at dawn.\n", encoding="utf-8")
    return root


def test_line_breaks_in_ids_titles_and_authors_become_spaces(corpus: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    index = tmp_path / "index"
    result = runner.invoke(cli, ["index", "--index", str(index), str(corpus)])
    assert result.exit_code == 0 and result.stdout.startswith(f"{len(BREAKS) + 2} added"), result.output
    data = json.loads(runner.invoke(cli, ["query", "--json", "--limit", "50", "--index", str(index), "harbour"]).stdout)
    assert sorted(hit["id"] for hit in data["hits"]) == sorted(f"wire {n}" for n in range(len(BREAKS)))
    assert {hit["title"] for hit in data["hits"]} == {f"Harbour strike {n}" for n in range(len(BREAKS))}
    assert {tuple(hit["authors"]) for hit in data["hits"]} == {("Ana Pop",)}

    text = runner.invoke(cli, ["query", "--limit", "50", "--index", str(index), "harbour"])
    _lines_are_clean(text)
    for n in range(len(BREAKS)):
        assert f"[wire {n}]" in text.stdout
        assert f"Harbour strike {n}\n" in text.stdout
    shown = runner.invoke(cli, ["show", "--index", str(index), "wire 0"])
    assert shown.exit_code == 0 and shown.stdout.startswith("Harbour strike 0\n"), shown.output

    railway = runner.invoke(cli, ["query", "--index", str(index), "railway"])
    assert "1. Railway reform\n" in railway.stdout and "[row one]" in railway.stdout, railway.output
    assert runner.invoke(cli, ["show", "--index", str(index), "row one"]).exit_code == 0


def test_a_file_name_with_controls_is_escaped_alike_everywhere(corpus: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    index = tmp_path / "index"
    (corpus / "empty\n\x1b]0;title\x07.txt").write_text("", encoding="utf-8")
    result = runner.invoke(cli, ["index", "--index", str(index), str(corpus)])
    _lines_are_clean(result)
    shown = safe(str(corpus / "empty\n\x1b]0;title\x07.txt"))
    assert f"skipped {shown}: " in result.stderr
    ferry = runner.invoke(cli, ["query", "--index", str(index), "ferry"])
    _lines_are_clean(ferry)
    assert "1. Ferry news\n" in ferry.stdout
    assert safe(str(Path("corpus") / "two\nlines\x1b[2J.txt")) in ferry.stdout or safe(str(corpus / "two\nlines\x1b[2J.txt")) in ferry.stdout


def test_an_index_folder_with_controls_is_named_alike_in_every_message(corpus: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    index = tmp_path / "in\ndex\x1b[31m"
    shown = safe(str(index))
    assert "\\n" in shown and "\\x1b" in shown
    result = runner.invoke(cli, ["index", "--index", str(index), str(corpus)])
    _lines_are_clean(result)
    assert result.stdout.rstrip("\n").endswith(f" → {shown}")

    next(index.glob("_MAIN_*.toc")).unlink()
    damaged = runner.invoke(cli, ["query", "--index", str(index), "harbour"])
    assert damaged.exit_code == 3
    _lines_are_clean(damaged)
    assert damaged.stderr.startswith(f"Error: the index at {shown} is damaged (")
    assert f"--index {shown} " in damaged.stderr.splitlines()[1]

    rebuilt = runner.invoke(cli, ["index", "--rebuild", "--index", str(index), str(corpus)])
    assert rebuilt.exit_code == 0, rebuilt.output
    _lines_are_clean(rebuilt)
    aside = [p for p in tmp_path.iterdir() if p.name.startswith(index.name + ".damaged-")]
    assert len(aside) == 1
    assert f"The damaged index was moved to {safe(str(aside[0]))}; a new one was built in {shown}.\n" in rebuilt.stderr
    assert rebuilt.stdout.rstrip("\n").endswith(f" → {shown}")
    stats = runner.invoke(cli, ["stats", "--index", str(index)])
    _lines_are_clean(stats)
    assert f"Index:        {shown}\n" in stats.stdout
