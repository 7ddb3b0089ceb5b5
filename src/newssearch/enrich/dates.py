"""Publication dates and the dates mentioned in news text.

Three public functions:

* :func:`parse_date` reads a publication date as metadata states it (ISO 8601,
  RFC 2822, "April 20, 2023", "20.04.2023", ...): it is
  :func:`newssearch.timeparse.parse_published`, the one parser of every reader, which keeps
  the publisher's local date (a time-zone offset is dropped, not converted to UTC).
* :func:`date_from_filename` finds a date in a file name (``2023-04-20-nato.txt``,
  ``20230420_x.txt``, ``nato-2023-04-20.html``).
* :func:`extract_dates` finds the dates mentioned in an article's paragraphs and
  normalises each to ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` with its granularity.

Extraction is rule based: compiled regular expressions find the candidate spans and
plain arithmetic normalises them (no date library in the hot path: dateparser costs
about a millisecond a call, far above the 1 ms budget of a whole article).

Rules for the mentions
----------------------
Absolute (no publication date needed): ``February 24, 2022``, ``24 February 2022``,
``24th of February 2022``, ``Thursday, April 20, 2023``, ``July 2023``, ``2022-02-24``,
``2022/02/24``, ``24.02.2022``, ``4/24/2022`` (slash dates only when the day is > 12,
so that the order is unambiguous), and years after a context word: ``in 1991``,
``since 2014``, ``by the end of 2020`` (``of 2020``), ``the 2019 election``,
``between 2010 and 2015``. The ``text`` of a mention is the words it was read from,
including the context word when that word is what made it a date (``in 1991``,
``on Thursday``, ``in July``, ``last September``), but not a bare preposition in front
of a complete date (``February 24, 2022``).

Relative (resolved against the publication date ``P``; skipped when ``P`` is unknown):

* ``Feb. 24`` (month and day, no year): the year that puts the date nearest to ``P``
  (so "December 31" in an article of January 4 is the previous year), granularity day;
  ``March 20 last year``: the year before ``P``'s.
* ``in July`` / ``since July`` / ``by July`` / ``early July`` / ``end of July`` (month,
  no year): the July of ``P``'s year, except that a month more than eight months after
  ``P``'s month is taken from the previous year ("in late December" in an article of
  January 10 is the December just past; measured on Wikinews 2019-2020, that shift was
  right 9 times out of 11, while shifting forward "in March" in an October article was
  right 2 times out of 11, so it is never done). No guess from the tense. ``this July``
  and ``July of this year``: ``P``'s year; ``July last year`` / ``next year``: the year
  before / after. ``last September``: the most recent September strictly before ``P``'s
  month; ``next September``: the first September strictly after ``P``'s month.
  Granularity month. Month lists share the first one's context ("in July and August").
* ``on Thursday`` / ``Thursday``: the newsroom convention (AP style) is that a bare
  weekday names a day within a week of publication, past or future by the verb's tense.
  So: the most recent Thursday on or before ``P`` (``P`` itself if ``P`` is a Thursday),
  unless the sentence before it reads as future ("will", "is due to", "is scheduled",
  "was forecast to", ...) and not as past (a reporting verb right before the weekday,
  "said Thursday", or "earlier this week", "last week", "ago"), then the first
  Thursday on or after ``P``. ``last Thursday``: the most
  recent Thursday strictly before ``P``; ``next Thursday``: the first strictly after.
  Day granularity. Plurals ("on Thursdays"), named days ("Black Friday", "Good
  Friday", "Super Tuesday") and titles ("Sunday Times", "Mail on Sunday") are not dates.
* ``yesterday`` = ``P`` - 1 day, ``tomorrow`` = ``P`` + 1, ``last night`` = ``P`` - 1,
  ``tonight`` / ``this morning`` / ``earlier today`` / ``later today`` = ``P``. A bare
  ``today`` is *not* extracted (in news it is as often "nowadays" as the date: "the
  world today", "NATO is with you today, tomorrow and as long as you want"), and neither
  is ``tomorrow`` in that idiom ("today, tomorrow", "of tomorrow"). These day words are
  also skipped inside a quotation, where they are the speaker's day, not the paper's.
* ``last week`` / ``this week`` / ``next week``: the Monday that starts that ISO week,
  granularity **day** (documented approximation: DateMention has no week granularity).
  ``last month`` / ``this month`` / ``next month``: that month. ``last year`` /
  ``this year`` / ``next year``: that year. Not after "the" ("over the last year" is a
  duration, "the next year" is narrative time).
* ``N days ago`` / ``N weeks ago`` (day, ``P`` - N days / N*7 days), ``N months ago``
  (month arithmetic, granularity month: "14 months ago" from 2023-04-20 is 2022-02),
  ``N years ago`` / ``N decades ago`` (year). N is digits, a number word up to
  ninety, or "a"/"an". Vague amounts ("a few days ago", "decades ago") are skipped.

Not dates: ordinals ("421st day"), amounts ("65 billion euros", "4,000 troops",
"2,019 votes", "$2019"), "tens of thousands", scores ("2-1 win"), clock times
("10:30"), decades ("the 1990s"), numbers after words that do not introduce a year
("page 1991", "room 2019"), and years followed by a counted noun ("in 2000 cases",
"of 1500 people").

Romanian (``language="ro"``): the same kinds of mention with Romanian words, resolved the
same way: ``20 aprilie 2023``, ``pe 24 februarie`` (nearest year), ``aprilie 2023``, ``în
martie`` / ``luna mai`` (month of ``P``'s year, the eight-month rule; "mai" only after
"luna", since "în mai multe" is "in more"), ``martie anul trecut``; weekdays ``joi``,
``marți``, ``vineri`` (the most recent one, or the next after "va", "vor", "urmează să";
``duminică trecută`` / ``viitoare``), with ``luni`` (Monday, but also "months") a
weekday only when no number or quantifier precedes it ("14 luni", "câteva luni") and no
"de zile" follows; ``ieri``, ``alaltăieri``, ``aseară``, ``mâine``, ``poimâine``;
``săptămâna trecută`` / ``viitoare``, ``luna trecută``, ``anul trecut`` / ``acesta``;
``acum 14 luni``, ``acum doi ani``, ``în urmă cu trei zile``; years after ``în``, ``din``,
``până în``, ``anul`` (not "în 2000 de lei"); numeric dates as above.

The publication date ``P`` may be a ``date`` or a (naive, publisher's local) ``datetime``;
only its date is used.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from typing import cast

from ..model import DateMention, Granularity
from ..timeparse import MONTHS, parse_published

__all__ = ["extract_dates", "parse_date", "date_from_filename"]


class _Pending:
    """A regular expression to compile on first use (keeps the import cheap)."""

    __slots__ = ("pattern", "flags")

    def __init__(self, pattern: str, flags: int) -> None:
        self.pattern = pattern
        self.flags = flags


def _later(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """Declare a module-level regex; :func:`_compile` turns it into a real one."""
    return cast("re.Pattern[str]", _Pending(pattern, flags))


_compiled = False


def _compile() -> None:
    """Compile every module-level regex declared with :func:`_later` (once)."""
    global _compiled
    if _compiled:
        return
    namespace = globals()
    for name, value in list(namespace.items()):
        if isinstance(value, _Pending):
            namespace[name] = re.compile(value.pattern, value.flags)
    _compiled = True


# --------------------------------------------------------------------------- tables

_MONTHS = MONTHS
_WEEKDAYS: dict[str, int] = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3,
    "friday": 4, "saturday": 5, "sunday": 6,
}
_NUMBER_WORDS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}

# ------------------------------------------------------------------------- patterns
# Extraction runs in two steps: cheap "trigger" scans (a month name, a weekday, four
# digits, a handful of keywords found with str.find) and, around each hit only,
# anchored regexes that read the context. Python's re engine scans slowly for patterns
# that start with a look-behind or a wide alternation, so none of the full patterns is
# ever run over a whole article.

_SP = r"[^\S\n]+"  # whitespace within a paragraph (paragraphs are joined by "\n\n")
_FULL_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_ABBR_MONTH = r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_MONTH = rf"(?:{_FULL_MONTH}|{_ABBR_MONTH})"
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_WD_ANY = rf"(?:{_WEEKDAY}|(?:Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)\.?)"
_ORD = r"(?:st|nd|rd|th)?"
_YEAR4 = r"[12]\d{3}"
_YEAR_END = r"(?![\w%]|[,.]\d)"  # a year is not followed by more digits, letters or "%"
_RANGE = rf"(?:[^\S\n]*[-–][^\S\n]*\d{{1,2}}{_ORD}(?!\d|[.,:]\d))?"  # "24-25"

# triggers
_T_MONTH = _later(r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*")
_T_WEEKDAY = _later(r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day")
_T_YEAR = _later(r"[12]\d\d\d")

# right of a month name: a day (and a year), or a year
_R_MONTH = _later(
    rf"(?:{_SP}(?P<d>\d{{1,2}}){_ORD}(?![\d:]|[.,]\d){_RANGE}(?:,?{_SP}(?P<y>{_YEAR4}){_YEAR_END})?"
    rf"|,?{_SP}(?:of{_SP})?(?P<y2>{_YEAR4}){_YEAR_END})"
)
# left of a month name (searched in a short slice ending at the month)
_L_DAY = _later(
    rf"(?:(?<![\w])(?P<wd>{_WD_ANY}),?{_SP}(?:the{_SP})?)?(?<![\w,.:$£€/])(?P<d>\d{{1,2}}){_ORD}"
    rf"(?:[^\S\n]*[-–][^\S\n]*\d{{1,2}}{_ORD})?{_SP}(?:of{_SP})?$"
)
_L_WEEKDAY = _later(rf"(?<![\w]){_WD_ANY},?{_SP}(?:the{_SP})?$")
_MONTH_CTX = (
    r"in|In|last|Last|next|Next|this|This|since|Since|until|Until|till|by|By|from|From|"
    r"during|During|before|Before|after|After|through|early|Early|late|Late|mid|Mid|"
    r"between|Between|end[^\S\n]+of|beginning[^\S\n]+of|start[^\S\n]+of|middle[^\S\n]+of|"
    r"End[^\S\n]+of|Beginning[^\S\n]+of|Start[^\S\n]+of"
)
_L_MONTH_CTX = _later(
    rf"(?<![\w.])(?P<ctx>{_MONTH_CTX})(?:{_SP}|-)(?:(?:early|late|mid)(?:{_SP}|-))?$"
)
_R_MONTH_YEARWORD = _later(rf",?{_SP}(?:of{_SP})?(this|last|next){_SP}year\b")
_LIST_SEP = _later(r"[^\S\n]*(?:,|and|or|to|through|until|[-–])[^\S\n]*(?:in[^\S\n]+)?")

# around four digits
_R_NUMERIC = _later(r"(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?!\d|[./-]\d)")
_L_NUMERIC = _later(r"(?<![\d./-])(?P<a>\d{1,2})(?P<sep>[./])(?P<b>\d{1,2})(?P=sep)$")
_YEAR_CTX = (
    r"in|In|since|Since|until|Until|till|by|By|from|From|during|During|before|Before|"
    r"after|After|around|circa|c\.|of|year|early|Early|late|Late|mid|Mid|between|Between|"
    r"through|throughout|born|died|founded|established|spring|summer|autumn|fall|winter|"
    r"Spring|Summer|Autumn|Fall|Winter|the|The"
)
_L_YEAR_CTX = _later(rf"(?<![\w.])(?P<ctx>{_YEAR_CTX})(?:{_SP}|-)$")
_R_YEAR_BAD = _later(r"[^\S\n]*[-–/][^\S\n]*\d{1,2}(?!\d)")  # "2019-20", "2019/20"
# words after a number that show it counts things rather than names a year
_COUNT_NOUN = _later(
    r"[^\S\n]*(?:%|per\b|percent|people|persons|men|women|children|troops|soldiers|"
    r"votes|voters|deaths|dead|cases|residents|homes|houses|km|miles|metres|meters|feet|"
    r"kilometres|kilometers|tons|tonnes|pounds|dollars|euros|million|billion|thousand|"
    r"hundred|members|employees|workers|jobs|units|copies|pages|words|points|games|"
    r"[a-z]+ers\b|[a-z]{3,}ies\b|[a-z]{3,}(?<![su])s\b)"
)
_WEAK_YEAR_CTX = frozenset({"the", "The", "of", "around", "mid", "Mid"})

# weekdays
_L_WD_CTX = _later(rf"(?<![\w])(?P<ctx>on|On|last|Last|next|Next|this|This){_SP}$")
_WD_BEFORE_NOT = _later(
    r"(?<![\w])(?:Black|Good|Super|Ash|Bloody|Holy|Easter|Palm|Cyber|Maundy|Shrove|Giving|Fat|"
    r"Whit|Man|Girl|Freaky|Mail[^\S\n]+on|Independent[^\S\n]+on|Observer[^\S\n]+on)[^\S\n]+$"
)
_WD_AFTER_NOT = _later(
    r"[^\S\n]+(?:Times|Telegraph|Mirror|Express|Herald|Post|People|Star|Mail|Sport|World|"
    r"Independent|Tribune|Review|Magazine|Night[^\S\n]+Live|School|League|Bloody|Island)\b"
)
_FUTURE = _later(
    r"\b(?:will|won't|shall|(?:is|are|was|were)[^\S\n]+(?:due|set|scheduled|expected|"
    r"slated|planned|going|forecast|predicted|projected)|(?:forecast|predicted|projected)[^\S\n]+to|(?:is|are)[^\S\n]+to[^\S\n]+(?!have)|plans?[^\S\n]+to|planning|"
    r"upcoming|scheduled[^\S\n]+for|to[^\S\n]+be[^\S\n]+held|would)\b|'ll\b"
)
_PAST_MARK = _later(r"\b(?:[Ee]arlier[^\S\n]+this[^\S\n]+week|[Ll]ast[^\S\n]+week|ago)\b")
_SENTENCE_END = _later(r"[.!?][\"'”’)\]]*[^\S\n]+(?=[\"'“‘(A-Z0-9])|\n")
_PAST_VERB = _later(
    r"\b(?:said|says|told|announced|reported|confirmed|stated|added|wrote|tweeted)[^\S\n]*$"
)

# keywords (found with str.find on the lower-cased text)
_L_AGO = _later(
    r"(?<![\w,.])(?P<n>\d{1,3}|"
    + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
    + rf"){_SP}(?P<u>day|week|month|year|decade)s?{_SP}$"
)
_R_REL_UNIT = _later(r"[^\S\n]+(?P<u>week|month|year|night|morning|afternoon|evening)\b")
_L_REL_NOT = _later(r"(?<![\w])(?:the|past|first|its|his|her|their|our)[^\S\n]+$")
_TOMORROW_NOT = _later(r"(?:today,?|today[^\S\n]+and|of)[^\S\n]+$")
_DAYWORDS: dict[str, int] = {
    "yesterday": -1, "tomorrow": 1, "tonight": 0, "earlier today": 0, "later today": 0,
}

# ------------------------------------------------------------------------- helpers


def _valid(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _month_no(word: str) -> int:
    return _MONTHS[word.rstrip(".").lower()]


def _shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    total = year * 12 + (month - 1) + delta
    return total // 12, total % 12 + 1


def _ym(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _sentence_before(text: str, start: int, limit: int = 160) -> str:
    """The part of the sentence that precedes ``start`` (at most ``limit`` characters)."""
    window = text[max(0, start - limit):start]
    last = None
    for last in _SENTENCE_END.finditer(window):  # noqa: B007 - the loop keeps the last match
        pass
    return window[last.end():] if last is not None else window


def _in_quote(text: str, pos: int) -> bool:
    """Whether ``pos`` lies inside a quotation opened earlier in its paragraph."""
    para = text[text.rfind("\n", 0, pos) + 1:pos]
    if para.count("“") > para.count("”"):
        return True
    return para.count('"') % 2 == 1


def _number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    return _NUMBER_WORDS.get(word.lower())


def _nearest(pub: dt.date, month: int, day: int) -> dt.date | None:
    """The date with this month and day nearest to ``pub`` (previous, same or next year)."""
    best: dt.date | None = None
    for year in (pub.year, pub.year - 1, pub.year + 1):
        d = _valid(year, month, day)
        if d is not None and (best is None or abs((d - pub).days) < abs((best - pub).days)):
            best = d
    return best


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


# Candidate: (priority, start, end, value, granularity); lower priority wins overlaps.
_Cand = tuple[int, int, int, str, Granularity]


class _Scan:
    """One article's text, its publication date and the candidates found so far."""

    __slots__ = ("text", "pub", "cands")

    def __init__(self, text: str, pub: dt.date | None) -> None:
        self.text = text
        self.pub = pub
        self.cands: list[_Cand] = []

    def add(self, prio: int, start: int, end: int, value: str, gran: Granularity) -> None:
        self.cands.append((prio, start, end, value, gran))

    # ---------------------------------------------------------------- month names
    def months(self) -> None:
        text, pub = self.text, self.pub
        list_end = -1  # end of the last month-only mention, for "in July and August"
        list_ctx = ""
        for m in _T_MONTH.finditer(text):
            ms, me = m.span()
            word = m.group()
            full = word.lower()
            if full not in _MONTHS or (ms and _is_word_char(text[ms - 1])):
                continue
            month = _MONTHS[full]
            abbr = len(word) <= 4 and word not in ("June", "July", "May")
            if abbr and text.startswith(".", me):
                me += 1
            if word == "May" and text[max(0, ms - 8):ms] == "Theresa ":
                continue
            r = _R_MONTH.match(text, me)
            left = text[max(0, ms - 40):ms]
            if r is not None and r.group("d"):  # February 24[, 2022]
                day = int(r.group("d"))
                w = _L_WEEKDAY.search(left)
                start = ms - len(w.group()) if w else ms
                if r.group("y"):
                    d = _valid(int(r.group("y")), month, day)
                    end = r.end()
                elif pub is not None:
                    end = r.end()
                    yw = _R_MONTH_YEARWORD.match(text, end)
                    if yw is not None:  # "March 20 last year"
                        step = {"last": -1, "this": 0, "next": 1}[yw.group(1).lower()]
                        d = _valid(pub.year + step, month, day)
                        end = yw.end()
                    else:
                        d = _nearest(pub, month, day)
                else:
                    continue
                if d is not None:
                    self.add(1, start, end, d.isoformat(), "day")
                continue
            ld = _L_DAY.search(left)
            if ld is not None:  # 24 February [2022]
                day = int(ld.group("d"))
                start = ms - len(ld.group())
                y = r.group("y2") if r is not None else None
                if y:
                    d = _valid(int(y), month, day)
                    end = r.end()  # type: ignore[union-attr]
                elif pub is not None:
                    d = _nearest(pub, month, day)
                    end = me
                else:
                    continue
                if d is not None:
                    self.add(1, start, end, d.isoformat(), "day")
                continue
            if r is not None:  # July 2023
                self.add(1, ms, r.end(), _ym(int(r.group("y2")), month), "month")
                continue
            if abbr or pub is None or text.startswith("'s", me):
                continue
            c = _L_MONTH_CTX.search(left)
            if c is not None:
                ctx = c.group("ctx").lower()
                start = ms - len(c.group())
            elif list_end >= 0 and _LIST_SEP.fullmatch(text, list_end, ms):
                ctx, start = list_ctx, ms
            else:
                continue
            if ctx == "last":
                year = pub.year if month < pub.month else pub.year - 1
            elif ctx == "next":
                year = pub.year if month > pub.month else pub.year + 1
            else:
                year = pub.year
                if month - pub.month > 8:  # "in December" in a January article
                    year -= 1
            y = _R_MONTH_YEARWORD.match(text, me)
            if y is not None:  # "January of this year", "August last year"
                year = pub.year + {"last": -1, "this": 0, "next": 1}[y.group(1).lower()]
                me = y.end()
            self.add(4, start, me, _ym(year, month), "month")
            list_end, list_ctx = me, ctx

    # ---------------------------------------------------------------- four digits
    def years(self) -> None:
        text, pub = self.text, self.pub
        n = len(text)
        list_end = -1
        top = (pub.year if pub else dt.date.today().year) + 10
        for m in _T_YEAR.finditer(text):
            ys, ye = m.span()
            if (ys and (text[ys - 1].isdigit() or text[ys - 1] in "$£€")) or (
                ye < n and _is_word_char(text[ye])
            ):
                continue
            year = int(m.group())
            prev = text[ys - 1] if ys else ""
            if prev not in "./-,":
                r = _R_NUMERIC.match(text, ye)
                if r is not None:  # 2022-02-24, 2022/02/24
                    d = _valid(year, int(r.group("m")), int(r.group("d")))
                    if d is not None:
                        self.add(0, ys, r.end(), d.isoformat(), "day")
                    continue
            if prev in "./":
                ln = _L_NUMERIC.search(text, max(0, ys - 8), ys)
                if ln is not None:  # 24.02.2022, 4/24/2022
                    a, b = int(ln.group("a")), int(ln.group("b"))
                    if ln.group("sep") == ".":
                        d = _valid(year, b, a)
                    elif a > 12 >= b:
                        d = _valid(year, b, a)
                    elif b > 12 >= a:
                        d = _valid(year, a, b)
                    else:
                        d = None  # ambiguous order
                    if d is not None:
                        self.add(0, ln.start(), ye, d.isoformat(), "day")
                    continue
            if ye < n and text[ye] in ",." and ye + 1 < n and text[ye + 1].isdigit():
                continue  # 2,019 / 2019.5
            if _R_YEAR_BAD.match(text, ye) or _COUNT_NOUN.match(text, ye):
                continue
            if list_end >= 0 and _LIST_SEP.fullmatch(text, list_end, ys):
                if 1000 <= year <= top:
                    self.add(5, ys, ye, f"{year:04d}", "year")
                    list_end = ye
                continue
            c = _L_YEAR_CTX.search(text, max(0, ys - 16), ys)
            if c is None:
                continue
            ctx = c.group("ctx")
            if ctx in _WEAK_YEAR_CTX:
                if not 1900 <= year <= top:
                    continue
                start = ys
            else:
                start = c.start()
            self.add(5, start, ye, f"{year:04d}", "year")
            list_end = ye

    # ---------------------------------------------------------------- weekdays
    def weekdays(self) -> None:
        text, pub = self.text, self.pub
        if pub is None:
            return
        n = len(text)
        for m in _T_WEEKDAY.finditer(text):
            ws, we = m.span()
            if (ws and _is_word_char(text[ws - 1])) or (we < n and _is_word_char(text[we])):
                continue
            if _WD_BEFORE_NOT.search(text, max(0, ws - 24), ws) or _WD_AFTER_NOT.match(text, we):
                continue
            wd = _WEEKDAYS[m.group().lower()]
            c = _L_WD_CTX.search(text, max(0, ws - 6), ws)
            ctx = c.group("ctx").lower() if c else ""
            start = c.start() if c else ws
            back = (pub.weekday() - wd) % 7  # days back to the most recent such day (0..6)
            if ctx == "last":
                delta = -(back or 7)
            elif ctx == "next":
                delta = (wd - pub.weekday()) % 7 or 7
            else:
                before = _sentence_before(text, start)
                if (
                    _PAST_VERB.search(before)
                    or _PAST_MARK.search(before)
                    or not _FUTURE.search(before)
                ):
                    delta = -back
                else:
                    delta = (wd - pub.weekday()) % 7
            self.add(3, start, we, (pub + dt.timedelta(days=delta)).isoformat(), "day")

    # ---------------------------------------------------------------- keywords
    def keywords(self, lower: str) -> None:
        text, pub = self.text, self.pub
        if pub is None:
            return
        n = len(text)
        pos = lower.find(" ago")
        while pos >= 0:
            end = pos + 4
            if end >= n or not _is_word_char(text[end]):
                a = _L_AGO.search(lower, max(0, pos - 24), pos + 1)
                if a is not None:
                    self._ago(a.start(), end, _number(a.group("n")), a.group("u"))
            pos = lower.find(" ago", end)
        for word in ("last", "next", "this"):
            step = {"last": -1, "next": 1, "this": 0}[word]
            pos = lower.find(word + " ")
            while pos >= 0:
                end = pos + len(word)
                if not (pos and _is_word_char(text[pos - 1])):
                    r = _R_REL_UNIT.match(lower, end)
                    if r is not None and not _L_REL_NOT.search(lower, max(0, pos - 8), pos):
                        self._relative(pos, r.end(), step, r.group("u"))
                pos = lower.find(word + " ", end)
        for word, delta in _DAYWORDS.items():
            pos = lower.find(word)
            while pos >= 0:
                end = pos + len(word)
                if not (pos and _is_word_char(text[pos - 1])) and not (
                    end < n and _is_word_char(text[end])
                ):
                    if _in_quote(text, pos):
                        pass  # "tomorrow" in a quotation is the speaker's, not the paper's
                    elif not (word == "tomorrow" and _TOMORROW_NOT.search(lower, max(0, pos - 12), pos)):
                        self.add(7, pos, end, (pub + dt.timedelta(days=delta)).isoformat(), "day")
                pos = lower.find(word, end)

    def _ago(self, start: int, end: int, count: int | None, unit: str) -> None:
        pub = self.pub
        if count is None or pub is None:
            return
        try:
            if unit == "day":
                self.add(2, start, end, (pub - dt.timedelta(days=count)).isoformat(), "day")
            elif unit == "week":
                self.add(2, start, end, (pub - dt.timedelta(days=7 * count)).isoformat(), "day")
            elif unit == "month":
                self.add(2, start, end, _ym(*_shift_month(pub.year, pub.month, -count)), "month")
            else:
                year = pub.year - count * (10 if unit == "decade" else 1)
                if year >= 1:
                    self.add(2, start, end, f"{year:04d}", "year")
        except (OverflowError, ValueError):
            pass

    def _relative(self, start: int, end: int, step: int, unit: str) -> None:
        pub = self.pub
        assert pub is not None
        if unit == "week":
            monday = pub - dt.timedelta(days=pub.weekday()) + dt.timedelta(days=7 * step)
            self.add(6, start, end, monday.isoformat(), "day")
        elif unit == "month":
            self.add(6, start, end, _ym(*_shift_month(pub.year, pub.month, step)), "month")
        elif unit == "year":
            self.add(6, start, end, f"{pub.year + step:04d}", "year")
        elif _in_quote(self.text, start):
            pass  # "last night" / "this morning" in a quotation: the speaker's day, unknown
        elif unit == "night":
            if step == -1:
                self.add(7, start, end, (pub - dt.timedelta(days=1)).isoformat(), "day")
        elif step == 0:  # this morning / afternoon / evening
            self.add(7, start, end, pub.isoformat(), "day")

    def resolve(self) -> list[tuple[int, int, str, Granularity]]:
        """The candidates that survive overlaps (higher priority first), in text order."""
        taken: list[tuple[int, int]] = []
        kept: list[tuple[int, int, str, Granularity]] = []
        for _prio, s, e, value, gran in sorted(self.cands):
            if any(s < te and ts < e for ts, te in taken):
                continue
            taken.append((s, e))
            kept.append((s, e, value, gran))
        kept.sort()
        return kept


