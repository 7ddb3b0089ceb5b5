"""Languages (detection, normalisation) and people found by language: Romanian model,
name lists for languages without a model, the corpus registry across languages.

All text here is written for these tests (no news or corpus text is copied).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newssearch import Searcher, index_paths
from newssearch.enrich import enrich
from newssearch.enrich.language import article_language, detect_language, normalise_language
from newssearch.enrich.people import PeopleRegistry, extract_people, people_method, person_key
from newssearch.evals.train_people_ro import gold_names, surname_key
from newssearch.model import Article, Person

RO_TEXT = (
    "Președintele Klaus Iohannis a declarat joi că România va sprijini Ucraina până la capăt. "
    "Potrivit lui Iohannis, premierul Nicolae Ciucă va merge săptămâna viitoare la Bruxelles, "
    "unde se va întâlni cu liderii europeni pentru a discuta despre securitatea energetică."
)
DE_TEXT = (
    "Dann kam das Haus ins Gespräch, und im Jahr darauf sprach Angela Merkel mit den Kindern "
    "über die Kosten. Die Rolle der Familie war dabei wichtig, sagte Merkel am Ende des Tages."
)
EN_TEXT = (
    "The prime minister said on Tuesday that the government would publish its plans for the "
    "health service next month, after weeks of talks with unions and hospital managers."
)


def names(people: list[Person]) -> set[str]:
    return {p.name for p in people}


# ----------------------------------------------------------------------------- languages


@pytest.mark.parametrize("declared, code", [
    ("en", "en"), ("en-US", "en"), ("ro-RO", "ro"), ("ro_RO", "ro"), ("English", "en"), ("Română", "ro"),
    ("romanian", "ro"), ("Deutsch", "de"), ("deu", "de"), ("ger", "de"), ("fr-FR,fr;q=0.9", "fr"),
    ("pt-BR", "pt"), ("zh-Hant-TW", "zh"), ("", None), (None, None), ("xx", None), ("klingon", None),
])
def test_declared_languages_are_normalised(declared: str | None, code: str | None) -> None:
    assert normalise_language(declared) == code


def test_detection_of_romanian_german_english() -> None:
    assert detect_language(RO_TEXT) == "ro"
    assert detect_language(DE_TEXT) == "de"
    assert detect_language(EN_TEXT) == "en"
    assert detect_language("Klaus Iohannis") is None  # too short to tell


def test_declared_language_wins_except_a_web_pages_default() -> None:
    a = Article(id="1", title="", paragraphs=[DE_TEXT], language="English")
    assert article_language(a) == "en"  # a JSON file's declaration wins
    a = Article(id="2", title="", paragraphs=[DE_TEXT], language="en", path="site/page.html.gz")
    assert article_language(a) == "de"  # a page's lang="en" template default does not
    a = Article(id="3", title="", paragraphs=[DE_TEXT])
    assert article_language(a) == "de"


def test_enrich_sets_the_language_and_extracts_by_it() -> None:
    ro = enrich(Article(id="ro", title="Iohannis, despre Ucraina", paragraphs=[RO_TEXT]))
    assert ro.language == "ro"
    assert {"Klaus Iohannis", "Nicolae Ciucă"} <= names(ro.people)
    assert "Ucraina" not in names(ro.people)
    assert ro.dates and ro.dates[0].text == "joi" or not ro.published
    de = enrich(Article(id="de", title="", paragraphs=[DE_TEXT], language="de-DE"))
    assert de.language == "de"
    assert names(de.people) == {"Angela Merkel"}


def test_people_method_by_language() -> None:
    assert people_method("en") == people_method(None) == "model:conll2003-en"
    assert people_method("ro") == "model:ronec-ro"
    assert people_method("de") == people_method("fr") == "name-list"


# ----------------------------------------------------------------------------- Romanian people


def ro_people(*paragraphs: str) -> set[str]:
    return names(extract_people("", list(paragraphs), "ro")[0])


def test_romanian_titles_are_not_part_of_names() -> None:
    found = ro_people(RO_TEXT)
    assert found == {"Klaus Iohannis", "Nicolae Ciucă"}
    people, per_para = extract_people("", [RO_TEXT], "ro")
    iohannis = next(p for p in people if p.name == "Klaus Iohannis")
    assert "Iohannis" in iohannis.aliases and iohannis.mentions == 2  # "lui Iohannis" resolved
    assert per_para == [["Klaus Iohannis", "Nicolae Ciucă"]]


def test_romanian_cedilla_and_comma_letters_are_one_name() -> None:
    people, _ = extract_people("", ["Premierul Nicolae Ciucă a vorbit ieri.", "Nicolae Ciucă a explicat apoi totul."], "ro")
    assert len(people) == 1
    cedilla, _ = extract_people("", ["Premierul Nicolae Ciucă a vorbit cu ministrul Sorin Grindeanu, iar Ciucă a plecat."], "ro")
    assert person_key("Nicolae Ciucă") == person_key("Nicolae Ciucâ".replace("â", "ă"))
    assert {p.name for p in cedilla} == {"Nicolae Ciucă", "Sorin Grindeanu"}
    assert ro_people("Şeful statului, Klaus Iohannis, a semnat decretul ţării.") == {"Klaus Iohannis"}


def test_romanian_genitive_given_name_is_written_in_the_nominative() -> None:
    assert "Viorica Dăncilă" in ro_people("Guvernul Vioricăi Dăncilă a căzut în toamnă, după o moțiune de cenzură.")


def test_romanian_junk_is_no_person() -> None:
    assert ro_people("Dată publicare: 07-08-2022 07:56") == set()
    assert ro_people("Deşi Statele Unite au anunțat sancțiuni, nimic nu s-a schimbat.") == set()
    assert ro_people("BERBEC Venus îți aduce vești bune în dragoste.") == set()
    assert "Ucraina" not in ro_people("Rusia a atacat din nou Ucraina, iar Ucraina a răspuns.")


# ----------------------------------------------------------------------------- languages without a model


def test_name_lists_only_for_german() -> None:
    people, _ = extract_people("", [DE_TEXT], "de")
    assert names(people) == {"Angela Merkel"}
    assert extract_people("", ["Dann kam das Haus. Ziel und Wasser, Kinder und Jahr."], "de")[0] == []


# ----------------------------------------------------------------------------- registry


def test_registry_joins_one_person_across_languages() -> None:
    reg = PeopleRegistry()
    reg.add(Person("Volodimir Zelenski", ["Zelenski"], 3))
    reg.add(Person("Volodymyr Zelensky", ["Zelensky"], 5))
    reg.add(Person("Serghei Lavrov", [], 1))
    reg.add(Person("Sergei Lavrov", [], 2))
    keys = reg.resolve("Volodymyr Zelensky")
    assert {"volodimir zelenski", "volodymyr zelensky"} <= keys
    assert reg.group("volodimir zelenski") == reg.group("volodymyr zelensky")
    assert reg.resolve("Volodymyr Zelenskyy") == keys  # a spelling no article used
    assert "Volodimir Zelenski" in reg.aliases("volodymyr zelensky")
    assert reg.group("serghei lavrov") == reg.group("sergei lavrov")


def test_registry_given_name_variants_and_middle_initials() -> None:
    reg = PeopleRegistry.from_people([Person("James Baker", [], 9), Person("Jim Baker", [], 1),
                                      Person("George W Bush", [], 7), Person("George Bush", [], 2)])
    assert reg.group("jim baker") == "james baker"
    assert reg.resolve("Jim Baker") == {"james baker", "jim baker", "baker"}  # the only Baker: the surname joins
    assert reg.group("george bush") == "george w bush"


def test_registry_surname_joins_only_a_dominant_full_name() -> None:
    reg = PeopleRegistry()
    for _ in range(40):
        reg.add(Person("Ronald Reagan", ["Reagan"], 2))
    reg.add(Person("Nancy Reagan", [], 1))
    reg.add(Person("Reagan", [], 1))  # an article naming him by surname only ("President Reagan")
    assert reg.group("reagan") == "ronald reagan"
    assert "reagan" in reg.resolve("Ronald Reagan")
    # two Bakers of similar weight: "Baker" stays apart
    for _ in range(30):
        reg.add(Person("James Baker", [], 2))
    for _ in range(10):
        reg.add(Person("Howard Baker", [], 2))
    reg.add(Person("Baker", [], 1))
    assert reg.group("baker") == "baker"
    assert reg.resolve("Baker") >= {"baker", "james baker", "howard baker"}
    assert "baker" not in reg.resolve("James Baker")


def test_registry_tells_things_from_people_and_lists_people() -> None:
    reg = PeopleRegistry()
    for _ in range(6):
        reg.add(Person("Chelsea", [], 2, person_cues=0, thing_cues=2))  # "the Chelsea manager"
        reg.add(Person("Tony Blair", ["Blair"], 3, person_cues=2, thing_cues=0))
        reg.add(Person("Sony", [], 1))  # a one-word name no full name has and no name list knows
    reg.add(Person("Blair", [], 1))
    assert not reg.is_person("chelsea") and not reg.is_person("sony")
    assert reg.is_person("tony blair") and reg.is_person("blair")
    listed = reg.people()
    assert [e.name for e in listed] == ["Tony Blair"]
    entry = listed[0]
    assert entry.articles == 7 and entry.keys == ["blair", "tony blair"] and "Blair" in entry.aliases
    everyone = reg.people(include_non_persons=True)
    assert {e.name for e in everyone if not e.person} == {"Chelsea", "Sony"}
    # persistence keeps the counts; removing an article undoes it
    again = PeopleRegistry.from_dict(json.loads(json.dumps(reg.to_dict())))
    assert again.to_dict() == reg.to_dict() and not again.is_person("chelsea")
    for _ in range(6):
        reg.remove(Person("Chelsea", [], 2, person_cues=0, thing_cues=2))
    assert "chelsea" not in reg


def test_capitals_headline_words_are_no_names() -> None:
    body = ("Senate leader Robert Byrd urged President Reagan on Monday to veto the farm bill, "
            "saying the measure would cost too much.")
    people, _ = extract_people("BYRD URGES REAGAN TO VETO FARM BILL", [body])
    found = {person_key(p.name) for p in people}
    assert "byrd urges reagan" not in found
    assert {"robert byrd", "reagan"} <= found


def test_title_case_headline_words_are_no_names() -> None:
    body = ("Senate leader Robert Byrd urged President Reagan on Monday to veto the farm bill, "
            "saying the measure would cost too much.")
    people, _ = extract_people("Byrd Urges Reagan To Veto Farm Bill", [body])
    assert {person_key(p.name) for p in people} == {"robert byrd", "reagan"}


def test_thing_contexts_are_counted() -> None:
    people, _ = extract_people("", ["The Chelsea manager praised his players, and Chelsea fans sang.",
                                    "Jose Mourinho said the Chelsea squad was tired."])
    by_key = {person_key(p.name): p for p in people}
    if "chelsea" in by_key:  # whenever the model takes the club for a person, its context says otherwise
        assert by_key["chelsea"].thing_cues == by_key["chelsea"].mentions >= 1 and by_key["chelsea"].person_cues == 0
    assert by_key["jose mourinho"].person_cues >= 1


# ----------------------------------------------------------------------------- search across languages


def test_person_filter_finds_the_romanian_spelling(tmp_path: Path) -> None:
    rows = [
        {"id": "ro1", "title": "Zelenski cere arme", "language": "ro", "published": "2022-08-10",
         "text": "Președintele Volodimir Zelenski a cerut joi mai multe arme occidentale. "
                 "Zelenski a vorbit cu liderii europeni despre apărarea orașelor din est."},
        {"id": "en1", "title": "Zelensky asks for weapons", "language": "en", "published": "2022-08-10",
         "text": "President Volodymyr Zelensky asked for more Western weapons on Thursday. "
                 "Zelensky spoke with European leaders about the defence of eastern cities."},
        {"id": "en2", "title": "Talks in Brussels", "language": "en", "published": "2022-08-11",
         "text": "Ministers met in Brussels on Friday to discuss energy prices and gas supplies."},
    ]
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    index_paths([corpus], str(tmp_path / "ix"), workers=1)
    with Searcher(str(tmp_path / "ix")) as s:
        for name in ("Volodymyr Zelensky", "Volodimir Zelenski", "Zelenskyy"):
            hits = s.search("", person=name)
            assert {h.id for h in hits.hits} == {"ro1", "en1"}, name
        facet = s.search("", facets=["people"]).facets["people"].values
        assert len(facet) == 1 and facet[0].count == 2


# ----------------------------------------------------------------------------- RONEC gold rule


def test_ronec_gold_names_drop_titles_and_role_nouns() -> None:
    toks = ["Președintele", "Ion", "Popescu", "a", "vorbit", "cu", "profesorii", "și", "cu", "Maria", ",", "sora", "lui", "."]
    tags = ["B-PERSON", "I-PERSON", "I-PERSON", "O", "O", "O", "B-PERSON", "O", "O", "B-PERSON", "I-PERSON", "I-PERSON", "O", "O"]
    assert gold_names(toks, tags, common={"profesorii", "sora"}) == [(1, 3), (9, 10)]
    assert surname_key("Ion Popescu") == "popescu" and surname_key("Ludovic al XIV-lea") == "ludovic"
    assert surname_key("Nicolae Ciucă") == "ciuca"


def test_deities_are_no_people() -> None:
    people, _ = extract_people("", ["God knows, said John Smith, and Allah knows too."])
    assert names(people) == {"John Smith"} and people[0].person_cues == 1
    assert ro_people("Dumnezeu a spus că Ion Popescu are dreptate.") == {"Ion Popescu"}
