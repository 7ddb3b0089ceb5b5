"""Facets, filters, histograms, sorting, grouping, suggestions and similar articles.

Facet counts are checked against a brute-force count over the same fixture articles, as
``newssearch extract`` sees them.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, SEED

from newssearch import Searcher
from newssearch.cli import cli
from newssearch.enrich.people import person_key
from newssearch.errors import InputError
from newssearch.extracting import extract
from newssearch.indexing import index_paths
from newssearch.model import Article
from newssearch.search import searcher as searcher_module
from newssearch.search.facets import FACETS

EXTRA = [
    {"id": "x-nato-1", "title": "NATO ministers meet in Brussels", "text": "NATO Secretary General Jens Stoltenberg met defence ministers in Brussels on Tuesday.\n\nStoltenberg said the alliance would keep supporting Kyiv.", "published": "2023-02-14", "source": "Reuters", "language": "en"},
    {"id": "x-nato-2", "title": "Zelenskyy thanks NATO allies", "text": "Ukrainian President Volodymyr Zelenskyy thanked NATO allies for air defence systems.\n\nZelenskyy spoke in Kyiv on Friday.", "published": "2023-03-03", "source": "AP", "language": "en"},
    {"id": "x-ro-1", "title": "Summit la Bucuresti", "text": "Presedintele Klaus Iohannis a vorbit despre NATO la Bucuresti pe 3 martie 2023.", "published": "2023-03-05", "source": "HotNews", "language": "ro"},
    {"id": "x-undated", "title": "An undated NATO note", "text": "NATO published a note about the summit."},
]


@pytest.fixture(scope="module")
def facet_corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Article]]:
    root = tmp_path_factory.mktemp("facets")
    corpus = root / "corpus"
    shutil.copytree(FIXTURES / "corpus", corpus)
    shutil.copy(SEED, corpus / SEED.name)
    (corpus / "extra.jsonl").write_text("\n".join(json.dumps(r) for r in EXTRA) + "\n", encoding="utf-8")
    index_paths([corpus], str(root / "index"), workers=1)
    articles = [a for a in extract([corpus]) if not isinstance(a, InputError)]
    assert len(articles) == 9
    return root / "index", articles


def brute(articles: list[Article], searcher: Searcher, facet: str, keep: set[str], paragraphs: bool = False) -> Counter[str]:
    """Count facet values over the articles (or their paragraphs) whose id is in ``keep``."""
    counts: Counter[str] = Counter()
    for a in articles:
        if a.id not in keep:
            continue
        pub = a.published
        if facet == "people":
            groups = [{person_key(n) for n in names} for names in a.paragraph_people] if paragraphs else [{person_key(p.name) for p in a.people}]
            for keys in groups:
                counts.update({searcher._registry.group(k) for k in keys if k and searcher._registry.is_person(k)})
        elif facet in ("source", "language", "year", "month"):
            value = {"source": a.source, "language": a.language, "year": pub and f"{pub.year:04d}", "month": pub and f"{pub.year:04d}-{pub.month:02d}"}[facet]
            if value:
                counts[value] += len(a.paragraphs) if paragraphs else 1
        elif facet.startswith("mentioned"):
            size = {"mentioned": 4, "mentioned_month": 7, "mentioned_day": 10}[facet]
            values = {d.value[:size] for d in a.dates if len(d.value) >= size}
            counts.update(values)
    return counts


def as_counter(result, name: str) -> Counter[str]:  # type: ignore[no-untyped-def]
    return Counter({v.value: v.count for v in result.facets[name].values})


ALL_FACETS = ["people", "source", "language", "year", "month", "mentioned", "mentioned_month", "mentioned_day"]


@pytest.mark.parametrize("facet", ALL_FACETS)
@pytest.mark.parametrize(
    ("query", "filters"),
    [
        ("", {}),
        ("NATO", {}),
        ("NATO", {"since": "2023-01-01"}),
        ("", {"source": ["Reuters", "AP"]}),
        ("Kyiv", {"person": "Zelenskyy"}),
        ("", {"language": "en", "until": "2020-12-31"}),
    ],
)
@pytest.mark.parametrize("stored", [True, False])
def test_article_facets_match_brute_force(facet_corpus, facet: str, query: str, filters: dict, stored: bool, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Both ways of reading values: a few articles' stored fields (a fresh searcher), and
    the index-wide tables (forced here by allowing no "few" matches)."""
    index_dir, articles = facet_corpus
    if not stored:
        monkeypatch.setattr(searcher_module, "FEW_DOCS", 0)
    with Searcher(index_dir) as s:
        if not stored:
            s.search("NATO", facets=["language"])  # (a searcher's first facet query reads stored fields)
        result = s.search(query, facets=[facet], facet_limit=1000, limit=1000, **filters)
        keep = {h.id for h in result.hits}
        assert len(keep) == result.total
        assert as_counter(result, facet) == brute(articles, s, facet, keep)
        assert s._values.has(FACETS[facet].fieldname) is (not stored and result.total > 0)


