"""The Whoosh versions newssearch's index format was written for, checked at import.

:mod:`newssearch.store.codec` builds on Whoosh's codec classes (``whoosh.codec.base``), its
ordered hash files, compound segment files and matchers, and :mod:`newssearch.store.writer`
on a few internals of its segment writer. Those are only known to behave as newssearch
expects in the versions below (``pyproject.toml`` pins the same range), so importing
:mod:`newssearch.store` with another version installed fails at once with one line naming
both, instead of a traceback (or a wrong index) later. ``tests/test_compat.py`` checks every
private name of Whoosh (and trafilatura) newssearch still uses.
"""

from __future__ import annotations

import whoosh

from ..errors import NewssearchError

#: The distribution that provides the ``whoosh`` package newssearch runs on.
WHOOSH_DISTRIBUTION = "whoosh3"
#: The versions the codec was written for: at least the first, below the second.
WHOOSH_RANGE: tuple[tuple[int, int], tuple[int, int]] = ((3, 54), (3, 55))


class WhooshVersionError(NewssearchError):
    """The installed Whoosh is not a version newssearch's index format was written for."""

    exit_code = 1


def requirement() -> str:
    """The pip requirement of the supported range, e.g. ``whoosh3>=3.54,<3.55``."""
    (lo_major, lo_minor), (hi_major, hi_minor) = WHOOSH_RANGE
    return f"{WHOOSH_DISTRIBUTION}>={lo_major}.{lo_minor},<{hi_major}.{hi_minor}"


def check_whoosh_version(version: object = None) -> None:
    """Raise :class:`WhooshVersionError` unless ``version`` (default: the installed Whoosh's
    ``__version__`` tuple) is in :data:`WHOOSH_RANGE`."""
    found = whoosh.__version__ if version is None else version
    try:
        parts = tuple(int(part) for part in found)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        parts = ()
    low, high = WHOOSH_RANGE
    if not parts or not (low <= parts[:2] < high):
        shown = ".".join(map(str, parts)) if parts else repr(found)
        raise WhooshVersionError(
            f"newssearch needs {requirement()}, but Whoosh {shown} is installed",
            hint=f"pip install '{requirement()}'",
        )


check_whoosh_version()
