"""newssearch's index format (store/codec.py) against Whoosh's own: the same corpus written
with the codec and with Whoosh's W3 codec holds the same postings, statistics, block
headers, stored fields and lengths; the block reader the ranker uses gives what Whoosh's
matcher interface gives; blocks round-trip whatever their content (hypothesis)."""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import formats
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.reading import TermInfo
from whoosh.writing import SegmentWriter

from newssearch import Searcher
from newssearch.indexing import index_paths
from newssearch.search.postings import read_postings
from newssearch.store import codec as news_codec
from newssearch.store.codec import (
    BLOCK_HEAD,
    V_FIXED,
    V_FREQUENCY,
    V_NONE,
    V_VARIABLE,
    W_BYTES,
    W_FLOATS,
    W_ONES,
    W_SAME,
    W_SHORTS,
    BlockMatcher,
    NewsCodec,
    NewsSegment,
    VarintPositions,
    encode_block,
    read_list,
)
from newssearch.store.index import INDEX_NAME
from newssearch.store.reading import decode_positions

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def _open(index_dir: Path) -> Any:
    return whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME)


@pytest.fixture(scope="module")
def w3_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same corpus written by Whoosh's own segment writer and W3 codec."""
    from newssearch.store import writer as store_writer

    out = tmp_path_factory.mktemp("w3") / "index"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store_writer, "FastSegmentWriter", lambda ix, **kwargs: SegmentWriter(ix, **{**kwargs, "codec": W3Codec()}))
        index_paths([CORPUS], str(out), workers=1)
    return out


def test_segments_record_their_codec(corpus_index: Path, w3_index: Path) -> None:
    with _open(corpus_index).reader() as reader:
        segments = [seg for seg, _ in reader.leaf_readers()]
        assert segments and all(isinstance(seg.segment(), NewsSegment) and isinstance(seg.codec(), NewsCodec) for seg in segments)
    with _open(w3_index).reader() as reader:
        assert all(isinstance(seg.codec(), W3Codec) for seg, _ in reader.leaf_readers())


def _dump(index_dir: Path, decode: bool) -> dict[str, object]:
    """Everything a search reads from an index, through Whoosh's public reader API: per term
    its statistics, postings (positions decoded) and each block's header, per document its
    stored fields and field lengths."""
    out: dict[str, object] = {}
    with _open(index_dir).reader() as reader:
        for fieldname, btext in reader.all_terms():
            ti = reader.term_info(fieldname, btext)
            m = reader.postings(fieldname, btext)
            postings = []
            blocks: list[tuple[int, float, int, int]] = []  # each block: last document, top weight, shortest and longest length
            while m.is_active():
                header = (m.block_max_id(), m.block_max_weight(), m.block_min_length(), m.block_max_length())
                if not blocks or blocks[-1] != header:
                    blocks.append(header)
                value = m.value()
                if fieldname in ("title", "body", "text"):
                    value = decode_positions(value)
                postings.append((m.id(), m.weight(), value))
                m.next()
            stats = (ti.weight(), ti.doc_frequency(), ti.min_length(), ti.max_length(), ti.max_weight(), ti.min_id(), ti.max_id())
            out[f"{fieldname}:{btext!r}"] = (stats, postings, blocks)
        for docnum in range(reader.doc_count_all()):
            lengths = {f: reader.doc_field_length(docnum, f) for f in ("title", "body", "text", "person", "source", "id")}
            out[f"doc {docnum}"] = (reader.stored_fields(docnum), lengths)
        for f in ("title", "body", "text", "person"):
            out[f"field {f}"] = (reader.field_length(f), reader.min_field_length(f), reader.max_field_length(f))
    return out


def test_codec_writes_what_whoosh_writes(corpus_index: Path, w3_index: Path) -> None:
    """newssearch's codec and writer (store/codec.py, store/writer.py) must give the same
    index content as Whoosh's own SegmentWriter with its W3 codec."""
    got, want = _dump(corpus_index, True), _dump(w3_index, True)
    assert len(got) > 10_000
    several = [key for key, value in want.items() if key.startswith(("body:", "text:")) and len(value[2]) > 1]  # type: ignore[index]
    assert len(several) > 10  # lists of several blocks were compared, block headers too
    assert got == want