# ------------------------------------------------------------------------- Romanian
# Romanian text ("20 aprilie 2023", "joi", "luna trecută", "acum 14 luni"): the same
# candidates and overlap rules, with Romanian words. Numeric dates (24.02.2022,
# 2022-02-24) are found by the language-neutral part of :meth:`_Scan.years`.

_RO_MONTHS: dict[str, int] = {
    "ianuarie": 1, "februarie": 2, "martie": 3, "aprilie": 4, "mai": 5, "iunie": 6, "iulie": 7,
    "august": 8, "septembrie": 9, "octombrie": 10, "noiembrie": 11, "decembrie": 12,
    "ian": 1, "feb": 2, "febr": 2, "mar": 3, "apr": 4, "iun": 6, "iul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "noi": 11, "nov": 11, "dec": 12,
}
#: Weekdays, with and without diacritics (ş/ţ with a cedilla too).
_RO_WEEKDAYS: dict[str, int] = {
    "luni": 0, "marți": 1, "marţi": 1, "marti": 1, "miercuri": 2, "joi": 3, "vineri": 4,
    "sâmbătă": 5, "sambata": 5, "sîmbătă": 5, "duminică": 6, "duminica": 6,
}
_RO_NUMBERS: dict[str, int] = {
    "un": 1, "o": 1, "una": 1, "unu": 1, "doi": 2, "două": 2, "doua": 2, "trei": 3, "patru": 4,
    "cinci": 5, "șase": 6, "şase": 6, "sase": 6, "șapte": 7, "şapte": 7, "sapte": 7, "opt": 8,
    "nouă": 9, "noua": 9, "zece": 10, "unsprezece": 11, "doisprezece": 12, "douăsprezece": 12,
    "cincisprezece": 15, "douăzeci": 20, "douazeci": 20, "treizeci": 30,
}
_RO_UNITS: dict[str, str] = {
    "zi": "day", "zile": "day", "săptămână": "week", "săptămâni": "week", "saptamana": "week",
    "saptamani": "week", "lună": "month", "luni": "month", "luna": "month", "an": "year", "ani": "year",
    "deceniu": "decade", "decenii": "decade",
}
_RO_MONTH_RE = "|".join(sorted(_RO_MONTHS, key=len, reverse=True))
_RO_NUM_RE = "|".join(sorted(_RO_NUMBERS, key=len, reverse=True))
_RO_UNIT_RE = "|".join(sorted(_RO_UNITS, key=len, reverse=True))
_RO_WD_RE = "|".join(sorted(_RO_WEEKDAYS, key=len, reverse=True))
_W = r"(?<![\w])"  # a word starts here
_WE = r"(?![\w])"  # a word ends here

