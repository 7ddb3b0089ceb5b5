"""Refusing index folders that someone else could have written.

Whoosh keeps an index's schema, its list of segments and each segment's directory as Python
pickles, and reading a pickle can run any code: an index folder is as powerful as a script.
Like git's ``safe.directory``, newssearch opens an index only when nobody but the current
user can have written it: the folder and the files Whoosh unpickles (the table of contents
``_MAIN_<n>.toc`` and the segment files ``MAIN_*``) must belong to the current user and not
be writable by their group or by others. The check reads no file, only their ownership.

``NEWSSEARCH_TRUST_INDEX`` overrides it: ``1`` (or ``*``) trusts every folder; otherwise it
is a list of folders (separated by ``:``, ``;`` on Windows) trusted with everything under them.
"""

from __future__ import annotations

import os
import re
import stat

from ..errors import IndexUntrustedError

#: The environment variable that lists trusted index folders (or ``1`` for all).
TRUST_ENV = "NEWSSEARCH_TRUST_INDEX"

_ALL = {"1", "*", "all", "yes", "true"}
#: Files Whoosh reads pickles from: tables of contents and segment files (of the index "MAIN").
_PICKLED = re.compile(r"^(_MAIN_\d+\.toc|MAIN_[0-9a-z]+\..+)$")
_FOREIGN_WRITE = stat.S_IWGRP | stat.S_IWOTH


def trusted_by_environment(index_dir: str) -> bool:
    """True when ``NEWSSEARCH_TRUST_INDEX`` trusts ``index_dir`` (all folders, or one it lists
    or is under)."""
    value = os.environ.get(TRUST_ENV, "").strip()
    if not value:
        return False
    if value.lower() in _ALL:
        return True
    here = os.path.realpath(index_dir)
    for item in value.split(os.pathsep):
        if item.strip():
            root = os.path.realpath(os.path.expanduser(item.strip()))
            if here == root or here.startswith(root.rstrip(os.sep) + os.sep):
                return True
    return False


def _owner(uid: int) -> str:
    try:
        import pwd

        return f"user {pwd.getpwuid(uid).pw_name}"
    except (ImportError, KeyError):
        return f"user id {uid}"


def _problem(path: str, st: os.stat_result, me: int) -> str | None:
    """Why ``path`` could have been written by someone else (None if it could not)."""
    if st.st_uid != me:
        return f"it belongs to {_owner(st.st_uid)}, not to you"
    if st.st_mode & stat.S_IWOTH:
        return "it is writable by every user"
    if st.st_mode & stat.S_IWGRP:
        return "it is writable by its group"
    return None


def untrusted_reason(index_dir: str) -> str | None:
    """Why the index folder cannot be trusted (None when it can, or does not exist)."""
    if not hasattr(os, "geteuid"):  # (no POSIX ownership to check)
        return None
    me = os.geteuid()
    try:
        st = os.stat(index_dir)
    except OSError:
        return None  # nothing to read from: opening it will say what is wrong
    problem = _problem(index_dir, st, me)
    if problem:
        return f"the index folder {index_dir}: {problem}"
    try:
        entries = list(os.scandir(index_dir))
    except OSError:
        return None
    for entry in sorted(entries, key=lambda e: e.name):
        if not _PICKLED.match(entry.name):
            continue
        try:
            st = entry.stat()  # (follows a link: what would be read)
        except OSError:
            continue
        problem = _problem(entry.path, st, me)
        if problem:
            return f"{entry.path}: {problem}"
    return None


def check_trust(index_dir: str) -> None:
    """Raise :class:`IndexUntrustedError` unless nobody but the current user can have written
    the index at ``index_dir`` (or ``NEWSSEARCH_TRUST_INDEX`` trusts it)."""
    reason = untrusted_reason(index_dir)
    if reason is None or trusted_by_environment(index_dir):
        return
    raise IndexUntrustedError(
        f"refusing to open the index at {index_dir}: {reason} (an index can run code when read; "
        f"open only one you made or trust)",
        hint=f"if you trust it, make it yours (chown -R, chmod -R go-w) or set {TRUST_ENV}={index_dir}",
    )


def restrict(index_dir: str) -> None:
    """Take group and other write permission away from the index folder and the index files
    in it that belong to the current user (Whoosh creates them with the process's umask)."""
    if not hasattr(os, "geteuid"):
        return
    me = os.geteuid()
    paths = [index_dir]
    try:
        paths += [entry.path for entry in os.scandir(index_dir) if _PICKLED.match(entry.name)]
    except OSError:
        return
    for path in paths:
        try:
            st = os.lstat(path)
            if st.st_uid == me and st.st_mode & _FOREIGN_WRITE and not stat.S_ISLNK(st.st_mode):
                os.chmod(path, stat.S_IMODE(st.st_mode) & ~_FOREIGN_WRITE)
        except OSError:
            continue