def test_block_reader_equals_the_matcher(corpus_index: Path, w3_index: Path) -> None:
    """read_postings (the ranker's reader: a block at a time, store/reading.py) gives what
    stepping Whoosh's matcher interface gives, on this codec's index and on the W3 one."""
    for index_dir in (corpus_index, w3_index):
        multi_block = inlined = 0
        with _open(index_dir).reader() as reader:
            for seg, _ in reader.leaf_readers():
                for fieldname in ("body", "text", "title", "person", "source", "kind", "published", "mentioned"):
                    for btext in seg.lexicon(fieldname):
                        m = seg.postings(fieldname, btext)
                        want: tuple[list[int], list[float], list[object]] = ([], [], [])
                        while m.is_active():
                            want[0].append(m.id())
                            want[1].append(m.weight())
                            want[2].append(m.value())
                            m.next()
                        assert read_postings(seg, fieldname, btext, values=True) == want, (fieldname, btext)
                        assert read_postings(seg, fieldname, btext) == (want[0], want[1], [])
                        multi_block += len(want[0]) > 128
                        info = seg.term_info(fieldname, btext)
                        inlined += isinstance(info, news_codec.NewsTermInfo) and info.is_inlined()
        assert multi_block > 10
        assert inlined > 100 or index_dir == w3_index  # short lists live in the terms file


def test_block_reader_skips_blocks_without_wanted_documents(corpus_index: Path) -> None:
    skipped = 0
    with _open(corpus_index).reader() as reader:
        for seg, _ in reader.leaf_readers():
            for fieldname in ("body", "text"):
                for btext in seg.lexicon(fieldname):
                    if seg.doc_frequency(fieldname, btext) <= 128:
                        continue
                    full = read_postings(seg, fieldname, btext, values=True)
                    mixed = sorted(set(full[0][::50]) | set(range(1, full[0][-1] + 2, 37)))  # with documents not in the list
                    for wanted in (full[0][::97], full[0][-1:], [full[0][0] - 1] if full[0][0] else [], [10**9], mixed):
                        part = read_postings(seg, fieldname, btext, values=True, within=wanted)
                        keep = set(wanted)
                        # exactly the wanted documents' postings, in order
                        assert list(zip(*part)) == [(d, w, v) for d, w, v in zip(*full) if d in keep]
                        skipped += len(part[0]) < len(full[0])
    assert skipped > 10


def test_ranking_reads_never_decode_positions(corpus_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Word queries rank without reading a block's values (positions); phrases read them."""
    calls = []
    original = news_codec.Block.values

    def values(self: Any, *args: Any) -> Any:
        calls.append(self)
        return original(self, *args)

    monkeypatch.setattr(news_codec.Block, "values", values)
    with Searcher(corpus_index) as s:
        result = s.search("police said", snippets=3)
        assert result.total > 5 and result.hits
        assert calls == []
        assert s.search('"prime minister"').total > 0
        assert calls


def test_deleted_documents_are_left_out(tmp_path: Path) -> None:
    import shutil

    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS / "wikinews", corpus)
    index_dir = tmp_path / "index"
    index_paths([corpus], str(index_dir), workers=1)
    victim = min(p for p in corpus.rglob("*") if p.is_file() and p.suffix in (".json", ".txt", ".jsonl"))
    victim.unlink()
    index_paths([corpus], str(index_dir), workers=1)  # deletes the file's documents (kept, marked deleted)
    with _open(index_dir).reader() as reader:
        deleted = 0
        for seg, _ in reader.leaf_readers():
            if not seg.has_deletions():
                continue
            deleted += 1
            gone = set(seg.deleted_docs_set)
            for fieldname in ("body", "text"):
                for btext in list(seg.lexicon(fieldname))[:300]:
                    ids = read_postings(seg, fieldname, btext)[0]
                    assert not gone & set(ids)
                    assert ids == [d for d in seg.postings(fieldname, btext).all_ids()]
        assert deleted


