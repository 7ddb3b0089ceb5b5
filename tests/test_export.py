"""Every match, not one page: Searcher.hits, its rows/JSONL/CSV/DataFrame, `export`, `query --jsonl/--count`."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from newssearch.cli import cli
from newssearch.errors import QueryError
from newssearch.indexing import index_paths
from newssearch.search.searcher import Searcher

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def wiki_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture corpus (5 articles) and the Wikinews CSV (real articles) in one index."""
    root = tmp_path_factory.mktemp("export")
    shutil.copytree(FIXTURES / "corpus", root / "corpus")
    shutil.copy(FIXTURES / "csv" / "wikinews-2020.csv", root / "corpus")
    out = root / "index"
    report = index_paths([root / "corpus"], str(out), workers=1)
    assert report.added >= 8 and not report.skipped
    return out


def _run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_hits_gives_every_match_across_batches_in_query_order(wiki_index: Path) -> None:
    with Searcher(wiki_index) as s:
        total = s.search("said").total
        stream = s.hits("said", batch=2)
        hits = list(stream)
        page = s.search("said", limit=total).hits
    assert total > 3 and stream.total == len(stream) == len(hits) == total  # more than one batch
    assert [h.id for h in hits] == [h.id for h in page]
    assert [h.rank for h in hits] == list(range(1, total + 1))
    assert all("said" in h.snippet.marked().lower() for h in hits)


def test_hits_takes_the_filters_and_order_of_query(wiki_index: Path) -> None:
    with Searcher(wiki_index) as s:
        everything = list(s.hits("", snippets=0))
        newest = [h.published for h in everything]
        assert newest == sorted(newest, key=lambda d: d or "", reverse=True)  # no words: newest first
        oldest = [h.published for h in s.hits("", sort="oldest", snippets=0)]
        assert oldest == sorted(oldest, key=lambda d: d or "")
        reuters = list(s.hits("", source="Reuters", snippets=0))
        assert reuters and all(h.source == "Reuters" for h in reuters)
        assert len(reuters) == s.search("", source="Reuters").total
        in_2020 = s.hits("", since="2020-06", until="2020-12")
        assert in_2020.total == s.search("", since="2020-06", until="2020-12").total
        assert all("2020-06" <= (h.published or "") <= "2020-12-31" for h in in_2020)
        paragraphs = list(s.hits("said", paragraphs=True))
        assert paragraphs and len(paragraphs) == s.search("said", paragraphs=True).total
        assert all("said" in p.snippet.text.lower() for p in paragraphs)


def test_hits_rejects_bad_options(wiki_index: Path) -> None:
    with Searcher(wiki_index) as s:
        with pytest.raises(QueryError):
            s.hits("", since="last week")
        with pytest.raises(TypeError):
            s.hits("", limit=5)
        with pytest.raises(QueryError, match="unknown field"):
            list(s.hits("said").rows(["title", "nope"]))


def test_rows_fields_and_whole_text(wiki_index: Path) -> None:
    with Searcher(wiki_index) as s:
        rows = list(s.hits("Navalny").rows("title,text,authors"))
        body = s.article(s.search("Navalny").hits[0].id).text
    assert list(rows[0]) == ["title", "text", "authors"]
    assert rows[0]["title"] == "Germany says Alexei Navalny poisoned with Novichok"
    assert rows[0]["text"] == body and "Novichok" in body
    assert isinstance(rows[0]["authors"], list)


def test_write_csv_quotes_and_joins_lists(wiki_index: Path, tmp_path: Path) -> None:
    out = tmp_path / "hits.csv"
    with Searcher(wiki_index) as s:
        count = s.hits("said").write_csv(out, ["id", "title", "people", "text"])
        total = s.search("said").total
    with open(out, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert count == total == len(rows)
    navalny = next(r for r in rows if "Navalny" in r["title"])
    assert "Alexei Navalny; Angela Merkel" == navalny["people"]
    assert "\n\n" in navalny["text"]  # paragraphs kept inside one quoted cell
    assert any('"' in r["text"] for r in rows)  # doubled quotes read back as they were


def test_to_dataframe(wiki_index: Path) -> None:
    pd = pytest.importorskip("pandas")
    with Searcher(wiki_index) as s:
        frame = s.hits("", source="Wikinews").to_dataframe(["published", "title", "source"])
        total = s.search("", source="Wikinews").total
    assert list(frame.columns) == ["published", "title", "source"]
    assert len(frame) == total > 0
    assert pd.api.types.is_datetime64_any_dtype(frame["published"])
    assert set(frame["source"]) == {"Wikinews"}


def test_export_cli_counts_equal_query_count(wiki_index: Path) -> None:
    for args in (["said"], [""], ["", "--source", "Reuters"], ["said", "--paragraphs"], ["", "--since", "2020-06"]):
        count = int(_run("query", *args, "--count", "--index", str(wiki_index)))
        lines = _run("export", *args, "--index", str(wiki_index)).splitlines()
        assert len(lines) == count, args
        table = _run("export", *args, "--format", "csv", "--index", str(wiki_index))
        assert len(list(csv.reader(io.StringIO(table)))) == count + 1  # the header
    assert count > 0


def test_export_cli_fields_and_file(wiki_index: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["export", "Navalny", "--fields", "id,title,snippet", "-o", str(out), "--index", str(wiki_index)])
    assert result.exit_code == 0, result.output
    assert "1 hits" in result.stderr and str(out) in result.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [list(r) for r in rows] == [["id", "title", "snippet"]]
    assert "**Navalny**" in rows[0]["snippet"]


def test_export_cli_bad_field_and_bad_query_are_one_line(wiki_index: Path) -> None:
    result = CliRunner().invoke(cli, ["export", "said", "--fields", "title,bogus", "--index", str(wiki_index)])
    assert result.exit_code == 2
    assert "unknown field 'bogus'" in result.stderr and "Traceback" not in result.output
    result = CliRunner().invoke(cli, ["export", "said", "--since", "yesterday", "--index", str(wiki_index)])
    assert result.exit_code == 2 and result.stdout == ""


def test_query_jsonl_is_one_hit_per_line(wiki_index: Path) -> None:
    lines = _run("query", "said", "--jsonl", "-n", "3", "--index", str(wiki_index)).splitlines()
    hits = [json.loads(line) for line in lines]
    assert len(hits) == 3 and [h["rank"] for h in hits] == [1, 2, 3]
    assert all("said" in h["snippet"]["text"].lower() for h in hits)
    result = CliRunner().invoke(cli, ["query", "said", "--jsonl", "--json", "--index", str(wiki_index)])
    assert result.exit_code == 2


def test_rows_ordered_by_date_carry_no_sort_key_as_score(wiki_index: Path) -> None:
    with Searcher(wiki_index) as s:
        assert {row["score"] for row in s.hits("").rows(["score"])} == {None}
        assert {row["score"] for row in s.hits("said", sort="newest").rows(["score"])} == {None}
        assert all(0 < row["score"] < 100 for row in s.hits("said").rows(["score"]))


def test_the_stream_api_is_exported() -> None:
    import newssearch

    assert newssearch.HitStream.__name__ == "HitStream" and callable(newssearch.index_stream)
    assert newssearch.ReadSettings.of(source="BBC").source == "BBC"
