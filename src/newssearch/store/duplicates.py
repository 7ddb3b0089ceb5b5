"""The index's near-duplicate groups ("stories"), kept beside the Whoosh files.

``duplicates.npz`` holds the :class:`~newssearch.enrich.duplicates.DuplicateIndex` of the
index's articles: one MinHash signature each, the copy pairs and the groups with their
representative (see :mod:`newssearch.enrich.duplicates`). It is derived data, kept
incrementally by the writing session (:class:`DuplicateKeeper`: adding, editing and removing
an article updates its group) and written atomically (temporary file, then rename) at each
commit, stamped with the index generation it matches.

* A writer finding no file (an index made before groups existed), or one stamped with
  another generation (a run stopped between the index's commit and this file's), or a
  garbled one, rebuilds it from the articles' stored text.
* A searcher (:func:`read_search_groups`) uses the groups only when the stamp matches the
  index: a missing or stale file means no groups (results are not collapsed) until the next
  ``newssearch index``; a garbled one is a damaged index (exit status 3).
"""

from __future__ import annotations

import ast
import os
import struct
import sys
import zipfile
from array import array
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ..enrich.groups import GROUP_ARRAYS, GroupTable, group_table
from ..errors import IndexError_
from .failures import damaged

if TYPE_CHECKING:
    from ..enrich.duplicates import DuplicateIndex, ExactVerifier

FILE = "duplicates.npz"
#: Prefix of the temporary file written before the rename (removed by ``remove_uncommitted``).
TEMP_PREFIX = ".dups-"


def file_path(index_dir: str) -> str:
    """Where an index keeps its groups."""
    return os.path.join(index_dir, FILE)


def _saved_meta(index_dir: str) -> dict[str, Any]:
    """The ``meta`` the file was saved with ({} when there is none); IndexError_ when garbled."""
    from ..enrich.duplicates import saved_meta

    path = file_path(index_dir)
    return saved_meta(path) if os.path.exists(path) else {}


def _stamp(index_dir: str) -> int | None:
    """The generation the file was saved for; None when there is none; IndexError_ when garbled."""
    generation = _saved_meta(index_dir).get("generation")
    return generation if isinstance(generation, int) else None


def _npy(data: bytes) -> tuple[bytes, bytes] | None:
    """The header (a Python literal) and the body of a ``.npy`` file's bytes (a magic
    string, a version, the header's length, the header, then the body), or None when they
    are not a ``.npy`` file of a known version. struct.error when cut short."""
    if data[:6] != b"\x93NUMPY" or data[6:7] not in (b"\x01", b"\x02", b"\x03"):
        return None
    if data[6] == 1:
        (size,), start = struct.unpack("<H", data[8:10]), 10
    else:
        (size,), start = struct.unpack("<I", data[8:12]), 12
    return data[start : start + size], data[start + size :]


def _quick_meta(path: str) -> dict[str, Any] | None:
    """The ``meta`` of a saved duplicate index read with the standard library only (a query
    of an index without copies does not import NumPy, ~0.1 s): the ``header`` array of the
    ``.npz`` archive (a zip of ``.npy`` files: a magic string, a version, the header's
    length, a header, then the bytes). None when it cannot be read so, or is not a file of
    this format (NumPy reads it then, and says what is wrong)."""
    import json

    from ..enrich.groups import FILE_FORMAT, FILE_MAGIC

    try:
        with zipfile.ZipFile(path) as archive:
            split = _npy(archive.read("header.npy"))
        if split is None:
            return None
        header = json.loads(split[1].decode("utf-8"))
        if not isinstance(header, dict) or header.get("magic") != FILE_MAGIC or header.get("format") != FILE_FORMAT:
            return None
        meta = header.get("meta")
        return meta if isinstance(meta, dict) else None
    except (OSError, ValueError, KeyError, IndexError, struct.error, zipfile.BadZipFile):
        return None


