"""The index format of newssearch: a Whoosh codec of its own (:class:`NewsCodec`).

Whoosh lets an index choose how its segments are written through a *codec*
(``whoosh.codec.base``). Each segment records the codec that wrote it (the table of contents
pickles the segment with its codec), so an index made by newssearch reads back with this
codec whatever Whoosh's default is, and newssearch never changes anything in Whoosh's own
modules. The codec is built on Whoosh's public building blocks only: its base classes,
compound segment files, per-document columns and the ``LeafMatcher`` interface; its terms
file is its own (:mod:`newssearch.store.termfile`: sorted entries with a sparse index,
about 2 bytes an entry of overhead where Whoosh's ordered hash file spends 36). What it does differently from
Whoosh's W3 codec, measured on the 20k remix corpus (``bench/results/codec-remix20k.md``):

**Posting lists** are blocks of up to 128 postings (:func:`encode_block`). A block is a small
fixed header (``<BBHI``: flags, postings, bytes of documents and weights, bytes of values;
lists of more than one block add ``<IfBB``: last document, top weight, shortest and longest
field length as length bytes, what Whoosh's block-skipping asks for), then three regions:

* document numbers as gaps (from the previous block's last document), an ``array`` of the
  smallest unsigned type that holds them (``B``, ``H`` or ``I``, little-endian);
* weights: nothing when all are 1, one ``float32`` when all are equal, else unsigned
  ``B``/``H`` integers when they are whole numbers, else ``float32`` (what Whoosh stores);
* values (positions, frequencies): nothing for formats without values, nothing either when
  each value is the 4-byte frequency its weight already says (``KEYWORD`` fields), else the
  values' lengths and the values, zlib-compressed (level :data:`VALUES_COMPRESSION`) when
  that makes them smaller.

Ranking reads only the first two regions (:func:`read_list` with ``values=False``): positions
are never decoded, nor even copied out of the block, and gaps and weights are decoded with
C-level ``array`` and ``itertools.accumulate`` calls instead of unpickling a tuple. W3
pickles each block (document gaps, weights, and each posting's positions as a pickled
list), about 29 bytes a ``body`` posting against 6 here.

**Positions** are stored by the :class:`VarintPositions` format (the schema's text fields):
the first position and the gaps after it as unsigned LEB128 varints, most of them one byte.

**Lists of a few postings** (at most :data:`INLINE_BYTES` bytes encoded) are kept in the
term's entry of the terms file instead of the postings file (Whoosh's W3 writes every list,
even of one posting, to the postings file behind a 4-byte tag and a pickled header).

**Stored fields** are pickled (current protocol) and compressed together in chunks of
consecutive documents (:data:`STORED_CHUNK` bytes, zlib level :data:`STORED_COMPRESSION`):
an article and its paragraphs repeat the same identifiers, path, source and dates, which
compress away in a chunk but not in W3's one-document-at-a-time compression. A reader keeps
the last chunks it decoded (:data:`STORED_CACHE`).

**Field lengths** (one length byte per document and scorable field, as Whoosh encodes them)
are one plain file per field that :meth:`NewsPerDocReader.field_lengths` returns whole.

The reading side newssearch's search code uses is :mod:`newssearch.store.reading`.
"""

from __future__ import annotations

import pickle
import struct
import threading
import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import accumulate, groupby, repeat
from operator import itemgetter, sub
from typing import Any

from whoosh import formats
from whoosh.codec import base
from whoosh.filedb import compound
from whoosh.matching import LeafMatcher, ReadTooFar
from whoosh.reading import CorruptIndexError, TermInfo, TermNotFound
from whoosh.util import random_name
from whoosh.util.numeric import byte_to_length, length_to_byte

from . import compat  # noqa: F401 - the Whoosh version is checked before anything is built on it
from .disk import from_disk, to_disk
from .termfile import TermsFileReader, TermsFileWriter, walk

#: Postings per block.
BLOCK_LIMIT = 128
#: zlib level of a block's values (positions), chosen by measurement (see the module docstring).
VALUES_COMPRESSION = 1
#: Values regions shorter than this are stored as they are (zlib would not pay).
COMPRESS_MIN = 64
#: Posting lists of at most this many bytes are kept in the terms file.
INLINE_BYTES = 32
#: Stored fields are compressed in chunks of about this many bytes of pickles.
STORED_CHUNK = 4096
#: zlib level of the stored-field chunks.
STORED_COMPRESSION = 3
#: Decoded stored-field chunks a reader keeps.
STORED_CACHE = 8

#: The length each of the 256 length bytes stands for (Whoosh's logarithmic encoding).
LENGTH_OF_BYTE: tuple[int, ...] = tuple(byte_to_length(b) for b in range(256))

BLOCK_HEAD = struct.Struct("<BBHI")
BLOCK_STATS = struct.Struct("<IfBB")
_FLOAT = struct.Struct("<f")
_FREQUENCY = struct.Struct("!I")  # Whoosh's Frequency format: the frequency, 4 bytes big-endian
_FIELD_NUMBER = struct.Struct("!H")

#: Array types of unsigned numbers, by size: the flags keep the index into this string.
_UNSIGNED = "BHI"
_SIZES = (1, 2, 4)
# flags: bits 0-1 the document gaps' type; bits 2-4 the weights' kind; bits 5-6 the values' kind; bit 7 zlib
W_ONES, W_SAME, W_BYTES, W_SHORTS, W_FLOATS = range(5)
_WEIGHT_TYPES = {W_BYTES: "B", W_SHORTS: "H", W_FLOATS: "f"}
V_NONE, V_FIXED, V_VARIABLE, V_FREQUENCY = range(4)
_ZLIB = 0x80


# -- positions ----------------------------------------------------------------------------


def encode_positions(positions: Sequence[int]) -> bytes:
    """Ascending positions as varints: the first, then the gaps (7 bits a byte, low first)."""
    if not positions:
        return b""
    gaps = [positions[0], *map(sub, positions[1:], positions)]
    if max(gaps) < 128:
        return bytes(gaps)
    out = bytearray()
    for gap in gaps:
        while gap >= 128:
            out.append((gap & 127) | 128)
            gap >>= 7
        out.append(gap)
    return bytes(out)


def decode_positions(value: bytes) -> list[int]:
    """The positions :func:`encode_positions` encoded."""
    if not value:
        return []
    if max(value) < 128:  # (one byte each: the bytes are the gaps)
        return list(accumulate(value))
    gaps = []
    number = shift = 0
    for byte in value:
        if byte & 128:
            number |= (byte & 127) << shift
            shift += 7
        else:
            gaps.append(number | (byte << shift))
            number = shift = 0
    if shift:
        raise CorruptIndexError("a positions value ends inside a number")
    return list(accumulate(gaps))


_CONTINUATION = bytes(range(128, 256))


