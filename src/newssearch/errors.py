"""The one exception tree of newssearch.

Every error a user can cause derives from :class:`NewssearchError`; the CLI turns each
into a one-line message (plus a hint) and an exit code, never a traceback::

    NewssearchError
    ├── InputError          a file that cannot be read as an article (skipped, with a reason)
    ├── IndexError_         the index: missing, locked, made by an incompatible version
    │   ├── IndexNotFoundError
    │   ├── IndexLockedError
    │   ├── IndexVersionError
    │   ├── IndexDamagedError   files of the index missing, truncated or garbled
    │   ├── IndexUntrustedError a folder someone else could have written (an index can run code)
    │   └── IndexStorageError   the index's disk: no space left, read-only, permission denied
    ├── QueryError          a query or filter that cannot be understood
    │   └── QueryTooExpensiveError  a query that would take too long (too many wildcards, ...)
    ├── ArticleNotFoundError
    └── WorkerError         an indexing worker process failed (disk full, killed, a bug)
"""

from __future__ import annotations

from typing import Any


def _rebuild(cls: type[NewssearchError], args: tuple[Any, ...], state: dict[str, Any]) -> NewssearchError:
    """Unpickle a :class:`NewssearchError` without calling its ``__init__`` (whose signature
    differs per class): the message (``args``) and every attribute are restored as they were."""
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class NewssearchError(Exception):
    """Base class of every error newssearch raises on purpose.

    Every error pickles intact (class, message, attributes, hint, exit code), so it crosses
    a process boundary: indexing workers send them back to the parent process.
    """

    #: A suggestion shown under the message in the CLI.
    hint: str | None = None
    #: The process exit code the CLI uses for this error.
    exit_code: int = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint

    def __reduce__(self) -> tuple[Any, ...]:
        # Exception's own reduce calls ``cls(*self.args)``, which fails for subclasses whose
        # __init__ takes other arguments (InputError(path, reason, line)).
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))


class InputError(NewssearchError):
    """A file (or one record in it) that cannot be read as an article.

    ``path`` names the file, ``line`` the line of a JSONL record, ``reason`` says why.
    """

    exit_code = 1

    def __init__(self, path: str, reason: str, line: int | None = None) -> None:
        self.path = path
        self.reason = reason
        self.line = line
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {reason}")

    @property
    def where(self) -> str:
        """``path`` or ``path:line``."""
        return f"{self.path}:{self.line}" if self.line is not None else self.path


class IndexError_(NewssearchError):
    """Something is wrong with the index itself."""

    exit_code = 3


class IndexNotFoundError(IndexError_):
    """There is no index at the given place yet."""


class IndexLockedError(IndexError_):
    """Another process is updating the index."""

    exit_code = 75  # EX_TEMPFAIL: try again later


class IndexVersionError(IndexError_):
    """The index was made by an incompatible version of newssearch."""


class IndexDamagedError(IndexError_):
    """Files of the index are missing, truncated or garbled: it must be rebuilt from the corpus."""


class IndexUntrustedError(IndexError_):
    """The index folder (or a file in it) could have been written by someone else.

    An index holds pickled Python objects, which can run code when read: newssearch only
    opens one that nobody but the current user can have written (see
    :mod:`newssearch.store.trust`).
    """


class IndexStorageError(IndexError_):
    """The disk holding the index failed it: no space left, a read-only file system,
    permission denied. What the index held before stays intact."""

    exit_code = 74  # EX_IOERR


class QueryError(NewssearchError):
    """A query, filter or option value that cannot be understood."""

    exit_code = 2


class QueryTooExpensiveError(QueryError):
    """A query that would cost more than its limits allow (too many wildcards, prefixes or
    fuzzy words, too many words, too much time); the message says what to narrow."""


class ArticleNotFoundError(NewssearchError):
    """No article with the given id is in the index."""

    exit_code = 1


class WorkerError(NewssearchError):
    """An indexing worker process failed; the run stops and commits nothing more.

    ``detail`` holds the worker's traceback, when it had one.
    """

    exit_code = 1

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message, hint="what was committed before stays in the index; run the same command again")
        self.detail = detail