def read_search_groups(index_dir: str, generation: int) -> GroupTable | None:
    """The groups of copies of the index's articles, when the file matches index
    ``generation`` (None when it is missing or stale, or there are none). Reads only the
    arrays it needs, with the standard library when the file is as NumPy writes it (a
    one-shot query imports no NumPy; the 50 MB of signatures on 100k articles are never
    read). The table has the articles' document numbers when the writer saved them for this
    ``generation`` (the searcher's own: then no id is looked up in the index). Raises
    :class:`~newssearch.errors.IndexDamagedError` when it is garbled."""
    path = file_path(index_dir)
    if not os.path.exists(path):
        return None
    quick = _quick_meta(path)
    if quick is not None and quick.get("groups") == 0:
        return None  # (no copies, or a stale file: no groups either way)
    try:
        if quick is None:
            if _stamp(index_dir) != generation:
                return None
        elif quick.get("generation") != generation:
            return None
        names = GROUP_ARRAYS + (("docnum",) if quick is not None and quick.get("docnums") == generation else ())
        arrays: dict[str, Any] | None = _plain_arrays(path, names) if quick is not None else None
        if arrays is None:  # (not as NumPy writes it: read by NumPy, which checks it)
            from ..enrich.duplicates import read_arrays

            numpy_arrays = read_arrays(path, names)
            arrays = {name: a.tobytes() if name == "id_bytes" else a.tolist() for name, a in numpy_arrays.items()}
        table = group_table(
            arrays["id_bytes"], arrays["id_lengths"], arrays["published"], arrays["length"], arrays["representative"], arrays["similarity"],
            arrays.get("docnum"),
        )
    except IndexError_ as err:
        raise damaged(index_dir, f"{FILE}: {err}") from None
    return table if len(table) else None


#: The array types of ``.npy`` files :func:`_plain_arrays` reads (little-endian, as written).
_NPY_TYPES = {"<i8": "q", "<f8": "d", "|u1": "B"}


def _plain_arrays(path: str, names: tuple[str, ...]) -> dict[str, bytes | array[Any]] | None:
    """The named one-dimensional arrays of a ``.npz`` archive read with the standard library
    (``uint8`` ones as bytes), or None when one is not as NumPy writes it here (stored,
    little-endian, C order, of a known type) or the machine is big-endian."""
    if sys.byteorder != "little":
        return None
    out: dict[str, bytes | array[Any]] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for name in names:
                split = _npy(archive.read(name + ".npy"))
                if split is None:
                    return None
                header = ast.literal_eval(split[0].decode("latin-1"))
                if not isinstance(header, dict) or header.get("fortran_order") is not False:
                    return None
                code, shape = _NPY_TYPES.get(header.get("descr", "")), header.get("shape")
                if code is None or not (isinstance(shape, tuple) and len(shape) == 1 and isinstance(shape[0], int)):
                    return None
                body = split[1]
                if code == "B":
                    if len(body) != shape[0]:
                        return None
                    out[name] = body
                    continue
                values = array(code)
                if len(body) != shape[0] * values.itemsize:
                    return None
                values.frombytes(body)
                out[name] = values
    except (OSError, ValueError, SyntaxError, KeyError, IndexError, struct.error, zipfile.BadZipFile, MemoryError):
        return None
    return out


def stored_articles(searcher: Any) -> Iterator[tuple[str, Any, str]]:
    """``(id, published, body text)`` of every live article of the index, from stored fields.

    An article's paragraph documents follow it, in order (see :mod:`.documents`); they are
    gathered by ``article_id``, and an article is given as soon as all its paragraphs are
    there, so only the articles being read are in memory."""
    pending: dict[str, dict[str, Any]] = {}
    for fields in searcher.all_stored_fields():
        if fields.get("kind") == "article":
            article_id = fields.get("id")
            if not isinstance(article_id, str):
                continue
            entry = pending.setdefault(article_id, {"parts": {}})
            entry["published"] = fields.get("published")
            entry["expected"] = int(fields.get("paragraphs") or 0)
        else:
            article_id = fields.get("article_id")
            if not isinstance(article_id, str):
                continue
            entry = pending.setdefault(article_id, {"parts": {}})
            entry["parts"][int(fields.get("pos") or 0)] = fields.get("text") or ""
        if "expected" in entry and len(entry["parts"]) >= entry["expected"]:
            del pending[article_id]
            yield article_id, entry["published"], _body(entry["parts"])
    for article_id, entry in pending.items():  # (paragraphs missing: what there is)
        if "expected" in entry:
            yield article_id, entry["published"], _body(entry["parts"])


def _body(parts: dict[int, str]) -> str:
    return "\n\n".join(parts[pos] for pos in sorted(parts))