# -- blocks, whatever their content --------------------------------------------------------


def _terminfo(ids: list[int], weights: list[float]) -> TermInfo:
    info = news_codec.NewsTermInfo()
    info.documents = len(ids)
    info.first, info.last = ids[0], ids[-1]
    info.top_weight = max(weights)
    return info


def _encode(ids: list[int], weights: list[float], values: list[bytes] | None, fixedsize: int | None, limit: int) -> bytes:
    parts, base = [], 0
    for i in range(0, len(ids), limit):
        block = ids[i : i + limit]
        stats = (block[-1], max(weights[i : i + limit]), 0, 0) if len(ids) > limit else None
        parts.append(encode_block(block, weights[i : i + limit], values[i : i + limit] if values is not None else None, base, fixedsize, stats))
        base = block[-1]
    return b"".join(parts)


_float32 = st.floats(min_value=0.5, max_value=1e6, allow_nan=False, width=32)


@st.composite
def posting_lists(draw: st.DrawFn) -> tuple[list[int], list[float], list[bytes] | None, int | None]:
    ids = sorted(draw(st.sets(st.integers(0, 2**32 - 2), min_size=1, max_size=400)))
    weight_kind = draw(st.sampled_from(["ones", "same", "small", "large", "floats"]))
    n = len(ids)
    weights: list[float]
    if weight_kind == "ones":
        weights = [1.0] * n
    elif weight_kind == "same":
        weights = [draw(_float32)] * n
    elif weight_kind == "small":
        weights = [float(w) for w in draw(st.lists(st.integers(1, 300), min_size=n, max_size=n))]
    elif weight_kind == "large":
        weights = [float(w) for w in draw(st.lists(st.integers(1, 70000), min_size=n, max_size=n))]
    else:
        weights = draw(st.lists(_float32, min_size=n, max_size=n))
    value_kind = draw(st.sampled_from(["none", "frequency", "fixed", "positions"]))
    if value_kind == "none":
        return ids, weights, None, 0
    if value_kind == "frequency":
        weights = [float(int(w)) for w in weights]
        return ids, weights, [news_codec._FREQUENCY.pack(int(w)) for w in weights], 4
    if value_kind == "fixed":
        return ids, weights, draw(st.lists(st.binary(min_size=4, max_size=4), min_size=n, max_size=n)), 4
    positions = draw(st.lists(st.lists(st.integers(0, 100_000), min_size=1, max_size=20, unique=True).map(sorted), min_size=n, max_size=n))
    return ids, weights, [news_codec.encode_positions(p) for p in positions], None


@settings(max_examples=150, deadline=None)
@given(posting_lists(), st.integers(1, 200), st.data())
def test_blocks_round_trip(lists: tuple[list[int], list[float], list[bytes] | None, int | None], limit: int, data: st.DataObject) -> None:
    ids, weights, values, fixedsize = lists
    import struct

    want_weights = [struct.unpack("<f", struct.pack("<f", w))[0] for w in weights]  # (weights are stored as float32)
    want_values = values if values is not None else [None if fixedsize == 0 else b""] * len(ids)
    encoded = _encode(ids, weights, values, fixedsize, limit)
    info = _terminfo(ids, weights)
    assert read_list(encoded, info, limit, fixedsize, values=True) == (ids, want_weights, want_values)
    assert read_list(encoded, info, limit, fixedsize) == (ids, want_weights, [])
    wanted = sorted(data.draw(st.sets(st.sampled_from(ids) | st.integers(0, 2**32), max_size=30)))
    keep = set(wanted)
    got = read_list(encoded, info, limit, fixedsize, values=True, within=wanted)
    assert list(zip(*got)) == [(d, w, v) for d, w, v in zip(ids, want_weights, want_values) if d in keep]
    fmt = formats.Frequency() if fixedsize == 4 else formats.Existence() if fixedsize == 0 else VarintPositions()
    m = BlockMatcher(encoded, info, fmt, limit)
    assert list(m.all_ids()) == ids
    m.reset()
    target = data.draw(st.sampled_from(ids))
    m.skip_to(target)
    assert m.id() == target and m.weight() == want_weights[ids.index(target)]
    twin = m.copy()
    assert twin.id() == target and list(twin.all_ids()) == ids[ids.index(target) :]
    if values is not None:
        assert m.value() == want_values[ids.index(target)]


