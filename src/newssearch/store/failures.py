"""What a failure while reading or writing the index means, as one of newssearch's errors.

Whoosh reports a damaged index as whatever its decoders hit (``UnpicklingError``,
``struct.error``, ``EOFError``, ``zlib.error``, ``FileNotFoundError``, even ``TypeError``
or ``UnicodeDecodeError``), and a full or read-only disk as a bare ``OSError``.
:func:`translate` turns them into :class:`~newssearch.errors.IndexDamagedError` (rebuild
the index) or :class:`~newssearch.errors.IndexStorageError` (free space, fix permissions),
each one line naming the index folder; :func:`guarded` applies it to a class's methods.

Exceptions of kinds a bug could raise too (``ValueError``, ``TypeError``, ``KeyError``…)
count as damage only when raised inside the code that decodes index files (Whoosh's
storage, codec, reading and matching modules, and newssearch's own codec and readers);
elsewhere they stay what they are.
"""

from __future__ import annotations

import errno
import functools
import inspect
import os
import pickle
import re
import struct
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any, TypeVar

from ..errors import IndexDamagedError, IndexStorageError, NewssearchError

T = TypeVar("T")

#: Modules whose code decodes index files: a generic exception raised in them means bad bytes.
_DECODING_MODULES = (
    "whoosh.filedb",
    "whoosh.codec",
    "whoosh.columns",
    "whoosh.reading",
    "whoosh.index",
    "whoosh.matching",
    "whoosh.system",
    "whoosh.util",
    "whoosh.idsets",
    "whoosh.formats",
    "pickle",
    "newssearch.store.codec",
    "newssearch.store.reading",
)
#: Exceptions only bad bytes (or a vanished file) make.
_ALWAYS_DAMAGE: tuple[type[BaseException], ...] = (pickle.UnpicklingError, EOFError, struct.error, zlib.error)
#: Exceptions a bug could make too: damage only when raised while decoding index files.
_MAYBE_DAMAGE: tuple[type[BaseException], ...] = (
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    AssertionError,
    OverflowError,
    RecursionError,
    ImportError,  # (a pickle naming a module that does not exist)
)
_NO_SPACE = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_NO_PERMISSION = {errno.EACCES, errno.EPERM}
#: Errors of reading a file that is there but whose content or size makes no sense.
_BAD_CONTENT = {errno.EINVAL, errno.EISDIR, errno.ENOTDIR, getattr(errno, "EOVERFLOW", errno.EINVAL), errno.ENXIO}


def _whoosh_errors() -> tuple[type[BaseException], ...]:
    """Whoosh's own exceptions for unreadable index files (its ``IndexError`` covers a bad
    table of contents, ``EmptyIndexError`` and ``IndexVersionError``)."""
    from whoosh import index, reading
    from whoosh.filedb import filetables

    found = (getattr(index, "IndexError", None), getattr(reading, "CorruptIndexError", None), getattr(filetables, "FileFormatError", None))
    return tuple(kind for kind in found if isinstance(kind, type) and issubclass(kind, BaseException))


def rebuild_hint(index_dir: str) -> str:
    """The command that rebuilds the index at ``index_dir``."""
    return f"run: newssearch index --rebuild --index {index_dir} FOLDER  (FOLDER: the files it was made from)"


def damaged(index_dir: str, reason: str) -> IndexDamagedError:
    """The error for an index whose files are missing or garbled (``reason`` says which)."""
    return IndexDamagedError(
        f"the index at {index_dir} is damaged ({reason}); run `newssearch index --rebuild` to make it again",
        hint=rebuild_hint(index_dir),
    )


def _name(path: Any, index_dir: str) -> str:
    """``path`` relative to the index folder when it is in it."""
    if not isinstance(path, str):
        return str(path)
    try:
        rel = os.path.relpath(path, index_dir)
    except ValueError:
        return path
    return path if rel.startswith(os.pardir) else rel


def _existing(path: str) -> str:
    path = os.path.abspath(path)
    while not os.path.exists(path) and os.path.dirname(path) != path:
        path = os.path.dirname(path)
    return path


def _mount_point(path: str) -> str:
    path = os.path.realpath(_existing(path))
    try:
        dev = os.stat(path).st_dev
        while path != os.path.dirname(path):
            parent = os.path.dirname(path)
            if os.stat(parent).st_dev != dev:
                break
            path = parent
    except OSError:
        pass
    return path


