"""The codec's terms file (store/termfile.py) against a sorted list of the same entries:
lookups, nearest keys, ordered walks from any key, whatever the keys, values and sparse
index spacing (hypothesis); damaged files are refused as corrupt."""

from __future__ import annotations

import io
from bisect import bisect_left

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.reading import CorruptIndexError

from newssearch.store.termfile import TermsFileReader, TermsFileWriter


class MemoryFile:
    """The file calls the terms file makes (as Whoosh's StructFile gives them), in memory."""

    def __init__(self, data: bytes = b"") -> None:
        self.buffer = io.BytesIO(data)
        self.closed = False

    def write(self, data: bytes) -> int:
        return self.buffer.write(data)

    def tell(self) -> int:
        return self.buffer.tell()

    def get(self, position: int, length: int) -> bytes:
        return self.buffer.getvalue()[position : position + length]

    def close(self) -> None:
        self.closed = True


def write(entries: list[tuple[bytes, bytes]], every: int, extras: dict | None = None) -> bytes:  # type: ignore[type-arg]
    out = MemoryFile()
    writer = TermsFileWriter(out, every=every)
    writer.extras.update(extras or {})
    for key, value in entries:
        writer.add(key, value)
    writer.close()
    assert out.closed
    return out.buffer.getvalue()


def read(data: bytes) -> TermsFileReader:
    return TermsFileReader(MemoryFile(data), len(data))


_keys = st.binary(min_size=1, max_size=300)
_entries = st.dictionaries(_keys, st.binary(max_size=200), max_size=120).map(lambda d: sorted(d.items()))


@settings(max_examples=150, deadline=None)
@given(_entries, st.integers(1, 9), st.lists(_keys, max_size=20))
def test_terms_file_equals_a_sorted_list(entries: list[tuple[bytes, bytes]], every: int, probes: list[bytes]) -> None:
    data = write(entries, every, {"fieldmap": {"body": 0}})
    table = read(data)
    keys = [k for k, _ in entries]
    assert table.extras == {"fieldmap": {"body": 0}} and len(table) == len(entries)
    assert list(table.items()) == entries and list(table.keys()) == keys
    for key, value in entries:
        assert key in table and table[key] == value
        offset, length = table.range_for_key(key)
        assert data[offset : offset + length] == value
    for probe in [*probes, b"", b"\xff" * 301, *(k + b"\x00" for k in keys[:5])]:
        i = bisect_left(keys, probe)
        assert (probe in table) == (i < len(keys) and keys[i] == probe)
        if probe not in table:
            with pytest.raises(KeyError):
                table[probe]
        assert list(table.items_from(probe)) == entries[i:]
        assert list(table.keys_from(probe)) == keys[i:]
        pos = table.closest_key_pos(probe)
        if i == len(keys):
            assert pos is None
            continue
        walked = []
        while pos is not None and (found := table.key_and_range_at(pos)) is not None:
            key, datapos, datalen = found
            walked.append((key, data[datapos : datapos + datalen]))
            pos = datapos + datalen
        assert walked == entries[i:]


def test_keys_must_come_in_order() -> None:
    writer = TermsFileWriter(MemoryFile())
    writer.add(b"b", b"1")
    with pytest.raises(ValueError):
        writer.add(b"a", b"2")
    with pytest.raises(ValueError):
        writer.add(b"b", b"3")


def test_an_empty_terms_file() -> None:
    table = read(write([], 4))
    assert len(table) == 0 and list(table.items()) == [] and b"x" not in table and table.closest_key_pos(b"") is None


def test_damaged_terms_files_are_corrupt() -> None:
    entries = [(b"\x00\x01word%03d" % i, b"v" * (i % 7)) for i in range(100)]
    data = write(entries, 8)
    with pytest.raises(CorruptIndexError):
        read(data[:10])
    with pytest.raises(CorruptIndexError):
        read(data[:-1] + b"X")  # (the magic)
    # a garbled length inside the entries: a lookup that walks that run is refused, not misread
    garbled = bytearray(data)
    garbled[0] = 0xFF
    with pytest.raises(CorruptIndexError):
        list(read(bytes(garbled)).items())
    # the sparse index garbled (positions out of order)
    trailer_less = len(data) - 36
    table_bytes = bytearray(data)
    table_bytes[trailer_less - 2 - 8] ^= 0x40
    with pytest.raises(CorruptIndexError):
        read(bytes(table_bytes))[b"\x00\x01word050"]
