"""CSV and TSV tables (``.csv``, ``.tsv``; also gzipped): one article per row.

The first row is a header naming the columns. They are found by their usual names, in any
case, with spaces or hyphens for underscores (:data:`COLUMN_NAMES`; the first name present
wins, e.g. ``text`` over ``description``): title/headline, text/body/content/description,
published/date/pubdate/publish_date, source/outlet/publisher/site, url/link,
authors/author/byline, language/lang, id. Only a text column is required. Other columns
are ignored.

An explicit mapping (``columns={"title": "Headline", "text": "Body"}``, what
``--columns title=Headline,text=Body`` gives; see :func:`parse_columns`) names the
columns of fields whose header names differ; the other fields are still found by name.
A mapping by column numbers (``{"title": 2, "text": 3}``, counted from 1) reads a file
*without* a header, every row being an article (AG News' ``class,title,description``
layout). A file whose first row names no text column, and no mapping, is skipped as a
whole with a reason that says so (its first row is data, not a header).

``.csv`` files are separated by commas, semicolons, tabs or bars, whichever splits the
header into the most known column names (commas when none does); ``.tsv`` by tabs. Quoting
follows RFC 4180 (fields in double quotes may hold separators, newlines and doubled
quotes), as Excel, pandas and R write it.

The file is read as a stream of lines: rows are decoded one by one (UTF-8, with or
without byte-order mark; a legacy 8-bit code page when the start of the file is not
UTF-8; UTF-16 files are decoded whole), so memory holds one row at a time (and the
first megabyte, which chooses the encoding), never the whole file. A bad row is skipped as ``file:line`` with the reason (no text, wrong
number of fields, bytes that are not text in the file's encoding, over
:data:`MAX_ROW_CHARS` characters) and the other rows are read. A field longer than
:data:`MAX_FIELD_CHARS` (an unclosed quote swallowing the rest of the file, most often)
ends the reading of that file there, with a reason; the rows before it are kept.

Article ids: the id column when the row has one, else stable by the file's path and the
row's number (its position among the file's records; blank lines do not count).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator, Mapping
from typing import IO, Any

from ..errors import InputError
from ..model import Article, stable_id
from .cleaning import clean_line, decode_bytes, decode_utf8_lenient, first_sentence, legacy_encoding, split_paragraphs

#: Article field → the column names that fill it, most preferred first (compared after
#: :func:`_normalise_name`).
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "id": ("id",),
    "title": ("title", "headline"),
    "text": ("text", "body", "content", "description"),
    "published": ("published", "date", "pubdate", "publish_date"),
    "source": ("source", "outlet", "publisher", "site"),
    "url": ("url", "link"),
    "authors": ("authors", "author", "byline"),
    "language": ("language", "lang"),
}
#: The largest row read as an article (characters, all fields); a larger one is skipped.
MAX_ROW_CHARS = 2_000_000
#: The longest field read (characters); a longer one stops the reading of the file (the
#: rest of it can no longer be split into rows reliably).
MAX_FIELD_CHARS = 10_000_000
#: Separators tried on the header of a ``.csv`` file.
CSV_DELIMITERS = (",", ";", "\t", "|")
#: Bytes looked at to choose the encoding.
_SAMPLE_BYTES = 1_000_000

_FIELD_LIMIT = re.compile(r"field larger than field limit")

ColumnMap = Mapping[str, str | int]

#: Its readers take a binary stream (see :func:`newssearch.ingest.iter_file`): a table is
#: never whole in memory.
STREAMS = True


def read_csv(source: bytes | IO[bytes], path: str, columns: ColumnMap | None = None, delimiter: str | None = None) -> Iterator[Article | InputError]:
    """Read a CSV table (its bytes, or a binary stream read as it goes): one article per row
    (see the module docs).

    ``columns`` maps article fields (keys of :data:`COLUMN_NAMES`) to header names (any
    case) or to 1-based column numbers (then the file has no header); ``delimiter`` forces
    the separator. Raises :class:`InputError` for the whole file (no header naming a text
    column, a mapped column missing, not text); yields one for each bad row.
    """
    mapping = dict(columns or {})
    _check_mapping(mapping)
    stream = io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source
    head = stream.read(_SAMPLE_BYTES)
    lines, bad = _decoded_lines(head, stream, path)
    rows = _Rows(lines, bad)
    by_number = bool(mapping) and all(isinstance(v, int) for v in mapping.values())
    if by_number:
        positions = {name: int(number) - 1 for name, number in mapping.items()}
        width = None
        if delimiter is None:
            delimiter = _sniff_by_count(head)
    else:
        header_line = rows.peek_first_line()
        if header_line is None:
            raise InputError(path, "empty file")
        if delimiter is None:
            delimiter = _choose_delimiter(header_line, mapping)
    reader = csv.reader(rows, delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
    _set_field_limit()
    if not by_number:
        try:
            header = next((row for row in reader if any(cell.strip() for cell in row)), None)
        except csv.Error as exc:
            raise InputError(path, f"unreadable header: {exc}", line=reader.line_num) from None
        if header is None:
            raise InputError(path, "empty file")
        if rows.bad_lines:
            raise InputError(path, "the header has bytes that are not text in the file's encoding", line=reader.line_num)
        positions = _header_positions(header, mapping, path, reader.line_num)
        width = len(header)
    yield from _records(reader, rows, positions, width, path)


def read_tsv(source: bytes | IO[bytes], path: str, columns: ColumnMap | None = None) -> Iterator[Article | InputError]:
    """Read a TSV table (tab-separated; otherwise as :func:`read_csv`)."""
    return read_csv(source, path, columns=columns, delimiter="\t")


def parse_columns(spec: str) -> dict[str, str | int]:
    """``"title=Headline,text=Body"`` → ``{"title": "Headline", "text": "Body"}``; numbers
    (``"title=2,text=3"``) become column numbers. Raises ``ValueError`` with a message for
    the user on an unknown field or a malformed pair."""
    mapping: dict[str, str | int] = {}
    for pair in spec.split(","):
        if not pair.strip():
            continue
        name, sep, column = pair.partition("=")
        name, column = name.strip().lower(), column.strip()
        if not sep or not name or not column:
            raise ValueError(f"expected FIELD=COLUMN, got {pair.strip()!r}")
        if name not in COLUMN_NAMES:
            raise ValueError(f"unknown field {name!r} (known: {', '.join(COLUMN_NAMES)})")
        if column.isdigit():
            if int(column) < 1:
                raise ValueError(f"column numbers start at 1, got {column}")
            mapping[name] = int(column)
        else:
            mapping[name] = column
    if not mapping:
        raise ValueError("no columns given")
    _check_mapping(mapping)
    return mapping


# --------------------------------------------------------------------------- decoding


class _Rows:
    """The file's lines as text, for :mod:`csv`; counts the lines that were not valid text
    in the file's encoding (their bad bytes replaced) so that their row can be skipped."""

    def __init__(self, lines: Iterator[str], bad: list[int]) -> None:
        self._lines = lines
        self._bad = bad  # one count, shared with the decoding generator
        self._buffer: list[str] = []

    def peek_first_line(self) -> str | None:
        """The first non-blank line; it (and blank lines before it) will be read again."""
        for line in self._buffer:
            if line.strip():
                return line
        for line in self._lines:
            self._buffer.append(line)
            if line.strip():
                return line
        return None

    @property
    def bad_lines(self) -> int:
        """How many lines so far had bytes that are not text in the file's encoding."""
        return self._bad[0]

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        if self._buffer:
            return self._buffer.pop(0)
        return next(self._lines)


