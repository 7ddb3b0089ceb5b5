"""Defaults for what files lack: --source/--language/--date-order/--columns and newssearch.toml per folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from newssearch.cli import cli
from newssearch.indexing import index_paths
from newssearch.ingest.settings import ReadSettings, SettingsError, SettingsResolver
from newssearch.search.searcher import Searcher
from newssearch.timeparse import ambiguous_numeric, parse_published

FIXTURES = Path(__file__).parent / "fixtures"


def _jsonl(path: Path, records: list[dict[str, object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def _by_title(index_dir: Path) -> dict[str, object]:
    with Searcher(index_dir) as s:
        return {h.title: h for h in s.hits("", snippets=0)}


def test_date_order_settles_dates_that_read_either_way() -> None:
    assert ambiguous_numeric("06/05/2024") and ambiguous_numeric("06.05.2024")
    assert not ambiguous_numeric("13/05/2024") and not ambiguous_numeric("05/05/2024") and not ambiguous_numeric("2024-05-06")
    assert str(parse_published("06/05/2024")) == "2024-06-05"  # month first by default
    assert str(parse_published("06/05/2024", "DMY")) == "2024-05-06"
    assert str(parse_published("06.05.2024", "MDY")) == "2024-06-05"
    assert str(parse_published("13/05/2024", "MDY")) == "2024-05-13"  # reads one way only


def test_options_fill_only_what_files_lack(tmp_path: Path) -> None:
    _jsonl(tmp_path / "c" / "a.jsonl", [
        {"id": "1", "title": "Stated", "text": "A story about the tram lines of Iasi.", "source": "Reuters", "date": "06/05/2024"},
        {"id": "2", "title": "Unstated", "text": "A story about the river port of Galati.", "date": "06/05/2024"},
    ])
    report = index_paths([tmp_path / "c"], str(tmp_path / "ix"), workers=1, settings=ReadSettings.of(source="BBC", date_order="DMY"))
    assert report.added == 2 and report.ambiguous_dates == 0
    hits = _by_title(tmp_path / "ix")
    assert hits["Stated"].source == "Reuters" and hits["Unstated"].source == "BBC"
    assert hits["Stated"].published == hits["Unstated"].published == "2024-05-06"


def test_toml_per_folder_nearest_wins(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    record = {"title": "T", "text": "Some text about the harbour."}
    _jsonl(corpus / "top.jsonl", [dict(record, id="top", title="Top", date="06/05/2024")])
    _jsonl(corpus / "bbc" / "a.jsonl", [dict(record, id="bbc", title="Bbc", date="06/05/2024")])
    _jsonl(corpus / "bbc" / "sport" / "b.jsonl", [dict(record, id="sport", title="Sport", date="06/05/2024")])
    (corpus / "newssearch.toml").write_text('source = "Corpus"\n', encoding="utf-8")
    (corpus / "bbc" / "newssearch.toml").write_text('source = "BBC"\ndate_order = "DMY"\nlanguage = "en"\n', encoding="utf-8")
    (corpus / "bbc" / "sport" / "newssearch.toml").write_text('source = "BBC Sport"\n', encoding="utf-8")
    report = index_paths([corpus], str(tmp_path / "ix"), workers=1)
    assert report.added == 3 and not report.skipped  # (the settings files are not articles, nor skipped)
    assert report.ambiguous_dates == 1 and "top.jsonl" in (report.ambiguous_example or "")
    hits = _by_title(tmp_path / "ix")
    assert (hits["Top"].source, hits["Top"].published) == ("Corpus", "2024-06-05")
    assert (hits["Bbc"].source, hits["Bbc"].published, hits["Bbc"].language) == ("BBC", "2024-05-06", "en")
    assert (hits["Sport"].source, hits["Sport"].published) == ("BBC Sport", "2024-05-06")  # date order from bbc/


def test_changing_settings_rereads_exactly_the_files_they_apply_to(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    _jsonl(corpus / "one" / "a.jsonl", [{"id": "a", "title": "A", "text": "Text about trams.", "date": "06/05/2024"}])
    _jsonl(corpus / "two" / "b.jsonl", [{"id": "b", "title": "B", "text": "Text about ports.", "date": "06/05/2024"}])
    ix = str(tmp_path / "ix")
    assert index_paths([corpus], ix, workers=1).added == 2
    again = index_paths([corpus], ix, workers=1)
    assert again.unchanged == 2 and again.files_read == 0
    (corpus / "one" / "newssearch.toml").write_text('date_order = "DMY"\n', encoding="utf-8")
    changed = index_paths([corpus], ix, workers=1)
    assert (changed.updated, changed.unchanged, changed.files_read) == (1, 1, 1)
    assert _by_title(tmp_path / "ix")["A"].published == "2024-05-06"
    (corpus / "one" / "newssearch.toml").unlink()
    back = index_paths([corpus], ix, workers=1)
    assert back.updated == 1 and _by_title(tmp_path / "ix")["A"].published == "2024-06-05"
    # the command line's settings count too
    cli_run = index_paths([corpus], ix, workers=1, settings=ReadSettings.of(source="Agency"))
    assert cli_run.updated == 2 and {h.source for h in _by_title(tmp_path / "ix").values()} == {"Agency"}


def test_csv_columns_from_toml(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "t.csv").write_text("Headline,Body\nStrike ends,The drivers went back to work.\n", encoding="utf-8")
    (corpus / "newssearch.toml").write_text('[columns]\ntitle = "Headline"\ntext = "Body"\n', encoding="utf-8")
    report = index_paths([corpus], str(tmp_path / "ix"), workers=1)
    assert report.added == 1 and not report.skipped
    assert list(_by_title(tmp_path / "ix")) == ["Strike ends"]


def test_real_wikinews_csv_with_renamed_columns_on_the_command_line(tmp_path: Path) -> None:
    original = (FIXTURES / "csv" / "wikinews-2020.csv").read_text(encoding="utf-8")
    header, rest = original.split("\n", 1)
    assert header == "url,date,title,text"
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "w.csv").write_text("Link,Day,Headline,Story\n" + rest, encoding="utf-8")
    result = CliRunner().invoke(cli, ["index", str(tmp_path / "c"), "--index", str(tmp_path / "ix"), "--workers", "1",
                                      "--columns", "title=Headline,text=Story,url=Link,published=Day", "--source", "Wikinews"])
    assert result.exit_code == 0, result.output
    hits = _by_title(tmp_path / "ix")
    assert "Samoan government ends state of emergency over measles outbreak" in hits
    assert {h.source for h in hits.values()} == {"Wikinews"} and all(h.published.startswith("2020") for h in hits.values())


@pytest.mark.parametrize(("text", "message"), [
    ('source = "x"\nsourse = "y"\n', "unknown setting 'sourse'"),
    ("source = \n", "not valid TOML"),
    ('date_order = "DDMM"\n', "unknown date order"),
    ('columns = "headline=Title"\n', "unknown field 'headline'"),
])
def test_a_broken_settings_file_is_one_line_and_a_usage_error(tmp_path: Path, text: str, message: str) -> None:
    corpus = tmp_path / "c"
    _jsonl(corpus / "a.jsonl", [{"id": "a", "title": "A", "text": "Text."}])
    (corpus / "newssearch.toml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["index", str(corpus), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 2
    assert message in result.stderr and "newssearch.toml" in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "ix").exists()  # (nothing written)
    with pytest.raises(SettingsError):
        SettingsResolver(None, [str(corpus)]).for_file(str(corpus / "a.jsonl"))


def test_settings_are_part_of_the_digest_only_when_set() -> None:
    assert ReadSettings().key() == ""
    assert ReadSettings.of(source="BBC").key() != ReadSettings.of(source="CNN").key()
    assert ReadSettings.of(date_order="dmy").date_order == "DMY"
    with pytest.raises(SettingsError):
        ReadSettings.of(columns="title")
