"""The terms file of a segment (``.trm``): sorted ``key → value`` entries with a sparse index.

Whoosh's ordered hash file (``filetables.OrderedHashWriter``, what W3 and the first version
of newssearch's codec wrote) spends about 36 bytes an entry on lookup structures: two
32-bit lengths, two 12-byte slots of a hash table, and a position in an ordered index. A
segment of the 100k remix index holds ~130,000 terms, most of them with a few postings kept
in the entry itself (``INLINE_BYTES``), so those structures were 40 % of the whole index.

This file keeps the entries sorted and contiguous, each an unsigned LEB128 varint of the
key's length, one of the value's length, the key and the value (two bytes of lengths for
almost every entry), and finds a key through a sparse index: the key and position of every
:data:`EVERY`-th entry (a reader takes the spacing from the file). A lookup bisects the
sparse keys in memory (read once per reader, on first use) and scans one run of at most
:data:`EVERY` entries read with one call.

Layout::

    entries                      sorted by key (bytes order), contiguous
    sparse keys' lengths         array of uint32, little-endian (one per EVERY entries)
    sparse keys                  concatenated
    sparse positions             array of uint64, little-endian (entry offsets)
    extras                       JSON object (the codec's field map)
    trailer                      <QQQQ4s: end of entries, entries, sparse keys, extras' bytes, magic

Nothing here depends on Whoosh beyond the file objects it is given (``write``/``tell``/
``close`` to write; ``get(position, length)``/``close`` to read, as Whoosh's ``StructFile``).
"""

from __future__ import annotations

import json
import struct
from array import array
from bisect import bisect_right
from collections.abc import Iterator
from itertools import accumulate
from typing import Any

from whoosh.reading import CorruptIndexError

from .disk import from_disk, read_varint, to_disk, varint

#: One entry in this many is in the sparse index (a lookup scans at most this many).
EVERY = 32
_TRAILER = struct.Struct("<QQQQ4s")
_MAGIC = b"NSt1"
#: Lookups a reader remembers (cleared when full).
CACHE = 4096
_MISSING = object()
#: Bytes read at once when walking entries in order.
_WALK_CHUNK = 1 << 16


def parse_entry(data: bytes | memoryview, pos: int) -> tuple[int, int, int]:
    """``(key start, value start, value end)`` of the entry at ``pos`` of ``data`` (IndexError
    when the entry's lengths run past the end of ``data``)."""
    keylen = data[pos]  # (one byte for almost every length: read here, the rest by read_varint)
    if keylen < 0x80:
        pos += 1
    else:
        keylen, pos = read_varint(data, pos)
    vallen = data[pos]
    if vallen < 0x80:
        pos += 1
    else:
        vallen, pos = read_varint(data, pos)
    return pos, pos + keylen, pos + keylen + vallen


def walk(data: bytes) -> Iterator[tuple[int, int, int, int]]:
    """``(entry start, key start, value start, value end)`` of each entry of ``data``, a run
    of whole entries (CorruptIndexError when they do not add up)."""
    pos, size = 0, len(data)
    try:
        while pos < size:
            kstart, vstart, vend = parse_entry(data, pos)
            yield pos, kstart, vstart, vend
            pos = vend
    except IndexError:
        raise CorruptIndexError("the terms file's entries do not add up") from None
    if pos != size:
        raise CorruptIndexError("the terms file's entries do not add up")