class VarintPositions(formats.Positions):
    """Whoosh's ``Positions`` format (frequency, weight and positions of each posting), its
    positions encoded by :func:`encode_positions` instead of a pickled list: one byte a
    position for most, decoded by C-level calls. Every Whoosh query that reads positions
    (phrases, spans) decodes them through this format."""

    def encode(self, poslist: Any) -> bytes:
        return encode_positions(list(poslist))

    def decode_positions(self, valuestring: bytes) -> list[int]:
        return decode_positions(valuestring)

    def decode_frequency(self, valuestring: bytes) -> int:
        return len(valuestring.translate(None, _CONTINUATION))

    def decode_weight(self, valuestring: bytes) -> float:
        return self.decode_frequency(valuestring) * self.field_boost

    def combine(self, vs: Iterable[bytes]) -> bytes:
        merged: set[int] = set()
        for value in vs:
            merged.update(decode_positions(value))
        return encode_positions(sorted(merged))


# -- posting blocks -----------------------------------------------------------------------


def _unsigned(top: int) -> int:
    return 0 if top < 0x100 else 1 if top < 0x10000 else 2


def encode_block(
    ids: Sequence[int],
    weights: Sequence[float],
    values: Sequence[bytes | None] | None,
    base: int,
    fixedsize: int | None,
    stats: tuple[int, float, int, int] | None,
    level: int = VALUES_COMPRESSION,
) -> bytes:
    """One block of postings (see the module docstring). ``ids`` ascend from above ``base``
    (the previous block's last document, 0 for the first); ``values`` are the postings'
    encoded values (None for formats without); ``stats`` the header of lists of several
    blocks: (last document, top weight, shortest and longest length byte)."""
    count = len(ids)
    gaps = [ids[0] - base, *map(sub, ids[1:], ids)]
    code = _unsigned(max(gaps))
    if min(gaps) < 0 or (base and gaps[0] == 0):
        raise ValueError("posting documents must ascend")
    parts = [to_disk(array(_UNSIGNED[code], gaps))]
    if weights.count(1.0) == count:
        kind = W_ONES
    elif weights.count(weights[0]) == count:
        kind = W_SAME
        parts.append(_FLOAT.pack(weights[0]))
    else:
        whole = list(map(int, weights))
        if whole == list(weights) and min(whole) >= 0 and max(whole) < 0x10000:
            kind = W_BYTES if max(whole) < 0x100 else W_SHORTS
            parts.append(to_disk(array(_WEIGHT_TYPES[kind], whole)))
        else:
            kind = W_FLOATS
            parts.append(to_disk(array("f", weights)))
    ids_weights = b"".join(parts)
    flags = code | kind << 2
    data = b""
    if values is not None and fixedsize != 0 and any(values):
        as_bytes = [v or b"" for v in values]
        if fixedsize == _FREQUENCY.size and as_bytes == [_FREQUENCY.pack(int(w)) for w in weights]:
            flags |= V_FREQUENCY << 5
        else:
            if fixedsize is not None and fixedsize > 0 and all(len(v) == fixedsize for v in as_bytes):
                flags |= V_FIXED << 5
                data = b"".join(as_bytes)
            else:
                flags |= V_VARIABLE << 5
                lengths = list(map(len, as_bytes))
                lcode = _unsigned(max(lengths))
                data = bytes((lcode,)) + to_disk(array(_UNSIGNED[lcode], lengths)) + b"".join(as_bytes)
            if level and len(data) >= COMPRESS_MIN:
                packed = zlib.compress(data, level)
                if len(packed) < len(data):
                    flags |= _ZLIB
                    data = packed
    head = BLOCK_HEAD.pack(flags, count, len(ids_weights), len(data))
    if stats is not None:
        head += BLOCK_STATS.pack(*stats)
    return head + ids_weights + data


class Block:
    """One block of a posting list as read: its header, and where its regions are in the
    list's bytes (decoded by :meth:`ids`, :meth:`weights` and :meth:`values` on demand)."""

    __slots__ = ("base", "count", "end", "flags", "last", "max_length", "min_length", "start", "top_weight", "values_start")

    def __init__(self, flags: int, count: int, last: int, top_weight: float, min_length: int, max_length: int, start: int, values_start: int, end: int, base: int) -> None:
        self.flags = flags
        self.count = count
        self.last = last
        self.top_weight = top_weight
        self.min_length = min_length
        self.max_length = max_length
        self.start = start
        self.values_start = values_start
        self.end = end
        self.base = base

    def ids(self, data: memoryview) -> list[int]:
        """The block's document numbers."""
        gaps = from_disk(_UNSIGNED[self.flags & 3], data[self.start : self.start + self.count * _SIZES[self.flags & 3]])
        found = list(accumulate(gaps, initial=self.base))
        del found[0]
        if len(found) != self.count or found[-1] != self.last:
            raise CorruptIndexError("a posting block's documents do not match its header")
        return found

    def weights(self, data: memoryview) -> list[float]:
        """The block's weights (whole numbers as ``int``)."""
        kind = (self.flags >> 2) & 7
        if kind == W_ONES:
            return [1.0] * self.count
        at = self.start + self.count * _SIZES[self.flags & 3]
        if kind == W_SAME:
            return [_FLOAT.unpack_from(data, at)[0]] * self.count
        typecode = _WEIGHT_TYPES.get(kind)
        if typecode is None:
            raise CorruptIndexError(f"unknown weights kind {kind} in a posting block")
        return list(from_disk(typecode, data[at : self.values_start]))

    def values(self, data: memoryview, weights: Sequence[float], fixedsize: int | None, picks: Sequence[int] | None = None) -> list[Any]:
        """The block's values (None each for formats without values); with ``picks``, only
        those postings' (indexes into the block, ascending)."""
        kind = (self.flags >> 5) & 3
        count = self.count if picks is None else len(picks)
        if kind == V_NONE:
            return [None] * count if fixedsize == 0 else [b""] * count
        if kind == V_FREQUENCY:
            pack = _FREQUENCY.pack
            return [pack(int(w)) for w in (weights if picks is None else map(weights.__getitem__, picks))]
        region = data[self.values_start : self.end]
        raw = zlib.decompress(region) if self.flags & _ZLIB else bytes(region)
        if kind == V_FIXED:
            size = fixedsize or 0
            starts = range(0, size * self.count, size) if picks is None else [size * j for j in picks]
            return [raw[i : i + size] for i in starts]
        lcode = raw[0]
        head = 1 + self.count * _SIZES[lcode]
        ends = list(accumulate(from_disk(_UNSIGNED[lcode], raw[1:head]), initial=head))
        if ends[-1] != len(raw):
            raise CorruptIndexError("a posting block's values do not match their lengths")
        if picks is not None:
            return [raw[ends[j] : ends[j + 1]] for j in picks]
        return list(map(raw.__getitem__, map(slice, ends, ends[1:])))


def iter_blocks(data: memoryview, terminfo: TermInfo, blocklimit: int) -> Iterator[Block]:
    """The blocks of a posting list's bytes, in order (their headers read, nothing decoded)."""
    several = terminfo.doc_frequency() > blocklimit
    end = len(data)
    pos = 0
    base = 0
    head, stats = BLOCK_HEAD.size, BLOCK_STATS.size
    while pos < end:
        flags, count, ids_weights, values = BLOCK_HEAD.unpack_from(data, pos)
        pos += head
        if several:
            last, top, minbyte, maxbyte = BLOCK_STATS.unpack_from(data, pos)
            pos += stats
            min_length, max_length = LENGTH_OF_BYTE[minbyte], LENGTH_OF_BYTE[maxbyte]
        else:
            last, top = terminfo.max_id(), terminfo.max_weight()
            min_length, max_length = terminfo.min_length(), terminfo.max_length()
        start = pos
        pos = start + ids_weights + values
        if not count or pos > end:
            raise CorruptIndexError("a posting block runs past the end of its list")
        yield Block(flags, count, last, top, min_length, max_length, start, start + ids_weights, pos, base)
        base = last


