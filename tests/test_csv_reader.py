"""The CSV/TSV reader: columns by name or mapping, header-less files, bad rows, big fields.

``fixtures/csv/wikinews-2020.csv`` is a shortened sample of the published Wikinews CSV
(header ``url,date,title,text``; CC BY 2.5, see ``fixtures/README.md``).
"""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import pytest

from newssearch.errors import InputError
from newssearch.ingest import csvfmt, discover, read_file
from newssearch.ingest.csvfmt import parse_columns, read_csv, read_tsv, split_author_cell
from newssearch.model import Article, stable_id

WIKINEWS = Path(__file__).parent / "fixtures" / "csv" / "wikinews-2020.csv"


def split(items) -> tuple[list[Article], list[InputError]]:
    items = list(items)
    return [i for i in items if isinstance(i, Article)], [i for i in items if isinstance(i, InputError)]


def table(rows: list[list[str]], delimiter: str = ",") -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def test_wikinews_csv_is_read_row_by_row() -> None:
    articles, errors = split(read_csv(WIKINEWS.read_bytes(), str(WIKINEWS)))
    assert errors == []
    assert len(articles) == 6
    first = articles[0]
    assert first.title == "Samoan government ends state of emergency over measles outbreak"
    assert first.published_text == "2020-01-01"
    assert first.url == "https://en.wikinews.org//wiki/Samoan_government_ends_state_of_emergency_over_measles_outbreak"
    assert len(first.paragraphs) == 3  # "\n\n\n" separates paragraphs, newlines inside a quoted field
    assert first.paragraphs[0].startswith("On Sunday, the state of emergency begun on November 15 over a measles outbreak ended in Samoa.")
    assert first.paragraphs[2].startswith("As of Sunday, the Disease Surveillance Team reported a total of 5667 cases")
    assert [a.title for a in articles][-1] == "Wikinews interviews Phil Collins, U.S. Prohibition Party presidential nominee"
    # no id column: ids stable by path and row number
    assert first.id == stable_id(str(WIKINEWS), "1")
    assert articles[5].id == stable_id(str(WIKINEWS), "6")
    assert len({a.id for a in articles}) == 6


def test_usual_column_names_any_case_and_order() -> None:
    data = table([
        ["ID", "Headline", "Body", "Publish Date", "Outlet", "Link", "Byline", "Lang", "Section"],
        ["a-1", "Dam opens", "First paragraph.\n\nSecond paragraph.", "2024-03-05", "River Post", "https://r.example/a", "Ann Lee; Bo Chen", "en", "Local"],
    ])
    [article] = read_csv(data, "t.csv")
    assert article.id == "a-1"
    assert article.title == "Dam opens"
    assert article.paragraphs == ["First paragraph.", "Second paragraph."]
    assert article.published_text == "2024-03-05"
    assert article.source == "River Post"
    assert article.url == "https://r.example/a"
    assert article.authors == ["Ann Lee", "Bo Chen"]
    assert article.language == "en"


def test_text_preferred_to_description_when_both_are_there() -> None:
    data = table([["title", "description", "text"], ["T", "A teaser.", "The full story."]])
    [article] = read_csv(data, "t.csv")
    assert article.paragraphs == ["The full story."]


def test_explicit_column_mapping_by_header_name() -> None:
    data = table([["Kopf", "Inhalt", "Date", "text"], ["Brücke offen", "Die Brücke ist offen.", "2024-03-05", "not this"]])
    [article] = read_csv(data, "t.csv", columns={"title": "kopf", "text": "Inhalt"})
    assert article.title == "Brücke offen"
    assert article.paragraphs == ["Die Brücke ist offen."]
    assert article.published_text == "2024-03-05"  # the other fields still found by name


def test_mapped_column_missing_from_header_is_a_file_error() -> None:
    data = table([["title", "text"], ["T", "Body."]])
    with pytest.raises(InputError, match="no column 'Body' for text"):
        list(read_csv(data, "t.csv", columns={"text": "Body"}))


