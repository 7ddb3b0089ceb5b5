"""Publication dates: one parser and one time-zone rule for every reader, the store and search.

The rule
--------
``published`` is the **publisher's local date** (and time, when the source gives one): the
wall-clock time the source wrote. A time-zone offset is dropped, never converted:
``2023-04-20T23:30:00+03:00`` (Bucharest) and ``2023-04-20T23:30:00-05:00`` (New York) are
both 20 April 2023, 23:30, and ``2023-04-20T00:30:00+03:00`` is 20 April, not 19 April: the
day the publisher's readers saw on the page and the day the story is about. Converting to
UTC would move late-evening stories west of Greenwich and early-morning stories east of it
to the adjacent day. A value that states no local time at all (a Unix timestamp) is read as
UTC.

The value is kept as a naive ``datetime`` (a ``date`` when only the day is known; stored as
midnight), and everything downstream uses that wall clock as it is: ``--since``/``--until``
and ``published:`` ranges, the year/month facets and the histogram, and what is shown.

* :func:`parse_published` reads a date as metadata states it (every reader uses it, through
  enrichment's ``published_text`` or directly);
* :func:`local_time` applies the rule to a datetime that has a time zone;
* :func:`as_datetime` is what the index stores; :func:`format_published` what is shown;
* :class:`Period` reads a date bound as a user types it (``2023``, ``2023-04``, ``2023-04-20``).

This module imports nothing of newssearch: every stage may use it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

__all__ = ["DATE_ORDERS", "MONTHS", "Period", "ambiguous_numeric", "as_datetime", "format_published", "local_time", "parse_published"]

#: The orders of a numeric date's day, month and year that ``parse_published(order=...)`` takes.
DATE_ORDERS = ("DMY", "MDY", "YMD")

#: English month names and abbreviations → month number.
MONTHS: dict[str, int] = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6,
    "july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip

#: Longest value :func:`parse_published` reads (longer ones are not a date).
MAX_CHARS = 100

_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Mon|Tue|Wed|Thu|Fri|Sat|Sun)\.?"
_ORD = r"(?:st|nd|rd|th)?"

_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}(?::\d{2}(?::\d{2}(?:[.,]\d+)?)?)?\s?(?:Z|[+-]\d{2}(?::?\d{2})?)?$")
_YMD = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")
_DMY_NUM = re.compile(r"^(\d{1,2})([./-])(\d{1,2})\2(\d{4})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_EPOCH = re.compile(r"^\d{9,10}(?:\.\d+)?$")
_TEXT_MDY = re.compile(rf"^(?:{_WEEKDAY},?\s+)?({_MONTH})\s+(\d{{1,2}}){_ORD},?\s+(\d{{4}})$", re.IGNORECASE)
_TEXT_DMY = re.compile(rf"^(?:{_WEEKDAY},?\s+)?(\d{{1,2}}){_ORD}\s+(?:of\s+)?({_MONTH}),?\s+(\d{{4}})$", re.IGNORECASE)
_HAS_CLOCK = re.compile(r"\d{1,2}:\d{2}")
_HAS_ZONE = re.compile(r"[+-]\d{4}\b|\bGMT\b|\bUT\b|\bUTC\b")
_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
#: A day written inside a longer value ("2023-04-20 (updated)", "Published 20.04.2023").
_ISO_INSIDE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_DOTTED_INSIDE = re.compile(r"(?<!\d)(\d{1,2})\.(\d{1,2})\.(\d{4})(?!\d)")
_PARTIAL = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*$")


def local_time(value: dt.datetime) -> dt.datetime:
    """``value`` as the publisher's wall-clock time: naive, its offset dropped (not converted)."""
    return value.replace(tzinfo=None) if value.tzinfo is not None else value


