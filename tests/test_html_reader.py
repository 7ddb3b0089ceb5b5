"""The HTML reader: main text without page chrome, metadata, broken pages.

Fixtures in ``tests/fixtures/html/`` are small hand-written pages (no third-party text);
the corpus pages in ``corpus/html/`` carry Wikinews text (CC BY 2.5).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from newssearch.errors import InputError
from newssearch.ingest import html as reader

FIXTURES = Path(__file__).parent / "fixtures" / "html"
CORPUS = Path(__file__).parent.parent / "corpus" / "html"

BOILERPLATE = [
    "cookie",
    "Accept",
    "Sign up for our newsletter",
    "ADVERTISEMENT",
    "Cheap flights",
    "Related stories",
    "Tram line delayed",
    "riverfan",
    "mark my words",
    "All rights reserved",
    "Privacy",
]


def read(name: str):
    data = (FIXTURES / name).read_bytes()
    return next(reader.read(data, f"pages/{name}"))


def test_full_page_keeps_article_drops_chrome():
    article = read("article_full.html")
    text = article.text
    for junk in BOILERPLATE:
        assert junk not in text, junk
    assert article.paragraphs[0].startswith("The Harbour Bridge reopened to traffic on Tuesday morning")
    # sub-heading kept as its own paragraph, in order, between the right paragraphs
    heading = article.paragraphs.index("What changes for commuters")
    assert article.paragraphs[heading - 1].startswith('"This bridge ties the two halves')
    assert article.paragraphs[heading + 1].startswith("The repaired bridge carries two lanes")
    assert article.paragraphs[-1].endswith("halted work for six weeks in 2023.")
    assert len(article.paragraphs) == 7


def test_full_page_metadata():
    article = read("article_full.html")
    assert article.title == "Harbour bridge reopens after two-year repair"
    # JSON-LD datePublished 09:30+01:00 → the publisher's local time, offset dropped (not UTC)
    assert article.published == dt.datetime(2024, 3, 5, 9, 30)
    assert article.modified == dt.datetime(2024, 3, 6, 18, 0)
    assert article.authors == ["Ana Popescu", "Mark Ellis"]
    assert article.source == "The Riverside Chronicle"
    assert article.url == "https://chronicle.example/city/harbour-bridge-reopens"
    assert article.language == "en"
    assert article.path == "pages/article_full.html"
    assert article.id == reader.single_article_id("pages/article_full.html")


def test_wrong_charset_declaration_is_repaired():
    raw = (FIXTURES / "wrong_charset.html").read_bytes()
    assert b"charset=utf-8" in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    article = read("wrong_charset.html")
    assert article.title == "Le théâtre de Besançon rouvrira en décembre"
    assert article.paragraphs[0].startswith("Le maire de Besançon a annoncé mercredi que la rénovation du théâtre")
    assert "coûté douze millions d'euros" in article.paragraphs[1]
    assert "România" in article.paragraphs[2] and "în sfârsit acasa" in article.paragraphs[2]
    assert "\ufffd" not in article.text
    assert article.authors == ["Élise Fournier"]
    assert article.published == dt.date(2023, 11, 14)
    assert article.source == "Journal de l'Est"
    assert article.language == "fr"
    assert "cookies" not in article.text


def test_declared_legacy_charset_and_date_from_text():
    article = read("old_style_cp1252.html")
    assert article.title == "Hochwasser: Pegel in Köln sinkt wieder"
    assert any(p.startswith("Der Rheinpegel in Köln ist über Nacht") for p in article.paragraphs)
    # no date metadata at all: htmldate finds it in the page
    assert article.published == dt.date(2021, 5, 12)
    assert "Impressum" not in article.text and "Startseite" not in article.text


def test_truncated_page_gives_the_part_that_is_there():
    raw = (FIXTURES / "truncated.html").read_bytes()
    assert b"</html>" not in raw
    article = read("truncated.html")
    assert article.title == "Harbour bridge reopens after two-year repair"
    assert article.paragraphs[0].startswith("The Harbour Bridge reopened")
    assert article.paragraphs[-1].startswith("The repaired bridge carries two lanes")
    assert "\ufffd" not in article.text


@pytest.mark.parametrize(
    ("name", "reason"),
    [("not_found.html", "404"), ("index_page.html", "no article text found")],
)
def test_pages_without_article_are_skipped_with_reason(name, reason):
    with pytest.raises(InputError) as info:
        read(name)
    assert reason in info.value.reason
    assert info.value.path == f"pages/{name}"


@pytest.mark.parametrize(
    "data",
    [b"", b"   \n", b"\x00\x01\x02binary\x00" * 50, b"just some words, no markup at all", b"<html><body></body></html>"],
)
def test_empty_and_junk_input_raise_input_error(data):
    with pytest.raises(InputError):
        next(reader.read(data, "junk.html"))


def test_huge_page_is_cut_not_hung():
    article = (FIXTURES / "article_full.html").read_text(encoding="utf-8")
    filler = "<div class='promo'><a href='/x'>More news</a></div>\n" * 150_000  # ~7.5 MB of chrome
    data = article.replace("<footer>", filler + "<footer>").encode("utf-8")
    assert len(data) > reader.MAX_BYTES
    result = next(reader.read(data, "huge.html"))  # (its time: bench/speed_checks.py)
    assert result.paragraphs[0].startswith("The Harbour Bridge reopened")


def test_decode_html_rules():
    assert reader.decode_html("<meta charset='iso-8859-1'><p>café</p>".encode("cp1252"), "x").endswith("café</p>")
    # valid UTF-8 wins over a wrong legacy declaration only if the declared charset fails
    assert "ș" in reader.decode_html("<meta charset='utf-8'><p>București, ș</p>".encode(), "x")
    # Romanian legacy page without declaration: lang picks windows-1250
    page = "<html lang='ro'><p>Primăria Brașov şi Timişoara anunţă</p></html>".replace("ș", "ş")
    assert "Primăria" in reader.decode_html(page.encode("cp1250"), "x")


def test_split_authors():
    assert reader.split_authors("By Ann Lee and Bo Chen") == ["Ann Lee", "Bo Chen"]
    assert reader.split_authors("Benjamin Fischer und Marcus Theurer") == ["Benjamin Fischer", "Marcus Theurer"]
    assert reader.split_authors("https://www.facebook.com/someone") == []


@pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus/html not present")
def test_corpus_pages_carry_wikinews_attribution_metadata():
    pages = sorted(CORPUS.glob("*.html"))
    assert len(pages) >= 3
    for page in pages:
        article = next(reader.read(page.read_bytes(), page.name))
        assert article.source == "Wikinews"
        assert article.authors == ["Wikinews contributors"]
        assert article.url and article.url.startswith("https://en.wikinews.org/wiki/")
        assert isinstance(article.published, dt.date)
        assert article.published.isoformat() == page.name[:10]
        for junk in ("cookie", "Advertisement", "Related stories", "Reader comments", "mapleleaf77", "Creative Commons"):
            assert junk not in article.text, (page.name, junk)
        assert len(article.paragraphs) >= 4


def _page(head: str, body: str) -> bytes:
    prose = " ".join(["The council approved the new budget for the harbour district after a long debate."] * 6)
    return (
        f"<html lang='en'><head><title>Budget approved</title>{head}</head>"
        f"<body><article><h1>Budget approved</h1>{body}<p>{prose}</p><p>{prose}</p></article></body></html>"
    ).encode()


def test_local_date_is_kept_not_moved_to_utc():
    # 23:30 in New York is the next day in UTC; the page shows (and means) 4 March
    data = _page('<meta property="article:published_time" content="2024-03-04T23:30:00-05:00">', "<p>March 4, 2024</p>")
    article = next(reader.read(data, "late.html"))
    assert article.published == dt.datetime(2024, 3, 4, 23, 30)


def test_visible_metadata_date_preferred_over_invisible_one():
    # JSON-LD says 2 May, but the page shows 9 May, which a <meta> date also states
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2023-05-02T08:00:00Z"}</script>'
        '<meta name="date" content="2023-05-09">'
    )
    article = next(reader.read(_page(head, "<p class='byline'>Published 09.05.2023</p>"), "p.html"))
    assert article.published == dt.date(2023, 5, 9)


def test_first_candidate_kept_when_no_date_is_visible():
    head = '<meta property="article:published_time" content="2023-05-02T08:00:00+02:00">'
    article = next(reader.read(_page(head, ""), "p.html"))
    assert article.published == dt.datetime(2023, 5, 2, 8, 0)


def test_visible_updated_date_when_published_date_is_not_shown():
    head = (
        '<meta property="article:published_time" content="2019-10-15T16:59:59+00:00">'
        '<meta property="article:modified_time" content="2020-03-12T14:42:17+00:00">'
    )
    article = next(reader.read(_page(head, "<p>Updated March 12, 2020</p>"), "p.html"))
    assert article.published is not None and article.published.date() == dt.date(2020, 3, 12)


@pytest.mark.parametrize(
    "text",
    ["5.3.2024", "05.03.24", "2024-03-05", "2024/3/5", "03/05/2024", "5 March 2024", "March 5th, 2024",
     "5. März 2024", "5 de marzo de 2024", "5 mars 2024", "Mar. 5, 2024"],
)
def test_date_is_visible_formats(text):
    assert reader.date_is_visible(dt.date(2024, 3, 5), f"Posted {text} by staff")


def test_date_is_visible_rejects_other_days():
    day = dt.date(2024, 3, 5)
    for text in ("15.3.2024", "5.3.2023", "March 15, 2024", "2024-03-25", "April 5, 2024", ""):
        assert not reader.date_is_visible(day, text), text


def test_date_under_the_headline_wins_over_a_visible_metadata_date():
    # the metadata date (1 May) is written in a "more stories" list; the dateline under the
    # headline says 28 April and no metadata offers it
    head = '<meta property="article:published_time" content="2020-05-01T08:00:00+02:00">'
    body = (
        "</article><div class='byline'>Von Eva Roth, 28. April 2020</div><article>"
        + "<p>" + "The council approved the budget for the harbour district after a long debate. " * 5 + "</p>"
        "<aside><p>More: 01.05.2020 Tram line delayed</p></aside>"
    )
    data = _page(head, body).replace(b"lang='en'", b"lang='de'")
    article = next(reader.read(data, "p.html"))
    assert article.published == dt.date(2020, 4, 28)


def test_metadata_date_under_the_headline_keeps_its_time():
    # published and updated both under the headline: the metadata one (with its time) wins
    head = '<meta property="article:published_time" content="2023-11-09T06:15:00-06:00">'
    article = next(reader.read(_page(head, "<p>Updated: Nov. 8, 2023 | Published: Nov. 9, 2023</p>"), "p.html"))
    assert article.published == dt.datetime(2023, 11, 9, 6, 15)


def test_headline_date_when_metadata_has_none():
    article = next(reader.read(_page("", "<p class='meta'>March 4th, 2024 &middot; 3 min read</p>"), "p.html"))
    assert article.published == dt.date(2024, 3, 4)


def test_headline_dates_follow_the_h1_naming_the_title():
    from lxml import html as lxml_html

    tree = lxml_html.document_fromstring(
        "<html><body><h1>Site logo</h1><p>12.01.2019</p><div style='height:2000px'></div>"
        + "<p>" + "filler text " * 100 + "</p>"
        + "<h1>Harbour bridge reopens</h1><p>Posted 5 March 2024 by staff</p></body></html>"
    )
    found = reader.headline_dates(tree, "Harbour bridge reopens | Chronicle")
    assert found and found[0][1] == [dt.date(2024, 3, 5)]
    assert reader.headline_dates(tree, None)[0][1] == [dt.date(2019, 1, 12)]  # first h1


def test_dates_in_text_readings():
    found = list(reader.dates_in_text("Posted 03/05/2024, updated 2024-03-07T10:00, 5. März 2024, 13/05/2024"))
    assert [days for _, days in found] == [
        [dt.date(2024, 3, 5), dt.date(2024, 5, 3)],  # slashes: month first, then day first
        [dt.date(2024, 3, 7)],
        [dt.date(2024, 3, 5)],
        [dt.date(2024, 5, 13)],
    ]
    assert list(reader.dates_in_text("call 0800 123 456 or see room 2024")) == []


def test_metadata_read_from_the_tree_and_from_text_agree():
    from lxml import html as lxml_html

    text = (FIXTURES / "article_full.html").read_text(encoding="utf-8")
    from_tree = reader.extract_metadata(lxml_html.document_fromstring(text))
    from_text = reader.extract_metadata(text)
    assert from_tree == from_text
    assert from_tree.title == "Harbour bridge reopens after two-year repair"
    assert from_tree.authors == ["Ana Popescu", "Mark Ellis"]


BRIEF = """<html lang="en"><head><title>Ferry service resumes</title>{meta}</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<h1>Ferry service resumes</h1>
<p>The ferry between Constanta and Istanbul resumed service on Monday after a two-week strike ended.</p>
<footer>© Harbour Times</footer></body></html>"""
LD = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Ferry service resumes", "datePublished": "2021-06-07"}</script>'


def test_short_brief_is_kept_only_when_metadata_declares_an_article():
    [article] = reader.read(BRIEF.format(meta=LD).encode(), "brief.html")
    assert article.paragraphs == ["The ferry between Constanta and Istanbul resumed service on Monday after a two-week strike ended."]
    assert article.published == dt.date(2021, 6, 7)
    with pytest.raises(InputError, match="no article text found"):
        list(reader.read(BRIEF.format(meta="").encode(), "teaser.html"))
