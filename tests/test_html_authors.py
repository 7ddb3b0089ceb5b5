"""Authors of HTML pages: JSON-LD references, site names that are no author, bylines in the page.

The pages are synthetic (no third-party text).
"""

from __future__ import annotations

import json

import pytest

from newssearch.ingest import html as reader

BODY = " ".join(
    f"Sentence number {n} of the report tells readers what the council decided about the harbour and the old tram depot."
    for n in range(12)
)


def page(head: str = "", byline: str = "", ld: object | None = None) -> bytes:
    script = f'<script type="application/ld+json">{json.dumps(ld)}</script>' if ld is not None else ""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Council approves harbour plan | Harbour Times</title>{head}{script}</head>
<body><header><nav><a href="/">Home</a> <a href="/news">News</a></nav></header>
<article><h1>Council approves harbour plan</h1>{byline}<p>{BODY}</p><p>{BODY}</p></article>
<footer>Copyright Harbour Times</footer></body></html>""".encode()


def authors(data: bytes) -> list[str]:
    return next(reader.read(data, "page.html")).authors


def test_json_ld_author_reference_is_resolved_in_the_graph():
    # the Yoast layout: the article names its author by @id, the Person stands elsewhere in @graph
    ld = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "@id": "https://example.org/#website", "name": "Harbour Times"},
            {
                "@type": "NewsArticle",
                "@id": "https://example.org/a/#article",
                "headline": "Council approves harbour plan",
                "author": {"@id": "https://example.org/#/schema/person/42"},
                "publisher": {"@id": "https://example.org/#organization"},
            },
            {"@type": "Person", "@id": "https://example.org/#/schema/person/42", "name": "Ines Varga"},
            {"@type": "Organization", "@id": "https://example.org/#organization", "name": "Harbour Times Ltd"},
        ],
    }
    article = next(reader.read(page(ld=ld), "page.html"))
    assert article.authors == ["Ines Varga"]
    assert article.source == "Harbour Times Ltd"  # the publisher reference too


def test_byline_in_the_page_when_metadata_names_no_one():
    byline = '<p class="byline">By <a rel="author" href="/authors/tomas-reyes">Tomas Reyes</a></p>'
    assert authors(page(byline=byline)) == ["Tomas Reyes"]


def test_site_name_as_author_gives_way_to_the_byline():
    head = '<meta property="og:site_name" content="Harbour Times"><meta name="author" content="Harbour Times">'
    byline = '<div class="author-name">Mirela Costa</div>'
    assert authors(page(head=head, byline=byline)) == ["Mirela Costa"]


def test_site_name_as_author_is_kept_when_the_page_names_no_one_else():
    head = '<meta property="og:site_name" content="Harbour Times"><meta name="author" content="Harbour Times">'
    assert authors(page(head=head)) == ["Harbour Times"]


def test_metadata_author_wins_over_a_byline():
    head = '<meta name="author" content="Ana Popescu">'
    byline = '<span class="author">Someone Else</span>'
    assert authors(page(head=head, byline=byline)) == ["Ana Popescu"]


def test_page_without_any_author():
    assert authors(page()) == []


@pytest.mark.parametrize(
    ("value", "names"),
    [
        ("View all posts by Daniel Weber", ["Daniel Weber"]),
        ("Zeige alle Beiträge von Petra Lind", ["Petra Lind"]),
        ("Posted by: Jo Park", ["Jo Park"]),
        ("Name", []),
        ("Datum", []),
    ],
)
def test_byline_labels_are_not_names(value: str, names: list[str]):
    assert reader.split_authors(value) == names
