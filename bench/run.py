#!/usr/bin/env python3
"""Benchmark newssearch against SQLite FTS5 on one corpus folder.

    python bench/run.py CORPUS_DIR [--out bench/out] [--queries 300] [--seed 1]
                        [--procs-list 1,2] [--work-dir DIR] [--index-dir DIR] [--skip-index]
                        [--baseline SRC [--baseline-label NAME]]

Measures, on the same articles and the same generated queries:

* indexing: articles/s end to end (``newssearch index`` in a child process: read, enrich,
  write, commit), index size on disk, peak memory of the child process tree, for each worker
  count of ``--procs-list``; then the time of a re-index of the unchanged corpus;
* warm queries through the public API (one :class:`Searcher` reused, after a warm-up pass):
  p50/p95/p99 per query kind (keyword, phrase, filtered, faceted). The warm-up runs other
  queries of the same kinds (the next seed, none of the timed ones): the searcher has served
  queries before, as a long-lived one has, but never the timed ones, so nothing it keeps
  between queries (filter sets, facet values, the scored lists of common words) can hold
  a timed query's answer;
* cold start: whole-process time of one ``newssearch query`` (median of ``--cold-runs``);
* first use of common words: the most common words of the corpus, each read whole from a
  fresh searcher's index (µs a posting, for ranking and with positions) and searched once;
* the same on SQLite FTS5 (stdlib ``sqlite3``, porter tokenizer, bm25), built in the same run;
* with ``--baseline SRC`` (the ``src`` folder of another version of newssearch, e.g. from
  ``git archive main src``), everything newssearch does once more with that version, in its
  own index folder: a second engine column in the same table (its format, old against new).

newssearch's queries run in child processes (``python -m``-style, this script with a hidden
option), each engine version in a fresh interpreter of its own.

Prints one Markdown table (metric | newssearch | [baseline] | FTS5 | ratios) and writes the raw
numbers as JSON (and the table as Markdown) into ``--out``. Reads only the given corpus folder.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

#: Query kinds, in the order they are reported.
KINDS = ("keyword", "phrase", "filtered", "faceted")
#: Date-range query kinds (their own query set: the four kinds above stay as they were):
#: a word and a random day-granular range in the query syntax, or through since/until.
DATE_KINDS = ("date range (query syntax)", "date range (since/until)")
#: One-shot CLI shapes: (name, extra ``newssearch query`` options); ``{since}``/``{until}``
#: take a random day range, ``{range}`` the query syntax's range.
ONE_SHOT_SHAPES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("plain", ()),
    ("date range, --since/--until", ("--since", "{since}", "--until", "{until}")),
    ("date range, query syntax", ("{range}",)),
    ("--facet people", ("--facet", "people")),
    ("--facet source", ("--facet", "source")),
    ("--histogram month", ("--histogram", "month")),
    ("--sort newest", ("--sort", "newest")),
)
#: Facets asked for by the faceted queries (``people`` has no FTS5 counterpart).
FACETS = ["people", "source", "year"]
#: Common English words never used as query words (on top of Whoosh's own stop list).
EXTRA_STOPWORDS = frozenset(
    """
    about above after again against all also although among and another any are around because
    been before being below between both but can could did does doing down during each either
    else even ever every few for from further had has have having her here hers herself him
    himself his how however into its itself just last later least less like made make many may
    might more most much must near neither never new next nor not now off once one only other
    others our ours out over own per said same say says she should since some still such than
    that the their theirs them themselves then there these they this those though three through
    thus too two under until upon very was were what when where whether which while who whom
    whose why will with within without would yet you your yours year years told according week
    """.split()
)
_WORD = re.compile(r"^[A-Za-z]{3,}$")
_HEADER = re.compile(r"^(Title|Date|Source|URL):\s*(.*)$")


# -- corpus ------------------------------------------------------------------------------


@dataclass
class Doc:
    """One article of the corpus, as the benchmark sees it."""

    title: str
    text: str
    source: str
    published: str | None

    @property
    def year(self) -> int | None:
        """The publication year, when the article is dated."""
        if self.published and self.published[:4].isdigit():
            return int(self.published[:4])
        return None


def _from_record(record: dict[str, Any]) -> Doc | None:
    """A :class:`Doc` from one JSON article record (None when it has no text)."""
    text = record.get("text") or record.get("body") or ""
    if isinstance(text, list):
        text = "\n\n".join(str(p) for p in text)
    if not text.strip():
        return None
    published = record.get("published") or record.get("date")
    return Doc(str(record.get("title") or ""), text, str(record.get("source") or ""), str(published) if published else None)


def _read_txt(path: Path) -> Doc | None:
    """An article from a ``newscorpus.py --format txt`` file (header lines, blank line, paragraphs)."""
    head, _, body = path.read_text(encoding="utf-8", errors="replace").partition("\n\n")
    fields: dict[str, str] = {}
    for line in head.splitlines():
        match = _HEADER.match(line)
        if match:
            fields[match.group(1).lower()] = match.group(2).strip()
    if not body.strip():
        return None
    return Doc(fields.get("title", ""), body.strip(), fields.get("source", ""), fields.get("date") or None)


def load_corpus(corpus_dir: Path) -> list[Doc]:
    """Every article of the corpus folder (``.jsonl``, ``.json`` and ``.txt`` files, recursively)."""
    docs: list[Doc] = []
    for path in sorted(p for p in corpus_dir.rglob("*") if p.is_file()):
        if path.suffix == ".jsonl":
            with path.open(encoding="utf-8") as handle:
                for line in handle:
                    if line.strip():
                        doc = _from_record(json.loads(line))
                        if doc is not None:
                            docs.append(doc)
        elif path.suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            records = data if isinstance(data, list) else data.get("articles", [data])
            docs.extend(d for d in map(_from_record, records) if d is not None)
        elif path.suffix == ".txt":
            doc = _read_txt(path)
            if doc is not None:
                docs.append(doc)
    return docs


# -- queries -----------------------------------------------------------------------------


@dataclass
class Query:
    """One benchmark query, with its newssearch and FTS5 forms."""

    kind: str
    words: list[str]
    text: str
    match: str
    source: str | None = None
    year: int | None = None
    since: str | None = None  # (date kinds: a day range, YYYY-MM-DD, inclusive)
    until: str | None = None

    def search_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of ``Searcher.search`` for this query."""
        kwargs: dict[str, Any] = {}
        if self.source is not None:
            kwargs["source"] = self.source
        if self.year is not None:
            kwargs["since"] = kwargs["until"] = str(self.year)
        if self.kind == DATE_KINDS[1]:
            kwargs["since"], kwargs["until"] = self.since, self.until
        if self.kind == "faceted":
            kwargs["facets"] = FACETS
        return kwargs


def stopwords() -> frozenset[str]:
    """Words never used in queries: Whoosh's stop list plus :data:`EXTRA_STOPWORDS`."""
    from whoosh.analysis import STOP_WORDS

    return frozenset(STOP_WORDS) | EXTRA_STOPWORDS


def _tokens(text: str) -> list[str]:
    """Whitespace tokens of ``text`` with surrounding punctuation stripped (inner kept)."""
    return [t.strip(".,;:!?()[]{}\"'“”‘’«»—–-") for t in text.split()]


