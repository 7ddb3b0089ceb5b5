"""HTML news pages (``.html``, ``.htm``; ``.html.gz`` arrives gunzipped).

Only the article is kept: navigation, ads, cookie banners, related-story lists and
comments are dropped. The page is parsed once, with lxml (``trafilatura.load_html``), and
that tree serves everything; the choices below were made by measurement (see
``python -m newssearch.evals.html``; CPU time, one core):

* **trafilatura** 2.3.1 (``fast=True``, comments off, tables on) finds the main text. On
  the 181-page Zyte article-extraction benchmark the reader scores F1 0.965 (P 0.952,
  R 0.979) at ~45 pages/s for the whole reader (trafilatura ~2/3 of it). Before it runs,
  the tree loses what trafilatura would delete anyway (scripts, styles, comments, nav,
  footer, aside, head, buttons, ... — not forms, figures or MathML, which it treats
  first), so its XPath pruning and tree copies work on less; and its
  "recall escalation" (a whole-page text pass on every result under 3000 characters, ~5
  ms, which changed no result) is off in fast mode. resiliparse's ``extract_plain_text``
  (main content) was tried: ~2 ms a page but F1 0.92-0.93 (too much chrome kept), also
  with a line-density trim, so it is not used. Pre-pruning by class names (cookie, share,
  related, ...) cost recall (F1 0.93-0.96) for little speed.
* **lxml** (the same tree) gives the metadata: ``<title>``, ``<meta>`` (Open Graph, Dublin
  Core, ``article:*``, ``parsely-*``, ...), ``<link rel=canonical>``, ``<html lang>`` and
  JSON-LD (``NewsArticle``/``Article``/``BlogPosting``..., also inside ``@graph``), ~1 ms
  (BeautifulSoup on the reduced head took ~3.5 ms). Pages over :data:`MAX_PARSE_CHARS`
  have their head and JSON-LD parsed apart first, since they are cut before parsing.
* **htmldate** finds the publication date when the page shows none the rules below trust
  (original date, not the last-modified one).

Publication date (:func:`choose_published`): the day written in the text right after the
headline (the ``<h1>`` naming the title) — a byline or dateline — is preferred: a metadata
date (JSON-LD, ``<meta>``, ``itemprop=datePublished`` in the body) written within
:data:`HEADLINE_NEAR` characters after the headline, else the first day written there; then
the first metadata date written anywhere in the visible text (sites' metadata often
disagrees with the date they show); then the first day within :data:`HEADLINE_FAR`
characters after the headline; then htmldate, a shown last-modified date, the first
metadata date. Days are recognised in the common numeric and written forms with month
names in en, de, fr, es, it, pt, nl (:func:`dates_in_text`). On the trafilatura evaluation
pages this scores 0.898 (0.903/0.894 on even/odd pages; the previous rule without the
headline dates 0.876, htmldate alone 0.865). ``published`` is the publisher's local date:
a time zone offset is dropped without converting to UTC (which would move late/early
stories to the adjacent day); metadata values are read by the project's one date parser,
:func:`~newssearch.timeparse.parse_published`.

Authors (:func:`choose_authors`): the JSON-LD article's ``author`` (``{"@id": ...}``
references resolved against the page's other JSON-LD objects, as Yoast and other WordPress
plugins write them), else the ``<meta>`` author tags; names that are only the site's or
publisher's name do not count. Without a person there, trafilatura's byline search of the
page (``rel=author``, ``class=byline``, ``itemprop=author``...; :func:`byline_authors`)
is used. On the trafilatura evaluation pages author accuracy is 0.654 (was 0.338 with
metadata alone; trafilatura's own metadata extraction 0.638); the byline search costs
~2.4 ms a page on average (only pages without a named author run it).

Decoding honours ``<meta charset>`` / ``http-equiv`` (and the XML declaration), with
fallbacks when it is wrong: a page cut inside its last character, or mostly-valid UTF-8
with a few bad bytes, stays UTF-8; a page that is not UTF-8 although it says so is decoded
as windows-1250 or windows-1252 chosen by its ``lang`` (else charset-normalizer's guess).

Limits: files over :data:`MAX_BYTES` are cut there; decoded pages over
:data:`MAX_PARSE_CHARS` lose scripts and styles and are cut there too (lxml copes with the
cut tag soup). When trafilatura's fast mode finds no prose, its full cascade is tried once.
A page with fewer than :data:`MIN_WORDS` words in lines of prose (and fewer than
:data:`MIN_LIST_WORDS` in all), or whose title says 404, raises
:class:`~newssearch.errors.InputError` with the reason. ``published`` is a
``datetime.date`` when the page gives only a day, else a naive ``datetime`` in the
publisher's local time (``published`` is the publisher's local date).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html as html_lib
import json
import re
from collections.abc import Iterable, Iterator
from copy import copy
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import lxml.html
import trafilatura
import trafilatura.core as trafilatura_core
import trafilatura.metadata as trafilatura_metadata
from bs4 import BeautifulSoup
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.settings import MANUALLY_CLEANED, Extractor

from ..errors import InputError
from ..model import Article, single_article_id
from ..timeparse import parse_published
from .cleaning import clean_line, decode_bytes, decode_utf8_lenient, split_paragraphs

#: Pages bigger than this (bytes, after gunzip) are cut to this size before parsing.
MAX_BYTES = 5_000_000
#: Decoded pages longer than this (characters) lose scripts and styles, then are cut here.
MAX_PARSE_CHARS = 1_500_000
#: Fewer words than this in paragraphs of prose: not an article (index page, 404, stub).
MIN_WORDS = 30
#: ... or this many, when the metadata declares the page an article (a short news brief).
MIN_WORDS_DECLARED = 12
#: ... unless the text has at least this many words in short lines (a list-style article).
MIN_LIST_WORDS = 200
#: A line of at least this many words counts as prose (not a menu item or a teaser title).
PROSE_LINE_WORDS = 10

_ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "reviewnewsarticle",
    "blogposting",
    "liveblogposting",
    "socialmediaposting",
    "scholarlyarticle",
    "techarticle",
    "report",
    "posting",
    "webpage",
}

_HEAD_END = re.compile(rb"</head\s*>|<body[\s>]", re.I)
_HEAD_END_STR = re.compile(r"</head\s*>|<body[\s>]", re.I)
_LD_JSON = re.compile(
    r"<script\b[^>]*\btype\s*=\s*[\"']?application/ld\+json[\"']?[^>]*>.*?</script\s*>", re.I | re.S
)
_HEAD_NOISE = re.compile(r"<(script|style|noscript|svg)\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_HEAD_TAGS = re.compile(r"<(?:html|meta|time)\b[^>]*>|<link\b[^>]*\bcanonical\b[^>]*>|<title\b[^>]*>.*?</title\s*>", re.I | re.S)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
_HTML_LANG = re.compile(rb"""<html[^>]*\blang\s*=\s*["']?([A-Za-z]{2,3})""", re.I)
_CP1250_LANGS = {"pl", "cs", "sk", "hu", "ro", "hr", "sl", "bs", "sq"}
_CP1252_LANGS = {"en", "fr", "de", "es", "it", "pt", "nl", "da", "sv", "no", "nb", "nn", "fi", "is", "ca", "ga", "eu", "gl", "af"}
_NOT_FOUND = re.compile(
    r"\b404\b|page not found|not be found|could not find|cannot be found|does not exist|doesn't exist|seite nicht gefunden|page introuvable|"
    r"pagina nu a fost g[aă]sit[aă]|p[aá]gina no encontrada|pagina non trovata",
    re.I,
)
_TITLE_SEPARATORS = re.compile(r"\s+(?:[|\u2013\u2014»·•:]|-|::|/)\s+")
_BYLINE_PREFIX = re.compile(
    r"^\s*(?:(?:view|see) all (?:posts|articles) by|(?:posted|written|published) by|post author(?: by)?|"
    r"(?:zeige )?alle (?:beiträge|artikel) von|(?:beitrag|artikel|zum profil) von|(?:geschrieben|verfasst) von|"
    r"publié par|escrito por|scritto da|author|autor|auteur|by|von|par|de|di|por|door|av|af)\s*:?\s+",
    re.I,
)
#: What byline searches find that names no one: form labels, headings of author boxes.
_NOT_AUTHORS = {
    "name", "stand", "datum", "date", "follow", "posted", "no author", "author", "authors", "auteur", "auteurs",
    "autor", "autoren", "admin", "administrator", "wordpressadmin", "human", "anonymous", "unknown",
}
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\bși\b|\bsi\b|\by\b|\be\b|\bi\b)\s*", re.I)
_WORD = re.compile(r"\w+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")

