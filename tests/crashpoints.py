"""Run the newssearch CLI with named kill points: ``python crashpoints.py ARGS…``.

The indexing process (not its workers) counts the points it passes, in order:

* ``apply``: one file's articles about to be written (or recorded) in the store;
* ``commit``: a commit starting (nothing of it written yet);
* ``toc``: Whoosh's table of contents of a commit written (segments and table of contents
  durable; vocabulary and metadata not yet);
* ``vocabulary``: the vocabulary about to be saved;
* ``meta``: the metadata file about to be written (also once while creating the index);
* ``meta-written``: the metadata file written;
* ``committed``: a commit done (the run goes on with the next files).

``CRASH_LOG=FILE`` appends each point's name to FILE; ``CRASH_AT=NAME:N`` sends SIGKILL to
the process at the N-th ``NAME`` point (its workers die with it). Points come in the same
order on every run over the same corpus and index state, so a test chooses them exactly
instead of guessing delays.
"""

from __future__ import annotations

import os
import signal
import sys
from collections import Counter
from collections.abc import Callable
from typing import Any

_PARENT = os.getpid()
_COUNTS: Counter[str] = Counter()
_LOG = os.environ.get("CRASH_LOG")
_AT = os.environ.get("CRASH_AT")


def point(name: str) -> None:
    """Pass the kill point ``name`` (in the indexing process only)."""
    if os.getpid() != _PARENT:
        return
    _COUNTS[name] += 1
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as handle:
            handle.write(name + "\n")
    if _AT == f"{name}:{_COUNTS[name]}":
        os.kill(_PARENT, signal.SIGKILL)


def _wrap(owner: Any, attr: str, before: str | None = None, after: str | None = None) -> None:
    original: Callable[..., Any] = getattr(owner, attr)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if before:
            point(before)
        result = original(*args, **kwargs)
        if after:
            point(after)
        return result

    setattr(owner, attr, wrapper)


def install() -> None:
    """Wrap the functions the points are named after."""
    from whoosh import index as whoosh_index

    from newssearch.indexing import runner
    from newssearch.store import index, vocabulary, writer

    _wrap(runner, "_apply", before="apply")
    _wrap(writer.IndexStore, "_commit", before="commit")
    _wrap(writer.IndexStore, "commit", after="committed")
    _wrap(whoosh_index.TOC, "write", after="toc")
    _wrap(vocabulary, "save", before="vocabulary")
    for module in (index, writer):
        _wrap(module, "write_meta", before="meta", after="meta-written")


if __name__ == "__main__":
    install()
    from newssearch.cli import main

    sys.argv[0] = "newssearch"
    main()