def read_list(
    data: bytes,
    terminfo: TermInfo,
    blocklimit: int,
    fixedsize: int | None,
    values: bool = False,
    within: Sequence[int] | None = None,
) -> tuple[list[int], list[float], list[Any]]:
    """A posting list's documents, weights and (if ``values``) values, decoded a block at a
    time; with ``within`` (ascending documents), only those documents' postings: blocks
    whose range holds none of them are not decoded (their header says their last
    document), and in the others each is looked up by bisection. Weights that are whole
    numbers come as ``int``."""
    ids: list[int] = []
    weights: list[float] = []
    vals: list[Any] = []
    view = memoryview(data)
    several = terminfo.doc_frequency() > blocklimit
    end = len(data)
    pos = base = lo = 0
    head, stats = BLOCK_HEAD.size, BLOCK_STATS.size
    unpack_head, unpack_stats = BLOCK_HEAD.unpack_from, BLOCK_STATS.unpack_from
    last = terminfo.max_id()
    wanted_count = len(within) if within is not None else 0
    while pos < end:
        flags, count, ids_weights, values_size = unpack_head(data, pos)
        pos += head
        if several:
            last = unpack_stats(data, pos)[0]
            pos += stats
        start = pos
        pos = start + ids_weights + values_size
        if not count or pos > end:
            raise CorruptIndexError("a posting block runs past the end of its list")
        if within is not None:
            hi = bisect_right(within, last, lo)
            if hi == lo:  # no wanted document in this block
                base = last
                if lo >= wanted_count:
                    break
                continue
            wanted, lo = within[lo:hi], hi
        code = flags & 3
        at = start + count * _SIZES[code]
        gaps = from_disk(_UNSIGNED[code], view[start:at])
        kind = (flags >> 2) & 7
        if within is None and not values:  # (the ranker's read: no lists made per block)
            found = accumulate(gaps, initial=base)
            next(found)
            ids.extend(found)
            if kind == W_ONES:
                weights.extend(repeat(1.0, count))
            elif kind == W_SAME:
                weights.extend(repeat(_FLOAT.unpack_from(data, at)[0], count))
            else:
                weights.extend(from_disk(_WEIGHT_TYPES[kind], view[at : start + ids_weights]))
            if ids[-1] != last:
                raise CorruptIndexError("a posting block's documents do not match its header")
            base = last
            continue
        block = Block(flags, count, last, 0.0, 0, 0, start, start + ids_weights, pos, base)
        block_ids = block.ids(view)
        block_weights = block.weights(view)
        if within is None:
            ids.extend(block_ids)
            weights.extend(block_weights)
            if values:
                vals.extend(block.values(view, block_weights, fixedsize))
        else:
            picks = _picks(block_ids, wanted)
            if picks:
                ids.extend(map(block_ids.__getitem__, picks))
                weights.extend(map(block_weights.__getitem__, picks))
                if values:
                    vals.extend(block.values(view, block_weights, fixedsize, picks))
            if lo >= wanted_count:
                break
        base = last
    return ids, weights, vals


def _picks(ids: list[int], wanted: Sequence[int]) -> list[int]:
    """The indexes in ``ids`` of the ``wanted`` documents it holds (both ascending): by
    bisection when they are few, else by one pass over ``ids``."""
    count = len(ids)
    if len(wanted) * 8 > count:
        keep = set(wanted)
        return [j for j, d in enumerate(ids) if d in keep]
    found = []
    j = 0
    for d in wanted:
        j = bisect_left(ids, d, j)
        if j == count:
            break
        if ids[j] == d:
            found.append(j)
    return found


# -- terms ---------------------------------------------------------------------------------


class NewsTermInfo(TermInfo):
    """A term's statistics and where its postings are: the same 26-byte header as Whoosh's
    W3 (flags, total weight, documents, shortest and longest length byte, top weight, first
    and last document), then either the posting list itself (flag 1: a short list kept in
    the terms file) or its offset and length in the postings file.

    Its statistics are its own attributes (set by the postings writer, read by Whoosh
    through the ``TermInfo`` methods, all overridden here)."""

    _struct = struct.Struct("!BfIBBfII")
    _extent = struct.Struct("!QI")

    def __init__(self) -> None:  # (TermInfo's own attributes are not used)
        self.total_weight = 0.0
        self.documents = 0
        self.shortest: int | None = None
        self.longest = 0
        self.top_weight = 0.0
        self.first: int | None = None
        self.last: int | None = None
        self.offset = 0
        self.length = 0
        self.inlined: bytes | None = None

    def weight(self) -> float:
        return self.total_weight

    def doc_frequency(self) -> int:
        return self.documents

    def min_length(self) -> int | None:
        return self.shortest

    def max_length(self) -> int:
        return self.longest

    def max_weight(self) -> float:
        return self.top_weight

    def min_id(self) -> int | None:
        return self.first

    def max_id(self) -> int:
        return self.last if self.last is not None else 0

    def add_posting(self, docnum: int, weight: float, length: int | None = None) -> None:
        raise NotImplementedError("NewsTermInfo is filled in by BlockPostingsWriter.write_list")

    def extent(self) -> tuple[int, int]:
        """(offset, length) of the posting list in the postings file."""
        return self.offset, self.length

    def is_inlined(self) -> bool:
        return self.inlined is not None

    def inlined_bytes(self) -> bytes | None:
        """The posting list's bytes when it is kept in the terms file, else None."""
        return self.inlined

    def to_bytes(self) -> bytes:
        head = self._struct.pack(
            self.inlined is not None,
            self.total_weight,
            self.documents,
            0 if self.shortest is None else length_to_byte(self.shortest),
            length_to_byte(self.longest),
            self.top_weight,
            0xFFFFFFFF if self.first is None else self.first,
            0xFFFFFFFF if self.last is None else self.last,
        )
        return head + (self.inlined if self.inlined is not None else self._extent.pack(self.offset, self.length))

    @classmethod
    def from_bytes(cls, data: bytes) -> NewsTermInfo:
        size = cls._struct.size
        flags, weight, df, minbyte, maxbyte, maxweight, minid, maxid = cls._struct.unpack(data[:size])
        info = cls()
        info.total_weight = weight
        info.documents = df
        info.shortest = byte_to_length(minbyte)
        info.longest = byte_to_length(maxbyte)
        info.top_weight = maxweight
        info.first = None if minid == 0xFFFFFFFF else minid
        info.last = None if maxid == 0xFFFFFFFF else maxid
        if flags & 1:
            info.inlined = bytes(data[size:])
        else:
            info.offset, info.length = cls._extent.unpack(data[size : size + cls._extent.size])
        return info

    @classmethod
    def read_weight(cls, dbfile: Any, datapos: int) -> float:
        return float(dbfile.get_float(datapos + 1))

    @classmethod
    def read_doc_freq(cls, dbfile: Any, datapos: int) -> int:
        return int(dbfile.get_uint(datapos + 5))


