"""Reading all the words of a field of one segment in one go.

Whoosh walks a segment's word list through three layers of generators, reading each entry
with its own small file read (about 7 µs a word). The W3 codec keeps the list as one
ordered run of entries ``[key length, value length, key, value]`` (big-endian 32-bit
lengths; the key is the field's 16-bit number, then the word), sorted by key, so one
field's words are one stretch of the file: it is read with one call and split here.
Anything unexpected falls back to Whoosh's own ``lexicon()``.
"""

from __future__ import annotations

import struct
from typing import Any

_LENGTHS = struct.Struct("!ii")
_FIELD = struct.Struct("!H")


def field_words(segment: Any, fieldname: str) -> list[bytes]:
    """Every word of ``fieldname`` in one segment reader, in order (as UTF-8 bytes)."""
    terms = getattr(segment, "_terms", None)
    table = getattr(terms, "_tindex", None)
    fieldmap = getattr(terms, "_fieldmap", None)
    if table is None or not isinstance(fieldmap, dict) or not all(hasattr(table, a) for a in ("closest_key_pos", "dbfile", "endofdata")):
        return list(segment.lexicon(fieldname))
    number = fieldmap.get(fieldname)
    if number is None:
        return []
    start = table.closest_key_pos(_FIELD.pack(number))
    if start is None:
        return []
    end = table.closest_key_pos(_FIELD.pack(number + 1)) if number < 0xFFFF else None
    if end is None:
        end = table.endofdata
    data = bytes(table.dbfile.get(start, end - start))
    words: list[bytes] = []
    append = words.append
    unpack = _LENGTHS.unpack_from
    head = _LENGTHS.size
    skip = head + _FIELD.size
    pos, size = 0, len(data)
    try:
        while pos < size:
            keylen, datalen = unpack(data, pos)
            append(data[pos + skip : pos + head + keylen])
            pos += head + keylen + datalen
    except struct.error:
        return list(segment.lexicon(fieldname))
    if pos != size:  # not the layout described above
        return list(segment.lexicon(fieldname))
    return words
