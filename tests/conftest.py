"""Shared fixtures: a small corpus copied into a temp dir, and an index built from it; the
shipped sample corpus (``corpus/``) indexed once per test run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from newssearch.cli import cli
from newssearch.indexing import index_paths

FIXTURES = Path(__file__).parent / "fixtures"
SEED = FIXTURES / "seed" / "2023-04-20-stoltenberg-kyiv.txt"
#: The shipped sample corpus (what the README's first command indexes).
CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A folder with the seed article (.txt, no header), a .txt with a header, and a JSONL of 3."""
    root = tmp_path / "corpus"
    shutil.copytree(FIXTURES / "corpus", root)
    (root / "hotnews").mkdir()
    shutil.copy(SEED, root / "hotnews" / SEED.name)
    return root


@pytest.fixture
def index_dir(tmp_path: Path, corpus: Path) -> Path:
    """An index built from :func:`corpus` (5 articles)."""
    out = tmp_path / "index"
    report = index_paths([corpus], str(out), workers=1)
    assert report.added == 5 and not report.skipped
    return out


@pytest.fixture(scope="session")
def shared_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A read-only index of the fixture corpus shared by tests that only query it."""
    root = tmp_path_factory.mktemp("shared")
    shutil.copytree(FIXTURES / "corpus", root / "corpus")
    shutil.copy(SEED, root / "corpus" / SEED.name)
    out = root / "index"
    index_paths([root / "corpus"], str(out), workers=1)
    return out


@pytest.fixture(scope="session")
def corpus_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The shipped sample corpus indexed once per test run by ``newssearch index --quiet``
    (one worker, so documents are numbered in file order): (index folder, the command's
    standard output). Shared and read-only: a test that changes an index builds its own."""
    index_dir = tmp_path_factory.mktemp("corpus") / "index"
    result = CliRunner().invoke(cli, ["index", "--quiet", "--workers", "1", "--index", str(index_dir), str(CORPUS)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return index_dir, result.stdout


@pytest.fixture(scope="session")
def corpus_index(corpus_run: tuple[Path, str]) -> Path:
    """The index of the shipped sample corpus (see :func:`corpus_run`)."""
    return corpus_run[0]
