"""Posting blocks are pickled with the current protocol and stored uncompressed
(store/blocks.py), and segments pickled with Whoosh's protocol 2 and compressed (indexes
written before) stay readable beside them."""

from __future__ import annotations

import pickle
import shutil
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index
from whoosh.codec import whoosh3

from newssearch import Searcher
from newssearch.indexing import index_paths
from newssearch.store import blocks
from newssearch.store.blocks import block_protocol
from newssearch.store.index import INDEX_NAME

FIXTURES = Path(__file__).parent / "fixtures"


def _matchers(index_dir: Path, fieldname: str, word: str) -> Iterator[Any]:
    """A posting matcher of ``word`` in each segment that has it."""
    ix = whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME)
    with ix.reader() as reader:
        for seg, _ in reader.leaf_readers():
            if (fieldname, word) in seg:
                yield seg.postings(fieldname, word)


def _block_protocols(index_dir: Path, fieldname: str, word: str) -> list[int]:
    """The pickle protocol of the first block of ``word`` in each segment that has it."""
    out = []
    for m in _matchers(index_dir, fieldname, word):
        data = m._postfile.get(m._dataoffset, m._nextoffset - m._dataoffset)
        out.append(block_protocol(zlib.decompress(data) if m._compression else data))
    return out


def _block_compressions(index_dir: Path, fieldname: str, word: str) -> list[int]:
    """The zlib level of each block of ``word``, segment after segment."""
    out = []
    for m in _matchers(index_dir, fieldname, word):
        while True:
            out.append(m._compression)
            if m._lastblock:
                break
            m._goto(m._nextoffset)
    return out


def test_blocks_use_the_current_protocol(shared_index: Path) -> None:
    # "kyiv" is in the seed article's body and paragraphs: positional fields, bytes values
    assert _block_protocols(shared_index, "body", "kyiv") == [pickle.HIGHEST_PROTOCOL]
    assert _block_protocols(shared_index, "text", "kyiv") == [pickle.HIGHEST_PROTOCOL]


def test_protocol_2_segments_read_beside_new_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    shutil.copy(FIXTURES / "seed" / "2023-04-20-stoltenberg-kyiv.txt", old / "seed.txt")
    shutil.copytree(FIXTURES / "corpus", new / "corpus")
    out = tmp_path / "index"
    with monkeypatch.context() as m:
        m.setattr(whoosh3, "dumps", pickle.dumps)  # Whoosh's own: the protocol it asks for, 2
        m.setattr(blocks, "BLOCK_COMPRESSION", 3)  # and Whoosh's default compression
        index_paths([old], str(out), workers=1)
    assert _block_protocols(out, "body", "kyiv") == [2]
    assert set(_block_compressions(out, "text", "said")) == {3}
    index_paths([old, new], str(out), workers=1)  # a second segment, current protocol, uncompressed
    assert sorted(_block_protocols(out, "body", "said")) == [2, pickle.HIGHEST_PROTOCOL]
    assert set(_block_compressions(out, "text", "said")) == {0, 3}
    fresh = tmp_path / "fresh"
    index_paths([old, new], str(fresh), workers=1)  # the same files, current protocol only
    with Searcher(out) as mixed, Searcher(fresh) as current:
        result = mixed.search('"secretary general" Kyiv')
        assert [h.path.endswith("seed.txt") for h in result.hits] == [True]
        for query in ("said", '"secretary general"', "police OR nato", "ukraine -kyiv"):
            got, want = mixed.search(query), current.search(query)
            assert got.total == want.total and got.total > 0
            assert [(h.id, round(h.score, 9)) for h in got.hits] == [(h.id, round(h.score, 9)) for h in want.hits]


CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("blocks") / "index"
    index_paths([CORPUS], str(out), workers=1)
    return out


def test_blocks_are_stored_uncompressed(corpus_index: Path) -> None:
    # "said" is in most paragraphs: full 128-posting blocks, which Whoosh would compress
    levels = _block_compressions(corpus_index, "text", "said")
    assert len(levels) > 1 and set(levels) == {0}


def test_block_reader_equals_whoosh_matcher(corpus_index: Path) -> None:
    """search.postings.read_postings decodes whole blocks itself: it must give what
    stepping Whoosh's matcher gives, for every term of fields of each kind of format."""
    from newssearch.search.postings import read_postings

    ix = whoosh_index.open_dir(str(corpus_index), indexname=INDEX_NAME)
    multi_block = 0
    with ix.reader() as reader:
        for seg, _ in reader.leaf_readers():
            for fieldname in ("body", "text", "title", "person", "source", "kind"):
                for btext in seg.lexicon(fieldname):
                    m = seg.postings(fieldname, btext)
                    want: tuple[list[int], list[float], list[object]] = ([], [], [])
                    while m.is_active():
                        want[0].append(m.id())
                        want[1].append(m.weight())
                        want[2].append(m.value())
                        m.next()
                    assert read_postings(seg, fieldname, btext, values=True) == want, (fieldname, btext)
                    multi_block += len(want[0]) > 128
    assert multi_block > 10  # lists of several blocks were compared


def _dump(index_dir: Path) -> dict[str, object]:
    """Everything a search reads from an index: per term its postings and statistics, per
    document its stored fields and field lengths."""
    ix = whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME)
    out: dict[str, object] = {}
    with ix.reader() as reader:
        for fieldname, btext in reader.all_terms():
            ti = reader.term_info(fieldname, btext)
            m = reader.postings(fieldname, btext)
            postings = []
            blocks = []  # each block's header: postings, last document, top weight, length bytes
            while m.is_active():
                if hasattr(m, "_blocklength") and (not blocks or blocks[-1][1] != m._maxid):
                    blocks.append((m._blocklength, m._maxid, m._maxweight, m._minlength, m._maxlength))
                postings.append((m.id(), m.weight(), m.value()))
                m.next()
            stats = (ti.weight(), ti.doc_frequency(), ti.min_length(), ti.max_length(), ti.max_weight(), ti.min_id(), ti.max_id())
            out[f"{fieldname}:{btext!r}"] = (stats, postings, blocks)
        for docnum in range(reader.doc_count_all()):
            lengths = {f: reader.doc_field_length(docnum, f) for f in ("title", "body", "text", "person")}
            out[f"doc {docnum}"] = (reader.stored_fields(docnum), lengths)
    return out


def test_fast_segment_writer_writes_what_whoosh_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """store.writer.FastSegmentWriter (lean pool, field lengths read once) must give the
    same index as Whoosh's own SegmentWriter."""
    from whoosh.writing import SegmentWriter

    from newssearch.store import writer as store_writer

    fast, plain = tmp_path / "fast", tmp_path / "plain"
    index_paths([CORPUS], str(fast), workers=1)
    with monkeypatch.context() as m:
        m.setattr(store_writer, "FastSegmentWriter", SegmentWriter)
        index_paths([CORPUS], str(plain), workers=1)
    got, want = _dump(fast), _dump(plain)
    assert len(got) > 10_000
    assert got == want


def test_block_reader_skips_blocks_without_wanted_documents(corpus_index: Path) -> None:
    from newssearch.search.postings import read_postings

    ix = whoosh_index.open_dir(str(corpus_index), indexname=INDEX_NAME)
    skipped = 0
    with ix.reader() as reader:
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
