"""Indexing and searching through the Python API: ranking, phrases, fields, snippets, updates."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from newssearch import Searcher, index_paths
from newssearch.errors import QueryError
from newssearch.store.index import open_index
from newssearch.store.schema import SCHEMA_VERSION


def titles(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.title for h in result.hits]


def test_vilnius_summit_finds_seed_with_vilnius_paragraph(shared_index: Path) -> None:
    with Searcher(shared_index) as s:
        result = s.search("Vilnius summit")
    assert result.total == 1
    hit = result.hits[0]
    assert hit.title.startswith("NATO Secretary General Jens Stoltenberg")
    assert hit.published == "2023-04-20"
    snippet = hit.snippet
    assert snippet is not None
    assert snippet.text.startswith("“NATO is with you today, tomorrow and as long as you want,”")
    marked = {snippet.text[a:b] for a, b in snippet.highlights}
    assert marked == {"summit", "Vilnius"}
    assert "**Vilnius**" in snippet.marked()


def test_phrase_search_needs_adjacent_words(shared_index: Path) -> None:
    with Searcher(shared_index) as s:
        assert s.search('"rightful place"').hits[0].snippet.text.startswith("“Let me say clearly: Ukraine’s rightful place")  # type: ignore[union-attr]
        assert s.search('"place rightful"').total == 0


def test_curly_and_straight_apostrophes_search_alike(shared_index: Path) -> None:
    with Searcher(shared_index) as s:
        curly = s.search('"Ukraine’s rightful place"')
        straight = s.search("\"Ukraine's rightful place\"")
    assert curly.total == straight.total == 1


def test_title_outranks_body(shared_index: Path) -> None:
    with Searcher(shared_index) as s:
        result = s.search("Navalny")
    assert titles(result)[0] == "Germany says Alexei Navalny poisoned with Novichok"


def test_boolean_and_field_syntax(shared_index: Path) -> None:
    with Searcher(shared_index) as s:
        assert s.search("Ukrainian NOT Iran").total == 2
        assert s.search("Novichok OR Honcharuk").total == 2
        assert titles(s.search("source:Reuters")) == ["Germany says Alexei Navalny poisoned with Novichok"]
        assert s.search("title:Kurds").total == 1
        assert s.search("published:[2020-01-01 to 2020-01-31]").total == 2
        assert s.search("published:2019").total == 1


def test_stemming_and_accent_folding(shared_index: Path) -> None:
    with Searcher(shared_index) as s:
        assert s.search("poisonings").total == 1  # stem of "poisoned"/"poisoning"
        assert s.search("Erdogan").total == 1  # text says Erdoğan


def test_paragraph_level_search(shared_index: Path) -> None:
    with Searcher(shared_index) as s:
        result = s.search("Vilnius", paragraphs=True)
    assert result.level == "paragraph"
    assert result.total == 2
    assert sorted(p.paragraph for p in result.paragraphs) == [7, 13]
    assert all(p.title.startswith("NATO Secretary General") for p in result.paragraphs)
    assert all("Vilnius" in p.snippet.text for p in result.paragraphs)


def test_pagination_and_exact_total(shared_index: Path) -> None:
    with Searcher(shared_index) as s:
        everything = s.search("", limit=2)
        second = s.search("", limit=2, page=2)
        third = s.search("", limit=2, page=3)
    assert everything.total == 5 and everything.pages == 3
    assert len(everything.hits) == 2 and len(second.hits) == 2 and len(third.hits) == 1
    assert [h.rank for h in third.hits] == [5]
    ids = {h.id for r in (everything, second, third) for h in r.hits}
    assert len(ids) == 5


def test_json_shape_has_stored_fields_and_snippet(shared_index: Path) -> None:
    with Searcher(shared_index) as s:
        data = s.search("Honcharuk").to_dict()
    json.dumps(data)
    assert data["total"] == 1
    hit = data["hits"][0]
    assert hit["id"] == "wn-ukraine-pm"
    assert hit["url"].startswith("https://en.wikinews.org/wiki/Ukrainian_president")
    assert hit["source"] == "Wikinews" and hit["published"] == "2020-01-18"
    assert hit["authors"] == ["Wikinews contributors"]
    assert "Honcharuk" in hit["snippet"]["text"]


def test_bad_queries_raise_query_error(shared_index: Path) -> None:
    with Searcher(shared_index) as s:
        with pytest.raises(QueryError, match="date"):
            s.search("published:garbage")
        with pytest.raises(QueryError, match="too long"):
            s.search("a " * 5000)
        with pytest.raises(QueryError, match="cannot read"):
            s.search("x", since="yesterday-ish")
        # forgiving parses: no error, sensible answers
        assert s.search('"Vilnius summit').total == 1
        assert s.search("((Vilnius").total == 1


def paragraph_docs(index_dir: Path) -> dict[str, int]:
    ix = open_index(str(index_dir))
    counts: dict[str, int] = {}
    with ix.searcher() as searcher:
        for fields in searcher.documents(kind="paragraph"):
            counts[fields["article_id"]] = counts.get(fields["article_id"], 0) + 1
    return counts


def test_incremental_reindex_adds_updates_removes_without_orphans(index_dir: Path, corpus: Path) -> None:
    before = paragraph_docs(index_dir)
    again = index_paths([corpus], str(index_dir), workers=1)
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 5)
    assert again.files_read == 0

    kurds = corpus / "2019-10-15-kurds-deal.txt"
    kurds.write_text(kurds.read_text(encoding="utf-8") + "\nA new closing paragraph about Kobani.\n", encoding="utf-8")
    (corpus / "hotnews" / "2023-04-20-stoltenberg-kyiv.txt").unlink()
    (corpus / "new.txt").write_text("Title: Fresh story\nDate: 2021-05-05\n\nSomething about Kobani happened.", encoding="utf-8")
    report = index_paths([corpus], str(index_dir), workers=1)
    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 1, 1, 3)

    after = paragraph_docs(index_dir)
    with Searcher(index_dir) as s:
        assert s.stats().articles == 5
        assert s.search("Kobani").total == 2
        assert s.search("Vilnius").total == 0
        kurds_id = s.search("title:Kurds").hits[0].id
    assert after[kurds_id] == before[kurds_id] + 1  # re-indexed: one more paragraph, no duplicates
    assert sum(after.values()) == sum(before.values()) - 26 + 1 + 1


def test_rebuild_starts_from_scratch(index_dir: Path, corpus: Path) -> None:
    shutil.rmtree(corpus / "hotnews")
    report = index_paths([corpus], str(index_dir), rebuild=True, workers=1)
    assert report.added == 4
    with Searcher(index_dir) as s:
        assert s.stats().articles == 4


def test_stats_counts(shared_index: Path) -> None:
    with Searcher(shared_index) as s:
        stats = s.stats()
    assert (stats.articles, stats.sources) == (5, 2)
    assert stats.paragraphs == 26 + 3 + 2 + 2 + 2
    assert (stats.first_published, stats.last_published) == ("2019-10-15", "2023-04-20")
    assert stats.size_bytes > 0 and stats.schema_version == SCHEMA_VERSION



SEED_TXT = "2023-04-20-stoltenberg-kyiv.txt"
KURDS_TXT = "2019-10-15-kurds-deal.txt"


@pytest.mark.parametrize(
    ("query", "filters", "expected"),
    [
        # filter fields are analysed once per article and shared by its paragraphs (store.writer.prepare)
        ("said", {"since": "2023-01-01"}, {(SEED_TXT, p) for p in (7, 9, 12, 13, 14, 18, 22)}),
        ("said", {"source": "Wikinews"}, {("wn-ukraine-pm", 1), (KURDS_TXT, 1)}),
        ("said", {"since": "2020-01-14", "until": "2020-01-31"}, {("wn-ukraine-pm", 1)}),
        ("said published:[2020-01-14 to 2020-01-31]", {}, {("wn-ukraine-pm", 1)}),
        ("said published:2019", {}, {(KURDS_TXT, 1)}),
        ("said", {"language": "en", "until": "2020-12"}, {("wn-ukraine-pm", 1), ("wn-navalny", 0), (KURDS_TXT, 1)}),
    ],
)
def test_paragraph_filters_on_shared_fields(shared_index: Path, query: str, filters: dict[str, str], expected: set[tuple[str, int]]) -> None:
    with Searcher(shared_index) as s:
        result = s.search(query, paragraphs=True, limit=100, **filters)  # type: ignore[arg-type]
    found = {(p.article_id if p.article_id.startswith("wn-") else Path(p.path or "").name, p.paragraph) for p in result.paragraphs}
    assert found == expected
    assert result.total == len(expected)


def test_paragraph_documents_follow_their_article_or_are_looked_up(shared_index: Path) -> None:
    with Searcher(shared_index) as s:
        articles = {}
        for docnum in sorted(s._sets.kind("article")):
            fields = s._searcher.stored_fields(docnum)
            articles[fields["id"]] = (docnum, fields)
        for docnum, fields in articles.values():
            found = s._paragraphs.docs(docnum, fields)
            assert sorted(found.values()) == list(range(fields["paragraphs"]))
            assert [s._searcher.stored_fields(d)["article_id"] for d in found] == [fields["id"]] * fields["paragraphs"]
        # an article whose next documents are not its paragraphs: found by article_id instead
        (a_doc, _), (b_doc, b_fields) = list(articles.values())[:2]
        assert s._paragraphs.docs(a_doc, b_fields) == s._paragraphs.docs(b_doc, b_fields)


def test_schema_version_read_from_the_head_or_the_whole_file(index_dir: Path) -> None:
    from newssearch.store.index import META_FILE, read_meta, schema_version

    meta_path = index_dir / META_FILE
    assert meta_path.read_text(encoding="utf-8").startswith('{"schema_version": ')
    assert schema_version(str(index_dir)) == read_meta(str(index_dir))["schema_version"] == SCHEMA_VERSION
    # written by hand with the key elsewhere: read from the parsed file
    meta = read_meta(str(index_dir))
    version = meta.pop("schema_version")
    meta_path.write_text(json.dumps({**meta, "schema_version": version - 1}), encoding="utf-8")
    assert schema_version(str(index_dir)) == version - 1
    with pytest.raises(Exception, match="made by schema version"):
        Searcher(index_dir)
