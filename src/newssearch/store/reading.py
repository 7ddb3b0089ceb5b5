"""Reading a segment's posting lists, field lengths and words whole: what search needs of
the index format, through :class:`SegmentPostings`.

Whoosh's matchers step one posting at a time (``all_ids()`` calls ``id()`` and ``next()``
per posting). The ranker (all postings of the query's words), the snippet scorer (the
postings of a few paragraphs) and the facet tables (all postings of a field) read whole
lists instead, a block at a time, from :mod:`newssearch.store.codec`'s layout; lengths are
one ``bytes`` per field; a field's words one read of the terms file. Only public Whoosh
calls lead there (``reader.postings()`` and ``reader.cursor()`` give the codec's own matcher
and cursor, whose documented methods read whole lists and word lists; ``codec()``,
``storage()`` and ``segment()`` reach the lengths), and a segment written by another codec
(none in an index of this schema version) is read through Whoosh's own matchers, slower but
the same. (Nothing is opened per read: with ``mmap=True`` Whoosh copies a file into memory
each time it is opened.)

Use :func:`segment_postings` to get the (cached) reader of a Whoosh segment reader.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Sequence
from typing import Any

from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound

from .codec import LENGTH_OF_BYTE, BlockMatcher, NewsCodec, NewsFieldCursor, NewsPerDocReader, decode_positions

__all__ = ["LENGTH_OF_BYTE", "SegmentPostings", "decode_positions", "doc_frequencies", "document_numbers", "segment_postings"]

Postings = tuple[list[int], list[float], list[Any]]


class SegmentPostings:
    """One segment's posting lists, field lengths and words, read whole.

    ``reader`` is a Whoosh segment reader (a leaf of ``searcher.reader().leaf_readers()``).
    Documents are the segment's own numbers; postings of deleted documents are left out.
    """

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        codec = reader.codec()
        self._codec: NewsCodec | None = codec if isinstance(codec, NewsCodec) else None
        self._deleted: frozenset[int] = frozenset(reader.deleted_docs_set) if reader.has_deletions() else frozenset()
        self._perdoc: NewsPerDocReader | None = None
        self._lengths: dict[str, bytes] = {}

    def doc_frequency(self, fieldname: str, text: str | bytes) -> int:
        """How many documents of the segment hold the term (deleted ones included)."""
        return int(self._reader.doc_frequency(fieldname, text))

    def read(self, fieldname: str, text: str | bytes, values: bool = False, within: Sequence[int] | None = None) -> Postings:
        """A term's document numbers, weights (whole numbers as ``int``) and, with
        ``values``, encoded values (:func:`decode_positions` gives a text field's positions),
        decoded a block at a time. Without ``values`` a block's values are not even read:
        ranking never pays for positions.

        With ``within`` (ascending document numbers) only those documents' postings come
        back: blocks whose range of documents holds none of them are skipped undecoded, and
        in the others each wanted document is looked up by bisection.
        """
        try:
            m = self._reader.postings(fieldname, text)
        except TermNotFound:
            return [], [], []
        inner = m.child if type(m) is FilterMatcher else m  # (Whoosh's wrapper leaving deleted documents out)
        if not isinstance(inner, BlockMatcher):  # (a segment of another codec)
            return _read_by_matcher(m, values, within)
        ids, weights, vals = inner.read_list(values, within)
        if self._deleted:
            deleted = self._deleted
            keep = [i for i, d in enumerate(ids) if d not in deleted]
            if len(keep) < len(ids):
                ids = [ids[i] for i in keep]
                weights = [weights[i] for i in keep]
                if values:
                    vals = [vals[i] for i in keep]
        return ids, weights, vals

    def field_lengths(self, fieldname: str) -> bytes:
        """Each document's length byte in ``fieldname`` (:data:`LENGTH_OF_BYTE` gives the
        length; 0 for a document without one), one per document of the segment."""
        found = self._lengths.get(fieldname)
        if found is None:
            found = None
            if self._codec is not None:
                if self._perdoc is None:
                    self._perdoc = self._codec.per_document_reader(self._reader.storage(), self._reader.segment())
                found = self._perdoc.field_lengths(fieldname)
            else:
                from whoosh.util.numeric import length_to_byte

                found = bytes(length_to_byte(self._reader.doc_field_length(d, fieldname) or 0) for d in range(self._reader.doc_count_all()))
            self._lengths[fieldname] = found = found or bytes(self._reader.doc_count_all())
        return found

    def words(self, fieldname: str) -> list[bytes]:
        """Every term of ``fieldname`` in the segment, in order, read in one go."""
        if fieldname not in self._reader.indexed_field_names():
            return []
        cursor = self._reader.cursor(fieldname)
        if isinstance(cursor, NewsFieldCursor):
            return cursor.words()
        return list(self._reader.lexicon(fieldname))


def document_numbers(reader: Any, fieldname: str, texts: Iterable[str]) -> dict[str, int]:
    """The (index-wide) document number of each of ``texts`` in a unique field (``id``) of
    ``reader`` (a Whoosh reader of the whole index), for those that are in the index:
    read in bulk from the terms' headers, a few milliseconds for thousands of values where
    a lookup each (``searcher.document_number``) costs one probe per segment and value."""
    wanted = {text: text.encode("utf-8") for text in texts}
    want = set(wanted.values())
    found: dict[bytes, int] = {}
    for sub, offset in reader.leaf_readers():
        if fieldname not in sub.indexed_field_names():
            continue
        postings = segment_postings(sub)
        cursor = sub.cursor(fieldname)
        if isinstance(cursor, NewsFieldCursor):
            deleted = sub.deleted_docs_set if sub.has_deletions() else frozenset()
            for term, docs, first in cursor.first_documents():
                if term not in want:
                    continue
                if docs == 1 and first not in deleted:
                    found[term] = offset + first
                else:  # (an older copy, deleted, beside the live one)
                    live = postings.read(fieldname, term)[0]
                    if live:
                        found[term] = offset + live[0]
        else:  # (a segment of another codec: a lookup each)
            for term in want.difference(found):
                live = postings.read(fieldname, term)[0]
                if live:
                    found[term] = offset + live[0]
    return {text: found[term] for text, term in wanted.items() if term in found}


def doc_frequencies(reader: Any, fieldname: str) -> dict[str, int]:
    """Every term of ``fieldname`` in ``reader`` (a Whoosh reader of the whole index) with
    the number of documents holding it (deleted ones included, as ``reader.doc_frequency``
    counts), summed over the segments: read from the terms' headers in one go per segment
    (about 0.35 s for the body field of 100k articles in 28 segments, where a lookup each
    costs one probe per segment and term)."""
    counts: dict[str, int] = {}
    get = counts.get
    for sub, _ in reader.leaf_readers():
        if fieldname not in sub.indexed_field_names():
            continue
        cursor = sub.cursor(fieldname)
        if isinstance(cursor, NewsFieldCursor):
            pairs: Iterable[tuple[bytes, int]] = ((term, docs) for term, docs, _ in cursor.first_documents())
        else:  # (a segment of another codec: a lookup each)
            pairs = ((term, sub.doc_frequency(fieldname, term)) for term in sub.lexicon(fieldname))
        for term, docs in pairs:
            text = term.decode("utf-8")
            counts[text] = get(text, 0) + docs
    return counts


def _read_by_matcher(m: Any, values: bool, within: Sequence[int] | None) -> Postings:
    """What :meth:`SegmentPostings.read` gives, stepping any Whoosh matcher."""
    ids: list[int] = []
    weights: list[float] = []
    vals: list[Any] = []
    keep = None if within is None else set(within)
    while m.is_active():
        if keep is None or m.id() in keep:
            ids.append(m.id())
            weights.append(m.weight())
            if values:
                vals.append(m.value())
        m.next()
    return ids, weights, vals


_readers: weakref.WeakKeyDictionary[Any, SegmentPostings] = weakref.WeakKeyDictionary()


def segment_postings(reader: Any) -> SegmentPostings:
    """The :class:`SegmentPostings` of a Whoosh segment reader (made once per reader)."""
    found = _readers.get(reader)
    if found is None:
        found = _readers[reader] = SegmentPostings(reader)
    return found
