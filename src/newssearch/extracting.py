"""What the readers and enrichment make of files, without touching an index."""

from __future__ import annotations

import os
from collections.abc import Iterator

from .enrich import enrich
from .errors import InputError
from .ingest import discover, read_file
from .model import Article


def extract(paths: list[str] | list[os.PathLike[str]]) -> Iterator[Article | InputError]:
    """Read and enrich every article in ``paths`` (files or folders); yield articles, or
    :class:`InputError` for what could not be read."""
    found = discover([os.fspath(p) for p in paths])
    yield from found.skipped
    for file in found.files:
        result = read_file(file)
        for article in result.articles:
            yield enrich(article)
        yield from result.errors
