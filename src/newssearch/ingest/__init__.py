"""Ingest: find article files and read them into :class:`~newssearch.model.Article` objects.

One reader module per format (``txt``, ``jsonfmt``, ``html``, ``csvfmt``, ``warcfmt``,
``feedfmt``); this module walks folders, picks the reader by file name, reads bytes
(gunzipping ``.gz``) and turns every failure into an :class:`~newssearch.errors.InputError`
naming the file and the reason.
"""

from __future__ import annotations

import errno
import gzip
import hashlib
import importlib
import io
import os
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..model import Article

ReaderFn = Callable[[bytes, str], Iterator["Article | InputError"]]

#: File suffix → (module, function) of its reader; imported on first use.
READERS: dict[str, tuple[str, str]] = {
    ".txt": ("txt", "read"),
    ".text": ("txt", "read"),
    ".json": ("jsonfmt", "read_json"),
    ".jsonl": ("jsonfmt", "read_jsonl"),
    ".ndjson": ("jsonfmt", "read_jsonl"),
    ".html": ("html", "read"),
    ".htm": ("html", "read"),
    ".xhtml": ("html", "read"),
    ".csv": ("csvfmt", "read_csv"),
    ".tsv": ("csvfmt", "read_tsv"),
    ".warc": ("warcfmt", "read_warc"),
    ".rss": ("feedfmt", "read_feed"),
    ".atom": ("feedfmt", "read_feed"),
    ".xml": ("feedfmt", "read_feed"),
}
#: Formats holding many articles per file: read once, split into chunks for the workers.
BATCH_SUFFIXES = frozenset({".json", ".jsonl", ".ndjson", ".csv", ".tsv", ".warc", ".rss", ".atom", ".xml"})
#: Formats whose reader gets a ``.gz`` file's bytes as they are: a ``.warc.gz`` is
#: compressed record by record, and its reader keeps the records before a damaged one.
OWN_DECOMPRESSION = frozenset({".warc"})

#: Largest file read as a single article (bytes, after gunzip); bigger ones are skipped.
MAX_ARTICLE_BYTES = 20 * 1024 * 1024
#: Largest JSON/JSONL file (bytes, after gunzip).
MAX_BATCH_BYTES = 2 * 1024 * 1024 * 1024


@dataclass(frozen=True)
class SourceFile:
    """A file that a reader knows how to read. ``path`` is absolute."""

    path: str
    suffix: str

    @property
    def batch(self) -> bool:
        """True for formats holding many articles (JSON, JSONL, CSV/TSV, WARC, feeds)."""
        return self.suffix in BATCH_SUFFIXES


@dataclass
class Discovery:
    """What walking the inputs found: readable files, and files skipped with a reason."""

    files: list[SourceFile] = field(default_factory=list)
    skipped: list[InputError] = field(default_factory=list)


@dataclass
class FileResult:
    """What reading one file gave: its content hash, articles, and per-record errors."""

    file: SourceFile
    digest: str | None = None
    articles: list[Article] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)


def suffix_of(name: str) -> str | None:
    """The reader suffix of a file name (``.html`` for ``page.html.gz``), or None."""
    lower = name.lower()
    if lower.endswith(".gz"):
        lower = lower[:-3]
    ext = os.path.splitext(lower)[1]
    return ext if ext in READERS else None


def discover(paths: list[str | Path]) -> Discovery:
    """Walk files and folders (recursively, not following symlinked folders) for article files.

    Files of unknown type, hidden files and unreadable folders are skipped with a reason.
    """
    found = Discovery()
    seen: set[str] = set()
    for given in paths:
        root = os.path.abspath(os.fspath(given))
        if os.path.isdir(root):
            _walk(root, found, seen)
        elif os.path.exists(root):
            _consider(root, found, seen, explicit=True)
        else:
            found.skipped.append(InputError(str(given), "no such file or folder"))
    found.files.sort(key=lambda f: f.path)
    return found


def _walk(root: str, found: Discovery, seen: set[str]) -> None:
    def onerror(err: OSError) -> None:
        found.skipped.append(InputError(err.filename or root, f"cannot read folder: {err.strerror}"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=onerror, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            _consider(os.path.join(dirpath, name), found, seen, explicit=False)


def _consider(path: str, found: Discovery, seen: set[str], explicit: bool) -> None:
    suffix = suffix_of(os.path.basename(path))
    if suffix is None:
        found.skipped.append(InputError(path, "unknown file type"))
        return
    if not os.path.isfile(path):
        found.skipped.append(InputError(path, _not_a_file_reason(path)))
        return
    real = os.path.realpath(path)
    if real in seen:
        return
    seen.add(real)
    found.files.append(SourceFile(path=path, suffix=suffix))


def _not_a_file_reason(path: str) -> str:
    """Why ``path`` (an article file name) cannot be read as a file."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link loop"
        if os.path.islink(path):
            return "broken symbolic link"
        if isinstance(exc, PermissionError):
            return "permission denied"
        return f"cannot read file: {exc.strerror or exc}"
    if os.path.isdir(path):
        return "a folder, not a file"
    return "not a regular file (a pipe, socket or device)"


def read_bytes(file: SourceFile) -> bytes:
    """The file's bytes, gunzipped when the name ends in ``.gz`` (but for the formats in
    :data:`OWN_DECOMPRESSION`); InputError on failure."""
    limit = MAX_BATCH_BYTES if file.batch else MAX_ARTICLE_BYTES
    gunzip = file.path.lower().endswith(".gz") and file.suffix not in OWN_DECOMPRESSION
    try:
        size = os.path.getsize(file.path)
        if not gunzip and size > limit:
            raise InputError(file.path, f"file too large ({size / 2**20:.1f} MB; limit {limit / 2**20:.0f} MB for this type)")
        with open(file.path, "rb") as handle:
            data = handle.read()
    except PermissionError:
        raise InputError(file.path, "permission denied") from None
    except OSError as exc:
        raise InputError(file.path, f"cannot read file: {exc.strerror or exc}") from None
    if gunzip:
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as gz:
                data = gz.read(limit + 1)
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(file.path, f"broken gzip file: {exc}") from None
        if len(data) > limit:
            raise InputError(file.path, f"file too large after gunzip (limit {limit / 2**20:.0f} MB)")
    return data


def file_digest(data: bytes) -> str:
    """Content hash used to notice changed files."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def reader_for(suffix: str) -> ReaderFn:
    """The reader function for a suffix from :data:`READERS`."""
    module_name, fn_name = READERS[suffix]
    module = importlib.import_module(f"{__name__}.{module_name}")
    return getattr(module, fn_name)


def read_file(file: SourceFile, data: bytes | None = None, digest: str | None = None) -> FileResult:
    """Read one file into articles. Never raises for bad input: errors are in the result."""
    result = FileResult(file=file, digest=digest)
    try:
        if data is None:
            data = read_bytes(file)
        if result.digest is None:
            result.digest = file_digest(data)
        if not data.strip():
            raise InputError(file.path, "empty file")
        for item in reader_for(file.suffix)(data, file.path):
            if isinstance(item, InputError):
                result.errors.append(item)
            else:
                result.articles.append(item)
    except InputError as err:
        result.errors.append(err)
    except RecursionError:
        result.errors.append(InputError(file.path, "document nested too deeply to parse"))
    except (ValueError, TypeError, LookupError, UnicodeError) as exc:  # a reader's parser gave up
        result.errors.append(InputError(file.path, f"cannot parse: {exc}"))
    return result