#: ``<meta>`` names/properties, most trusted first, for each field.
_META_PUBLISHED = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "datepublished",
    "published_time",
    "article.published",
    "publish-date",
    "publish_date",
    "publishdate",
    "pubdate",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "date",
    "article:published",
    "cxenseparse:recs:publishtime",
)
_META_MODIFIED = (
    "article:modified_time",
    "og:updated_time",
    "og:article:modified_time",
    "datemodified",
    "last-modified",
    "dcterms.modified",
    "article:modified",
)
_META_AUTHOR = (
    "author",
    "article:author",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
    "dcterms.creator",
    "byl",
    "twitter:creator",
    "cxenseparse:author",
)
_META_TITLE = ("og:title", "twitter:title", "title", "dc.title", "parsely-title", "headline")
_META_SITE = ("og:site_name", "application-name", "publisher", "dc.publisher", "twitter:site", "copyright")
_META_URL = ("og:url", "twitter:url", "parsely-link")
_META_LANGUAGE = ("content-language", "language", "dc.language", "og:locale", "inlanguage")


@dataclass
class PageMeta:
    """What a page's metadata says about its article (all optional)."""

    title: str | None = None
    published: dt.date | dt.datetime | None = None
    modified: dt.date | dt.datetime | None = None
    authors: list[str] = field(default_factory=list)
    site_name: str | None = None
    url: str | None = None
    language: str | None = None
    h1: str | None = None
    page_title: str | None = None
    #: the page's metadata says it is an article (JSON-LD article type, or og:type article)
    declared_article: bool = False
    #: publication dates the metadata states, most trusted first (JSON-LD, then ``<meta>``)
    published_candidates: list[dt.date | dt.datetime] = field(default_factory=list)


def read(data: bytes, path: str) -> Iterator[Article]:
    """Read one HTML page (its bytes) as one article.

    Raises :class:`InputError` when the page holds no article (index page, 404, empty).
    """
    yield extract_article(data, path)