def test_first_facet_query_reads_stored_fields_whatever_its_size(facet_corpus, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    index_dir, _ = facet_corpus
    monkeypatch.setattr(searcher_module, "FEW_DOCS", 0)  # every match set is "large"
    with Searcher(index_dir) as s:
        s.search("NATO")  # (not a facet query)
        first = s.search("", facets=["people"])
        assert first.total == 9 and not s._values.has("person")  # a one-shot query reads no whole field
        second = s.search("", facets=["people"])
        assert s._values.has("person")  # a searcher used again reads the field once, for every later query
        assert first.facets == second.facets and first.facets["people"].values


@pytest.mark.parametrize("facet", ["people", "source", "year"])
def test_paragraph_level_facets_match_brute_force(facet_corpus, facet: str) -> None:  # type: ignore[no-untyped-def]
    index_dir, articles = facet_corpus
    with Searcher(index_dir) as s:
        result = s.search("", paragraphs=True, facets=[facet], facet_limit=1000, limit=1000)
        assert result.total == sum(len(a.paragraphs) for a in articles)
        assert as_counter(result, facet) == brute(articles, s, facet, {a.id for a in articles}, paragraphs=True)


def test_person_filter_matches_every_alias(facet_corpus) -> None:  # type: ignore[no-untyped-def]
    index_dir, _ = facet_corpus
    with Searcher(index_dir) as s:
        ids = [{h.id for h in s.search("", person=name, limit=100).hits} for name in ("Zelenskyy", "Volodymyr Zelensky", "Zelenskyi", "ZELENSKY")]
        by_syntax = {h.id for h in s.search('person:"Volodymyr Zelenskyy"', limit=100).hits}
    assert ids[0] == ids[1] == ids[2] == ids[3] == by_syntax
    assert {"x-nato-2", "wn-ukraine-pm", "wn-iran-jet"} <= ids[0]
    assert len(ids[0]) == 4  # plus the seed article


def test_people_facet_names_canonical_person_with_count(facet_corpus) -> None:  # type: ignore[no-untyped-def]
    index_dir, _ = facet_corpus
    with Searcher(index_dir) as s:
        result = s.search("NATO", facets=["people"])
    labels = {v.label: v.count for v in result.facets["people"].values}
    assert labels["Jens Stoltenberg"] == 3  # seed, Kurds report, Brussels meeting


def test_filters_compose(facet_corpus) -> None:  # type: ignore[no-untyped-def]
    index_dir, _ = facet_corpus
    with Searcher(index_dir) as s:
        assert {h.id for h in s.search("NATO", source="Reuters").hits} == {"x-nato-1"}
        assert {h.id for h in s.search("NATO", since="2023-03", until="2023-03-31").hits} == {"x-nato-2", "x-ro-1"}
        assert {h.id for h in s.search("NATO", language="ro").hits} == {"x-ro-1"}
        assert s.search("NATO", person="Jens Stoltenberg", source="AP").total == 0
        assert s.search("NATO source:Reuters", since="2024").total == 0


@pytest.mark.parametrize("interval", ["day", "week", "month", "year"])
def test_histogram_buckets_add_up_and_include_empty_ones(facet_corpus, interval: str) -> None:  # type: ignore[no-untyped-def]
    index_dir, _ = facet_corpus
    with Searcher(index_dir) as s:
        result = s.search("", histogram=interval, limit=1)
    hist = result.histogram
    assert hist is not None
    assert hist.total + hist.undated == result.total == 9
    assert hist.undated == 1
    starts = [dt.date.fromisoformat(b.start) for b in hist.buckets]
    assert starts == sorted(starts)
    if interval == "year":
        assert [(b.label, b.count) for b in hist.buckets] == [("2019", 1), ("2020", 3), ("2021", 0), ("2022", 0), ("2023", 4)]
    if interval == "month":
        assert len(hist.buckets) == (2023 - 2019) * 12 + 4 - 10 + 1  # 2019-10 .. 2023-04, every month
        assert any(b.count == 0 for b in hist.buckets)


@pytest.mark.parametrize("query", ["", "NATO", "Stoltenberg"])
def test_histograms_from_the_array_of_dates_equal_stored_fields_and_index_tables(facet_corpus, query: str) -> None:  # type: ignore[no-untyped-def]
    from newssearch.search.facets import DateHistogramFacet, StoredValues
    from newssearch.search.request import SearchRequest
    from newssearch.store.documents import stored_facet_values

    index_dir, _ = facet_corpus
    with Searcher(index_dir) as s:
        arrays = [s.search(query, histogram=interval, limit=1).histogram for interval in ("day", "month", "year")]
        assert not s._values.has("published")  # (the array of dates: no column read value by value)
        q, _ = s._parse(SearchRequest(query))
        docs = sorted(set(s._searcher.docs_for_query(q)) & s._sets.kind("article"))
        stored = StoredValues(s._reader.stored_fields, docs, stored_facet_values)
        from_stored = [DateHistogramFacet(interval).count(stored, docs) for interval in ("day", "month", "year")]
        from_tables = [DateHistogramFacet(interval).count(s._values, docs) for interval in ("day", "month", "year")]
    assert arrays == from_stored == from_tables
    assert arrays[2] is not None and sum(b.count for b in arrays[2].buckets) > 0


def test_sorting(facet_corpus) -> None:  # type: ignore[no-untyped-def]
    index_dir, _ = facet_corpus
    with Searcher(index_dir) as s:
        newest = [h.published for h in s.search("NATO", sort="newest").hits]
        oldest = [h.published for h in s.search("NATO", sort="oldest").hits]
    dated = [d for d in newest if d]
    assert dated == sorted(dated, reverse=True)
    assert [d for d in oldest if d] == sorted(dated)


def test_article_hit_groups_its_best_paragraphs(facet_corpus) -> None:  # type: ignore[no-untyped-def]
    index_dir, _ = facet_corpus
    with Searcher(index_dir) as s:
        result = s.search("Stoltenberg Vilnius", snippets=3)
        paragraphs = s.search("Stoltenberg Vilnius", paragraphs=True)
    [seed] = result.hits
    assert 1 <= len(seed.snippets) <= 3
    assert all("Vilnius" in sn.text for sn in seed.snippets[:2])
    assert len({sn.paragraph for sn in seed.snippets}) == len(seed.snippets)
    assert {p.article_id for p in paragraphs.paragraphs} == {seed.id}


def test_did_you_mean_uses_real_words(facet_corpus) -> None:  # type: ignore[no-untyped-def]
    index_dir, _ = facet_corpus
    with Searcher(index_dir) as s:
        result = s.search("Vilnus sumit")
        assert result.total == 0
        assert result.suggestion == "vilnius summit"
        assert s.search("Vilnius summit").suggestion is None


def test_similar_articles(facet_corpus) -> None:  # type: ignore[no-untyped-def]
    index_dir, _ = facet_corpus
    with Searcher(index_dir) as s:
        result = s.similar("x-nato-1", limit=3)
        seed_id = s.search("Vilnius").hits[0].id
        kurds_id = s.search("title:Kurds").hits[0].id
    ids = [h.id for h in result.hits]
    assert len(ids) == 3 and "x-nato-1" not in ids
    assert "x-nato-2" in ids  # the other NATO-and-Kyiv story
    assert set(ids) <= {"x-nato-2", "wn-ukraine-pm", "wn-iran-jet", seed_id, kurds_id}


def test_cli_facets_only_and_histogram(facet_corpus) -> None:  # type: ignore[no-untyped-def]
    index_dir, _ = facet_corpus
    runner = CliRunner()
    out = runner.invoke(cli, ["query", "--index", str(index_dir), "NATO", "--facet", "people", "--facet", "source", "--facets-only", "--facet-limit", "2"]).stdout
    assert out.startswith("people:\n  Jens Stoltenberg")
    assert "  and " in out and "source:" in out
    hist = runner.invoke(cli, ["query", "--index", str(index_dir), "", "--histogram", "year", "--facets-only"]).stdout
    assert "published per year:\n  2019            1 █" in hist
    assert "\n  2021            0 \n" in hist and "(undated: 1)" in hist
    data = json.loads(runner.invoke(cli, ["query", "--json", "--index", str(index_dir), "NATO", "--histogram", "month"]).stdout)
    assert sum(b["count"] for b in data["histogram"]["buckets"]) + data["histogram"]["undated"] == data["total"]


def test_single_valued_facets_of_few_matches_read_columns_not_stored_fields(facet_corpus) -> None:  # type: ignore[no-untyped-def]
    """A one-shot source/year/month/language facet reads each match's value from the field's
    column (µs), not from its stored fields (a chunk decompressed per match): same counts."""
    from newssearch.search.facets import StoredValues, make_facet
    from newssearch.store.documents import stored_facet_values

    index_dir, _ = facet_corpus
    with Searcher(index_dir) as s:
        docs = sorted(s._sets.kind("article"))
        fetched: list[int] = []

        def fetch(docnum: int) -> dict:  # type: ignore[type-arg]
            fetched.append(docnum)
            return s._reader.stored_fields(docnum)

        by_column = StoredValues(fetch, docs, stored_facet_values, s._values.column)
        by_stored = StoredValues(s._reader.stored_fields, docs, stored_facet_values)
        for name in ("source", "year", "month", "language"):
            facet = make_facet(name, s)
            counted = facet.count(by_column, docs, 0)
            assert counted == facet.count(by_stored, docs, 0) and counted.values
        assert fetched == []
        make_facet("people", s).count(by_column, docs, 0)
        assert sorted(fetched) == docs  # (people have no column: stored fields, read once)
