"""The Whoosh documents of an article, and what they index, recomputed from stored fields.

Each article becomes one article document plus one document per paragraph (see
:func:`article_documents`); :mod:`newssearch.store.writer` writes them. The search layer
reads :func:`stored_facet_values` to count facets over a few articles from their stored
fields, without importing the writing machinery.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from ..enrich.people import person_key
from ..model import Article
from ..timeparse import as_datetime

#: Separates the path and the content digest in an article document's ``filekey``.
FILEKEY_SEP = "\x1f"


def _pub_year(published: dt.datetime) -> str:
    return f"{published.year:04d}"


def _pub_month(published: dt.datetime) -> str:
    return f"{published.year:04d}-{published.month:02d}"


def _date_terms(values: Iterable[str]) -> str:
    """Mentioned-date terms: each value plus its coarser prefixes (2022-02-24, 2022-02, 2022)."""
    terms: set[str] = set()
    for value in values:
        parts = value.split("-")
        for n in range(1, len(parts) + 1):
            terms.add("-".join(parts[:n]))
    return ",".join(sorted(terms))


def folder_terms(path: str) -> str:
    """The ``folder`` terms of a file's path: the name of each folder on it and the file's
    own name, comma-separated (``/news/bbc/sport/12.txt`` → ``news,bbc,sport,12.txt``), so
    ``path:sport`` finds the files under any folder named ``sport``."""
    parts = re.split(r"[/\\]+", path)
    names = []
    for part in parts:
        name = part.replace(",", " ").strip().encode("utf-8", "backslashreplace").decode("utf-8")
        if name and name not in names:
            names.append(name)
    return ",".join(names)


def article_documents(article: Article, digest: str) -> Iterator[dict[str, Any]]:
    """The Whoosh documents of one article: the article itself, then each paragraph."""
    published = as_datetime(article.published)  # (the publisher's local date and time)
    shared: dict[str, Any] = {
        "article_id": article.id,
        "path": article.path or "",
        "folder": folder_terms(article.path or ""),
    }
    filters: dict[str, Any] = {}
    if article.source:
        filters["source"] = article.source
    if article.language:
        filters["language"] = article.language
    if published is not None:
        filters["published"] = published
        filters["pub_year"] = _pub_year(published).encode("ascii")
        filters["pub_month"] = _pub_month(published).encode("ascii")
    article_keys = sorted({person_key(p.name) for p in article.people} - {""})
    doc: dict[str, Any] = {
        "kind": "article",
        "id": article.id,
        **shared,
        **filters,
        "filekey": f"{article.path}{FILEKEY_SEP}{digest}",
        "title": article.title,
        "body": article.text,
        "paragraphs": len(article.paragraphs),
        "people": [p.to_dict() for p in article.people],
        "person": ",".join(article_keys),
        "person_keys": _terms_value(article_keys),
        "mentioned": _date_terms(d.value for d in article.dates),
        "dates": [d.to_dict() for d in article.dates],
    }
    if article.url:
        doc["url"] = article.url
    if article.authors:
        doc["authors"] = ",".join(a.replace(",", " ") for a in article.authors)
        doc["_stored_authors"] = list(article.authors)
    yield {k: v for k, v in doc.items() if v not in ("", [])}
    by_paragraph: dict[int, list[str]] = {}
    for mention in article.dates:
        by_paragraph.setdefault(mention.paragraph, []).append(mention.value)
    for pos, text in enumerate(article.paragraphs):
        names = article.paragraph_people[pos] if pos < len(article.paragraph_people) else []
        para: dict[str, Any] = {
            "kind": "paragraph",
            **shared,
            **filters,
            "text": text,
            "pos": pos,
            "person": ",".join(sorted({person_key(n) for n in names} - {""})),
            "mentioned": _date_terms(by_paragraph.get(pos, [])),
        }
        yield {k: v for k, v in para.items() if v != ""}


#: Multi-valued fields whose terms each article document also has in a column (the column's
#: name; paragraph documents have none: their facets read the index-wide tables):
#: read by :func:`column_terms`, a few µs a document, where the stored fields cost a chunk's
#: decompression each (the people of 10,000 matches on 100k articles: 0.6 s).
TERMS_COLUMNS = {"person": "person_keys"}
#: Starts every value written to a terms column: a document without it (an empty value, as a
#: segment merged from one written before the column existed gives its documents) has its
#: terms read another way.
_RECORDED = b"="


def _terms_value(keys: Iterable[str]) -> bytes:
    """The ``person_keys`` column value of a document whose ``person`` field is
    ``",".join(keys)``: its terms as Whoosh indexes them (lowercased, each once, sorted)."""
    terms = sorted({key.strip().lower() for key in keys} - {""})
    return _RECORDED + ",".join(terms).encode("utf-8")


@lru_cache(maxsize=65536)
def column_terms(value: bytes) -> tuple[str, ...] | None:
    """A document's terms from its value in a terms column (:data:`TERMS_COLUMNS`), or None
    when the column does not record them (the document's segment was written without it)."""
    if not value.startswith(_RECORDED):
        return None
    text = value[len(_RECORDED):].decode("utf-8")
    return tuple(text.split(",")) if text else ()


#: The fields :func:`stored_facet_values` recomputes from an article's stored fields.
STORED_FACET_FIELDS = frozenset({"person", "mentioned", "source", "language", "published", "pub_year", "pub_month"})


def stored_facet_values(fieldname: str, stored: dict[str, Any]) -> Any:
    """What :func:`article_documents` indexes in ``fieldname`` for an article document,
    recomputed from the document's stored fields: a list of terms for the multi-valued
    ``person`` and ``mentioned``, one value (or None) for ``source``, ``language``,
    ``published``, ``pub_year`` and ``pub_month``. Raises KeyError for other fields.

    Lets a search count facets over a few articles without reading whole fields of the index.
    """
    if fieldname == "person":
        keys = {person_key(str(p.get("name", ""))) for p in stored.get("people") or ()} - {""}
        return sorted({k.lower() for k in keys})
    if fieldname == "mentioned":
        terms = _date_terms(str(d.get("value", "")) for d in stored.get("dates") or ())
        return [t for t in terms.split(",") if t]
    if fieldname in ("source", "language"):
        return stored.get(fieldname) or None
    if fieldname in ("published", "pub_year", "pub_month"):
        published = stored.get("published")
        if not isinstance(published, dt.datetime):
            return None
        if fieldname == "pub_year":
            return _pub_year(published)
        if fieldname == "pub_month":
            return _pub_month(published)
        return published
    raise KeyError(fieldname)
