"""Opening and creating the index folder, and its metadata file.

Besides Whoosh's own files, an index folder holds ``newssearch.json``: the schema version
that made it, when it was last updated, and the corpus-wide people registry (canonical
names and aliases). The registry is derived data: it is rebuilt from the stored fields
whenever it is missing or older than the index.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from typing import Any

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from ..errors import IndexNotFoundError, IndexVersionError
from .schema import SCHEMA_VERSION, build_schema

META_FILE = "newssearch.json"
INDEX_NAME = "MAIN"


def index_exists(index_dir: str) -> bool:
    """True when ``index_dir`` holds a Whoosh index."""
    return os.path.isdir(index_dir) and whoosh_index.exists_in(index_dir, indexname=INDEX_NAME)


def read_meta(index_dir: str) -> dict[str, Any]:
    """The metadata file's content ({} when missing or unreadable)."""
    try:
        with open(os.path.join(index_dir, META_FILE), encoding="utf-8") as handle:
            meta = json.load(handle)
        return meta if isinstance(meta, dict) else {}
    except (OSError, ValueError):
        return {}


def write_meta(index_dir: str, meta: dict[str, Any]) -> None:
    """Write the metadata file atomically (temp file + rename)."""
    import tempfile  # (here: a query never writes, and tempfile costs ~30 ms of start-up)
    fd, tmp = tempfile.mkstemp(prefix=".meta-", dir=index_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            first = {"schema_version": meta["schema_version"]} if "schema_version" in meta else {}
            json.dump({**first, **meta}, handle, ensure_ascii=False)  # (first: see schema_version())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, os.path.join(index_dir, META_FILE))
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


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
    """Raise :class:`IndexVersionError` when the index was made by an incompatible version."""
    version = schema_version(index_dir)
    if version != SCHEMA_VERSION:
        made_by = f"schema version {version}" if version is not None else "an unknown version"
        raise IndexVersionError(
            f"the index at {index_dir} was made by {made_by} of newssearch; this version reads schema version {SCHEMA_VERSION}",
            hint=f"run: newssearch index --rebuild --index {index_dir} FOLDER",
        )


def open_index(index_dir: str, mmap: bool = True, check: bool = True) -> whoosh_index.Index:
    """Open an existing index. ``mmap=False`` is faster to open for one-shot queries;
    ``check=False`` skips the schema version check."""
    if not index_exists(index_dir):
        raise IndexNotFoundError(
            f"no index at {index_dir}",
            hint=f"create it with: newssearch index --index {index_dir} FOLDER",
        )
    if check:
        check_version(index_dir)
    storage = FileStorage(index_dir, supports_mmap=mmap)
    return storage.open_index(indexname=INDEX_NAME)


def create_index(index_dir: str) -> whoosh_index.Index:
    """Create a new, empty index (replacing any index already there)."""
    os.makedirs(index_dir, exist_ok=True)
    storage = FileStorage(index_dir)
    ix = storage.create_index(build_schema(), indexname=INDEX_NAME)
    meta = {"schema_version": SCHEMA_VERSION, "created": now_iso(), "updated": None, "generation": ix.latest_generation()}
    write_meta(index_dir, meta)
    return ix


def now_iso() -> str:
    """The current UTC time, ISO 8601, seconds."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
