"""Numbers as newssearch's index files hold them: arrays of fixed-size numbers in
little-endian order (whatever the machine's), and unsigned LEB128 varints (7 bits a byte,
low first)."""

from __future__ import annotations

import sys
from array import array
from typing import Any

_BIG_ENDIAN = sys.byteorder != "little"


def to_disk(numbers: array) -> bytes:  # type: ignore[type-arg]
    """The bytes of ``numbers``, little-endian (``numbers`` is left as it is)."""
    if _BIG_ENDIAN:
        numbers = array(numbers.typecode, numbers)
        numbers.byteswap()
    return numbers.tobytes()


def from_disk(typecode: str, data: Any) -> array:  # type: ignore[type-arg]
    """The array of ``typecode`` numbers written by :func:`to_disk` as ``data``."""
    numbers = array(typecode)
    numbers.frombytes(data)
    if _BIG_ENDIAN:
        numbers.byteswap()
    return numbers


def varint(n: int) -> bytes:
    """``n`` (0 or more) as an unsigned LEB128 varint."""
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def read_varint(data: bytes | memoryview, pos: int) -> tuple[int, int]:
    """The varint at ``pos`` of ``data`` and the position after it (IndexError when it runs
    past the end of ``data``)."""
    number = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        number |= (byte & 0x7F) << shift
        if byte < 0x80:
            return number, pos
        shift += 7
