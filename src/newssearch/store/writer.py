"""Writing articles into the index: add, replace and remove them by source file.

Each article becomes one article document plus one document per paragraph, all carrying the
article's ``path`` and ``article_id``: replacing or removing a file's articles is one
``delete_by_term("path", ...)`` followed by adding the new documents, so no paragraph is
ever orphaned or duplicated. Whoosh commits are atomic: after a crash the index holds what
the last commit held, and the next run redoes the rest.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from whoosh import query as wq
from whoosh.writing import CLEAR, MERGE_SMALL, IndexWriter, PostingPool, SegmentWriter

from ..enrich.duplicates import fingerprint, signature_to_bytes
from ..enrich.people import PeopleRegistry
from ..errors import IndexDamagedError, IndexLockedError, IndexVersionError
from ..model import Article
from ..timeparse import as_datetime
from . import vocabulary
from .codec import new_codec
from .documents import FILEKEY_SEP, article_documents
from .duplicates import DuplicateKeeper
from .failures import damaged, guarded, storage_error, translate
from .index import (
    create_index,
    has_segment_files,
    index_exists,
    move_aside,
    move_back,
    now_iso,
    open_index,
    own_files_problem,
    read_meta,
    remove_index,
    remove_uncommitted,
    write_lock,
    write_meta,
)
from .registry import load_registry, stored_person
from .schema import (
    SCHEMA_VERSION,
    PreAnalyzed,
    build_schema,
    exact_counts,
    exact_postings,
    pre_analyze,
    pre_analyze_paragraphs,
    pre_analyze_text,
)
from .trust import check_trust


@dataclass
class PreparedArticle:
    """An article turned into index documents, text already analysed: ready to be written.

    Made by :func:`prepare`, which needs no index and can run in a worker process.
    """

    id: str
    path: str
    documents: list[dict[str, Any]]
    words: Counter[str]
    people: list[dict[str, Any]]
    #: near-duplicate signature (:func:`~newssearch.enrich.duplicates.signature_to_bytes`;
    #: None for a body without words), publication date, length in words and shingle
    #: hashes: what the index's groups need (:mod:`.duplicates`)
    signature: bytes | None = None
    published: dt.datetime | None = None
    length: int = 0
    shingles: Any = None

    def written(self) -> PreparedArticle:
        """This article without its documents: what the writing session still needs once a
        :class:`SegmentBuilder` has written them (ids, vocabulary, people, signature)."""
        return dataclasses.replace(self, documents=[])


_schema: Any = None
#: Fields whose value every document of an article shares (see :class:`~.schema.IdField`).
_SHARED_FIELDS = ("kind", "article_id", "path", "folder", "source", "language", "published")


def prepare(article: Article, digest: str) -> PreparedArticle:
    """Build the article's documents with title and body analysed now (see ``PreAnalyzed``).

    Each paragraph is analysed once; the article's body postings (title first, then the
    paragraphs) are merged from them.
    """
    global _schema
    if _schema is None:
        _schema = build_schema()
    words: Counter[str] = Counter()
    language = article.language
    body, parts = pre_analyze_paragraphs(_schema["body"], [article.title, *article.paragraphs], words, language)
    parts = parts[1:]
    exact = [exact_counts(text) for text in article.paragraphs]
    whole = exact_counts(article.title)
    for counts in exact:
        whole.update(counts)
    docs = []
    shared: dict[tuple[str, Any], PreAnalyzed] = {}
    for doc in article_documents(article, digest):
        kind = doc["kind"]
        for name in _SHARED_FIELDS:  # the same value in every document of the article: analysed once
            value = doc.get(name)
            if value is not None:
                key = (name, value)
                if key not in shared:
                    shared[key] = pre_analyze(_schema[name], value)
                doc[f"_stored_{name}"] = value
                doc[name] = shared[key]
        if kind == "article":
            doc["_stored_title"] = doc["title"]
            doc["title"] = pre_analyze_text(_schema["title"], doc["title"], language)
            doc["body"] = body
            doc["exact"] = exact_postings(whole)
        else:
            doc["_stored_text"] = doc["text"]
            doc["text"] = parts[doc["pos"]]
            doc["exact_text"] = exact_postings(exact[doc["pos"]])
        docs.append(doc)
    found = fingerprint(article)
    return PreparedArticle(
        id=article.id, path=article.path or "", documents=docs, words=words, people=docs[0].get("people", []),
        signature=signature_to_bytes(found.signature) if found.signature is not None else None,
        published=as_datetime(article.published), length=found.words, shingles=found.shingles,
    )


class _LeanPool(PostingPool):
    """Whoosh's posting pool without its per-posting type assertions and field-name set
    (read only by ``MpWriter``, which newssearch does not use): ``add`` runs once per
    posting, millions of times per run.

    Depends on the pinned Whoosh range (see :mod:`.compat`): the pool's ``add`` contract
    and its ``currentsize``, ``limit``, ``current`` and ``save`` (``tests/test_compat.py``).
    """

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        # the same size estimate as Whoosh's, in one expression
        self.currentsize += 150 + len(item[0]) + 2 * len(item[1]) + len(item[4] or b"")
        if self.currentsize > self.limit:
            self.save()
        self.current.append(item)


class FastSegmentWriter(SegmentWriter):
    """Whoosh's segment writer, writing with newssearch's codec (:mod:`.codec`, which also
    writes a segment's postings a whole term at a time and reads field lengths once per
    field) and a leaner posting pool (:class:`_LeanPool`)."""

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        kwargs.setdefault("codec", new_codec())
        super().__init__(ix, **kwargs)
        pool = self.pool
        self.pool = _LeanPool(pool.tempstore, pool.segment, limitmb=1)
        self.pool.limit = pool.limit


def pool_budget_mb(processes: int = 1) -> int:
    """Memory (MiB) each of ``processes`` writing processes may give to its posting pool:
    up to 512, at most a quarter of the machine's memory shared among them.

    Whoosh's pool spills sorted runs to disk once it exceeds its limit and merges them back
    at the end, which costs about 40 % of the writing time; a pool that fits in memory (and
    a new segment instead of a spill, see :class:`SegmentBuilder`) avoids that.
    """
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    except (AttributeError, OSError, ValueError):
        total = 4096
    return max(64, min(512, total // (4 * max(processes, 1))))


class SegmentBuilder:
    """Writes prepared articles into new index segments of its own, in any process.

    Made for worker processes: each worker reads, enriches and writes its share of the files
    into its own segments, so the writing (Whoosh's posting pool and the segment's final
    write) runs on every core, and no document crosses a process boundary. When the posting
    pool reaches ``limitmb``, the segment is closed and a new one begun (instead of spilling
    the pool to disk). Segments are invisible until :meth:`finish` returns them and the
    writing session's :meth:`IndexStore.commit` adds them to the index (while that session
    commits, no builder may be writing: a commit deletes segment files it does not know).

    Finishing a segment without committing it is what Whoosh's own ``MpWriter`` does with its
    sub-writers, through ``SegmentWriter`` internals (``_finalize_segment``,
    ``_close_segment``, ``_added``): they hold for the Whoosh range :mod:`.compat` checks,
    and ``tests/test_compat.py`` fails, naming them, if one disappears.
    """

    def __init__(self, index_dir: str, limitmb: float | None = None) -> None:
        self.index_dir = index_dir
        self.limitmb = limitmb or pool_budget_mb()
        self._writer: FastSegmentWriter | None = None
        self._segments: list[Any] = []

    @guarded
    def add(self, prepared: PreparedArticle) -> None:
        """Write one prepared article (and its paragraphs) into this builder's segment."""
        if self._writer is None:
            # the pool's own limit is above ours: we start a new segment before it spills
            self._writer = FastSegmentWriter(open_index(self.index_dir, check=False), _lk=False, limitmb=max(1, int(2 * self.limitmb)))
        add_document = self._writer.add_document
        for doc in prepared.documents:
            add_document(**doc)
        if self._writer.pool.currentsize >= self.limitmb * 2**20:
            self._close()

    def _close(self) -> None:
        writer, self._writer = self._writer, None
        if writer is None:
            return
        if not writer._added:  # noqa: SLF001 - Whoosh's writer has no public "is empty"
            writer._close_segment()  # noqa: SLF001
        else:
            self._segments.append(writer._finalize_segment())  # noqa: SLF001 - as MpWriter's sub-writers do

    @guarded
    def finish(self) -> list[Any]:
        """Close the current segment; return every segment written since the last call
        (picklable Whoosh segments). The next :meth:`add` starts a new segment."""
        self._close()
        segments, self._segments = self._segments, []
        return segments

    def cancel(self) -> None:
        """Drop what was written since the last :meth:`finish` (its files are deleted by the
        writing session's :meth:`IndexStore.cancel`, or its next commit)."""
        writer, self._writer = self._writer, None
        self._segments = []
        if writer is not None:
            try:
                writer._close_segment()  # noqa: SLF001
            except OSError:
                pass