class BlockPostingsWriter(base.PostingsWriter):
    """Writes posting lists in blocks (:func:`encode_block`) to a segment's postings file,
    or keeps a short one in its term's entry (see :class:`NewsTermInfo`)."""

    def __init__(self, postfile: Any, blocklimit: int = BLOCK_LIMIT, level: int = VALUES_COMPRESSION, inline_bytes: int = INLINE_BYTES) -> None:
        self._postfile = postfile
        self._blocklimit = blocklimit
        self._level = level
        self._inline_bytes = inline_bytes
        self._written = False
        self._format: formats.Format | None = None
        self._terminfo: NewsTermInfo | None = None
        self._ids: list[int] = []
        self._weights: list[float] = []
        self._values: list[bytes | None] = []
        self._lengths: list[int | None] = []

    def written(self) -> bool:
        return self._written

    def start_postings(self, format_: formats.Format, terminfo: NewsTermInfo) -> None:
        if self._terminfo is not None:
            raise RuntimeError("start_postings called inside a term")
        self._format = format_
        self._terminfo = terminfo
        self._ids, self._weights, self._values, self._lengths = [], [], [], []

    def add_posting(self, id_: int, weight: float, vbytes: bytes | None, length: int | None = None) -> None:
        self._ids.append(id_)
        self._weights.append(weight)
        self._values.append(vbytes)
        self._lengths.append(length)

    def finish_postings(self) -> NewsTermInfo:
        terminfo, fmt = self._terminfo, self._format
        if terminfo is None or fmt is None:
            raise RuntimeError("finish_postings called outside a term")
        self._terminfo = None
        return self.write_list(fmt, terminfo, self._ids, self._weights, self._values, self._lengths)

    def write_list(
        self,
        fmt: formats.Format,
        terminfo: NewsTermInfo,
        ids: Sequence[int],
        weights: Sequence[float],
        values: Sequence[bytes | None],
        lengths: Sequence[int | None] | None,
    ) -> NewsTermInfo:
        """Write one term's postings (ascending documents; ``lengths`` each document's field
        length, None when the field has none) and fill in ``terminfo``'s statistics as
        Whoosh's W3 writer computes them."""
        count = len(ids)
        if not count:
            raise ValueError("a posting list needs at least one posting")
        limit = self._blocklimit
        fixedsize = fmt.fixed_value_size()
        with_values = fixedsize != 0
        try:
            whole = all(map(float.is_integer, weights))
        except TypeError:  # (not all floats)
            whole = all(float(w).is_integer() for w in weights)
        # (Whoosh sums each block's float32 weights)
        total = float(sum(weights)) if whole else sum(sum(array("f", weights[i : i + limit])) for i in range(0, count, limit))
        present = [n for n in lengths if n] if lengths is not None else []
        terminfo.total_weight = total
        terminfo.documents = count
        terminfo.shortest = min(present) if present else None
        terminfo.longest = max(present) if present else 0
        terminfo.top_weight = max(weights)
        terminfo.first = ids[0]
        terminfo.last = ids[-1]
        several = count > limit
        parts = []
        base = 0
        for i in range(0, count, limit):
            block_ids = ids[i : i + limit]
            block_weights = weights[i : i + limit]
            stats = None
            if several:
                block_lengths = [n for n in lengths[i : i + limit] if n] if lengths is not None else []
                stats = (
                    block_ids[-1],
                    max(block_weights),
                    length_to_byte(min(block_lengths)) if block_lengths else 0,
                    length_to_byte(max(block_lengths)) if block_lengths else 0,
                )
            parts.append(encode_block(block_ids, block_weights, values[i : i + limit] if with_values else None, base, fixedsize, stats, self._level))
            base = block_ids[-1]
        data = b"".join(parts)
        if len(data) <= self._inline_bytes:
            terminfo.inlined = data
        else:
            postfile = self._postfile
            terminfo.offset = postfile.tell()
            terminfo.length = len(data)
            postfile.write(data)
            self._written = True
        return terminfo


class BlockMatcher(LeafMatcher):
    """Whoosh's matcher interface over one of this codec's posting lists (every Whoosh query
    reads postings through it), decoding a block at a time."""

    def __init__(self, data: bytes, terminfo: TermInfo, format_: formats.Format, blocklimit: int, term: Any = None, scorer: Any = None) -> None:
        self._bytes = data
        self._data = memoryview(data)
        self._terminfo = terminfo
        self._blocklimit = blocklimit
        self.format = format_
        self.term_key = term
        self.scorer = scorer
        self._fixedsize = format_.fixed_value_size()
        self.reset()

    def term(self) -> Any:
        """The (field, term bytes) this matcher reads."""
        return self.term_key

    def read_list(self, values: bool = False, within: Sequence[int] | None = None) -> tuple[list[int], list[float], list[Any]]:
        """The whole posting list (whatever this matcher has stepped through), a block at a
        time: see :func:`read_list` (deleted documents included)."""
        return read_list(self._bytes, self._terminfo, self._blocklimit, self._fixedsize, values, within)

    def reset(self) -> None:
        self._blocks = iter_blocks(self._data, self._terminfo, self._blocklimit)
        self._next_block()

    def _next_block(self) -> None:
        self._block = next(self._blocks, None)
        self._i = 0
        self._ids: list[int] | None = None
        self._weights: list[float] | None = None
        self._values: list[Any] | None = None

    def _read_ids(self) -> list[int]:
        if self._ids is None:
            assert self._block is not None
            self._ids = self._block.ids(self._data)
        return self._ids

    def _read_weights(self) -> list[float]:
        if self._weights is None:
            assert self._block is not None
            self._weights = [float(w) for w in self._block.weights(self._data)]
        return self._weights

    def is_active(self) -> bool:
        return self._block is not None

    def id(self) -> int:
        return self._read_ids()[self._i]

    def weight(self) -> float:
        return self._read_weights()[self._i]

    def value(self) -> Any:
        if self._values is None:
            assert self._block is not None
            self._values = self._block.values(self._data, self._read_weights(), self._fixedsize)
        return self._values[self._i]

    def next(self) -> bool:  # type: ignore[override]  # (True when it moved to the next block, as W3's)
        if self._block is None:
            raise ReadTooFar
        self._i += 1
        if self._i >= self._block.count:
            self._next_block()
            return True
        return False

    def copy(self) -> BlockMatcher:
        """A matcher of the same list, at the same posting."""
        twin = BlockMatcher(self._bytes, self._terminfo, self.format, self._blocklimit, term=self.term_key, scorer=self.scorer)
        if self._block is not None:
            twin.skip_to(self.id())
        else:
            twin.exhaust()
        return twin

    def exhaust(self) -> None:
        """Move past the last posting (the matcher is no longer active)."""
        while self._block is not None:
            self._next_block()

    def all_ids(self) -> Iterator[int]:
        while self._block is not None:
            yield from self._read_ids()[self._i :]
            self._next_block()

    def skip_to(self, id: int) -> None:
        if self._block is None:
            raise ReadTooFar
        if id <= self.id():
            return
        while self._block is not None and id > self._block.last:
            self._next_block()
        if self._block is not None:
            self._i = bisect_left(self._read_ids(), id, self._i)

    def skip_to_quality(self, minquality: float) -> int:
        if self.block_quality() > minquality:
            return 0
        skipped = 0
        while self._block is not None and self.block_quality() <= minquality:
            self._next_block()
            skipped += 1
        return skipped

    def _current(self) -> Block:
        if self._block is None:
            raise ReadTooFar
        return self._block

    def block_min_id(self) -> int:
        return self._read_ids()[0]

    def block_max_id(self) -> int:
        return self._current().last

    def block_min_length(self) -> int:
        return self._current().min_length

    def block_max_length(self) -> int:
        return self._current().max_length

    def block_max_weight(self) -> float:
        return self._current().top_weight


