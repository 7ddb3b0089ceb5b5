"""`newssearch index -`: JSON Lines or CSV from standard input, upserted by id, nothing removed."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from newssearch.cli import cli
from newssearch.search.searcher import Searcher

FIXTURES = Path(__file__).parent / "fixtures"


def _records() -> list[dict[str, object]]:
    """The real Wikinews records of the fixture corpus."""
    lines = (FIXTURES / "corpus" / "wikinews-2020.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _index(index_dir: Path, data: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["index", "-", "--index", str(index_dir), *args], input=data)
    return result.exit_code, result.stdout, result.stderr


def _jsonl(records: list[dict[str, object]]) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


def test_jsonl_from_stdin_is_indexed_and_upserted(tmp_path: Path) -> None:
    index_dir = tmp_path / "ix"
    records = _records()
    code, out, _ = _index(index_dir, _jsonl(records))
    assert code == 0 and out.startswith(f"{len(records)} added, 0 updated")
    with Searcher(index_dir) as s:
        first = s.article(str(records[0]["id"]))
        assert first.title == records[0]["title"] and first.path == f"stdin:{records[0]['id']}"
        assert s.search("").total == len(records)
    # the same records again: nothing changes; one changed, one new: updated and added; none removed
    code, out, _ = _index(index_dir, _jsonl(records))
    assert out.startswith(f"0 added, 0 updated, 0 removed, {len(records)} unchanged")
    changed = dict(records[1], title="A corrected headline")
    new = {"id": "extra-1", "title": "Extra", "text": "An extra article about the harbour of Constanta."}
    code, out, _ = _index(index_dir, _jsonl([changed, new]))
    assert code == 0 and out.startswith("1 added, 1 updated, 0 removed, 0 unchanged")
    with Searcher(index_dir) as s:
        assert s.search("").total == len(records) + 1  # the records not sent again stay
        assert s.article(str(records[1]["id"])).title == "A corrected headline"
        assert s.search("Constanta").hits[0].id == "extra-1"


def test_records_without_id_are_known_by_url_then_by_text(tmp_path: Path) -> None:
    index_dir = tmp_path / "ix"
    by_url = {"title": "By URL", "text": "First version of the story about tram lines.", "url": "https://example.org/tram"}
    by_text = {"title": "No id, no URL", "text": "A story about the river port and its cranes."}
    assert _index(index_dir, _jsonl([by_url, by_text]))[0] == 0
    # sent again, in another order and after another record: the same two articles
    edited = dict(by_url, text="Second version of the story about tram lines.")
    _, out, _ = _index(index_dir, _jsonl([{"title": "Other", "text": "Something else entirely."}, by_text, edited]))
    assert out.startswith("1 added, 1 updated, 0 removed, 1 unchanged")
    with Searcher(index_dir) as s:
        assert s.search("").total == 3
        assert [h.title for h in s.search("tram").hits] == ["By URL"]
        assert "Second version" in s.article(s.search("tram").hits[0].id).text


def test_bad_records_are_named_by_line(tmp_path: Path) -> None:
    records = _records()
    data = _jsonl(records[:1]) + "{not json\n" + json.dumps({"title": "no text"}) + "\n" + _jsonl(records[1:2])
    code, out, err = _index(tmp_path / "ix", data)
    assert code == 0 and out.startswith("2 added") and "2 skipped" in out
    assert "skipped -:2: invalid JSON" in err
    assert "skipped -:3: no 'text' or 'body' field" in err
    code, _, err = _index(tmp_path / "ix", data, "--strict")
    assert code == 1


def test_csv_from_stdin_with_columns_and_defaults(tmp_path: Path) -> None:
    table = "Headline,Body,When\nTram strike,The tram drivers of Cluj stopped work on Monday.,06/05/2024\n"
    code, out, err = _index(tmp_path / "ix", table, "--format", "csv", "--columns", "title=Headline,text=Body,published=When",
                            "--source", "Ziarul", "--language", "ro", "--date-order", "DMY")
    assert code == 0 and out.startswith("1 added"), err
    with Searcher(tmp_path / "ix") as s:
        hit = s.search("tram").hits[0]
    assert (hit.title, hit.source, hit.language, hit.published) == ("Tram strike", "Ziarul", "ro", "2024-05-06")
    assert "read either way" not in err


def test_ambiguous_dates_without_order_give_one_warning(tmp_path: Path) -> None:
    records = [{"id": f"r{n}", "title": f"Story {n}", "text": f"Text number {n} about the port.", "date": f"0{n}/05/2024"} for n in (1, 2, 3)]
    code, _, err = _index(tmp_path / "ix", _jsonl(records))
    assert code == 0
    assert err.count("read either way") == 1 and "3 article(s)" in err and "--date-order" in err


def test_stdin_and_paths_together_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["index", "-", str(tmp_path), "--index", str(tmp_path / "ix")], input="")
    assert result.exit_code == 2
    result = CliRunner().invoke(cli, ["index", "-", "--index", str(tmp_path / "ix"), "--date-order", "XYZ"], input="")
    assert result.exit_code == 2


def test_empty_stdin_is_one_skip(tmp_path: Path) -> None:
    code, out, err = _index(tmp_path / "ix", "")
    assert code == 0 and "1 skipped" in out and "skipped -: empty file" in err