# "20 aprilie 2023", "pe 24 februarie", "1-2 martie 2022", "20 apr. 2023"
_RO_DAY_MONTH = _later(
    rf"{_W}(?:(?P<ctx>pe|din|până\s+pe|de\s+pe|la)\s+)?(?P<d>\d{{1,2}})(?:\s*[-–]\s*\d{{1,2}})?\s+"
    rf"(?P<m>{_RO_MONTH_RE})\.?{_WE}(?:,?\s+(?P<y>[12]\d{{3}}){_WE})?", re.IGNORECASE)
# "aprilie 2023", "luna aprilie", "în aprilie", "din martie", "la sfârșitul lunii mai"
_RO_MONTH_YEAR = _later(rf"{_W}(?P<m>{_RO_MONTH_RE})\.?\s+(?P<y>[12]\d{{3}}){_WE}", re.IGNORECASE)
_RO_MONTH_CTX = _later(
    rf"{_W}(?P<ctx>luna|lunii|în|in|din|până\s+în|pana\s+in|începând\s+cu|(?:la\s+)?(?:începutul|sfârșitul|mijlocul|finalul)\s+lunii)"
    rf"\s+(?P<m>{_RO_MONTH_RE}){_WE}(?P<rel>\s+(?:a\s+)?(?:anului\s+)?(?:trecut|trecută|viitor|viitoare|acestui\s+an|anul\s+trecut|anul\s+viitor))?",
    re.IGNORECASE)
