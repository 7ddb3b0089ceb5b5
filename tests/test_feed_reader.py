"""The RSS/Atom reader: items as articles, bad items and malformed feeds reported, .xml only when a feed.

``fixtures/feeds/wikinews-2020.rss`` holds four shortened Wikinews articles (CC BY 2.5, see
``fixtures/README.md``) and an item without text; the Atom feeds here are synthetic.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from newssearch.errors import InputError
from newssearch.ingest import discover, read_file
from newssearch.ingest.feedfmt import is_feed, read_feed
from newssearch.ingest.html import fragment_paragraphs
from newssearch.model import Article, stable_id

RSS = Path(__file__).parent / "fixtures" / "feeds" / "wikinews-2020.rss"

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<!-- a comment before the root -->
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de">
  <title type="html">Hafen &amp;amp; Stadt</title>
  <id>urn:uuid:feed-1</id>
  <updated>2024-03-06T08:00:00+01:00</updated>
  <entry>
    <title>Neue F\xc3\xa4hre f\xc3\xa4hrt ab Montag</title>
    <link rel="alternate" href="https://hafen.example/faehre"/>
    <id>urn:uuid:entry-1</id>
    <published>2024-03-05T23:30:00+01:00</published>
    <updated>2024-03-06T07:00:00+01:00</updated>
    <author><name>Jana Berg</name></author>
    <author><name>Tom Wirth</name></author>
    <summary>Kurz: die F\xc3\xa4hre kommt.</summary>
    <content type="html">&lt;p&gt;Die neue F\xc3\xa4hre verbindet ab Montag beide Ufer.&lt;/p&gt;&lt;h2&gt;Fahrplan&lt;/h2&gt;&lt;p&gt;Sie f\xc3\xa4hrt alle zwanzig Minuten.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Nur ein Titel</title>
    <id>urn:uuid:entry-2</id>
    <updated>2024-03-04T10:00:00Z</updated>
    <summary type="text">Ein Text ohne Auszeichnung.

Zweiter Absatz.</summary>
  </entry>
</feed>
"""


def split(items) -> tuple[list[Article], list[InputError]]:
    items = list(items)
    return [i for i in items if isinstance(i, Article)], [i for i in items if isinstance(i, InputError)]


def test_rss_items_with_full_content() -> None:
    articles, errors = split(read_feed(RSS.read_bytes(), str(RSS)))
    assert [a.title for a in articles] == [
        "Greek prime minister reaffirms EastMed pipeline project is open for other countries to join",
        "US President Trump grants eleven people clemency",
        "Arizona, Florida, Illinois hold 2020 US presidential primaries; Ohio postpones",
        "Power firm helicopter strikes cables, crashes near Fairfield, California",
    ]
    first = articles[0]
    # content:encoded (three paragraphs), not the 200-character description; its script dropped
    assert len(first.paragraphs) == 3
    assert first.paragraphs[0].startswith("On Tuesday, the Greek prime minister Kyriakos Mitsotakis reasserted the openness")
    assert first.paragraphs[1].startswith("In his Tuesday live-streamed talk at the United States think tank Atlantic Council's")
    assert not any("track()" in p for p in first.paragraphs)
    assert first.url == "https://en.wikinews.org/wiki/Greek_prime_minister_reaffirms_EastMed_pipeline_project_is_open_for_other_countries_to_join"
    assert first.source == "Wikinews"  # the channel title
    assert first.language == "en"
    assert first.authors == ["Wikinews contributors"]
    # pubDate "Fri, 10 Jan 2020 14:30:00 -0500": the publisher's local time, as for web pages
    assert first.published == dt.datetime(2020, 1, 10, 14, 30)
    assert first.id == stable_id(str(RSS), first.url)
    [bad] = errors
    assert bad.reason == "item 5 (https://en.wikinews.org/wiki/Photo): no text (neither content nor description)"


