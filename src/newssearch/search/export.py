"""Every match of a query as a stream: what ``newssearch export`` and notebooks use.

:meth:`Searcher.hits <newssearch.search.searcher.Searcher.hits>` returns a :class:`HitStream`:
the exact ``total`` is known at once (the query is matched and ordered when the stream is
made, so a bad query fails before anything is written), and iterating gives every hit, all
pages, read from the index a batch at a time (memory holds one batch of stored fields, not
the whole result)::

    with Searcher("index") as s:
        stream = s.hits("NATO", since="2023", source="Reuters")
        print(stream.total)
        for hit in stream:                         # ArticleHit objects, best first
            ...
        s.hits("NATO").write_jsonl("nato.jsonl")   # or write_csv, rows()
        df = s.hits("NATO", sort="newest").to_dataframe(fields=["published", "title", "text"])

A row (:meth:`HitStream.rows`) is a dict of the chosen :data:`ARTICLE_FIELDS` (or
:data:`PARAGRAPH_FIELDS` for ``paragraphs=True``); ``text`` (the whole body) and
``snippet`` are read only when asked for. The searcher must stay open while the stream is
read. pandas is optional (``pip install newssearch[pandas]``) and imported only by
:meth:`HitStream.to_dataframe`.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO, TYPE_CHECKING, Any

from ..errors import QueryError
from .results import ArticleHit, ParagraphHit

if TYPE_CHECKING:
    import pandas  # type: ignore[import-untyped]

__all__ = ["ARTICLE_FIELDS", "DEFAULT_ARTICLE_FIELDS", "DEFAULT_PARAGRAPH_FIELDS", "PARAGRAPH_FIELDS", "HitStream", "check_fields"]

#: Every field an article row can have, in the order rows give them.
ARTICLE_FIELDS = ("rank", "id", "score", "title", "published", "source", "url", "path", "authors", "language", "people", "snippet", "text")
#: The fields of an article row when none are chosen (``snippet`` and ``text`` are costly: asked for by name).
DEFAULT_ARTICLE_FIELDS = ("rank", "id", "score", "title", "published", "source", "url", "authors", "language", "people")
#: Every field a paragraph row can have.
PARAGRAPH_FIELDS = ("rank", "article_id", "paragraph", "score", "title", "published", "source", "url", "path", "text")
#: The fields of a paragraph row when none are chosen.
DEFAULT_PARAGRAPH_FIELDS = ("rank", "article_id", "paragraph", "score", "title", "published", "source", "url", "text")
#: What joins the items of a list field (authors, people) in a CSV cell.
LIST_SEPARATOR = "; "


def check_fields(fields: str | Sequence[str] | None, paragraphs: bool = False) -> tuple[str, ...]:
    """The row fields asked for (``"title,url"`` or a list; None: the defaults), checked:
    QueryError naming the known fields for an unknown one."""
    known = PARAGRAPH_FIELDS if paragraphs else ARTICLE_FIELDS
    if fields is None:
        return DEFAULT_PARAGRAPH_FIELDS if paragraphs else DEFAULT_ARTICLE_FIELDS
    names = [f.strip() for f in fields.split(",")] if isinstance(fields, str) else [str(f).strip() for f in fields]
    names = [n for n in names if n]
    if not names:
        raise QueryError("no fields given")
    for name in names:
        if name not in known:
            raise QueryError(f"unknown field {name!r}; use any of {', '.join(known)}")
    return tuple(dict.fromkeys(names))


class HitStream:
    """Every hit of one query, best first (or in the order asked for): iterable once or
    more, each time reading the index again. ``total`` is the exact number of hits.

    Made by :meth:`Searcher.hits <newssearch.search.searcher.Searcher.hits>`; not meant to
    be built by hand.
    """

    def __init__(
        self,
        total: int,
        batches: Callable[[], Iterator[list[ArticleHit] | list[ParagraphHit]]],
        paragraphs: bool,
        body: Callable[[str], list[str]],
    ) -> None:
        self.total = total
        self.paragraphs = paragraphs
        self._batches = batches
        self._body = body

    def __len__(self) -> int:
        return self.total

    def __iter__(self) -> Iterator[Any]:
        for batch in self._batches():
            yield from batch

    # -- rows --------------------------------------------------------------------------

    def rows(self, fields: str | Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
        """One dict per hit with ``fields`` (see :func:`check_fields`), JSON-ready: dates as
        ISO text, ``authors`` and ``people`` as lists, ``snippet`` the best paragraph's text
        with matched words in ``**``, ``text`` the whole body (paragraphs separated by blank
        lines; for a paragraph row, the paragraph)."""
        chosen = check_fields(fields, self.paragraphs)
        for hit in self:
            yield self._row(hit, chosen)

    def _row(self, hit: ArticleHit | ParagraphHit, chosen: tuple[str, ...]) -> dict[str, Any]:
        row: dict[str, Any] = {}
        for name in chosen:
            if isinstance(hit, ParagraphHit):
                value: Any = hit.snippet.text if name == "text" else getattr(hit, name)
            elif name == "text":
                value = "\n\n".join(self._body(hit.id))
            elif name == "snippet":
                value = hit.snippet.marked() if hit.snippet else None
            else:
                value = getattr(hit, name)
            if name == "score" and value is not None:  # (None: ordered by date)
                value = round(value, 4)
            elif isinstance(value, list):
                value = list(value)
            row[name] = value
        return row

    # -- writing -----------------------------------------------------------------------

    def write_jsonl(self, out: str | os.PathLike[str] | IO[str], fields: str | Sequence[str] | None = None,
                    progress: Callable[[int], None] | None = None) -> int:
        """Write one JSON object per line (UTF-8) to a file name or a text stream; return the
        number written. ``progress`` is called with 1 after each row."""
        def line(row: dict[str, Any]) -> str:
            return json.dumps(row, ensure_ascii=False, default=str) + "\n"

        return self._write(out, fields, line, None, progress)

    def write_csv(self, out: str | os.PathLike[str] | IO[str], fields: str | Sequence[str] | None = None,
                  progress: Callable[[int], None] | None = None) -> int:
        """Write a CSV table (RFC 4180 quoting, a header row, UTF-8; lists joined with
        ``"; "``, a missing value empty) to a file name or a text stream opened with
        ``newline=""``; return the number of rows written."""
        chosen = check_fields(fields, self.paragraphs)
        buffer = io.StringIO()
        writer = csv.writer(buffer)

        def line(row: dict[str, Any]) -> str:
            buffer.seek(0)
            buffer.truncate()
            writer.writerow([_cell(row[name]) for name in chosen])
            return buffer.getvalue()

        writer.writerow(chosen)
        header = buffer.getvalue()
        return self._write(out, chosen, line, header, progress)

    def _write(self, out: str | os.PathLike[str] | IO[str], fields: str | Sequence[str] | None, line: Callable[[dict[str, Any]], str],
               header: str | None, progress: Callable[[int], None] | None) -> int:
        if isinstance(out, (str, os.PathLike)):
            with open(out, "w", encoding="utf-8", newline="") as handle:
                return self._write(handle, fields, line, header, progress)
        if header is not None:
            out.write(header)
        count = 0
        for row in self.rows(fields):
            out.write(line(row))
            count += 1
            if progress is not None:
                progress(1)
        return count

    def to_dataframe(self, fields: str | Sequence[str] | None = None) -> pandas.DataFrame:
        """A pandas DataFrame of the rows (``published`` as datetimes, lists kept as lists).
        Needs pandas (``pip install newssearch[pandas]``): ImportError saying so without it."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("to_dataframe needs pandas: pip install 'newssearch[pandas]'") from None
        chosen = check_fields(fields, self.paragraphs)
        frame = pd.DataFrame.from_records(list(self.rows(chosen)), columns=list(chosen))
        if "published" in frame.columns:
            frame["published"] = pd.to_datetime(frame["published"], errors="coerce", format="ISO8601")
        return frame


def _cell(value: Any) -> Any:
    """A row value as a CSV cell: lists joined, None empty."""
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(v) for v in value)
    return value


def batched(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    """``items`` in slices of ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