class TermsFileWriter:
    """Writes a terms file; keys must be added in ascending (bytes) order."""

    def __init__(self, dbfile: Any, every: int = EVERY) -> None:
        self.dbfile = dbfile
        #: JSON-able data kept with the file (the codec's field map).
        self.extras: dict[str, Any] = {}
        self._every = every
        self._count = 0
        self._pos = 0
        self._buffer = bytearray()
        self._sparse_keys: list[bytes] = []
        self._sparse_pos = array("Q")
        self._last: bytes | None = None

    def add(self, key: bytes, value: bytes) -> None:
        """Append an entry (its key greater than the last one's)."""
        if self._last is not None and key <= self._last:
            raise ValueError(f"terms file keys out of order: {self._last!r} then {key!r}")
        self._last = key
        if self._count % self._every == 0:
            self._sparse_keys.append(key)
            self._sparse_pos.append(self._pos + len(self._buffer))
        self._buffer += varint(len(key))
        self._buffer += varint(len(value))
        self._buffer += key
        self._buffer += value
        self._count += 1
        if len(self._buffer) >= _WALK_CHUNK:
            self._flush()

    def _flush(self) -> None:
        self.dbfile.write(bytes(self._buffer))
        self._pos += len(self._buffer)
        self._buffer.clear()

    def close(self) -> None:
        """Write the sparse index, the extras and the trailer, and close the file."""
        self._flush()
        end = self._pos
        extras = json.dumps(self.extras, sort_keys=True).encode("utf-8")
        self.dbfile.write(to_disk(array("I", map(len, self._sparse_keys))))
        self.dbfile.write(b"".join(self._sparse_keys))
        self.dbfile.write(to_disk(self._sparse_pos))
        self.dbfile.write(extras)
        self.dbfile.write(_TRAILER.pack(end, self._count, len(self._sparse_keys), len(extras), _MAGIC))
        self.dbfile.close()


