"""The people facet of a one-shot query read from the ``person_keys`` column: the same
counts (aliases and surnames grouped, non-people left out) as from the matches' stored
fields and from the index-wide table of the ``person`` postings, without reading the
matches' stored fields; and the same counts again on an index whose documents (or
segments) were written without the column."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import CORPUS

from newssearch import Searcher
from newssearch.indexing import index_paths
from newssearch.search import searcher as searcher_module
from newssearch.search.results import FacetResult
from newssearch.store import documents

#: Articles naming one person by several spellings the registry merges (full name, surname
#: alone, a variant spelling), beside the sample corpus's own people.
ALIASES = [
    {"id": "al-1", "title": "Zelenskyy visits Kyiv front", "text": "Ukrainian President Volodymyr Zelenskyy visited troops near Kyiv.\n\nZelenskyy said the line would hold, Defence Minister Oleksii Reznikov added.", "published": "2023-02-14", "source": "Reuters", "language": "en"},
    {"id": "al-2", "title": "Talks in Kyiv", "text": "Volodymyr Zelensky met Jens Stoltenberg in Kyiv on Thursday.\n\nStoltenberg promised more air defence, Zelensky said.", "published": "2023-04-20", "source": "AP", "language": "en"},
    {"id": "al-3", "title": "A speech in Kyiv", "text": "President Zelenskyy spoke to parliament in Kyiv.\n\nReznikov and Stoltenberg listened.", "published": "2023-05-02", "source": "AP", "language": "en"},
]
QUERIES = ["", "Kyiv", "president", "said", "police OR minister"]


def _corpus(root: Path) -> Path:
    corpus = root / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "aliases.jsonl").write_text("\n".join(json.dumps(a) for a in ALIASES) + "\n", encoding="utf-8")
    return corpus


@pytest.fixture(scope="module")
def people_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("people-column")
    index_paths([_corpus(root)], str(root / "index"), workers=1)
    return root / "index"


def _people(index_dir: Path, query: str, way: str, monkeypatch: pytest.MonkeyPatch) -> FacetResult:
    """The people facet of ``query`` counted one ``way``: ``column`` (a one-shot query as the
    CLI runs it), ``stored`` (the matches' stored fields), ``table`` (the index-wide table)."""
    with monkeypatch.context() as patch:
        if way == "stored":
            patch.setattr(searcher_module.Searcher, "_column_terms", lambda self, fieldname: None)
        if way == "table":
            patch.setattr(searcher_module, "FEW_DOCS", 0)
        with Searcher(index_dir) as s:
            if way == "table":
                s.search("Kyiv", facets=["language"])  # (a searcher's first facet query reads stored fields)
            result = s.search(query, facets=["people"], facet_limit=1000)
            if way == "table":
                assert s._values.has("person")
            return result.facets["people"]


def test_registry_merges_aliases(people_index: Path) -> None:
    """(What the fixture is for: several spellings counted as one person.)"""
    with Searcher(people_index) as s:
        assert s._registry.members("volodymyr zelensky") == ["volodymyr zelensky", "zelensky"]
        assert s._registry.members("jens stoltenberg") == ["jens stoltenberg", "stoltenberg"]
        facet = s.search("Kyiv", facets=["people"], facet_limit=1000).facets["people"]
        counts = {v.label: v.count for v in facet.values}
        assert counts["Volodymyr Zelensky"] == 4 and counts["Jens Stoltenberg"] == 3  # (al-3 names both by surname)


@pytest.mark.parametrize("query", QUERIES)
def test_people_from_column_same_as_stored_fields_and_table(people_index: Path, query: str, monkeypatch: pytest.MonkeyPatch) -> None:
    column = _people(people_index, query, "column", monkeypatch)
    assert column.values or query  # (the whole corpus names people)
    assert column == _people(people_index, query, "stored", monkeypatch)
    assert column == _people(people_index, query, "table", monkeypatch)


def test_one_shot_people_facet_reads_no_stored_fields(people_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    recomputed: list[str] = []
    real = documents.stored_facet_values

    def counting(fieldname: str, stored: dict) -> object:  # type: ignore[type-arg]
        recomputed.append(fieldname)
        return real(fieldname, stored)

    monkeypatch.setattr(documents, "stored_facet_values", counting)
    with Searcher(people_index) as s:
        result = s.search("", facets=["people"], facet_limit=5)
    assert result.total > 20 and result.facets["people"].values
    assert recomputed == []


def test_documents_written_without_the_column_are_read_from_stored_fields(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An index whose first articles have no value in the column (as a segment written
    before it, merged with newer ones, gives them) and one whose first segment has no column
    at all: the same counts as from the stored fields."""
    corpus = _corpus(tmp_path)
    later = tmp_path / "later"
    later.mkdir()
    shutil.move(str(corpus / "aliases.jsonl"), later / "aliases.jsonl")
    for name, unrecorded in (("empty-values", b""), ("no-column", None)):
        index_dir = tmp_path / name
        with monkeypatch.context() as patch:
            original = documents.article_documents

            def without_column(article, digest, original=original, unrecorded=unrecorded):  # type: ignore[no-untyped-def]
                for doc in original(article, digest):
                    if unrecorded is None:
                        doc.pop("person_keys", None)
                    else:
                        doc["person_keys"] = unrecorded
                    yield doc

            patch.setattr(documents, "article_documents", without_column)
            patch.setattr("newssearch.store.writer.article_documents", without_column, raising=False)
            index_paths([corpus], str(index_dir), workers=1)
        index_paths([corpus, later], str(index_dir), workers=1)
        with Searcher(index_dir) as s:
            assert s._column_terms("person") is None if unrecorded is None else s._column_terms("person") is not None
        for query in QUERIES:
            column = _people(index_dir, query, "column", monkeypatch)
            assert column == _people(index_dir, query, "stored", monkeypatch), (name, query)
            assert column == _people(index_dir, query, "table", monkeypatch), (name, query)


def test_column_value_is_the_articles_person_terms() -> None:
    from newssearch.model import Article, Person

    article = Article(id="c-1", title="T", paragraphs=["Jean-Jacques Muyembe spoke.", "Muyembe and Anthony Fauci."],
                      people=[Person(name="Jean-Jacques Muyembe", aliases=["Muyembe"]), Person(name="Anthony Fauci")],
                      paragraph_people=[["Jean-Jacques Muyembe"], ["Muyembe", "Anthony Fauci"]])
    docs = list(documents.article_documents(article, "digest"))
    terms = documents.column_terms(docs[0]["person_keys"])
    assert terms is not None and list(terms) == sorted(docs[0]["person"].lower().split(","))
    assert terms == tuple(documents.stored_facet_values("person", docs[0]))
    assert all("person_keys" not in doc for doc in docs[1:])  # (paragraphs: their facets read the postings)
    assert documents.column_terms(b"") is None and documents.column_terms(b"=") == ()