def _field_number_key(number: int, btext: bytes) -> bytes:
    return _FIELD_NUMBER.pack(number) + btext


class NewsFieldWriter(base.FieldWriter):
    """Writes a segment's terms (:mod:`newssearch.store.termfile`, keyed by the field's number
    and the term, as W3 keys its ordered hash file) and their posting lists
    (:class:`BlockPostingsWriter`)."""

    def __init__(self, codec: NewsCodec, storage: Any, segment: base.Segment) -> None:
        self._codec = codec
        self._tindex = TermsFileWriter(segment.create_file(storage, codec.TERMS_EXT))
        self._fieldmap: dict[str, int] = {}
        self._tindex.extras["fieldmap"] = self._fieldmap
        self._postfile = segment.create_file(storage, codec.POSTS_EXT)
        self._postings = BlockPostingsWriter(self._postfile, codec.blocklimit, codec.values_compression, codec.inline_bytes)
        self._prefix = b""
        self._format: formats.Format | None = None
        self._btext = b""
        self.is_closed = False

    def start_field(self, fieldname: str, fieldobj: Any) -> None:
        self._prefix = _FIELD_NUMBER.pack(self._fieldmap.setdefault(fieldname, len(self._fieldmap)))
        self._format = fieldobj.format

    def start_term(self, text: bytes) -> None:
        if self._format is None:
            raise RuntimeError("start_term called before start_field")
        self._btext = text
        self._postings.start_postings(self._format, NewsTermInfo())

    def add(self, docnum: int, weight: float, vbytes: bytes | None, length: int | None) -> None:
        self._postings.add_posting(docnum, weight, vbytes, length)

    def finish_term(self) -> None:
        terminfo = self._postings.finish_postings()
        self._tindex.add(self._prefix + self._btext, terminfo.to_bytes())

    def finish_field(self) -> None:
        self._format = None

    def add_postings(self, schema: Any, lengths: Any, items: Iterable[tuple[str, bytes, int, float, bytes | None]]) -> None:
        """Write sorted ``(field, term, document, weight, value)`` postings: what Whoosh's
        ``FieldWriter.add_postings`` does, a whole term at a time (no method calls per
        posting). Field lengths are looked up for scorable fields only (the only ones
        that have them)."""
        reader_of = getattr(lengths, "doc_field_length_reader", None) if lengths else None
        if lengths and reader_of is None:
            plain = lengths.doc_field_length

            def reader_of(fieldname: str) -> Callable[[int], int | None]:
                return lambda docnum: plain(docnum, fieldname)

        lastfield: str | None = None
        lastterm = b""
        get_length: Callable[[int], int | None] | None = None
        write_list = self._postings.write_list
        add_term = self._tindex.add
        for (fieldname, btext), group in groupby(items, key=_TERM):
            if fieldname != lastfield:
                if lastfield is not None:
                    if fieldname < lastfield:
                        raise base.OutOfOrderError(f"Field {lastfield!r} .. {fieldname!r}")
                    self.finish_field()
                fieldobj = schema[fieldname]
                self.start_field(fieldname, fieldobj)
                get_length = reader_of(fieldname) if reader_of is not None and fieldobj.scorable else None
                lastfield = fieldname
            elif btext <= lastterm:
                raise base.OutOfOrderError(f"Term {fieldname}:{lastterm!r} .. {fieldname}:{btext!r}")
            lastterm = btext
            rows = list(group)
            if rows[0][2] == -1:  # (Whoosh's spelling-word postings: none in newssearch's schema)
                rows = [row for row in rows if row[2] != -1]
                if not rows:
                    continue
            ids = [row[2] for row in rows]
            terminfo = write_list(
                self._format,  # type: ignore[arg-type]
                NewsTermInfo(),
                ids,
                [row[3] for row in rows],
                [row[4] for row in rows],
                list(map(get_length, ids)) if get_length is not None else None,
            )
            add_term(self._prefix + btext, terminfo.to_bytes())
        if lastfield is not None:
            self.finish_field()

    def close(self) -> None:
        self._tindex.close()
        self._postfile.close()
        self.is_closed = True


_TERM = itemgetter(0, 1)


class NewsFieldCursor(base.FieldCursor):
    """Walks one field's terms in order (what Whoosh's ``reader.cursor()`` gives)."""

    def __init__(self, terms: NewsTermsReader, fieldname: str, fieldobj: Any) -> None:
        self._terms = terms
        self._tindex = terms.table
        self._fieldname = fieldname
        self._fieldobj = fieldobj
        self._startpos = self._tindex.closest_key_pos(terms.key(fieldname, b""))
        self._pos: int | None = self._startpos
        self._text: Any = None
        self._datapos = 0
        self._datalen = 0
        self.next()

    def first(self) -> Any:
        self._pos = self._startpos
        return self.next()

    def find(self, term: Any) -> Any:
        if not isinstance(term, bytes):
            term = self._fieldobj.to_bytes(term)
        self._pos = self._tindex.closest_key_pos(self._terms.key(self._fieldname, term))
        return self.next()

    def next(self) -> Any:
        if self._pos is not None:
            found = self._tindex.key_and_range_at(self._pos)
            if found is not None:
                keybytes, datapos, datalen = found
                fieldname, text = self._terms.unkey(keybytes)
                if fieldname == self._fieldname:
                    self._pos = datapos + datalen
                    self._text = self._fieldobj.from_bytes(text)
                    self._datapos, self._datalen = datapos, datalen
                    return self._text
        self._text = self._pos = None
        return None

    def text(self) -> Any:
        return self._text

    def term_info(self) -> NewsTermInfo | None:
        if self._pos is None:
            return None
        return NewsTermInfo.from_bytes(self._tindex.dbfile.get(self._datapos, self._datalen))

    def is_valid(self) -> bool:
        return self._pos is not None

    def words(self) -> list[bytes]:
        """Every term of the cursor's field, in order, read in one go (see
        :meth:`NewsTermsReader.words`), wherever the cursor is."""
        return self._terms.words(self._fieldname)

    def first_documents(self) -> Iterator[tuple[bytes, int, int]]:
        """``(term, documents, first document)`` of every term of the cursor's field (see
        :meth:`NewsTermsReader.first_documents`)."""
        return self._terms.first_documents(self._fieldname)


