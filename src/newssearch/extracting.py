"""What the readers and enrichment make of files, without touching an index."""

from __future__ import annotations

import os
from collections.abc import Iterator

from .enrich import enrich
from .errors import InputError
from .ingest import discover, iter_file
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
                yield enrich(item)
        yield from errors
