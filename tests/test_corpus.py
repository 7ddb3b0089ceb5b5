"""The shipped sample corpus: what the README's first command shows a new user."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from newssearch import Searcher
from newssearch.cli import cli

CORPUS = Path(__file__).resolve().parent.parent / "corpus"  # (indexed once per run: conftest.corpus_index)


def test_the_first_command_reports_the_corpus(corpus_run: tuple[Path, str]) -> None:
    assert corpus_run[1].startswith("111 added, 0 updated, 0 removed, 0 unchanged, 1 skipped (1 unknown file type)")


def test_vilnius_summit_on_the_shipped_corpus(corpus_index: Path) -> None:
    result = CliRunner().invoke(cli, ["query", "--index", str(corpus_index), "Vilnius summit"])
    lines = result.stdout.splitlines()
    assert lines[0] == "1–1 of 1 matching article (page 1 of 1)"
    assert lines[2].startswith("1. NATO Secretary General Jens Stoltenberg is on Thursday")
    assert "¶8: “NATO is with you today, tomorrow and as long as you want,” Stoltenberg said before inviting Zelensky to the NATO summit in Vilnius in July." in result.stdout


def test_nato_people_facet_counts_stoltenberg(corpus_index: Path) -> None:
    texts = [p.read_text(encoding="utf-8") for p in CORPUS.rglob("*") if p.suffix in (".txt", ".jsonl", ".html")]
    by_hand = sum(1 for t in texts if "Stoltenberg" in t and "NATO" in t)  # each such file is one article
    with Searcher(corpus_index) as s:
        result = s.search("NATO", facets=["people"])
    counts = {v.label: v.count for v in result.facets["people"].values}
    assert counts["Jens Stoltenberg"] == by_hand == 2


def test_person_aliases_return_the_same_articles(corpus_index: Path) -> None:
    with Searcher(corpus_index) as s:
        a = {h.id for h in s.search("", person="Zelenskyy", limit=100).hits}
        b = {h.id for h in s.search("", person="Volodymyr Zelensky", limit=100).hits}
    assert a == b and len(a) >= 3


def test_html_pages_give_source_and_date(corpus_index: Path) -> None:
    with Searcher(corpus_index) as s:
        # (every article: an HTML page and the JSON record of the same story are copies, shown once when collapsed)
        result = s.search("source:Wikinews", since="2019-09-11", until="2019-09-11", limit=50, collapse=False)
    assert any(h.path and h.path.endswith(".html") for h in result.hits)