def test_semicolon_separated_csv_is_recognised_by_its_header() -> None:
    data = table([["title", "text", "date"], ["Rathaus, neu", "Der Rat tagt, wie immer.", "05.03.2024"]], delimiter=";")
    [article] = read_csv(data, "t.csv")
    assert article.title == "Rathaus, neu"
    assert article.paragraphs == ["Der Rat tagt, wie immer."]


def test_tsv() -> None:
    data = b"title\ttext\turl\nHarbour reopens\tThe harbour reopened on Monday.\thttps://h.example/1\n"
    [article] = read_tsv(data, "t.tsv")
    assert (article.title, article.paragraphs, article.url) == ("Harbour reopens", ["The harbour reopened on Monday."], "https://h.example/1")


def test_headerless_file_is_refused_with_a_clear_reason() -> None:
    # the AG News layout: class,title,description, no header
    data = table([["3", "Fears for pension after talks", "Unions say they are disappointed."], ["4", "Probe finds ice", "A probe found ice."]])
    with pytest.raises(InputError) as info:
        list(read_csv(data, "ag.csv"))
    assert info.value.reason.startswith("no header row naming a text column (text/body/content/description): the first row is ")
    assert "'3', 'Fears for pension after talks'" in info.value.reason
    assert "title=2,text=3" in info.value.reason


def test_headerless_file_read_with_column_numbers() -> None:
    data = table([["3", "Fears for pension after talks", "Unions say they are disappointed."], ["4", "Probe finds ice", "A probe found ice."], ["1", "Short"]])
    articles, errors = split(read_csv(data, "ag.csv", columns={"title": 2, "text": 3}))
    assert [a.title for a in articles] == ["Fears for pension after talks", "Probe finds ice"]  # the first row is data
    assert articles[1].paragraphs == ["A probe found ice."]
    assert [(e.line, e.reason) for e in errors] == [(3, "too few fields: 2, column 3 is needed")]


def test_bad_rows_are_skipped_with_line_and_reason() -> None:
    romanian = "Primăria din Brașov a anunțat că ședința consiliului începe mâine, în sala mare. " * 4
    data = (
        "url,date,title,text\r\n"
        f'https://x.example/1,2024-01-01,One,"{romanian}\r\nacross lines."\r\n'
        "https://x.example/2,2024-01-02,Two\r\n"  # a field missing
        'https://x.example/3,2024-01-03,Three,"Third body.",extra\r\n'  # one too many
        "https://x.example/4,2024-01-04,Four,\r\n"  # no text
        "\r\n"  # blank line: ignored
        "https://x.example/5,2024-01-05,Five,Fifth body.\r\n"
        "https://x.example/6,2024-01-06,Six,Sixth body BROKEN.\r\n"
        "https://x.example/7,2024-01-07,Seven,Seventh body.\r\n"
    ).encode().replace(b"BROKEN", b"\xe9\xff")  # not UTF-8 in a UTF-8 file
    articles, errors = split(read_csv(data, "bad.csv"))
    assert [a.title for a in articles] == ["One", "Five", "Seven"]
    assert articles[0].paragraphs == [romanian.strip() + " across lines."]
    assert [(e.where, e.reason) for e in errors] == [
        ("bad.csv:4", "wrong number of fields: 3, the header has 4"),
        ("bad.csv:5", "wrong number of fields: 5, the header has 4"),
        ("bad.csv:6", "empty text"),
        ("bad.csv:9", "bytes that are not text in the file's encoding"),
    ]
    # ids follow the row's position among the records (blank lines not counted), not its line
    assert articles[1].id == stable_id("bad.csv", "5")
    assert articles[2].id == stable_id("bad.csv", "7")


