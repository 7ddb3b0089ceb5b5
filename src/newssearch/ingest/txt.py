"""Plain-text articles (``.txt``).

Layout: an optional header block of ``Key: value`` lines (Title, Date, Source, URL,
Author, Language; keys case-insensitive) ended by a blank line, then paragraphs separated
by blank lines. Without a header the first line is the title when it looks like a
headline; otherwise the title is made from the first sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..errors import InputError
from ..model import Article, single_article_id
from .cleaning import clean_line, decode_bytes, first_sentence, split_paragraphs

#: Header keys and the Article field each fills.
HEADER_KEYS = {
    "title": "title",
    "headline": "title",
    "date": "published",
    "published": "published",
    "source": "source",
    "url": "url",
    "link": "url",
    "author": "authors",
    "authors": "authors",
    "by": "authors",
    "language": "language",
    "lang": "language",
}
_HEADER_LINE = re.compile(r"^\s*([A-Za-z][A-Za-z ]{0,20}?)\s*:\s*(.*)$")


def read(data: bytes, path: str) -> Iterator[Article]:
    """Read one ``.txt`` file (its bytes) as one article."""
    text = decode_bytes(data, path).replace("\r\n", "\n").replace("\r", "\n")
    header, body = _split_header(text)
    paragraphs = split_paragraphs(body)
    title = header.get("title") or ""
    if not title and paragraphs and _looks_like_headline(paragraphs[0]) and len(paragraphs) > 1:
        title = paragraphs.pop(0)
    if not paragraphs:
        if title:
            raise InputError(path, "no text after the title")
        raise InputError(path, "empty file" if not text.strip() else "no paragraphs of text")
    if not title:
        title = first_sentence(paragraphs[0])
    authors = _split_authors(header.get("authors", ""))
    yield Article(
        id=single_article_id(path),
        title=clean_line(title),
        paragraphs=paragraphs,
        source=header.get("source") or None,
        url=header.get("url") or None,
        authors=authors,
        language=(header.get("language") or None),
        path=path,
        published_text=header.get("published") or None,
    )


def _split_header(text: str) -> tuple[dict[str, str], str]:
    """The header block (when every line of the first block is a known ``Key: value``)."""
    stripped = text.lstrip("\n")
    block, sep, rest = stripped.partition("\n\n")
    lines = [line for line in block.split("\n") if line.strip()]
    if not lines:
        return {}, text
    header: dict[str, str] = {}
    for line in lines:
        match = _HEADER_LINE.match(line)
        if not match or match.group(1).strip().lower() not in HEADER_KEYS:
            return {}, text
        field = HEADER_KEYS[match.group(1).strip().lower()]
        value = clean_line(match.group(2))
        if field == "authors" and header.get("authors"):
            value = header["authors"] + "; " + value
        header[field] = value
    return header, rest if sep else ""


def _looks_like_headline(line: str) -> bool:
    """A short line without sentence-final punctuation, like a headline."""
    words = line.split()
    if not 2 <= len(words) <= 20 or len(line) > 160:
        return False
    if line.endswith((".", ",", ";", ":")) and not line.endswith("..."):
        return False
    return line[0].isupper() or line[0].isdigit() or line[0] in "\"“‘'"


def _split_authors(value: str) -> list[str]:
    parts = re.split(r"\s*(?:;|,|\band\b|&)\s*", value)
    return [p for p in (clean_line(x) for x in parts) if p]
