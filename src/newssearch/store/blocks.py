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
from typing import Any

from whoosh.codec import whoosh3

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
