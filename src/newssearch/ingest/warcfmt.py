"""Web archives (``.warc``, ``.warc.gz``): every HTML page captured in them is an article.

Read with warcio (record by record; a ``.warc.gz`` is a series of gzip members, one per
record, decompressed as they are read). Each ``response`` record (and ``resource``
record, as ``wget --warc-file`` and browser-based crawlers write them) whose payload is an
HTML page goes through the HTML reader (:func:`newssearch.ingest.html.extract_article`):

* its URL is the page's canonical URL, else the record's ``WARC-Target-URI``;
* its publication date is the page's, else the record's ``WARC-Date`` (the capture time);
* its id is stable: derived from the file's path and the record's ``WARC-Target-URI`` (a
  second capture of the same URI in the file counted apart), so that a page keeps its id
  when the archive is written again; without a target URI, from the ``WARC-Record-ID``.

Other records (``request``, ``warcinfo``, ``metadata``, ``revisit``) are passed over
silently. A response that is not an HTML page (an image, a PDF, JSON, a redirect or an error
status), a record cut short (a truncated download), a payload that cannot be decoded, and a
page the HTML reader rejects (no article text) are skipped with a reason naming the record
(its number in the file, counted from 1, and its byte offset). A file that stops being a
WARC part-way (garbage after a record) keeps the records before that point.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from ..errors import InputError
from ..model import Article, stable_id
from . import html as html_reader

#: Its readers take a binary stream (see :func:`newssearch.ingest.iter_file`).
STREAMS = True
#: The reader that leaves each page's HTML extraction for later (see :class:`Page`).
DEFERRED = "read_pages"
#: The ids of a file's pages never repeat (a target URI captured again is counted apart):
#: no first pass over the file for repeated ids (see :func:`newssearch.ingest.iter_file`).
UNIQUE_IDS = True
#: Media types read as HTML pages.
HTML_TYPES = ("text/html", "application/xhtml+xml")
#: Record types whose payload may be a page.
PAGE_RECORDS = ("response", "resource")
#: The other record types of WARC 1.0/1.1 (and ARC's), passed over silently.
_OTHER_RECORDS = ("warcinfo", "request", "metadata", "revisit", "conversion", "continuation", "arc_header")
_CHUNK = 1 << 20


def read_warc(source: bytes | IO[bytes], path: str) -> Iterator[Article | InputError]:
    """Read a WARC file (its bytes, or a binary stream read as it goes; plain or gzipped
    record by record): one article per HTML page."""
    for item in read_pages(source, path):
        if isinstance(item, InputError):
            yield item
            continue
        try:
            yield item.article()
        except InputError as err:
            yield err


@dataclass
class Page:
    """An HTML page found in a WARC record, not yet read as an article: what a worker
    process turns into one (:meth:`article`), so that the costly HTML extraction of a large
    archive runs in parallel while this process only splits the file into records.
    ``id`` and ``line`` are an article's (ids are assigned before the page is read)."""

    id: str
    path: str
    payload: bytes
    media_type: str
    uri: str | None
    warc_date: str | None
    where: str
    line: int | None = None

    def article(self) -> Article:
        """The page read by the HTML reader; InputError ``record N at offset O: why`` when it holds no article."""
        try:
            if not self.media_type and b"<" not in self.payload[:2048]:
                raise InputError(self.path, "not an HTML page (no content type, no markup)")
            article = html_reader.extract_article(self.payload, self.path, url=self.uri)
        except InputError as err:
            raise InputError(self.path, f"{self.where}: {err.reason}") from None
        except (ValueError, LookupError) as exc:
            raise InputError(self.path, f"{self.where}: cannot read the payload: {_short(exc)}") from None
        if article.published is None:
            article.published = html_reader.parse_metadata_date(self.warc_date)
        article.id = self.id
        return article


