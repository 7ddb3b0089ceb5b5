"""Model-based test of a corpus's life (issue 14): whatever happens to the files, and however
runs end, the index holds exactly the articles of the corpus.

A hypothesis state machine keeps a model of a corpus folder (``.txt`` articles and ``.jsonl``
feeds, in three folders) and changes the real folder with it: adds, edits, reverts an edit,
deletes, restores, renames, moves between folders, edits/deletes/adds JSONL lines (ids reused
within and across files), copies a file (the same content twice), writes, changes and removes a
``newssearch.toml`` giving a source in a folder (the nearest one's source must be every article's),
kills an indexer with
SIGKILL at a random moment (a forked ``newssearch index``), and rebuilds. After every step the indexer runs; the indexed
articles (id → title and text) must equal what the model says (and the groups of copies the
index keeps, those computed from scratch from its articles), computed from the rules alone
(``.txt``: one article whose id is a hash of its path; JSONL: the last record of an id in a
file wins; an id in several files belongs to the first by path, the others get ``~TAG``), and
the report's counts must add up. Then a second run on the unchanged corpus must report
nothing added, updated or removed, and read no file.

Both paths run: one process (``workers=1``) and workers (``workers=2``, a commit every two
articles). A fast variant runs with the suite; ``-m slow`` runs a bigger one.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import tempfile
import time
from pathlib import Path
from typing import Any, cast

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from indexed import indexed, rebuilt_story_groups, story_groups  # tests/indexed.py

from newssearch import Searcher
from newssearch.cli import cli
from newssearch.indexing import IndexReport, index_paths
from newssearch.model import stable_id

FOLDERS = ["", "sub", "sub/deep"]
NAMES = ["a", "b", "c", "d"]
IDS = ["X1", "X2", "X3", None]  # None: no id (the reader derives one from the path and line)
WORDS = ["harbour", "council", "budget", "river", "election", "court", "energy", "railway", "treaty", "market", "strike", "reform"]

Txt = tuple[str, tuple[str, ...]]  # title, paragraphs
Record = tuple[str | None, str, str]  # id, title, text
Feed = tuple[Record, ...]
Content = Txt | Feed

titles = st.sampled_from([f"{w.title()} news" for w in WORDS[:6]])
paragraph = st.lists(st.sampled_from(WORDS), min_size=2, max_size=5).map(lambda ws: " ".join(ws).capitalize() + ".")
txt_content = st.tuples(titles, st.lists(paragraph, min_size=1, max_size=3).map(tuple))
record = st.tuples(st.sampled_from(IDS), titles, paragraph)
jsonl_content = st.lists(record, min_size=1, max_size=4).map(tuple)


def _is_txt(rel: str) -> bool:
    return rel.endswith(".txt")


def _txt(content: Content) -> Txt:
    return cast(Txt, content)


def _feed(content: Content) -> Feed:
    return cast(Feed, content)


def _serialise(rel: str, content: Content) -> bytes:
    if _is_txt(rel):
        title, paragraphs = _txt(content)
        return (f"Title: {title}\n\n" + "\n\n".join(paragraphs) + "\n").encode()
    lines = []
    for article_id, title, text in _feed(content):
        item: dict[str, Any] = {"title": title, "text": text}
        if article_id is not None:
            item["id"] = article_id
        lines.append(json.dumps(item))
    return ("\n".join(lines) + "\n").encode()


def expected_articles(root: Path, files: dict[str, Content]) -> dict[str, tuple[str, str]]:
    """The articles the rules give for a corpus: id → (title, text)."""
    found: dict[str, tuple[str, str]] = {}
    owner: dict[str, str] = {}
    for rel in sorted(files, key=lambda r: str(root / r)):
        path = str(root / rel)
        content = files[rel]
        if _is_txt(rel):
            title, paragraphs = _txt(content)
            found[stable_id(path)] = (title, "\n\n".join(paragraphs))
            continue
        last: dict[str, tuple[str, str]] = {}
        for line, (given, title, text) in enumerate(_feed(content), start=1):
            article_id = given if given is not None else stable_id(path, str(line))
            last.pop(article_id, None)
            last[article_id] = (title, text)
        for article_id, value in last.items():
            final = f"{article_id}~{stable_id(path)[:8]}" if article_id in owner else article_id
            owner[final] = path
            found[final] = value
    return found


class CorpusLife(RuleBasedStateMachine):
    """The corpus model and the real folder; subclasses choose serial or parallel runs."""

    workers = 1
    commit_every = 3

    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="lifecycle-"))
        self.root = self.tmp / "corpus"
        self.root.mkdir()
        self.index = self.tmp / "index"
        self.files: dict[str, Content] = {}
        self.history: dict[str, list[Content]] = {}  # earlier contents of each path (to revert to)
        self.trash: dict[str, Content] = {}  # deleted files (to restore)
        self.rebuild = False
        self.killed = False
        self.tomls: dict[str, str] = {}  # folder → the source its newssearch.toml gives
        self.seconds = 0.1  # how long the last run that wrote something took

    def teardown(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- the folder ----------------------------------------------------------------------

    def _write(self, rel: str, content: Content) -> None:
        if rel in self.files:
            self.history.setdefault(rel, []).append(self.files[rel])
        self.files[rel] = content
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_serialise(rel, content))

    def _delete(self, rel: str) -> None:
        (self.root / rel).unlink()
        self.trash[rel] = self.files.pop(rel)

    def _free(self, rel: str) -> bool:
        return rel not in self.files

    def _pick(self, index: int, kind: str | None = None) -> str:
        names = sorted(r for r in self.files if kind is None or r.endswith(kind))
        return names[index % len(names)]

    def _has(self, kind: str | None = None) -> bool:
        return any(kind is None or r.endswith(kind) for r in self.files)

    # -- rules ---------------------------------------------------------------------------

    @initialize(contents=st.lists(st.one_of(txt_content, jsonl_content), min_size=1, max_size=4))
    def start(self, contents: list[Content]) -> None:
        for n, content in enumerate(contents):
            kind = ".jsonl" if isinstance(content[0], tuple) else ".txt"
            self._write(f"{FOLDERS[n % 3]}/{NAMES[n]}{kind}".lstrip("/"), content)

    @rule(folder=st.sampled_from(FOLDERS), name=st.sampled_from(NAMES), content=st.one_of(txt_content, jsonl_content))
    def add(self, folder: str, name: str, content: Content) -> None:
        kind = ".jsonl" if isinstance(content[0], tuple) else ".txt"
        rel = f"{folder}/{name}{kind}".lstrip("/")
        if self._free(rel):
            self._write(rel, content)

    @precondition(lambda self: self._has(".txt"))
    @rule(pick=st.integers(0, 50), content=txt_content)
    def edit_txt(self, pick: int, content: Content) -> None:
        self._write(self._pick(pick, ".txt"), content)

    @precondition(lambda self: any(self.history.get(r) for r in self.files))
    @rule(pick=st.integers(0, 50), back=st.integers(0, 5))
    def revert(self, pick: int, back: int) -> None:
        """An edit undone: the file gets an earlier content back (A → B → A)."""
        names = sorted(r for r in self.files if self.history.get(r))
        rel = names[pick % len(names)]
        earlier = self.history[rel]
        self._write(rel, earlier[-1 - back % len(earlier)])

    @precondition(lambda self: len(self.files) > 1)  # (never empty: most rules need a file)
    @rule(pick=st.integers(0, 50))
    def delete(self, pick: int) -> None:
        self._delete(self._pick(pick))

    @precondition(lambda self: any(self._free(r) for r in self.trash))
    @rule(pick=st.integers(0, 50))
    def restore(self, pick: int) -> None:
        names = sorted(r for r in self.trash if self._free(r))
        rel = names[pick % len(names)]
        self._write(rel, self.trash.pop(rel))

    @precondition(lambda self: self._has())
    @rule(pick=st.integers(0, 50), folder=st.sampled_from(FOLDERS), name=st.sampled_from(NAMES))
    def rename_or_move(self, pick: int, folder: str, name: str) -> None:
        rel = self._pick(pick)
        new = f"{folder}/{name}{os.path.splitext(rel)[1]}".lstrip("/")
        if self._free(new):
            content = self.files.pop(rel)
            (self.root / new).parent.mkdir(parents=True, exist_ok=True)
            (self.root / rel).rename(self.root / new)
            self.files[new] = content
            self.history[new] = self.history.pop(rel, [])

    @precondition(lambda self: self._has())
    @rule(pick=st.integers(0, 50), folder=st.sampled_from(FOLDERS), name=st.sampled_from(NAMES))
    def copy(self, pick: int, folder: str, name: str) -> None:
        """The same content in two files."""
        rel = self._pick(pick)
        new = f"{folder}/{name}{os.path.splitext(rel)[1]}".lstrip("/")
        if self._free(new):
            self._write(new, self.files[rel])

    @precondition(lambda self: self._has(".jsonl"))
    @rule(pick=st.integers(0, 50), line=st.integers(0, 10), new=record)
    def edit_line(self, pick: int, line: int, new: Record) -> None:
        rel = self._pick(pick, ".jsonl")
        records = list(_feed(self.files[rel]))
        records[line % len(records)] = new
        self._write(rel, tuple(records))

    @precondition(lambda self: self._has(".jsonl"))
    @rule(pick=st.integers(0, 50), line=st.integers(0, 10), new=record)
    def add_line(self, pick: int, line: int, new: Record) -> None:
        rel = self._pick(pick, ".jsonl")
        records = list(_feed(self.files[rel]))
        records.insert(line % (len(records) + 1), new)
        self._write(rel, tuple(records))

    @precondition(lambda self: self._has(".jsonl"))
    @rule(pick=st.integers(0, 50), line=st.integers(0, 10))
    def delete_line(self, pick: int, line: int) -> None:
        rel = self._pick(pick, ".jsonl")
        records = list(_feed(self.files[rel]))
        del records[line % len(records)]
        if records:
            self._write(rel, tuple(records))
        elif len(self.files) > 1:  # (an empty feed is a skipped file, read on every run: not this test's subject)
            self._delete(rel)

    @rule(folder=st.sampled_from(FOLDERS), source=st.sampled_from(["Alpha", "Beta", None]))
    def settings_file(self, folder: str, source: str | None) -> None:
        """A folder's settings file written, changed or removed: its files (and its subfolders'
        without a nearer one) are read again with the new source, the others are not."""
        path = self.root / folder / "newssearch.toml"
        if source is None:
            path.unlink(missing_ok=True)
            self.tomls.pop(folder, None)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f'source = "{source}"\n', encoding="utf-8")
            self.tomls[folder] = source

    def _source_of(self, rel: str) -> str | None:
        """The source the nearest settings file gives the file ``rel`` (the files state none)."""
        folder = os.path.dirname(rel)
        while True:
            if folder in self.tomls:
                return self.tomls[folder]
            if not folder:
                return None
            folder = os.path.dirname(folder)

    @rule()
    def rebuild_next(self) -> None:
        self.rebuild = True

    @precondition(lambda self: self._has())
    @rule(picks=st.lists(st.integers(0, 50), min_size=1, max_size=3), txt=txt_content, feed=jsonl_content, moment=st.floats(0.0, 1.0))
    def kill_mid_run(self, picks: list[int], txt: Content, feed: Content, moment: float) -> None:
        """Work for an indexer (files rewritten), which is killed at a random moment."""
        for pick in picks:
            rel = self._pick(pick)
            self._write(rel, txt if _is_txt(rel) else feed)
        before = indexed(self.index) if self.index.exists() else {}
        killed = _kill_mid_run(["index", "--quiet", "--index", str(self.index), str(self.root), "--workers", str(self.workers), "--commit-every", "1"],
                      self.seconds * 1.5 * moment)
        event("SIGKILL: " + ("during the run" if killed else "after the end"))
        self.killed = True
        if self.index.exists() and (self.index / "newssearch.json").exists():
            # every file is there whole in its old or new version, or not there (no duplicate)
            after = expected_articles(self.root, self.files)
            for article_id, value in indexed(self.index).items():
                assert value in (before.get(article_id), after.get(article_id)), (article_id, value)

    # -- after every step ----------------------------------------------------------------

    def _run(self, rebuild: bool = False) -> IndexReport:
        report = index_paths([self.root], self.index, workers=self.workers, commit_every=self.commit_every, rebuild=rebuild)
        if report.added + report.updated:
            self.seconds = report.seconds
        return report

    @invariant()
    def index_equals_corpus(self) -> None:
        before = indexed(self.index) if self.index.exists() else {}
        rebuild, self.rebuild, self.killed = self.rebuild, False, False
        report = self._run(rebuild)
        want = expected_articles(self.root, self.files)
        assert all(e.reason.startswith("duplicate id") for e in report.skipped), report.skipped
        if report.warnings:
            event("an id used by two files")
        if report.skipped:
            event("an id twice in one file")
        got = indexed(self.index)
        assert got == want
        groups = story_groups(self.index)  # (issue 20: kept incrementally, equal to a rebuild's)
        assert groups == rebuilt_story_groups(self.index)
        if len(groups):
            event("groups of copies")
        if rebuild:
            assert (report.added, report.updated, report.removed, report.unchanged) == (len(want), 0, 0, 0)
        else:  # every article before is updated, removed or unchanged; every one after added, updated or unchanged
            assert report.updated + report.removed + report.unchanged == len(before)
            assert report.added + report.updated + report.unchanged == len(want)
            assert report.added >= len(set(want) - set(before)) and report.removed >= len(set(before) - set(want))
        with Searcher(self.index) as searcher:
            assert searcher.stats().articles == len(want)
            assert searcher.search("").total == len(want)
            for hit in searcher.hits("", snippets=0):
                assert hit.source == self._source_of(os.path.relpath(str(hit.path), os.path.realpath(self.root))), hit.path
        again = self._run()
        assert (again.added, again.updated, again.removed, again.unchanged, again.files_read) == (0, 0, 0, len(want), 0)
        assert again.unchanged_files == len(self.files)


def _kill_mid_run(args: list[str], after: float) -> bool:
    """Run ``newssearch ARGS`` in a child process and kill it with SIGKILL ``after`` seconds
    later; return whether it was still running. The child is forked from this process, so the
    kill lands in the indexing itself, not in Python's start-up and imports."""
    pid = os.fork()
    if pid == 0:  # the child: the CLI, output thrown away
        code = 1
        try:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
            cli.main(args, prog_name="newssearch")
        except SystemExit as end:
            code = end.code if isinstance(end.code, int) else 1
        finally:
            os._exit(code)
    time.sleep(after)
    running = os.waitpid(pid, os.WNOHANG) == (0, 0)
    if running:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    return running


class SerialLife(CorpusLife):
    workers = 1
    commit_every = 3


class ParallelLife(CorpusLife):
    workers = 2
    commit_every = 2


def _settings(examples: int, steps: int) -> settings:
    return settings(max_examples=examples, stateful_step_count=steps, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# (unittest classes, so that ``--hypothesis-show-statistics`` reports them)
class TestSerialLife(SerialLife.TestCase):  # type: ignore[valid-type,misc]
    settings = _settings(20, 10)


class TestParallelLife(ParallelLife.TestCase):  # type: ignore[valid-type,misc]
    settings = _settings(8, 10)


@pytest.mark.slow
class TestSerialLifeLong(SerialLife.TestCase):  # type: ignore[valid-type,misc]
    settings = _settings(60, 25)


@pytest.mark.slow
class TestParallelLifeLong(ParallelLife.TestCase):  # type: ignore[valid-type,misc]
    settings = _settings(20, 20)
