"""Per-language analysis (Snowball stems, stop words, folding) on the index and the query side.

All text here is written for these tests (no news or corpus text is copied).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newssearch import Searcher, index_paths
from newssearch.store.analysis import analysis_for
from newssearch.store.schema import term_positions, term_spans

ROWS = [
    {"id": "ro-putin", "language": "ro", "title": "Declarația de la Kremlin",
     "text": "Vladimir Putin a declarat joi că Rusia va continua operațiunea. Putin a vorbit la televizor despre sancțiuni."},
    {"id": "ro-putin-mic", "language": "ro", "title": "Vremea de mâine",
     "text": "Mâine va ploua puțin în nordul țării, iar temperaturile vor scădea puțin față de azi. Puțin după prânz revine soarele."},
    {"id": "ro-guvern", "language": "ro", "title": "Ședința Guvernului",
     "text": "Şedinţa de guvern a avut loc la Palatul Victoria din București. Miniștrii Guvernului au discutat despre secetă și fermieri."},
    {"id": "ro-seceta", "language": "ro", "title": "Seceta lovește agricultura",
     "text": "Fermierii din sudul țării spun că seceta din această vară le-a distrus recoltele de porumb."},
    {"id": "de-fussball", "language": "de", "title": "Fußball am Wochenende",
     "text": "Thomas Müller hat am Samstag zwei Tore geschossen. Der Fußballverein feierte den Sieg mit den Fans im Stadion."},
    {"id": "en-putin", "language": "en", "title": "Kremlin statement",
     "text": "Vladimir Putin said on Thursday that Russia would keep running its operation despite the sanctions."},
    {"id": "xx-ops", "title": "Plain", "text": "Operations."},
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("langs")
    corpus = root / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in ROWS) + "\n", encoding="utf-8")
    index_paths([corpus], str(root / "ix"), workers=1)
    return str(root / "ix")


def ids(index: str, query: str, **options: object) -> list[str]:
    with Searcher(index) as s:
        return [h.id for h in s.search(query, limit=20, **options).hits]


def test_languages_were_analysed_their_own_way(index: str) -> None:
    with Searcher(index) as s:
        langs = {h.id: h.language for h in s.search("*", limit=20).hits}
    assert langs["ro-guvern"] == "ro" and langs["de-fussball"] == "de" and langs["en-putin"] == "en"


def test_putin_does_not_drown_in_putin_the_word(index: str) -> None:
    # "puțin" (a little) folds to "putin": typed without diacritics, the name is meant
    assert sorted(ids(index, "Putin")) == ["en-putin", "ro-putin"]
    # typed with them, the word is meant first, the folded matches after it
    found = ids(index, "puțin", language="ro")
    assert found[0] == "ro-putin-mic" and set(found) == {"ro-putin-mic", "ro-putin"}


def test_romanian_without_diacritics_finds_the_written_words(index: str) -> None:
    assert ids(index, "Bucuresti") == ["ro-guvern"] == ids(index, "București")
    assert ids(index, "sedinta") == ["ro-guvern"] == ids(index, "ședința")  # the text writes "Şedinţa" (cedillas)
    assert ids(index, '"ședința de guvern"') == ["ro-guvern"]


def test_romanian_stems(index: str) -> None:
    assert ids(index, "guvern") == ids(index, "Guvernului") == ["ro-guvern"]
    assert sorted(ids(index, "secetă fermieri")) == ["ro-guvern", "ro-seceta"]
    assert sorted(ids(index, "secet* fermier*")) == ["ro-guvern", "ro-seceta"]


def test_german_sharp_s_and_umlauts(index: str) -> None:
    assert ids(index, "Fussball") == ids(index, "Fußball") == ["de-fussball"]
    assert ids(index, "Mueller") == ids(index, "Müller") == ["de-fussball"]


def test_english_and_unknown_languages_keep_the_original_analysis(index: str) -> None:
    assert sorted(ids(index, "operational")) == ["en-putin", "xx-ops"]  # (Porter: "oper")
    text = "The ministers were running late for the meeting in Bucharest."
    assert term_positions(text, language="en") == term_positions(text) == term_positions(text, language="xx")
    assert analysis_for("en") is None and analysis_for(None) is None and analysis_for("zz") is None


def test_a_romanian_word_does_not_answer_an_english_one_spelt_alike() -> None:
    ro = term_positions("Ministrul are grijă de fermieri.", language="ro")
    assert set(ro) == {"ro:ministr", "ro:grij", "ro:fermier"}  # ("are", "de" are stop words)
    assert term_positions("Putin a spus puțin.", language="ro") == {
        "ro:putin": [0, 2], "ro=putin": [0], "ro:spus": [1], "ro=puțin": [2],
    }


def test_romanian_snippets_mark_the_words_of_their_language(index: str) -> None:
    with Searcher(index) as s:
        hit = s.search("guvern", limit=1).hits[0]
    marked = {hit.snippets[0].text[a:b] for a, b in hit.snippets[0].highlights}
    assert marked >= {"guvern", "Guvernului"}
    spans = [(t, text) for t, a, b in term_spans("Guvernului", language="ro") for text in ["Guvernului"[a:b]]]
    assert spans == [("ro:guvern", "Guvernului")]


def test_similar_articles_in_romanian(index: str) -> None:
    with Searcher(index) as s:
        found = [h.id for h in s.similar("ro-seceta").hits]
    assert found and found[0] == "ro-guvern"


def test_an_index_of_english_only_asks_for_english_forms(tmp_path: Path) -> None:
    corpus = tmp_path / "en.jsonl"
    corpus.write_text(json.dumps(ROWS[5]) + "\n", encoding="utf-8")
    index_paths([corpus], str(tmp_path / "ix"), workers=1)
    with Searcher(str(tmp_path / "ix")) as s:
        assert repr(s._parser.parse("operations Putin")) == "And([Term('body', 'oper'), Term('body', 'putin')])"


def test_a_romanian_phrase_is_marked_as_one_span(index: str) -> None:
    with Searcher(index) as s:
        hit = s.search('"ședința de guvern"', limit=1).hits[0]
    snippet = hit.snippets[0]
    assert [snippet.text[a:b] for a, b in snippet.highlights] == ["Şedinţa de guvern"]
