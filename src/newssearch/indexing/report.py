"""What an indexing run reports: progress while it works (:class:`Progress`) and what it
did (:class:`IndexReport`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..skips import Skips


class Progress:
    """What :func:`~newssearch.indexing.index_paths` reports while it works; the CLI draws a bar from it."""

    def start(self, total_bytes: int) -> None:
        """Work is about to begin on files of ``total_bytes`` bytes in all."""

    def advance(self, nbytes: int, articles: int = 0) -> None:
        """``nbytes`` more bytes of input are done, giving ``articles`` articles."""

    def close(self) -> None:
        """Work is over."""

    def waiting(self, seconds: float) -> None:
        """Another process is updating the index; waiting up to ``seconds`` for it."""


@dataclass
class IndexReport:
    """What an indexing run did. Counts are articles, except those named ``files``."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    unchanged_files: int = 0
    files_read: int = 0
    #: Skipped files and records: exact counts per kind of reason and the first few of each
    #: (``len(report.skipped)`` is the count; iterating gives the examples kept).
    skipped: Skips = field(default_factory=Skips)
    #: Records indexed, but not as they said (an id another file holds: indexed under a suffix).
    warnings: Skips = field(default_factory=Skips)
    seconds: float = 0.0
    index_dir: str = ""
    #: Where a damaged index was moved before ``rebuild`` made a new one (else None).
    moved_aside: str | None = None
    #: Articles whose numeric date read either way (``06/05/2024``) with no date order given
    #: (read month first), and one of those dates with its file.
    ambiguous_dates: int = 0
    ambiguous_example: str | None = None

    def skip_reasons(self) -> dict[str, int]:
        """How many skips per kind of reason, the most frequent first, with detail dropped
        ("invalid JSON: …" → "invalid JSON"; see :func:`~newssearch.skips.reason_kind`)."""
        return self.skipped.reasons()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "index": self.index_dir,
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "unchanged_files": self.unchanged_files,
            "files_read": self.files_read,
            "skipped": [{"path": e.path, "line": e.line, "reason": e.reason} for e in self.skipped],
            "skipped_count": self.skipped.total,
            "skip_reasons": self.skip_reasons(),
            "warnings": [{"path": e.path, "line": e.line, "reason": e.reason} for e in self.warnings],
            "warning_count": self.warnings.total,
            "seconds": round(self.seconds, 3),
            "moved_aside": self.moved_aside,
            "ambiguous_dates": self.ambiguous_dates,
            "ambiguous_example": self.ambiguous_example,
        }
