"""Posting blocks pickled with the current pickle protocol instead of protocol 2, and
stored without zlib.

Whoosh's W3 codec stores each block of up to 128 postings as one pickled tuple (document
numbers, weights, encoded positions) and pickles it with protocol 2. Protocol 2 has no
opcode for ``bytes``: every encoded-positions value is written as a call that rebuilds it
from a latin-1 string, so a block of a positional field (``body``, ``text``) costs about
ten times more to pickle and to unpickle than with protocol 5, and zlib makes it twice as
large. Measured on one 128-posting ``body`` block of the 100k remix benchmark index:
unpickling 211 → 22 µs, pickling 178 → 22 µs, compressed size 2,116 → 1,051 bytes.

:func:`use_current_protocol` makes the codec module pickle with
:data:`pickle.HIGHEST_PROTOCOL`. Only writing changes: ``pickle.loads`` reads every
protocol, so segments written before (protocol 2) and after stay readable side by side and
the index format is the same. ``whoosh3==3.54.0`` is pinned; ``tests/test_blocks.py`` fails
if this stops taking effect.

:func:`block_codec` is the codec our segment writers use: the W3 codec with block
compression off. Reading a posting list block by block (``search.postings``) spent about
half its time in ``zlib.decompress`` (on the 100k benchmark index, 24 µs of the 45 µs a
128-posting ``body`` block costs to decode), and the longest lists (the most common words)
set the slowest queries. Blocks carry their own compression flag, so stock Whoosh reads
them, and segments written compressed before read beside them. The price is disk: on 10k
remix articles the index grew from 76 to 109 MiB.
"""

from __future__ import annotations

import pickle
from array import array
from typing import Any

from whoosh.codec import whoosh3
from whoosh.codec.base import OutOfOrderError

#: zlib level of posting blocks (0: stored as pickled; see the module docstring).
BLOCK_COMPRESSION = 0


def _dumps(obj: Any, protocol: int | None = None) -> bytes:
    """``pickle.dumps`` with the highest protocol, whatever protocol the caller asks for."""
    return pickle.dumps(obj, pickle.HIGHEST_PROTOCOL)


def use_current_protocol() -> None:
    """Make the W3 codec pickle posting blocks (and inlined postings) with the current
    protocol. Idempotent; called when :mod:`newssearch.store.writer` is imported."""
    whoosh3.dumps = _dumps  # type: ignore[attr-defined]


def block_protocol(raw: bytes) -> int:
    """The pickle protocol of a block's (decompressed) data (2 for Whoosh's default)."""
    return raw[1] if len(raw) > 1 and raw[0] == 0x80 else 0


def block_codec() -> whoosh3.W3Codec:
    """The W3 codec our segment writers use: Whoosh's, with posting blocks not compressed."""
    return whoosh3.W3Codec(compression=BLOCK_COMPRESSION)


class BlockFieldWriter(whoosh3.W3FieldWriter):
    """Whoosh's W3 field writer, writing each term's postings a block at a time.

    Whoosh's ``FieldWriter.add_postings`` makes four Python calls per posting (the length
    lookup, ``add``, ``add_posting`` with its type assertions, the block statistics); a
    segment of 5,000 articles has about two million postings. Here a term's postings are
    gathered into lists first, then each block's buffers and statistics are set in one go
    and written by Whoosh's own ``_write_block`` and ``finish_postings``: the same bytes
    (``tests/test_blocks.py`` compares every term, posting and statistic with Whoosh's
    writer). It has no state of its own: :class:`~newssearch.store.writer.FastSegmentWriter`
    sets it as the class of the field writer Whoosh made, so nothing of ours is pickled
    into the segment.
    """

    def add_postings(self, schema: Any, lengths: Any, items: Any) -> None:
        """Write ``(fieldname, btext, docnum, weight, value)`` postings, sorted by field,
        term and document, as ``FieldWriter.add_postings`` does."""
        length_reader = getattr(lengths, "doc_field_length_reader", None) if lengths else None
        if lengths and length_reader is None:  # (a length provider we do not know)
            super().add_postings(schema, lengths, items)
            return
        lastfn: str | None = None
        lasttext: bytes | None = None
        field_length: Any = None
        ids: list[int] = []
        weights: list[float] = []
        values: list[bytes | None] = []
        for fieldname, btext, docnum, weight, value in items:
            if fieldname != lastfn:
                if lastfn is not None and fieldname < lastfn:
                    raise OutOfOrderError(f"Field {lastfn!r} .. {fieldname!r}")
                if ids:
                    self._write_term(lasttext, ids, weights, values, field_length)  # type: ignore[arg-type]
                    ids, weights, values = [], [], []
                if lastfn is not None:
                    self.finish_field()
                self.start_field(fieldname, schema[fieldname])
                lastfn, lasttext = fieldname, None
                field_length = length_reader(fieldname) if length_reader is not None else None
            if docnum == -1:  # (Whoosh's marker of a spelling word: no posting)
                continue
            if btext != lasttext:
                if lasttext is not None and btext < lasttext:
                    raise OutOfOrderError(f"Term {lastfn}:{lasttext!r} .. {fieldname}:{btext!r}")
                if ids:
                    self._write_term(lasttext, ids, weights, values, field_length)  # type: ignore[arg-type]
                    ids, weights, values = [], [], []
                lasttext = btext
            ids.append(docnum)
            weights.append(weight)
            values.append(value)
        if ids:
            self._write_term(lasttext, ids, weights, values, field_length)  # type: ignore[arg-type]
        if lastfn is not None:
            self.finish_field()

    def _write_term(self, btext: bytes, ids: list[int], weights: list[float], values: list[bytes | None], field_length: Any) -> None:
        """One term's postings, block by block, with the statistics ``add_posting`` keeps."""
        self.start_term(btext)
        pw = self._postwriter
        limit = pw._blocklimit
        lengths = [field_length(d) for d in ids] if field_length is not None else None
        count = len(ids)
        for start in range(0, count, limit):
            end = min(start + limit, count)
            pw._ids = array("I", ids[start:end])
            block_weights = weights[start:end]
            pw._weights = array("f", block_weights)
            pw._values = [v for v in values[start:end] if v]
            top = max(block_weights)
            pw._maxweight = top if top > 0 else 0
            block_lengths = [n for n in lengths[start:end] if n] if lengths is not None else []
            pw._minlength = min(block_lengths) if block_lengths else None
            pw._maxlength = max(block_lengths) if block_lengths else 0
            if end < count:  # a full block with more to come (the last is written by finish_term)
                pw._write_block()
        self.finish_term()
