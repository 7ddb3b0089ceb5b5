"""newssearch and the libraries it builds on: importing it changes nothing in Whoosh, the
installed Whoosh version is checked at import (a one-line error outside the supported range),
and every private name of Whoosh and trafilatura newssearch still uses is listed here and
checked to exist, so that an upgrade that removes one fails here, with its name, instead of
somewhere deep in indexing or search."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import newssearch
from newssearch.store.compat import WHOOSH_RANGE, WhooshVersionError, check_whoosh_version, requirement

SRC = Path(newssearch.__file__).resolve().parent

#: Every private Whoosh name newssearch uses: (file under src/newssearch, name) -> what for.
#: tests below fail when the code uses one not listed here, or stops using one listed.
WHOOSH_PRIVATE = {
    ("store/writer.py", "_added"): "SegmentBuilder: whether a segment writer holds any document (Whoosh has no public 'is empty')",
    ("store/writer.py", "_close_segment"): "SegmentBuilder: close an empty or cancelled segment without committing",
    ("store/writer.py", "_finalize_segment"): "SegmentBuilder: finish a worker's segment without committing (as Whoosh's MpWriter does)",
    ("search/searcher.py", "_collect"): "_RankAndRecord overrides TopCollector._collect to record every match",
}


# -- import changes nothing in Whoosh ---------------------------------------------------------


def test_importing_the_writer_leaves_whooshs_codec_alone() -> None:
    """The command of issue 15: store.writer used to replace whoosh3.dumps process-wide."""
    code = "import whoosh.codec.whoosh3 as w; d = w.dumps; import newssearch.store.writer; assert w.dumps is d"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


_SNAPSHOT = r"""
import importlib, pkgutil, sys
import whoosh

def whoosh_modules():
    for info in pkgutil.walk_packages(whoosh.__path__, "whoosh."):
        try:
            importlib.import_module(info.name)
        except ImportError:  # (modules of Whoosh's that need what is not installed)
            pass
    return {name: module for name, module in sys.modules.items() if name == "whoosh" or name.startswith("whoosh.")}

def snapshot(modules):
    state = {}
    for name, module in modules.items():
        state[name] = {key: id(value) for key, value in vars(module).items()}
        for key, value in vars(module).items():
            if isinstance(value, type) and value.__module__ == name:
                state[f"{name}.{key}"] = {attr: id(v) for attr, v in vars(value).items()}
    return state

modules = whoosh_modules()
before = snapshot(modules)
imported = 0
import newssearch
for info in pkgutil.walk_packages(newssearch.__path__, "newssearch."):
    importlib.import_module(info.name)
    imported += 1
after = snapshot(modules)
changed = sorted(
    f"{owner}.{key}" for owner in before for key in set(before[owner]) | set(after[owner]) if before[owner].get(key) != after[owner].get(key)
)
new_modules = sorted(set(n for n in sys.modules if n.startswith("whoosh.")) - set(modules))
print(imported, len(before))
assert imported > 30, imported
assert not changed, changed
"""


def test_importing_every_module_changes_no_whoosh_attribute() -> None:
    """Every module of Whoosh imported, then every module of newssearch: no attribute of any
    Whoosh module or class is replaced, added or removed."""
    result = subprocess.run([sys.executable, "-c", _SNAPSHOT], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    modules, owners = map(int, result.stdout.split())
    assert modules > 30 and owners > 200


# -- the Whoosh version ----------------------------------------------------------------------


def test_the_installed_whoosh_is_in_the_range() -> None:
    import whoosh

    check_whoosh_version()
    assert WHOOSH_RANGE[0] <= tuple(whoosh.__version__[:2]) < WHOOSH_RANGE[1]
    pyproject = SRC.parent.parent / "pyproject.toml"
    if pyproject.exists():  # (a source checkout: the pin and the checked range are one range)
        assert f'"{requirement()}"' in pyproject.read_text(encoding="utf-8")


@pytest.mark.parametrize("version", [(3, 53, 9), (3, 55, 0), (4, 0), (2, 7, 4), ("x",), None])
def test_other_versions_are_refused_in_one_line(version: object) -> None:
    if version is None:
        with pytest.raises(WhooshVersionError):
            check_whoosh_version("3.54")  # (not a version tuple)
        return
    with pytest.raises(WhooshVersionError) as err:
        check_whoosh_version(version)
    message = str(err.value)
    assert "\n" not in message and requirement() in message
    assert err.value.hint and requirement() in err.value.hint
    check_whoosh_version((3, 54, 7))  # (any 3.54)


def test_the_cli_says_so_in_one_line(tmp_path: Path) -> None:
    code = (
        "import sys, whoosh; whoosh.__version__ = (3, 60, 1); from newssearch.cli import main; "
        f"sys.argv = ['newssearch', 'query', 'kyiv', '--index', {str(tmp_path / 'index')!r}]; main()"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == f"Error: newssearch needs {requirement()}, but Whoosh 3.60.1 is installed", lines
    assert len(lines) == 2 and lines[1].startswith("Hint: pip install")


# -- private names -----------------------------------------------------------------------------


def _whoosh_private_names() -> set[str]:
    """Every private (single underscore) name of Whoosh's modules and classes."""
    import whoosh

    names: set[str] = set()
    for info in pkgutil.walk_packages(whoosh.__path__, "whoosh."):
        try:
            module = importlib.import_module(info.name)
        except ImportError:
            continue
        for key, value in vars(module).items():
            if key.startswith("_") and not key.startswith("__"):
                names.add(key)
            if isinstance(value, type) and value.__module__.startswith("whoosh"):
                names.update(k for k in vars(value) if k.startswith("_") and not k.startswith("__"))
    return names


