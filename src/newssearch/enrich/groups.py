"""Groups of copies of one story (near-duplicates), as results and searchers see them.

The types :mod:`newssearch.enrich.duplicates` groups articles into, kept apart from it (and
from NumPy) so that a searcher reading the groups (:mod:`newssearch.store.duplicates`)
imports neither.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

#: The ``magic`` and ``format`` of a saved duplicate index's header (``duplicates.npz``).
FILE_MAGIC = "newssearch-duplicates"
FILE_FORMAT = 1
#: The publication key of an article without a date (sorts last: the largest int64).
NO_DATE = 2**63 - 1
#: What publication keys count microseconds from (naive UTC).
EPOCH = dt.datetime(1970, 1, 1)


def published_value(key: int) -> dt.datetime | None:
    """The date of a publication key (microseconds since :data:`EPOCH`; None for :data:`NO_DATE`)."""
    return None if key == NO_DATE else EPOCH + dt.timedelta(microseconds=key)


@dataclass(frozen=True)
class Version:
    """One article of a group: its id, publication date, length and similarity to the representative."""

    id: str
    #: naive UTC (a date without a time is its midnight); ``None`` when unknown
    published: dt.datetime | None
    length: int
    #: Jaccard similarity to the representative: estimated from the signatures, or exact when a verifier decided the pair (1.0 for itself)
    similarity: float


@dataclass(frozen=True)
class Group:
    """A story: articles that are copies of one another, representative first."""

    members: tuple[Version, ...]

    @property
    def representative(self) -> str:
        """The id of the earliest published copy (ties: the longest, then the smallest id)."""
        return self.members[0].id

    @property
    def ids(self) -> tuple[str, ...]:
        """The ids of all members, representative first, then in representative order."""
        return tuple(m.id for m in self.members)

    def __len__(self) -> int:
        return len(self.members)
