"""Typed search results: article and paragraph hits, snippets, facets, histograms, one
article's record. Plain data, no Whoosh.

Every class has ``to_dict()`` giving the JSON the CLI prints with ``--json``. Publication
dates are ISO strings of the publisher's local date (``2023-04-20``, or
``2023-04-20T23:30:00`` when the time is known; see :mod:`newssearch.timeparse`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any

from ..model import DateMention, Person

if TYPE_CHECKING:
    from .request import SearchRequest


@dataclass
class Snippet:
    """A paragraph (or a window of it) with the character spans of matched words."""

    text: str
    highlights: list[tuple[int, int]] = field(default_factory=list)
    paragraph: int = 0
    score: float = 0.0

    def marked(self, start: str = "**", end: str = "**") -> str:
        """The text with each highlight wrapped in ``start``/``end``."""
        out, last = [], 0
        for a, b in self.highlights:
            out.append(self.text[last:a])
            out.append(start + self.text[a:b] + end)
            last = b
        out.append(self.text[last:])
        return "".join(out)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "paragraph": self.paragraph,
            "text": self.text,
            "highlights": [list(h) for h in self.highlights],
            "marked": self.marked(),
        }


@dataclass
class OtherVersion:
    """Another copy of the same story: a near-duplicate of an article (the word 5-shingle
    Jaccard similarity of their bodies is 0.8 or more; see :mod:`newssearch.search.collapse`).

    Stable for front ends: ``id``, ``title``, ``source``, ``published`` (ISO, the publisher's
    local date), ``similarity`` (to the story's representative: its earliest published copy,
    1.0 for the representative itself) and ``representative``."""

    id: str
    title: str
    source: str | None = None
    published: str | None = None
    similarity: float = 1.0
    representative: bool = False

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        data = asdict(self)
        data["similarity"] = round(self.similarity, 3)
        return data


@dataclass
class ArticleHit:
    """One matching article, with its best paragraphs as snippets (``people``: the names of
    the people it names).

    ``other_versions``: in a collapsed search (the default), the other copies of the same
    story (:class:`OtherVersion`, representative first, then by date), whether they match
    or not; empty for an article without copies and in an uncollapsed search."""

    rank: int
    id: str
    title: str
    #: The BM25F score; None when the hits are sorted by date (their order is the date's).
    score: float | None
    published: str | None = None
    source: str | None = None
    url: str | None = None
    path: str | None = None
    authors: list[str] = field(default_factory=list)
    language: str | None = None
    people: list[str] = field(default_factory=list)
    snippets: list[Snippet] = field(default_factory=list)
    other_versions: list[OtherVersion] = field(default_factory=list)

    @property
    def snippet(self) -> Snippet | None:
        """The best matching paragraph."""
        return self.snippets[0] if self.snippets else None

    @property
    def origin(self) -> str | None:
        """Where the article came from: its URL, else its file."""
        return self.url or self.path

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with every stored field and the snippets."""
        data = asdict(self)
        data["score"] = round(self.score, 4) if self.score is not None else None
        data["snippet"] = self.snippet.to_dict() if self.snippet else None
        data["snippets"] = [s.to_dict() for s in self.snippets]
        data["other_versions"] = [v.to_dict() for v in self.other_versions]
        return data


#: The former name of :class:`ArticleHit` (kept for code written against it).
Hit = ArticleHit


@dataclass
class ParagraphHit:
    """One matching paragraph, with its article's id and title."""

    rank: int
    article_id: str
    title: str
    paragraph: int
    #: The BM25F score; None when sorted by date.
    score: float | None
    snippet: Snippet
    published: str | None = None
    source: str | None = None
    url: str | None = None
    path: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        data = asdict(self)
        data["score"] = round(self.score, 4) if self.score is not None else None
        data["snippet"] = self.snippet.to_dict()
        return data


@dataclass
class ArticleRecord:
    """Everything the index keeps about one article: its metadata, its paragraphs in order,
    the people it names (with their aliases and counts) and the dates it mentions."""

    id: str
    title: str
    published: str | None = None
    source: str | None = None
    url: str | None = None
    path: str | None = None
    authors: list[str] = field(default_factory=list)
    language: str | None = None
    people: list[Person] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    #: the other copies of the same story (near-duplicates; :class:`OtherVersion`)
    other_versions: list[OtherVersion] = field(default_factory=list)

    @property
    def origin(self) -> str | None:
        """Where the article came from: its URL, else its file."""
        return self.url or self.path

    @property
    def text(self) -> str:
        """The body: paragraphs separated by blank lines."""
        return "\n\n".join(self.paragraphs)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the ``show --json`` output)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["authors"] = list(self.authors)
        data["paragraphs"] = list(self.paragraphs)
        data["people"] = [p.to_dict() for p in self.people]
        data["dates"] = [d.to_dict() for d in self.dates]
        data["other_versions"] = [v.to_dict() for v in self.other_versions]
        return data