def _decoded_lines(head: bytes, rest: IO[bytes], path: str) -> tuple[Iterator[str], list[int]]:
    """The lines of the file (its first bytes ``head``, then the stream ``rest``) decoded one
    by one, and a one-element list counting lines with undecodable bytes (replaced). The
    encoding is chosen from ``head``. UTF-16 is decoded whole."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return iter(io.StringIO(decode_bytes(head + rest.read(), path), newline="")), [0]
    start = len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0
    sample = head[start:]
    if b"\x00" in sample[:8192]:
        raise InputError(path, "binary file, not text")
    encoding = "utf-8" if decode_utf8_lenient(sample) is not None else legacy_encoding(sample)
    stream = io.BufferedReader(_Joined(sample, rest), buffer_size=1 << 16)
    bad = [0]

    def lines() -> Iterator[str]:
        for raw in stream:
            try:
                yield raw.decode(encoding)
            except UnicodeDecodeError:
                bad[0] += 1
                yield raw.decode(encoding, errors="replace")

    return lines(), bad


class _Joined(io.RawIOBase):
    """The bytes ``head``, then those of the stream ``rest`` (a stream whose start was read
    to choose the encoding, read from its start again)."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


# --------------------------------------------------------------------------- columns


def _normalise_name(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", clean_line(name).lower().lstrip("\ufeff"))


def _check_mapping(mapping: Mapping[str, str | int]) -> None:
    """Raise ``ValueError`` (a usage error) for a mapping that cannot be used."""
    for name, column in mapping.items():
        if name not in COLUMN_NAMES:
            raise ValueError(f"unknown field {name!r} in the column mapping (known: {', '.join(COLUMN_NAMES)})")
        if not isinstance(column, (str, int)) or isinstance(column, bool) or (isinstance(column, int) and column < 1):
            raise ValueError(f"column of {name!r} must be a header name or a number from 1, got {column!r}")
    kinds = {isinstance(v, int) for v in mapping.values()}
    if len(kinds) > 1:
        raise ValueError("name the columns either all by header name or all by number (a file without header)")
    if kinds == {True} and "text" not in mapping:
        raise ValueError("a file without header needs the number of its text column (e.g. text=3)")


def _choose_delimiter(header_line: str, mapping: Mapping[str, str | int]) -> str:
    """The separator that splits the header into the most known (or mapped) column names."""
    known = {n for names in COLUMN_NAMES.values() for n in names} | {_normalise_name(str(v)) for v in mapping.values()}
    best, best_hits = ",", 0
    for delimiter in CSV_DELIMITERS:
        cells = next(csv.reader([header_line], delimiter=delimiter), [])
        hits = sum(_normalise_name(cell) in known for cell in cells)
        if hits > best_hits:
            best, best_hits = delimiter, hits
    return best


def _sniff_by_count(data: bytes) -> str:
    """The separator of a file without header: the most frequent candidate in its first line."""
    first = data[:65536].split(b"\n", 1)[0].decode("utf-8", errors="replace")
    counts = {d: first.count(d) for d in CSV_DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _header_positions(header: list[str], mapping: Mapping[str, str | int], path: str, header_line: int = 1) -> dict[str, int]:
    """Field → column index, from the explicit mapping first, then by the usual names."""
    names = [_normalise_name(cell) for cell in header]
    positions: dict[str, int] = {}
    for field, column in mapping.items():
        wanted = _normalise_name(str(column))
        if wanted not in names:
            shown = ", ".join(clean_line(cell) for cell in header[:20])
            raise InputError(path, f"no column {column!r} for {field} in the header (columns: {shown})", line=header_line)
        positions[field] = names.index(wanted)
    taken = set(positions.values())
    for field, usual in COLUMN_NAMES.items():
        if field in positions:
            continue
        for name in usual:
            if name in names and names.index(name) not in taken:
                positions[field] = names.index(name)
                taken.add(positions[field])
                break
    if "text" not in positions:
        shown = ", ".join(repr(clean_line(cell)[:40]) for cell in header[:4]) + (", …" if len(header) > 4 else "")
        raise InputError(
            path,
            f"no header row naming a text column ({'/'.join(COLUMN_NAMES['text'])}): the first row is {shown}; "
            "a file without header is read with column numbers, e.g. title=2,text=3",
            line=header_line,
        )
    return positions


def _set_field_limit() -> None:
    """csv's field limit (131,072 characters by default, less than some articles) is
    process-wide: it is set to :data:`MAX_FIELD_CHARS` before each file is read."""
    csv.field_size_limit(MAX_FIELD_CHARS)


# --------------------------------------------------------------------------- rows


def _records(reader: Any, rows: _Rows, positions: dict[str, int], width: int | None, path: str) -> Iterator[Article | InputError]:
    """Articles (and errors) of the rows ``reader`` (a :func:`csv.reader`) gives."""
    needed = max(positions.values()) + 1
    number = 0  # the row's position among the file's records, for ids
    while True:
        start = reader.line_num + 1  # the row's first line (a quoted field may span several)
        bad_before = rows.bad_lines
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            number += 1
            if _FIELD_LIMIT.search(str(exc)):
                limit = f"{MAX_FIELD_CHARS / 1e6:g} million"
                yield InputError(path, f"a field longer than {limit} characters (an unclosed quote?); the rest of the file was not read", line=start)
                return
            yield InputError(path, f"unreadable row: {exc}", line=start)
            continue
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # a blank line
        number += 1
        if rows.bad_lines != bad_before:
            yield InputError(path, "bytes that are not text in the file's encoding", line=start)
        elif width is not None and len(row) != width:
            yield InputError(path, f"wrong number of fields: {len(row)}, the header has {width}", line=start)
        elif width is None and len(row) < needed:
            yield InputError(path, f"too few fields: {len(row)}, column {needed} is needed", line=start)
        elif (size := sum(map(len, row))) > MAX_ROW_CHARS:
            yield InputError(path, f"row too large ({size:,} characters; limit {MAX_ROW_CHARS:,})", line=start)
        else:
            try:
                yield _article(row, positions, path, number)
            except InputError as err:
                yield InputError(path, err.reason, line=start)
    if number == 0:
        raise InputError(path, "no rows after the header" if width is not None else "empty file")


def _article(row: list[str], positions: dict[str, int], path: str, number: int) -> Article:
    def cell(field: str) -> str | None:
        index = positions.get(field)
        if index is None or index >= len(row):
            return None
        value = clean_line(row[index])
        return value or None

    text_index = positions["text"]
    paragraphs = split_paragraphs(row[text_index]) if text_index < len(row) else []
    if not paragraphs:
        raise InputError(path, "empty text")
    title = cell("title") or first_sentence(paragraphs[0])
    given_id = cell("id")
    return Article(
        id=given_id or stable_id(path, str(number)),
        title=title,
        paragraphs=paragraphs,
        source=cell("source"),
        url=cell("url"),
        authors=split_author_cell(row[positions["authors"]]) if "authors" in positions and positions["authors"] < len(row) else [],
        language=cell("language"),
        path=path,
        published_text=cell("published"),
    )


def split_author_cell(value: str) -> list[str]:
    """Names in an authors cell: separated by ``;`` or ``|`` (or newlines), or by commas when
    every part is a full name ("Ann Lee, Bo Chen"; but "Lee, Ann" is one name)."""
    parts = [clean_line(p) for p in re.split(r"[;|\n]", value)]
    names: list[str] = []
    for part in parts:
        if not part:
            continue
        pieces = [clean_line(p) for p in part.split(",")]
        if len(pieces) > 1 and all(" " in p for p in pieces if p):
            names.extend(p for p in pieces if p)
        else:
            names.append(part)
    return names
