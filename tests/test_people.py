"""Tests of newssearch.enrich.people: extraction, name keys, the corpus registry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newssearch.enrich.people import PeopleRegistry, extract_people, person_key
from newssearch.model import Person

FIXTURES = Path(__file__).parent / "fixtures"
SEED = FIXTURES / "seed" / "2023-04-20-stoltenberg-kyiv.txt"
CRUZ = FIXTURES / "people" / "wikinews-2019-01-06-ted-cruz-term-limits.txt"

NEVER_PEOPLE = ["Kyiv", "Bucha", "Buch", "NATO", "Vilnius", "Reuters", "CNN", "Soviet Union",
                "Kremlin", "Moscow", "Ukraine", "Russia", "AP", "Profimedia"]


def _paragraphs(path: Path) -> list[str]:
    text = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#"))
    return [p.strip() for p in text.split("\n\n") if p.strip()]


@pytest.fixture(scope="module")
def seed() -> tuple[list[Person], list[list[str]], list[str]]:
    paras = _paragraphs(SEED)
    people, per_para = extract_people("", paras)
    return people, per_para, paras


def _by_key(people: list[Person]) -> dict[str, Person]:
    return {person_key(p.name): p for p in people}


def test_seed_people_are_stoltenberg_and_zelensky(seed):
    people, _per_para, _paras = seed
    keys = set(_by_key(people))
    # the photo credit (Yefrem Lukatsky) is not counted as a person named in the article
    assert keys == {"jens stoltenberg", "volodymyr zelensky"}
    zel = _by_key(people)["volodymyr zelensky"]
    spellings = {zel.name, *zel.aliases}
    assert zel.name.startswith("Volodymyr Zelensk")
    for variant in ("Zelenskyi", "Zelenskyy", "Zelensky"):
        assert any(s.endswith(variant) for s in spellings), variant
    assert "Zelenskyy" in zel.aliases
    sto = _by_key(people)["jens stoltenberg"]
    assert sto.name == "Jens Stoltenberg"
    assert "Stoltenberg" in sto.aliases
    assert sto.mentions > zel.mentions >= 5


def test_seed_never_people(seed):
    people, per_para, _paras = seed
    names = {n.lower() for p in people for n in [p.name, *p.aliases]}
    names |= {n.lower() for para in per_para for n in para}
    for word in NEVER_PEOPLE:
        assert word.lower() not in names
        assert not any(word.lower() in n.split() for n in names if " " not in word), word


def test_seed_paragraph_people(seed):
    people, per_para, paras = seed
    assert len(per_para) == len(paras)
    zel = _by_key(people)["volodymyr zelensky"].name
    # lede: only Stoltenberg
    assert per_para[0] == ["Jens Stoltenberg"]
    # the glued caption "Volodymyr ZelenskyiPhoto: Yefrem Lukatsky / AP / Profimedia"
    assert per_para[1] == ["Jens Stoltenberg", zel]
    # surname-only mentions resolve to the full names
    assert per_para[2] == ["Jens Stoltenberg"]  # "Stoltenberg honored ..."
    assert per_para[3] == [zel]  # "... a meeting with President Zelensky."
    i = next(i for i, p in enumerate(paras) if "Zelenskyy added" in p)
    assert per_para[i] == [zel]
    i = next(i for i, p in enumerate(paras) if p.startswith("Moscow sees NATO"))
    assert per_para[i] == []


def test_title_counts_for_article():
    people, per_para = extract_people("Stoltenberg meets Zelensky in Kyiv", ["The meeting was short."])
    assert per_para == [[]]
    assert {p.name for p in people} >= {"Stoltenberg"}


def test_person_key_variants():
    full = {person_key(n) for n in ["Volodymyr Zelensky", "Volodymyr Zelenskyy", "Volodymyr Zelenskyi",
                                    "VOLODYMYR ZELENSKIY", "Volodymyr  Zelenskyy's"]}
    assert full == {"volodymyr zelensky"}
    assert person_key("Zelensky") == person_key("Zelenskyy") == person_key("zelenskyi") == "zelensky"
    assert person_key("Lech Wałęsa") == person_key("Lech Walesa")
    assert person_key("José Manuel Barroso") == "jose manuel barroso"
    assert person_key("President Zelensky") == "zelensky"
    assert person_key("Jean-Marie Le Pen") == "jean marie le pen"
    # conservative: different people stay apart
    assert person_key("Clinton") != person_key("Clinten")
    assert person_key("Bill Clinton") != person_key("Hillary Clinton")


def test_registry_merges_variants_across_articles():
    reg = PeopleRegistry()
    reg.add(Person("Volodymyr Zelensky", ["Zelensky"], 3))
    reg.add(Person("Volodymyr Zelenskyy", ["Zelenskyy"], 4))
    reg.add(Person("Volodymyr Zelenskyy", [], 2))
    reg.add(Person("Volodymyr Zelenskyi", ["Zelenskyi", "Zelensky"], 1))
    reg.add(Person("Zelenskyy", [], 1))  # an article naming him by surname only
    reg.add(Person("Jens Stoltenberg", ["Stoltenberg"], 5))
    full = person_key("Volodymyr Zelenskyy")
    assert reg.canonical(full) == "Volodymyr Zelenskyy"
    assert reg.canonical("zelensky") == "Volodymyr Zelenskyy"
    assert reg.group("zelensky") == full
    assert reg.group(full) == full
    aliases = set(reg.aliases(full))
    assert {"Volodymyr Zelensky", "Volodymyr Zelenskyi", "Zelensky", "Zelenskyy", "Zelenskyi"} <= aliases
    assert "Volodymyr Zelenskyy" not in aliases
    expected = {full, "zelensky"}
    for typed in ["Zelenskyy", "Zelensky", "zelenskyi", "Volodymyr Zelensky", "Volodymyr Zelenskyy",
                  "VOLODYMYR ZELENSKIY", "Volodymyr Zelenskyi"]:
        assert reg.resolve(typed) == expected, typed
    assert reg.resolve("Stoltenberg") == {"jens stoltenberg", "stoltenberg"}
    # persistence
    again = PeopleRegistry.from_dict(json.loads(json.dumps(reg.to_dict())))
    assert again.to_dict() == reg.to_dict()
    assert again.resolve("Zelenskyy") == expected
    assert again.canonical(full) == "Volodymyr Zelenskyy"


def test_registry_ambiguous_surname_and_remove():
    reg = PeopleRegistry()
    bill = Person("Bill Clinton", ["Clinton"], 2)
    reg.add(bill)
    reg.add(Person("Hillary Clinton", ["Clinton"], 3))
    assert reg.group("clinton") == "clinton"
    assert reg.resolve("Clinton") == {"clinton", "bill clinton", "hillary clinton"}
    assert reg.resolve("Bill Clinton") == {"bill clinton"}
    reg.remove(Person("Hillary Clinton", ["Clinton"], 3))
    assert reg.group("clinton") == "bill clinton"
    assert reg.resolve("Bill Clinton") == {"bill clinton", "clinton"}
    reg.remove(bill)
    assert len(reg) == 0


def test_registry_from_extracted_seed(seed):
    people, _per_para, _paras = seed
    reg = PeopleRegistry.from_people(people)
    reg.add(Person("Volodymyr Zelenskyy", ["Zelenskyy"], 2))
    assert reg.resolve("Zelenskyy") == reg.resolve("Volodymyr Zelensky") == {"volodymyr zelensky", "zelensky"}


def test_wikinews_fixture_people():
    paras = _paragraphs(CRUZ)
    title, body = paras[0], paras[1:]
    people, per_para = extract_people(title, body)
    names = {p.name for p in people}
    assert {"Ted Cruz", "Francis Rooney", "Marco Rubio", "Mike Lee", "David Perdue", "George Washington",
            "Franklin Delano Roosevelt"} <= names
    for place in ("Florida", "Utah", "Georgia", "United States", "Washington", "Congress", "Senate", "ABC"):
        assert place not in names
    cruz = next(p for p in people if p.name == "Ted Cruz")
    assert "Cruz" in cruz.aliases and cruz.mentions >= 3
    # "Cruz, in remarks to ABC, said ..." resolves to the full name
    i = next(i for i, p in enumerate(body) if p.startswith("Cruz, in remarks"))
    assert per_para[i] == ["Ted Cruz"]
    assert per_para[1] == []


def test_empty_and_odd_input():
    assert extract_people("", []) == ([], [])
    people, per_para = extract_people("", ["", "   ", "1996-08-30", "—"])
    assert people == [] and per_para == [[], [], [], []]
    people, _ = extract_people("", ["SAMPRAS BEATS AGASSI IN FINAL", "Pete Sampras beat Andre Agassi 6-3 6-4."])
    assert {p.name for p in people} == {"Pete Sampras", "Andre Agassi"}


NOT_PEOPLE = FIXTURES / "people" / "wikinews-2019-not-people.txt"


def test_wikinews_places_and_organisations_are_not_people():
    people, _per_para = extract_people("", _paragraphs(NOT_PEOPLE))
    names = {n.lower() for p in people for n in [p.name, *p.aliases]}
    for word in ("karl marx", "marx", "easter", "hirtenberger", "magyar nemzet", "nemzet",
                 "historically", "altogether"):
        assert not any(word in n for n in names), (word, names)
    # "al-" is part of the name: the full name, and "al-Assad" as its alias
    assad = next(p for p in people if p.name == "Bashar al-Assad")
    assert "al-Assad" in assad.aliases


def test_first_name_joined_to_surname():
    # "Niall" is no census first name; the model sees it before it has seen "Quinn"
    people, _ = extract_people("", ["Keith O'Neill of Norwich City joins Niall Quinn up front .",
                                    "Quinn scored twice ."])
    assert "Niall Quinn" in {p.name for p in people}


def test_nationality_and_title_are_not_part_of_the_name():
    people, _ = extract_people("", ["American Nate Miller defended his title on Saturday .",
                                    "Doctor Emanuil Ceausu said the patient was stable ."])
    assert {p.name for p in people} == {"Nate Miller", "Emanuil Ceausu"}


def test_non_person_heads_and_place_prefixes():
    people, _ = extract_people("", ["Shares of Jackson Holdings rose after talks in Santa Barbara .",
                                    "Protesters gathered on Grace Road near Nelson Mandela Square ."])
    assert people == [], people


def test_multiword_places_are_not_people():
    people, _ = extract_people("", ["Prime Minister Hun Sen flew from Phnom Penh to Monte Carlo on Friday .",
                                    "Talks in Sierra Leone and Kuala Lumpur went on ."])
    assert {p.name for p in people} == {"Hun Sen"}, people


def test_firms_named_after_people():
    people, _ = extract_people("", [
        ("Analysts at Morgan Stanley and Merrill Lynch cut their forecasts , said John Smith of "
         "Piper Jaffray Inc ."),
        "Piper Jaffray also said Lehman Brothers and Procter & Gamble were buyers .",
        "Goldman Sachs Group rose . Goldman said demand was strong .",
    ])
    assert {p.name for p in people} == {"John Smith"}, people


def test_role_words_and_nationalities_before_names():
    people, _ = extract_people("", ["Frenchman Frank Leboeuf scored and Left-back Hinchcliffe was booked .",
                                    "Lock Ian Jones returns ."])
    assert {p.name for p in people} == {"Frank Leboeuf", "Hinchcliffe", "Ian Jones"}, people


def test_poisons_and_levantine_places_are_not_people():
    people, _ = extract_people("", [
        ("Sergei Skripal was poisoned with Novichok in Salisbury , and the nerve agent Novichok was "
         "found later ."),
        "Syrian troops entered Tell Tamer and Ain Issa .",
    ])
    assert {p.name for p in people} == {"Sergei Skripal"}, people


def test_sports_result_lines_name_clubs_not_people():
    people, _ = extract_people("", [
        "Levski Sofia 2 Lokomotiv Plovdiv 1",
        "In Bistrita : Gloria Bistrita ( Romania ) 2 Valletta ( Malta ) 1",
        "Brann Bergen v Odra Wodzislaw",
        "Lech Poznan 3 2 1 0 7 3 7",
        "Cannes 0 Monaco 2 ( Thierry Henry 26th , 71st ) .",
    ])
    assert {p.name for p in people} == {"Thierry Henry"}, people