def text_of(searcher: Any, article_id: str) -> str | None:
    """The body of one indexed article (its paragraphs), or None when it is not there."""
    # (one term, the article's own: an AND with ``kind`` walked every paragraph of the index
    # for each lookup, 40 ms an article on 30k articles, growing with the index)
    parts: dict[int, str] = {}
    found = False
    for fields in searcher.documents(article_id=article_id):
        if fields.get("kind") == "paragraph":
            parts[int(fields.get("pos") or 0)] = fields.get("text") or ""
        else:
            found = True
    return _body(parts) if found or parts else None


class DuplicateKeeper:
    """The writing session's duplicate index: loaded (or rebuilt) on first use, updated as
    articles are added and removed, saved at each commit.

    ``searcher()`` gives a Whoosh searcher over the index as last committed (the session's),
    ``generation()`` that commit's generation; ``fresh`` starts from nothing (a new index, or ``--rebuild``)."""

    def __init__(self, index_dir: str, searcher: Callable[[], Any], generation: Callable[[], int], fresh: bool) -> None:
        from ..enrich.duplicates import ExactVerifier

        self.index_dir = index_dir
        self._searcher = searcher
        self._generation = generation
        self.verifier: ExactVerifier = ExactVerifier(lambda article_id: text_of(self._searcher(), article_id))
        self._index: DuplicateIndex | None = None
        self._fresh = fresh
        #: True when the index changed since it was loaded or saved
        self.changed = False

    @property
    def index(self) -> DuplicateIndex:
        """The duplicate index (loaded, or rebuilt from the stored text, on first use)."""
        if self._index is None:
            self._index = self._load()
        return self._index

    def _load(self) -> DuplicateIndex:
        from ..enrich.duplicates import DuplicateIndex

        if self._fresh:
            return DuplicateIndex(verify=self.verifier)
        generation = self._generation()
        try:
            if _stamp(self.index_dir) == generation:
                return DuplicateIndex.load(file_path(self.index_dir), verify=self.verifier)
        except IndexError_:
            pass  # garbled: derived data, rebuilt below
        self.changed = True
        return self.rebuild()

    def rebuild(self) -> DuplicateIndex:
        """The duplicate index of the articles as last committed, from their stored text."""
        from ..enrich.duplicates import DuplicateIndex, minhash, shingle_hashes, words

        index = DuplicateIndex(verify=self.verifier)
        for article_id, published, text in stored_articles(self._searcher()):
            tokens = words(text)
            shingles = shingle_hashes(tokens)
            self.verifier.cache(article_id, shingles)
            index.add(article_id, minhash(shingles) if len(shingles) else None, published, len(tokens))
        return index

    def add(self, article_id: str, signature: bytes | None, published: Any, length: int, shingles: Any) -> None:
        """Add (or update) an article from what :func:`~.writer.prepare` computed."""
        from ..enrich.duplicates import signature_from_bytes

        index = self.index
        self.verifier.forget(article_id)
        if shingles is not None:
            self.verifier.remember(article_id, shingles)
        index.add(article_id, signature_from_bytes(signature) if signature else None, published, length)
        self.changed = True

    def remove(self, article_id: str) -> None:
        """Take an article out (its group is recomputed)."""
        self.index.remove(article_id)
        self.verifier.forget(article_id)
        self.changed = True

    def save(self, generation: int) -> None:
        """Write the file for index ``generation`` when something changed, or when the file
        does not match it (missing, stale or garbled: rebuilt first)."""
        if not self.changed and self._index is None:
            try:
                meta = _saved_meta(self.index_dir)
                if meta.get("generation") == generation and (meta.get("groups") == 0 or meta.get("docnums") == generation):
                    return  # (up to date; a file of an older version, without document numbers, is written again once)
            except IndexError_:
                pass
        from .reading import document_numbers

        index = self.index
        groups = index.groups()
        docnums = document_numbers(self._searcher().reader(), "id", [a for g in groups for a in g.ids]) if groups else None
        index.meta = {"generation": generation, "groups": len(groups)}
        if docnums is not None:
            index.meta["docnums"] = generation  # (the document numbers of that generation's searcher)
        _write(self.index_dir, index.save(docnums))
        self.verifier.readable()
        self.changed = False
        self._fresh = False


def _write(index_dir: str, data: bytes) -> None:
    """Write the file atomically (temporary file + rename)."""
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=index_dir)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, file_path(index_dir))
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
