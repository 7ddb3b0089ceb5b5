"""Copies of one story collapsed in search results (issue 20): one hit per story with its
other versions, totals of articles and stories, paging and facets after collapsing, the
``duplicates`` command and ``show``'s other versions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_duplicates_store import ORIGINAL, corpus, edited, record, text, write

from newssearch.cli import cli
from newssearch.indexing import index_paths
from newssearch.search.searcher import Searcher
from newssearch.store.duplicates import FILE


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A (reuters, 1 March 10:00) and B (bbc, 12:00) are copies; C (bbc) repeats one of A's
    paragraphs in a later story; D (bbc) is unrelated. Every article names the harbour."""
    root = tmp_path_factory.mktemp("collapse")
    index = root / "index"
    index_paths([corpus(root / "corpus")], index)
    return index


def ids(hits: list) -> list[str]:  # type: ignore[type-arg]
    return [h.id for h in hits]


def test_copies_collapse_into_one_hit_with_their_other_versions(index: Path) -> None:
    with Searcher(index) as s:
        result = s.search("")
        assert result.total == 4 and result.stories == 3 and result.collapsed
        assert sorted(ids(result.hits)) == ["A", "C", "D"]  # A: the earliest copy; C, a follow-up, is its own story
        hit = next(h for h in result.hits if h.id == "A")
        assert [(v.id, v.source, v.published, v.title, v.representative) for v in hit.other_versions] == [
            ("B", "bbc", "2024-03-01T12:00:00", "Harbour strike is over", False)]
        assert 0.8 <= hit.other_versions[0].similarity < 1.0
        assert all(not h.other_versions for h in result.hits if h.id != "A")
        every = s.search("", collapse=False)
        assert every.total == 4 and every.stories is None and sorted(ids(every.hits)) == ["A", "B", "C", "D"]
        assert all(not h.other_versions for h in every.hits)


def test_the_copy_shown_is_the_earliest_that_matches(index: Path) -> None:
    with Searcher(index) as s:
        result = s.search("", source="bbc")
        assert sorted(ids(result.hits)) == ["B", "C", "D"] and result.stories == 3
        hit = next(h for h in result.hits if h.id == "B")
        assert [(v.id, v.representative, v.similarity) for v in hit.other_versions] == [("A", True, pytest.approx(hit.other_versions[0].similarity))]
        assert hit.other_versions[0].representative


def test_facets_count_articles_or_stories(index: Path) -> None:
    with Searcher(index) as s:
        articles = s.search("", facets=["source"]).facets["source"]
        stories = s.search("", facets=["source"], count="stories").facets["source"]
        uncollapsed_stories = s.search("", facets=["source"], count="stories", collapse=False).facets["source"]
    assert {v.value: v.count for v in articles.values} == {"bbc": 3, "reuters": 1}
    assert {v.value: v.count for v in stories.values} == {"bbc": 2, "reuters": 1}
    assert {v.value: v.count for v in uncollapsed_stories.values} == {"bbc": 2, "reuters": 1}


def test_paragraph_hits_are_not_collapsed(index: Path) -> None:
    with Searcher(index) as s:
        words = " ".join(ORIGINAL[2].split()[:3])
        result = s.search(f'"{words}"', paragraphs=True)
    assert result.stories is None
    assert sorted(p.article_id for p in result.paragraphs) == ["A", "B"]


