"""Opening and creating the index folder, and its metadata file.

Besides Whoosh's own files, an index folder holds ``newssearch.json``: the schema version
that made it, when it was last updated, and the corpus-wide people registry (canonical
names and aliases). The registry is derived data: it is rebuilt from the stored fields
whenever it is missing or older than the index.

Every opening first checks that nobody else can have written the folder (see
:mod:`.trust`); a damaged index (a table of contents or segment missing or garbled, the
metadata file missing or unreadable) raises :class:`~newssearch.errors.IndexDamagedError`.
A writer cleans up what an interrupted or failed run left behind (:func:`remove_uncommitted`),
and ``--rebuild`` moves a damaged folder aside (:func:`move_aside`).
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import re
import shutil
import time
from typing import Any

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from ..errors import IndexNotFoundError, IndexVersionError
from .atomic import atomic_write
from .failures import damaged, translate
from .schema import SCHEMA_VERSION, build_schema
from .trust import check_trust, restrict, trusted_by_environment

META_FILE = "newssearch.json"
INDEX_NAME = "MAIN"
#: Whoosh's table of contents (``_MAIN_<generation>.toc``), and a temporary one being written.
_TOC = re.compile(rf"^_{INDEX_NAME}_(\d+)\.toc$")
_TOC_TEMP = re.compile(rf"^_{INDEX_NAME}_\d+\.toc\..+$")
#: A segment's files (``MAIN_<segment id>.<ext>``).
_SEGMENT_FILE = re.compile(rf"^({INDEX_NAME}_[0-9a-z]+)\..+$")
#: Whoosh's temporary folder, and newssearch's own temporary files (see write_meta, vocabulary.save).
_TEMP_DIR = f"{INDEX_NAME}.tmp"
_OWN_TEMP = (".meta-", ".vocab-", ".dups-")
#: Files newssearch writes 0644 at most, whatever the umask (see trust.py).
_FILE_MODE = 0o644


class IndexStorage(FileStorage):
    """Whoosh's file storage, creating files readable by all but writable only by their
    owner whatever the umask, so that :func:`~.trust.check_trust` accepts them."""

    def create_file(self, name: str, excl: bool = False, mode: str = "wb", **kwargs: Any) -> Any:
        from whoosh.filedb.structfile import StructFile

        if excl:
            return super().create_file(name, excl=excl, mode=mode, **kwargs)

        def opener(path: str, flags: int) -> int:
            return os.open(path, flags, _FILE_MODE)

        handle: Any = open(os.path.join(self.folder, name), mode, opener=opener)  # noqa: SIM115 - StructFile closes it
        return StructFile(handle, name=name, **kwargs)


def _latest_generation(index_dir: str) -> int:
    """The newest table of contents' generation (-1 when there is none), from file names only."""
    try:
        names = os.listdir(index_dir)
    except OSError:
        return -1
    return max((int(m.group(1)) for m in map(_TOC.match, names) if m), default=-1)


def generation(index_dir: str) -> int:
    """The generation of the index's newest commit (-1 when there is none): it changes with
    every commit, so a long-lived reader can tell when to reopen the index."""
    return _latest_generation(index_dir)


def index_exists(index_dir: str) -> bool:
    """True when ``index_dir`` holds a Whoosh index (a table of contents; nothing is read)."""
    return os.path.isdir(index_dir) and _latest_generation(index_dir) >= 0


def has_segment_files(index_dir: str) -> bool:
    """True when ``index_dir`` holds segment files: with no table of contents, the index
    lost it. (A metadata file alone is an index whose creation never finished: the table of
    contents is written after it.)"""
    try:
        names = os.listdir(index_dir)
    except OSError:
        return False
    return any(_SEGMENT_FILE.match(name) for name in names)


def own_files_problem(index_dir: str) -> str | None:
    """What is wrong with the files newssearch itself keeps in the index folder (the metadata
    file and the vocabulary must be files, if there), or None."""
    from .duplicates import FILE as DUPLICATES_FILE
    from .vocabulary import FILE as VOCABULARY_FILE

    for name in (META_FILE, VOCABULARY_FILE, DUPLICATES_FILE):
        path = os.path.join(index_dir, name)
        if os.path.lexists(path) and not os.path.isfile(path):
            return f"{name} is not a file"
    return None


def write_lock(index_dir: str) -> Any:
    """The index's write lock (Whoosh's, an fcntl lock on ``MAIN_WRITELOCK``), not acquired.
    Reads nothing: it works on a damaged index too."""
    return FileStorage(index_dir).lock(f"{INDEX_NAME}_WRITELOCK")