def test_legacy_encoding_file_is_decoded() -> None:
    data = table([["title", "text"], ["Café reopens", "The café on Rue Émile reopened; crème brûlée is back."]])
    [article] = read_csv(data.decode("utf-8").encode("cp1252"), "t.csv")
    assert article.title == "Café reopens"
    assert "crème brûlée" in article.paragraphs[0]


def test_bom_and_utf16() -> None:
    data = table([["Title", "Text"], ["Zi nouă", "Primăria a anunțat ședința."]])
    [a] = read_csv(b"\xef\xbb\xbf" + data, "t.csv")
    [b] = read_csv(data.decode("utf-8").encode("utf-16"), "t.csv")
    assert a.title == b.title == "Zi nouă"
    assert b.paragraphs == ["Primăria a anunțat ședința."]


def test_huge_field_stops_the_file_with_a_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csvfmt, "MAX_FIELD_CHARS", 1000)
    data = b'title,text\r\nOne,First.\r\nTwo,"' + b"unclosed quote swallowing the rest " * 100 + b"\r\nThree,Third.\r\n"
    articles, errors = split(read_csv(data, "big.csv"))
    assert [a.title for a in articles] == ["One"]
    [err] = errors
    assert err.line == 3
    assert "a field longer than" in err.reason and "the rest of the file was not read" in err.reason


def test_oversize_row_is_skipped_and_the_next_ones_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csvfmt, "MAX_ROW_CHARS", 500)
    data = table([["title", "text"], ["One", "First."], ["Two", "long " * 200], ["Three", "Third."]])
    articles, errors = split(read_csv(data, "big.csv"))
    assert [a.title for a in articles] == ["One", "Three"]
    assert [(e.line, e.reason) for e in errors] == [(3, "row too large (1,003 characters; limit 500)")]


def test_field_size_limit_is_raised_for_long_articles() -> None:
    text = "word " * 60_000  # 300,000 characters: over csv's default limit of 131,072
    data = table([["title", "text"], ["Long", text]])
    [article] = read_csv(data, "long.csv")
    assert len(article.paragraphs[0]) > 290_000


def test_whole_file_errors() -> None:
    with pytest.raises(InputError, match="empty file"):
        list(read_csv(b"\n\n", "e.csv"))
    with pytest.raises(InputError, match="no rows after the header"):
        list(read_csv(b"title,text\r\n", "h.csv"))
    with pytest.raises(InputError, match="binary file"):
        list(read_csv(b"PK\x03\x04\x00\x00binary", "z.csv"))


def test_parse_columns() -> None:
    assert parse_columns("title=Headline, text=Body") == {"title": "Headline", "text": "Body"}
    assert parse_columns("title=2,text=3") == {"title": 2, "text": 3}
    for bad, message in [
        ("headline=Title", "unknown field"),
        ("title", "expected FIELD=COLUMN"),
        ("title=2,text=Body", "either all by header name or all by number"),
        ("title=2", "needs the number of its text column"),
        ("text=0", "start at 1"),
    ]:
        with pytest.raises(ValueError, match=message):
            parse_columns(bad)


def test_split_author_cell() -> None:
    assert split_author_cell("Ann Lee, Bo Chen") == ["Ann Lee", "Bo Chen"]
    assert split_author_cell("Lee, Ann") == ["Lee, Ann"]
    assert split_author_cell("Ann Lee | Bo Chen;Cy Dee") == ["Ann Lee", "Bo Chen", "Cy Dee"]


def test_csv_gz_and_tsv_are_discovered_as_batch_files(tmp_path: Path) -> None:
    (tmp_path / "a.csv.gz").write_bytes(gzip.compress(WIKINEWS.read_bytes()))
    (tmp_path / "b.tsv").write_bytes(b"title\ttext\nT\tBody text.\n")
    found = discover([tmp_path])
    assert [(Path(f.path).name, f.suffix, f.batch) for f in found.files] == [("a.csv.gz", ".csv", True), ("b.tsv", ".tsv", True)]
    result = read_file(found.files[0])
    assert len(result.articles) == 6 and not result.errors
