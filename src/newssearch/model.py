"""The data every stage passes along: articles, the people and dates found in them.

Readers (``newssearch.ingest``) build :class:`Article` objects with the fields a file
states about itself; enrichment (``newssearch.enrich``) fills ``people``,
``paragraph_people`` and ``dates``; the store writes them; the searcher returns them.
Nothing here knows about files on disk or about Whoosh.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Granularity = Literal["day", "month", "year"]


@dataclass
class Person:
    """One person named in an article.

    ``name`` is the canonical spelling (the fullest form seen), ``aliases`` the other
    spellings under which the same person was mentioned, ``mentions`` how often;
    ``person_cues`` and ``thing_cues`` how many mentions stand in a person's context
    ("Blair said", "Mr Blair") or a thing's ("the Chelsea manager", "an Oscar"): the
    corpus-wide registry uses them to tell people from teams, firms and holidays.
    """

    name: str
    aliases: list[str] = field(default_factory=list)
    mentions: int = 1
    person_cues: int = 0
    thing_cues: int = 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


@dataclass
class DateMention:
    """A date mentioned in the text, normalised to ISO form at its granularity.

    ``value`` is ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``; ``text`` is the words it was
    read from ("last September"); ``paragraph`` the index of the paragraph it is in.
    """

    value: str
    granularity: Granularity
    text: str
    paragraph: int = 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


@dataclass
class Article:
    """A news article as read from one file (or one record of a JSON/JSONL file).

    ``id`` is stable across runs: given by the file (JSON ``id``) or derived from the
    path and position. ``published`` is a date or a naive UTC datetime, or ``None`` when
    unknown (never the file's modification time).
    """

    id: str
    title: str
    paragraphs: list[str]
    source: str | None = None
    url: str | None = None
    published: dt.date | dt.datetime | None = None
    modified: dt.date | dt.datetime | None = None
    authors: list[str] = field(default_factory=list)
    language: str | None = None
    path: str | None = None
    #: The publication date as the file wrote it, when the reader could not parse it
    #: itself; enrichment turns it into ``published``.
    published_text: str | None = None
    people: list[Person] = field(default_factory=list)
    paragraph_people: list[list[str]] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    #: The line of its record in a many-article file that has lines (JSONL, CSV), when known.
    line: int | None = None

    @property
    def text(self) -> str:
        """The body: paragraphs separated by blank lines."""
        return "\n\n".join(self.paragraphs)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (dates as ISO strings)."""
        return {
            "id": self.id,
            "path": self.path,
            "title": self.title,
            "published": _iso(self.published),
            "modified": _iso(self.modified),
            "source": self.source,
            "url": self.url,
            "authors": list(self.authors),
            "language": self.language,
            "paragraphs": list(self.paragraphs),
            "people": [p.to_dict() for p in self.people],
            "paragraph_people": [list(p) for p in self.paragraph_people],
            "dates": [d.to_dict() for d in self.dates],
        }


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    return value.isoformat()


def stable_id(*parts: str) -> str:
    """A short id that depends only on ``parts`` (e.g. a relative path and a record number)."""
    # surrogatepass: a lone surrogate (a JSON "\\udc80" escape) must not make the id fail
    digest = hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"), digest_size=8)
    return digest.hexdigest()


def single_article_id(path: str) -> str:
    """The id of the article of a one-article file (``.txt``, ``.html``): derived from its path."""
    return stable_id(path)