class TermsFileReader:
    """Reads a terms file (see the module docstring). Positions are entry offsets in the file."""

    def __init__(self, dbfile: Any, length: int) -> None:
        self.dbfile = dbfile
        if length < _TRAILER.size:
            raise CorruptIndexError("the terms file is too short")
        end, count, sparse, extras_len, magic = _TRAILER.unpack(bytes(dbfile.get(length - _TRAILER.size, _TRAILER.size)))
        self._sparse_at = end
        self._extras_at = length - _TRAILER.size - extras_len
        if magic != _MAGIC or not 0 <= end <= self._extras_at or count < sparse or (count > 0) != (sparse > 0):
            raise CorruptIndexError("the terms file's trailer is damaged")
        #: Offset of the end of the entries.
        self.endofdata = end
        self._count = count
        self._sparse = sparse
        try:
            extras = json.loads(bytes(dbfile.get(self._extras_at, extras_len)).decode("utf-8"))
        except ValueError:
            raise CorruptIndexError("the terms file's extras are damaged") from None
        if not isinstance(extras, dict):
            raise CorruptIndexError("the terms file's extras are damaged")
        #: The extras written with the file.
        self.extras: dict[str, Any] = extras
        self._keys: list[bytes] | None = None
        self._starts: list[int] = []
        self._cache: dict[bytes, tuple[int, int, int, bool] | None] = {}

    def __len__(self) -> int:
        return self._count

    def _index(self) -> tuple[list[bytes], list[int]]:
        """The sparse keys and their entries' positions (read on first use)."""
        if self._keys is None:
            n = self._sparse
            lengths_size, starts_size = 4 * n, 8 * n
            keys_size = self._extras_at - self._sparse_at - lengths_size - starts_size
            if keys_size < 0:
                raise CorruptIndexError("the terms file's index is damaged")
            data = bytes(self.dbfile.get(self._sparse_at, self._extras_at - self._sparse_at))
            ends = list(accumulate(from_disk("I", data[:lengths_size]), initial=lengths_size))
            if ends[-1] != lengths_size + keys_size:
                raise CorruptIndexError("the terms file's index is damaged")
            keys = [data[a:b] for a, b in zip(ends, ends[1:])]
            starts = from_disk("Q", data[lengths_size + keys_size :]).tolist()
            if any(b <= a for a, b in zip(starts, starts[1:])) or (starts and (starts[0] != 0 or starts[-1] >= self.endofdata)):
                raise CorruptIndexError("the terms file's index is damaged")
            self._starts = starts
            self._keys = keys
        return self._keys, self._starts

    def _run(self, block: int) -> tuple[int, bytes]:
        """(offset, bytes) of the ``block``-th run of entries (the one the ``block``-th sparse key starts)."""
        _, starts = self._index()
        start = starts[block]
        end = starts[block + 1] if block + 1 < len(starts) else self.endofdata
        return start, bytes(self.dbfile.get(start, end - start))

    def _find(self, key: bytes) -> tuple[int, int, int, bool] | None:
        """``(entry start, value start, value end, equal)`` as file offsets of the first
        entry whose key is ``>= key``, or None when every key is smaller. The last
        :data:`CACHE` answers are kept (a term's statistics and then its postings are
        looked up one after the other)."""
        cache = self._cache
        found = cache.get(key, _MISSING)
        if found is not _MISSING:
            return found  # type: ignore[return-value]
        keys, _ = self._index()
        block = max(bisect_right(keys, key) - 1, 0)
        found = None
        while block < len(keys) and found is None:
            offset, data = self._run(block)
            pos, size = 0, len(data)
            try:
                while pos < size:  # (parse_entry inlined, with its one-byte fast paths)
                    keylen = data[pos]
                    if keylen < 0x80 and data[pos + 1] < 0x80:
                        kstart = pos + 2
                        vstart = kstart + keylen
                        vend = vstart + data[pos + 1]
                    else:
                        kstart, vstart, vend = parse_entry(data, pos)
                    if vend > size:
                        raise IndexError
                    here = data[kstart:vstart]
                    if here >= key:
                        found = (offset + pos, offset + vstart, offset + vend, here == key)
                        break
                    pos = vend
            except IndexError:
                raise CorruptIndexError("the terms file's entries do not add up") from None
            block += 1
        if len(cache) >= CACHE:
            cache.clear()
        cache[key] = found
        return found

    def range_for_key(self, key: bytes) -> tuple[int, int]:
        """``(offset, length)`` of the value of ``key`` (KeyError when absent)."""
        found = self._find(key)
        if found is None or not found[3]:
            raise KeyError(key)
        return found[1], found[2] - found[1]

    def __getitem__(self, key: bytes) -> bytes:
        datapos, datalen = self.range_for_key(key)
        return bytes(self.dbfile.get(datapos, datalen))

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, bytes):
            return False
        found = self._find(key)
        return found is not None and found[3]

    def closest_key_pos(self, key: bytes) -> int | None:
        """The position of the first entry whose key is ``>= key`` (None: there is none)."""
        found = self._find(key)
        return None if found is None else found[0]

    def key_and_range_at(self, pos: int) -> tuple[bytes, int, int] | None:
        """``(key, value offset, value length)`` of the entry at ``pos`` (None at the end)."""
        if pos >= self.endofdata:
            return None
        head = bytes(self.dbfile.get(pos, min(20, self.endofdata - pos)))
        try:
            kstart, vstart, vend = parse_entry(head, 0)
        except IndexError:
            raise CorruptIndexError("the terms file's entries do not add up") from None
        if pos + vend > self.endofdata:
            raise CorruptIndexError("the terms file's entries do not add up")
        key = bytes(self.dbfile.get(pos + kstart, vstart - kstart))
        return key, pos + vstart, vend - vstart

    def region(self, start: int, end: int) -> bytes:
        """The raw entries from position ``start`` to ``end`` (see :func:`walk`)."""
        return bytes(self.dbfile.get(start, end - start))

    def items_from(self, key: bytes) -> Iterator[tuple[bytes, bytes]]:
        """``(key, value)`` of every entry whose key is ``>= key``, in order."""
        pos = self.closest_key_pos(key)
        if pos is None:
            return
        yield from self._items_at(pos)

    def _items_at(self, pos: int) -> Iterator[tuple[bytes, bytes]]:
        _, starts = self._index()
        block = bisect_right(starts, pos) - 1
        first = True
        while 0 <= block < len(starts):
            offset, data = self._run(block)
            for start, kstart, vstart, vend in walk(data):
                if first and offset + start < pos:
                    continue
                yield data[kstart:vstart], data[vstart:vend]
            first = False
            block += 1

    def items(self) -> Iterator[tuple[bytes, bytes]]:
        """``(key, value)`` of every entry, in order."""
        if self._count:
            yield from self._items_at(0)

    def keys(self) -> Iterator[bytes]:
        """Every key, in order."""
        return (key for key, _ in self.items())

    def keys_from(self, key: bytes) -> Iterator[bytes]:
        """Every key ``>= key``, in order."""
        return (k for k, _ in self.items_from(key))

    def close(self) -> None:
        self.dbfile.close()
