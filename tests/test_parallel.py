"""Parallel indexing: worker processes writing their own segments give the same index as one
process, across commits and segment rotations, and updates replace without duplicates."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

import newssearch.indexing.workers as indexing_workers
from newssearch import Searcher
from newssearch.indexing import index_paths
from newssearch.store.index import open_index

WORDS = "harbour council budget river election court energy railway treaty market strike reform".split()
NAMES = ["Jens Stoltenberg", "Maia Sandu", "Klaus Iohannis"]


def _corpus(root: Path, seed: int = 3) -> dict[str, int]:
    """3 JSONL files of 60 articles and 20 .txt files (200 articles); returns JSONL id → paragraphs."""
    rng = random.Random(seed)
    expected: dict[str, int] = {}
    root.mkdir(parents=True, exist_ok=True)
    n = 0
    for f in range(3):
        lines = []
        for _ in range(60):
            paragraphs = [f"{rng.choice(NAMES)} spoke about the {' '.join(rng.choices(WORDS, k=15))} case {n}." for _ in range(rng.randint(1, 4))]
            lines.append(json.dumps({"id": f"p-{n}", "title": f"{rng.choice(WORDS).title()} story {n}", "text": "\n\n".join(paragraphs),
                                     "published": f"2022-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", "source": rng.choice(["Reuters", "AP"])}))
            expected[f"p-{n}"] = len(paragraphs)
            n += 1
        (root / f"feed-{f}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for t in range(20):
        body = f"{rng.choice(NAMES)} visited the {' '.join(rng.choices(WORDS, k=20))} site.\n\nThe visit ended."
        (root / f"note-{t}.txt").write_text(f"Title: Note {t} on the {rng.choice(WORDS)}\nDate: 2023-01-{t + 1:02d}\n\n{body}\n", encoding="utf-8")
    return expected


def _content(index_dir: Path) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """(article id → paragraph documents, query → total, person facet counts)."""
    paragraphs: dict[str, int] = {}
    with open_index(str(index_dir)).searcher() as s:
        for fields in s.all_stored_fields():
            if fields["kind"] == "paragraph":
                paragraphs[fields["article_id"]] = paragraphs.get(fields["article_id"], 0) + 1
    with Searcher(index_dir) as s:
        totals = {q: s.search(q).total for q in ["harbour", "harbour council", '"river election"', "court OR treaty", "note"]}
        people = {v.value: v.count for v in s.search("", facets=["people"], facet_limit=0).facets["people"].values}
    return paragraphs, totals, people


@pytest.fixture(scope="module")
def single(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("single")
    _corpus(root / "corpus")
    index_paths([root / "corpus"], str(root / "index"), workers=1)
    return root / "corpus", root / "index"


def test_workers_write_the_same_index_as_one_process(single: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus, single_index = single
    # tiny pools (a new segment every ~1 MiB of postings) and a commit every 50 articles
    monkeypatch.setattr(indexing_workers, "pool_budget_mb", lambda processes=1: 1)
    report = index_paths([corpus], str(tmp_path / "index"), workers=2, commit_every=50)
    assert report.added == 200 and not report.skipped
    with open_index(str(tmp_path / "index")).searcher() as s:
        assert len(s.reader().leaf_readers()) > 4  # several commits and rotations happened
    paragraphs, totals, people = _content(tmp_path / "index")
    want_paragraphs, want_totals, want_people = _content(single_index)
    assert paragraphs == want_paragraphs and len(paragraphs) == 200
    assert totals == want_totals and totals["harbour"] > 0
    assert people == want_people and sum(people.values()) > 0


def test_parallel_update_replaces_a_file_without_duplicates(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    expected = _corpus(corpus)
    index_paths([corpus], str(tmp_path / "index"), workers=2, commit_every=40)
    feed = corpus / "feed-1.jsonl"
    lines = feed.read_text(encoding="utf-8").splitlines()
    changed = json.loads(lines[0])
    changed["text"] = "A new first paragraph about the harbour.\n\nAnd a second one."
    feed.write_text("\n".join([json.dumps(changed), *lines[1:-1]]) + "\n", encoding="utf-8")  # one changed, one gone
    report = index_paths([corpus], str(tmp_path / "index"), workers=2, commit_every=40)
    assert (report.updated, report.removed, report.added) == (59, 1, 0)
    paragraphs, _, _ = _content(tmp_path / "index")
    gone = json.loads(lines[-1])["id"]
    expected.pop(gone)
    expected[changed["id"]] = 2
    txt_ids = set(paragraphs) - set(expected)
    assert len(txt_ids) == 20 and all(paragraphs[i] == 2 for i in txt_ids)
    assert {k: v for k, v in paragraphs.items() if k in expected} == expected


def test_segment_builder_starts_a_new_segment_when_its_pool_is_full(tmp_path: Path) -> None:
    from newssearch.ingest import discover, read_file
    from newssearch.store.writer import IndexStore, SegmentBuilder, prepare

    corpus = tmp_path / "corpus"
    expected = _corpus(corpus)
    store = IndexStore(str(tmp_path / "index"))  # creates the index and holds its lock
    builder = SegmentBuilder(str(tmp_path / "index"), limitmb=0.05)
    for file in discover([str(corpus)]).files:
        for article in read_file(file).articles:
            prepared = prepare(article, "digest")
            builder.add(prepared)
            store.record(prepared.written())
    segments = builder.finish()
    assert len(segments) >= 3
    assert builder.finish() == []  # nothing written since
    store.commit(segments=segments)
    paragraphs, totals, _ = _content(tmp_path / "index")
    assert {k: v for k, v in paragraphs.items() if k in expected} == expected
    assert len(paragraphs) == 200 and totals["harbour"] > 0
