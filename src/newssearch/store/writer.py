"""Writing articles into the index: add, replace and remove them by source file.

Each article becomes one article document plus one document per paragraph, all carrying the
article's ``path`` and ``article_id``: replacing or removing a file's articles is one
``delete_by_term("path", ...)`` followed by adding the new documents, so no paragraph is
ever orphaned or duplicated. Whoosh commits are atomic: after a crash the index holds what
the last commit held, and the next run redoes the rest.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Iterator
from typing import Any

from whoosh.index import LockError
from whoosh.writing import IndexWriter

from ..enrich.people import PeopleRegistry, person_key
from ..errors import IndexLockedError
from ..model import Article, Person
from .index import create_index, index_exists, open_index, read_meta, write_meta, now_iso
from .schema import SCHEMA_VERSION

_SEP = "\x1f"


def _as_datetime(value: dt.date | dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value
    return dt.datetime(value.year, value.month, value.day)


def _date_terms(values: Iterable[str]) -> str:
    """Mentioned-date terms: each value plus its coarser prefixes (2022-02-24, 2022-02, 2022)."""
    terms: set[str] = set()
    for value in values:
        parts = value.split("-")
        for n in range(1, len(parts) + 1):
            terms.add("-".join(parts[:n]))
    return ",".join(sorted(terms))


def article_documents(article: Article, digest: str) -> Iterator[dict[str, Any]]:
    """The Whoosh documents of one article: the article itself, then each paragraph."""
    published = _as_datetime(article.published)
    shared: dict[str, Any] = {
        "article_id": article.id,
        "path": article.path or "",
    }
    filters: dict[str, Any] = {}
    if article.source:
        filters["source"] = article.source
    if article.language:
        filters["language"] = article.language
    if published is not None:
        filters["published"] = published
        filters["pub_year"] = f"{published.year:04d}"
        filters["pub_month"] = f"{published.year:04d}-{published.month:02d}"
    article_keys = sorted({person_key(p.name) for p in article.people} - {""})
    doc: dict[str, Any] = {
        "kind": "article",
        "id": article.id,
        **shared,
        **filters,
        "filekey": f"{article.path}{_SEP}{digest}",
        "title": article.title,
        "body": article.text,
        "_stored_body": None,
        "spell": article.title + "\n" + article.text,
        "paragraphs": len(article.paragraphs),
        "people": [p.to_dict() for p in article.people],
        "person": ",".join(article_keys),
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
            "id": f"{article.id}#{pos}",
            **shared,
            **filters,
            "body": text,
            "pos": pos,
            "person": ",".join(sorted({person_key(n) for n in names} - {""})),
            "mentioned": _date_terms(by_paragraph.get(pos, [])),
        }
        yield {k: v for k, v in para.items() if v != ""}


class IndexStore:
    """One writing session on an index folder: create or open it, take its lock, write, commit.

    ``wait`` is how many seconds to wait for another process's lock before giving up with
    :class:`IndexLockedError`. ``procs > 1`` uses Whoosh's multi-process, multi-segment writer.
    """

    def __init__(self, index_dir: str, rebuild: bool = False, wait: float = 0.0, procs: int = 1) -> None:
        self.index_dir = index_dir
        self.procs = procs
        if rebuild or not index_exists(index_dir):
            self._lock_probe(wait)
            self.ix = create_index(index_dir)
        else:
            self.ix = open_index(index_dir)
        self.writer: IndexWriter = self._open_writer(wait)
        self.created = rebuild
        self.changed = False

    def _lock_probe(self, wait: float) -> None:
        """Before (re)creating an index, make sure nobody holds the lock of an existing one."""
        if not index_exists(self.index_dir):
            return
        ix = open_index(self.index_dir)
        writer = self._writer_with_wait(ix, wait, procs=1)
        writer.cancel()

    def _open_writer(self, wait: float) -> IndexWriter:
        return self._writer_with_wait(self.ix, wait, self.procs)

    def _writer_with_wait(self, ix: Any, wait: float, procs: int) -> IndexWriter:
        deadline = time.monotonic() + max(wait, 0.0)
        kwargs: dict[str, Any] = {}
        if procs > 1:
            kwargs = {"procs": procs, "multisegment": True, "limitmb": 128}
        while True:
            try:
                return ix.writer(**kwargs)
            except LockError:
                if time.monotonic() >= deadline:
                    raise IndexLockedError(
                        f"the index at {self.index_dir} is being updated by another process",
                        hint="wait for it to finish, or pass --wait SECONDS to wait for it",
                    ) from None
                time.sleep(0.2)

    def known_files(self) -> dict[str, tuple[str, int]]:
        """Indexed files: path → (content digest, number of articles from it)."""
        known: dict[str, tuple[str, int]] = {}
        with self.ix.reader() as reader:
            if "filekey" not in reader.indexed_field_names():
                return known
            for term in reader.lexicon("filekey"):
                text = term.decode("utf-8")
                path, _, digest = text.rpartition(_SEP)
                known[path] = (digest, reader.doc_frequency("filekey", text))
        return known

    def article_ids(self, path: str) -> set[str]:
        """Ids of the articles indexed from ``path``."""
        with self.ix.searcher() as searcher:
            return {fields["id"] for fields in searcher.documents(path=path, kind="article")}

    def add(self, article: Article, digest: str) -> None:
        """Add one article with its paragraphs (the caller removed any older version first)."""
        for doc in article_documents(article, digest):
            self.writer.add_document(**doc)
        self.changed = True

    def remove_file(self, path: str) -> None:
        """Remove every article (and paragraph) indexed from ``path``."""
        self.writer.delete_by_term("path", path)
        self.changed = True

    def commit(self, final: bool = True) -> None:
        """Make the writes durable and visible; refresh the people registry and metadata."""
        if not self.changed and not self.created:
            self.writer.cancel()
            return
        self.writer.commit()
        self._refresh_meta()
        if not final:
            self.writer = self._open_writer(0)
            self.changed = False
            self.created = False

    def cancel(self) -> None:
        """Drop uncommitted writes and release the lock."""
        try:
            self.writer.cancel()
        except Exception:  # noqa: BLE001 - cancelling a broken writer must not mask the first error
            pass

    def _refresh_meta(self) -> None:
        self.ix = open_index(self.index_dir)
        meta = read_meta(self.index_dir)
        meta.update(
            schema_version=SCHEMA_VERSION,
            updated=now_iso(),
            generation=self.ix.latest_generation(),
            people=build_registry(self.ix).to_dict(),
        )
        write_meta(self.index_dir, meta)


def build_registry(ix: Any) -> PeopleRegistry:
    """The corpus-wide people registry, rebuilt from the articles' stored people."""
    registry = PeopleRegistry()
    with ix.searcher() as searcher:
        for fields in searcher.documents(kind="article"):
            for item in fields.get("people") or ():
                registry.add(Person(name=item["name"], aliases=list(item.get("aliases", [])), mentions=item.get("mentions", 1)))
    return registry


def load_registry(index_dir: str, ix: Any) -> PeopleRegistry:
    """The people registry of an index: from the metadata file, rebuilt if stale or missing."""
    meta = read_meta(index_dir)
    data = meta.get("people")
    if data is not None and meta.get("generation") == ix.latest_generation():
        return PeopleRegistry.from_dict(data)
    return build_registry(ix)

