"""The package's import graph: no cycles between the evaluation modules (imports inside
functions count too; a package's own ``__init__`` is left out, which a submodule's
``from package import x`` names)."""

from __future__ import annotations

import ast
from pathlib import Path

import newssearch

SRC = Path(newssearch.__file__).resolve().parent


def _modules() -> dict[str, Path]:
    mods = {}
    for path in SRC.rglob("*.py"):
        parts = ["newssearch", *path.relative_to(SRC).with_suffix("").parts]
        if parts[-1] == "__init__":
            continue  # (packages: a submodule importing its own package is no cycle)
        mods[".".join(parts)] = path
    return mods


def _imports(name: str, path: Path, mods: dict[str, Path]) -> set[str]:
    package = name.rsplit(".", 1)[0].split(".")
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = ".".join(package[: len(package) - node.level + 1] + [node.module or ""]) if node.level else node.module or ""
            names = [base.rstrip(".")] + [f"{base.rstrip('.')}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found.update(n for n in names if n in mods and n != name)
    return found


def _cycle(graph: dict[str, set[str]], start: str) -> list[str] | None:
    path: list[str] = []

    def walk(node: str, seen: set[str]) -> list[str] | None:
        if node in path:
            return [*path[path.index(node):], node]
        if node in seen:
            return None
        seen.add(node)
        path.append(node)
        for nxt in sorted(graph[node]):
            found = walk(nxt, seen)
            if found:
                return found
        path.pop()
        return None

    return walk(start, set())


def test_evals_have_no_import_cycle() -> None:
    mods = _modules()
    evals = {name: path for name, path in mods.items() if name.startswith("newssearch.evals.")}
    graph = {name: _imports(name, path, evals) for name, path in evals.items()}
    assert "newssearch.evals.conll" in evals
    for name in evals:
        assert _cycle(graph, name) is None, _cycle(graph, name)
