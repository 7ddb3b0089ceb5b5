"""Article ids are unique in the index, whatever ids the files give.

The rule (a function of the files alone, so an incremental run and ``--rebuild`` give the
same index):

* within a file, the last record with an id wins (see :mod:`newssearch.ingest.jsonfmt`);
* the id of a ``.txt`` or ``.html`` article (a hash of its path) belongs to that file;
* an id given by JSON records of several files belongs to the file whose path sorts first;
  in every other file the record is indexed as ``ID~TAG`` (``TAG``: 8 hex digits derived from
  that file's path), with a warning naming the file that holds ``ID``.

:class:`IdLedger` applies the rule during a run. Files are read in path order; the ledger
knows the index as last committed and what this run assigned so far. When a file takes an
id that a later file holds, or gives up an id that later files hold under a suffix, those
later files must be read again: the ledger removes their articles at once (so that a crash
at any point leaves such a file missing from the index, and the next run reads it) and the
run reads each when its turn comes. A file whose turn has already passed is read in another pass
(only a damaged or crash-interrupted index leads there).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from .errors import InputError
from .model import Article, stable_id

#: Separates an id from the tag of the file that uses it too.
SUFFIX_SEP = "~"


class IndexedIds(Protocol):
    """What the ledger asks the index (as last committed); :class:`~newssearch.store.writer.IndexStore` answers."""

    def ids_of(self, path: str) -> set[str]: ...

    def paths_of(self, article_id: str) -> set[str]: ...

    def ids_starting(self, prefix: str) -> dict[str, str]: ...


def file_tag(path: str) -> str:
    """The tag a file adds to an id that another file holds."""
    return stable_id(path)[:8]


class IdLedger:
    """Assigns the ids of one run's JSON records (see the module docstring).

    ``index`` answers about the index as last committed; ``corpus`` are the files of this run;
    ``reserved`` maps the ids of its ``.txt``/``.html`` files to their paths; ``gone`` are the
    indexed files no longer in the corpus (their articles are being removed); ``remove(path)``
    removes a file's articles and returns their ids. Indexed files outside the folders of
    this run keep the ids they have (they are not read, so they cannot be re-read).
    """

    def __init__(
        self, index: IndexedIds, corpus: Iterable[str], reserved: dict[str, str], gone: Iterable[str], remove: Callable[[str], set[str]],
    ) -> None:
        self._index = index
        self._corpus = set(corpus)
        self._reserved = reserved
        self._gone = set(gone)
        self._remove = remove
        self._claimed: dict[str, str] = {}  # id → file that took it in this run
        self._reading: str | None = None  # the file whose articles are being assigned
        self._old: set[str] = set()  # the ids it had in the index
        self._kept: set[str] = set()  # the ids its articles have so far
        self._done: set[str] = set()  # files whose ids this run assigned
        self.position = ""  # the file being read (files are read in path order)
        #: Files to read again, their articles already removed: path → the ids they had (the
        #: run takes them out when it reads the file).
        self.forced: dict[str, set[str]] = {}
        #: Forced files whose turn had passed: read them in another pass.
        self.late: set[str] = set()

    def release_gone(self, path: str, ids: Iterable[str]) -> None:
        """``path`` left the corpus and its articles ``ids`` were removed."""
        for article_id in ids:
            self._released(article_id, path)

    def assign(self, path: str, articles: list[Article]) -> list[InputError]:
        """Give the articles read from ``path`` their ids in the index (in place); return a
        warning per record indexed under a suffixed id. A file's articles may come in several
        calls (chunks of a stream); :meth:`finish` ends the file."""
        if self._reading != path:
            self._reading = path
            self.position = path
            self._old = set(self.forced[path]) if path in self.forced else self._index.ids_of(path)
            self._kept = set()
        warnings = []
        for article in articles:
            wanted = article.id
            holder = self._holder(wanted, path)
            if holder is not None:
                article.id = self._suffixed(wanted, path)
                warnings.append(InputError(path, f"id {wanted!r} is also used by {holder}; this record is indexed as {article.id!r}", line=article.line))
            self._claimed[article.id] = path
            self._kept.add(article.id)
        return warnings

    def finish(self, path: str) -> None:
        """Every article of ``path`` was given to :meth:`assign`: the ids it no longer has
        go to the next files that want them."""
        if self._reading != path:
            self.assign(path, [])
        self._reading = None
        self._done.add(path)
        for article_id in self._old - self._kept:
            self._released(article_id, path)

    def _holder(self, article_id: str, path: str) -> str | None:
        """The file that keeps ``article_id`` rather than ``path`` (None: ``path`` takes it; a
        later file that held it is then forced to be read again)."""
        if article_id in self._reserved:
            return self._reserved[article_id]
        claimer = self._claimed.get(article_id)
        if claimer is not None and claimer != path:
            if claimer < path:
                return claimer
            self.force(claimer)  # (only in a later pass: in one pass, claims come in path order)
        for other in sorted(self._index.paths_of(article_id)):
            if other == path or other in self._gone or other in self._done or other in self.forced:
                continue  # its ids are decided in this run (when not already: by this file first)
            if other < path or other not in self._corpus:
                return other
            self.force(other)
        return None

    def _suffixed(self, article_id: str, path: str) -> str:
        candidate = f"{article_id}{SUFFIX_SEP}{file_tag(path)}"
        n = 1
        while self._holder(candidate, path) is not None:  # only when ids imitate suffixes
            n += 1
            candidate = f"{article_id}{SUFFIX_SEP}{file_tag(path)}{SUFFIX_SEP}{n}"
        return candidate

    def _released(self, article_id: str, path: str) -> None:
        """``path`` no longer holds ``article_id``: the first file holding it under a suffix
        gets it now. Every such file is read again: the first may no longer have the id (it
        can be changing too); then the next one takes it."""
        waiting = {
            other for other in self._index.ids_starting(article_id + SUFFIX_SEP).values()
            if other != path and other in self._corpus and other not in self._done
        }
        for other in sorted(waiting):
            self.force(other)

    def force(self, path: str) -> None:
        """Remove ``path`` 's articles now and read it again (in another pass if its turn has
        passed)."""
        if path in self.forced:
            return
        self.forced[path] = self._remove(path)
        if path in self._done:
            self._done.discard(path)
            self._claimed = {i: p for i, p in self._claimed.items() if p != path}
        if path <= self.position:
            self.late.add(path)

    def next_pass(self) -> set[str]:
        """Start another pass (after a commit); return the files it must read."""
        late, self.late = self.late, set()
        self.position = ""
        return late