class NewsTermsReader(base.TermsReader):
    """Reads a segment's terms and gives matchers over their posting lists."""

    def __init__(self, codec: NewsCodec, dbfile: Any, length: int, postfile: Any) -> None:
        self._codec = codec
        self._dbfile = dbfile
        #: The segment's terms file.
        self.table = TermsFileReader(dbfile, length)
        self._fieldmap: dict[str, int] = self.table.extras["fieldmap"]
        self._fieldunmap: list[str | None] = [None] * (max(self._fieldmap.values(), default=-1) + 1)
        for fieldname, number in self._fieldmap.items():
            self._fieldunmap[number] = fieldname
        self._postfile = postfile

    def key(self, fieldname: str, btext: bytes) -> bytes:
        """The terms file's key of a term (the field's number, then the term)."""
        return _field_number_key(self._fieldmap.get(fieldname, 0xFFFF), btext)

    def unkey(self, keybytes: bytes) -> tuple[str | None, bytes]:
        """(field, term) of a terms file key."""
        number = _FIELD_NUMBER.unpack(keybytes[: _FIELD_NUMBER.size])[0]
        return (self._fieldunmap[number] if number < len(self._fieldunmap) else None), keybytes[_FIELD_NUMBER.size :]

    def __contains__(self, term: Any) -> bool:
        return self.key(*term) in self.table

    def indexed_field_names(self) -> Iterable[str]:
        return self._fieldmap.keys()

    def cursor(self, fieldname: str, fieldobj: Any) -> NewsFieldCursor:
        return NewsFieldCursor(self, fieldname, fieldobj)

    def terms(self) -> Iterator[tuple[str | None, bytes]]:
        return (self.unkey(key) for key in self.table.keys())  # noqa: SIM118 - (a method of the terms file, not a dict)

    def terms_from(self, fieldname: str, prefix: bytes) -> Iterator[tuple[str | None, bytes]]:
        return (self.unkey(key) for key in self.table.keys_from(self.key(fieldname, prefix)))

    def items(self) -> Iterator[tuple[tuple[str | None, bytes], NewsTermInfo]]:
        return ((self.unkey(key), NewsTermInfo.from_bytes(value)) for key, value in self.table.items())

    def items_from(self, fieldname: str, prefix: bytes) -> Iterator[tuple[tuple[str | None, bytes], NewsTermInfo]]:
        return ((self.unkey(key), NewsTermInfo.from_bytes(value)) for key, value in self.table.items_from(self.key(fieldname, prefix)))

    def term_info(self, fieldname: str, text: bytes) -> NewsTermInfo:
        try:
            return NewsTermInfo.from_bytes(self.table[self.key(fieldname, text)])
        except KeyError:
            raise TermNotFound(f"No term {fieldname}:{text!r}") from None

    def frequency(self, fieldname: str, text: bytes) -> float:
        return NewsTermInfo.read_weight(self._dbfile, self.table.range_for_key(self.key(fieldname, text))[0])

    def doc_frequency(self, fieldname: str, text: bytes) -> int:
        return NewsTermInfo.read_doc_freq(self._dbfile, self.table.range_for_key(self.key(fieldname, text))[0])

    def matcher(self, fieldname: str, text: bytes, format_: Any, scorer: Any = None) -> BlockMatcher:
        terminfo = self.term_info(fieldname, text)
        return self._codec.postings_reader(self._postfile, terminfo, format_, term=(fieldname, text), scorer=scorer)

    def posting_bytes(self, terminfo: NewsTermInfo) -> bytes:
        """The bytes of a term's posting list (from the terms or the postings file)."""
        return self._codec.posting_bytes(self._postfile, terminfo)

    def _field_region(self, fieldname: str) -> bytes:
        """The terms file's entries of ``fieldname`` (one read; b"" when it has none)."""
        number = self._fieldmap.get(fieldname)
        if number is None:
            return b""
        table = self.table
        start = table.closest_key_pos(_FIELD_NUMBER.pack(number))
        if start is None:
            return b""
        end = table.closest_key_pos(_FIELD_NUMBER.pack(number + 1)) if number < 0xFFFF else None
        if end is None:
            end = table.endofdata
        return table.region(start, end)

    def words(self, fieldname: str) -> list[bytes]:
        """Every term of ``fieldname``, in order, read in one go: a field's entries are one
        run of the terms file, read with one call and split here, instead of Whoosh's walk
        with a small read per term (about 7 µs a word)."""
        data = self._field_region(fieldname)
        skip = _FIELD_NUMBER.size
        return [data[kstart + skip : vstart] for _, kstart, vstart, _ in walk(data)]

    def first_documents(self, fieldname: str) -> Iterator[tuple[bytes, int, int]]:
        """``(term, documents, first document)`` of every term of ``fieldname``, in order,
        from the terms' headers read in one go (no posting list is read): what maps a
        unique field's values (article ids) to document numbers in bulk."""
        data = self._field_region(fieldname)
        skip = _FIELD_NUMBER.size
        stats = _DOCS_AND_FIRST.unpack_from
        for _, kstart, vstart, _ in walk(data):
            docs, first = stats(data, vstart + _DOCS_AT)
            yield data[kstart + skip : vstart], docs, first

    def close(self) -> None:
        self.table.close()
        self._postfile.close()


#: a term header's document count and first document (see NewsTermInfo._struct: !BfIBBfII)
_DOCS_AND_FIRST = struct.Struct("!I6xI")
_DOCS_AT = 5


# -- per-document data ---------------------------------------------------------------------


_CHUNK_TRAILER = struct.Struct("<QII4s")
_STORED_MAGIC = b"NSsf"


class _StoredWriter:
    """Stored fields: each document's pickle, compressed with its neighbours in chunks."""

    def __init__(self, dbfile: Any, chunk: int, level: int) -> None:
        self._file = dbfile
        self._chunk = chunk
        self._level = level
        self._pending: list[bytes] = []
        self._size = 0
        self._docs = 0
        self._firsts: list[int] = []
        self._offsets: list[int] = []

    def add(self, fields: dict[str, Any]) -> None:
        data = pickle.dumps(fields, pickle.HIGHEST_PROTOCOL) if fields else b""
        self._pending.append(data)
        self._size += len(data)
        if self._size >= self._chunk:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        payload = to_disk(array("I", map(len, self._pending))) + b"".join(self._pending)
        self._firsts.append(self._docs)
        self._offsets.append(self._file.tell())
        self._file.write(zlib.compress(payload, self._level))
        self._docs += len(self._pending)
        self._pending = []
        self._size = 0

    def close(self) -> None:
        self._flush()
        index_at = self._file.tell()
        self._offsets.append(index_at)
        self._file.write(to_disk(array("I", self._firsts)) + to_disk(array("Q", self._offsets)))
        self._file.write(_CHUNK_TRAILER.pack(index_at, len(self._firsts), self._docs, _STORED_MAGIC))
        self._file.close()


