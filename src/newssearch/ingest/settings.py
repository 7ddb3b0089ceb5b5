"""Defaults for what files lack: a source, a language, the order of numeric dates, CSV columns.

The BBC and Romanian sets carry no source; a JSONL date ``06/05/2024`` reads either way.
:class:`ReadSettings` holds what the reader should assume:

* ``source`` and ``language``: given to articles that state none;
* ``date_order`` (``DMY``, ``MDY`` or ``YMD``): how to read numeric dates that read either
  way (see :func:`newssearch.timeparse.ambiguous_numeric`); without one they are read month
  first, and the indexing report counts them so that the CLI can warn once;
* ``columns``: the CSV/TSV columns of fields whose header names differ
  (``title=Headline,text=Body``, see :func:`newssearch.ingest.csvfmt.parse_columns`).

They come from the command line (``--source``, ``--language``, ``--date-order``,
``--columns``) and from a :data:`SETTINGS_FILE` in a folder, which applies to the files of
that folder and its subfolders; the nearest file wins, key by key, over the ones above it,
and the command line's values are the defaults under all of them::

    # corpus/bbc/newssearch.toml
    source = "BBC"
    language = "en"
    date_order = "DMY"

    [columns]            # or: columns = "title=Headline,text=Body"
    title = "Headline"
    text = "Body"

The settings a file is read with are part of its digest (:meth:`ReadSettings.key`), so an
incremental run re-reads exactly the files whose settings changed.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import NewssearchError
from ..model import Article
from ..timeparse import DATE_ORDERS, ambiguous_numeric, parse_published

__all__ = ["SETTINGS_FILE", "ReadSettings", "SettingsError", "SettingsResolver"]

#: The name of a folder's settings file.
SETTINGS_FILE = "newssearch.toml"
#: Keys a settings file may hold.
KEYS = ("source", "language", "date_order", "columns")


class SettingsError(NewssearchError):
    """A setting that cannot be used (a bad option value, a broken settings file): a usage error."""

    exit_code = 2


@dataclass(frozen=True)
class ReadSettings:
    """What to assume for what files lack (see the module docstring). Frozen and hashable."""

    source: str | None = None
    language: str | None = None
    date_order: str | None = None
    columns: tuple[tuple[str, str | int], ...] = ()

    def __post_init__(self) -> None:
        if self.date_order is not None:
            order = str(self.date_order).upper()
            if order not in DATE_ORDERS:
                raise SettingsError(f"unknown date order {self.date_order!r}; use one of {', '.join(DATE_ORDERS)}")
            object.__setattr__(self, "date_order", order)
        for name in ("source", "language"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise SettingsError(f"{name} must be a non-blank text, not {value!r}")
        if isinstance(self.columns, Mapping):
            object.__setattr__(self, "columns", tuple(self.columns.items()))
        if self.columns:
            from .csvfmt import _check_mapping

            try:
                _check_mapping(dict(self.columns))
            except ValueError as exc:
                raise SettingsError(str(exc)) from None

    @classmethod
    def of(cls, source: str | None = None, language: str | None = None, date_order: str | None = None,
           columns: str | Mapping[str, str | int] | None = None) -> ReadSettings:
        """Settings from loose values (``columns`` as ``"title=Headline,text=Body"`` or a
        mapping); SettingsError for one that cannot be used."""
        mapping: Mapping[str, str | int] = {}
        if isinstance(columns, str):
            from .csvfmt import parse_columns

            try:
                mapping = parse_columns(columns)
            except ValueError as exc:
                raise SettingsError(f"--columns: {exc}") from None
        elif columns:
            mapping = columns
        return cls(source=source or None, language=language or None, date_order=date_order or None, columns=tuple(mapping.items()))

    def __bool__(self) -> bool:
        return bool(self.source or self.language or self.date_order or self.columns)

    def over(self, base: ReadSettings) -> ReadSettings:
        """These settings, with ``base`` 's values for the ones not set here."""
        return ReadSettings(
            source=self.source or base.source,
            language=self.language or base.language,
            date_order=self.date_order or base.date_order,
            columns=self.columns or base.columns,
        )

    def key(self) -> str:
        """A text naming these settings (empty when none is set): part of a file's digest."""
        if not self:
            return ""
        parts = [f"source={self.source or ''}", f"language={self.language or ''}", f"date_order={self.date_order or ''}"]
        parts.append("columns=" + ",".join(f"{k}={v!r}" for k, v in self.columns))
        return "\x1f".join(parts)

    @property
    def column_map(self) -> dict[str, str | int] | None:
        """The CSV column mapping, or None."""
        return dict(self.columns) or None

    def apply(self, article: Article) -> Article:
        """Fill what ``article`` lacks (in place): source, language, and a publication date
        written in numeric order that reads either way (when an order is set)."""
        if self.source and not article.source:
            article.source = self.source
        if self.language and not article.language:
            article.language = self.language
        if self.date_order and article.published is None and ambiguous_numeric(article.published_text):
            article.published = parse_published(article.published_text, self.date_order)
        return article

    def ambiguous(self, article: Article) -> bool:
        """True when ``article`` 's date reads either way and no order settles it (it is then
        read month first: indexing counts these to warn once)."""
        return self.date_order is None and article.published is None and ambiguous_numeric(article.published_text)


def load_file(path: str) -> ReadSettings:
    """The settings of one :data:`SETTINGS_FILE`; SettingsError naming it for a broken one."""
    try:
        with open(path, "rb") as handle:
            data: dict[str, Any] = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read: {exc.strerror or exc}") from None
    unknown = [k for k in data if k not in KEYS]
    if unknown:
        raise SettingsError(f"{path}: unknown setting {unknown[0]!r} (known: {', '.join(KEYS)})")
    columns = data.get("columns")
    if columns is not None and not isinstance(columns, (str, dict)):
        raise SettingsError(f"{path}: columns must be a table or a text like \"title=Headline,text=Body\"")
    try:
        return ReadSettings.of(source=data.get("source"), language=data.get("language"), date_order=data.get("date_order"), columns=columns)
    except SettingsError as exc:
        raise SettingsError(f"{path}: {exc}") from None


class SettingsResolver:
    """The settings of each file of a run: ``base`` (the command line's) under the
    :data:`SETTINGS_FILE` s of its folder and the folders above it, up to the folder given
    that holds it (each folder's file read once)."""

    def __init__(self, base: ReadSettings | None = None, roots: Iterable[str] = ()) -> None:
        self.base = base or ReadSettings()
        self.roots = sorted({os.path.abspath(r) for r in roots if os.path.isdir(r)}, key=len)
        self._folders: dict[str, ReadSettings] = {}

    def for_file(self, path: str) -> ReadSettings:
        """The settings ``path`` is read with."""
        return self._folder(os.path.dirname(os.path.abspath(path)))

    def _folder(self, folder: str) -> ReadSettings:
        found = self._folders.get(folder)
        if found is not None:
            return found
        parent = os.path.dirname(folder)
        inside = any(folder == r or folder.startswith(r.rstrip(os.sep) + os.sep) for r in self.roots)
        above = self._folder(parent) if inside and folder not in self.roots and parent != folder else self.base
        own = os.path.join(folder, SETTINGS_FILE)
        found = load_file(own).over(above) if os.path.isfile(own) else above
        self._folders[folder] = found
        return found