def extract_article(data: bytes, path: str, url: str | None = None) -> Article:
    """The article of one page: main text as paragraphs plus its metadata.

    ``url`` is where the page was fetched from (a web archive's target URI): the article's
    URL (and source host) when the page names no canonical URL of its own.
    """
    if len(data) > MAX_BYTES:
        data = data[:MAX_BYTES]
    if not data.strip():
        raise InputError(path, "empty file")
    text = decode_html(data, path)
    if "<" not in text[:100_000]:
        raise InputError(path, "not an HTML page (no tags)")
    meta = None
    if len(text) > MAX_PARSE_CHARS:
        # huge page: metadata from its head and JSON-LD first, then scripts and styles are
        # dropped and the page is cut, so that parsing stays fast
        meta = extract_metadata(text)
        text = _HEAD_NOISE.sub("", text)[:MAX_PARSE_CHARS]
    tree = trafilatura.load_html(text)
    if tree is None:
        raise InputError(path, "cannot parse the HTML")
    if meta is None:
        meta = extract_metadata(tree)
    if meta.url is None and url:
        meta.url = url
    meta.h1 = _first_h1(tree)
    # C-level removal of what trafilatura would delete element by element anyway (~10 % faster);
    # scripts go after the date rule (htmldate reads dates in them)
    etree.strip_elements(tree, "style", "svg", "iframe", "template", "noscript", with_tail=False)
    etree.strip_elements(tree, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    meta.published = choose_published(meta, tree)
    # then the elements trafilatura deletes anyway (nav, footer, aside, head, buttons...): its
    # XPath pruning and tree copies run on a smaller tree (~15 % faster, same output)
    etree.strip_elements(tree, "script", with_tail=False)
    meta.authors = choose_authors(meta, tree)  # bylines may stand in the parts deleted next
    etree.strip_elements(tree, *_TRAFILATURA_DELETES, with_tail=False)
    paragraphs = extract_paragraphs(tree, url=meta.url)
    counts = [count_words(p) for p in paragraphs]
    if sum(n for n in counts if n >= PROSE_LINE_WORDS) < MIN_WORDS:
        # fast mode found (almost) nothing: one more try with trafilatura's full cascade
        # (readability and jusText fallbacks), on a fresh tree since the first pass pruned it
        retry_tree = trafilatura.load_html(text)
        if retry_tree is not None:
            retry = extract_paragraphs(retry_tree, url=meta.url, fast=False)
            if _prose_words(retry) > _prose_words(paragraphs):  # more prose, not more menu items
                paragraphs, counts = retry, [count_words(p) for p in retry]
    words = sum(counts)
    prose = sum(n for n in counts if n >= PROSE_LINE_WORDS)
    title = choose_title(meta, paragraphs)
    if words < 150 and any(_NOT_FOUND.search(t or "") for t in (title, meta.page_title)):
        raise InputError(path, "page not found (404 page), no article")
    enough = MIN_WORDS_DECLARED if meta.declared_article else MIN_WORDS
    if prose < enough and words < MIN_LIST_WORDS:
        reason = "no article text found (index page or 404?)"
        if words >= MIN_WORDS:
            reason += f": only short lines ({words} words in {len(counts)} lines, none a paragraph)"
        raise InputError(path, reason)
    if title and paragraphs and clean_line(paragraphs[0]) == title:
        paragraphs = paragraphs[1:] or paragraphs
    return Article(
        id=single_article_id(path),
        title=title or paragraphs[0][:120],
        paragraphs=paragraphs,
        source=meta.site_name or _host(meta.url),
        url=meta.url,
        published=meta.published,
        modified=meta.modified,
        authors=meta.authors,
        language=meta.language,
        path=path,
    )


def count_words(text: str) -> int:
    """Words in ``text``; in Chinese/Japanese/Korean, which has no spaces, two characters count as one."""
    cjk = len(_CJK.findall(text))
    return len(_WORD.findall(text)) + cjk // 2 if cjk else len(_WORD.findall(text))


# --------------------------------------------------------------------------- decoding


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in its first 4 KB (``<meta charset>``, http-equiv, ``<?xml``)."""
    head = data[:4096]
    match = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    if not match:
        return None
    name = match.group(1).decode("ascii", "ignore").lower()
    # WHATWG: the Latin-1 labels mean windows-1252 in browsers.
    if name in ("iso-8859-1", "iso8859-1", "latin1", "latin-1", "us-ascii", "ascii"):
        return "cp1252"
    try:
        import codecs

        return codecs.lookup(name).name
    except LookupError:
        return None


def _prose_words(paragraphs: list[str]) -> int:
    """Words in lines long enough to be prose (not menu items or teaser titles)."""
    return sum(n for n in map(count_words, paragraphs) if n >= PROSE_LINE_WORDS)


def decode_html(data: bytes, path: str) -> str:
    """Decode a page, honouring its declared charset with fallbacks when it is wrong.

    Order: a byte-order mark; the declared charset when the bytes fit it; UTF-8 when the
    bytes are (almost all) valid UTF-8 — a few bad bytes, e.g. a page cut inside a
    character, are replaced; otherwise the charset detector's guess (windows-1252 when it
    has none). A UTF-8 declaration on windows-1252 bytes is thus caught.
    """
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return decode_bytes(data, path)
    declared = declared_charset(data)
    if declared and declared not in ("utf-8", "utf_8"):
        try:
            return data.decode(declared)
        except (UnicodeDecodeError, LookupError):
            pass
    text = decode_utf8_lenient(data)
    if text is not None:
        return text
    if declared and declared not in ("utf-8", "utf_8"):
        return data.decode(declared, errors="replace")
    guess = _single_byte_guess(data)
    try:
        return data.decode(guess)
    except (UnicodeDecodeError, LookupError):
        return data.decode("cp1252", errors="replace")


def _single_byte_guess(data: bytes) -> str:
    """The legacy charset of a page that is not UTF-8: by its ``lang`` when it has one.

    Central European languages → windows-1250, other Latin-script ones → windows-1252 (a
    detector on a short page confuses the two); else charset-normalizer's guess.
    """
    match = _HTML_LANG.search(data[:4096])
    if match:
        lang = match.group(1).decode("ascii", "ignore").lower()
        if lang in _CP1250_LANGS:
            return "cp1250"
        if lang in _CP1252_LANGS:
            return "cp1252"
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000], cp_exclusion=["utf_8", "utf_16", "utf_32"]).best()
    return best.encoding if best is not None and best.encoding else "cp1252"


# --------------------------------------------------------------------------- metadata


def extract_metadata(page: str | HtmlElement) -> PageMeta:
    """Metadata of a page: ``<head>`` tags and JSON-LD, read from its lxml tree.

    ``page`` is the parsed page (its scripts still in it) or the HTML text, of which only
    the ``<head>`` tags read here and the JSON-LD ``<script>`` blocks are parsed.
    """
    if isinstance(page, str):
        html = page
        end = _HEAD_END_STR.search(html, 0, 1_000_000)
        head = html[: end.start()] if end else html[:200_000]
        scripts = _LD_JSON.findall(html) if "ld+json" in html else []
        head = "".join(_HEAD_TAGS.findall(_HEAD_NOISE.sub("", head)))
        page = lxml.html.document_fromstring(head + "</head><body>" + "".join(scripts) + "</body></html>")
    root = page.getroottree().getroot()
    head_element = root.find("head")
    head_tags = list(head_element.iter("meta", "title", "link", "time")) if head_element is not None else []

    metas: dict[str, list[str]] = {}
    for tag in head_tags:
        if tag.tag != "meta":
            continue
        key = tag.get("property") or tag.get("name") or tag.get("itemprop") or tag.get("http-equiv")
        value = tag.get("content")
        if key and value and value.strip():
            metas.setdefault(key.strip().lower(), []).append(value.strip())

    ld = _json_ld_article(
        script.text or ""
        for script in root.iter("script")
        if "ld+json" in (script.get("type") or "").lower()
    )
    meta = PageMeta()
    og_type = (_first(metas, ("og:type",)) or "").lower()
    meta.declared_article = bool(ld.get("@type")) and ld.get("@type") != "WebPage" or og_type == "article"
    title_tag = next((t for t in head_tags if t.tag == "title"), None)
    meta.page_title = clean_line(title_tag.text_content()) if title_tag is not None else None

    meta.title = _clean_text(ld.get("headline") or ld.get("name")) or _first(metas, _META_TITLE)
    candidates = [_parse_date(ld.get("datePublished")), _parse_date(ld.get("dateCreated"))]
    candidates.append(next((d for key in _META_PUBLISHED for v in metas.get(key, []) if (d := _parse_date(v))), None))
    for time_tag in head_tags:
        if time_tag.tag == "time" and (time_tag.get("pubdate") is not None or time_tag.get("itemprop") == "datePublished"):
            candidates.append(_parse_date(time_tag.get("datetime")))
    meta.published_candidates = _dedupe_dates(candidates)
    meta.published = meta.published_candidates[0] if meta.published_candidates else None
    meta.modified = _parse_date(ld.get("dateModified"))
    if meta.modified is None:
        meta.modified = next(
            (d for key in _META_MODIFIED for v in metas.get(key, []) if (d := _parse_date(v))), None
        )

    meta.authors = _authors_from_ld(ld.get("author")) or _authors_from_meta(metas)
    meta.site_name = _first(metas, _META_SITE[:1]) or _publisher_name(ld) or _first(metas, _META_SITE[1:3])

    canonical = None
    for link in head_tags:
        href = link.get("href")
        if link.tag == "link" and "canonical" in (link.get("rel") or "").lower().split() and href and href.startswith("http"):
            canonical = href.strip()
            break
    ld_url = ld.get("url") if isinstance(ld.get("url"), str) else None
    meta.url = canonical or _first(metas, _META_URL) or (ld_url if ld_url and ld_url.startswith("http") else None)

    lang = root.get("lang") or root.get("xml:lang") if root.tag == "html" else None
    if not isinstance(lang, str) or not lang.strip():
        lang = _first(metas, _META_LANGUAGE)
    if not lang and isinstance(ld.get("inLanguage"), str):
        lang = ld["inLanguage"]
    meta.language = _language(lang)
    return meta


def _json_ld_article(scripts: Iterable[str]) -> dict[str, Any]:
    """The JSON-LD object describing the article (a NewsArticle first), or ``{}``."""
    best: dict[str, Any] = {}
    best_rank = 99
    by_id: dict[str, dict[str, Any]] = {}
    for raw in scripts:
        if not raw or not raw.strip():
            continue
        try:
            data = json.loads(raw.strip().rstrip(";"))
        except ValueError:
            continue
        for obj in _ld_objects(data):
            if isinstance(obj.get("@id"), str) and len(obj) > 1:
                by_id.setdefault(obj["@id"], obj)
            types = obj.get("@type")
            names = [types] if isinstance(types, str) else [t for t in types or [] if isinstance(t, str)]
            names = [n.lower().rsplit("/", 1)[-1] for n in names]
            if not any(n in _ARTICLE_TYPES for n in names):
                continue
            rank = 2 if names == ["webpage"] else (0 if any("news" in n for n in names) else 1)
            if rank < best_rank:
                best, best_rank = obj, rank
    if best_rank == 2 and "headline" not in best:
        best = {k: v for k, v in best.items() if k not in ("name",)}
    if by_id and any(key in best for key in _LD_REFERENCES):
        # "author": {"@id": "...#/schema/person/..."} names an object elsewhere in the page's
        # JSON-LD (Yoast and other WordPress plugins write authors and publishers so)
        best = {**best, **{key: _resolve_ld(best[key], by_id) for key in _LD_REFERENCES if key in best}}
    return best


#: JSON-LD properties of an article whose value may be a reference (``{"@id": ...}``).
_LD_REFERENCES = ("author", "creator", "publisher", "sourceOrganization")


def _resolve_ld(value: Any, by_id: dict[str, dict[str, Any]]) -> Any:
    """``value`` with ``{"@id": ...}`` references replaced by the objects they name."""
    if isinstance(value, list):
        return [_resolve_ld(item, by_id) for item in value]
    if isinstance(value, dict) and "name" not in value and isinstance(value.get("@id"), str):
        return by_id.get(value["@id"], value)
    return value


def _ld_objects(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data:
            yield from _ld_objects(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity", "itemListElement"):
            if key in data:
                yield from _ld_objects(data[key], depth + 1)


def _first(metas: dict[str, list[str]], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        for value in metas.get(key, []):
            value = clean_line(value)
            if value:
                return value
    return None


def _clean_text(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), None)
    if not isinstance(value, str):
        return None
    if "<" in value or "&" in value:
        value = BeautifulSoup(value, "lxml").get_text(" ")
    return clean_line(value) or None


def _publisher_name(ld: dict[str, Any]) -> str | None:
    pub = ld.get("publisher") or ld.get("sourceOrganization")
    if isinstance(pub, list):
        pub = pub[0] if pub else None
    if isinstance(pub, dict):
        return _clean_text(pub.get("name"))
    return _clean_text(pub)


def _authors_from_ld(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, list):
            name = " ".join(n for n in name if isinstance(n, str))
        if isinstance(name, str):
            names.extend(split_authors(name))
    return _dedupe(names)


def choose_authors(meta: PageMeta, tree: HtmlElement) -> list[str]:
    """The article's authors: the metadata's (JSON-LD, ``<meta>``) unless they only name the
    site or publisher; else the byline in the page (trafilatura's author search: ``rel=author``,
    ``class=byline``, ``itemprop=author``...); else the metadata's after all."""
    named = [name for name in meta.authors if not _names_site(name, meta)]
    if named:
        return named
    return byline_authors(tree) or meta.authors


