"""Reading a whole posting list fast.

Whoosh's matchers step one posting at a time (``all_ids()`` calls ``id()`` and ``next()``
per posting). A plain block list of the W3 codec can be read a whole block at a time: the
ranker (all postings of the query's words) and the facet cache (all postings of a field)
both read posting lists whole.
"""

from __future__ import annotations

from typing import Any

#: What a Whoosh W3 block matcher holds; other matchers (inlined one-posting lists, lists
#: filtered for deleted documents) are read posting by posting.
_BLOCK_MATCHER = ("_read_ids", "_read_weights", "_read_values", "_ids", "_weights", "_values", "_atend", "_lastblock", "_goto", "_nextoffset", "_i")


def read_postings(reader: Any, fieldname: str, text: str, values: bool = False) -> tuple[list[int], list[float], list[Any]]:
    """A word's (segment) document numbers, weights and (if asked) values (encoded
    positions), a block at a time when the posting list is a plain block list (else
    posting by posting)."""
    m = reader.postings(fieldname, text)
    ids: list[int] = []
    weights: list[float] = []
    vals: list[Any] = []
    if all(hasattr(m, a) for a in _BLOCK_MATCHER):
        while not m._atend:
            if m._ids is None:
                m._read_ids()
            if m._weights is None:
                m._read_weights()
            start = m._i
            ids.extend(m._ids[start:])
            weights.extend(m._weights[start:])
            if values:
                if m._values is None:
                    m._read_values()
                vals.extend(m._values[start:])
            if m._lastblock:
                break
            m._goto(m._nextoffset)
        return ids, weights, vals
    while m.is_active():  # inlined one-posting lists, lists filtered for deleted documents
        ids.append(m.id())
        weights.append(m.weight())
        if values:
            vals.append(m.value())
        m.next()
    return ids, weights, vals
