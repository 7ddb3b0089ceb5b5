"""RSS and Atom feeds (``.rss``, ``.atom``, and ``.xml`` files that are feeds): one article per item.

Parsed with feedparser (RSS 0.9x/1.0/2.0, Atom 0.3/1.0; its HTML sanitising on). Of each
item (entry):

* text: the full content (``content:encoded``, Atom ``<content>``), else the
  ``<description>``/``<summary>``; HTML is turned into paragraphs
  (:func:`newssearch.ingest.html.fragment_paragraphs`);
* title, link (the URL), author(s) (``<author>``, ``dc:creator``), publication date
  (``pubDate``/``published``/``dc:date``, else ``updated``) as the publisher's local date,
  like a web page's metadata date;
* source: the channel's (feed's) title; language: the channel's ``<language>``;
* id: stable, from the file's path and the item's ``guid``/``<id>`` (else its link, else
  its position).

An item without text is skipped with a reason (``item N``, counted from 1, and its link).
A feed whose XML is broken is still read by feedparser's lenient parser when it can be, and
reported with the parser's reason (items may be missing); one that cannot be read at all is
skipped with that reason.

``.xml`` is a common suffix for many other things (sitemaps, settings, data): such a file
is read only when its first element is ``<rss>``, ``<feed>`` or ``<rdf:RDF>``; any other
is passed over as an unknown file type, like a file of an unknown suffix.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..errors import InputError
from ..model import Article, stable_id
from . import html as html_reader
from .cleaning import clean_line, first_sentence

#: The first element of a feed document (after the XML declaration, comments, doctype).
_FEED_ROOT = re.compile(
    rb"^(?:\s|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>)*<(?:[A-Za-z_][\w.-]*:)?(rss|feed|RDF)\b", re.DOTALL | re.IGNORECASE
)
#: feedparser's "bozo" reasons that are not broken XML (an encoding declaration it had to
#: override, a server content type): not worth a report.
_HARMLESS = ("CharacterEncodingOverride", "NonXMLContentType")


def read_feed(data: bytes, path: str) -> Iterator[Article | InputError]:
    """Read an RSS or Atom feed file: one article per item."""
    if path.lower().removesuffix(".gz").endswith(".xml") and not is_feed(data):
        raise InputError(path, "unknown file type")
    import feedparser

    parsed = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=False)
    entries = parsed.get("entries") or []
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if problem is not None and type(problem).__name__ in _HARMLESS:
        problem = None
    if not parsed.get("version") and not entries:
        reason = f"not an RSS or Atom feed ({_short(problem)})" if problem is not None else "not an RSS or Atom feed"
        raise InputError(path, reason)
    if not entries:
        raise InputError(path, f"malformed feed: {_short(problem)}" if problem is not None else "a feed without items")
    if problem is not None:
        yield InputError(path, f"malformed feed (items after the error may be missing): {_short(problem)}")
    channel = parsed.get("feed") or {}
    source = _plain(channel.get("title"))
    language = _language(channel.get("language"))
    for number, entry in enumerate(entries, start=1):
        try:
            yield _article(entry, path, number, source, language)
        except InputError as err:
            link = clean_line(str(entry.get("link") or ""))
            yield InputError(path, f"item {number}{f' ({link})' if link else ''}: {err.reason}")


def is_feed(data: bytes) -> bool:
    """True when the document's first element is an RSS, Atom or RSS 1.0 (RDF) root."""
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    head = head.removeprefix(b"\xef\xbb\xbf")
    return _FEED_ROOT.match(head) is not None


def _article(entry: Any, path: str, number: int, source: str | None, language: str | None) -> Article:
    paragraphs = _text(entry)
    if not paragraphs:
        raise InputError(path, "no text (neither content nor description)")
    title = _plain(entry.get("title")) or first_sentence(paragraphs[0])
    if paragraphs and clean_line(paragraphs[0]) == title and len(paragraphs) > 1:
        paragraphs = paragraphs[1:]
    link = _field(entry, "link")
    url = link if link and link.lower().startswith(("http://", "https://")) else None  # not a urn:uuid guid
    key = _field(entry, "id") or link
    article_id = stable_id(path, key) if key else stable_id(path, str(number))
    raw_date = _field(entry, "published") or _field(entry, "created") or _field(entry, "updated")
    published = html_reader.parse_metadata_date(raw_date) if raw_date else None
    updated = _field(entry, "updated")
    modified = html_reader.parse_metadata_date(updated) if updated else None
    return Article(
        id=article_id,
        title=title,
        paragraphs=paragraphs,
        source=source,
        url=url,
        published=published,
        modified=modified,
        authors=_authors(entry),
        language=_language(entry.get("language")) or language,
        path=path,
        published_text=raw_date if raw_date and published is None else None,
    )


def _field(entry: Any, key: str) -> str | None:
    """A string field of an entry as the feed gives it (``dict.get``: feedparser's own ``get``
    falls back from ``published`` to ``updated`` with a deprecation warning)."""
    value = dict.get(entry, key)
    if not isinstance(value, str):
        return None
    return clean_line(value) or None


def _text(entry: Any) -> list[str]:
    """The item's paragraphs: its longest full content, else its description/summary."""
    contents = [c for c in entry.get("content") or [] if isinstance(c, dict) and (c.get("value") or "").strip()]
    if contents:
        best = max(contents, key=lambda c: len(c.get("value") or ""))
        paragraphs = html_reader.fragment_paragraphs(best["value"])
        if paragraphs:
            return paragraphs
    summary = entry.get("summary") or entry.get("description") or ""
    return html_reader.fragment_paragraphs(summary) if summary.strip() else []


def _authors(entry: Any) -> list[str]:
    names: list[str] = []
    for author in entry.get("authors") or []:
        name = author.get("name") if isinstance(author, dict) else None
        if name:
            names.extend(html_reader.split_authors(name))
    if not names and entry.get("author"):
        names = html_reader.split_authors(str(entry["author"]))
    unique: dict[str, str] = {}
    for name in names:
        unique.setdefault(name.lower(), name)
    return list(unique.values())


def _plain(value: Any) -> str | None:
    """A title as plain text (feed titles may hold markup and entities)."""
    if not value:
        return None
    text = " ".join(html_reader.fragment_paragraphs(str(value)))
    return clean_line(text) or None


def _language(value: Any) -> str | None:
    """``en-us`` → ``en``."""
    if not isinstance(value, str):
        return None
    primary = re.split(r"[-_\s,;]", value.strip())[0].lower()
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


def _short(exc: Any) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return (text[:200] + "…") if len(text) > 200 else text