def test_atom_entries() -> None:
    articles, errors = split(read_feed(ATOM, "hafen.atom"))
    assert errors == []
    first, second = articles
    assert first.title == "Neue Fähre fährt ab Montag"
    assert first.paragraphs == ["Die neue Fähre verbindet ab Montag beide Ufer.", "Fahrplan", "Sie fährt alle zwanzig Minuten."]
    assert first.authors == ["Jana Berg", "Tom Wirth"]
    assert first.url == "https://hafen.example/faehre"
    assert first.source == "Hafen & Stadt"
    assert first.published == dt.datetime(2024, 3, 5, 23, 30)  # +01:00 dropped: the local time, as for web pages
    assert first.modified == dt.datetime(2024, 3, 6, 7, 0)
    assert first.id == stable_id("hafen.atom", "urn:uuid:entry-1")
    # no content: the summary, plain text split at blank lines; no published: updated
    assert second.paragraphs == ["Ein Text ohne Auszeichnung.", "Zweiter Absatz."]
    assert second.published == dt.datetime(2024, 3, 4, 10, 0)
    assert second.url is None


def test_malformed_feed_is_reported_and_what_can_be_read_is_kept() -> None:
    broken = RSS.read_bytes().replace(b"</item>", b"</itm>", 1)
    articles, errors = split(read_feed(broken, "broken.rss"))
    assert errors[0].reason.startswith("malformed feed (items after the error may be missing): ")
    assert errors[0].path == "broken.rss"
    assert articles and articles[0].title.startswith("Greek prime minister")


def test_feed_that_cannot_be_read_at_all() -> None:
    with pytest.raises(InputError, match="not an RSS or Atom feed"):
        list(read_feed(b"<html><body><p>A web page, not a feed</p></body></html>", "page.rss"))
    with pytest.raises(InputError, match="a feed without items|malformed feed"):
        list(read_feed(b'<?xml version="1.0"?><rss version="2.0"><channel><title>Empty</title></channel></rss>', "empty.rss"))


def test_xml_is_read_only_when_it_is_a_feed() -> None:
    assert is_feed(RSS.read_bytes())
    assert is_feed(ATOM)
    assert is_feed(b'\xef\xbb\xbf<?xml version="1.0"?>\n<!DOCTYPE rss>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>')
    sitemap = b'<?xml version="1.0"?><urlset><url><loc>https://x.example/feed</loc></url></urlset>'
    assert not is_feed(sitemap)
    assert not is_feed(b"<settings><feed>not the root</feed></settings>")
    with pytest.raises(InputError, match="^sitemap.xml: unknown file type$"):
        list(read_feed(sitemap, "sitemap.xml"))
    articles, _ = split(read_feed(RSS.read_bytes(), "news.xml"))
    assert len(articles) == 4


def test_feeds_are_discovered_as_batch_files(tmp_path: Path) -> None:
    (tmp_path / "a.rss").write_bytes(RSS.read_bytes())
    (tmp_path / "b.atom").write_bytes(ATOM)
    (tmp_path / "c.xml").write_bytes(b"<config><x>1</x></config>")
    found = discover([tmp_path])
    assert [(Path(f.path).name, f.batch) for f in found.files] == [("a.rss", True), ("b.atom", True), ("c.xml", True)]
    results = [read_file(f) for f in found.files]
    assert [len(r.articles) for r in results] == [4, 2, 0]
    assert [e.reason for e in results[2].errors] == ["unknown file type"]


def test_fragment_paragraphs() -> None:
    assert fragment_paragraphs("<p>One <b>bold</b> line.</p><p>Two &amp; three<br>same<br><br>new</p><ul><li>a</li><li>b</li></ul>") == [
        "One bold line.",
        "Two & three same",
        "new",
        "a",
        "b",
    ]
    assert fragment_paragraphs("<div>Outer <div>inner</div> after</div><!-- c --> end<script>x()</script>") == ["Outer", "inner", "after", "end"]
    assert fragment_paragraphs("plain &amp; text\n\nsecond") == ["plain & text", "second"]