def read_pages(source: bytes | IO[bytes], path: str) -> Iterator[Page | InputError]:
    """The HTML pages of a WARC file as :class:`Page` s (not yet read as articles), and an
    error for each record skipped. The file is read as a stream (a record at a time), except
    one gzipped as a single stream rather than record by record, which is gunzipped whole."""
    stream = io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source
    head = stream.read(4 * _CHUNK)
    if head[:2] == b"\x1f\x8b":
        if _gzipped_whole(head):
            data = _gunzip(head + stream.read(), path)  # one gzip stream, not one per record: warcio needs it plain
            head, stream = data[: 4 * _CHUNK], io.BytesIO(data[4 * _CHUNK :])
    elif not head[:1024].lstrip()[:5].upper().startswith(b"WARC/"):
        raise InputError(path, "not a WARC file (it does not start with a WARC/1.x record)")
    counted = _Counted(head, stream)
    records = ArchiveIterator(io.BufferedReader(counted, buffer_size=_CHUNK), check_digests=False)
    number = 0
    end = 0  # where the last record read ends
    seen: dict[str, int] = {}  # target URI → pages read from it so far
    while True:
        try:
            record = next(records)
        except StopIteration:
            break
        except Exception as exc:  # noqa: BLE001 - warcio fails in many ways on damaged input (even AttributeError)
            if number == 0:
                raise InputError(path, f"not a WARC file: {_describe(exc)}") from None
            yield InputError(
                path, f"record {number + 1} at offset {end}: unreadable ({_describe(exc)}); the rest of the file was not read"
            )
            return
        number += 1
        if record.rec_type not in PAGE_RECORDS:
            offset = records.get_record_offset()
            end = offset + records.get_record_length()
            if record.rec_type not in _OTHER_RECORDS:  # e.g. a type cut short: "resp", or none at all
                yield InputError(path, f"record {number} at offset {offset}: truncated record (the file ends inside its headers)")
            continue
        result: Page | str
        try:
            result = _page(record, path)
        except InputError as err:
            result = err.reason
        except (ValueError, OSError, EOFError, zlib.error, LookupError) as exc:
            result = f"cannot read the payload: {_short(exc)}"
        # known once the record was read (asked before, warcio skips the record's content)
        offset = records.get_record_offset()
        end = offset + records.get_record_length()
        if isinstance(result, str):
            yield InputError(path, f"record {number} at offset {offset}: {result}")
            continue
        result.id = _article_id(record, path, offset, seen)
        result.where = f"record {number} at offset {offset}"
        yield result
    if number == 0:
        raise InputError(path, "no WARC records")
    if counted.has_content_after(end):
        # warcio ends quietly when the file ends inside a record's headers
        yield InputError(path, f"record {number + 1} at offset {end}: truncated record (the file ends inside its headers)")


class _Counted(io.RawIOBase):
    """The bytes ``head`` then the stream ``rest``, counted, with the last :data:`_CHUNK` ×
    4 of them kept: enough to tell whether anything but white space follows the last record."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = memoryview(head)
        self._rest = rest
        self.total = 0
        self._tail = bytearray()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            data = bytes(self._head[: len(buffer)])
            self._head = self._head[len(data) :]
        else:
            data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        self.total += len(data)
        self._tail += data
        if len(self._tail) > 8 * _CHUNK:
            del self._tail[: len(self._tail) - 4 * _CHUNK]
        return len(data)

    def has_content_after(self, offset: int) -> bool:
        """True when the stream holds something but white space after byte ``offset`` (it is read to its end)."""
        while self.read(_CHUNK):
            pass
        after = self.total - offset
        if after <= 0:
            return False
        if after > len(self._tail):
            return True  # (more than a few megabytes after the last record)
        return bool(bytes(self._tail[-after:]).strip())


def _article_id(record: Any, path: str, offset: int, seen: dict[str, int]) -> str:
    """A stable id: by the file and the target URI (the n-th capture of a URI in the file
    gets its own), so that a page keeps its id when the archive is written again; else by
    the WARC-Record-ID; else by the record's offset."""
    uri = (record.rec_headers.get_header("WARC-Target-URI") or "").strip("<> ")
    if uri:
        count = seen.get(uri, 0)
        seen[uri] = count + 1
        return stable_id(path, uri) if count == 0 else stable_id(path, uri, str(count))
    record_id = (record.rec_headers.get_header("WARC-Record-ID") or "").strip()
    return stable_id(path, record_id) if record_id else stable_id(path, str(offset))