def _usable(token: str, stop: frozenset[str]) -> bool:
    return bool(_WORD.match(token)) and token.lower() not in stop


def _keyword(doc: Doc, rng: random.Random, stop: frozenset[str], most: int) -> list[str] | None:
    """1..``most`` distinct usable words of one article (so the AND query has a match)."""
    words = sorted({t.lower() for t in _tokens(doc.title + " " + doc.text) if _usable(t, stop)})
    if not words:
        return None
    return rng.sample(words, min(len(words), rng.randint(1, most)))


def _phrase(doc: Doc, rng: random.Random, stop: frozenset[str]) -> list[str] | None:
    """2 or 3 consecutive usable words of one paragraph of the article."""
    size = rng.randint(2, 3)
    candidates: list[list[str]] = []
    for paragraph in doc.text.split("\n\n"):
        raw = paragraph.split()
        for i in range(len(raw) - size + 1):
            window = raw[i : i + size]
            # inner words must not carry punctuation (a clause break), the last may end a sentence
            if all(_usable(w, stop) for w in window[:-1]) and _usable(_tokens(window[-1])[0], stop):
                candidates.append([w.lower() for w in window[:-1]] + [_tokens(window[-1])[0].lower()])
    return rng.choice(candidates) if candidates else None


def make_queries(docs: list[Doc], count: int, seed: int) -> list[Query]:
    """``count`` queries, a quarter of each kind, sampled from real article text with ``seed``."""
    rng = random.Random(seed)
    stop = stopwords()
    per_kind = [count // len(KINDS) + (1 if i < count % len(KINDS) else 0) for i in range(len(KINDS))]
    queries: list[Query] = []
    for kind, wanted in zip(KINDS, per_kind):
        made = 0
        while made < wanted:
            doc = docs[rng.randrange(len(docs))]
            words = _phrase(doc, rng, stop) if kind == "phrase" else _keyword(doc, rng, stop, 2 if kind == "filtered" else 3)
            if not words:
                continue
            if kind == "phrase":
                text = match = '"' + " ".join(words) + '"'
            else:
                text = " ".join(words)
                match = " ".join(f'"{w}"' for w in words)
            query = Query(kind, words, text, match)
            if kind == "filtered":
                if rng.random() < 0.5 and doc.source:
                    query.source = doc.source
                elif doc.year is not None:
                    query.year = doc.year
                else:
                    continue
            queries.append(query)
            made += 1
    return queries


def _day_range(rng: random.Random, first: int, last: int) -> tuple[str, str]:
    """A random range of whole days within [first, last] (ordinals): 1 day to a year long."""
    import datetime as dt

    length = rng.choice((1, 7, 30, 90, 365, rng.randint(1, 365)))
    start = rng.randint(first, max(first, last - length + 1))
    end = min(last, start + length - 1)
    return dt.date.fromordinal(start).isoformat(), dt.date.fromordinal(end).isoformat()


def date_span(docs: list[Doc]) -> tuple[int, int] | None:
    """The first and last publication day of the corpus (ordinals), None if nothing is dated."""
    import datetime as dt

    days = []
    for doc in docs:
        try:
            days.append(dt.date.fromisoformat((doc.published or "")[:10]).toordinal())
        except ValueError:
            continue
    return (min(days), max(days)) if days else None


def make_date_queries(docs: list[Doc], count: int, seed: int, avoid: set[tuple[str, str]] | None = None) -> list[Query]:
    """``count`` date-range queries, half of each :data:`DATE_KINDS`: one word of a random
    article and a random day range (1 day to a year) that no other query of the set (nor of
    ``avoid``) has: no cache can hold a range's answer. FTS5 gets the same range on the
    published text."""
    rng = random.Random(seed * 7919 + 17)
    stop = stopwords()
    span = date_span(docs)
    if span is None or count <= 0:
        return []
    seen = set(avoid or ())
    queries: list[Query] = []
    tries = 0
    while len(queries) < count and tries < count * 100:
        tries += 1
        kind = DATE_KINDS[len(queries) % len(DATE_KINDS)]
        since, until = _day_range(rng, *span)
        if (since, until) in seen:
            continue
        words = _keyword(docs[rng.randrange(len(docs))], rng, stop, 1)
        if not words:
            continue
        seen.add((since, until))
        text = " ".join(words)
        if kind == DATE_KINDS[0]:
            text += f" published:[{since} to {until}]"
        queries.append(Query(kind, words, text, " ".join(f'"{w}"' for w in words), since=since, until=until))
    return queries


def date_query_sets(docs: list[Doc], count: int, seed: int) -> tuple[list[Query], list[Query]]:
    """The timed date queries and their warm-up set (other words, other ranges: none shared)."""
    timed = make_date_queries(docs, count, seed)
    warmup = make_date_queries(docs, count, seed + 1, avoid={(q.since or "", q.until or "") for q in timed})
    return timed, warmup


# -- processes ---------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    """Direct children of ``pid`` (Linux /proc)."""
    out: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                out.extend(int(c) for c in handle.read().split())
    except OSError:
        pass
    return out


def _rss_kib(pid: int) -> int:
    """Resident set size of one process in KiB (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kib(pid: int) -> int:
    """Summed RSS of ``pid`` and all its descendants (shared pages counted once per process)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += _rss_kib(current)
        todo.extend(_children(current))
    return total


@dataclass
class RunResult:
    """How one child process went."""

    seconds: float
    cpu_seconds: float  # user + system CPU time of the process tree (robust to a busy machine)
    returncode: int
    max_rss_mib: float  # largest single process of the tree (wait4 rusage: the child and its waited-for descendants)
    tree_rss_mib: float  # largest sampled sum over the process tree (0 when not polled)
    stdout: str = ""
    stderr: str = ""


#: Runs a command as its child and reports the child's peak RSS (KiB) and wall time to a file.
#: Measuring from this small intermediate process matters: on Linux a child's ``ru_maxrss``
#: starts at the RSS of the process that forked it, so measuring straight from this (large)
#: benchmark process would report its own size for every small child.
_WRAPPER = """
import os, sys, time
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - t0
with open(sys.argv[1], "w") as handle:
    handle.write(f"{usage.ru_maxrss} {seconds} {usage.ru_utime + usage.ru_stime}")
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
"""


def run_measured(cmd: list[str], poll: float = 0.0, env: dict[str, str] | None = None) -> RunResult:
    """Run ``cmd``; return wall time, exit status and peak memory (``poll`` > 0 samples the tree).

    The command runs under a small wrapper process that times it and reads its peak RSS with
    ``wait4`` (the wrapper's own start-up is not counted).
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as usage_file:
        wrapped = [sys.executable, "-I", "-S", "-c", _WRAPPER, usage_file.name, *cmd]
        proc = subprocess.Popen(wrapped, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        peak = 0
        stop = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not stop.is_set():
                peak = max(peak, sum(tree_rss_kib(child) for child in _children(proc.pid)))
                stop.wait(poll)

        sampler = threading.Thread(target=sample, daemon=True) if poll > 0 else None
        if sampler is not None:
            sampler.start()
        proc.wait()
        stop.set()
        if sampler is not None:
            sampler.join()
        maxrss_kib, seconds, cpu = usage_file.read().split()
        out.seek(0)
        err.seek(0)
        return RunResult(
            seconds=float(seconds),
            cpu_seconds=float(cpu),
            returncode=proc.returncode,
            max_rss_mib=int(maxrss_kib) / 1024,
            tree_rss_mib=peak / 1024,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
        )


def dir_size_mib(path: Path) -> float:
    """Size of the files under ``path`` (or of the file ``path``) in MiB."""
    if path.is_file():
        return path.stat().st_size / 2**20
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def newssearch_cli() -> str:
    """The ``newssearch`` console script of this interpreter's environment."""
    beside = Path(sys.executable).parent / "newssearch"
    found = str(beside) if beside.exists() else shutil.which("newssearch")
    if not found:
        sys.exit("cannot find the newssearch command; install the package (pip install -e .)")
    return found


# -- newssearch ------------------------------------------------------------------------


def engine_env(src: Path | None) -> dict[str, str] | None:
    """The environment that runs the newssearch of ``src`` (a folder holding the ``newssearch``
    package) instead of the installed one; None for the installed one."""
    if src is None:
        return None
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(src), *([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])])
    return env


