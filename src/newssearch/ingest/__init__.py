"""Ingest: find article files and read them into :class:`~newssearch.model.Article` objects.

One reader module per format (``txt``, ``jsonfmt``, ``html``, ``csvfmt``, ``warcfmt``,
``feedfmt``); this module walks folders, picks the reader by file name, reads bytes
(gunzipping ``.gz``) and turns every failure into an :class:`~newssearch.errors.InputError`
naming the file and the reason.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import gzip
import hashlib
import importlib
import io
import os
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, Protocol

from ..errors import InputError
from ..model import Article
from ..skips import Skips
from .settings import SETTINGS_FILE, ReadSettings

#: A reader: (bytes, or for JSON and JSON Lines a binary stream; the file's name) → articles and errors.
ReaderFn = Callable[[Any, str], Iterator["Article | InputError"]]

class Deferred(Protocol):
    """A record found in a file but not yet read as an article (a web archive's page): the
    costly reading (:meth:`article`) is left to a worker process. Its ``id`` is assigned
    before it is read."""

    id: str
    path: str
    line: int | None

    def article(self) -> Article:
        """The article; InputError when the record holds none."""
        ...


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
#: (HTML pages are cut at ``html.MAX_BYTES`` before parsing.)
MAX_ARTICLE_BYTES = 20 * 1024 * 1024
#: Largest plain-text article (bytes, after gunzip): all of it is analysed, and enrichment
#: of 8 MB takes about 150 MB of memory (19 MB took 309 MB). Like ``jsonfmt.MAX_RECORD_CHARS``.
MAX_TEXT_BYTES = 8 * 1024 * 1024
#: Largest JSON/JSONL file (bytes, after gunzip). They are read as streams: this bounds
#: time, not memory.
MAX_BATCH_BYTES = 2 * 1024 * 1024 * 1024


@dataclass(frozen=True)
class SourceFile:
    """A file that a reader knows how to read.

    ``path`` is absolute and is text: it names the file in the index, in ids and in
    messages. A name whose bytes are not UTF-8 is shown with ``\\xNN`` escapes there
    (:func:`text_path`), and ``os_path`` keeps the name to open it by.
    """

    path: str
    suffix: str
    os_path: str | None = None
    #: What to assume for what the file lacks (see :mod:`newssearch.ingest.settings`).
    settings: ReadSettings = field(default_factory=ReadSettings)

    @property
    def batch(self) -> bool:
        """True for formats holding many articles (JSON, JSONL, CSV/TSV, WARC, feeds)."""
        return self.suffix in BATCH_SUFFIXES

    @property
    def location(self) -> str:
        """The name to open the file by."""
        return self.os_path or self.path


@dataclass
class Discovery:
    """What walking the inputs found: readable files, and files skipped with a reason."""

    files: list[SourceFile] = field(default_factory=list)
    skipped: list[InputError] = field(default_factory=list)
    #: The folders and files given, resolved (symbolic links followed), as text.
    roots: list[str] = field(default_factory=list)


@dataclass
class FileResult:
    """What reading one file gave: its content hash, articles, and per-record errors."""

    file: SourceFile
    digest: str | None = None
    articles: list[Article] = field(default_factory=list)
    errors: Skips = field(default_factory=Skips)


def suffix_of(name: str) -> str | None:
    """The reader suffix of a file name (``.html`` for ``page.html.gz``), or None."""
    lower = name.lower()
    if lower.endswith(".gz"):
        lower = lower[:-3]
    ext = os.path.splitext(lower)[1]
    return ext if ext in READERS else None


def text_path(path: str) -> str:
    """``path`` as valid text: bytes of the name that are not UTF-8 (which ``os`` functions
    give as surrogate escapes) are written ``\\xNN``. Valid names are returned unchanged."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        try:
            raw = path.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:  # other lone surrogates (not from the file system)
            raw = path.encode("utf-8", "surrogatepass")
        return raw.decode("utf-8", "backslashreplace")
    return path


#: Why a symbolic link is not followed by default.
LINK_OUTSIDE = "symbolic link to a {} outside the folders given (not followed without --follow-links)"


def discover(paths: Iterable[str | os.PathLike[str]], follow_links: bool = False) -> Discovery:
    """Walk files and folders (recursively) for article files.

    The folders given are resolved first, so a corpus reached through a symbolic link is the
    same corpus, and a file reached by several names is found once, under its real name.
    Symbolic links (to files or folders) that lead outside the folders given are skipped
    with a reason, unless ``follow_links``; their files are then named by the link. Files
    given by name are always read. Files of unknown type, unreadable folders and the like
    are skipped with a reason; hidden files and folders are ignored.
    """
    found = Discovery()
    given: list[tuple[str, str, str]] = []  # (as given, absolute, resolved)
    for path in paths:
        name = os.fspath(path)
        absolute = os.path.abspath(name)
        if not os.path.exists(absolute):
            found.skipped.append(InputError(text_path(name), "no such file or folder"))
            continue
        given.append((name, absolute, os.path.realpath(absolute)))
    roots = [real for _, _, real in given]
    found.roots = [text_path(real) for real in roots]
    walk = _Walk(found, roots, follow_links)
    for _, absolute, real in given:
        if os.path.isdir(real):
            walk.folder(real)
        else:
            walk.consider(absolute, explicit=True)
    found.files.sort(key=lambda f: f.path)
    return found


def _inside(path: str, roots: list[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


class _Walk:
    """One discovery's walk: the real files and folders seen so far, the names given them."""

    def __init__(self, found: Discovery, roots: list[str], follow_links: bool) -> None:
        self.found = found
        self.roots = roots
        self.follow_links = follow_links
        self.seen_files: set[str] = set()
        self.seen_folders: set[str] = set()
        self.names: set[str] = set()

    def skip(self, path: str, reason: str) -> None:
        self.found.skipped.append(InputError(text_path(path), reason))

    def folder(self, top: str) -> None:
        """Walk ``top``; symbolic links to folders are followed only out of the roots, and
        only with ``follow_links`` (each real folder once)."""

        def onerror(err: OSError) -> None:
            self.skip(err.filename or top, f"cannot read folder: {err.strerror}")

        for dirpath, dirnames, filenames in os.walk(top, onerror=onerror, followlinks=False):
            real = os.path.realpath(dirpath)
            if real in self.seen_folders:
                dirnames[:] = []
                continue
            self.seen_folders.add(real)
            links = []
            for name in sorted(dirnames):
                if not name.startswith(".") and os.path.islink(os.path.join(dirpath, name)):
                    links.append(name)
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in links)
            for name in sorted(filenames):
                if not name.startswith("."):
                    self.consider(os.path.join(dirpath, name), explicit=False)
            for name in links:
                link = os.path.join(dirpath, name)
                if _inside(os.path.realpath(link), self.roots):
                    continue  # another name for a folder that is walked anyway
                if self.follow_links:
                    self.folder(link)
                else:
                    self.skip(link, LINK_OUTSIDE.format("folder"))

    def consider(self, path: str, explicit: bool) -> None:
        """Add ``path`` if it is an article file, not seen before under another name."""
        if os.path.basename(path) == SETTINGS_FILE:
            return  # (read with the folder's files: see newssearch.ingest.settings)
        suffix = suffix_of(os.path.basename(path))
        if suffix is None:
            self.skip(path, "unknown file type")
            return
        if not os.path.isfile(path):
            self.skip(path, _not_a_file_reason(path))
            return
        real = os.path.realpath(path)
        inside = _inside(real, self.roots)
        if not inside and not explicit and not self.follow_links:
            self.skip(path, LINK_OUTSIDE.format("file"))
            return
        if real in self.seen_files:
            return
        self.seen_files.add(real)
        name = real if inside else path  # one file, one name: its real one, when it is in the corpus
        text = text_path(name)
        if text in self.names:  # "caf\xe9.txt" spelt out by a file of that name as well
            self.skip(path, f"file name is not UTF-8 and its escaped form names another file ({text})")
            return
        self.names.add(text)
        self.found.files.append(SourceFile(path=text, suffix=suffix, os_path=name if text != name else None))


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


def _limit(file: SourceFile) -> int:
    if file.batch:
        return MAX_BATCH_BYTES
    return MAX_TEXT_BYTES if READERS[file.suffix][0] == "txt" else MAX_ARTICLE_BYTES


def _gzipped(file: SourceFile) -> bool:
    """True when the file is read gunzipped (its name ends in ``.gz``, and its reader does
    not take the compressed bytes: see :data:`OWN_DECOMPRESSION`)."""
    return file.path.lower().endswith(".gz") and file.suffix not in OWN_DECOMPRESSION


@contextlib.contextmanager
def open_source(file: SourceFile) -> Iterator[IO[bytes]]:
    """The file's bytes as a stream, gunzipped as they are read when the name ends in
    ``.gz``. Opening and every read raise :class:`InputError` on failure: unreadable, broken
    gzip, or more bytes than the limit for its type (checked as they come, so a gzip bomb is
    never expanded in memory)."""
    limit = _limit(file)
    try:
        size = os.path.getsize(file.location)
        if not _gzipped(file) and size > limit:
            raise InputError(file.path, f"file too large ({size / 2**20:.1f} MB; limit {limit / 2**20:.0f} MB for this type)")
        handle = open(file.location, "rb")  # noqa: SIM115 - closed below
    except PermissionError:
        raise InputError(file.path, "permission denied") from None
    except OSError as exc:
        raise InputError(file.path, f"cannot read file: {exc.strerror or exc}") from None
    with handle:
        inner: Any = gzip.GzipFile(fileobj=handle, mode="rb") if _gzipped(file) else handle
        yield io.BufferedReader(_Guarded(inner, file.path, limit, _gzipped(file)), buffer_size=READ_CHUNK)


#: Bytes read at a time when hashing or streaming a file.
READ_CHUNK = 1 << 20


class _Guarded(io.RawIOBase):
    """A file's (gunzipped) bytes; read failures and bytes past ``limit`` raise InputError."""

    def __init__(self, inner: IO[bytes], path: str, limit: int, gzipped: bool) -> None:
        self._inner = inner
        self._path = path
        self._limit = limit
        self._gzipped = gzipped
        self._total = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            data = self._inner.read(len(buffer))
        except PermissionError:
            raise InputError(self._path, "permission denied") from None
        except (OSError, EOFError, zlib.error) as exc:
            if self._gzipped and not isinstance(exc, (PermissionError, FileNotFoundError)):
                raise InputError(self._path, f"broken gzip file: {exc}") from None
            raise InputError(self._path, f"cannot read file: {getattr(exc, 'strerror', None) or exc}") from None
        self._total += len(data)
        if self._total > self._limit:
            after = " after gunzip" if self._gzipped else ""
            raise InputError(self._path, f"file too large{after} (limit {self._limit / 2**20:.0f} MB for this type)")
        buffer[: len(data)] = data
        return len(data)


def read_bytes(file: SourceFile) -> bytes:
    """The file's bytes, gunzipped when the name ends in ``.gz``; InputError on failure."""
    with open_source(file) as stream:
        return stream.read()


def stream_digest(file: SourceFile) -> str:
    """:func:`content_digest` of the file's (gunzipped) bytes, read a piece at a time."""
    digest = hashlib.blake2b(digest_size=16)
    with open_source(file) as stream:
        while chunk := stream.read(READ_CHUNK):
            digest.update(chunk)
    return with_settings(digest.hexdigest(), file)


def content_digest(file: SourceFile, data: bytes) -> str:
    """The digest that tells whether ``file`` changed: its (gunzipped) bytes ``data`` and the
    settings it is read with (changing either re-reads it)."""
    return with_settings(file_digest(data), file)


def with_settings(digest: str, file: SourceFile) -> str:
    """A content digest made to change with the file's settings (unchanged when it has none,
    so indexes made before settings existed stay valid)."""
    key = file.settings.key()
    if not key:
        return digest
    return hashlib.blake2b(f"{digest}\x1f{key}".encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def file_digest(data: bytes) -> str:
    """Content hash used to notice changed files."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def reader_for(suffix: str) -> ReaderFn:
    """The reader function for a suffix from :data:`READERS`."""
    module_name, fn_name = READERS[suffix]
    module = importlib.import_module(f"{__name__}.{module_name}")
    return getattr(module, fn_name)


def iter_file(file: SourceFile, data: bytes | None = None, deferred: bool = False) -> Iterator[Article | Deferred | InputError]:
    """The articles of one file, and errors of records or of the whole file, one at a time.

    Many-article files (JSON, JSON Lines...) are read as streams (the whole file is never in
    memory); others are read whole (they are capped at :data:`MAX_ARTICLE_BYTES`). ``data``
    is the file's (gunzipped) bytes when already read. Never raises for bad input.

    Ids are unique within a file: when records share an ``id``, the last one is the article
    (a feed that appends corrections keeps the latest) and each earlier one is an error
    naming the record that replaces it. Finding them takes a first pass over the file that
    keeps only each id's last position (a reader whose ids cannot repeat is read once).

    With ``deferred``, a format whose records are costly to read (a reader module naming its
    function ``DEFERRED``: web archives) gives :class:`Deferred` records instead of articles,
    for worker processes to read (:func:`resolve`).
    """
    reader = _with_settings(reader_for(file.suffix), file.settings)
    if deferred and _reader_flag(reader, "DEFERRED"):
        module = sys.modules[reader.__module__]
        reader = getattr(module, module.DEFERRED)
    try:
        if file.batch:
            last = None if _reader_flag(reader, "UNIQUE_IDS") else _last_positions(file, data, reader)
            with _batch_source(file, data) as stream:
                yield from _applied(_last_wins(reader(_source_for(reader, stream), file.path), file.path, last), file.settings)
            return
        if data is None:
            data = read_bytes(file)
        if not data.strip():
            raise InputError(file.path, "empty file")
        yield from _applied(reader(data, file.path), file.settings)
    except InputError as err:
        yield err
    except RecursionError:
        yield InputError(file.path, "document nested too deeply to parse")
    except (ValueError, TypeError, LookupError, UnicodeError) as exc:  # a reader's parser gave up
        yield InputError(file.path, f"cannot parse: {exc}")


def resolve(item: Article | Deferred, file: SourceFile) -> Article:
    """The article of ``item`` (reading a deferred record; InputError when it holds none),
    with the file's settings applied."""
    if isinstance(item, Article):
        return item
    return file.settings.apply(item.article())


def _with_settings(reader: ReaderFn, settings: ReadSettings) -> ReaderFn:
    """``reader`` given the settings' CSV columns, when it takes columns and some are set."""
    columns = settings.column_map
    if columns is None or reader.__module__ != f"{__name__}.csvfmt":
        return reader
    full: Any = reader
    return functools.wraps(reader)(functools.partial(full, columns=columns))


def _applied(items: Iterable[Article | InputError], settings: ReadSettings) -> Iterator[Article | InputError]:
    """``items`` with ``settings`` filling what articles lack."""
    if not settings:
        yield from items
        return
    for item in items:
        yield settings.apply(item) if isinstance(item, Article) else item


def _batch_source(file: SourceFile, data: bytes | None) -> contextlib.AbstractContextManager[IO[bytes]]:
    return contextlib.nullcontext(io.BytesIO(data)) if data is not None else open_source(file)


def _reader_flag(reader: ReaderFn, name: str) -> bool:
    """A flag a reader's module sets: ``STREAMS`` (its readers take a binary stream, not the
    file's bytes), ``UNIQUE_IDS`` (the ids it gives never repeat within a file)."""
    return bool(getattr(sys.modules[reader.__module__], name, False))


def _source_for(reader: ReaderFn, stream: IO[bytes]) -> Any:
    """What ``reader`` reads: the stream itself, or (a reader of whole files) its bytes."""
    return stream if _reader_flag(reader, "STREAMS") else stream.read()


def _last_positions(file: SourceFile, data: bytes | None, reader: ReaderFn) -> dict[str, tuple[int, int | None]] | None:
    """Each id given to more than one record of the file → (position, line) of its last
    record (positions count the reader's items, articles and errors alike, from 0); None
    when no id repeats, or when the file cannot be read (the second pass says why)."""
    seen: dict[str, tuple[int, int | None]] = {}
    repeated: set[str] = set()
    try:
        with _batch_source(file, data) as stream:
            for position, item in enumerate(reader(_source_for(reader, stream), file.path)):
                if isinstance(item, Article):
                    if item.id in seen:
                        repeated.add(item.id)
                    seen[item.id] = (position, item.line)
    except (InputError, RecursionError, ValueError, TypeError, LookupError, UnicodeError):
        pass
    return {i: seen[i] for i in repeated} or None


def _last_wins(
    items: Iterator[Article | InputError], path: str, last: dict[str, tuple[int, int | None]] | None
) -> Iterator[Article | InputError]:
    """``items`` with every record but the last of a repeated id (see :func:`_last_positions`)
    turned into an error naming the record that replaces it."""
    if not last:
        yield from items
        return
    for position, item in enumerate(items):
        if not isinstance(item, Article) or item.id not in last or last[item.id][0] == position:
            yield item
            continue
        later, later_line = last[item.id]
        if later_line is not None:
            reason = f"duplicate id {item.id!r}: the record on line {later_line} has the same id and replaces this one"
        else:
            reason = f"duplicate id {item.id!r}: item {later} has the same id and replaces item {position}"
        yield InputError(path, reason, line=item.line)


def read_file(file: SourceFile, data: bytes | None = None, digest: str | None = None) -> FileResult:
    """Read one file into articles. Never raises for bad input: errors are in the result."""
    result = FileResult(file=file, digest=digest)
    try:
        if data is None and not file.batch:
            data = read_bytes(file)
        if result.digest is None:
            result.digest = content_digest(file, data) if data is not None else stream_digest(file)
    except InputError as err:
        result.errors.append(err)
        return result
    for item in iter_file(file, data):
        if isinstance(item, InputError):
            result.errors.append(item)
        else:
            result.articles.append(resolve(item, file))
    return result
