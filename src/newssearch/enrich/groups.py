"""Groups of copies of one story (near-duplicates), as results and searchers see them.

The types :mod:`newssearch.enrich.duplicates` groups articles into, and :class:`GroupTable`,
the groups of a saved duplicate index as flat lists, kept apart from it (and from NumPy) so
that a searcher reading the groups (:mod:`newssearch.store.duplicates`) imports neither.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

from ..errors import IndexError_

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


@dataclass(frozen=True)
class GroupTable:
    """The groups of copies of an index as flat lists: what a searcher needs to collapse
    copies, with no object made per article (:meth:`version` makes one when a result shows it).

    ``ids`` holds every article that has copies, each group's together in representative
    order (earliest published, longest, smallest id: the representative first); group ``k``
    is rows ``starts[k]`` to ``starts[k + 1]``; ``published`` (publication keys: see
    :func:`published_value`), ``length``, ``similarity`` and
    ``docnums`` are by row.
    """

    ids: list[str]
    starts: list[int]
    published: Sequence[int]
    length: Sequence[int]
    similarity: Sequence[float]
    #: By row: the article's document number in the index generation the file was saved
    #: for (-1: not in it), when the file has them (see :func:`~newssearch.store.duplicates.read_search_groups`).
    docnums: Sequence[int] | None = None

    def __len__(self) -> int:
        return len(self.starts) - 1

    def rows(self, group: int) -> range:
        """The rows of group number ``group``, representative first."""
        return range(self.starts[group], self.starts[group + 1])

    def version(self, row: int) -> Version:
        """The article of ``row`` as a :class:`Version`."""
        return Version(self.ids[row], published_value(int(self.published[row])), int(self.length[row]), float(self.similarity[row]))

    def groups(self) -> dict[str, Group]:
        """Article id → its :class:`Group` (what
        :func:`~newssearch.enrich.duplicates.read_groups` gives)."""
        out: dict[str, Group] = {}
        for k in range(len(self)):
            group = Group(tuple(self.version(row) for row in self.rows(k)))
            for version in group.members:
                out[version.id] = group
        return out


#: The arrays of ``duplicates.npz`` that hold the groups (what a searcher reads: not the
#: signatures, 512 bytes an article).
GROUP_ARRAYS = ("id_bytes", "id_lengths", "published", "length", "representative", "similarity")


def group_table(
    id_bytes: bytes, id_lengths: Sequence[int], published: Sequence[int], length: Sequence[int],
    representative: Sequence[int], similarity: Sequence[float], docnum: Sequence[int] | None = None,
) -> GroupTable:
    """The :class:`GroupTable` of a saved duplicate index's arrays (one entry per article,
    ``representative`` the row of its group's representative or -1); IndexError_ when they
    do not fit together."""
    count = len(id_lengths)
    if not count == len(published) == len(length) == len(representative) == len(similarity) or (docnum is not None and len(docnum) != count):
        raise IndexError_("the duplicates file is damaged (inconsistent arrays); index again with --rebuild")
    if count and (min(representative) < -1 or max(representative) >= count):
        raise IndexError_("the duplicates file is damaged (inconsistent arrays); index again with --rebuild")
    grouped = [i for i, rep in enumerate(representative) if rep >= 0]
    ends = list(accumulate(id_lengths))
    try:
        ids = {i: id_bytes[ends[i] - id_lengths[i] : ends[i]].decode("utf-8") for i in grouped}
    except UnicodeDecodeError as err:
        raise IndexError_("the duplicates file is damaged (article ids); index again with --rebuild") from err
    grouped.sort(key=lambda i: (representative[i], published[i], -length[i], ids[i]))
    starts = [n for n in range(len(grouped)) if n == 0 or representative[grouped[n]] != representative[grouped[n - 1]]]
    starts.append(len(grouped))
    return GroupTable(
        ids=[ids[i] for i in grouped], starts=starts if grouped else [0], published=[published[i] for i in grouped],
        length=[length[i] for i in grouped], similarity=[similarity[i] for i in grouped],
        docnums=None if docnum is None else [docnum[i] for i in grouped],
    )
