#!/usr/bin/env python3
"""Measure the choices of newssearch's index format (store/codec.py) on a real index.

    python bench/codec_choices.py INDEX_DIR [--words 400] [--docs 3000]

Reads the postings of the ``--words`` longest lists of ``body`` and ``text`` and the stored
fields of ``--docs`` documents from any newssearch index (through Whoosh's public reader
API), re-encodes them every way compared below, and prints a Markdown report:

* posting blocks' values (positions): zlib level 0, 1, 6, 9 — bytes a posting, and µs a
  posting to decode a whole block's values;
* documents and weights: as arrays (the codec), and zlib-compressed — bytes a posting and µs
  a posting for a ranking read;
* the codec's block against Whoosh's W3 block (a pickled tuple) for the same postings;
* stored fields: one document at a time (W3) against chunks of 2–64 KB at zlib levels 1, 3,
  6 — size, and CPU µs to read an article and the four documents after it (its paragraphs)
  with an empty cache;
* lists kept in the terms file: how many lists, and how many bytes, at most N bytes hold.

Times are CPU time (``time.process_time``), best of ``--repeat``: the machine is shared.
"""

from __future__ import annotations

import argparse
import pickle
import random
import statistics
import sys
import time
import zlib
from collections.abc import Callable
from itertools import accumulate, pairwise
from pathlib import Path
from typing import Any


def best(fn: Callable[[], Any], repeat: int) -> float:
    """The least CPU seconds of ``repeat`` runs of ``fn``."""
    out = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        out = min(out, time.process_time() - t0)
    return out


def load_postings(index_dir: Path, fields: tuple[str, ...], words: int) -> dict[str, list[tuple[list[int], list[float], list[list[int]]]]]:
    """The ``words`` longest lists of each field of the largest segment: documents, weights, positions."""
    from newssearch.store.index import open_index

    ix = open_index(str(index_dir), check=False)
    out: dict[str, list[tuple[list[int], list[float], list[list[int]]]]] = {}
    with ix.reader() as reader:
        seg = max((r for r, _ in reader.leaf_readers()), key=lambda r: r.doc_count_all())
        for field in fields:
            fmt: Any = seg.schema[field].format
            terms = sorted(seg.lexicon(field), key=lambda t: -seg.doc_frequency(field, t))[:words]
            lists = []
            for text in terms:
                m = seg.postings(field, text)
                ids, weights, positions = [], [], []
                while m.is_active():
                    ids.append(m.id())
                    weights.append(m.weight())
                    positions.append(list(fmt.decode_positions(m.value())))
                    m.next()
                lists.append((ids, weights, positions))
            out[field] = lists
    return out


def postings_report(data: dict[str, list[tuple[list[int], list[float], list[list[int]]]]], repeat: int) -> list[str]:
    from newssearch.store import codec

    lines = ["## Posting blocks (`body`, `text`: the longest lists of the largest segment)", ""]
    lines += ["| field | postings | positions | encoding | bytes a posting | decode µs a posting |", "|---|---:|---:|---|---:|---:|"]
    for field, lists in data.items():
        n = sum(len(ids) for ids, _, _ in lists)
        npos = sum(len(p) for _, _, ps in lists for p in ps)
        blocks = []
        for ids, weights, positions in lists:
            base = 0
            for i in range(0, len(ids), 128):
                values = [codec.encode_positions(p) for p in positions[i : i + 128]]
                blocks.append((ids[i : i + 128], weights[i : i + 128], values, base, positions[i : i + 128]))
                base = ids[min(i + 128, len(ids)) - 1]
        head = len(blocks) * (codec.BLOCK_HEAD.size + codec.BLOCK_STATS.size)
        # values at several zlib levels
        for level in (0, 1, 6, 9):
            encoded = [codec.encode_block(ids, w, v, base, None, None, level) for ids, w, v, base, _ in blocks]
            size = sum(map(len, encoded)) + head - len(encoded) * codec.BLOCK_HEAD.size
            views = [memoryview(e) for e in encoded]
            heads = [codec.BLOCK_HEAD.unpack_from(e) for e in encoded]

            def decode_values(views: list[memoryview] = views, heads: list[tuple[int, ...]] = heads, blocks: list[Any] = blocks) -> None:
                for view, (flags, count, idw, vlen), (_, w, _, base, _) in zip(views, heads, blocks):
                    start = codec.BLOCK_HEAD.size
                    codec.Block(flags, count, 0, 0.0, 0, 0, start, start + idw, start + idw + vlen, base).values(view, w, None)

            t = best(decode_values, repeat)
            lines.append(f"| {field} | {n:,} | {npos:,} | codec, values zlib {level} | {size / n:.2f} | values {t / n * 1e6:.3f} |")

        # documents and weights: arrays, and zlib-compressed arrays (ranking read)
        encoded = [codec.encode_block(ids, w, None, base, 0, None) for ids, w, _, base, _ in blocks]
        plain = [e[codec.BLOCK_HEAD.size :] for e in encoded]
        for level in (0, 1, 6):
            stored = plain if not level else [zlib.compress(p, level) for p in plain]
            flags = [codec.BLOCK_HEAD.unpack_from(e)[0] for e in encoded]

            def rank(stored: list[bytes] = stored, level: int = level, flags: list[int] = flags, blocks: list[Any] = blocks) -> None:
                for raw, f, (ids, _, _, base, _) in zip(stored, flags, blocks):
                    data = zlib.decompress(raw) if level else raw
                    block = codec.Block(f, len(ids), ids[-1], 0.0, 0, 0, 0, len(data), len(data), base)
                    view = memoryview(data)
                    block.ids(view)
                    block.weights(view)

            t = best(rank, repeat)
            size = sum(map(len, stored)) + head
            lines.append(f"| {field} | {n:,} | | documents + weights, zlib {level} | {size / n:.2f} | ranking read {t / n * 1e6:.3f} |")

        # Whoosh's W3 block: a pickled tuple (document gaps, weights, each posting's positions pickled)
        from whoosh import formats

        w3 = formats.Positions()
        pickled = []
        for ids, w, _, _base, positions in blocks:
            gaps = (ids[0], *(b - a for a, b in pairwise(ids)))
            pickled.append(pickle.dumps((gaps, None if all(x == 1 for x in w) else tuple(w), tuple(w3.encode(p) for p in positions)), 5))

        def unpickle(pickled: list[bytes] = pickled) -> None:
            for raw in pickled:
                gaps, _, _ = pickle.loads(raw)
                list(accumulate(gaps))

        t = best(unpickle, repeat)
        size = sum(map(len, pickled)) + len(pickled) * 26
        lines.append(f"| {field} | {n:,} | | W3: pickled tuple, positions pickled, no zlib | {size / n:.2f} | ranking read (unpickle all) {t / n * 1e6:.3f} |")
    return lines