class _StoredReader:
    def __init__(self, dbfile: Any, length: int) -> None:
        self._file = dbfile
        if length < _CHUNK_TRAILER.size:
            raise CorruptIndexError("the stored fields file is too short")
        index_at, chunks, docs, magic = _CHUNK_TRAILER.unpack(dbfile.get(length - _CHUNK_TRAILER.size, _CHUNK_TRAILER.size))
        if magic != _STORED_MAGIC or index_at + chunks * 12 + 8 + _CHUNK_TRAILER.size != length:
            raise CorruptIndexError("the stored fields file's trailer is damaged")
        self._firsts = list(from_disk("I", dbfile.get(index_at, chunks * 4)))
        self._firsts.append(docs)
        self._offsets = list(from_disk("Q", dbfile.get(index_at + chunks * 4, (chunks + 1) * 8)))
        self._docs = docs
        self._cache: OrderedDict[int, tuple[bytes, list[int]]] = OrderedDict()
        self._lock = threading.Lock()

    def _chunk(self, number: int) -> tuple[bytes, list[int]]:
        with self._lock:  # (a searcher may serve several threads)
            found = self._cache.get(number)
            if found is not None:
                self._cache.move_to_end(number)
                return found
            start, end = self._offsets[number], self._offsets[number + 1]
            data = self._file.get(start, end - start)
        payload = zlib.decompress(data)
        count = self._firsts[number + 1] - self._firsts[number]
        ends = list(accumulate(from_disk("I", payload[: 4 * count]), initial=4 * count))
        if ends[-1] != len(payload):
            raise CorruptIndexError("a stored fields chunk does not match its lengths")
        with self._lock:
            self._cache[number] = (payload, ends)
            if len(self._cache) > STORED_CACHE:
                self._cache.popitem(last=False)
        return payload, ends

    def get(self, docnum: int) -> dict[str, Any]:
        if not 0 <= docnum < self._docs:
            raise IndexError(f"no document {docnum} (of {self._docs}) in this segment")
        number = bisect_right(self._firsts, docnum) - 1
        payload, ends = self._chunk(number)
        i = docnum - self._firsts[number]
        start, end = ends[i], ends[i + 1]
        if start == end:
            return {}
        fields = pickle.loads(payload[start:end])
        if not isinstance(fields, dict):
            raise CorruptIndexError("a stored document is not a mapping")
        return fields

    def close(self) -> None:
        self._file.close()


class NewsPerDocWriter(base.PerDocumentWriter):
    """Writes a segment's per-document data: stored fields (chunks), field lengths (one
    file per field) and Whoosh's columns (sortable fields), as W3 writes them."""

    def __init__(self, codec: NewsCodec, storage: Any, segment: NewsSegment) -> None:
        self._codec = codec
        self._storage = storage
        self._segment = segment
        self._cols = compound.CompoundWriter(storage.temp_storage(f"{segment.indexname}.tmp"))
        self._colwriters: dict[str, Any] = {}
        self._lengths: dict[str, bytearray] = {}
        self._totals: dict[str, int] = {}
        self._doc_lengths: dict[str, int] = {}
        self._stored = _StoredWriter(segment.create_file(storage, codec.STORED_EXT), codec.stored_chunk, codec.stored_compression)
        self._doccount = 0
        self._docnum: int | None = None
        self._fields: dict[str, Any] = {}
        self._indoc = False
        self.is_closed = False

    def add_column_value(self, fieldname: str, columnobj: Any, value: Any) -> None:
        writer = self._colwriters.get(fieldname)
        if writer is None:
            writer = self._colwriters[fieldname] = columnobj.writer(self._cols.create_file(fieldname))
        writer.add(self._docnum, value)

    def start_doc(self, docnum: int) -> None:
        if self._indoc:
            raise RuntimeError("start_doc called inside a document")
        if docnum != self._doccount:
            raise RuntimeError(f"start_doc({docnum}): expected document {self._doccount}")
        self._docnum = docnum
        self._doccount += 1
        self._fields = {}
        self._doc_lengths = {}
        self._indoc = True

    def add_field(self, fieldname: str, fieldobj: Any, value: Any, length: int) -> None:
        if value is not None:
            self._fields[fieldname] = value
        if length:
            self._doc_lengths[fieldname] = length

    def add_vector_items(self, fieldname: str, fieldobj: Any, items: Any) -> None:
        raise NotImplementedError("newssearch's codec does not store term vectors")

    def finish_doc(self) -> None:
        docnum = self._docnum or 0
        for fieldname, length in self._doc_lengths.items():
            lengths = self._lengths.get(fieldname)
            if lengths is None:
                lengths = self._lengths[fieldname] = bytearray()
            if len(lengths) < docnum:
                lengths.extend(bytes(docnum - len(lengths)))
            lengths.append(length_to_byte(length))
            self._totals[fieldname] = self._totals.get(fieldname, 0) + length
        self._stored.add(self._fields)
        self._indoc = False

    def cancel_doc(self) -> None:
        self._doccount -= 1
        self._indoc = False

    def close(self) -> None:
        if self._indoc:
            self.finish_doc()
        self._segment.field_totals = dict(self._totals)
        for writer in self._colwriters.values():
            writer.finish(self._doccount)
        codec, segment = self._codec, self._segment
        self._cols.save_as_files(self._storage, lambda name: codec.column_filename(segment, name))
        for fieldname, lengths in self._lengths.items():
            lengths.extend(bytes(self._doccount - len(lengths)))
            handle = segment.create_file(self._storage, codec.lengths_ext(fieldname))
            handle.write(bytes(lengths))
            handle.close()
        self._stored.close()
        self.is_closed = True


_NO_LENGTH: list[int | None] = [None, *LENGTH_OF_BYTE[1:]]


