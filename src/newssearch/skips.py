"""Skipped files and records, counted by reason with a few examples of each kept.

A bad file is one skip, but a bad JSON Lines file can be millions (a file of ``{}`` lines):
keeping each error would hold gigabytes. :class:`Skips` keeps an exact count per kind of
reason (:func:`reason_kind`: "invalid JSON: Expecting value (column 3)" → "invalid JSON")
and the first :data:`EXAMPLES_PER_REASON` errors of each kind, in the order they came.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator

from .errors import InputError

#: Errors kept per kind of reason (the rest are only counted).
EXAMPLES_PER_REASON = 20
#: Kinds of reason counted apart; further kinds are counted together under :data:`OTHER`.
MAX_REASONS = 50
#: The kind under which reasons past :data:`MAX_REASONS` are counted.
OTHER = "other reasons"


@functools.lru_cache(maxsize=4096)
def reason_kind(reason: str) -> str:
    """What a reason says without its detail: the text before the first ``:`` or ``" ("``
    ("file too large (21.0 MB; ...)" → "file too large"), after a JSON list item's number
    ("item 3: invalid JSON: ..." → "invalid JSON"); ids repeated in a file or used by
    another file are one kind each ("duplicate id", "id used by another file")."""
    if reason.startswith("item ") or (reason.startswith("record ") and " at offset " in reason):
        reason = reason.split(": ", 1)[-1]  # (a list item's or a web archive record's number)
    if reason.startswith("duplicate id "):
        return "duplicate id"
    if reason.startswith("id ") and " is also used by " in reason:
        return "id used by another file"
    for sep in (":", " ("):
        reason = reason.split(sep, 1)[0]
    if reason.startswith("cannot process article"):
        return "cannot process article"
    return reason.strip() or "unknown reason"


class Skips:
    """Skipped files and records: exact counts per kind of reason, the first few of each kept.

    ``len()`` is the number of skips; iterating gives the errors kept (all of them while no
    kind has more than :data:`EXAMPLES_PER_REASON`), in the order they were added.
    """

    def __init__(self, errors: Iterable[InputError] = (), per_reason: int = EXAMPLES_PER_REASON) -> None:
        self.per_reason = per_reason
        self.counts: dict[str, int] = {}
        self._kept: dict[str, int] = {}
        self._examples: list[InputError] = []
        self.extend(errors)

    def _kind(self, reason: str) -> str:
        kind = reason_kind(reason)
        if kind not in self.counts and len(self.counts) >= MAX_REASONS:
            return OTHER
        return kind

    def append(self, error: InputError) -> None:
        """Count ``error``; keep it if fewer than ``per_reason`` of its kind are kept."""
        kind = self._kind(error.reason)
        self.counts[kind] = self.counts.get(kind, 0) + 1
        if self._kept.get(kind, 0) < self.per_reason:
            self._kept[kind] = self._kept.get(kind, 0) + 1
            self._examples.append(error)

    def extend(self, errors: Iterable[InputError] | Skips) -> None:
        """Add errors one by one, or merge another :class:`Skips` (its counts and examples)."""
        if not isinstance(errors, Skips):
            for error in errors:
                self.append(error)
            return
        for error in errors._examples:
            self.append(error)
        for kind, count in errors.counts.items():
            extra = count - errors._kept.get(kind, 0)  # counted there but not kept
            if extra:
                kind = kind if kind in self.counts or len(self.counts) < MAX_REASONS else OTHER
                self.counts[kind] = self.counts.get(kind, 0) + extra

    @property
    def total(self) -> int:
        """How many files and records were skipped."""
        return sum(self.counts.values())

    def reasons(self) -> dict[str, int]:
        """Skips per kind of reason, the most frequent first (then in the order first seen)."""
        return dict(sorted(self.counts.items(), key=lambda kv: -kv[1]))

    def examples(self, kind: str | None = None) -> list[InputError]:
        """The errors kept (of one kind of reason, when given)."""
        if kind is None:
            return list(self._examples)
        return [e for e in self._examples if self._kind(e.reason) == kind]

    def __iter__(self) -> Iterator[InputError]:
        return iter(list(self._examples))

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index: int) -> InputError:
        """The ``index`` -th error kept."""
        return self._examples[index]

    def __bool__(self) -> bool:
        return bool(self.counts)

    def __repr__(self) -> str:
        return f"Skips({self.total} skipped: {self.reasons()})"
