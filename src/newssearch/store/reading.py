"""Reading a segment's posting lists, field lengths and words whole: what search needs of
the index format, through :class:`SegmentPostings`.

Whoosh's matchers step one posting at a time (``all_ids()`` calls ``id()`` and ``next()``
per posting). The ranker (all postings of the query's words), the snippet scorer (the
postings of a few paragraphs) and the facet tables (all postings of a field) read whole
lists instead, a block at a time, from :mod:`newssearch.store.codec`'s layout; lengths are
one ``bytes`` per field; a field's words one read of the terms file. Only public Whoosh
readers are used to get there (``reader.codec()``, ``storage()``, ``segment()``,
``term_info()``), and a segment written by another codec (none in an index of this schema
version) is read through Whoosh's own matchers, slower but the same.

Use :func:`segment_postings` to get the (cached) reader of a Whoosh segment reader.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any

from whoosh.reading import TermNotFound

from .codec import LENGTH_OF_BYTE, NewsCodec, NewsPerDocReader, decode_positions, read_list

__all__ = ["LENGTH_OF_BYTE", "SegmentPostings", "decode_positions", "segment_postings"]

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
        codec = self._codec
        if codec is None:
            return self._read_by_matcher(fieldname, text, values, within)
        try:
            terminfo = self._reader.term_info(fieldname, text)
        except TermNotFound:
            return [], [], []
        data = terminfo.inlined_bytes()
        if data is None:  # (opened for each list: cheap, and nothing is left open when the searcher closes)
            handle = self._reader.storage().open_file(self._reader.segment().make_filename(codec.POSTS_EXT))
            try:
                data = codec.posting_bytes(handle, terminfo)
            finally:
                handle.close()
        fixedsize = self._reader.schema[fieldname].format.fixed_value_size()
        ids, weights, vals = read_list(data, terminfo, codec.blocklimit, fixedsize, values, within)
        if self._deleted:
            deleted = self._deleted
            keep = [i for i, d in enumerate(ids) if d not in deleted]
            if len(keep) < len(ids):
                ids = [ids[i] for i in keep]
                weights = [weights[i] for i in keep]
                if values:
                    vals = [vals[i] for i in keep]
        return ids, weights, vals

    def _read_by_matcher(self, fieldname: str, text: str | bytes, values: bool, within: Sequence[int] | None) -> Postings:
        ids: list[int] = []
        weights: list[float] = []
        vals: list[Any] = []
        try:
            m = self._reader.postings(fieldname, text)
        except TermNotFound:
            return ids, weights, vals
        keep = None if within is None else set(within)
        while m.is_active():
            if keep is None or m.id() in keep:
                ids.append(m.id())
                weights.append(m.weight())
                if values:
                    vals.append(m.value())
            m.next()
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
        if self._codec is None:
            return list(self._reader.lexicon(fieldname))
        terms = self._codec.terms_reader(self._reader.storage(), self._reader.segment())
        try:
            return terms.words(fieldname)
        finally:
            terms.close()


_readers: weakref.WeakKeyDictionary[Any, SegmentPostings] = weakref.WeakKeyDictionary()


def segment_postings(reader: Any) -> SegmentPostings:
    """The :class:`SegmentPostings` of a Whoosh segment reader (made once per reader)."""
    found = _readers.get(reader)
    if found is None:
        found = _readers[reader] = SegmentPostings(reader)
    return found