class IndexStore:
    """One writing session on an index folder: lock it, write, commit, unlock.

    The session holds the index's write lock from start to end (through intermediate
    commits), so no other writer slips in between. ``wait`` is how many seconds to wait for
    another process's lock before :class:`IndexLockedError`. ``rebuild=True`` replaces the
    whole content at the first commit (the old index stays intact until then).
    Articles are written by :meth:`add`, or by :class:`SegmentBuilder` s elsewhere: then
    :meth:`record` them here and pass the builders' segments to :meth:`commit`.
    ``on_wait(seconds)`` is called once if the lock is busy and the session starts waiting.
    """

    def __init__(self, index_dir: str, rebuild: bool = False, wait: float = 0.0, on_wait: Callable[[float], None] | None = None) -> None:
        self.index_dir = index_dir
        self._on_wait = on_wait
        self._lock: Any = None
        self.writer: IndexWriter | None = None
        #: Where ``rebuild`` moved a damaged index (None when it did not).
        self.moved_aside: str | None = None
        self._committed: Any = None  # see _searcher
        self._made: str | None = None  # "folder" or "index" this session created, until its first commit
        try:
            with translate(index_dir, "opening"):
                fresh = self._open(rebuild, wait)
                self._clear = rebuild and not fresh
                self.changed = fresh
                self.words: Counter[str] = Counter() if rebuild else Counter(vocabulary.load(index_dir))
                self.registry = PeopleRegistry() if rebuild else load_registry(index_dir, self.ix)
                #: the near-duplicate groups (loaded on first use)
                self.duplicates = DuplicateKeeper(index_dir, self._searcher, lambda: int(self.ix.latest_generation()), fresh or rebuild)
        except BaseException:
            self._release()
            raise

    def _open(self, rebuild: bool, wait: float) -> bool:
        """Lock the index and open it (or create it); True when it is new.

        Without ``rebuild``, a damaged index or one of another schema version is an error.
        With it, an index of another version is replaced in place and a damaged one moved
        aside (:func:`~.index.move_aside`). What an earlier run left uncommitted is removed."""
        index_dir = self.index_dir
        check_trust(index_dir)  # (before anything in the folder is read)
        if index_exists(index_dir) or has_segment_files(index_dir):
            problem: Exception | None = None
            try:
                self._acquire(wait)
            except OSError as exc:
                problem = storage_error(exc, index_dir)
                if not rebuild or not isinstance(problem, IndexDamagedError):
                    raise problem from exc
                # (a broken lock file: the folder is moved aside below)
            if problem is None:
                try:
                    self.ix = open_index(index_dir)
                    wrong = own_files_problem(index_dir)
                    if wrong:
                        raise damaged(index_dir, wrong)
                except (IndexDamagedError, IndexVersionError) as exc:
                    if not rebuild:
                        raise
                    problem = exc
            if problem is None:
                remove_uncommitted(index_dir)
                return False
            if isinstance(problem, IndexDamagedError):
                self.moved_aside = move_aside(index_dir)
                self._release()
        self._made = "index" if os.path.isdir(index_dir) else "folder"
        self.ix = create_index(index_dir)
        if self._lock is None:
            self._acquire(wait)
        return True

    def _acquire(self, wait: float) -> None:
        lock = write_lock(self.index_dir)
        deadline = time.monotonic() + max(wait, 0.0)
        told = False
        while not lock.acquire():
            if not told and wait > 0 and self._on_wait is not None:
                self._on_wait(wait)
                told = True
            if time.monotonic() >= deadline:
                raise IndexLockedError(
                    f"the index at {self.index_dir} is being updated by another process",
                    hint="wait for it to finish, or pass --wait SECONDS to wait for it",
                )
            time.sleep(0.2)
        self._lock = lock

    def _writer(self) -> IndexWriter:
        if self.writer is None:
            self.writer = FastSegmentWriter(self.ix, _lk=False, limitmb=pool_budget_mb())
        return self.writer

    def _searcher(self) -> Any:
        """A searcher over the index as last committed, opened once per commit (opening one
        costs 0.1-0.5 s on a large index). Its document numbers are the writer's: this session
        holds the lock, so both see the same segments until the next commit."""
        if self._committed is None:
            self._committed = self.ix.searcher()
        return self._committed

    def _forget_searcher(self) -> None:
        searcher, self._committed = self._committed, None
        if searcher is not None:
            searcher.close()

    @guarded
    def known_files(self) -> dict[str, tuple[str, int]]:
        """What the index holds, file by file: path → (content digest, number of articles).

        Derived from live article documents only, so it is exact after any sequence of runs:
        Whoosh keeps a deleted document's terms (``filekey``) in its segment until a merge, so
        a term's document frequency counts deleted documents too. Here a segment's term counts
        as is only when no deleted document lies between its first and last posting (always, in
        a segment without deletions); otherwise its live postings are counted. A file whose
        live articles carry two digests (never written so; a damaged state) gets digest "", so
        the next run reads it again.
        """
        if self._clear:
            return {}
        digests: dict[str, dict[str, int]] = {}
        for leaf, _ in self._searcher().reader().leaf_readers():
            if "filekey" not in leaf.schema:
                continue
            deleted = sorted(leaf.deleted_docs_set) if leaf.has_deletions() else []
            for term, info in leaf.iter_field("filekey"):
                count = info.doc_frequency()
                if deleted:
                    first = bisect.bisect_left(deleted, info.min_id())
                    if first < len(deleted) and deleted[first] <= info.max_id():
                        count = sum(1 for _ in leaf.postings("filekey", term).all_ids())
                if count:
                    path, _, digest = term.decode("utf-8").rpartition(FILEKEY_SEP)
                    found = digests.setdefault(path, {})
                    found[digest] = found.get(digest, 0) + count
        return {path: (next(iter(found)) if len(found) == 1 else "", sum(found.values())) for path, found in digests.items()}

    def ids_of(self, path: str) -> set[str]:
        """The ids of the articles indexed from ``path`` (as last committed)."""
        if self._clear:
            return set()
        searcher = self._searcher()
        query = wq.And([wq.Term("path", path), wq.Term("kind", "article")])
        return {searcher.stored_fields(docnum)["id"] for docnum in searcher.docs_for_query(query)}

    def paths_of(self, article_id: str) -> set[str]:
        """The files that articles with this id are indexed from (as last committed; one
        file, or none, when ids are unique)."""
        if self._clear:
            return set()
        searcher = self._searcher()
        return {searcher.stored_fields(docnum)["path"] for docnum in searcher.document_numbers(id=article_id)}

    def ids_starting(self, prefix: str) -> dict[str, str]:
        """Indexed article ids that start with ``prefix`` → the file each is from (as last
        committed)."""
        if self._clear or not prefix:
            return {}
        searcher = self._searcher()
        found: dict[str, str] = {}
        for docnum in searcher.docs_for_query(wq.Prefix("id", prefix)):
            fields = searcher.stored_fields(docnum)
            found[fields["id"]] = fields["path"]
        return found

    @guarded
    def add(self, article: PreparedArticle | Article, digest: str = "") -> None:
        """Add one article with its paragraphs (the caller removed any older version first)."""
        prepared = article if isinstance(article, PreparedArticle) else prepare(article, digest)
        add_document = self._writer().add_document
        for doc in prepared.documents:
            add_document(**doc)
        self.record(prepared)

    def record(self, prepared: PreparedArticle) -> None:
        """Account for an article written (by :meth:`add` or a :class:`SegmentBuilder`):
        its words go into the vocabulary, its people into the registry, its signature into
        the near-duplicate groups."""
        self.words.update(prepared.words)
        for item in prepared.people:
            self.registry.add(stored_person(item))
        self.duplicates.add(prepared.id, prepared.signature, prepared.published, prepared.length, prepared.shingles)
        self.changed = True

    @guarded
    def remove_file(self, path: str) -> set[str]:
        """Remove every article (and paragraph) indexed from ``path``; return the article ids.

        Reads the index as last committed: call it at most once per file between commits."""
        ids: set[str] = set()
        searcher = self._searcher()
        for docnum in searcher.docs_for_query(wq.And([wq.Term("path", path), wq.Term("kind", "article")])):
            fields = searcher.stored_fields(docnum)
            ids.add(fields["id"])
            for item in fields.get("people") or ():
                self.registry.remove(stored_person(item))
            self.duplicates.remove(fields["id"])
        self._writer().delete_by_term("path", path, searcher=searcher)
        self.changed = True
        return ids

    def commit(self, final: bool = True, segments: Iterable[Any] = ()) -> None:
        """Make the writes durable and visible; save vocabulary, people registry, metadata.

        ``segments`` are finished :class:`SegmentBuilder` segments to add in the same commit.
        If the commit fails (no space left…), the session is cancelled (:meth:`cancel`): the
        index stays as its last commit left it, and what this session wrote is removed.
        """
        segments = [s for s in segments if s is not None]
        try:
            with translate(self.index_dir, "writing"):
                self._commit(segments)
        except BaseException:
            self.cancel()
            raise
        if final:
            self._release()

    def _commit(self, segments: list[Any]) -> None:
        if self.changed or segments:
            writer = self._writer()
            policy = CLEAR if self._clear else MERGE_SMALL

            def keep(writer: Any, existing: list[Any]) -> list[Any]:
                return list(policy(writer, existing)) + segments

            writer.commit(mergetype=keep)
            self._clear = False
            self.writer = None
            self._forget_searcher()
            self.ix = open_index(self.index_dir, check=False)
            vocabulary.save(self.index_dir, self.words)
            self.duplicates.save(self.ix.latest_generation())
            meta = read_meta(self.index_dir)
            meta.update(
                schema_version=SCHEMA_VERSION,
                updated=now_iso(),
                generation=self.ix.latest_generation(),
                people=self.registry.to_dict(),
            )
            write_meta(self.index_dir, meta)
            self.changed = False
            self._made = None
        else:
            if self.writer is not None:
                self.writer.cancel()
                self.writer = None
            self.duplicates.save(self.ix.latest_generation())  # (when the file is missing or stale)

    def cancel(self) -> None:
        """Drop uncommitted writes, remove the files they left (no writer of this session
        may be running any more), and release the lock. An index this session created and
        never committed is removed again (its folder too, if the session made it), and a
        damaged index it moved aside is put back."""
        try:
            if self.writer is not None:
                self.writer.cancel()
        except Exception:  # noqa: BLE001 - cancelling a broken writer must not mask the first error
            pass
        finally:
            self.writer = None
            try:
                if self._lock is not None:
                    self._clean_up()
            finally:
                self._release()

    def _clean_up(self) -> None:
        try:
            remove_uncommitted(self.index_dir)
            if self._made is not None:
                remove_index(self.index_dir, folder=self._made == "folder")
                self._made = None
                if self.moved_aside is not None:  # (a rebuild of a damaged index: put it back as it was)
                    move_back(self.moved_aside, self.index_dir)
                    self.moved_aside = None
        except OSError:
            pass  # (cleaning up after an error must not hide it; the next run cleans up again)

    def _release(self) -> None:
        try:
            self._forget_searcher()
        finally:
            if self._lock is not None:
                try:
                    self._lock.release()
                finally:
                    self._lock = None
