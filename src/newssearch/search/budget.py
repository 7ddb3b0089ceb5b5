"""What one query may cost, and the error when it would cost more.

A query of 2,000 characters can ask for a great deal of work: 400 infix wildcards
(``*ae* *ai* …``) each expanding to hundreds of words, 300 fuzzy words, 300 common words
joined with OR. Each part may be cheap; together they took minutes. Every query is held to
:class:`QueryLimits`:

* ``patterns``: wildcard, prefix, fuzzy and range parts (each one looks through the
  index's list of words);
* ``terms``: words, once those parts are expanded (plain words and phrase words count too,
  as Lucene's ``maxClauseCount`` counts them), and at most ``per_pattern`` words from any
  one part (the rest are left out: ``*a*`` still answers);
* ``postings``: entries in the posting lists of all those words together (what ranking
  them reads);
* ``seconds``: time, checked while expanding and while matching and ranking (the snippets
  of the hits found then get what is left, and stop scoring paragraphs when it is used up;
  one posting list read past the limit, the snippets and the facets make the rest of a
  query's time: 1 s leaves room for them within 2 s on 100k articles). The clock is
  the CPU time of the querying thread (``time.thread_time``): the work the query itself
  does, the same on a busy machine as on an idle one (where it is the wall-clock time, as
  the index is read from memory), and in a server, not counting other threads' queries.

What would go past a limit raises :class:`~newssearch.errors.QueryTooExpensiveError`
(a :class:`~newssearch.errors.QueryError`: exit status 2) with one line naming the query and
what to narrow. Limits are counted in units of work, so tests check them exactly; the clock
is injectable (``QueryLimits(clock=...)``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import QueryTooExpensiveError

#: Wildcard, prefix, fuzzy and range parts one query may have.
MAX_PATTERNS = 32
#: Words one query may ask for once its wildcards, prefixes and fuzzy words are expanded.
MAX_TERMS = 2048
#: Words one wildcard, prefix or fuzzy word expands to at most (the rest are left out).
MAX_EXPANSION = 512
#: Postings (document entries in the words' posting lists) one query may read.
MAX_POSTINGS = 8_000_000
#: Seconds one query may spend expanding, matching and ranking.
QUERY_SECONDS = 1.0

#: How much of the query an error message quotes.
_QUOTED = 60


@dataclass(frozen=True)
class QueryLimits:
    """The most one query may cost (see the module docstring); ``None`` for no limit."""

    patterns: int | None = MAX_PATTERNS
    terms: int | None = MAX_TERMS
    per_pattern: int = MAX_EXPANSION
    postings: int | None = MAX_POSTINGS
    seconds: float | None = QUERY_SECONDS
    clock: Callable[[], float] = field(default=time.thread_time, compare=False)

    def start(self, text: str) -> QueryBudget:
        """The budget of one query, its clock started now."""
        return QueryBudget(self, text)


class QueryBudget:
    """The work one query has done so far, against its :class:`QueryLimits`."""

    def __init__(self, limits: QueryLimits, text: str) -> None:
        self.limits = limits
        self.text = text
        self.started = limits.clock()
        #: Wildcard, prefix, fuzzy and range parts expanded.
        self.patterns = 0
        #: Words asked for (plain, phrase and expanded ones).
        self.terms = 0
        #: Entries of the index's word lists looked at while expanding.
        self.scanned = 0
        #: Postings of the query's words.
        self.postings = 0

    # -- charging ------------------------------------------------------------------------

    def pattern(self) -> None:
        """Count one more wildcard, prefix, fuzzy or range part."""
        self.patterns += 1
        limit = self.limits.patterns
        if limit is not None and self.patterns > limit:
            raise self.error(f"has more than {limit} wildcards, prefixes and fuzzy words", "use fewer of them")

    def add_terms(self, n: int) -> None:
        """Count ``n`` more words."""
        self.terms += n
        limit = self.limits.terms
        if limit is not None and self.terms > limit:
            raise self.error(
                f"asks for more than {limit:,} words once its wildcards, prefixes and fuzzy words are expanded",
                "use fewer of them, longer prefixes, or fewer words",
            )

    def add_postings(self, n: int) -> None:
        """Count ``n`` more postings to read."""
        self.postings += n
        limit = self.limits.postings
        if limit is not None and self.postings > limit:
            raise self.error(
                f"would read more than {limit / 1e6:g} million postings", "use fewer common words with OR, or add a rarer word"
            )

    def scan(self, n: int, doing: str = "expanding its wildcards, prefixes and fuzzy words") -> None:
        """Count ``n`` more word-list entries looked at, and check the time."""
        self.scanned += n
        self.check(doing)

    # -- time ----------------------------------------------------------------------------

    def elapsed(self) -> float:
        """Seconds since the query started."""
        return self.limits.clock() - self.started

    def out_of_time(self) -> bool:
        """True when the query has used up its time."""
        seconds = self.limits.seconds
        return seconds is not None and self.elapsed() > seconds

    def check(self, doing: str) -> None:
        """Raise when the query has used up its time (``doing`` says on what)."""
        if self.out_of_time():
            raise self.error(
                f"took more than {self.limits.seconds:g} s ({doing})",
                "use fewer wildcards, prefixes and fuzzy words, or fewer common words with OR",
            )

    # -- the error -----------------------------------------------------------------------

    def error(self, what: str, narrow: str) -> QueryTooExpensiveError:
        """The one-line error: the query (its start), what it asks, what to narrow."""
        quoted = self.text if len(self.text) <= _QUOTED else self.text[:_QUOTED].rstrip() + "…"
        return QueryTooExpensiveError(f"query too expensive: {quoted!r} {what}; {narrow}")