# weekdays: "joi", "luni seara", "pe 3 martie" is a day-month; "miercurea trecută"
_RO_WEEKDAY = _later(
    rf"{_W}(?:(?P<ctx>de|pe|din|până|pana|încă\s+de|inca\s+de)\s+)?(?P<wd>{_RO_WD_RE})"
    rf"(?P<rel>\s+(?:trecut|trecută|viitor|viitoare))?{_WE}", re.IGNORECASE)
_RO_NOT_WEEKDAY_BEFORE = _later(
    rf"(?:\d+|{_RO_NUM_RE}|câteva|cateva|multe|ultimele|următoarele|urmatoarele|două|trei|de|mai\s+multe)\s+$",
    re.IGNORECASE)
_RO_NOT_WEEKDAY_AFTER = _later(r"\s+(?:de\s+zile|la\s+rând|în\s+șir|încoace)", re.IGNORECASE)
# "acum 14 luni", "acum doi ani", "în urmă cu trei zile", "cu 5 ani în urmă"
_RO_AGO = _later(
    rf"{_W}(?:acum|în\s+urmă\s+cu|in\s+urma\s+cu)\s+(?P<n>\d{{1,3}}|{_RO_NUM_RE})\s+(?:de\s+)?(?P<u>{_RO_UNIT_RE}){_WE}"
    rf"|{_W}cu\s+(?P<n2>\d{{1,3}}|{_RO_NUM_RE})\s+(?:de\s+)?(?P<u2>{_RO_UNIT_RE})\s+în\s+urmă{_WE}", re.IGNORECASE)
