"""Reading a whole posting list fast.

Whoosh's matchers step one posting at a time (``all_ids()`` calls ``id()`` and ``next()``
per posting). A plain block list of the W3 codec can be read a whole block at a time: the
ranker (all postings of the query's words) and the facet cache (all postings of a field)
both read posting lists whole.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from itertools import accumulate, repeat
from typing import Any

#: What a Whoosh W3 block matcher holds; other matchers (inlined one-posting lists, lists
#: filtered for deleted documents) are read posting by posting.
_BLOCK_MATCHER = ("_read_data", "_data", "_maxid", "_byteids", "_blocklength", "_fixedsize", "_atend", "_lastblock", "_goto", "_nextoffset", "_i")


def read_postings(
    reader: Any, fieldname: str, text: str, values: bool = False, within: Sequence[int] | None = None
) -> tuple[list[int], list[float], list[Any]]:
    """A word's (segment) document numbers, weights and (if asked) values (encoded
    positions), a block at a time when the posting list is a plain block list (else
    posting by posting).

    With ``within`` (sorted document numbers), the result holds only the postings of those
    documents: blocks whose range of documents holds none of them are skipped unread (their
    header tells their last document), and in the others each wanted document is looked up
    by bisection instead of keeping the whole block.

    A W3 block holds one pickled tuple: delta-encoded document numbers, then the weights
    (None when all are 1, one float when all are equal), then the values; they are decoded
    here with C-level calls (``accumulate``, ``repeat``) instead of Whoosh's per-posting
    generator.
    """
    m = reader.postings(fieldname, text)
    ids: list[int] = []
    weights: list[float] = []
    vals: list[Any] = []
    if all(hasattr(m, a) for a in _BLOCK_MATCHER) and not m._byteids and m._i == 0 and not m._fixedsize:
        lo = 0
        while not m._atend:
            if within is not None:
                hi = bisect_right(within, m._maxid, lo)
                start, skip, lo = lo, hi == lo, hi
                if skip:  # no wanted document in this block
                    if m._lastblock or lo >= len(within):
                        break
                    m._goto(m._nextoffset)
                    continue
            if m._data is None:
                m._read_data()
            block_ids, block_weights, block_values = m._data
            count = m._blocklength
            if within is not None:
                _pick(within[start:lo], list(accumulate(block_ids)), block_weights, block_values, values, ids, weights, vals)
                if m._lastblock or lo >= len(within):
                    break
                m._goto(m._nextoffset)
                continue
            ids.extend(accumulate(block_ids))  # (each block's deltas start from 0)
            if block_weights is None:
                weights.extend(repeat(1.0, count))
            elif isinstance(block_weights, float):
                weights.extend(repeat(block_weights, count))
            else:
                weights.extend(block_weights)
            if values:
                vals.extend(repeat(None, count) if block_values is None else block_values)
            if m._lastblock:
                break
            m._goto(m._nextoffset)
        return ids, weights, vals
    keep = None if within is None else set(within)
    while m.is_active():  # inlined one-posting lists, lists filtered for deleted documents
        if keep is not None and m.id() not in keep:
            m.next()
            continue
        ids.append(m.id())
        weights.append(m.weight())
        if values:
            vals.append(m.value())
        m.next()
    return ids, weights, vals


def _pick(
    wanted: Sequence[int],
    block_ids: list[int],
    block_weights: Any,
    block_values: Any,
    values: bool,
    ids: list[int],
    weights: list[float],
    vals: list[Any],
) -> None:
    """Append the postings of the ``wanted`` documents found in one decoded block."""
    count = len(block_ids)
    j = 0
    for d in wanted:
        j = bisect_left(block_ids, d, j)
        if j == count:
            break
        if block_ids[j] != d:
            continue
        ids.append(d)
        weights.append(1.0 if block_weights is None else block_weights if isinstance(block_weights, float) else block_weights[j])
        if values:
            vals.append(None if block_values is None else block_values[j])