def read_meta(index_dir: str) -> dict[str, Any]:
    """The metadata file's content ({} when missing or unreadable)."""
    try:
        with open(os.path.join(index_dir, META_FILE), encoding="utf-8") as handle:
            meta = json.load(handle)
        return meta if isinstance(meta, dict) else {}
    except (OSError, ValueError):
        return {}


def write_meta(index_dir: str, meta: dict[str, Any]) -> None:
    """Write the metadata file atomically and durably (see :func:`~.atomic.atomic_write`)."""
    with atomic_write(os.path.join(index_dir, META_FILE), prefix=".meta-") as handle:
        first = {"schema_version": meta["schema_version"]} if "schema_version" in meta else {}
        json.dump({**first, **meta}, handle, ensure_ascii=False)  # (first: see schema_version())


_VERSION_HEAD = re.compile(rb'\{"schema_version": (\d+),')


def schema_version(index_dir: str) -> Any:
    """The schema version recorded in the metadata file (None when missing).

    The file also holds the whole people registry (megabytes on a large index), and
    :func:`write_meta` writes ``schema_version`` as its first key: read from the file's first
    bytes when they say it, else from the parsed file."""
    try:
        with open(os.path.join(index_dir, META_FILE), "rb") as handle:
            found = _VERSION_HEAD.match(handle.read(64))
        if found:
            return int(found.group(1))
    except OSError:
        pass
    return read_meta(index_dir).get("schema_version")


def check_version(index_dir: str) -> None:
    """Raise :class:`IndexVersionError` when the index was made by an incompatible version,
    :class:`~newssearch.errors.IndexDamagedError` when its metadata file is missing or unreadable."""
    version = schema_version(index_dir)
    if version is None:
        try:
            with open(os.path.join(index_dir, META_FILE), encoding="utf-8") as handle:
                parsed = json.load(handle)
        except FileNotFoundError:
            raise damaged(index_dir, f"{META_FILE} is missing") from None
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EPERM):
                raise  # (permission denied: a storage error, not damage; see failures.storage_error)
            raise damaged(index_dir, f"{META_FILE} cannot be read: {type(exc).__name__}") from None
        except ValueError as exc:
            raise damaged(index_dir, f"{META_FILE} cannot be read: {type(exc).__name__}") from None
        if not isinstance(parsed, dict):
            raise damaged(index_dir, f"{META_FILE} holds no settings")
        if "schema_version" in parsed:  # (there, but null)
            raise damaged(index_dir, f"{META_FILE} says schema_version null, not a number")
    elif not isinstance(version, int) or isinstance(version, bool):
        shown = json.dumps(version, ensure_ascii=False)
        shown = shown if len(shown) <= 40 else shown[:39] + "…"
        raise damaged(index_dir, f"{META_FILE} says schema_version {shown}, not a number")
    if version != SCHEMA_VERSION:
        made_by = f"schema version {version}" if version is not None else "an unknown version"
        raise IndexVersionError(
            f"the index at {index_dir} was made by {made_by} of newssearch; this version reads schema version {SCHEMA_VERSION}",
            hint=f"run: newssearch index --rebuild --index {index_dir} FOLDER",
        )


def open_index(index_dir: str, mmap: bool = True, check: bool = True) -> whoosh_index.Index:
    """Open an existing index. ``mmap=False`` is faster to open for one-shot queries;
    ``check=False`` skips the schema version check.

    Raises :class:`~newssearch.errors.IndexUntrustedError` (before reading anything) when
    someone else could have written the folder, :class:`IndexNotFoundError`,
    :class:`IndexVersionError`, or :class:`~newssearch.errors.IndexDamagedError`."""
    check_trust(index_dir)
    with translate(index_dir, "opening"):
        if os.path.isdir(index_dir):
            os.listdir(index_dir)  # (a folder one may not read is no missing index: permission denied, exit 74)
        if not index_exists(index_dir):
            if has_segment_files(index_dir):
                raise damaged(index_dir, f"its table of contents (_{INDEX_NAME}_<n>.toc) is missing")
            raise IndexNotFoundError(
                f"no index at {index_dir}",
                hint=f"create it with: newssearch index --index {index_dir} FOLDER",
            )
        if check:
            check_version(index_dir)
        storage = IndexStorage(index_dir, supports_mmap=mmap)
        # (with the schema given, Whoosh skips the pickled copy in the table of contents: one
        # pickle less read from the folder; the schema version check vouches they are the same)
        return storage.open_index(indexname=INDEX_NAME, schema=build_schema())


