"""The .txt and JSON/JSONL readers and the folder walk."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import pytest
from conftest import SEED

from newssearch.errors import InputError
from newssearch.extracting import extract
from newssearch.ingest import discover, read_file
from newssearch.ingest.jsonfmt import read_json, read_jsonl
from newssearch.ingest.txt import read as read_txt


def test_txt_header_block_is_read_case_insensitively() -> None:
    data = b"title: Storm hits coast\nDATE: 2021-03-04\nSource: Daily Planet\nurl: https://example.org/a\nAuthor: Lois Lane and Clark Kent\nLanguage: en\n\nFirst paragraph.\n\nSecond\nparagraph."
    [article] = read_txt(data, "a.txt")
    assert article.title == "Storm hits coast"
    assert article.published_text == "2021-03-04"
    assert article.source == "Daily Planet"
    assert article.url == "https://example.org/a"
    assert article.authors == ["Lois Lane", "Clark Kent"]
    assert article.language == "en"
    assert article.paragraphs == ["First paragraph.", "Second paragraph."]


def test_txt_headline_first_line_becomes_title() -> None:
    [article] = read_txt(b"Floods close schools in Iasi\n\nHeavy rain closed 40 schools on Monday.\n", "b.txt")
    assert article.title == "Floods close schools in Iasi"
    assert article.paragraphs == ["Heavy rain closed 40 schools on Monday."]


def test_txt_without_header_takes_title_from_first_sentence() -> None:
    [article] = read_txt(SEED.read_bytes(), str(SEED))
    assert article.title.startswith("NATO Secretary General Jens Stoltenberg is on Thursday in his first visit")
    assert article.paragraphs[0].startswith("NATO Secretary General Jens Stoltenberg is on Thursday")
    assert len(article.paragraphs) == 26
    assert article.published_text is None


def test_txt_colon_in_first_line_is_not_a_header() -> None:
    [article] = read_txt(b"Breaking: parliament dissolved\n\nThe president dissolved parliament.", "c.txt")
    assert article.title == "Breaking: parliament dissolved"
    assert article.source is None


def test_txt_latin1_and_cp1250_are_decoded() -> None:
    text = "Title: Ştiri din Braşov\n\nPrimăria a anunţat că străzile vor fi închise. Ţară, înţelegere, şi şcoală."
    [article] = read_txt(text.encode("cp1250"), "ro.txt")
    assert article.title == "Ştiri din Braşov"
    assert "străzile" in article.paragraphs[0]
    [latin] = read_txt("Le président a déclaré que l'été serait chaud. Señor Muñoz était là.".encode("latin-1"), "fr.txt")
    assert "président" in latin.paragraphs[0] and "Muñoz" in latin.paragraphs[0]


def test_txt_binary_junk_is_rejected_with_reason() -> None:
    with pytest.raises(InputError, match="binary file"):
        list(read_txt(bytes(range(256)) * 20, "junk.txt"))


def test_json_object_and_list() -> None:
    obj = {"id": "x1", "title": "T", "body": ["p1", "p2"], "date": "2020-01-02", "authors": "Ann Author"}
    [article] = list(read_json(json.dumps(obj).encode(), "one.json"))
    assert (article.id, article.paragraphs, article.published_text, article.authors) == ("x1", ["p1", "p2"], "2020-01-02", ["Ann Author"])
    items = list(read_json(json.dumps([obj, {"title": "no text"}, 7]).encode(), "list.json"))
    assert isinstance(items[0], object) and items[0].id == "x1"
    assert [str(e) for e in items[1:]] == [
        "list.json: item 1: no 'text' or 'body' field",
        "list.json: item 2: expected an article object, got int",
    ]


def test_json_of_wrong_shape_is_an_error() -> None:
    with pytest.raises(InputError, match="wrong shape"):
        list(read_json(b'"just a string"', "s.json"))
    with pytest.raises(InputError, match="invalid JSON"):
        list(read_json(b'{"title": ', "broken.json"))


def test_jsonl_broken_line_is_reported_and_others_kept() -> None:
    lines = [
        json.dumps({"id": "a", "title": "A", "text": "alpha text"}),
        '{"id": "b", "title": "B", "text": ',
        "",
        json.dumps({"id": "c", "title": "C", "text": "gamma one\n\ngamma two"}),
    ]
    items = list(read_jsonl("\n".join(lines).encode(), "feed.jsonl"))
    good = [i for i in items if not isinstance(i, InputError)]
    bad = [i for i in items if isinstance(i, InputError)]
    assert [a.id for a in good] == ["a", "c"]
    assert good[1].paragraphs == ["gamma one", "gamma two"]
    assert len(bad) == 1 and bad[0].where == "feed.jsonl:2" and bad[0].reason.startswith("invalid JSON")


def test_ids_are_stable_across_runs(corpus: Path) -> None:
    first = [a.id for a in extract([corpus]) if not isinstance(a, InputError)]
    second = [a.id for a in extract([corpus]) if not isinstance(a, InputError)]
    assert first == second and len(set(first)) == 5
    assert "wn-navalny" in first


def test_walk_is_recursive_skips_unknown_and_reads_gzip(tmp_path: Path) -> None:
    (tmp_path / "deep" / "er").mkdir(parents=True)
    (tmp_path / "deep" / "er" / "x.txt").write_text("Title: Deep\n\nDeep text.", encoding="utf-8")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    (tmp_path / "notes.md").write_text("# notes")
    with gzip.open(tmp_path / "z.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "gz", "title": "Zipped", "text": "zipped text"}) + "\n")
    found = discover([tmp_path])
    assert sorted(Path(f.path).name for f in found.files) == ["x.txt", "z.jsonl.gz"]
    assert sorted((Path(e.path).name, e.reason) for e in found.skipped) == [("notes.md", "unknown file type"), ("photo.jpg", "unknown file type")]
    [gz] = [f for f in found.files if f.path.endswith(".gz")]
    assert [a.title for a in read_file(gz).articles] == ["Zipped"]


def test_extract_enriches_publication_date_from_file_name(corpus: Path) -> None:
    [seed] = [a for a in extract([corpus / "hotnews"])]
    assert not isinstance(seed, InputError)
    assert seed.published == dt.date(2023, 4, 20)