def stored_report(index_dir: Path, docs: int, repeat: int) -> list[str]:
    from newssearch.store.index import open_index

    ix = open_index(str(index_dir), check=False)
    with ix.reader() as reader:
        seg = max((r for r, _ in reader.leaf_readers()), key=lambda r: r.doc_count_all())
        count = min(seg.doc_count_all(), docs)
        pickles = [pickle.dumps(seg.stored_fields(d), pickle.HIGHEST_PROTOCOL) for d in range(count)]
        articles = [d for d in range(count - 5) if seg.stored_fields(d).get("kind") == "article"]
    rng = random.Random(1)
    sample = rng.sample(articles, min(200, len(articles)))
    raw = sum(map(len, pickles))
    lines = ["", f"## Stored fields ({count:,} documents of the largest segment, {raw / count:.0f} bytes of pickle each)", ""]
    lines += ["| layout | bytes a document | CPU µs: an article and the 4 documents after it, cold |", "|---|---:|---:|"]
    single = [zlib.compress(p, 3) for p in pickles]

    def read_single() -> None:
        for d in sample:
            for k in range(5):
                pickle.loads(zlib.decompress(single[d + k]))

    lines.append(f"| one document at a time, zlib 3 (W3) | {sum(map(len, single)) / count:.0f} | {best(read_single, repeat) / len(sample) * 1e6:.0f} |")
    for chunk in (2048, 4096, 8192, 16384, 65536):
        for level in (1, 3, 6):
            firsts: list[int] = []
            blobs: list[bytes] = []
            pending: list[bytes] = []
            size = 0
            for d, p in enumerate(pickles):
                if not pending:
                    firsts.append(d)
                pending.append(p)
                size += len(p)
                if size >= chunk:
                    blobs.append(zlib.compress(b"".join(pending), level))
                    pending, size = [], 0
            if pending:
                blobs.append(zlib.compress(b"".join(pending), level))
            from bisect import bisect_right

            def read_chunked(firsts: list[int] = firsts, blobs: list[bytes] = blobs) -> None:
                for d in sample:
                    cache: dict[int, bytes] = {}
                    for k in range(5):
                        c = bisect_right(firsts, d + k) - 1
                        if c not in cache:
                            cache[c] = zlib.decompress(blobs[c])
                        pickle.loads(pickles[d + k])  # (the document's own pickle: the same work in every layout)

            lines.append(f"| chunks of {chunk // 1024} KB, zlib {level} | {sum(map(len, blobs)) / count:.0f} | {best(read_chunked, repeat) / len(sample) * 1e6:.0f} |")
    return lines


def inline_report(index_dir: Path) -> list[str]:
    from newssearch.store.index import open_index

    ix = open_index(str(index_dir), check=False)
    sizes: list[int] = []
    with ix.reader() as reader:
        for seg, _ in reader.leaf_readers():
            for _, info in seg:  # (every term: its list's bytes, kept in the terms file or not)
                inlined = info.inlined_bytes() if hasattr(info, "inlined_bytes") else None
                sizes.append(len(inlined) if inlined is not None else info.extent()[1])  # type: ignore[attr-defined]
    lines = ["", f"## Posting lists kept in the terms file ({len(sizes):,} lists)", "", "| at most bytes | lists | % of lists | bytes in all |", "|---:|---:|---:|---:|"]
    for limit in (16, 32, 64, 128):
        small = [s for s in sizes if s <= limit]
        lines.append(f"| {limit} | {len(small):,} | {100 * len(small) / max(len(sizes), 1):.0f} | {sum(small):,} |")
    lines.append(f"\nMedian list: {statistics.median(sizes):.0f} bytes.")
    return lines


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("index", type=Path)
    p.add_argument("--words", type=int, default=400)
    p.add_argument("--docs", type=int, default=3000)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args(argv)
    print(f"# Codec choices measured on {args.index}\n", file=sys.stderr)
    data = load_postings(args.index, ("body", "text"), args.words)
    lines = [f"# Codec choices, measured on `{args.index}`", ""]
    lines += postings_report(data, args.repeat)
    lines += stored_report(args.index, args.docs, args.repeat)
    lines += inline_report(args.index)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
