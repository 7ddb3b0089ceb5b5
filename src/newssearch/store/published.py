"""The publication date of every document, read once per open index as one numpy array.

``published`` is a sortable field: each segment keeps a column of one 8-byte big-endian
number per document (Whoosh's ``NumericColumn`` of a ``DATETIME``: microseconds since
0001-01-01, the publisher's local wall clock; documents without a date hold the column's
default, 2**64 - 1). Reading that column through Whoosh costs a Python call and a
``datetime`` per document (seconds on a large index); here each segment's column is read
in one go and turned into an ``int64`` array with :func:`numpy.frombuffer`. Date filters,
histograms and date sorts are then a few vectorised comparisons
(:mod:`newssearch.search.dates`).

:func:`published_micros` gives the array of a Whoosh reader (cached per reader: a new
generation of the index is a new reader, so a refreshed searcher reads it again). Values:
microseconds since 0001-01-01T00:00, :data:`UNDATED` (-1) for a document without a date.
numpy is imported here only, when a date is first filtered, counted or sorted on.
:class:`DocumentSet` is the query a range nested in a query becomes (see
:func:`newssearch.search.dates.nested_ranges`).
"""

from __future__ import annotations

import weakref
from bisect import bisect_left
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from whoosh.matching import ListMatcher, NullMatcher
from whoosh.query import Query

from .codec import NewsCodec

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["MICROS_PER_DAY", "UNDATED", "DocumentSet", "published_micros"]

#: The value of a document without a publication date (the column's default read as a signed number).
UNDATED = -1
#: Microseconds in a day (the column's unit).
MICROS_PER_DAY = 86_400_000_000
#: The field whose column is read.
FIELD = "published"

_cache: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def published_micros(reader: Any, fieldname: str = FIELD) -> npt.NDArray[np.int64]:
    """The publication time of every document of ``reader`` (a Whoosh reader of the whole
    index, or of one segment), by global document number: microseconds since 0001-01-01
    (the publisher's local time), :data:`UNDATED` where a document has none. Read once per
    reader and kept (the array is read-only)."""
    found = _cache.get(reader)
    if found is None:
        found = _read(reader, fieldname)
        found.setflags(write=False)
        try:
            _cache[reader] = found
        except TypeError:  # (a reader that cannot be weakly referenced: not cached)
            pass
    return found


def _read(reader: Any, fieldname: str) -> npt.NDArray[np.int64]:
    import numpy as np

    total = reader.doc_count_all()
    out = np.full(total, UNDATED, dtype=np.int64)
    if fieldname not in reader.schema or not reader.schema[fieldname].column_type:
        return out
    for segment, offset in reader.leaf_readers():
        values = _segment_column(segment, fieldname)
        if values is not None and len(values):
            out[offset : offset + len(values)] = values
    # the column's default (2**64 - 1, read as -1) and anything past the calendar are undated
    out[(out < 0) | (out > _MAX_MICROS)] = UNDATED
    return out


#: Microseconds of 9999-12-31T23:59:59.999999, the last instant a ``datetime`` holds.
_MAX_MICROS = 3_652_059 * MICROS_PER_DAY - 1


def _segment_column(segment: Any, fieldname: str) -> npt.NDArray[np.int64] | None:
    """One segment's column as int64 values (None when the segment has no column)."""
    import numpy as np

    if not segment.has_column(fieldname):
        return None
    codec = segment.codec()
    if isinstance(codec, NewsCodec):
        # the codec keeps each column in a file of its own: 8-byte big-endian numbers from the
        # first document on, documents past the last written one holding the default
        storage = segment.storage()
        handle = storage.open_file(codec.column_filename(segment.segment(), fieldname))
        try:
            raw = handle.read()
        finally:
            handle.close()
        return np.frombuffer(raw, dtype=">i8", count=len(raw) // 8).astype(np.int64)
    # a segment of another codec: value by value (slow, but the same)
    values = [int(v) for v in segment.column_reader(fieldname, translate=False)]
    return np.array([v if v < 2**63 else UNDATED for v in values], dtype=np.int64)


class DocumentSet(Query):
    """A query matching a fixed set of documents (global document numbers), each with the
    same score (``boost``): a ``published:`` range nested where it cannot be a filter
    (``oil OR published:2019``), answered from the array of dates instead of by expanding the
    range into thousands of numeric terms. Valid for the reader it was made from only."""

    def __init__(self, docs: Iterable[int], boost: float = 1.0, label: str = "") -> None:
        #: The documents, ascending (global numbers).
        self.numbers = sorted(set(docs))
        self.boost = boost
        self.label = label
        self.fieldname = None  # (no field: it has no terms)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.label or len(self.numbers)!r}, boost={self.boost})"

    def __str__(self) -> str:
        return self.label or f"<{len(self.numbers)} documents>"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.numbers == self.numbers and other.boost == self.boost

    def __hash__(self) -> int:
        return hash((type(self).__name__, len(self.numbers), self.boost))

    def estimate_size(self, ixreader: Any) -> int:
        return len(self.numbers)

    def numbers_in(self, offset: int, count: int) -> list[int]:
        """The set's documents in [offset, offset + count), as numbers from ``offset``."""
        lo, hi = bisect_left(self.numbers, offset), bisect_left(self.numbers, offset + count)
        return [d - offset for d in self.numbers[lo:hi]]

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        top = searcher.get_parent()
        offset = next((offset for leaf, offset in top.leaf_searchers() if leaf is searcher), 0)
        reader = searcher.reader()
        ids = self.numbers_in(offset, reader.doc_count_all())
        if reader.has_deletions():
            ids = [d for d in ids if not reader.is_deleted(d)]
        if not ids:
            return NullMatcher()
        return ListMatcher(ids, all_weights=self.boost)
