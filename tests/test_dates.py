"""Tests for newssearch.enrich.dates: publication dates and dates mentioned in news text."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

import newssearch
from newssearch.enrich.dates import date_from_filename, extract_dates, parse_date
from newssearch.model import DateMention

SEED = Path(__file__).parent / "fixtures" / "seed" / "2023-04-20-stoltenberg-kyiv.txt"
SEED_PUB = dt.date(2023, 4, 20)  # a Thursday


def seed_paragraphs() -> list[str]:
    text = SEED.read_text(encoding="utf-8")
    return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]


def triples(mentions: list[DateMention]) -> list[tuple[str, str, str]]:
    return [(m.value, m.granularity, m.text) for m in mentions]


def one(text: str, published: dt.date | None) -> list[tuple[str, str, str]]:
    return triples(extract_dates([text], published))


# --------------------------------------------------------------------------- seed


def test_seed_article_all_mentions_in_order() -> None:
    got = triples(extract_dates(seed_paragraphs(), SEED_PUB))
    assert got == [
        ("2023-04-20", "day", "on Thursday"),
        ("2023-04-20", "day", "on Thursday"),
        ("2022-02", "month", "14 months ago"),
        ("2023-07", "month", "in July"),
        ("2022-02", "month", "14 months ago"),  # "almost 14 months ago"
        ("2023-07", "month", "in July"),
        ("2022-02-24", "day", "February 24, 2022"),
        ("2022-09", "month", "last September"),
        ("1991", "year", "in 1991"),
    ]


def test_seed_article_paragraph_indexes() -> None:
    paras = seed_paragraphs()
    for m in extract_dates(paras, SEED_PUB):
        assert m.text in paras[m.paragraph]
    by_text = {m.text: m.paragraph for m in extract_dates(paras, SEED_PUB)}
    assert "February 24, 2022" in paras[by_text["February 24, 2022"]]
    assert paras[by_text["in 1991"]].startswith("Ukraine gained independence")


def test_seed_article_non_dates() -> None:
    mentions = extract_dates(seed_paragraphs(), SEED_PUB)
    texts = " | ".join(m.text for m in mentions)
    for non_date in ("421", "65", "billion", "tens", "thousands", "tomorrow", "today"):
        assert non_date not in texts


def test_seed_article_without_publication_date_keeps_only_absolute() -> None:
    got = triples(extract_dates(seed_paragraphs(), None))
    assert got == [("2022-02-24", "day", "February 24, 2022"), ("1991", "year", "in 1991")]


def test_datetime_publication_date_is_accepted() -> None:
    got = one("He spoke on Thursday.", dt.datetime(2023, 4, 20, 22, 30))
    assert got == [("2023-04-20", "day", "on Thursday")]


# ---------------------------------------------------------------------- non-dates


@pytest.mark.parametrize(
    "text",
    [
        "Follow the latest events of the 421st day of the war.",
        "Allies provided military aid worth 65 billion euros.",
        "NATO allies have trained tens of thousands of Ukrainian soldiers.",
        "The alliance sent 4,000 troops to the border.",
        "The ruling is on page 1991 of the report.",
        "United won a 2-1 win at home.",
        "The meeting starts at 10:30 in the hall.",
        "Prices rose sharply in the 1990s.",
        "The bill came to $2019 in total.",
        "The measure passed with 2,019 votes.",
        "Police investigated in 2000 cases of fraud.",
        "A total of 1500 people were evacuated.",
        "Shops braced for Black Friday crowds.",
        "The market is open on Thursdays.",
        "The Sunday Times reported the story.",
        "Theresa May resigned as prime minister.",
        "You may go.",
        "He will march to the capital.",
        "Jan Egeland led the council.",
        "Rates of 5.2 pct rose to 2019.5 points.",
    ],
)
def test_non_dates(text: str) -> None:
    assert extract_dates([text], dt.date(2023, 4, 19)) == []


def test_idiomatic_today_tomorrow_and_quoted_deictics_are_skipped() -> None:
    pub = dt.date(2023, 4, 20)
    assert one("“NATO is with you today, tomorrow and as long as you want,” he said.", pub) == []
    assert one("The world of tomorrow looks different.", pub) == []
    assert one('"Tomorrow I have to get up and work again," he said.', pub) == []
    assert one("Today, atrocities continue.", pub) == []


# ------------------------------------------------------------------ absolute dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The invasion on February 24, 2022 killed thousands.", ("2022-02-24", "day", "February 24, 2022")),
        ("It began on 24 February 2022.", ("2022-02-24", "day", "24 February 2022")),
        ("It began on the 24th of February, 2022.", ("2022-02-24", "day", "24th of February, 2022")),
        ("It began Feb. 24, 2022.", ("2022-02-24", "day", "Feb. 24, 2022")),
        ("The summit is planned for July 2023.", ("2023-07", "month", "July 2023")),
        ("He joined the lab in March of 2016.", ("2016-03", "month", "March of 2016")),
        ("Ukraine gained independence in 1991.", ("1991", "year", "in 1991")),
        ("It has grown since 2014.", ("2014", "year", "since 2014")),
        ("She ran in the 2016 election.", ("2016", "year", "2016")),
        ("Filed on 2022-02-24 in Kyiv.", ("2022-02-24", "day", "2022-02-24")),
        ("Filed on 2022/02/24 in Kyiv.", ("2022-02-24", "day", "2022/02/24")),
        ("Filed on 24.02.2022 in Kyiv.", ("2022-02-24", "day", "24.02.2022")),
        ("Filed on 2/24/2022 in Kyiv.", ("2022-02-24", "day", "2/24/2022")),
        ("Thursday, April 20, 2023", ("2023-04-20", "day", "Thursday, April 20, 2023")),
        ("Talks run February 24-25, 2022 in Minsk.", ("2022-02-24", "day", "February 24-25, 2022")),
    ],
)
def test_absolute_dates(text: str, expected: tuple[str, str, str]) -> None:
    assert one(text, None) == [expected]
    assert one(text, dt.date(2023, 4, 20)) == [expected]


def test_ambiguous_slash_date_is_skipped() -> None:
    assert one("Filed on 02/03/2022 in Kyiv.", None) == []


def test_year_lists_and_ranges() -> None:
    assert one("Output grew between 2010 and 2015.", None) == [
        ("2010", "year", "between 2010"),
        ("2015", "year", "2015"),
    ]
    assert one("He ran in 2008 and 2010.", None) == [("2008", "year", "in 2008"), ("2010", "year", "2010")]


def test_month_and_day_without_year() -> None:
    # needs the publication date; the year that puts it nearest to publication
    assert one("It was signed on Feb. 24 in Kyiv.", None) == []
    assert one("It was signed on Feb. 24 in Kyiv.", dt.date(2023, 4, 20)) == [
        ("2023-02-24", "day", "Feb. 24")
    ]
    assert one("The building collapsed on December 31.", dt.date(2019, 1, 4)) == [
        ("2018-12-31", "day", "December 31")
    ]
    assert one("Vote by January 15.", dt.date(2019, 12, 20)) == [("2020-01-15", "day", "January 15")]
    assert one("They met on March 20 last year.", dt.date(2024, 5, 29)) == [
        ("2023-03-20", "day", "March 20 last year")
    ]


# ------------------------------------------------------------------ relative dates

WED = dt.date(2023, 4, 19)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # weekday: most recent on or before publication ...
        ("The talks ended on Monday.", ("2023-04-17", "day", "on Monday")),
        ("The minister said Monday the talks had ended.", ("2023-04-17", "day", "Monday")),
        ("The vote took place on Wednesday.", ("2023-04-19", "day", "on Wednesday")),
        ("Officials said on Thursday that it ended.", ("2023-04-13", "day", "on Thursday")),
        # ... or the first on or after it when the clause is in the future tense
        ("The ministers will meet on Friday.", ("2023-04-21", "day", "on Friday")),
        ("The vote is scheduled for Monday.", ("2023-04-24", "day", "Monday")),
        ("last Wednesday the talks ended.", ("2023-04-12", "day", "last Wednesday")),
        ("They meet next Monday.", ("2023-04-24", "day", "next Monday")),
        ("It happened yesterday.", ("2023-04-18", "day", "yesterday")),
        ("It will happen tomorrow.", ("2023-04-20", "day", "tomorrow")),
        ("He was stabbed last night.", ("2023-04-18", "day", "last night")),
        ("It was announced earlier today.", ("2023-04-19", "day", "earlier today")),
        # weeks: the Monday that starts the week (granularity day)
        ("The bill is debated next week.", ("2023-04-24", "day", "next week")),
        ("The bill was debated last week.", ("2023-04-10", "day", "last week")),
        ("The bill is debated this week.", ("2023-04-17", "day", "this week")),
        ("Sales rose last month.", ("2023-03", "month", "last month")),
        ("Sales will rise next month.", ("2023-05", "month", "next month")),
        ("Sales rose last year.", ("2022", "year", "last year")),
        ("Sales rose this year.", ("2023", "year", "this year")),
        ("Sales will rise next year.", ("2024", "year", "next year")),
        ("It opened three weeks ago.", ("2023-03-29", "day", "three weeks ago")),
        ("It opened 10 days ago.", ("2023-04-09", "day", "10 days ago")),
        ("It opened two years ago.", ("2021", "year", "two years ago")),
        ("It opened a decade ago.", ("2013", "year", "a decade ago")),
        ("The war began 14 months ago.", ("2022-02", "month", "14 months ago")),
        ("Talks began last September.", ("2022-09", "month", "last September")),
        ("Talks began last March.", ("2023-03", "month", "last March")),
        ("Talks resume next March.", ("2024-03", "month", "next March")),
        ("Talks resume next May.", ("2023-05", "month", "next May")),
        ("The summit is in July.", ("2023-07", "month", "in July")),
        ("Protests began in early June.", ("2023-06", "month", "in early June")),
        ("Protests began in January of this year.", ("2023-01", "month", "in January of this year")),
    ],
)
def test_relative_dates(text: str, expected: tuple[str, str, str]) -> None:
    assert one(text, WED) == [expected]
    assert one(text, None) == []


def test_month_without_year_near_a_year_boundary() -> None:
    # same year as publication, except a month more than eight months ahead
    assert one("The ship vanished in late December.", dt.date(2019, 1, 10)) == [
        ("2018-12", "month", "in late December")
    ]
    assert one("The summit is in December.", dt.date(2023, 4, 20)) == [("2023-12", "month", "in December")]
    assert one("The summit was in January.", dt.date(2023, 12, 20)) == [("2023-01", "month", "in January")]


def test_month_lists_share_their_context() -> None:
    assert one("Prices fell in July and August.", WED) == [
        ("2023-07", "month", "in July"),
        ("2023-08", "month", "August"),
    ]


def test_relative_words_that_are_durations_are_skipped() -> None:
    assert one("Prices rose over the last year.", WED) == []
    assert one("Over the next week prices rose.", WED) == []
    assert one("It happened a few days ago.", WED) == []
    assert one("It happened decades ago.", WED) == []


def test_weekday_in_a_full_date_is_not_counted_twice() -> None:
    assert one("On Friday, January 4, 2019 the building fell.", WED) == [
        ("2019-01-04", "day", "Friday, January 4, 2019")
    ]


def test_paragraph_index() -> None:
    got = extract_dates(["No date here.", "It fell in 1991.", "Then on Monday."], WED)
    assert [(m.value, m.paragraph) for m in got] == [("1991", 1), ("2023-04-17", 2)]


def test_empty_input() -> None:
    assert extract_dates([], WED) == []
    assert extract_dates(["", ""], None) == []


# ---------------------------------------------------------------------- parse_date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-04-20", dt.date(2023, 4, 20)),
        ("2023-04-20T10:00:00", dt.datetime(2023, 4, 20, 10, 0)),
        ("2023-04-20 10:00:00", dt.datetime(2023, 4, 20, 10, 0)),
        ("2023-04-20T10:00:00Z", dt.datetime(2023, 4, 20, 10, 0)),
        ("2023-04-20T10:00:00+03:00", dt.datetime(2023, 4, 20, 10, 0)),  # the publisher's clock: offsets are dropped
        ("2023-04-20T10:00:00-0500", dt.datetime(2023, 4, 20, 10, 0)),
        ("2023-04-20T00:30:00+03:00", dt.datetime(2023, 4, 20, 0, 30)),  # (in UTC: 19 April)
        ("2023-04-20T23:30:00-05:00", dt.datetime(2023, 4, 20, 23, 30)),  # (in UTC: 21 April)
        ("2023-4-5", dt.date(2023, 4, 5)),
        ("2023-04-20 (updated 2023-04-21)", dt.date(2023, 4, 20)),
        ("Published 20.04.2023", dt.date(2023, 4, 20)),
        ("2023-04-20T00:00:00", dt.date(2023, 4, 20)),
        ("April 20, 2023", dt.date(2023, 4, 20)),
        ("Apr. 20, 2023", dt.date(2023, 4, 20)),
        ("20 April 2023", dt.date(2023, 4, 20)),
        ("Thursday, April 20, 2023", dt.date(2023, 4, 20)),
        ("Thu, 20 Apr 2023 10:00:00 +0300", dt.datetime(2023, 4, 20, 10, 0)),
        ("Thu, 20 Apr 2023 23:30:00 -0500", dt.datetime(2023, 4, 20, 23, 30)),
        ("1681990200", dt.datetime(2023, 4, 20, 11, 30)),  # a Unix timestamp states no local time: UTC
        ("Thu, 20 Apr 2023 10:00:00 GMT", dt.datetime(2023, 4, 20, 10, 0)),
        ("2023/04/20", dt.date(2023, 4, 20)),
        ("20.04.2023", dt.date(2023, 4, 20)),
        ("20/04/2023", dt.date(2023, 4, 20)),
        ("04/20/2023", dt.date(2023, 4, 20)),
        ("20230420", dt.date(2023, 4, 20)),
        ("  2023-04-20  ", dt.date(2023, 4, 20)),
    ],
)
def test_parse_date_formats(value: str, expected: dt.date) -> None:
    got = parse_date(value)
    assert got == expected
    assert type(got) is type(expected)


@pytest.mark.parametrize(
    "value",
    ["", "   ", "hello", "yesterday", "now", "2023-02-30", "2023-13-01", "not a 2023 date at all!!",
     "99999999999999", "x" * 500],
)
def test_parse_date_garbage(value: str) -> None:
    assert parse_date(value) is None


def test_parse_date_never_raises_on_wrong_types() -> None:
    assert parse_date(None) is None  # type: ignore[arg-type]
    assert parse_date(20230420) is None  # type: ignore[arg-type]


def test_parse_date_fallback_for_other_layouts() -> None:
    # handed to dateparser
    assert parse_date("April 20, 2023 10:30 AM") == dt.datetime(2023, 4, 20, 10, 30)
    assert parse_date("April 20, 2023 11:30 PM EST") == dt.datetime(2023, 4, 20, 23, 30)  # the offset dropped, not converted


# ----------------------------------------------------------------- date_from_filename


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("2023-04-20-nato.txt", dt.date(2023, 4, 20)),
        ("20230420_x.txt", dt.date(2023, 4, 20)),
        ("nato-2023-04-20.html", dt.date(2023, 4, 20)),
        ("2023_04_20.json", dt.date(2023, 4, 20)),
        ("20-04-2023-nato.txt", dt.date(2023, 4, 20)),
        ("/data/in/2023-04-20-stoltenberg-kyiv.txt", dt.date(2023, 4, 20)),
        ("archive/2023/04/20/story.html", dt.date(2023, 4, 20)),
        ("nato.txt", None),
        ("000_e0449b7e4a93b6e4.txt", None),
        ("2023-13-45.txt", None),
        ("a20230420.txt", None),
        ("story-12345678.txt", None),
    ],
)
def test_date_from_filename(name: str, expected: dt.date | None) -> None:
    assert date_from_filename(name) == expected


def test_seed_fixture_name_gives_its_date() -> None:
    assert date_from_filename(SEED.name) == SEED_PUB


# ------------------------------------------------------------------ import and speed


def test_import_does_not_load_dateparser() -> None:
    code = (
        "import sys, datetime; import newssearch.enrich.dates as d; "
        "d.extract_dates(['on Thursday in 1991'], datetime.date(2023, 4, 20)); "
        "d.parse_date('2023-04-20'); d.parse_date('Thu, 20 Apr 2023 10:00:00 +0300'); "
        "print('dateparser' in sys.modules)"
    )
    src = str(Path(newssearch.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == "False"


# ----------------------------------------------------------------------------- Romanian

RO_PUB = dt.date(2023, 4, 20)  # a Thursday ("joi")


def ro_values(text: str, pub: dt.date | None = RO_PUB) -> list[tuple[str, str, str]]:
    return triples(extract_dates([text], pub, "ro"))


def test_romanian_absolute_dates() -> None:
    assert ro_values("Summitul a avut loc pe 24 februarie 2022, iar raportul a apărut în aprilie 2023.", None) == [
        ("2022-02-24", "day", "pe 24 februarie 2022"), ("2023-04", "month", "aprilie 2023")]
    assert ro_values("Legea intră în vigoare la 20 aprilie 2023.") == [("2023-04-20", "day", "la 20 aprilie 2023")]
    # numeric dates are read as in any language
    assert ro_values("Dată publicare: 07.08.2022", None) == [("2022-08-07", "day", "07.08.2022")]


def test_romanian_day_and_month_without_year_take_the_nearest_year() -> None:
    assert ro_values("Pe 24 februarie Rusia a atacat.") == [("2023-02-24", "day", "Pe 24 februarie")]
    assert ro_values("Termenul este 1 iunie.") == [("2023-06-01", "day", "1 iunie")]
    # without a publication date there is no year to give it
    assert ro_values("Pe 24 februarie Rusia a atacat.", None) == []


def test_romanian_weekdays_past_by_default_future_after_va() -> None:
    assert ro_values("Președintele a declarat joi că Ucraina are nevoie de sprijin.") == [("2023-04-20", "day", "joi")]
    assert ro_values("Premierul a vorbit marți cu liderii.") == [("2023-04-18", "day", "marți")]
    assert ro_values("Ședința va avea loc vineri.") == [("2023-04-21", "day", "vineri")]
    assert ro_values("Duminica trecută nu, dar duminică viitoare da.") == [
        ("2023-04-16", "day", "Duminica trecută"), ("2023-04-23", "day", "duminică viitoare")]


def test_romanian_luni_is_monday_only_when_it_is_not_months() -> None:
    assert ro_values("Luni seara, ministrul a demisionat.") == [("2023-04-17", "day", "Luni")]
    assert ro_values("După două luni de zile și câteva luni de așteptare, nimic.") == []
    assert ro_values("Acum 14 luni a început războiul.") == [("2022-02", "month", "Acum 14 luni")]


def test_romanian_relative_words() -> None:
    assert ro_values("Luna trecută prețurile au crescut, anul trecut au scăzut.") == [
        ("2023-03", "month", "Luna trecută"), ("2022", "year", "anul trecut")]
    assert ro_values("Săptămâna viitoare, luna viitoare și anul acesta.") == [
        ("2023-04-24", "day", "Săptămâna viitoare"), ("2023-05", "month", "luna viitoare"), ("2023", "year", "anul acesta")]
    assert ro_values("Ieri a plouat, mâine va ninge.") == [("2023-04-19", "day", "Ieri"), ("2023-04-21", "day", "mâine")]
    assert ro_values("Acum doi ani, acum o lună și acum trei săptămâni.") == [
        ("2021", "year", "Acum doi ani"), ("2023-03", "month", "acum o lună"), ("2023-03-30", "day", "acum trei săptămâni")]


def test_romanian_months_and_years_with_context() -> None:
    assert ro_values("În martie s-a decis, în decembrie se aplică.") == [
        ("2023-03", "month", "În martie"), ("2023-12", "month", "în decembrie")]
    # a month more than eight months after the publication's is the one just past
    assert ro_values("În decembrie s-a decis.", dt.date(2023, 1, 10)) == [("2022-12", "month", "În decembrie")]
    assert ro_values("În luna mai a plecat, dar în mai multe orașe nu.") == [("2023-05", "month", "luna mai")]
    assert ro_values("Din 2014 și până în 2019, apoi în anul 2020.") == [
        ("2014", "year", "Din 2014"), ("2019", "year", "până în 2019"), ("2020", "year", "în anul 2020")]
    assert ro_values("Au fost în 2000 de lei amendă.") == []


def test_romanian_rules_do_not_run_on_english() -> None:
    # "joi" and "luni" are no English words; English text keeps the English rules
    assert triples(extract_dates(["He said on Thursday that it was done."], RO_PUB, "en")) == [
        ("2023-04-20", "day", "on Thursday")]