# "anul trecut", "luna trecută", "săptămâna viitoare", "anul acesta"
_RO_RELATIVE = _later(
    rf"{_W}(?P<u>anul|luna|săptămâna|saptamana)\s+(?P<rel>trecut|trecută|trecuta|viitor|viitoare|acesta|aceasta|asta|ăsta|curent|curentă)"
    rf"{_WE}", re.IGNORECASE)
_RO_DAYWORDS: dict[str, int] = {
    "ieri": -1, "alaltăieri": -2, "alaltaieri": -2, "aseară": -1, "aseara": -1, "mâine": 1, "maine": 1,
    "poimâine": 2, "poimaine": 2, "azi-noapte": -1, "azi-dimineață": 0, "azi-dimineaţă": 0,
}
_RO_DAYWORD = _later(rf"{_W}(?P<w>{'|'.join(sorted(_RO_DAYWORDS, key=len, reverse=True))}){_WE}", re.IGNORECASE)
_RO_YEAR = _later(
    rf"{_W}(?P<ctx>în|in|din|până\s+în|pana\s+in|anul|anului|începând\s+cu|între|după|dupa|înainte\s+de)\s+(?:anul\s+)?"
    rf"(?P<y>[12]\d{{3}}){_WE}(?!\s*(?:de\s+)?(?:lei|euro|dolari|persoane|oameni|%|km|metri))", re.IGNORECASE)
