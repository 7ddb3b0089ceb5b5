"""What the readers and enrichment make of files, without touching an index."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import IO

from .enrich import enrich
from .errors import InputError
from .ingest import discover, iter_file, resolve
from .model import Article


def extract(paths: list[str] | list[os.PathLike[str]]) -> Iterator[Article | InputError]:
    """Read and enrich every article in ``paths`` (files or folders); yield articles, or
    :class:`InputError` for what could not be read."""
    found = discover([os.fspath(p) for p in paths])
    yield from found.skipped
    for file in found.files:
        errors = []
        for item in iter_file(file):  # JSON/JSONL files one record at a time
            if isinstance(item, InputError):
                errors.append(item)
            else:
                yield enrich(resolve(item, file))
        yield from errors


def extract_stream(stream: IO[bytes], fmt: str = "jsonl") -> Iterator[Article | InputError]:
    """Read and enrich the records of a binary stream (JSON Lines, or CSV/TSV with a header),
    as ``newssearch index -`` would index them; errors name the stream ``-`` and the line."""
    from .indexing.stream import STDIN_NAME, STDIN_PREFIX, read_stream

    for item in read_stream(stream, fmt):
        if isinstance(item, InputError):
            yield item
        else:
            item.path = STDIN_PREFIX + item.id if item.path == STDIN_NAME else item.path
            yield enrich(item)
