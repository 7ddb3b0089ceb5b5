"""Collapsing copies of one story in search results (issue 20).

The index keeps groups of near-duplicate articles ("stories": wire copies, corrected
versions, one article under two URLs; see :mod:`newssearch.enrich.duplicates` and
:mod:`newssearch.store.duplicates`). A collapsed search shows one hit per story:

* the story takes the place of its best-ranked matching copy;
* the hit shown is its earliest published matching copy (ties: the longest), the
  story's representative whenever that one matches; the hit carries the story's other
  copies as ``other_versions`` (id, title, source, date, similarity);
* ``total`` still counts matching articles, ``stories`` counts them once per story, and
  pages are pages of stories;
* facets count articles, or with ``count="stories"`` one copy per story (the one shown).

Paragraph-level searches are never collapsed (a paragraph is not a story).
:class:`Stories` maps the groups to the searcher's document numbers (once per searcher).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..enrich.groups import GroupTable, Version


@dataclass(frozen=True)
class Collapsed:
    """One line of a collapsed ranking: the copy shown, its score (the story's best; None in
    a ranking by date) and the story's number (None for an article without copies)."""

    docnum: int
    score: float | None
    story: int | None


class Stories:
    """The index's groups of copies by document number.

    ``table`` holds the groups (articles with copies only, as
    :func:`~newssearch.store.duplicates.read_search_groups` gives them); ``docnum`` finds an
    article's document number (None when it is not in the index). A story's copies are
    kept as (document number, row of the table): :meth:`version` makes the
    :class:`~newssearch.enrich.groups.Version` of a row a result shows."""

    def __init__(self, table: GroupTable, docnum: Callable[[str], int | None]) -> None:
        self._table = table
        #: document number → its story's number
        self.story_of: dict[int, int] = {}
        #: story number → (document number, row) of its copies in the index, representative order
        self.members: list[list[tuple[int, int]]] = []
        ids = table.ids
        for group in range(len(table)):
            found = [(d, row) for row in table.rows(group) if (d := docnum(ids[row])) is not None]
            if len(found) < 2:
                continue
            number = len(self.members)
            self.members.append(found)
            for d, _ in found:
                self.story_of[d] = number
        #: how many articles are copies beyond the first of their story (index-wide)
        self.redundant = sum(len(m) - 1 for m in self.members)
        self._grouped = frozenset(self.story_of)

    def version(self, row: int) -> Version:
        """The copy of a row of :attr:`members` (id, date, length, similarity)."""
        return self._table.version(row)

    def __bool__(self) -> bool:
        return bool(self.members)

    def matching(self, matched: Iterable[int]) -> dict[int, list[int]]:
        """Story number → its matching copies, representative order (stories with a match only)."""
        story_of = self.story_of
        hits: dict[int, set[int]] = {}
        for d in self._grouped.intersection(matched):  # (the loop over the matches in C)
            hits.setdefault(story_of[d], set()).add(d)
        return {story: [d for d, _ in self.members[story] if d in found] for story, found in hits.items()}

    @staticmethod
    def count(total: int, matching: dict[int, list[int]]) -> int:
        """How many stories ``total`` matching articles make."""
        return total - sum(len(found) - 1 for found in matching.values())

    def collapse(self, ranked: list[tuple[int, float | None]], matching: dict[int, list[int]]) -> list[Collapsed]:
        """A ranking with one line per story, at the place of its best-ranked copy."""
        out: list[Collapsed] = []
        placed: set[int] = set()
        story_of = self.story_of
        for docnum, score in ranked:
            story = story_of.get(docnum)
            if story is None:
                out.append(Collapsed(docnum, score, None))
            elif story not in placed:
                placed.add(story)
                out.append(Collapsed(matching[story][0] if story in matching else docnum, score, story))
        return out

    def per_story(self, matched: list[int], matching: dict[int, list[int]]) -> list[int]:
        """The matching articles with one copy per story (the one a collapsed hit shows)."""
        shown = {found[0] for found in matching.values()}
        story_of = self.story_of
        return [d for d in matched if d not in story_of or d in shown]

    def others(self, story: int, docnum: int) -> list[tuple[int, Version, bool]]:
        """The story's copies other than ``docnum``: (document number, version, is the representative)."""
        members = self.members[story]
        return [(d, self.version(row), i == 0) for i, (d, row) in enumerate(members) if d != docnum]