_RO_FUTURE = _later(r"\b(?:va|vor|vom|voi|vei|urmează\s+să|urmeaza\s+sa|o\s+să|o\s+sa|are\s+loc|programat|programată)\b",
                    re.IGNORECASE)


def _ro_number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    return _RO_NUMBERS.get(word.lower())


class _RoScan(_Scan):
    """The Romanian rules (see the module docstring)."""

    __slots__ = ()

    def romanian(self) -> None:
        text, pub = self.text, self.pub
        for m in _RO_DAY_MONTH.finditer(text):
            month = _RO_MONTHS[m.group("m").lower()]
            day = int(m.group("d"))
            start = m.start("ctx") if m.group("ctx") else m.start("d")
            if m.group("y"):
                d = _valid(int(m.group("y")), month, day)
            elif pub is not None:
                d = _nearest(pub, month, day)
            else:
                continue
            end = m.end()
            if not m.group("y") and text[end - 1] == "." and len(m.group("m")) > 4:
                end -= 1  # "pe 1 iunie." : the full stop ends the sentence
            if d is not None:
                self.add(1, start, end, d.isoformat(), "day")
        for m in _RO_MONTH_YEAR.finditer(text):
            self.add(1, m.start(), m.end(), _ym(int(m.group("y")), _RO_MONTHS[m.group("m").lower()]), "month")
        if pub is None:
            self._years()
            return
        for m in _RO_MONTH_CTX.finditer(text):
            word = m.group("m").lower()
            if len(word) <= 4 and word != "mai":  # abbreviations only with a day
                continue
            if word == "mai" and not m.group("ctx").lower().endswith(("luna", "lunii")):
                continue  # "în mai multe orașe": "mai" is "more"
            month = _RO_MONTHS[word]
            rel = (m.group("rel") or "").lower()
            year = pub.year
            if "trecut" in rel:
                year = pub.year - 1 if "anul" in rel or "anului" in rel else (pub.year if month < pub.month else pub.year - 1)
            elif "viito" in rel:
                year = pub.year + 1 if "anul" in rel or "anului" in rel else (pub.year if month > pub.month else pub.year + 1)
            elif month - pub.month > 8:
                year -= 1
            self.add(4, m.start(), m.end(), _ym(year, month), "month")
        for m in _RO_WEEKDAY.finditer(text):
            ws = m.start("wd")
            wd_word = m.group("wd").lower()
            if wd_word == "luni" and not m.group("ctx") and (
                    _RO_NOT_WEEKDAY_BEFORE.search(text, max(0, ws - 24), ws) or _RO_NOT_WEEKDAY_AFTER.match(text, m.end())):
                continue  # "14 luni" (months), "luni de zile"
            if wd_word == "luni" and m.group("ctx") in ("de",) and _RO_NOT_WEEKDAY_AFTER.match(text, m.end()):
                continue
            wd = _RO_WEEKDAYS[wd_word]
            back = (pub.weekday() - wd) % 7
            rel = (m.group("rel") or "").strip().lower()
            if rel.startswith("trecut"):
                delta = -(back or 7)
            elif rel.startswith("viito"):
                delta = (wd - pub.weekday()) % 7 or 7
            elif _RO_FUTURE.search(_sentence_before(text, ws)):
                delta = (wd - pub.weekday()) % 7
            else:
                delta = -back
            start = m.start("ctx") if m.group("ctx") else ws
            self.add(3, start, m.end(), (pub + dt.timedelta(days=delta)).isoformat(), "day")
        for m in _RO_AGO.finditer(text):
            n = _ro_number(m.group("n") or m.group("n2"))
            unit = _RO_UNITS[(m.group("u") or m.group("u2")).lower()]
            self._ago(m.start(), m.end(), n, unit)
        for m in _RO_RELATIVE.finditer(text):
            unit = {"anul": "year", "luna": "month"}.get(m.group("u").lower(), "week")
            rel = m.group("rel").lower()
            step = -1 if rel.startswith("trecut") else 1 if rel.startswith("viito") else 0
            self._relative(m.start(), m.end(), step, unit)
        for m in _RO_DAYWORD.finditer(text):
            if _in_quote(text, m.start()):
                continue
            delta = _RO_DAYWORDS[m.group("w").lower()]
            self.add(7, m.start(), m.end(), (pub + dt.timedelta(days=delta)).isoformat(), "day")
        self._years()

    def _years(self) -> None:
        for m in _RO_YEAR.finditer(self.text):
            year = int(m.group("y"))
            top = (self.pub.year if self.pub else dt.date.today().year) + 10
            if 1000 <= year <= top:
                self.add(5, m.start(), m.end(), f"{year:04d}", "year")