def byline_authors(tree: HtmlElement) -> list[str]:
    """Author names from the byline elements of the page body (trafilatura's search; the
    tree is left intact)."""
    try:
        found = trafilatura_metadata.extract_author(tree)
    except Exception:  # noqa: BLE001 - trafilatura may fail on odd markup; authors are optional
        return []
    return _dedupe([name for part in (found or "").split(";") for name in split_authors(part)])


def _names_site(name: str, meta: PageMeta) -> bool:
    """True when ``name`` is the site's or publisher's name (or its host), not a person's."""
    key = re.sub(r"\W+", "", name.lower())
    if not key:
        return True
    site = re.sub(r"\W+", "", (meta.site_name or "").lower())
    host = re.sub(r"\W+", "", (_host(meta.url) or "").lower())
    return key == site or (len(key) >= 4 and key in host)


def _authors_from_meta(metas: dict[str, list[str]]) -> list[str]:
    for key in _META_AUTHOR:
        names = [n for value in metas.get(key, []) for n in split_authors(value)]
        if names:
            return _dedupe(names)
    return []


def split_authors(value: str) -> list[str]:
    """Author names from a byline string ("By Ann Lee and Bo Chen" → two names).

    URLs and handles (``@name``) are dropped.
    """
    value = clean_line(value)
    if not value or value.startswith(("http://", "https://", "www.")) or "/" in value:
        return []
    value = _BYLINE_PREFIX.sub("", value)
    names = []
    for part in _AUTHOR_SPLIT.split(value):
        part = part.strip(" .·|-")
        if part.startswith("@"):
            continue
        if 1 < len(part) <= 80 and any(ch.isalpha() for ch in part) and part.lower() not in _NOT_AUTHORS:
            names.append(part)
    return names