class NewsPerDocReader(base.PerDocumentReader):
    """Reads a segment's per-document data (see :class:`NewsPerDocWriter`)."""

    def __init__(self, codec: NewsCodec, storage: Any, segment: NewsSegment) -> None:
        self._codec = codec
        self._storage = storage
        self._segment = segment
        self._doccount = segment.doc_count_all()
        self._files: list[Any] = []
        self._columns: dict[str, tuple[Any, int]] = {}
        self._lengths: dict[str, bytes | None] = {}
        self._stored: _StoredReader | None = None

    def close(self) -> None:
        for handle in self._files:
            handle.close()
        self._files = []

    def doc_count(self) -> int:
        return self._doccount - self._segment.deleted_count()

    def doc_count_all(self) -> int:
        return self._doccount

    def has_deletions(self) -> bool:
        return self._segment.has_deletions()

    def is_deleted(self, docnum: int) -> bool:
        return self._segment.is_deleted(docnum)

    def deleted_docs(self) -> Iterable[int]:
        return self._segment.deleted_docs()

    # columns (Whoosh's, as W3 writes them)

    def supports_columns(self) -> bool:
        return True

    def has_column(self, fieldname: str) -> bool:
        return bool(self._storage.file_exists(self._codec.column_filename(self._segment, fieldname)))

    def column_reader(self, fieldname: str, column: Any) -> Any:
        found = self._columns.get(fieldname)
        if found is None:
            name = self._codec.column_filename(self._segment, fieldname)
            handle = self._storage.open_file(name)
            self._files.append(handle)
            found = self._columns[fieldname] = (handle, self._storage.file_length(name))
        handle, length = found
        return column.reader(handle, 0, length, self._doccount)

    # lengths

    def field_lengths(self, fieldname: str) -> bytes | None:
        """The length byte of each document in ``fieldname`` (``LENGTH_OF_BYTE`` gives the
        length; 0: none), one per document of the segment, or None when no document of
        the segment has a length in that field (it is not scorable)."""
        if fieldname not in self._lengths:
            name = self._segment.make_filename(self._codec.lengths_ext(fieldname))
            found = None
            if self._storage.file_exists(name):
                handle = self._storage.open_file(name)
                try:
                    found = bytes(handle.read())
                finally:
                    handle.close()
                if len(found) != self._doccount:
                    raise CorruptIndexError(f"{name} holds {len(found)} lengths for {self._doccount} documents")
            self._lengths[fieldname] = found
        return self._lengths[fieldname]

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        lengths = self.field_lengths(fieldname)
        if lengths is None:
            return default
        return _NO_LENGTH[lengths[docnum]]  # (None for a document without: what W3 gives)

    def doc_field_length_reader(self, fieldname: str, default: int = 0) -> Callable[[int], int | None]:
        lengths = self.field_lengths(fieldname)
        if lengths is None:
            return lambda docnum: default
        return [_NO_LENGTH[b] for b in lengths].__getitem__

    def field_length(self, fieldname: str) -> int:
        return int(self._segment.field_totals.get(fieldname, 0))

    def min_field_length(self, fieldname: str) -> int:
        lengths = self.field_lengths(fieldname)
        return LENGTH_OF_BYTE[min(lengths)] if lengths else 0

    def max_field_length(self, fieldname: str) -> int:
        lengths = self.field_lengths(fieldname)
        return LENGTH_OF_BYTE[max(lengths)] if lengths else 0

    # stored fields

    def stored_fields(self, docnum: int) -> dict[str, Any]:
        if self._stored is None:
            name = self._segment.make_filename(self._codec.STORED_EXT)
            handle = self._storage.open_file(name)
            self._files.append(handle)
            self._stored = _StoredReader(handle, self._storage.file_length(name))
        return self._stored.get(docnum)


# -- segment and codec ---------------------------------------------------------------------


class NewsSegment(base.Segment):
    """A segment written by :class:`NewsCodec` (pickled, with its codec, in the index's
    table of contents)."""

    def __init__(self, codec: NewsCodec, indexname: str, doccount: int = 0, segid: str | None = None, deleted: set[int] | None = None) -> None:
        self.indexname = indexname
        self.segid = random_name(size=16) if segid is None else segid
        self.compound = False
        self._codec = codec
        self._doccount = doccount
        self._deleted = deleted
        #: Total length of each scorable field over the segment's documents.
        self.field_totals: dict[str, int] = {}

    def codec(self, **kwargs: Any) -> NewsCodec:
        return self._codec

    def set_doc_count(self, doccount: int) -> None:
        self._doccount = doccount

    def doc_count_all(self) -> int:
        return self._doccount

    def deleted_count(self) -> int:
        return len(self._deleted) if self._deleted else 0

    def deleted_docs(self) -> Iterable[int]:
        return iter(self._deleted) if self._deleted else iter(())

    def delete_document(self, docnum: int, delete: bool = True) -> None:
        if delete:
            if self._deleted is None:
                self._deleted = set()
            self._deleted.add(docnum)
        elif self._deleted is not None:
            self._deleted.discard(docnum)

    def is_deleted(self, docnum: int) -> bool:
        return self._deleted is not None and docnum in self._deleted


class NewsCodec(base.Codec):
    """newssearch's index format (see the module docstring). Its settings are pickled with
    each segment it writes, so a segment is always read as it was written."""

    #: Bumped (with ``SCHEMA_VERSION``) when the layout changes.
    FORMAT = 2
    TERMS_EXT = ".trm"
    POSTS_EXT = ".pst"
    STORED_EXT = ".sto"
    COLUMN_EXT = ".col"
    LENGTHS_EXT = ".fln"
    length_stats = True

    def __init__(
        self,
        blocklimit: int = BLOCK_LIMIT,
        values_compression: int = VALUES_COMPRESSION,
        inline_bytes: int = INLINE_BYTES,
        stored_chunk: int = STORED_CHUNK,
        stored_compression: int = STORED_COMPRESSION,
    ) -> None:
        if not 0 < blocklimit < 256:
            raise ValueError("blocklimit must be 1 to 255")
        self.format = self.FORMAT
        self.blocklimit = blocklimit
        self.values_compression = values_compression
        self.inline_bytes = inline_bytes
        self.stored_chunk = stored_chunk
        self.stored_compression = stored_compression

    def __repr__(self) -> str:
        return f"<NewsCodec format {self.format}>"

    def per_document_writer(self, storage: Any, segment: NewsSegment) -> NewsPerDocWriter:
        return NewsPerDocWriter(self, storage, segment)

    def field_writer(self, storage: Any, segment: NewsSegment) -> NewsFieldWriter:
        return NewsFieldWriter(self, storage, segment)

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> BlockPostingsWriter:
        if byteids:
            raise NotImplementedError("newssearch's codec does not store term vectors")
        return BlockPostingsWriter(dbfile, self.blocklimit, self.values_compression, self.inline_bytes)

    def posting_bytes(self, dbfile: Any, terminfo: NewsTermInfo) -> bytes:
        """The bytes of the posting list ``terminfo`` describes."""
        inlined = terminfo.inlined_bytes()
        if inlined is not None:
            return inlined
        offset, length = terminfo.extent()
        return bytes(dbfile.get(offset, length))

    def postings_reader(self, dbfile: Any, terminfo: NewsTermInfo, format_: Any, term: Any = None, scorer: Any = None) -> BlockMatcher:
        return BlockMatcher(self.posting_bytes(dbfile, terminfo), terminfo, format_, self.blocklimit, term=term, scorer=scorer)

    def terms_reader(self, storage: Any, segment: NewsSegment) -> NewsTermsReader:
        name = segment.make_filename(self.TERMS_EXT)
        return NewsTermsReader(self, storage.open_file(name), storage.file_length(name), segment.open_file(storage, self.POSTS_EXT))

    def per_document_reader(self, storage: Any, segment: NewsSegment) -> NewsPerDocReader:
        return NewsPerDocReader(self, storage, segment)

    def new_segment(self, storage: Any, indexname: str) -> NewsSegment:
        return NewsSegment(self, indexname)

    def supports_columns(self) -> bool:
        return True

    def column_filename(self, segment: base.Segment, fieldname: str) -> str:
        return segment.make_filename(f".{fieldname}{self.COLUMN_EXT}")

    def lengths_ext(self, fieldname: str) -> str:
        """The file extension of a field's lengths."""
        return f".{fieldname}{self.LENGTHS_EXT}"


def new_codec() -> NewsCodec:
    """The codec new segments are written with."""
    return NewsCodec()