def _page(record: Any, path: str) -> Page:
    """The page of one response/resource record (its id is set by the caller); InputError
    when the record holds none (not HTML, an error status, cut short)."""
    headers = record.rec_headers
    if headers.get_header("Content-Length") is None:
        raise InputError(path, "truncated record (the file ends inside its headers)")
    http = record.http_headers
    why_not = None
    if http is not None and record.rec_type == "response":
        status = http.get_statuscode() or ""
        media = http.get_header("Content-Type")
        if not status.startswith("2"):
            why_not = f"HTTP status {status or '(none)'}, not a page"
    else:
        media = headers.get_header("Content-Type")
    media_type = (media or "").split(";")[0].strip().lower()
    if why_not is None and media_type and media_type not in HTML_TYPES:
        why_not = f"not an HTML page ({media_type})"
    payload = record.content_stream().read(html_reader.MAX_BYTES + 1) if why_not is None else b""
    if _drain(record):  # first: a record cut short also has cut or missing HTTP headers
        raise InputError(path, f"truncated record (the file ends inside it; {record.length} bytes declared)")
    if why_not is not None:
        raise InputError(path, why_not)
    uri = (headers.get_header("WARC-Target-URI") or "").strip("<> ") or None
    return Page(id="", path=path, payload=payload, media_type=media_type, uri=uri, warc_date=headers.get_header("WARC-Date"), where="")


def _gzipped_whole(data: bytes) -> bool:
    """True when the file is gzipped as one stream (several records in its first gzip
    member) rather than record by record, as WARC files should be."""
    inflater = zlib.decompressobj(wbits=31)
    try:
        head = inflater.decompress(data[:4 * _CHUNK], _CHUNK)
    except zlib.error:
        return False  # broken from the start: warcio says why
    return head.count(b"\nWARC/1.") > 0


def _gunzip(data: bytes, path: str) -> bytes:
    """``data`` gunzipped, up to the limit for batch files (as for other ``.gz`` files); a
    file cut short gives what is there (its last record is then reported as truncated)."""
    from . import MAX_BATCH_BYTES

    parts: list[bytes] = []
    total = 0
    rest = data
    while rest[:2] == b"\x1f\x8b":
        inflater = zlib.decompressobj(wbits=31)
        try:
            part = inflater.decompress(rest, MAX_BATCH_BYTES + 1 - total)
        except zlib.error as exc:
            if not parts:
                raise InputError(path, f"broken gzip file: {exc}") from None
            break
        parts.append(part)
        total += len(part)
        if total > MAX_BATCH_BYTES:
            raise InputError(path, f"file too large after gunzip (limit {MAX_BATCH_BYTES / 2**20:.0f} MB)")
        if not inflater.eof:
            break  # the file ends inside this gzip stream
        rest = inflater.unused_data
    return b"".join(parts)


def _drain(record: Any) -> bool:
    """Read the rest of the record's block; True when the file ended before its declared length."""
    raw = record.raw_stream
    while raw.read(_CHUNK):
        pass
    return bool(getattr(raw, "limit", 0))


def _describe(exc: BaseException) -> str:
    """What a warcio failure means for the user."""
    if isinstance(exc, ArchiveLoadFailed) and "non-chunked gzip" in str(exc):
        return "gzipped as one stream beyond its first record"
    if isinstance(exc, (ArchiveLoadFailed, ValueError, OSError, EOFError, zlib.error)):
        return _short(exc)
    return "a record cut short or damaged"


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return (text[:200] + "…") if len(text) > 200 else text or type(exc).__name__