def _as_date(published: dt.date | dt.datetime | None) -> dt.date | None:
    if isinstance(published, dt.datetime):
        return published.date()
    return published


def extract_dates(
    paragraphs: list[str], published: dt.date | dt.datetime | None, language: str | None = None
) -> list[DateMention]:
    """Every date mentioned in ``paragraphs``, in reading order.

    Each :class:`~newssearch.model.DateMention` carries the normalised ``value``, its
    ``granularity``, the ``text`` it was read from and the index of its ``paragraph``.
    Relative mentions ("on Thursday", "last September", "14 months ago") are resolved
    against ``published`` and skipped when it is ``None``. See the module docstring for
    the rules. ``language`` "ro" reads Romanian ("20 aprilie 2023", "joi", "luna trecută",
    "acum 14 luni"); any other value, English.
    """
    _compile()
    pub = _as_date(published)
    starts: list[int] = []
    pos = 0
    for p in paragraphs:
        starts.append(pos)
        pos += len(p) + 2
    text = "\n\n".join(p.replace("\n", " ") for p in paragraphs)
    if language == "ro":
        ro = _RoScan(text, pub)
        ro.romanian()
        ro.years()  # numeric dates: 24.02.2022, 2022-02-24
        scan: _Scan = ro
    else:
        scan = _Scan(text, pub)
        scan.months()
        scan.years()
        scan.weekdays()
    if pub is not None and language != "ro":
        lower = text.lower()
        if len(lower) == len(text):  # offsets agree (always, short of exotic letters)
            scan.keywords(lower)
    return [
        DateMention(
            value=value,
            granularity=gran,
            text=text[s:e],
            paragraph=bisect.bisect_right(starts, s) - 1,
        )
        for s, e, value, gran in scan.resolve()
    ]


