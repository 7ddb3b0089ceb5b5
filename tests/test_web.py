"""The web page and the JSON API (``newssearch serve``), through Starlette's test client:
pages render real content, facet links filter, the API returns exactly what ``query --json``
prints, errors are one line with the right status, headers are safe, new commits are picked
up without a restart, and 40 concurrent requests on the bundled corpus all succeed."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from newssearch.cli import cli
from newssearch.indexing import index_paths
from newssearch.web import create_app

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the bundled ``corpus/`` (wikinews, 111 articles)."""
    out = tmp_path_factory.mktemp("web") / "index"
    index_paths([ROOT / "corpus"], str(out), workers=1)
    return out


@pytest.fixture(scope="module")
def client(corpus_index: Path) -> TestClient:
    return TestClient(create_app(str(corpus_index)))


def _cli_json(index: Path, *args: str) -> object:
    result = CliRunner().invoke(cli, ["query", *args, "--index", str(index), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _links(html: str, pattern: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="(' + pattern + r')"', html)]


def test_search_page_shows_hits_facets_chart_and_words(client: TestClient) -> None:
    page = client.get("/?q=parliament")
    assert page.status_code == 200
    html = page.text
    assert "<mark>" in html.lower() and "parliament" in html.lower()
    assert 'data-facet="people"' in html and 'data-facet="source"' in html and 'data-facet="year"' in html
    assert "<svg" in html and 'class="bar"' in html  # the attention chart
    assert "Distinctive words" in html
    assert re.search(r"of <strong>\d+</strong> articles", html)
    assert "Query syntax" in html


def test_api_search_is_query_json(client: TestClient, corpus_index: Path) -> None:
    cases = [
        ("q=parliament", ["parliament"]),
        ("q=trump&limit=3&page=2&sort=newest", ["trump", "--limit", "3", "--page", "2", "--sort", "newest"]),
        ("q=election&facet=people&facet=source&facet-limit=5&histogram=year",
         ["election", "--facet", "people", "--facet", "source", "--facet-limit", "5", "--histogram", "year"]),
        ("q=police&paragraphs=true&limit=4", ["police", "--paragraphs", "--limit", "4"]),
        ("facets-only=1", ["--facets-only"]),
        ("q=president&since=2019-06&until=2019-12", ["president", "--since", "2019-06", "--until", "2019-12"]),
    ]
    for params, args in cases:
        got = client.get("/api/search?" + params)
        assert got.status_code == 200, got.text
        assert got.json() == _cli_json(corpus_index, *args), params


def test_api_words_facet_and_cli(client: TestClient, corpus_index: Path) -> None:
    data = client.get("/api/search?q=parliament&facet=words").json()
    words = [v["value"] for v in data["facets"]["words"]["values"]]
    assert words and len(words) <= 10
    assert "the" not in words and "parliament" in words
    assert _cli_json(corpus_index, "parliament", "--facet", "words")["facets"]["words"]["values"][0]["value"] == words[0]


def test_facet_link_filters_and_filter_is_removable(client: TestClient) -> None:
    html = client.get("/?q=parliament").text
    source_links = _links(html, r"/\?[^\"]*source=[^\"]*")
    assert source_links
    filtered = client.get(source_links[0]).text
    assert 'class="filter"' in filtered
    remove = _links(filtered, r"/\?[^\"]*")
    # the active filter's own link leads back to the unfiltered query
    chip = re.search(r'<a class="filter" href="([^"]*)"', filtered)
    assert chip is not None
    back = client.get(unescape(chip.group(1))).text
    assert 'class="filter"' not in back
    assert remove


def test_person_filter_narrows(client: TestClient) -> None:
    all_hits = client.get("/api/search?q=parliament").json()["total"]
    people = client.get("/api/search?q=parliament&facet=people").json()["facets"]["people"]["values"]
    name = people[0]["label"]
    page = client.get("/", params={"q": "parliament", "person": name})
    assert f"person: {name}" in unescape(page.text)
    narrowed = client.get("/api/search", params={"q": "parliament", "person": name}).json()["total"]
    assert 0 < narrowed <= all_hits


def test_chart_bar_narrows_dates(client: TestClient) -> None:
    html = client.get("/?q=trump&interval=year").text
    bars = re.findall(r'<a href="([^"]*)" class="bar">', html)
    assert bars
    narrowed = client.get(unescape(bars[0])).text
    assert "since: " in narrowed and "until: " in narrowed


def test_article_page(client: TestClient) -> None:
    hit = client.get("/api/search?q=parliament&limit=1").json()["hits"][0]
    page = client.get(f"/article/{hit['id']}")
    assert page.status_code == 200
    assert unescape(page.text).count(hit["title"]) >= 1
    assert "Similar articles" in page.text
    record = client.get(f"/api/article/{hit['id']}").json()
    assert record["id"] == hit["id"] and record["paragraphs"]
    for para in record["paragraphs"][:3]:
        assert para[:40] in unescape(re.sub(r"<[^>]+>", "", page.text))


def test_article_api_is_show_json(client: TestClient, corpus_index: Path) -> None:
    hit = client.get("/api/search?q=police&limit=1").json()["hits"][0]
    shown = CliRunner().invoke(cli, ["show", hit["id"], "--index", str(corpus_index), "--json"])
    assert client.get(f"/api/article/{hit['id']}").json() == json.loads(shown.output)


def test_person_page(client: TestClient) -> None:
    people = client.get("/api/people?limit=5").json()
    assert people["total"] > 0
    name = people["people"][0]["name"]
    page = client.get(f"/person/{name}")
    assert page.status_code == 200
    assert f"<h1>{name}</h1>" in unescape(page.text)
    assert "Mentions over time" in page.text
    assert client.get("/person/Nobody%20Atall%20Zzz").status_code == 404


def test_compare_two_queries(client: TestClient) -> None:
    page = client.get("/compare?q=trump&q=johnson")
    assert page.status_code == 200
    assert page.text.count('class="bar"') >= 2
    assert re.search(r'fill="#d1242f"', page.text)  # the second query's colour
    share = client.get("/compare?q=trump&q=johnson&mode=share&interval=year")
    assert "%" in share.text
    data = client.get("/api/histogram?q=trump&q=johnson&interval=year").json()
    assert [s["query"] for s in data["series"]] == ["trump", "johnson"]
    trump = client.get("/api/search?q=trump").json()["total"]
    assert data["series"][0]["total"] == trump


def test_errors(client: TestClient) -> None:
    assert client.get("/article/no-such-id").status_code == 404
    bad = client.get("/api/search?q=x&limit=0")
    assert bad.status_code == 400 and "limit" in bad.json()["error"]
    unknown = client.get("/api/search?q=x&index=/etc")
    assert unknown.status_code == 400 and "unknown parameter" in unknown.json()["error"]
    assert client.get("/api/search?q=x&sort=sideways").status_code == 400
    assert client.get("/static/../app.py").status_code == 404
    assert client.get("/static/%2e%2e/app.py").status_code == 404
    assert client.get("/static/style.css").status_code == 200


def test_security_headers(client: TestClient) -> None:
    for url in ("/", "/api/search?q=x", "/static/style.css", "/article/none"):
        headers = client.get(url).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "default-src 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"


def test_openapi(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/search", "/api/article/{id}", "/api/people", "/api/histogram"} <= set(spec["paths"])


def test_new_commit_picked_up_without_restart(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Title: Harbour report\nDate: 2023-01-05\n\nThe harbour council met on Tuesday.\n")
    index = tmp_path / "index"
    index_paths([corpus], str(index), workers=1)
    app = create_app(str(index))
    app.state.service.check_every = 0.0
    with TestClient(app) as client:
        assert client.get("/api/search?q=zeppelin").json()["total"] == 0
        (corpus / "b.txt").write_text("Title: Zeppelin lands\nDate: 2023-02-01\n\nA zeppelin landed at the harbour.\n")
        index_paths([corpus], str(index), workers=1)
        assert client.get("/api/search?q=zeppelin").json()["total"] == 1


def test_40_concurrent_requests_succeed(client: TestClient) -> None:
    urls = [
        "/?q=parliament", "/?q=trump&sort=newest", "/api/search?q=police", "/api/search?q=election&facet=people",
        "/compare?q=trump&q=johnson", "/?q=president&page=2", "/api/people?limit=10", "/api/histogram?q=china",
    ] * 5
    with ThreadPoolExecutor(max_workers=40) as pool:
        statuses = list(pool.map(lambda u: client.get(u).status_code, urls))
    assert statuses == [200] * 40


def test_serve_help_and_bad_index(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0 and "127.0.0.1" in result.output
    missing = CliRunner().invoke(cli, ["serve", "--index", str(tmp_path / "none")])
    assert missing.exit_code == 3 and "Traceback" not in missing.output


def test_other_versions_of_a_hit_are_listed() -> None:
    # (hits get ``other_versions`` where duplicates are collapsed; the page lists them as links)
    from newssearch.search.results import ArticleHit, OtherVersion
    from newssearch.web.pages import hit_view
    from newssearch.web.state import PageState

    hit = ArticleHit(rank=1, id="a1", title="Summit opens", score=1.0, source="Wire")
    assert hit_view(hit, PageState())["versions"] == []
    hit.other_versions = [OtherVersion(id="a2", title="Summit opens <today>", source="Other", published="2023-07-11")]
    view = hit_view(hit, PageState())
    assert view["versions"] == [{"href": "/article/a2", "title": "Summit opens <today>", "source": "Other", "published": "2023-07-11"}]
    from newssearch.web.app import templates

    html = templates().get_template("macros.html").module.hit_item(view)  # type: ignore[attr-defined]
    assert "1 other version" in html and 'href="/article/a2"' in html and "&lt;today&gt;" in html


def test_chart_bars_link_to_their_interval() -> None:
    from newssearch.search.results import Bucket, Histogram
    from newssearch.web.pages import histogram_chart
    from newssearch.web.state import PageState

    histogram = Histogram(interval="week", buckets=[Bucket("2023-04-17", "2023-W16", 3), Bucket("2023-04-24", "2023-W17", 0)])
    chart = histogram_chart(histogram, PageState(q="nato"))
    assert [b.href for b in chart.bars] == ["/?q=nato&since=2023-04-17&until=2023-04-23", "/?q=nato&since=2023-04-24&until=2023-04-30"]
    assert chart.bars[0].height > 0 and chart.bars[1].height == 0
    assert chart.bars[0].title == "2023-W16: 3"


def test_pages_show_file_names_not_server_folders(client: TestClient, corpus_index: Path) -> None:
    hit = client.get("/api/search", params={"q": "Stoltenberg Kyiv", "limit": 1}).json()["hits"][0]
    assert hit["path"] and not hit["url"]
    folder = str(Path(hit["path"]).parent)
    for html in (client.get("/?q=Stoltenberg+Kyiv").text, client.get(f"/article/{hit['id']}").text):
        assert Path(hit["path"]).name in html
        assert folder not in html


def test_home_page_lists_newest_without_distinctive_words(client: TestClient) -> None:
    html = client.get("/").text
    assert "Distinctive words" not in html  # (the matches are the whole archive)
    assert "<strong>newest</strong>" in html and 'data-facet="people"' in html


def test_export_links_download_every_match(client: TestClient, corpus_index: Path) -> None:
    import csv
    import io

    html = client.get("/?q=parliament&sort=newest").text
    links = _links(html, r"/export\.[a-z]+\?[^\"]*")
    assert len(links) == 2
    total = client.get("/api/search?q=parliament").json()["total"]
    jsonl = client.get(next(u for u in links if ".jsonl" in u))
    assert jsonl.status_code == 200 and "attachment" in jsonl.headers["content-disposition"]
    rows = [json.loads(line) for line in jsonl.text.splitlines()]
    assert len(rows) == total > 10  # every match, not one page
    exported = CliRunner().invoke(cli, ["export", "parliament", "--sort", "newest", "--index", str(corpus_index)])
    assert rows == [json.loads(line) for line in exported.output.splitlines()]
    table = list(csv.DictReader(io.StringIO(client.get(next(u for u in links if ".csv" in u)).text)))
    assert [r["id"] for r in table] == [r["id"] for r in rows]
