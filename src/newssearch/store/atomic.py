"""Writing a side file of the index atomically and durably.

:func:`atomic_write` is the one way newssearch writes its own files beside Whoosh's
(``newssearch.json``, ``vocabulary.tsv``): the new content goes to a temporary file in the same
folder, is flushed and fsynced, replaces the old file in one rename, and the folder is
fsynced so the rename itself survives a power cut. A reader sees the old file or the new
one, never a part; a failure leaves the old file as it was and no temporary file behind.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

__all__ = ["atomic_write", "fsync_dir"]


def fsync_dir(folder: str) -> None:
    """Flush a folder's entries (a rename in it) to disk; a no-op where folders cannot be
    opened or synced (e.g. Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def atomic_write(path: str, *, prefix: str = ".tmp-") -> Iterator[TextIO]:
    """Open a text file (UTF-8) whose content replaces ``path`` when the block ends without
    an exception.

    The temporary file is ``<prefix>…`` in ``path``'s folder (mode 0600, as
    :func:`tempfile.mkstemp` makes it); it is removed if the block raises.
    """
    import tempfile  # (here: a query never writes, and tempfile costs ~30 ms of start-up)

    folder = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(prefix=prefix, dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    fsync_dir(folder)
