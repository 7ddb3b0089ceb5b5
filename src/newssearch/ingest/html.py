"""HTML news pages (``.html``, ``.htm``; ``.html.gz`` arrives gunzipped).

Only the article is kept: navigation, ads, cookie banners, related-story lists and
comments are dropped. The work is split between two libraries, chosen by measurement
(see ``python -m newssearch.evals.html``):

* **trafilatura** (``fast=True``, comments off, tables on) finds the main text. On the
  181-page Zyte article-extraction benchmark it scores F1 0.962 at about 50 pages/s on one
  core; its default mode (with the readability/jusText fallbacks) scores lower (0.960) at
  ~30 pages/s, ``favor_precision`` 0.964 at ~30 pages/s.
* **beautifulsoup4** reads the metadata: ``<title>``, ``<meta>`` (Open Graph, Dublin Core,
  ``article:*``, ``parsely-*``, ...), ``<link rel=canonical>``, ``<html lang>`` and JSON-LD
  (``NewsArticle``/``Article``/``BlogPosting``..., also inside ``@graph``). Parsing a whole
  page with BeautifulSoup costs ~28 ms, more than the whole budget, so it is given the
  ``<head>`` plus the page's JSON-LD ``<script>`` blocks only (~3 ms).
* **htmldate** finds the publication date when no metadata date is shown on the page
  (original date, not the last-modified one).

Publication date (:func:`choose_published`): the metadata dates (JSON-LD, ``<meta>``,
``itemprop=datePublished`` in the body) and htmldate's are candidates; the first one whose
day is written in the page's visible text wins, since sites' metadata often disagrees with
the date they show; a shown last-modified date comes next (pages that show only "updated
on ..."). On the trafilatura evaluation pages this scores 0.876 (htmldate alone 0.865,
metadata first 0.856). ``published`` is the publisher's local date: a time zone offset is
dropped without converting to UTC (which would move late/early stories to the adjacent day).

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

import datetime as dt
import email.utils
import json
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import trafilatura
from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning
from lxml import etree
from lxml.html import HtmlElement

from ..errors import InputError
from ..model import Article, stable_id
from .text import clean_line, decode_bytes

#: Pages bigger than this (bytes, after gunzip) are cut to this size before parsing.
MAX_BYTES = 5_000_000
#: Decoded pages longer than this (characters) lose scripts and styles, then are cut here.
MAX_PARSE_CHARS = 1_500_000
#: Fewer words than this in paragraphs of prose: not an article (index page, 404, stub).
MIN_WORDS = 30
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
_BYLINE_PREFIX = re.compile(r"^\s*(?:by|von|par|de|di|por|door|av|af)\s*:?\s+", re.I)
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\bși\b|\bsi\b|\by\b|\be\b|\bi\b)\s*", re.I)
_DATE_ONLY = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
_DATE_PREFIX = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DOTTED_DATE = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")
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
    #: publication dates the metadata states, most trusted first (JSON-LD, then ``<meta>``)
    published_candidates: list[dt.date | dt.datetime] = field(default_factory=list)


def read(data: bytes, path: str) -> Iterator[Article]:
    """Read one HTML page (its bytes) as one article.

    Raises :class:`InputError` when the page holds no article (index page, 404, empty).
    """
    yield extract_article(data, path)


def extract_article(data: bytes, path: str) -> Article:
    """The article of one page: main text as paragraphs plus its metadata."""
    if len(data) > MAX_BYTES:
        data = data[:MAX_BYTES]
    if not data.strip():
        raise InputError(path, "empty file")
    text = decode_html(data, path)
    if "<" not in text[:100_000]:
        raise InputError(path, "not an HTML page (no tags)")
    meta = extract_metadata(text)
    if len(text) > MAX_PARSE_CHARS:
        # huge page: drop scripts and styles, then cut, so that parsing stays fast
        text = _HEAD_NOISE.sub("", text)[:MAX_PARSE_CHARS]
    tree = trafilatura.load_html(text)
    if tree is None:
        raise InputError(path, "cannot parse the HTML")
    meta.h1 = _first_h1(tree)
    meta.published = choose_published(meta, tree)
    # C-level removal of what trafilatura would delete element by element anyway (~10 % faster)
    etree.strip_elements(tree, "script", "style", "svg", "iframe", "template", "noscript", with_tail=False)
    etree.strip_elements(tree, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    paragraphs = extract_paragraphs(tree, url=meta.url)
    counts = [count_words(p) for p in paragraphs]
    if sum(n for n in counts if n >= PROSE_LINE_WORDS) < MIN_WORDS:
        # fast mode found (almost) nothing: one more try with trafilatura's full cascade
        # (readability and jusText fallbacks), on a fresh tree since the first pass pruned it
        retry_tree = trafilatura.load_html(text)
        if retry_tree is not None:
            retry = extract_paragraphs(retry_tree, url=meta.url, fast=False)
            if sum(map(count_words, retry)) > sum(counts):
                paragraphs, counts = retry, [count_words(p) for p in retry]
    words = sum(counts)
    prose = sum(n for n in counts if n >= PROSE_LINE_WORDS)
    title = choose_title(meta, paragraphs)
    if words < 150 and any(_NOT_FOUND.search(t or "") for t in (title, meta.page_title)):
        raise InputError(path, "page not found (404 page), no article")
    if prose < MIN_WORDS and words < MIN_LIST_WORDS:
        reason = "no article text found (index page or 404?)"
        if words >= MIN_WORDS:
            reason += f": only short lines ({words} words in {len(counts)} lines, none a paragraph)"
        raise InputError(path, reason)
    if title and paragraphs and clean_line(paragraphs[0]) == title:
        paragraphs = paragraphs[1:] or paragraphs
    return Article(
        id=stable_id(path),
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
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            return data[: exc.start].decode("utf-8")  # cut inside the last character
    if _mostly_utf8(data):
        return data.decode("utf-8", errors="replace")
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


def _mostly_utf8(data: bytes) -> bool:
    """True when the non-ASCII bytes are valid UTF-8 sequences but for a few bad ones."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 127) - bad
    return good >= 3 and bad <= max(2, good // 50)


# --------------------------------------------------------------------------- metadata


def extract_metadata(html: str) -> PageMeta:
    """Metadata of a page: ``<head>`` tags and JSON-LD, read with BeautifulSoup."""
    end = _HEAD_END_STR.search(html, 0, 1_000_000)
    head = html[: end.start()] if end else html[:200_000]
    scripts = _LD_JSON.findall(html) if "ld+json" in html else []
    head = _HEAD_NOISE.sub("", head)  # other scripts and styles only slow BeautifulSoup down
    # only the tags read below: BeautifulSoup's cost grows with every tag it is given
    head = "".join(_HEAD_TAGS.findall(head))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(head + "</head><body>" + "".join(scripts) + "</body>", "lxml")

    metas: dict[str, list[str]] = {}
    for tag in soup.find_all("meta"):
        key = tag.get("property") or tag.get("name") or tag.get("itemprop") or tag.get("http-equiv")
        value = tag.get("content")
        if isinstance(key, list):
            key = key[0] if key else None
        if key and isinstance(value, str) and value.strip():
            metas.setdefault(key.strip().lower(), []).append(value.strip())

    ld = _json_ld_article(soup)
    meta = PageMeta()
    meta.page_title = clean_line(soup.title.get_text()) if soup.title else None

    meta.title = _clean_text(ld.get("headline") or ld.get("name")) or _first(metas, _META_TITLE)
    candidates = [_parse_date(ld.get("datePublished")), _parse_date(ld.get("dateCreated"))]
    candidates.append(next((d for key in _META_PUBLISHED for v in metas.get(key, []) if (d := _parse_date(v))), None))
    for time_tag in soup.find_all("time"):
        if time_tag.has_attr("pubdate") or time_tag.get("itemprop") == "datePublished":
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
    for link in soup.find_all("link"):
        rel = link.get("rel") or []
        rels = [rel] if isinstance(rel, str) else rel
        href = link.get("href")
        if "canonical" in [r.lower() for r in rels] and isinstance(href, str) and href.startswith("http"):
            canonical = href.strip()
            break
    ld_url = ld.get("url") if isinstance(ld.get("url"), str) else None
    meta.url = canonical or _first(metas, _META_URL) or (ld_url if ld_url and ld_url.startswith("http") else None)

    html_tag = soup.find("html")
    lang = html_tag.get("lang") or html_tag.get("xml:lang") if html_tag else None
    if not isinstance(lang, str) or not lang.strip():
        lang = _first(metas, _META_LANGUAGE)
    if not lang and isinstance(ld.get("inLanguage"), str):
        lang = ld["inLanguage"]
    meta.language = _language(lang)
    return meta


def _json_ld_article(soup: BeautifulSoup) -> dict[str, Any]:
    """The JSON-LD object describing the article (a NewsArticle first), or ``{}``."""
    best: dict[str, Any] = {}
    best_rank = 99
    for script in soup.find_all("script"):
        raw = script.string or script.get_text()
        if not raw or not raw.strip():
            continue
        try:
            data = json.loads(raw.strip().rstrip(";"))
        except ValueError:
            continue
        for obj in _ld_objects(data):
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
    return best


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
        if 1 < len(part) <= 80 and any(ch.isalpha() for ch in part):
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


def _parse_date(value: Any) -> dt.date | dt.datetime | None:
    """A metadata date string → ``date`` (day only) or naive local ``datetime``; None if unreadable."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("@value")
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > 64:
        return None
    result: dt.date | dt.datetime | None = None
    match = _DATE_ONLY.match(value)
    if match:
        result = _safe_date(*map(int, match.groups()))
    else:
        try:
            result = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "T", 1))
        except ValueError:
            try:
                result = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError, IndexError):
                result = None
        if result is None:
            match = _DATE_PREFIX.search(value)
            if match:
                result = _safe_date(*map(int, match.groups()))
            else:
                match = _DOTTED_DATE.search(value)
                if match:
                    day, month, year = map(int, match.groups())
                    result = _safe_date(year, month, day)
    if isinstance(result, dt.datetime) and result.tzinfo is not None:
        # the publisher's local date and time: converting to UTC would move evening/morning
        # stories to the adjacent day, away from the date the page shows
        result = result.replace(tzinfo=None)
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
    """The publication date, preferring one the page shows to its readers.

    Candidates, in order: JSON-LD ``datePublished``/``dateCreated``, the first ``<meta>``
    publication date, ``itemprop=datePublished``/``<time pubdate>`` elements of the body,
    htmldate's original date. The first one written in the visible text (any common day
    format) wins; when none is, a visible last-modified date (metadata, else htmldate's
    newest date) — pages that show only "updated on" are dated by it; else htmldate's
    original date, else the first candidate.
    """
    body = tree.find("body")
    visible = " ".join((body if body is not None else tree).xpath(_VISIBLE_TEXT_XPATH))
    candidates = list(meta.published_candidates)
    for element in tree.xpath(_BODY_PUBLISHED_XPATH):
        if element.tag != "meta" and element.text_content().strip():
            candidates.append(_parse_date(element.get("content") or element.get("datetime")))
    candidates = _dedupe_dates(candidates)
    for candidate in candidates:
        if date_is_visible(candidate, visible):
            return candidate
    original = find_date(tree)
    if original is not None and original not in [_day(c) for c in candidates]:
        if date_is_visible(original, visible):
            return original
    if meta.modified is not None and date_is_visible(meta.modified, visible):
        return meta.modified
    newest = find_date(tree, original_date=False)
    if newest is not None and date_is_visible(newest, visible):
        return newest
    if original is not None:
        # keep a metadata time of day when it names the same day
        return next((c for c in candidates if _day(c) == original), original)
    return candidates[0] if candidates else None


_VISIBLE_TEXT_XPATH = ".//text()[not(parent::script or parent::style or parent::noscript or parent::template)]"
_BODY_PUBLISHED_XPATH = "//*[@itemprop='datePublished'][@content or @datetime] | //time[@pubdate][@datetime]"

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


def date_is_visible(value: dt.date | dt.datetime | None, text: str) -> bool:
    """True when ``text`` writes the day of ``value`` (5.3.2024, 2024-03-05, 03/05/2024,
    5 March 2024, March 5th, 2024, 5. März 2024, 5 de marzo de 2024, ...)."""
    if value is None:
        return False
    day = _day(value)
    y, m, d = str(day.year), day.month, day.day
    names = "|".join(sorted(set(_MONTH_NAMES[m].split()), key=len, reverse=True))
    year = rf"(?:{y}|{y[2:]})"
    pattern = "|".join(
        (
            rf"\b0?{d}\s*[./-]\s*0?{m}\s*[./-]\s*{year}\b",
            rf"\b{y}\s*[./-]\s*0?{m}\s*[./-]\s*0?{d}\b",
            rf"\b0?{m}\s*/\s*0?{d}\s*/\s*{year}\b",
            rf"\b0?{d}(?:st|nd|rd|th|er|º)?\.?\s*(?:de\s+)?(?:{names})\.?\w*\.?,?\s*(?:de\s+)?{y}\b",
            rf"\b(?:{names})\.?\w*\.?\s*0?{d}(?:st|nd|rd|th)?,?\s*{y}\b",
        )
    )
    return re.search(pattern, text, re.I) is not None


def find_date(tree: HtmlElement, original_date: bool = True) -> dt.date | None:
    """The publication date htmldate finds in the page (original one, else newest), or None.

    htmldate deep-copies the tree before cleaning it, so ``tree`` is left intact.
    """
    from htmldate import find_date as htmldate_find

    try:
        found = htmldate_find(tree, original_date=original_date, extensive_search=True, outputformat="%Y-%m-%d")
    except Exception:  # noqa: BLE001 - htmldate may fail on odd markup; a date is optional
        return None
    return _parse_date(found) if found else None  # type: ignore[return-value]


# --------------------------------------------------------------------------- text


def extract_paragraphs(tree: HtmlElement, url: str | None = None, fast: bool = True) -> list[str]:
    """Main-text paragraphs (sub-headings and list items as their own paragraphs).

    The tree is modified (trafilatura prunes it in place).
    """
    text = trafilatura.extract(
        tree,
        url=url,
        fast=fast,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        output_format="txt",
    )
    if not text:
        return []
    return [line for line in (clean_line(raw) for raw in text.split("\n")) if line]


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
