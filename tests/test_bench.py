"""The benchmark's query sets (bench/run.py): the warm-up pass must not run the timed queries."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "run.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module  # (dataclasses look their module up)
    spec.loader.exec_module(module)
    return module


def test_warmup_queries_share_no_timed_query(bench: ModuleType) -> None:
    docs = bench.load_corpus(Path(__file__).resolve().parent.parent / "corpus")
    assert len(docs) > 100
    queries = bench.make_queries(docs, 40, seed=1)
    warmup = bench.warmup_queries(docs, queries, seed=1)
    key = lambda q: (q.kind, q.text, q.source, q.year)  # noqa: E731
    timed = {key(q) for q in queries}
    assert len(timed) > 30
    assert not timed & {key(q) for q in warmup}
    assert 30 < len(warmup) <= 40
    assert {q.kind for q in warmup} == {q.kind for q in queries} == set(bench.KINDS)
    # the same seed gives the same queries (the benchmark is repeatable)
    assert [key(q) for q in bench.make_queries(docs, 40, seed=1)] == [key(q) for q in queries]


def test_hostile_query_set_fits_the_query_limit() -> None:
    """bench/hostile.py: every hostile query is at most 2,000 characters, the same for the
    same vocabulary, and the option suffixes map to search() arguments."""
    spec = importlib.util.spec_from_file_location("bench_hostile", BENCH.parent / "hostile.py")
    assert spec is not None and spec.loader is not None
    hostile = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hostile)
    words = [f"word{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}" for i in range(600)] + ["said", "year", "the"]
    queries = hostile.hostile_queries(words)
    assert len(queries) >= 20 and queries == hostile.hostile_queries(words)
    assert all(0 < len(q) <= 2000 for q in queries.values())
    assert hostile.options("common words max (OR) --paragraphs") == {"paragraphs": True}
    assert hostile.options("infix max (AND)") == {}


def test_date_queries_never_repeat_a_range_and_share_none_with_the_warm_up(bench: ModuleType) -> None:
    docs = bench.load_corpus(Path(__file__).resolve().parent.parent / "corpus")
    timed, warmup = bench.date_query_sets(docs, 40, seed=1)
    ranges = [(q.since, q.until) for q in timed]
    assert len(timed) == 40 and len(set(ranges)) == 40  # (no cache can hold one range's answer for another query)
    assert not set(ranges) & {(q.since, q.until) for q in warmup} and len(warmup) == 40
    assert {q.kind for q in timed} == set(bench.DATE_KINDS)
    for q in timed:
        assert q.since <= q.until
        if q.kind == bench.DATE_KINDS[0]:
            assert q.text.endswith(f" published:[{q.since} to {q.until}]") and "since" not in q.search_kwargs()
        else:
            assert q.search_kwargs() == {"since": q.since, "until": q.until}
    assert [(q.text, q.since) for q in bench.date_query_sets(docs, 40, seed=1)[0]] == [(q.text, q.since) for q in timed]
    shape = dict(bench.ONE_SHOT_SHAPES)["date range, query syntax"]
    assert bench.shape_command(shape, timed[0], timed[1]) == [f"{timed[0].text} published:[{timed[1].since} to {timed[1].until}]"]


def test_one_shots_stopped_by_the_query_budget_are_counted_not_fatal(bench: ModuleType) -> None:
    """A baseline whose one-shot query the 1 s budget stops (exit 1, its one-line message) is
    timed and marked in the table; any other failure still stops the benchmark."""
    from types import SimpleNamespace

    stopped = SimpleNamespace(returncode=1, stderr="Error: query too expensive: 'viner seven' took more than 1 s (ranking); use fewer ...\n")
    assert bench._stopped_by_budget(stopped) and bench._stopped_by_budget(SimpleNamespace(returncode=2, stderr=stopped.stderr))
    assert not bench._stopped_by_budget(SimpleNamespace(returncode=1, stderr="Error: no index at /tmp/x\n"))
    assert not bench._stopped_by_budget(SimpleNamespace(returncode=0, stderr=""))
    name = bench.ONE_SHOT_SHAPES[1][0]
    runs = [{"seconds": s, "cpu_seconds": s, "stopped": s > 1} for s in (0.5, 0.6, 0.7)]
    base_runs = [{"seconds": s, "cpu_seconds": s, "stopped": s > 1} for s in (1.5, 2.0, 0.9)]
    results = {"newssearch_one_shot": {name: {"runs": runs}}, "baseline": {"newssearch_one_shot": {name: {"runs": base_runs}}}}
    rows = [r for r in bench.build_rows(results) if r.metric.startswith(f"one-shot CLI, {name}: whole process")]
    assert len(rows) == 1 and rows[0].ours == pytest.approx(600) and rows[0].base == pytest.approx(1500)
    assert "2 of 3 stopped by the 1 s query budget (baseline)" in rows[0].note
