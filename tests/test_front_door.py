"""The search API's front door: typed requests, the facet registry, typed results."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import newssearch
from newssearch import (
    ArticleHit,
    ArticleRecord,
    FacetSpec,
    Filters,
    Hit,
    Interval,
    Level,
    ParagraphHit,
    Period,
    Searcher,
    SearchRequest,
    Sort,
)
from newssearch.cli import cli
from newssearch.errors import QueryError
from newssearch.model import DateMention, Person
from newssearch.search import facets as facets_module
from newssearch.search.facets import FACETS, TermsFacet, facet_names, make_facet, register_facet

ALL_FACETS = ("people", "source", "language", "year", "month", "mentioned", "mentioned_month", "mentioned_day", "words")

# -- the request ----------------------------------------------------------------------


def test_request_from_loose_options_is_typed_and_validated() -> None:
    request = SearchRequest.of(
        "NATO", 5, 2, person="Zelenskyy", source=["Reuters", " ", "AP"], language="", since="2023-01", until=dt.date(2023, 6, 30),
        sort="newest", facets=["people", "year"], facet_limit=3, histogram="month", paragraphs=True, snippets=2,
    )
    assert request.level is Level.PARAGRAPH and request.paragraphs
    assert request.sort is Sort.NEWEST and request.histogram is Interval.MONTH
    assert request.filters == Filters(person=("Zelenskyy",), source=("Reuters", "AP"), since=Period.parse("2023-01"), until=Period.parse(dt.date(2023, 6, 30)))
    assert request.facets == (FacetSpec("people", 3), FacetSpec("year", 3))
    assert request.offset == 5
    assert request.to_dict() == {
        "query": "NATO", "limit": 5, "page": 2, "level": "paragraph",
        "filters": {"person": ["Zelenskyy"], "source": ["Reuters", "AP"], "since": "2023-01", "until": "2023-06-30"},
        "sort": "newest", "facets": [{"name": "people", "limit": 3}, {"name": "year", "limit": 3}], "histogram": "month", "snippets": 2,
        "collapse": True, "count": "articles",
    }


def test_request_is_frozen_hashable_and_takes_enum_values_as_text() -> None:
    request = SearchRequest(query="x", sort="oldest", level="paragraph", histogram="week", facets=("source",))  # type: ignore[arg-type]
    assert request.sort is Sort.OLDEST and request.level is Level.PARAGRAPH and request.histogram is Interval.WEEK
    assert request.facets == (FacetSpec("source"),)
    assert request == SearchRequest(query="x", sort=Sort.OLDEST, level=Level.PARAGRAPH, histogram=Interval.WEEK, facets=(FacetSpec("source"),))
    assert len({request, dataclasses.replace(request), dataclasses.replace(request, page=2)}) == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        request.page = 3  # type: ignore[misc]
    assert not Filters() and Filters.of(source="Reuters") and not Filters.of(person="", source=[" "])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: SearchRequest.of("x", since="May"), "cannot read 'May' as a date; use 2023, 2023-04 or 2023-04-20"),
        (lambda: SearchRequest.of("x", since="2023-02-30"), "'2023-02-30' is not a real date"),
        (lambda: SearchRequest.of("x", since="2023-05", until="2023-04"), "--since 2023-05 is after --until 2023-04"),
        (lambda: SearchRequest.of("x", sort="best"), "unknown sort 'best'; use one of relevance, newest, oldest"),
        (lambda: SearchRequest.of("x", histogram="hour"), "unknown histogram interval 'hour'; use one of day, week, month, year"),
        (lambda: SearchRequest.of("x", facets=["colour"]), "unknown facet 'colour'; use one of " + ", ".join(ALL_FACETS)),
        (lambda: SearchRequest(facets=(FacetSpec("people", -1),)), "the facet limit must be 0"),
        (lambda: SearchRequest.of("x", limit=0), "limit must be at least 1"),
        (lambda: SearchRequest.of("x", page=0), "page must be at least 1"),
        (lambda: SearchRequest.of("x", snippets=0), "snippets must be at least 1"),
        (lambda: SearchRequest(level="sentence"), "unknown level 'sentence'; use one of article, paragraph"),  # type: ignore[arg-type]
        (lambda: Filters(person="Zelenskyy"), "the person filter takes a tuple of non-blank names"),  # type: ignore[arg-type]
    ],
)
def test_bad_requests_are_one_line_query_errors(make, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(QueryError) as caught:
        make()
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)


def test_run_answers_what_search_answers(shared_index: Path) -> None:
    options = {"person": "Zelenskyy", "since": "2020", "facets": ["people", "source"], "histogram": "month", "sort": "oldest"}
    with Searcher(shared_index) as s:
        friendly = s.search("Ukrainian", 2, 1, **options)
        request = SearchRequest.of("Ukrainian", 2, 1, **options)  # type: ignore[arg-type]
        typed = s.run(request)
        with pytest.raises(TypeError):
            s.search("Ukrainian", colour="red")
    assert typed.request is request and friendly.request == request
    assert typed.to_dict() == friendly.to_dict()
    assert typed.total == 3 and [h.id for h in typed.hits] == ["wn-iran-jet", "wn-ukraine-pm"]  # (oldest first, a page of 2)
    assert typed.filters == {"person": ["Zelenskyy"], "since": "2020"}


# -- the facet registry -----------------------------------------------------------------


def test_the_registry_lists_every_facet_once_in_order() -> None:
    assert facet_names() == ALL_FACETS
    assert all(issubclass(cls, TermsFacet) and cls.name == name and cls.description for name, cls in FACETS.items())
    with pytest.raises(ValueError, match="registered already"):
        register_facet(type("Again", (TermsFacet,), {"name": "source", "fieldname": "source"}))


def test_cli_facet_help_and_errors_come_from_the_registry(shared_index: Path) -> None:
    runner = CliRunner()
    help_text = " ".join(runner.invoke(cli, ["query", "--help"]).stdout.split())
    assert "Count matches by: " + ", ".join(ALL_FACETS) + ". Repeatable." in help_text
    bad = runner.invoke(cli, ["query", "x", "--facet", "colour", "--index", str(shared_index)])
    assert bad.exit_code == 2
    assert bad.stderr == f"Error: unknown facet 'colour'; use one of {', '.join(ALL_FACETS)}\n"


@pytest.fixture
def author_facet() -> Iterator[type[TermsFacet]]:
    """A facet registered by a test, as an extension would: one class."""

    @register_facet
    class AuthorFacet(TermsFacet):
        name = "author"
        fieldname = "authors"
        multi = True
        description = "authors"

    try:
        yield AuthorFacet
    finally:
        del facets_module.FACETS["author"]


def test_a_registered_facet_is_counted_and_offered(shared_index: Path, author_facet: type[TermsFacet]) -> None:
    with Searcher(shared_index) as s:
        assert isinstance(make_facet("author", s), author_facet)
        result = s.search("", facets=["author", "source"])  # (a fresh searcher's first facet query)
        again = s.search("", facets=["author"])
    assert [(v.value, v.count) for v in result.facets["author"].values] == [("wikinews contributors", 4)]
    assert result.facets["author"].missing == 1 and again.facets["author"] == result.facets["author"]
    assert {v.value: v.count for v in result.facets["source"].values} == {"Wikinews": 3, "Reuters": 1}


# -- typed results ------------------------------------------------------------------------


def test_article_and_paragraph_hits_are_separate_types(shared_index: Path) -> None:
    assert Hit is ArticleHit and newssearch.Hit is ArticleHit
    with Searcher(shared_index) as s:
        articles = s.search("Vilnius")
        paragraphs = s.search("Vilnius", paragraphs=True)
    assert articles.level == "article" and [type(h) for h in articles.hits] == [ArticleHit] and articles.paragraphs == []
    assert paragraphs.level == "paragraph" and {type(p) for p in paragraphs.paragraphs} == {ParagraphHit} and paragraphs.hits == []
    assert paragraphs.to_dict()["level"] == "paragraph" and "hits" not in paragraphs.to_dict()


def test_article_is_a_typed_record(shared_index: Path) -> None:
    with Searcher(shared_index) as s:
        record = s.article("wn-ukraine-pm")
    assert isinstance(record, ArticleRecord)
    assert (record.title, record.published, record.source, record.language) == (
        "Ukrainian president rejects prime minister's resignation over leaked audio recording", "2020-01-18", "Wikinews", "en")
    assert record.authors == ["Wikinews contributors"] and record.origin == record.url
    assert record.paragraphs[0].startswith("Ukrainian President Volodymyr Zelenskyy on Friday rejected") and len(record.paragraphs) == 2
    assert record.text == "\n\n".join(record.paragraphs)
    assert all(isinstance(p, Person) for p in record.people) and all(isinstance(d, DateMention) for d in record.dates)
    honcharuk = next(p for p in record.people if p.name == "Oleksiy Honcharuk")
    assert honcharuk.aliases == ["Honcharuk"] and honcharuk.mentions == 3
    assert ("2020-01-17", "on Friday", 0) in [(d.value, d.text, d.paragraph) for d in record.dates]


def test_show_json_keeps_every_key(shared_index: Path) -> None:
    shown = CliRunner().invoke(cli, ["show", "wn-ukraine-pm", "--json", "--index", str(shared_index)])
    data = json.loads(shown.stdout)
    assert list(data) == ["id", "title", "published", "source", "url", "path", "authors", "language", "people", "paragraphs", "dates",
                          "other_versions"]
    assert data["people"][0].keys() >= {"name", "aliases", "mentions"} and data["dates"][0].keys() == {"value", "granularity", "text", "paragraph"}
