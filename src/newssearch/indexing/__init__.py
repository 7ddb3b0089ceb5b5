"""The indexing entry point: files → ingest → enrich → store, incrementally and in parallel.

:func:`index_paths` walks the given files and folders, reads, enriches and analyses only
what changed since the last run (by content hash), replaces changed files' articles,
removes the articles of deleted files (first, before anything is written), and commits.
What the index holds is read from its live documents at the start of each run
(:meth:`~newssearch.store.writer.IndexStore.known_files`), and article ids are kept unique by
:class:`~newssearch.ids.IdLedger`. For large work, worker processes read,
enrich, analyse and write (a whole file per task, or chunks of a large JSON/JSONL file), each
into an index segment of its own (:class:`~newssearch.store.writer.SegmentBuilder`); this
process holds the lock, deletes replaced articles, keeps the report and commits the workers'
segments together. Commits happen only between files, so no file is ever half in the index.

Modules: :mod:`~newssearch.indexing.report` (:class:`IndexReport`, :class:`Progress`),
:mod:`~newssearch.indexing.tasks` (units of work, run in this process),
:mod:`~newssearch.indexing.workers` (worker processes), :mod:`~newssearch.indexing.runner`
(:func:`index_paths`). Importing the package changes nothing process-wide (no fork hook, no
signal handler): a worker sets up its own end with the indexer when it starts.
"""

from __future__ import annotations

from .report import IndexReport, Progress
from .runner import COMMIT_EVERY, PARALLEL_MIN_BYTES, index_paths

__all__ = ["COMMIT_EVERY", "PARALLEL_MIN_BYTES", "IndexReport", "Progress", "index_paths"]