def test_block_kinds_are_the_smallest() -> None:
    def flags(ids: list[int], weights: list[float], values: list[bytes] | None = None, fixedsize: int | None = 0) -> tuple[int, int, int, bool]:
        raw = encode_block(ids, weights, values, 0, fixedsize, None)
        f = BLOCK_HEAD.unpack_from(raw)[0]
        return f & 3, (f >> 2) & 7, (f >> 5) & 3, bool(f & 0x80)

    assert flags([1, 2, 300], [1.0] * 3)[:2] == (1, W_ONES)  # gaps up to 298: 2 bytes
    assert flags([1, 2, 3], [2.0] * 3)[:2] == (0, W_SAME)
    assert flags([0, 70_000], [1.0, 2.0])[:2] == (2, W_BYTES)
    assert flags([0, 1], [1.0, 300.0])[1] == W_SHORTS
    assert flags([0, 1], [1.0, 0.5])[1] == W_FLOATS
    assert flags([0, 1], [1.0, 2.0], [b"\0\0\0\1", b"\0\0\0\2"], 4)[2] == V_FREQUENCY
    assert flags([0, 1], [1.0, 2.0], [b"abcd", b"efgh"], 4)[2] == V_FIXED
    assert flags([0, 1], [1.0, 2.0], [b"\x05", b"\x06"], None)[2:] == (V_VARIABLE, False)  # (too short to compress)
    long_values = [news_codec.encode_positions(list(range(i, i + 40, 2))) for i in range(100)]
    assert flags(list(range(100)), [20.0] * 100, long_values, None)[2:] == (V_VARIABLE, True)
    assert flags([0, 1], [1.0, 1.0], [None, None], 0)[2] == V_NONE  # type: ignore[list-item]


def test_damaged_blocks_raise_corrupt_index() -> None:
    from whoosh.reading import CorruptIndexError

    ids, weights = list(range(0, 1000, 3)), [1.0] * 334
    encoded = _encode(ids, weights, None, 0, 128)
    info = _terminfo(ids, weights)
    with pytest.raises(CorruptIndexError):
        read_list(encoded[:-5], info, 128, 0)
    with pytest.raises((CorruptIndexError, zlib.error, ValueError)):
        read_list(encoded[:10] + b"\xff" * (len(encoded) - 10), info, 128, 0)


def test_document_numbers_in_bulk_equal_a_lookup_each(tmp_path: Path, w3_index: Path) -> None:
    """Article ids → document numbers read from the terms' headers (what collapsing copies
    uses) equal Whoosh's lookup of each id, after edits leave deleted copies of the same ids
    in older segments, and on segments of another codec."""
    import shutil

    from newssearch.store.reading import document_numbers

    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS / "wikinews", corpus)
    index_dir = tmp_path / "index"
    index_paths([corpus], str(index_dir), workers=1)
    edited = sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix in (".json", ".txt", ".jsonl"))[:3]
    for path in edited:
        path.write_text(path.read_text(encoding="utf-8").replace("the", "a", 1), encoding="utf-8")
    index_paths([corpus], str(index_dir), workers=1)
    for folder in (index_dir, w3_index):
        with _open(folder).searcher() as searcher:
            reader = searcher.reader()
            assert folder == w3_index or any(seg.has_deletions() for seg, _ in reader.leaf_readers())
            ids = [fields["id"] for _, fields in ((d, reader.stored_fields(d)) for d in reader.all_doc_ids()) if fields.get("kind") == "article"]
            assert len(ids) > 10
            expected = {i: searcher.document_number(id=i) for i in ids}
            assert document_numbers(reader, "id", [*ids, "no-such-article"]) == expected