def test_paging_after_collapsing_shows_each_story_once(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    records = []
    for story in range(6):
        body = text(100 + story)
        for copy in range(story % 3 + 1):  # 1, 2 or 3 copies
            records.append(record(f"s{story}c{copy}", body if copy == 0 else edited(body, copy) if copy == 1 else body,
                                  f"2024-01-{10 + copy:02d}", f"outlet{copy}", f"Story {story} harbour"))
    for single in range(4):
        records.append(record(f"x{single}", text(200 + single), "2024-02-01", "solo", f"Single {single} harbour"))
    write(folder / "all.jsonl", records)
    index_paths([folder], tmp_path / "index")
    with Searcher(tmp_path / "index") as s:
        first = s.search("harbour", limit=3)
        assert first.total == 16 and first.stories == 10 and first.pages == 4
        shown: list[str] = []
        for page in range(1, first.pages + 1):
            result = s.search("harbour", limit=3, page=page)
            assert [h.rank for h in result.hits] == list(range(3 * page - 2, 3 * page - 2 + len(result.hits)))
            shown.extend(ids(result.hits))
            for hit in result.hits:
                if hit.id.startswith("s"):
                    story = hit.id.split("c")[0]
                    assert hit.id == f"{story}c0"  # the earliest copy
                    assert sorted(v.id for v in hit.other_versions) == [f"{story}c{c}" for c in range(1, int(story[1:]) % 3 + 1)]
        assert len(shown) == len(set(shown)) == 10
        assert sorted(shown) == sorted([f"s{n}c0" for n in range(6)] + [f"x{n}" for n in range(4)])
        assert s.search("harbour", limit=3, page=5).hits == []
        # sorted by date, too
        newest = [h.id for p in (1, 2, 3, 4) for h in s.search("harbour", limit=3, page=p, sort="newest").hits]
        assert len(newest) == len(set(newest)) == 10
        assert set(newest[:4]) == {"x0", "x1", "x2", "x3"}  # the singles (1 February) first


def test_without_the_file_nothing_collapses_and_a_garbled_one_is_damage(tmp_path: Path) -> None:
    index = tmp_path / "index"
    index_paths([corpus(tmp_path / "corpus")], index)
    saved = (index / FILE).read_bytes()
    (index / FILE).unlink()
    with Searcher(index) as s:
        result = s.search("")
        assert result.total == result.stories == 4
    (index / FILE).write_bytes(saved[: len(saved) // 2])
    done = CliRunner().invoke(cli, ["query", "--index", str(index), "harbour"])
    assert done.exit_code == 3, done.output
    assert "damaged" in done.output and FILE in done.output and "Traceback" not in done.output
    assert CliRunner().invoke(cli, ["query", "--no-collapse", "--index", str(index), ""]).exit_code == 0


def test_cli_query_collapses_by_default(index: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(cli, ["query", "--index", str(index), ""])
    assert done.exit_code == 0, done.output
    assert "of 3 stories (4 matching articles, copies collapsed)" in done.output
    assert "and 1 other version: bbc 2024-03-01T12:00:00 [B]" in done.output
    every = runner.invoke(cli, ["query", "--no-collapse", "--index", str(index), ""])
    assert "1–4 of 4 matching articles" in every.output and "other version" not in every.output
    data = json.loads(runner.invoke(cli, ["query", "--json", "--index", str(index), ""]).output)
    assert data["total"] == 4 and data["stories"] == 3 and data["pages"] == 1
    [hit] = [h for h in data["hits"] if h["id"] == "A"]
    [version] = hit["other_versions"]
    assert set(version) == {"id", "title", "source", "published", "similarity", "representative"}
    assert version["id"] == "B" and version["source"] == "bbc"
    facets = json.loads(runner.invoke(cli, ["query", "--json", "--facet", "source", "--count-by", "stories", "--index", str(index), ""]).output)
    assert {v["value"]: v["count"] for v in facets["facets"]["source"]["values"]} == {"bbc": 2, "reuters": 1}
    bad = runner.invoke(cli, ["query", "--count-by", "words", "--index", str(index), ""])
    assert bad.exit_code == 2


def test_show_lists_the_other_versions(index: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(cli, ["show", "--index", str(index), "B"])
    assert done.exit_code == 0, done.output
    assert "Other versions (1):" in done.output
    assert "[A]  2024-03-01T10:00:00  reuters  representative  Harbour strike ends" in done.output
    data = json.loads(runner.invoke(cli, ["show", "--json", "--index", str(index), "A"]).output)
    assert [v["id"] for v in data["other_versions"]] == ["B"]
    alone = runner.invoke(cli, ["show", "--index", str(index), "C"])
    assert "Other versions" not in alone.output


def test_duplicates_lists_the_groups(index: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(cli, ["duplicates", "--index", str(index)])
    assert done.exit_code == 0, done.output
    assert "1 group of copies (2 articles)" in done.output
    assert "Harbour strike ends  (2 versions)" in done.output
    lines = [line.strip() for line in done.output.splitlines() if line.strip().startswith("[")]
    assert lines[0].startswith("[A]  2024-03-01T10:00:00  reuters  representative")
    assert lines[1].startswith("[B]  2024-03-01T12:00:00  bbc  similarity 0.")
    data = json.loads(runner.invoke(cli, ["duplicates", "--json", "--index", str(index)]).output)
    assert data["total"] == 1 and data["stories"][0]["representative"] == "A" and data["stories"][0]["size"] == 2
    assert [v["id"] for v in data["stories"][0]["versions"]] == ["A", "B"]
    assert "No groups of copies with a copy matching 'unrelated'" in runner.invoke(cli, ["duplicates", "--index", str(index), "unrelated"]).output
    matching = json.loads(runner.invoke(cli, ["duplicates", "--json", "--index", str(index), "title:over"]).output)
    assert matching["total"] == 1
    assert runner.invoke(cli, ["duplicates", "--index", str(index / "nope")]).exit_code == 3