def create_index(index_dir: str) -> whoosh_index.Index:
    """Create a new, empty index (replacing any index already there).

    The folder is made writable by its owner only (unless ``NEWSSEARCH_TRUST_INDEX`` trusts
    it as it is); if the index cannot be created (no space, read-only), what was made of it is
    removed again."""
    made = not os.path.exists(index_dir)
    with translate(index_dir, "creating"):
        os.makedirs(index_dir, mode=0o755, exist_ok=True)
        try:
            if not trusted_by_environment(index_dir):
                restrict(index_dir)  # (a folder made under umask 002 would be refused otherwise)
            meta = {"schema_version": SCHEMA_VERSION, "created": now_iso(), "updated": None, "generation": 0}
            write_meta(index_dir, meta)  # (first: a table of contents without it would be a damaged index)
            ix = IndexStorage(index_dir).create_index(build_schema(), indexname=INDEX_NAME)
        except BaseException:
            if made:
                shutil.rmtree(index_dir, ignore_errors=True)
            else:
                for name in os.listdir(index_dir):
                    if name == META_FILE or _TOC.match(name) or _TOC_TEMP.match(name) or name.startswith(_OWN_TEMP):
                        _remove(os.path.join(index_dir, name))
            raise
    return ix


def _remove(path: str) -> bool:
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.remove(path)
        return True
    except OSError:
        return False


def remove_index(index_dir: str, folder: bool = False) -> None:
    """Delete an index: the whole folder (``folder=True``), or the files of the index in it
    (the other files, and the lock file, stay)."""
    if folder:
        shutil.rmtree(index_dir, ignore_errors=True)
        return
    from .duplicates import FILE as DUPLICATES_FILE
    from .vocabulary import FILE as VOCABULARY_FILE

    for name in os.listdir(index_dir):
        if name in (META_FILE, VOCABULARY_FILE, DUPLICATES_FILE, _TEMP_DIR) or _TOC.match(name) or _TOC_TEMP.match(name) or _SEGMENT_FILE.match(name):
            _remove(os.path.join(index_dir, name))


def remove_uncommitted(index_dir: str) -> list[str]:
    """Delete what no committed state of the index refers to: segment files a failed or
    killed run wrote, temporary tables of contents, Whoosh's temporary folder, newssearch's
    temporary files. Call only while holding the write lock. Returns the names removed
    (none when the table of contents cannot be read: a damaged index is left as it is)."""
    gen = _latest_generation(index_dir)
    if gen < 0:
        return []
    try:
        toc = whoosh_index.TOC.read(IndexStorage(index_dir), INDEX_NAME, gen, schema=build_schema())
        committed = {segment.segment_id() for segment in toc.segments}
        names = os.listdir(index_dir)
    except Exception:  # noqa: BLE001 - a damaged index is left for --rebuild
        return []
    removed = []
    for name in names:
        toc_match = _TOC.match(name)
        segment = _SEGMENT_FILE.match(name)
        stale = (
            (toc_match is not None and int(toc_match.group(1)) != gen)
            or _TOC_TEMP.match(name) is not None
            or (segment is not None and segment.group(1) not in committed)
            or name == _TEMP_DIR
            or name.startswith(_OWN_TEMP)
        )
        if stale and _remove(os.path.join(index_dir, name)):
            removed.append(name)
    return removed


def move_back(moved: str, index_dir: str) -> None:
    """Undo :func:`move_aside` (after a rebuild that failed and removed what it made)."""
    if os.path.dirname(os.path.normpath(moved)) == os.path.normpath(index_dir):  # (content moved inside)
        for name in os.listdir(moved):
            os.rename(os.path.join(moved, name), os.path.join(index_dir, name))
        os.rmdir(moved)
    elif not os.path.exists(index_dir):
        os.rename(moved, os.path.normpath(index_dir))


def move_aside(index_dir: str) -> str:
    """Move a damaged index out of the way; return where it went.

    The folder is renamed ``<index_dir>.damaged-<time>`` beside it; when that is not
    possible (a mount point, a parent folder one may not write) its content goes into a
    ``damaged-<time>`` folder inside it instead."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    base = os.path.normpath(index_dir)
    target, n = f"{base}.damaged-{stamp}", 1
    while os.path.exists(target):
        n += 1
        target = f"{base}.damaged-{stamp}-{n}"
    try:
        os.rename(base, target)
        return target
    except OSError:
        pass
    with translate(index_dir, "moving aside"):
        inner = os.path.join(base, f"damaged-{stamp}")
        os.mkdir(inner, 0o700)
        for name in os.listdir(base):
            if not name.startswith("damaged-"):
                os.rename(os.path.join(base, name), os.path.join(inner, name))
    return inner


def now_iso() -> str:
    """The current UTC time, ISO 8601, seconds."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
