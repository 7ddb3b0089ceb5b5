"""``newssearch people`` (people with counts and merged aliases) and languages in ``stats``.

All text here is written for these tests (no news or corpus text is copied).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from newssearch import Searcher
from newssearch.cli import cli

ROWS = [
    {"id": "ro1", "title": "Zelenski cere arme", "language": "ro", "published": "2022-08-10",
     "text": "Președintele Volodimir Zelenski a cerut joi mai multe arme occidentale. "
             "Zelenski a vorbit cu liderii europeni despre apărarea orașelor din est."},
    {"id": "en1", "title": "Zelensky asks for weapons", "language": "en", "published": "2022-08-10",
     "text": "President Volodymyr Zelensky asked for more Western weapons on Thursday. "
             "Zelensky spoke with European leaders about the defence of eastern cities."},
    {"id": "en2", "title": "Budget talks", "language": "en", "published": "2022-08-11",
     "text": "Finance minister Rishi Sunak met union leaders in London on Friday to discuss pay."},
    {"id": "de1", "title": "Besuch in Berlin", "language": "de", "published": "2022-08-12",
     "text": "Angela Merkel sprach am Freitag in Berlin mit den Kindern über die Kosten der Energie."},
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("people")
    corpus = root / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in ROWS) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["index", "--index", str(root / "ix"), "--workers", "1", "-q", str(corpus)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return str(root / "ix")


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_people_lists_counts_and_merged_aliases(index: str) -> None:
    lines = run("people", "--index", index).splitlines()
    zelensky = [line for line in lines if "Zelensk" in line]
    assert len(zelensky) == 1  # one person across the languages
    assert zelensky[0].split()[0] == "2" and "Volodimir Zelenski" in zelensky[0] and "Volodymyr Zelensky" in zelensky[0]
    assert any("Rishi Sunak" in line for line in lines) and any("Angela Merkel" in line for line in lines)
    assert lines[0] == zelensky[0]  # most named first


def test_people_text_filter_limit_and_json(index: str) -> None:
    found = json.loads(run("people", "zelenski", "--index", index, "--json"))
    assert len(found) == 1
    entry = found[0]
    assert entry["articles"] == 2 and entry["person"] is True
    assert {entry["name"], *entry["aliases"]} >= {"Volodymyr Zelensky", "Volodimir Zelenski"}
    assert len(json.loads(run("people", "--index", index, "--json", "--limit", "1"))) == 1
    assert run("people", "nobody-by-that-name", "--index", index).strip() == "No people matching 'nobody-by-that-name'."
    with Searcher(index) as s:
        assert [e.name for e in s.people("SUNAK")] == ["Rishi Sunak"]


def test_people_usage_errors(index: str) -> None:
    result = CliRunner().invoke(cli, ["people", "--index", index, "--limit", "0"])
    assert result.exit_code == 2


def test_stats_counts_languages_and_names_those_without_a_people_model(index: str) -> None:
    out = run("stats", "--index", index)
    assert "Languages:    en 2, de 1, ro 1" in out
    assert "No people model for: de " in out
    data = json.loads(run("stats", "--index", index, "--json"))
    assert data["languages"] == {"en": 2, "de": 1, "ro": 1} and data["no_people_model"] == ["de"]


def test_stats_of_an_index_without_languages(tmp_path: Path) -> None:
    corpus = tmp_path / "a.txt"
    corpus.write_text("Short note\n\nA few words.\n", encoding="utf-8")
    run("index", "--index", str(tmp_path / "ix"), "--workers", "1", "-q", str(corpus))
    out = run("stats", "--index", str(tmp_path / "ix"))
    assert "Languages:    unknown 1" in out and "No people model" not in out