# ----------------------------------------------------------------- publication date

#: A publication date as metadata states it: the one parser every reader uses, with the
#: project's time-zone rule (the publisher's local date; see :mod:`newssearch.timeparse`).
parse_date = parse_published


# ---------------------------------------------------------------------- file names

_RE_NAME_SEP = _later(r"(?<!\d)(\d{4})([-_.])(\d{2})\2(\d{2})(?!\d)")
_RE_NAME_COMPACT = _later(r"(?<![0-9A-Za-z])(\d{4})(\d{2})(\d{2})(?!\d)")
_RE_NAME_DMY = _later(r"(?<!\d)(\d{2})([-_.])(\d{2})\2(\d{4})(?!\d)")
_RE_PATH_YMD = _later(r"(?<!\d)(\d{4})/(\d{2})/(\d{2})/")


def date_from_filename(name: str) -> dt.date | None:
    """The date written in a file name, or ``None``.

    Finds ``2023-04-20-nato.txt``, ``2023_04_20``, ``2023.04.20``, ``20230420_x.txt``,
    ``nato-2023-04-20.html`` and (day first) ``20-04-2023-nato.txt``; years 1900–2099.
    Given a path, the base name is tried first, then ``.../2023/04/20/...`` folders.
    """
    try:
        _compile()
        text = str(name).replace("\\", "/")
        base = text.rsplit("/", 1)[-1]
        candidates: list[tuple[int, int, int]] = []
        for m in _RE_NAME_SEP.finditer(base):
            candidates.append((int(m.group(1)), int(m.group(3)), int(m.group(4))))
        for m in _RE_NAME_COMPACT.finditer(base):
            candidates.append((int(m.group(1)), int(m.group(2)), int(m.group(3))))
        for m in _RE_NAME_DMY.finditer(base):
            candidates.append((int(m.group(4)), int(m.group(3)), int(m.group(1))))
        for m in _RE_PATH_YMD.finditer(text):
            candidates.append((int(m.group(1)), int(m.group(2)), int(m.group(3))))
        for y, mo, d in candidates:
            if 1900 <= y <= 2099:
                found = _valid(y, mo, d)
                if found is not None:
                    return found
    except Exception:  # noqa: BLE001
        return None
    return None