def index_newssearch(corpus: Path, index_dir: Path, workers: int, rebuild: bool = True, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Index ``corpus`` with ``newssearch index`` in a child process (``env``: see
    :func:`engine_env`); return its measurements."""
    cmd = [newssearch_cli(), "index", "--index", str(index_dir), "--json", "--workers", str(workers), str(corpus)]
    if rebuild:
        # a fresh folder: `--rebuild` over an index of an older schema keeps that schema
        shutil.rmtree(index_dir, ignore_errors=True)
        cmd.insert(2, "--rebuild")
    run = run_measured(cmd, poll=0.2, env=env)
    if run.returncode != 0:
        raise RuntimeError(f"newssearch index failed ({run.returncode}): {run.stderr[-2000:]}")
    report = json.loads(run.stdout)
    written = report["added"] + report["updated"]
    return {
        "workers": workers,
        "seconds": run.seconds,
        "report_seconds": report["seconds"],
        "cpu_seconds": run.cpu_seconds,
        "added": report["added"],
        "updated": report["updated"],
        "unchanged": report["unchanged"],
        "skipped": len(report["skipped"]),
        "articles_per_s": written / run.seconds if written else 0.0,
        "size_mib": dir_size_mib(index_dir),
        "max_rss_mib": run.max_rss_mib,
        "tree_rss_mib": run.tree_rss_mib,
    }


def warmup_queries(docs: list[Doc], queries: list[Query], seed: int) -> list[Query]:
    """The warm-up pass: as many queries of the same kinds, from the next seed, without any
    of the timed ``queries``."""
    timed = {(q.kind, q.text, q.source, q.year) for q in queries}
    return [q for q in make_queries(docs, len(queries), seed + 1) if (q.kind, q.text, q.source, q.year) not in timed]


def newssearch_warm(index_dir: Path, queries: list[Query], mmap: bool, warmup_set: list[Query]) -> dict[str, Any]:
    """Time every query through one reused :class:`Searcher`, after a warm-up pass of ``warmup_set``."""
    from newssearch import QueryTooExpensiveError
    from newssearch.search.searcher import Searcher

    started = time.perf_counter()
    searcher = Searcher(index_dir, mmap=mmap)
    open_s = time.perf_counter() - started
    stopped: list[str] = []

    def one(query: Query) -> int:
        try:
            return searcher.search(query.text, **query.search_kwargs()).total
        except QueryTooExpensiveError:  # (the query budget stopped it: counted, total -1)
            stopped.append(query.text)
            return -1

    try:
        warmup = _timed_pass(warmup_set, one)
        warmup_stopped, stopped[:] = list(stopped), []
        timed = _timed_pass(queries, one)
    finally:
        searcher.close()
    return {"open_s": open_s, "warmup_s": warmup.seconds, "times": timed.times, "cpu_times": timed.cpu_times, "totals": timed.totals,
            "warmup_stopped": warmup_stopped, "stopped": list(stopped)}


def newssearch_cold(index_dir: Path, queries: list[Query], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Whole-process time and peak RSS of ``newssearch query`` for each of ``queries``."""
    runs = []
    for query in queries:
        run = run_measured([newssearch_cli(), "query", "--index", str(index_dir), query.text], env=env)
        stopped = _stopped_by_budget(run)
        if run.returncode != 0 and not stopped:
            raise RuntimeError(f"newssearch query failed: {run.stderr[-1000:]}")
        runs.append({"query": query.text, "seconds": run.seconds, "max_rss_mib": run.max_rss_mib, "stopped": stopped})
    return {"runs": runs}


def _stopped_by_budget(run: Any) -> bool:
    """Whether a ``newssearch query`` run was stopped by the query budget (exit 1 and its
    one-line message): a run the user waited for and got no answer from, counted with its
    time and marked, not an error of the benchmark. (Versions before issue 14 exited 2.)"""
    return bool(run.returncode in (1, 2) and "query too expensive" in (run.stderr or ""))


def shape_command(shape: tuple[str, ...], query: Query, day_range: Query | None) -> list[str]:
    """The ``newssearch query`` arguments of one one-shot run: the query's words, then the
    shape's options (a day range from ``day_range``)."""
    since, until = (day_range.since, day_range.until) if day_range is not None else ("", "")
    text = query.text
    options: list[str] = []
    for part in shape:
        if part == "{range}":
            text += f" published:[{since} to {until}]"
        else:
            options.append(part.format(since=since, until=until))
    return [text, *options]


def newssearch_one_shot(index_dir: Path, queries: list[Query], date_queries: list[Query], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Whole-process time of ``newssearch query`` in each of :data:`ONE_SHOT_SHAPES`, once per
    query of ``queries`` (each run a new process: nothing kept between runs but the OS's page
    cache); date shapes take their day ranges from ``date_queries``."""
    out: dict[str, Any] = {}
    for name, shape in ONE_SHOT_SHAPES:
        runs = []
        for i, query in enumerate(queries):
            day_range = date_queries[i % len(date_queries)] if date_queries else None
            if day_range is None and any("{" in part for part in shape):
                continue
            args = shape_command(shape, query, day_range)
            run = run_measured([newssearch_cli(), "query", "--index", str(index_dir), *args], env=env)
            stopped = _stopped_by_budget(run)
            if run.returncode != 0 and not stopped:
                raise RuntimeError(f"newssearch query {args} failed: {run.stderr[-1000:]}")
            runs.append({"args": args, "seconds": run.seconds, "cpu_seconds": run.cpu_seconds, "max_rss_mib": run.max_rss_mib, "stopped": stopped})
        out[name] = {"runs": runs}
    return out


def common_words(docs: list[Doc], count: int) -> list[str]:
    """The ``count`` usable query words found in the most articles."""
    stop = stopwords()
    df: dict[str, int] = {}
    for doc in docs:
        for word in {t.lower() for t in _tokens(doc.title + " " + doc.text) if _usable(t, stop)}:
            df[word] = df.get(word, 0) + 1
    return sorted(df, key=lambda w: (-df[w], w))[:count]


def newssearch_first_use(index_dir: Path, words: list[str], mmap: bool, repeat: int = 5) -> dict[str, Any]:
    """The cost of common words on first use, with whichever newssearch is imported.

    For each word (analysed as the index analyses ``body``): its posting lists read whole in
    every segment with ``read_postings`` (what ranking reads, then with the positions a phrase
    reads), the best of ``repeat`` reads in µs a posting; and one ``search(word)`` on a searcher
    that has served none of the words (nothing of them kept)."""
    from newssearch.search.postings import read_postings
    from newssearch.search.searcher import Searcher
    from newssearch.store.schema import text_analyzer

    analyze = text_analyzer()
    searcher = Searcher(index_dir, mmap=mmap)
    try:
        segments = [reader for reader, _ in searcher._searcher.reader().leaf_readers()]
        out: list[dict[str, Any]] = []
        for word in words:
            stems = [t.text for t in analyze(word)]
            if not stems:
                continue
            stem = stems[0]
            t0, c0 = time.perf_counter(), time.process_time()
            total = searcher.search(word).total
            search_s, search_cpu = time.perf_counter() - t0, time.process_time() - c0
            row: dict[str, Any] = {"word": word, "term": stem, "total": total, "search_ms": search_s * 1000, "search_cpu_ms": search_cpu * 1000}
            for values in (False, True):
                best = float("inf")
                postings = 0
                for _ in range(repeat):
                    t0 = time.perf_counter()
                    postings = sum(len(read_postings(seg, "body", stem, values=values)[0]) for seg in segments if seg.doc_frequency("body", stem))
                    best = min(best, time.perf_counter() - t0)
                row["postings"] = postings
                row["positions_us" if values else "rank_us"] = 1e6 * best / max(postings, 1)
            out.append(row)
    finally:
        searcher.close()
    return {"words": out}


def child_queries(corpus: Path, index_dir: Path, args: argparse.Namespace, out_file: Path) -> None:
    """The hidden ``--engine-child`` mode: warm queries and first-use reads with the newssearch
    this interpreter imports, results as JSON into ``out_file``."""
    import newssearch

    docs = load_corpus(corpus)
    queries = make_queries(docs, args.queries, args.seed)
    warmup_set = warmup_queries(docs, queries, args.seed)
    date_queries, date_warmup = date_query_sets(docs, args.date_queries, args.seed)
    words = common_words(docs, args.first_use_words)
    del docs
    result: dict[str, Any] = {"module": newssearch.__file__}
    result["first_use"] = newssearch_first_use(index_dir, words, args.mmap)
    result["warm"] = newssearch_warm(index_dir, queries, args.mmap, warmup_set)
    if date_queries:
        result["warm_dates"] = newssearch_warm(index_dir, date_queries, args.mmap, date_warmup)
    out_file.write_text(json.dumps(result), encoding="utf-8")


def run_engine_child(corpus: Path, index_dir: Path, args: argparse.Namespace, env: dict[str, str] | None) -> dict[str, Any]:
    """Run :func:`child_queries` in a fresh interpreter (``env``: which newssearch)."""
    with tempfile.NamedTemporaryFile("r", suffix=".json") as out:
        cmd = [sys.executable, __file__, str(corpus), "--engine-child", str(index_dir), "--child-out", out.name,
               "--queries", str(args.queries), "--seed", str(args.seed), "--first-use-words", str(args.first_use_words),
               "--date-queries", str(args.date_queries),
               "--mmap" if args.mmap else "--no-mmap"]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"query child failed ({proc.returncode}): {proc.stderr[-3000:]}")
        return dict(json.loads(out.read()))


# -- FTS5 --------------------------------------------------------------------------------

FTS5_SCHEMA = """
CREATE TABLE articles(id INTEGER PRIMARY KEY, title TEXT, body TEXT, source TEXT, published TEXT, year INTEGER);
CREATE VIRTUAL TABLE fts USING fts5(title, body, content='articles', content_rowid='id',
                                    tokenize='porter unicode61 remove_diacritics 2');
"""
FTS5_HITS = (
    "SELECT a.id, a.title, a.source, a.published, snippet(fts, 1, '[', ']', '…', 24) "
    "FROM fts JOIN articles a ON a.id = fts.rowid WHERE fts MATCH ?{where} "
    "ORDER BY bm25(fts, 2.0, 1.0) LIMIT 10"
)
FTS5_COUNT = "SELECT count(*) FROM fts JOIN articles a ON a.id = fts.rowid WHERE fts MATCH ?{where}"
FTS5_GROUP = (
    "SELECT a.{column}, count(*) AS n FROM fts JOIN articles a ON a.id = fts.rowid "
    "WHERE fts MATCH ?{where} GROUP BY a.{column} ORDER BY n DESC LIMIT 10"
)


def build_fts5(corpus: Path, db_path: Path) -> int:
    """Read the corpus and build the FTS5 database at ``db_path``; return the article count."""
    if db_path.exists():
        db_path.unlink()
    docs = load_corpus(corpus)
    con = sqlite3.connect(db_path)
    con.executescript(FTS5_SCHEMA)
    with con:
        con.executemany(
            "INSERT INTO articles(title, body, source, published, year) VALUES (?, ?, ?, ?, ?)",
            ((d.title, d.text, d.source, d.published, d.year) for d in docs),
        )
        con.execute("INSERT INTO fts(rowid, title, body) SELECT id, title, body FROM articles")
        con.execute("CREATE INDEX articles_source ON articles(source)")
        con.execute("CREATE INDEX articles_year ON articles(year)")
        con.execute("INSERT INTO fts(fts) VALUES ('optimize')")
    con.close()
    return len(docs)


def index_fts5(corpus: Path, db_path: Path) -> dict[str, Any]:
    """Build the FTS5 database in a child process (this script); return its measurements."""
    run = run_measured([sys.executable, __file__, str(corpus), "--build-fts5", str(db_path)], poll=0.2)
    if run.returncode != 0:
        raise RuntimeError(f"FTS5 build failed: {run.stderr[-2000:]}")
    articles = int(run.stdout.strip().splitlines()[-1])
    return {
        "seconds": run.seconds,
        "added": articles,
        "cpu_seconds": run.cpu_seconds,
        "articles_per_s": articles / run.seconds,
        "size_mib": dir_size_mib(db_path),
        "max_rss_mib": run.max_rss_mib,
        "tree_rss_mib": run.tree_rss_mib,
    }


def fts5_sql(query: Query) -> tuple[str, list[Any]]:
    """The extra WHERE clause and its parameters for a query's filters."""
    if query.source is not None:
        return " AND a.source = ?", [query.source]
    if query.year is not None:
        return " AND a.year = ?", [query.year]
    if query.since is not None and query.until is not None:
        return FTS5_DAYS, [query.since, day_after(query.until)]
    return "", []


#: A day range on FTS5's published text (ISO, so text order is time order): [since, the day after until).
FTS5_DAYS = " AND a.published >= ? AND a.published < ?"


def day_after(day: str) -> str:
    """The ISO day after ``day``."""
    import datetime as dt

    return (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()


def fts5_search(con: sqlite3.Connection, query: Query) -> int:
    """Run one query on FTS5 as newssearch does: top 10 with snippets, total, facet counts."""
    where, params = fts5_sql(query)
    args = [query.match, *params]
    con.execute(FTS5_HITS.format(where=where), args).fetchall()
    total = con.execute(FTS5_COUNT.format(where=where), args).fetchone()[0]
    if query.kind == "faceted":
        for column in ("source", "year"):
            con.execute(FTS5_GROUP.format(column=column, where=where), args).fetchall()
    return int(total)


def fts5_warm(db_path: Path, queries: list[Query], warmup_set: list[Query]) -> dict[str, Any]:
    """Time every query on one reused connection, after a warm-up pass of ``warmup_set``."""
    started = time.perf_counter()
    con = sqlite3.connect(db_path)
    open_s = time.perf_counter() - started
    try:
        warmup = _timed_pass(warmup_set, lambda q: fts5_search(con, q))
        timed = _timed_pass(queries, lambda q: fts5_search(con, q))
    finally:
        con.close()
    return {"open_s": open_s, "warmup_s": warmup.seconds, "times": timed.times, "cpu_times": timed.cpu_times, "totals": timed.totals}


FTS5_ONE_SHOT = """
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
rows = con.execute({hits!r}, [sys.argv[2]]).fetchall()
total = con.execute({count!r}, [sys.argv[2]]).fetchone()[0]
print(total, 'matches')
for row in rows:
    print(*row)
"""


FTS5_STATEMENTS = """
import json, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
for sql, params in json.loads(sys.argv[2]):
    for row in con.execute(sql, params).fetchall():
        print(*row)
"""


def fts5_shape(name: str, query: Query, day_range: Query | None) -> list[tuple[str, list[Any]]] | None:
    """The SQL statements FTS5 runs for one one-shot shape (None: no counterpart, e.g. people)."""
    where, params = "", []
    if "date range" in name and day_range is not None and day_range.until is not None:
        where, params = FTS5_DAYS, [day_range.since, day_after(day_range.until)]
    args = [query.match, *params]
    hits = FTS5_HITS.format(where=where)
    count = (FTS5_COUNT.format(where=where), args)
    if name == "--facet people":
        return None
    if name == "--facet source":
        return [(hits, args), count, (FTS5_GROUP.format(column="source", where=where), args)]
    if name == "--histogram month":
        months = f"SELECT substr(a.published, 1, 7) AS m, count(*) FROM fts JOIN articles a ON a.id = fts.rowid WHERE fts MATCH ?{where} GROUP BY m ORDER BY m"
        return [(hits, args), count, (months, args)]
    if name == "--sort newest":
        return [(hits.replace("ORDER BY bm25(fts, 2.0, 1.0)", "ORDER BY a.published DESC"), args), count]
    return [(hits, args), count]


def fts5_one_shot(db_path: Path, queries: list[Query], date_queries: list[Query]) -> dict[str, Any]:
    """The one-shot shapes on FTS5: a fresh ``python -c`` + sqlite3 process per run."""
    out: dict[str, Any] = {}
    for name, shape in ONE_SHOT_SHAPES:
        runs = []
        for i, query in enumerate(queries):
            day_range = date_queries[i % len(date_queries)] if date_queries else None
            statements = fts5_shape(name, query, day_range)
            if statements is None or (day_range is None and any("{" in part for part in shape)):
                continue
            run = run_measured([sys.executable, "-c", FTS5_STATEMENTS, str(db_path), json.dumps(statements)])
            if run.returncode != 0:
                raise RuntimeError(f"FTS5 one-shot query failed: {run.stderr[-1000:]}")
            runs.append({"seconds": run.seconds, "cpu_seconds": run.cpu_seconds, "max_rss_mib": run.max_rss_mib})
        if runs:
            out[name] = {"runs": runs}
    return out


def fts5_cold(db_path: Path, queries: list[Query]) -> dict[str, Any]:
    """Whole-process time of a one-shot Python + sqlite3 query for each of ``queries``."""
    code = FTS5_ONE_SHOT.format(hits=FTS5_HITS.format(where=""), count=FTS5_COUNT.format(where=""))
    runs = []
    for query in queries:
        run = run_measured([sys.executable, "-c", code, str(db_path), query.match])
        if run.returncode != 0:
            raise RuntimeError(f"FTS5 one-shot query failed: {run.stderr[-1000:]}")
        runs.append({"query": query.match, "seconds": run.seconds, "max_rss_mib": run.max_rss_mib})
    return {"runs": runs}


# -- statistics and report ---------------------------------------------------------------


@dataclass
class Pass:
    """One pass over the queries: wall seconds in all, and per query wall/CPU seconds and hit totals."""

    seconds: float
    times: list[float]
    cpu_times: list[float]
    totals: list[int]


def _timed_pass(queries: list[Query], run: Callable[[Query], int]) -> Pass:
    """Run every query once, timing each (wall clock and this process's CPU time)."""
    times, cpu_times, totals = [], [], []
    started = time.perf_counter()
    for query in queries:
        t0, c0 = time.perf_counter(), time.process_time()
        totals.append(run(query))
        times.append(time.perf_counter() - t0)
        cpu_times.append(time.process_time() - c0)
    return Pass(time.perf_counter() - started, times, cpu_times, totals)


def percentile(values: list[float], pct: float) -> float:
    """The ``pct`` percentile of ``values`` (linear interpolation between closest ranks)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * pct / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def per_kind(queries: list[Query], times: list[float], kinds: tuple[str, ...] = KINDS) -> dict[str, dict[str, float]]:
    """p50/p95/p99/mean in milliseconds for each query kind."""
    out: dict[str, dict[str, float]] = {}
    for kind in kinds:
        ms = [t * 1000 for q, t in zip(queries, times) if q.kind == kind]
        out[kind] = {
            "n": len(ms),
            "p50": percentile(ms, 50),
            "p95": percentile(ms, 95),
            "p99": percentile(ms, 99),
            "mean": statistics.fmean(ms) if ms else float("nan"),
        }
    return out


def agreement(queries: list[Query], ours: list[int], theirs: list[int], kinds: tuple[str, ...] = KINDS) -> dict[str, Any]:
    """How often newssearch and FTS5 report the same number of matching articles, per kind."""
    out: dict[str, Any] = {}
    for kind in kinds:
        pairs = [(a, b) for q, a, b in zip(queries, ours, theirs) if q.kind == kind]
        same = sum(1 for a, b in pairs if a == b)
        out[kind] = {"same": same, "n": len(pairs), "newssearch_total": sum(a for a, _ in pairs), "fts5_total": sum(b for _, b in pairs)}
    return out


@dataclass
class Row:
    """One line of the Markdown table: newssearch, the baseline version (if any), FTS5."""

    metric: str
    ours: float | None
    theirs: float | None
    digits: int = 1
    note: str = ""
    base: float | None = None

    def cells(self, with_base: bool = False) -> list[str]:
        """The cells: metric, newssearch, [baseline,] FTS5, newssearch/FTS5[, newssearch/baseline]."""
        def fmt(v: float | None) -> str:
            return "n/a" if v is None else f"{v:,.{self.digits}f}"

        def ratio(a: float | None, b: float | None) -> str:
            return f"{a / b:.2f}×" if a is not None and b else "n/a"

        metric = self.metric + (f" ({self.note})" if self.note else "")
        if with_base:
            return [metric, fmt(self.ours), fmt(self.base), fmt(self.theirs), ratio(self.ours, self.theirs), ratio(self.ours, self.base)]
        return [metric, fmt(self.ours), fmt(self.theirs), ratio(self.ours, self.theirs)]


def table(rows: list[Row], base_label: str | None = None) -> str:
    """The rows as a Markdown table (with a baseline column when ``base_label`` is given)."""
    if base_label:
        lines = [f"| metric | newssearch | {base_label} | FTS5 | newssearch/FTS5 | newssearch/{base_label} |", "|---|---:|---:|---:|---:|---:|"]
    else:
        lines = ["| metric | newssearch | FTS5 | ratio newssearch/FTS5 |", "|---|---:|---:|---:|"]
    lines += ["| " + " | ".join(r.cells(bool(base_label))) + " |" for r in rows]
    return "\n".join(lines)


def _get(results: dict[str, Any] | None, *path: Any) -> Any:
    for key in path:
        if results is None:
            return None
        try:
            results = results[key]
        except (KeyError, IndexError, TypeError):
            return None
    return results


def build_rows(results: dict[str, Any]) -> list[Row]:
    """The table rows from the raw results."""
    rows: list[Row] = []
    fts = results.get("fts5_index")
    base = results.get("baseline") or {}
    base_index = {run["workers"]: run for run in base.get("newssearch_index", [])}
    for run in results.get("newssearch_index", []):
        w = run["workers"]
        b = base_index.get(w, {})
        rows.append(Row(f"index: articles/s, workers={w} (higher is better)", run["articles_per_s"], fts and fts["articles_per_s"], base=b.get("articles_per_s")))
        rows.append(Row(f"index: seconds, workers={w}", run["seconds"], fts and fts["seconds"], base=b.get("seconds")))
        if "cpu_seconds" in run:
            rows.append(Row(f"index: CPU seconds (user+sys, all processes), workers={w}", run["cpu_seconds"], fts and fts.get("cpu_seconds"), base=b.get("cpu_seconds")))
        rows.append(Row(f"index: size on disk MiB, workers={w}", run["size_mib"], fts and fts["size_mib"], base=b.get("size_mib")))
        rows.append(Row(f"index: peak RSS MiB, largest process, workers={w}", run["max_rss_mib"], fts and fts["max_rss_mib"], base=b.get("max_rss_mib")))
        rows.append(Row(f"index: peak RSS MiB, process tree sum, workers={w}", run["tree_rss_mib"], fts and fts["tree_rss_mib"], base=b.get("tree_rss_mib")))
    reindex = results.get("newssearch_reindex")
    if reindex:
        rows.append(Row(f"re-index unchanged corpus: seconds, workers={reindex['workers']}", reindex["seconds"], None, 2, "FTS5: no incremental mode",
                        base=_get(base, "newssearch_reindex", "seconds")))
    first, base_first = results.get("newssearch_first_use"), base.get("newssearch_first_use")
    if first and first.get("words"):
        words = first["words"]
        n = len(words)
        postings = statistics.median(w["postings"] for w in words)
        label = f"{n} most common words, median {postings:,.0f} postings"

        def median_of(found: dict[str, Any] | None, key: str) -> float | None:
            rows_ = (found or {}).get("words") or []
            return statistics.median(w[key] for w in rows_) if rows_ else None

        rows.append(Row(f"first use: list read for ranking, µs a posting ({label})", median_of(first, "rank_us"), None, 3, base=median_of(base_first, "rank_us")))
        rows.append(Row("first use: list read with positions (phrases), µs a posting", median_of(first, "positions_us"), None, 3, base=median_of(base_first, "positions_us")))
        rows.append(Row("first use: one-word query on a fresh searcher, ms (median)", median_of(first, "search_ms"), None, 1, base=median_of(base_first, "search_ms")))
    ours, theirs = results.get("newssearch_warm"), results.get("fts5_warm")
    base_warm = base.get("newssearch_warm")
    if ours and theirs:
        rows.append(Row("open searcher / connection ms", ours["open_s"] * 1000, theirs["open_s"] * 1000, 2, base=base_warm and base_warm["open_s"] * 1000))
        a, b = ours["per_kind"], theirs["per_kind"]
        for kind in KINDS:
            note = "FTS5 counts source+year only, no people facet" if kind == "faceted" else ""
            for p in ("p50", "p95", "p99"):
                rows.append(Row(f"warm {kind} {p} ms (n={a[kind]['n']})", a[kind][p], b[kind][p], 2, note if p == "p50" else "",
                                base=_get(base_warm, "per_kind", kind, p)))
        if "per_kind_cpu" in ours and "per_kind_cpu" in theirs:
            for kind in KINDS:
                rows.append(Row(f"warm {kind} p50 CPU ms (process time, robust to a busy machine)", ours["per_kind_cpu"][kind]["p50"], theirs["per_kind_cpu"][kind]["p50"], 2,
                                base=_get(base_warm, "per_kind_cpu", kind, "p50")))
        for kind, agree in results.get("agreement", {}).items():
            rows.append(Row(f"{kind}: same hit count as FTS5, % of queries", 100 * agree["same"] / max(agree["n"], 1), None, 0))
        if "stopped" in ours:
            rows.append(Row("queries stopped by the query budget, warm-up pass / timed pass", len(ours["warmup_stopped"]), None, 0,
                            f"timed: {len(ours['stopped'])}" + (f"; baseline timed: {len(base_warm.get('stopped', []))}" if base_warm else ""),
                            base=base_warm and len(base_warm.get("warmup_stopped", []))))
        if base_warm:
            same = sum(1 for x, y in zip(ours["totals"], base_warm["totals"]) if x == y)
            rows.append(Row("all queries: same hit count as the baseline, % of queries", 100 * same / max(len(ours["totals"]), 1), None, 0))
    ours, theirs = results.get("newssearch_warm_dates"), results.get("fts5_warm_dates")
    base_dates = base.get("newssearch_warm_dates")
    if ours and theirs:
        a, b = ours["per_kind"], theirs["per_kind"]
        for kind in DATE_KINDS:
            for p in ("p50", "p95", "p99"):
                note = "a word and a random day range, never repeated; warm-up on other ranges" if p == "p50" else ""
                rows.append(Row(f"warm {kind} {p} ms (n={a[kind]['n']})", a[kind][p], b[kind][p], 2, note, base=_get(base_dates, "per_kind", kind, p)))
        for kind, agree in results.get("agreement_dates", {}).items():
            rows.append(Row(f"{kind}: same hit count as FTS5, % of queries", 100 * agree["same"] / max(agree["n"], 1), None, 0))
        rows.append(Row("date queries stopped by the query budget (timed pass)", len(ours.get("stopped", [])), None, 0,
                        base=base_dates and len(base_dates.get("stopped", []))))
    cold_ours, cold_theirs = results.get("newssearch_cold"), results.get("fts5_cold")
    cold_base = base.get("newssearch_cold")
    if cold_ours and cold_theirs:
        n = len(cold_ours["runs"])
        rows.append(Row(f"cold one-shot query, whole process ms (median of {n})", 1000 * statistics.median(r["seconds"] for r in cold_ours["runs"]),
                        1000 * statistics.median(r["seconds"] for r in cold_theirs["runs"]), 0, "FTS5: python -c + sqlite3",
                        base=cold_base and 1000 * statistics.median(r["seconds"] for r in cold_base["runs"])))
        rows.append(Row("cold one-shot query, peak RSS MiB (median)", statistics.median(r["max_rss_mib"] for r in cold_ours["runs"]),
                        statistics.median(r["max_rss_mib"] for r in cold_theirs["runs"]), 1,
                        base=cold_base and statistics.median(r["max_rss_mib"] for r in cold_base["runs"])))
    shots, fts_shots, base_shots = results.get("newssearch_one_shot") or {}, results.get("fts5_one_shot") or {}, base.get("newssearch_one_shot") or {}

    def median_ms(found: dict[str, Any], name: str, key: str = "seconds") -> float | None:
        runs = [r for r in (found.get(name) or {}).get("runs") or [] if key in r]
        return 1000 * statistics.median(r[key] for r in runs) if runs else None

    def stopped(found: dict[str, Any], name: str) -> int:
        return sum(1 for r in (found.get(name) or {}).get("runs") or [] if r.get("stopped"))

    for name, _ in ONE_SHOT_SHAPES:
        if name in shots:
            n = len(shots[name]["runs"])
            note = "cold: a new process per run" if name == ONE_SHOT_SHAPES[0][0] else ("FTS5: none" if name not in fts_shots else "")
            budget = [f"{k} of {n} stopped by the 1 s query budget{' (baseline)' if found is base_shots else ''}"
                      for found in (shots, base_shots) if (k := stopped(found, name))]
            rows.append(Row(f"one-shot CLI, {name}: whole process ms (median of {n})", median_ms(shots, name), median_ms(fts_shots, name), 0,
                            "; ".join([note, *budget]) if note else "; ".join(budget), base=median_ms(base_shots, name)))
    for name, _ in ONE_SHOT_SHAPES:
        if median_ms(shots, name, "cpu_seconds") is not None:
            rows.append(Row(f"one-shot CLI, {name}: CPU ms, user+sys (median)", median_ms(shots, name, "cpu_seconds"), median_ms(fts_shots, name, "cpu_seconds"), 0,
                            "robust to a busy machine" if name == ONE_SHOT_SHAPES[0][0] else "", base=median_ms(base_shots, name, "cpu_seconds")))
    return rows


# -- main --------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("corpus", type=Path, help="Corpus folder (.jsonl/.json/.txt articles), e.g. from newscorpus.py remix.")
    p.add_argument("--out", type=Path, default=Path("bench/out"), help="Folder for the JSON and Markdown results.")
    p.add_argument("--queries", type=int, default=300, help="Number of queries (split evenly over the 4 kinds).")
    p.add_argument("--seed", type=int, default=1, help="Seed of the query sampler.")
    p.add_argument("--procs-list", default=f"1,{os.cpu_count() or 1}", help="Worker counts to index with (comma-separated).")
    p.add_argument("--work-dir", type=Path, default=None, help="Where the indexes go [default: /tmp/newssearch-bench-CORPUSNAME].")
    p.add_argument("--index-dir", type=Path, default=None, help="newssearch index used for queries and the re-index [default: WORK/newssearch-wN for the largest N].")
    p.add_argument("--skip-index", action="store_true", help="Reuse --index-dir (and WORK/fts5.db if present) instead of indexing.")
    p.add_argument("--keep-indexes", action="store_true", help="Keep the indexes built for the smaller worker counts.")
    p.add_argument("--mmap", action=argparse.BooleanOptionalAction, default=True, help="Open the warm Searcher with mmap=True (the documented choice for a long-lived searcher).")
    p.add_argument("--cold-runs", type=int, default=10, help="One-shot CLI queries to time (each one-shot shape runs this many).")
    p.add_argument("--date-queries", type=int, default=100, help="Date-range queries (half in the query syntax, half through since/until).")
    p.add_argument("--first-use-words", type=int, default=20, help="Most common words whose first use is measured.")
    p.add_argument("--baseline", type=Path, default=None, help="A folder holding another version's newssearch package (e.g. from `git archive main src`): measured too, as a second column.")
    p.add_argument("--baseline-label", default="baseline", help="The baseline's name in the table (e.g. main@3c621ff).")
    p.add_argument("--build-fts5", type=Path, default=None, help=argparse.SUPPRESS)
    p.add_argument("--engine-child", type=Path, default=None, help=argparse.SUPPRESS)
    p.add_argument("--child-out", type=Path, default=None, help=argparse.SUPPRESS)
    return p.parse_args(argv)


def code_version() -> dict[str, Any]:
    """The git commit of the newssearch sources benchmarked, and their uncommitted changes."""
    import newssearch

    root = Path(newssearch.__file__).resolve().parents[2]

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    return {
        "module": newssearch.__file__,
        "commit": git("rev-parse", "--short", "HEAD") or os.environ.get("NEWSSEARCH_COMMIT", "unknown"),
        "dirty": git("status", "--porcelain", "--", "src").splitlines(),
    }


def reuse_indexing(previous: Path, results: dict[str, Any]) -> None:
    """With --skip-index: carry the indexing numbers of an earlier full run over (marked as such)."""
    old: dict[str, Any] = {}
    for candidate in (previous, previous.with_suffix(".partial.json")):
        try:
            old = json.loads(candidate.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if old.get("index_dir") == results["index_dir"] and "newssearch_index" in old:
            previous = candidate
            break
    else:
        return
    if old.get("index_dir") != results["index_dir"]:
        return
    for key in ("newssearch_index", "newssearch_reindex", "fts5_index"):
        if key in old:
            results[key] = old[key]
    if "baseline" in results and old.get("baseline", {}).get("index_dir") == results["baseline"]["index_dir"]:
        for key in ("newssearch_index", "newssearch_reindex"):
            if key in old["baseline"]:
                results["baseline"][key] = old["baseline"][key]
    # (a run that itself reused its indexing rows names the run they came from)
    results["indexing_from"] = old.get("indexing_from") or {"file": str(previous), "started": old.get("started")}
    log(f"indexing numbers reused from {previous} (run of {results['indexing_from']['started']})")


def save_partial(out: Path, name: str, results: dict[str, Any]) -> None:
    """Write the results gathered so far (so a long run that is stopped keeps its indexing numbers)."""
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.partial.json").write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")


def load(phase: str, results: dict[str, Any]) -> None:
    """Record the machine's load average after ``phase`` (the machine is shared)."""
    try:
        results.setdefault("load", []).append((phase, os.getloadavg()))
    except OSError:
        pass


def log(message: str) -> None:
    """A progress line on stderr."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark (or, with the hidden --build-fts5, only build an FTS5 database)."""
    args = parse_args(argv)
    if args.build_fts5 is not None:
        print(build_fts5(args.corpus, args.build_fts5))
        return
    if args.engine_child is not None:
        child_queries(args.corpus, args.engine_child, args, args.child_out)
        return
    corpus = args.corpus.resolve()
    if not corpus.is_dir():
        sys.exit(f"not a folder: {corpus}")
    procs = sorted({int(p) for p in args.procs_list.split(",") if p.strip()})
    work = (args.work_dir or Path(tempfile.gettempdir()) / f"newssearch-bench-{corpus.name}").resolve()
    work.mkdir(parents=True, exist_ok=True)
    index_dir = (args.index_dir or work / f"newssearch-w{procs[-1]}").resolve()
    fts5_db = work / "fts5.db"
    results: dict[str, Any] = {
        "corpus": str(corpus),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "args": {k: str(v) for k, v in vars(args).items()},
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "index_dir": str(index_dir),
        "code": code_version(),
    }

    log(f"reading {corpus}")
    docs = load_corpus(corpus)
    results["articles"] = len(docs)
    queries = make_queries(docs, args.queries, args.seed)
    warmup_set = warmup_queries(docs, queries, args.seed)
    results["queries"] = [asdict(q) for q in queries]
    results["warmup_queries"] = len(warmup_set)
    date_queries, date_warmup = date_query_sets(docs, args.date_queries, args.seed)
    results["date_queries"] = [asdict(q) for q in date_queries]
    log(f"{len(docs)} articles, {len(queries)} queries (and {len(warmup_set)} others to warm up), {len(date_queries)} date queries")
    del docs

    baseline_src = args.baseline.resolve() if args.baseline is not None else None
    label = args.baseline_label
    base_env = engine_env(baseline_src)
    base_index_dir = work / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', label)}-w{procs[-1]}"
    engines: list[tuple[str, dict[str, Any], Path, dict[str, str] | None]] = [("newssearch", results, index_dir, None)]
    if baseline_src is not None:
        results["baseline"] = {"label": label, "src": str(baseline_src), "index_dir": str(base_index_dir)}
        engines.append((label, results["baseline"], base_index_dir, base_env))
    load("start", results)
    if not args.skip_index:
        for name, into, target_dir, env in engines:
            into["newssearch_index"] = []
            for n in procs:
                target = target_dir if n == procs[-1] else target_dir.with_name(target_dir.name.rsplit("-w", 1)[0] + f"-w{n}")
                log(f"{name} index, workers={n} → {target}")
                run = index_newssearch(corpus, target, n, env=env)
                load(f"{name} index w{n}", results)
                log(f"  {run['added']} articles in {run['seconds']:.1f} s ({run['articles_per_s']:.0f}/s), {run['size_mib']:.0f} MiB")
                into["newssearch_index"].append(run)
                save_partial(args.out, corpus.name, results)
                if target != target_dir and not args.keep_indexes:
                    shutil.rmtree(target, ignore_errors=True)
            log(f"{name} re-index of the unchanged corpus")
            into["newssearch_reindex"] = index_newssearch(corpus, target_dir, procs[-1], rebuild=False, env=env)
            log(f"  {into['newssearch_reindex']['seconds']:.2f} s")
    else:
        for name, _, target_dir, _ in engines:
            if not target_dir.exists():
                sys.exit(f"--skip-index: no {name} index at {target_dir}")
        reuse_indexing(args.out / f"{corpus.name}.json", results)
    if not (args.skip_index and fts5_db.exists()):
        log(f"FTS5 build → {fts5_db}")
        results["fts5_index"] = index_fts5(corpus, fts5_db)
        load("FTS5 build", results)
        log(f"  {results['fts5_index']['seconds']:.1f} s")

    save_partial(args.out, corpus.name, results)
    for name, into, target_dir, env in engines:
        log(f"first use and warm queries: {name}")
        child = run_engine_child(corpus, target_dir, args, env)
        load(f"{name} queries", results)
        into["module"] = child["module"]
        into["newssearch_first_use"] = child["first_use"]
        warm = child["warm"]
        warm["per_kind"] = per_kind(queries, warm["times"])
        warm["per_kind_cpu"] = per_kind(queries, warm["cpu_times"])
        into["newssearch_warm"] = warm
        if "warm_dates" in child:
            dates = child["warm_dates"]
            dates["per_kind"] = per_kind(date_queries, dates["times"], DATE_KINDS)
            into["newssearch_warm_dates"] = dates
        save_partial(args.out, corpus.name, results)
    if baseline_src is not None and not str(results["baseline"].get("module", "")).startswith(str(baseline_src)):
        sys.exit(f"the baseline ran {results['baseline'].get('module')}, not the code in {baseline_src}")
    log("warm queries: FTS5")
    theirs = fts5_warm(fts5_db, queries, warmup_set)
    load("FTS5 queries", results)
    theirs["per_kind"] = per_kind(queries, theirs["times"])
    theirs["per_kind_cpu"] = per_kind(queries, theirs["cpu_times"])
    results["fts5_warm"] = theirs
    results["agreement"] = agreement(queries, results["newssearch_warm"]["totals"], theirs["totals"])
    if date_queries:
        theirs = fts5_warm(fts5_db, date_queries, date_warmup)
        theirs["per_kind"] = per_kind(date_queries, theirs["times"], DATE_KINDS)
        results["fts5_warm_dates"] = theirs
        if "newssearch_warm_dates" in results:
            results["agreement_dates"] = agreement(date_queries, results["newssearch_warm_dates"]["totals"], theirs["totals"], DATE_KINDS)
    save_partial(args.out, corpus.name, results)

    cold = [q for q in queries if q.kind == "keyword"][: args.cold_runs]
    for name, into, target_dir, env in engines:
        log(f"cold one-shot queries ×{len(cold)}: {name}")
        into["newssearch_cold"] = newssearch_cold(target_dir, cold, env)
        log(f"one-shot CLI shapes ×{len(cold)}: {name}")
        into["newssearch_one_shot"] = newssearch_one_shot(target_dir, cold, date_queries, env)
        save_partial(args.out, corpus.name, results)
    results["fts5_cold"] = fts5_cold(fts5_db, cold)
    results["fts5_one_shot"] = fts5_one_shot(fts5_db, cold, date_queries)
    load("end", results)

    rows = build_rows(results)
    base_label = label if baseline_src is not None else None
    columns = ("metric", "newssearch", label, "fts5", "ratio", f"ratio_{label}") if base_label else ("metric", "newssearch", "fts5", "ratio")
    results["table"] = [dict(zip(columns, r.cells(bool(base_label)))) for r in rows]
    markdown = f"### {corpus.name}: {results['articles']:,} articles, {len(queries)} queries (seed {args.seed}), {os.cpu_count()} CPUs\n\n"
    code = results["code"]
    markdown += f"newssearch at commit {code['commit']}" + (f" with {len(code['dirty'])} uncommitted file(s) under src/" if code["dirty"] else "") + ".\n\n"
    if base_label:
        markdown += f"Baseline {base_label}: the newssearch package in {baseline_src}.\n\n"
    if "indexing_from" in results:
        markdown += f"Indexing rows from the run of {results['indexing_from']['started']} (this run used --skip-index).\n\n"
    loads = ", ".join(f"{phase} {one:.1f}" for phase, (one, _, _) in results.get("load", []))
    markdown += f"Load average (1 min) after each phase: {loads}.\n\n"
    markdown += table(rows, base_label)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{corpus.name}.json").write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    (args.out / f"{corpus.name}.md").write_text(markdown + "\n", encoding="utf-8")
    print(markdown)
    log(f"wrote {args.out / (corpus.name + '.json')}")


if __name__ == "__main__":
    main()