def as_datetime(value: dt.date | dt.datetime | None) -> dt.datetime | None:
    """The naive datetime the index stores for a publication date (a day: its midnight)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return local_time(value)
    return dt.datetime(value.year, value.month, value.day)


def format_published(value: object) -> str | None:
    """How a publication date is shown: ``2023-04-20``, or ``2023-04-20T23:30:00`` when a
    time of day is known (midnight counts as no time)."""
    if isinstance(value, dt.datetime):
        value = local_time(value)
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value) if value else None


def parse_published(value: object, order: str | None = None) -> dt.date | dt.datetime | None:
    """A publication date as metadata states it, by the rule of this module; ``None`` when it
    is not a date. Never raises.

    Reads ISO 8601 dates and datetimes ("2023-04-20", "2023-4-5", "2023-04-20T10:00:00Z",
    "2023-04-20 10:00:00+03:00"), "2023/04/20", "20230420", "20.04.2023", "20/04/2023" and
    "04/20/2023" (ambiguous slash dates month first, as dateparser reads English), "April 20,
    2023", "Thursday, 20 April 2023", RFC 2822 ("Thu, 20 Apr 2023 10:00:00 +0300") and Unix
    timestamps (UTC); then a day written inside a longer value ("2023-04-20 (updated)",
    "Published 20.04.2023"); anything else with a four-digit year is handed to dateparser
    (imported only then: it is slow to import). A day alone, or a datetime at exactly
    midnight, is returned as a ``date``; any other datetime is naive local time.

    ``order`` (one of :data:`DATE_ORDERS`) settles numeric dates that read either way
    (``06/05/2024``, ``06.05.2024``, ``06-05-2024``: see :func:`ambiguous_numeric`): ``DMY``
    day first, ``MDY`` month first; ``YMD`` (and None) leave the default above. Dates that
    read only one way are read that way whatever the order.
    """
    try:
        return _parse(value, order)
    except (ValueError, TypeError, OverflowError, IndexError, LookupError):  # "never raises" is the contract
        return None


def _parse(value: object, order: str | None = None) -> dt.date | dt.datetime | None:
    if not isinstance(value, str):
        return None
    s = " ".join(value.split())
    if not s or len(s) > MAX_CHARS:
        return None
    if m := _ISO_DAY.match(s):
        return _day(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if _ISO_TIME.match(s):
        return _simplify(dt.datetime.fromisoformat(s.replace("Z", "+00:00").replace(",", ".").replace(" ", "T", 1).replace(" ", "")))
    if m := _YMD.match(s):
        return _day(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := _COMPACT.match(s):
        return _day(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := _DMY_NUM.match(s):
        a, sep, b, year = int(m.group(1)), m.group(2), int(m.group(3)), int(m.group(4))
        if order in ("DMY", "MDY") and a <= 12 and b <= 12:
            return _day(year, b, a) if order == "DMY" else _day(year, a, b)
        if sep == "/" and a <= 12:
            return _day(year, a, b)  # month first (US order) unless the first number is > 12
        return _day(year, b, a)
    if m := _TEXT_MDY.match(s):
        return _day(int(m.group(3)), _month(m.group(1)), int(m.group(2)))
    if m := _TEXT_DMY.match(s):
        return _day(int(m.group(3)), _month(m.group(2)), int(m.group(1)))
    if _EPOCH.match(s):
        return _simplify(dt.datetime.fromtimestamp(float(s), tz=dt.UTC))  # no local time: UTC
    years = _YEAR.findall(s)
    if not years:
        return None
    if _HAS_CLOCK.search(s) and _HAS_ZONE.search(s):
        import email.utils

        try:
            return _simplify(email.utils.parsedate_to_datetime(s))
        except (TypeError, ValueError, IndexError):
            pass
    if m := _ISO_INSIDE.search(s):
        return _day(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := _DOTTED_INSIDE.search(s):
        return _day(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    return _dateparser(s, years)


def ambiguous_numeric(value: object) -> bool:
    """True for a numeric date with the year last whose first two numbers could each be the
    month (``06/05/2024``: 6 May or 5 June); False for ``13/05/2024``, ``05/05/2024``, ISO
    dates and anything else."""
    if not isinstance(value, str):
        return False
    m = _DMY_NUM.match(" ".join(value.split()))
    if m is None:
        return False
    a, b = int(m.group(1)), int(m.group(3))
    return a != b and 1 <= a <= 12 and 1 <= b <= 12


def _dateparser(s: str, years: list[str]) -> dt.date | dt.datetime | None:
    import dateparser  # slow import: only for the odd formats

    # No TIMEZONE / TO_TIMEZONE: a stated offset is kept as it is (then dropped, not converted).
    parsed = dateparser.parse(
        s, settings={"STRICT_PARSING": True, "RETURN_AS_TIMEZONE_AWARE": True, "PARSERS": ["timestamp", "custom-formats", "absolute-time"]}
    )
    if parsed is None or f"{parsed.year:04d}" not in years:
        return None
    return _simplify(parsed)


def _simplify(value: dt.datetime) -> dt.date | dt.datetime:
    value = local_time(value)
    return value.date() if value.time() == dt.time(0) else value


def _day(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _month(word: str) -> int:
    return MONTHS[word.rstrip(".").lower()]


@dataclass(frozen=True)
class Period:
    """A stretch of calendar time as a user gives it: a year (``2023``), a month
    (``2023-04``), a day (``2023-04-20``, or a ``date``), or an instant (a ``datetime``).

    ``start`` and ``end`` are its first and last instants (naive, inclusive: the end of a
    day is 23:59:59.999999), compared with publication dates by the rule of this module
    (``--until 2023-04-20`` keeps a story published at 23:30 that day, whatever its offset).
    ``text`` is how it was given.
    """

    start: dt.datetime
    end: dt.datetime
    text: str

    @classmethod
    def parse(cls, value: str | dt.date) -> Period:
        """Read ``value``; raises ValueError with a one-line reason when it is not a date."""
        if isinstance(value, dt.datetime):
            instant = local_time(value)
            return cls(instant, instant, instant.isoformat())
        if isinstance(value, dt.date):
            return cls(_midnight(value), _last_instant(value), value.isoformat())
        text = str(value)
        match = _PARTIAL.match(text)
        if not match:
            raise ValueError(f"cannot read {text!r} as a date; use 2023, 2023-04 or 2023-04-20")
        year, month, day = int(match.group(1)), match.group(2), match.group(3)
        try:
            if month is None:
                first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
            elif day is None:
                first = dt.date(year, int(month), 1)
                last = first.replace(day=calendar.monthrange(year, int(month))[1])
            else:
                first = last = dt.date(year, int(month), int(day))
        except ValueError:
            raise ValueError(f"{text!r} is not a real date") from None
        return cls(_midnight(first), _last_instant(last), text.strip())

    def __str__(self) -> str:
        return self.text


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day)


def _last_instant(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.max)