def _private_uses() -> set[tuple[str, str]]:
    """(file, name) of every use in src/newssearch of a private Whoosh name: an attribute of
    something else than ``self``/``cls``, or a method overriding one of a Whoosh base class."""
    private = _whoosh_private_names()
    # instance attributes Whoosh sets in __init__ (not in any vars()): those newssearch reads
    private |= {"_added"}
    uses: set[tuple[str, str]] = set()
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in private and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
                uses.add((rel, node.attr))
    for info in pkgutil.walk_packages(newssearch.__path__, "newssearch."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if not (isinstance(value, type) and value.__module__ == module.__name__):
                continue
            whoosh_bases = [base for base in value.__mro__[1:] if base.__module__.startswith("whoosh")]
            for key in vars(value):
                if key.startswith("_") and not key.startswith("__") and any(key in vars(base) for base in whoosh_bases):
                    uses.add((Path(inspect.getfile(value)).relative_to(SRC).as_posix(), key))
    return uses


def test_every_private_whoosh_name_used_is_listed() -> None:
    found = _private_uses()
    unlisted = found - set(WHOOSH_PRIVATE)
    assert not unlisted, f"private Whoosh names used but not listed in WHOOSH_PRIVATE (tests/test_compat.py): {sorted(unlisted)}"
    gone = set(WHOOSH_PRIVATE) - found
    assert not gone, f"listed in WHOOSH_PRIVATE but no longer used (remove them): {sorted(gone)}"


def test_the_private_whoosh_names_still_exist() -> None:
    """Each listed name is still in the installed Whoosh, and behaves as newssearch uses it."""
    from whoosh import collectors, fields
    from whoosh.filedb.filestore import RamStorage
    from whoosh.writing import PostingPool, SegmentWriter

    assert callable(getattr(collectors.TopCollector, "_collect", None)), "whoosh.collectors.TopCollector._collect is gone"
    assert list(inspect.signature(collectors.TopCollector._collect).parameters) == ["self", "global_docnum", "score"]
    for name in ("_close_segment", "_finalize_segment"):
        assert callable(getattr(SegmentWriter, name, None)), f"whoosh.writing.SegmentWriter.{name} is gone"
    # the writer's flags and segment methods as SegmentBuilder uses them
    ix = RamStorage().create_index(fields.Schema(text=fields.TEXT(stored=True)))
    writer = SegmentWriter(ix)
    assert writer._added is False, "whoosh.writing.SegmentWriter._added is gone"
    writer.add_document(text="hello world")
    assert writer._added is True
    segment = writer._finalize_segment()
    assert segment.doc_count_all() == 1
    writer.cancel()
    # the posting pool's contract _LeanPool (store/writer.py) relies on
    pool = SegmentWriter(ix).pool
    assert isinstance(pool, PostingPool)
    for name in ("currentsize", "limit", "current", "save", "tempstore", "segment"):
        assert hasattr(pool, name), f"whoosh.writing.PostingPool.{name} is gone"


def test_the_private_trafilatura_names_still_exist() -> None:
    """ingest/html.py: trafilatura's recall escalation gate (set to 0 while extracting), the
    list of elements it deletes with their content, and its byline search (not in its
    documented API)."""
    import trafilatura.core
    import trafilatura.metadata
    import trafilatura.settings

    extract_author = getattr(trafilatura.metadata, "extract_author", None)
    assert callable(extract_author), "trafilatura.metadata.extract_author is gone"
    assert list(inspect.signature(extract_author).parameters)[:1] == ["tree"]

    assert isinstance(getattr(trafilatura.core, "ESCALATION_MAX_LENGTH", None), int), "trafilatura.core.ESCALATION_MAX_LENGTH is gone"
    cleaned = getattr(trafilatura.settings, "MANUALLY_CLEANED", None)
    assert cleaned is not None, "trafilatura.settings.MANUALLY_CLEANED is gone"
    assert {"aside", "footer", "form", "figure", "math"} <= set(cleaned)
    source = (SRC / "ingest" / "html.py").read_text(encoding="utf-8")
    assert "ESCALATION_MAX_LENGTH" in source and "MANUALLY_CLEANED" in source and "extract_author" in source
