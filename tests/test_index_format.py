"""The index format is newssearch's own (store/codec.py): an index made in the format before
it (schema version 4, Whoosh's W3 codec; tests/fixtures/index-schema4, made by that code) is
refused with the "run `index --rebuild`" error (exit 3), and rebuilt; the codec is recorded in
the index's table of contents; stored fields and field lengths read back."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from newssearch import Searcher
from newssearch.cli import cli
from newssearch.errors import IndexVersionError
from newssearch.store.schema import SCHEMA_VERSION

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def old_index(tmp_path: Path) -> Path:
    index = tmp_path / "index"
    shutil.copytree(FIXTURES / "index-schema4", index)
    os.chmod(index, 0o755)
    for name in os.listdir(index):
        os.chmod(index / name, 0o644)
    return index


def test_the_fixture_is_in_the_old_format(old_index: Path) -> None:
    assert json.loads((old_index / "newssearch.json").read_text(encoding="utf-8"))["schema_version"] == 4 < SCHEMA_VERSION
    toc = next(old_index.glob("_MAIN_*.toc")).read_bytes()
    assert b"whoosh.codec.whoosh3" in toc and b"newssearch.store.codec" not in toc


def test_an_old_format_index_says_rebuild(old_index: Path, tmp_path: Path) -> None:
    with pytest.raises(IndexVersionError) as err:
        Searcher(old_index)
    assert err.value.exit_code == 3 and "--rebuild" in (err.value.hint or "")
    runner = CliRunner()
    for args in (["query", "kyiv"], ["stats"], ["index", str(FIXTURES / "seed")]):
        result = runner.invoke(cli, [*args, "--index", str(old_index)])
        assert result.exit_code == 3, (args, result.output)
        lines = result.stderr.splitlines()
        assert len(lines) == 2 and lines[0].startswith("Error: ") and "schema version 4" in lines[0]
        assert lines[1].startswith("Hint: ") and "index --rebuild" in lines[1]
    result = runner.invoke(cli, ["index", "--rebuild", "--json", "--index", str(old_index), str(FIXTURES / "seed")])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["added"] == 1
    with Searcher(old_index) as searcher:
        hits = searcher.search('"secretary general" kyiv').hits
        assert len(hits) == 1 and "Stoltenberg" in hits[0].title
    toc = max(old_index.glob("_MAIN_*.toc")).read_bytes()
    assert b"newssearch.store.codec" in toc and b"NewsCodec" in toc


def test_stored_fields_and_lengths_read_back(corpus_index: Path) -> None:
    """Stored fields are compressed in chunks of neighbouring documents: every document reads
    back whole, whichever chunk it is in and in whatever order documents are read."""
    from whoosh import index as whoosh_index

    index = corpus_index
    with Searcher(index) as searcher:
        ids = [h.id for h in searcher.search("said", limit=50).hits]
        articles = {i: searcher.article(i) for i in ids}
    ix = whoosh_index.open_dir(str(index), indexname="MAIN")
    with ix.reader() as reader:
        count = reader.doc_count_all()
        forward = [reader.stored_fields(d) for d in range(count)]
        backward = [reader.stored_fields(d) for d in reversed(range(count))][::-1]
        assert forward == backward
        assert sum(1 for f in forward if f.get("kind") == "article") > 100
        chunks = 0
        for seg, _ in reader.leaf_readers():
            files = [name for name in seg.storage().list() if name.endswith(".sto")]
            assert len(files) == 1
            chunks += 1
        assert chunks >= 1
        paragraphs = [f for f in forward if f.get("kind") == "paragraph"]
        by_article: dict[str, list[tuple[int, str]]] = {}
        for f in paragraphs:
            by_article.setdefault(f["article_id"], []).append((f["pos"], f["text"]))
        for article_id, article in articles.items():
            assert [t for _, t in sorted(by_article[article_id])] == list(article.paragraphs)
        # a scorable field has a length per document, the others none
        lengths = [reader.doc_field_length(d, "text") for d in range(count)]
        assert all((n or 0) > 0 for n, f in zip(lengths, forward) if f.get("kind") == "paragraph" and f.get("text", "").strip())
        assert reader.doc_field_length(0, "source") == 0
        assert reader.field_length("text") >= sum(n or 0 for n in lengths) * 0.9