def _mounts() -> Iterator[tuple[str, str, str]]:
    """(device, mount point, file system type) of each mount (Linux; none elsewhere)."""
    try:
        with open("/proc/self/mounts", encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return
    for line in lines:
        parts = line.split()
        if len(parts) >= 3:
            yield parts[0], _OCTAL.sub(lambda m: chr(int(m.group(1), 8)), parts[1]), parts[2]


_OCTAL = re.compile(r"\\([0-7]{3})")


def device_of(path: str) -> str:
    """The device (file system) holding ``path``: ``DEVICE (TYPE mounted at DIR)`` when the
    system says (Linux), else ``the disk of DIR``."""
    mount = _mount_point(path)
    found = [(device, kind) for device, point, kind in _mounts() if point == mount]
    if not found:
        return f"the disk of {mount}"
    device, kind = found[-1]  # (the last mount on a point is the one in use)
    return f"{device} (mounted at {mount})" if device == kind else f"{device} ({kind} mounted at {mount})"


def storage_error(exc: OSError, index_dir: str, action: str = "writing") -> NewssearchError:
    """The newssearch error an ``OSError`` on the index folder means.

    No space (or quota) and a read-only file system or denied permission are
    :class:`IndexStorageError` (exit 74); a file of the index that is missing, or whose size
    or content makes no sense, is :class:`IndexDamagedError`."""
    code = exc.errno
    where = _name(exc.filename, index_dir) if exc.filename else index_dir
    if code in _NO_SPACE:
        return IndexStorageError(
            f"no space left on {device_of(index_dir)} while writing the index at {index_dir}; "
            "the index is as its last commit left it",
            hint="free some space there (or use --index on another disk) and run the same command again",
        )
    if code == errno.EROFS:
        return IndexStorageError(
            f"cannot write the index at {index_dir}: {device_of(index_dir)} is a read-only file system",
            hint="queries still work; to update it, index into a writable folder (--index)",
        )
    if code in _NO_PERMISSION:
        return IndexStorageError(
            f"cannot use the index at {index_dir}: permission denied ({where})",
            hint="check the permissions of the index folder and of the folder above it",
        )
    if code == errno.ENOENT and exc.filename and os.path.isdir(index_dir):
        return damaged(index_dir, f"{where} is missing")
    if code in _BAD_CONTENT or code == errno.ENOENT:
        return damaged(index_dir, f"{where}: {exc.strerror or exc}")
    return IndexStorageError(
        f"{action} the index at {index_dir} failed: {exc.strerror or exc} ({where})",
        hint="check the disk holding it; a run that failed left the index as its last commit did",
    )


def raised_while_decoding(tb: TracebackType | None) -> bool:
    """True when the innermost Python frame of ``tb`` is in code that decodes index files."""
    last = None
    while tb is not None:
        last = tb
        tb = tb.tb_next
    if last is None:
        return False
    module = str(last.tb_frame.f_globals.get("__name__", ""))
    return module.startswith(_DECODING_MODULES)


def as_newssearch_error(exc: BaseException, index_dir: str, action: str = "reading") -> NewssearchError | None:
    """The newssearch error ``exc`` (raised while using the index) stands for, or None when
    it is not a failure of the index's files or disk."""
    if isinstance(exc, NewssearchError):
        return exc
    if isinstance(exc, OSError):
        return storage_error(exc, index_dir, action)
    if isinstance(exc, _ALWAYS_DAMAGE + _whoosh_errors()) or (
        isinstance(exc, _MAYBE_DAMAGE) and raised_while_decoding(exc.__traceback__)
    ):
        kind = type(exc).__name__
        if kind == "error":  # (zlib.error, struct.error)
            kind = f"{type(exc).__module__}.error"
        detail = str(exc).splitlines()[0][:160] if str(exc) else ""
        return damaged(index_dir, f"cannot decode its files: {kind}: {detail}" if detail else f"cannot decode its files: {kind}")
    return None


@contextmanager
def translate(index_dir: str, action: str = "reading") -> Iterator[None]:
    """Turn failures of the index's files or disk inside the block into newssearch errors."""
    try:
        yield
    except NewssearchError:
        raise
    except Exception as exc:  # (sorted below; anything else is re-raised as it was)
        error = as_newssearch_error(exc, index_dir, action)
        if error is None:
            raise
        raise error from exc


def guarded(method: Callable[..., T]) -> Callable[..., T]:
    """A method of an object with ``index_dir`` whose index failures come out translated."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> T:
        with translate(self.index_dir, "using"):
            return method(self, *args, **kwargs)

    return wrapper


C = TypeVar("C", bound=type)


def guarded_class(cls: C) -> C:
    """Apply :func:`guarded` to every public method of ``cls`` (and ``_open``); static and
    class methods and properties are left as they are."""
    for name, value in list(vars(cls).items()):
        if inspect.isfunction(value) and (not name.startswith("_") or name == "_open"):
            setattr(cls, name, guarded(value))
    return cls