@dataclass
class FacetValue:
    """One value of a facet and how many matches have it."""

    value: str
    count: int
    label: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"value": self.value, "label": self.label or self.value, "count": self.count}


@dataclass
class FacetResult:
    """Counts of one facet over all matches: the top values, and how many values are left out."""

    name: str
    values: list[FacetValue]
    other_values: int = 0
    missing: int = 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "name": self.name,
            "values": [v.to_dict() for v in self.values],
            "other_values": self.other_values,
            "missing": self.missing,
        }


@dataclass
class Bucket:
    """One interval of a date histogram: its first day (ISO), a label, and the count."""

    start: str
    label: str
    count: int

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


@dataclass
class Histogram:
    """Matches per day/week/month/year of publication, empty buckets included.

    ``interval`` is the interval drawn; when it is coarser than the one asked for (too many
    buckets), ``requested`` names the one asked for and ``note`` says why."""

    interval: str
    buckets: list[Bucket]
    undated: int = 0
    requested: str | None = None
    note: str | None = None

    @property
    def total(self) -> int:
        """Sum of the bucket counts (dated matches)."""
        return sum(b.count for b in self.buckets)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        data: dict[str, Any] = {"interval": self.interval, "buckets": [b.to_dict() for b in self.buckets], "undated": self.undated}
        if self.note:
            data["requested"] = self.requested
            data["note"] = self.note
        return data


@dataclass
class SearchResult:
    """What a search returns: the total, one page of hits, and the facets asked for.

    ``total`` counts matching articles (or paragraphs); in a collapsed search ``stories``
    counts the matching articles once per story (copies of one story count once), and pages
    are pages of stories; it is None when the search is not collapsed."""

    query: str
    total: int
    page: int
    limit: int
    hits: list[ArticleHit] = field(default_factory=list)
    paragraphs: list[ParagraphHit] = field(default_factory=list)
    facets: dict[str, FacetResult] = field(default_factory=dict)
    histogram: Histogram | None = None
    suggestion: str | None = None
    level: str = "article"
    filters: dict[str, Any] = field(default_factory=dict)
    #: The request answered (None for results made otherwise, e.g. :meth:`Searcher.similar`).
    request: SearchRequest | None = field(default=None, repr=False, compare=False)
    stories: int | None = None

    @property
    def collapsed(self) -> bool:
        """True when copies of one story were collapsed into one hit."""
        return self.stories is not None

    @property
    def pages(self) -> int:
        """How many pages of ``limit`` hits (stories, when collapsed) there are."""
        count = self.total if self.stories is None else self.stories
        return max(1, -(-count // self.limit)) if self.limit else 1

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: query, total, hits (or paragraphs), facets, histogram."""
        data: dict[str, Any] = {
            "query": self.query,
            "level": str(self.level),
            "filters": self.filters,
            "total": self.total,
            "stories": self.stories,
            "page": self.page,
            "limit": self.limit,
            "pages": self.pages,
        }
        if self.level == "paragraph":
            data["paragraphs"] = [p.to_dict() for p in self.paragraphs]
        else:
            data["hits"] = [h.to_dict() for h in self.hits]
        data["facets"] = {name: f.to_dict() for name, f in self.facets.items()}
        data["histogram"] = self.histogram.to_dict() if self.histogram else None
        data["suggestion"] = self.suggestion
        return data


@dataclass
class Story:
    """A group of copies of one story (near-duplicates): every version, representative (the
    earliest published copy, ties the longest) first."""

    versions: list[OtherVersion]

    @property
    def representative(self) -> OtherVersion:
        """The story's earliest published copy."""
        return self.versions[0]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"representative": self.representative.id, "size": len(self.versions), "versions": [v.to_dict() for v in self.versions]}


@dataclass
class StoriesResult:
    """Groups of copies (``newssearch duplicates``): how many there are, and the first few,
    largest first."""

    query: str
    total: int
    articles: int
    stories: list[Story] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"query": self.query, "total": self.total, "articles": self.articles, "stories": [s.to_dict() for s in self.stories]}


@dataclass
class IndexStats:
    """What an index holds."""

    index_dir: str
    articles: int
    paragraphs: int
    sources: int
    people: int
    first_published: str | None
    last_published: str | None
    size_bytes: int
    updated: str | None
    schema_version: int | None
    #: Articles per language (ISO 639-1 code; ``"unknown"`` for none declared or detected), most first.
    languages: dict[str, int] = field(default_factory=dict)
    #: The languages of the index that have no people model (only names confirmed by the
    #: given-name and surname lists are found in them).
    no_people_model: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)
