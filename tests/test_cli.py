"""The command line: output, JSON, errors and exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from newssearch.cli import cli


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def invoke(runner: CliRunner, *args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(cli, list(args), env=env, catch_exceptions=False)


def test_index_prints_summary_line(runner: CliRunner, corpus: Path, tmp_path: Path) -> None:
    (corpus / "notes.md").write_text("not an article")
    (corpus / "empty.txt").write_text("")
    idx = str(tmp_path / "idx")
    result = invoke(runner, "index", "--index", idx, str(corpus))
    assert result.exit_code == 0
    summary = result.stdout.strip().splitlines()[-1]
    assert re.match(r"^5 added, 0 updated, 0 removed, 0 unchanged, 2 skipped \(1 unknown file type, 1 empty file\) in \d+\.\d s → ", summary)
    assert f"skipped {corpus / 'empty.txt'}: empty file" in result.stderr
    again = invoke(runner, "index", "--index", idx, str(corpus))
    assert again.stdout.strip().splitlines()[-1].startswith("0 added, 0 updated, 0 removed, 5 unchanged, 2 skipped")


def test_index_strict_exits_1_on_skips(runner: CliRunner, corpus: Path, tmp_path: Path) -> None:
    (corpus / "bad.json").write_text("{broken")
    result = runner.invoke(cli, ["index", "--strict", "--index", str(tmp_path / "idx"), str(corpus)])
    assert result.exit_code == 1
    assert "Error: 1 file(s) or record(s) skipped (--strict)" in result.stderr


def test_index_json_report(runner: CliRunner, corpus: Path, tmp_path: Path) -> None:
    result = invoke(runner, "index", "--json", "--index", str(tmp_path / "idx"), str(corpus))
    report = json.loads(result.stdout)
    assert report["added"] == 5 and report["skipped"] == []


def test_query_text_output(runner: CliRunner, shared_index: Path) -> None:
    result = invoke(runner, "query", "--index", str(shared_index), "Vilnius summit")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "1–1 of 1 matching article (page 1 of 1)"
    assert lines[2].startswith("1. NATO Secretary General Jens Stoltenberg")
    assert "2023-04-20" in lines[3] and "score" in lines[3]
    assert "¶8: “NATO is with you today" in result.stdout
    assert "\x1b[" not in result.stdout  # no escape codes when not a terminal


def test_query_bold_highlight_on_color_terminal(runner: CliRunner, shared_index: Path) -> None:
    result = runner.invoke(cli, ["query", "--index", str(shared_index), "Vilnius"], color=True)
    assert "\x1b[1mVilnius\x1b[22m" in result.stdout
    plain = runner.invoke(cli, ["query", "--index", str(shared_index), "Vilnius"], color=True, env={"NO_COLOR": "1"})
    assert "\x1b[" not in plain.stdout


def test_query_json(runner: CliRunner, shared_index: Path) -> None:
    result = invoke(runner, "query", "--json", "--index", str(shared_index), "Honcharuk")
    data = json.loads(result.stdout)
    assert data["query"] == "Honcharuk" and data["total"] == 1
    assert data["hits"][0]["id"] == "wn-ukraine-pm"
    assert "Honcharuk" in data["hits"][0]["snippet"]["text"]


def test_query_paragraphs_and_paging(runner: CliRunner, shared_index: Path) -> None:
    result = invoke(runner, "query", "--paragraphs", "--json", "--index", str(shared_index), "Vilnius")
    data = json.loads(result.stdout)
    assert data["level"] == "paragraph" and data["total"] == 2
    assert all(p["title"].startswith("NATO Secretary General") for p in data["paragraphs"])
    page2 = json.loads(invoke(runner, "query", "--json", "--limit", "2", "--page", "2", "--index", str(shared_index)).stdout)
    assert page2["page"] == 2 and len(page2["hits"]) == 2 and page2["total"] == 5


def test_index_env_var(runner: CliRunner, shared_index: Path) -> None:
    result = invoke(runner, "query", "Navalny", env={"NEWSSEARCH_INDEX": str(shared_index)})
    assert "Germany says Alexei Navalny poisoned with Novichok" in result.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["query", "--index", "{missing}", "x"], 3, "Error: no index at {missing}\nHint: create it with: newssearch index --index {missing} FOLDER\n"),
        (["stats", "--index", "{missing}"], 3, "Error: no index at {missing}\n"),
        (["query", "--index", "{index}", "published:soon"], 2, "Error: cannot read the query 'published:soon': 'soon' is not a date\n"),
        (["query", "--index", "{index}", "--since", "May", "x"], 2, "Error: cannot read 'May' as a date; use 2023, 2023-04 or 2023-04-20\n"),
        (["similar", "--index", "{index}", "nope"], 1, "Error: no article with id 'nope' in {index}\n"),
        (["query", "--index", "{index}", "--facet", "colour", "x"], 2, "Error: unknown facet 'colour'"),
    ],
)
def test_errors_are_one_line_with_exit_code(runner: CliRunner, shared_index: Path, tmp_path: Path, args: list[str], code: int, message: str) -> None:
    values = {"missing": str(tmp_path / "nothing-here"), "index": str(shared_index)}
    result = runner.invoke(cli, [a.format(**values) for a in args])
    assert result.exit_code == code
    assert result.stderr.startswith(message.format(**values))
    assert "Traceback" not in result.output


def test_stats(runner: CliRunner, shared_index: Path) -> None:
    text = invoke(runner, "stats", "--index", str(shared_index)).stdout
    assert "Articles:     5" in text and "Published:    2019-10-15 to 2023-04-20" in text
    data = json.loads(invoke(runner, "stats", "--json", "--index", str(shared_index)).stdout)
    assert data["articles"] == 5 and data["sources"] == 2


def test_extract_prints_json_per_file_without_index(runner: CliRunner, corpus: Path, tmp_path: Path) -> None:
    (corpus / "broken.jsonl").write_text('{"id": "ok", "title": "Fine", "text": "fine text"}\nnot json\n')
    result = invoke(runner, "extract", str(corpus))
    items = json.loads(result.stdout)
    by_id = {i.get("id"): i for i in items}
    seed = next(i for i in items if i.get("path", "").endswith("stoltenberg-kyiv.txt") and "title" in i)
    assert seed["published"] == "2023-04-20"
    assert {"title", "published", "source", "authors", "paragraphs", "people", "dates", "path"} <= set(seed)
    assert by_id["ok"]["title"] == "Fine"
    errors = [i for i in items if "error" in i]
    assert [(Path(e["path"]).name, e["line"]) for e in errors] == [("broken.jsonl", 2)]
    assert not (tmp_path / "index").exists()


def test_help_documents_exit_codes(runner: CliRunner) -> None:
    text = invoke(runner, "query", "--help").stdout
    assert "75  the index is being updated by another process" in text
