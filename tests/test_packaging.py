"""Packaging metadata: the license expression and license files cover the data the wheel ships."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "newssearch" / "enrich" / "data"

pytestmark = pytest.mark.skipif(not (ROOT / "pyproject.toml").exists(), reason="a source checkout only")


def test_every_shipped_data_file_has_its_license_listed() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "CC-BY-4.0" in project["license"].split(" AND ")  # GeoNames place lists
    assert "MIT" in project["license"].split(" AND ")
    assert set(project["license-files"]) == {"LICENSE", "LICENSE-DATA.md"}
    listing = (ROOT / "LICENSE-DATA.md").read_text(encoding="utf-8")
    shipped = sorted(p.name for p in DATA.iterdir() if p.is_file())
    assert shipped and all(f"`enrich/data/{name}`" in listing for name in shipped), shipped


def test_dependencies_are_declared_as_imported() -> None:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    names = {d.split(">")[0].split("<")[0].split("=")[0].strip().lower() for d in deps}
    assert "lxml" in names and "beautifulsoup4" in names  # both imported by ingest/html.py
    assert "unidecode" not in names  # never imported (and GPL-2.0+)