def _dedupe(names: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for name in names:
        if name.lower() not in seen:
            seen.add(name.lower())
            out.append(name)
    return out


def _language(value: str | None) -> str | None:
    """``en-GB``/``en_GB`` → ``en`` (primary subtag, lowercase)."""
    if not value:
        return None
    primary = re.split(r"[-_\s,;]", value.strip())[0].lower()
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


def _host(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None


# --------------------------------------------------------------------------- dates


def parse_metadata_date(value: Any) -> dt.date | dt.datetime | None:
    """A date as metadata writes it (ISO 8601, RFC 2822, ``YYYY-MM-DD``...): a ``date`` for
    a day alone, else a naive ``datetime`` in the writer's local time (the offset dropped:
    the project's one rule, :mod:`newssearch.timeparse`); None when unreadable or
    implausible (before 1990, in the future)."""
    return _parse_date(value)


def _parse_date(value: Any) -> dt.date | dt.datetime | None:
    """A metadata date (a string, or a JSON-LD list or ``{"@value": ...}``) → ``date`` (day
    only) or naive local ``datetime`` (:func:`~newssearch.timeparse.parse_published`: the
    publisher's local date), or None if unreadable or implausible for a news page."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("@value")
    result = parse_published(value)
    if result is None or not _plausible(result):
        return None
    return result


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _plausible(value: dt.date | dt.datetime) -> bool:
    day = value.date() if isinstance(value, dt.datetime) else value
    return dt.date(1990, 1, 1) <= day <= dt.date.today() + dt.timedelta(days=2)


def choose_published(meta: PageMeta, tree: HtmlElement) -> dt.date | dt.datetime | None:
    """The publication date, preferring the one the page shows under its headline.

    Candidates, in order: JSON-LD ``datePublished``/``dateCreated``, the first ``<meta>``
    publication date, ``itemprop=datePublished``/``<time pubdate>`` elements of the body.
    The *headline dates* are the days written in the text that follows the headline
    (:func:`headline_dates`: the ``<h1>`` naming the title, else the first ``<h1>``), where a
    byline or dateline stands. In order:

    1. a candidate written within :data:`HEADLINE_NEAR` characters after the headline;
    2. else the first day written there (a date line the metadata does not offer);
    3. else the first candidate written anywhere in the visible text (sites' metadata often
       disagrees with the date they show);
    4. else the first day written within :data:`HEADLINE_FAR` characters after the headline;
    5. else htmldate's original date if it is written in the page, a written last-modified
       date (metadata, else htmldate's newest date: pages that show only "updated on ..."),
       htmldate's original date, the first candidate.

    The visible text is the text of ``<body>`` outside ``<script>`` and ``<style>`` (the caller
    has removed ``<noscript>``, ``<template>`` and comments).
    """
    written: list[dt.date | dt.datetime | None] = list(meta.published_candidates)
    for element in _BODY_PUBLISHED_XPATH(tree):
        if element.tag != "meta" and element.text_content().strip():
            written.append(_parse_date(element.get("content") or element.get("datetime")))
    candidates: list[dt.date | dt.datetime] = _dedupe_dates(written)
    after = headline_dates(tree, meta.title, day_first=meta.language not in (None, "en"))
    near = [reading for pos, readings in after if pos < HEADLINE_NEAR for reading in readings]
    for candidate in candidates:
        if _day(candidate) in near:
            return candidate
    known = [*candidates, meta.modified] if meta.modified is not None else candidates
    if near:
        # a metadata time of day (e.g. the modified one) is kept when it names the same day
        return next((k for k in known if _day(k) == near[0]), near[0])
    # the whole visible text only now: most pages are dated by their headline (~2 ms saved)
    root = tree.find("body")
    days = visible_days(" ".join(_VISIBLE_TEXT_XPATH(root if root is not None else tree)))
    for candidate in candidates:
        if _day(candidate) in days:
            return candidate
    far = [readings[0] for pos, readings in after if pos < HEADLINE_FAR]
    if far:
        return next((k for k in known if _day(k) == far[0]), far[0])
    original = find_date(tree)
    if original is not None and original not in [_day(c) for c in candidates]:
        if original in days:
            return original
    if meta.modified is not None and _day(meta.modified) in days:
        return meta.modified
    newest = find_date(tree, original_date=False)
    if newest is not None and newest in days:
        return newest
    if original is not None:
        # keep a metadata time of day when it names the same day
        return next((c for c in candidates if _day(c) == original), original)
    return candidates[0] if candidates else None


#: A date written this many characters after the headline belongs to the byline/dateline.
HEADLINE_NEAR = 300
#: ... and one up to this far is still taken when no metadata date is written anywhere.
HEADLINE_FAR = 1000


def headline_dates(tree: HtmlElement, title: str | None = None, day_first: bool = False) -> list[tuple[int, list[dt.date]]]:
    """The days written in the first :data:`HEADLINE_FAR` characters of text after the
    headline, as (position, readings) — see :func:`dates_in_text`; ``day_first`` puts the
    day/month reading of a slashed date (03/05/2024) first. The headline is the ``<h1>``
    whose text is part of ``title`` (or contains it), else the first ``<h1>`` with text."""
    headline = None
    wanted = (title or "").lower()
    for h1 in tree.iter("h1"):
        text = clean_line(h1.text_content()).lower()
        if not text:
            continue
        if headline is None:
            headline = h1
        if wanted and (text in wanted or wanted in text):
            headline = h1
            break
    if headline is None:
        return []
    after = " ".join(_FOLLOWING_TEXT_XPATH(headline))[:HEADLINE_FAR]
    found = list(dates_in_text(after))
    if day_first:
        found = [(pos, readings[::-1]) for pos, readings in found]
    return found


_FOLLOWING_TEXT_XPATH = etree.XPath("following::text()[position() <= 300][not(parent::script or parent::style)]")
_VISIBLE_TEXT_XPATH = etree.XPath(".//text()[not(parent::script or parent::style)]")
_BODY_PUBLISHED_XPATH = etree.XPath("//*[@itemprop='datePublished'][@content or @datetime] | //time[@pubdate][@datetime]")

#: Month names and abbreviations (en, de, fr, es, it, pt, nl), by month number.
_MONTH_NAMES = {
    1: "jan january januar jänner janvier enero ene gennaio gen janeiro januari",
    2: "feb february februar février fevrier févr fév febrero febbraio fevereiro fev februari",
    3: "mar march märz maerz mär mars marzo março maart mrt",
    4: "apr april avril avr abril abr aprile",
    5: "may mai mayo maggio mag maio mei",
    6: "jun june juni juin junio giugno giu junho",
    7: "jul july juli juillet juil julio luglio lug julho",
    8: "aug august août aout agosto ago augustus",
    9: "sep sept september septembre septiembre settembre set setembro",
    10: "oct october oktober okt octobre octubre ottobre ott outubro out",
    11: "nov november novembre noviembre novembro",
    12: "dec december dezember dez décembre decembre déc diciembre dic dicembre dezembro",
}


def _day(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _dedupe_dates(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if value is not None and _day(value) not in [_day(v) for v in out]:
            out.append(value)
    return out


_MONTH_BY_NAME = {name: month for month, names in _MONTH_NAMES.items() for name in names.split()}
_MONTH_ALTERNATIVES = "|".join(sorted(_MONTH_BY_NAME, key=len, reverse=True))
#: A written day: 2024-03-05 / 2024/3/5, 5.3.2024 / 05-03-24 / 03/05/2024 (slashes: day or
#: month first), 5 March 2024 / 5. März 2024 / 5 de marzo de 2024, March 5th, 2024.
_DATE_IN_TEXT = re.compile(
    r"(?<!\d)(?P<iy>(?:19|20)\d\d)\s*[./-]\s*(?P<im>[01]?\d)\s*[./-]\s*(?P<id>[0-3]?\d)(?!\d)"
    r"|(?<!\d)(?P<na>[0-3]?\d)\s*(?P<ns>[./-])\s*(?P<nb>[0-3]?\d)\s*[./-]\s*(?P<ny>(?:19|20)\d\d|\d\d)(?!\d)"
    rf"|(?<!\d)(?P<dd>[0-3]?\d)(?:st|nd|rd|th|er|º)?\.?\s*(?:de\s+)?(?P<dm>{_MONTH_ALTERNATIVES})\.?\w*\.?,?\s*(?:de\s+)?(?P<dy>(?:19|20)\d\d)(?!\d)"
    rf"|\b(?P<mm>{_MONTH_ALTERNATIVES})\.?\w*\.?\s*(?P<md>[0-3]?\d)(?:st|nd|rd|th)?,?\s*(?P<my>(?:19|20)\d\d)(?!\d)",
    re.I,
)
#: Every written date holds one of these: a year, or the end of a numeric d.m.yy; the full pattern above
#: is only tried around them (it is slow to try at every position of a long text).
_DATE_ANCHOR = re.compile(r"[12]\d{3}|[./-] ?\d\d(?!\d)")  # no look-behind: it would slow the scan 3x


def dates_in_text(text: str) -> Iterator[tuple[int, list[dt.date]]]:
    """The days written in ``text``, in order: (position, readings) — a slashed date with
    day and month both <= 12 has two readings, month first (03/05/2024: 5 March or 3 May)."""
    done = 0
    for anchor in _DATE_ANCHOR.finditer(text):
        if anchor.start() < done:
            continue
        for match in _DATE_IN_TEXT.finditer(text, max(done, anchor.start() - 40), anchor.end() + 12):
            done = match.end()
            readings = _readings(match)
            if readings:
                yield match.start(), readings
        done = max(done, anchor.end())


def _readings(match: re.Match[str]) -> list[dt.date]:
    g = match.groupdict()
    if g["iy"]:
        days = [_safe_date(int(g["iy"]), int(g["im"]), int(g["id"]))]
    elif g["ny"]:
        year = int(g["ny"])
        year += 0 if year >= 100 else (2000 if year < 50 else 1900)
        a, b = int(g["na"]), int(g["nb"])
        days = [_safe_date(year, a, b), _safe_date(year, b, a)] if g["ns"] == "/" and a != b else [_safe_date(year, b, a)]
    elif g["dy"]:
        days = [_safe_date(int(g["dy"]), _MONTH_BY_NAME[g["dm"].lower()], int(g["dd"]))]
    else:
        days = [_safe_date(int(g["my"]), _MONTH_BY_NAME[g["mm"].lower()], int(g["md"]))]
    return [d for d in days if d is not None and _plausible(d)]


def visible_days(text: str) -> set[dt.date]:
    """Every day written in ``text`` (see :func:`dates_in_text`)."""
    return {day for _, days in dates_in_text(text) for day in days}


def date_is_visible(value: dt.date | dt.datetime | None, text: str | set[dt.date]) -> bool:
    """True when ``text`` (or the set of its :func:`visible_days`) writes the day of ``value``
    (5.3.2024, 2024-03-05, 03/05/2024, 5 March 2024, March 5th, 2024, 5. März 2024, 5 de
    marzo de 2024, ...)."""
    if value is None:
        return False
    days = visible_days(text) if isinstance(text, str) else text
    return _day(value) in days


def find_date(tree: HtmlElement, original_date: bool = True) -> dt.date | None:
    """The publication date htmldate finds in the page (original one, else newest), or None.

    htmldate deep-copies the tree before cleaning it, so ``tree`` is left intact.
    """
    from htmldate import find_date as htmldate_find

    try:
        found = htmldate_find(tree, original_date=original_date, extensive_search=True, outputformat="%Y-%m-%d")
    except Exception:  # noqa: BLE001 - htmldate may fail on odd markup; a date is optional
        return None
    return _parse_date(found) if found else None


# --------------------------------------------------------------------------- text


def extract_paragraphs(tree: HtmlElement, url: str | None = None, fast: bool = True) -> list[str]:
    """Main-text paragraphs (sub-headings and list items as their own paragraphs).

    The tree is modified (trafilatura prunes it in place). In fast mode trafilatura's
    "recall escalation" is switched off: it measures the text of the whole page (a copy and
    clean-up of the tree, ~5 ms) on every page whose result is under 3000 characters, and on
    the benchmark it never changed a result; a page where fast mode finds too little is read
    again with the full cascade by :func:`extract_article`.
    """
    options = copy(_FAST_OPTIONS if fast else _FULL_OPTIONS)
    options.url = options.source = url
    with _escalation_off() if fast else contextlib.nullcontext():
        text = trafilatura.extract(tree, options=options)
    if not text:
        return []
    return [line for line in (clean_line(raw) for raw in text.split("\n")) if line]


#: Elements trafilatura 2.3.1 deletes with their content (``MANUALLY_CLEANED``), but for those
#: it treats first: forms (kept when they hold most of the text), figures (may hold a table),
#: MathML (turned into LaTeX).
_TRAFILATURA_DELETES = tuple(tag for tag in MANUALLY_CLEANED if tag not in ("form", "figure", "math"))
#: trafilatura's options (built once: building them reads its config, ~0.3 ms a page)
_FAST_OPTIONS = Extractor(output_format="txt", fast=True, comments=False, tables=True, images=False, links=False)
_FULL_OPTIONS = Extractor(output_format="txt", fast=False, comments=False, tables=True, images=False, links=False)


@contextlib.contextmanager
def _escalation_off() -> Iterator[None]:
    """Disable trafilatura 2.3.1's stage-4 recall escalation (its length gate set to 0)."""
    saved = getattr(trafilatura_core, "ESCALATION_MAX_LENGTH", None)
    if saved is None:
        yield
        return
    trafilatura_core.ESCALATION_MAX_LENGTH = 0
    try:
        yield
    finally:
        trafilatura_core.ESCALATION_MAX_LENGTH = saved


#: Elements that start a new paragraph in :func:`fragment_paragraphs`.
_BLOCK_TAGS = frozenset(
    "p div li ul ol dl dt dd h1 h2 h3 h4 h5 h6 blockquote pre table tr section article header footer "
    "figure figcaption hr address main aside details summary".split()
)
#: Elements whose content is not text.
_NOT_TEXT_TAGS = frozenset("script style noscript template iframe object embed svg math head".split())


def fragment_paragraphs(markup: str) -> list[str]:
    """Paragraphs of a piece of HTML (a feed item's content or description, not a whole
    page): block elements (``<p>``, ``<li>``, headings, ``<div>``...) and double ``<br>`` end
    paragraphs, scripts and styles are dropped, entities decoded. Plain text (no tags) is
    split at blank lines."""
    if "<" not in markup:
        return split_paragraphs(html_lib.unescape(markup))
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):
        return split_paragraphs(html_lib.unescape(markup))
    parts: list[str] = []
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:  # depth first, without recursion (feeds can nest deeply)
        element, closing = stack.pop()
        tag = element.tag if isinstance(element.tag, str) else None  # comments: None
        if closing:
            if tag in _BLOCK_TAGS:
                parts.append("\n\n")
            if element is not root and element.tail:
                parts.append(element.tail)
            continue
        if tag is None or tag in _NOT_TEXT_TAGS:
            if element.tail:
                parts.append(element.tail)
            continue
        if tag in _BLOCK_TAGS:
            parts.append("\n\n")
        elif tag == "br":
            parts.append("\n")
        elif tag in ("td", "th"):
            parts.append(" ")
        if element.text:
            parts.append(element.text)
        stack.append((element, True))
        stack.extend((child, False) for child in reversed(element))
    return split_paragraphs("".join(parts))


def _first_h1(tree: HtmlElement) -> str | None:
    for h1 in tree.iter("h1"):
        text = clean_line(h1.text_content())
        if text:
            return text
    return None


def choose_title(meta: PageMeta, paragraphs: list[str]) -> str:
    """The headline: JSON-LD/Open Graph title, else ``<h1>``, else ``<title>`` minus the site name."""
    for candidate in (meta.title, meta.h1):
        if candidate:
            return _strip_site(candidate, meta)
    if meta.page_title:
        return _strip_site(meta.page_title, meta)
    return ""


def _strip_site(title: str, meta: PageMeta) -> str:
    """Drop a " | Site name" part from a title."""
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    site = (meta.site_name or "").lower()
    host = (_host(meta.url) or "").lower()
    kept = [p for p in parts if p.lower() not in (site, host) and p.lower().replace(" ", "") not in host]
    if len(kept) == len(parts):
        # no part names the site: keep the longest part if it is clearly the headline
        longest = max(parts, key=len)
        return longest if meta.h1 and longest.lower() in meta.h1.lower() else title
    return " - ".join(kept) if kept else title
