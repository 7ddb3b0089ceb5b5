"""The near-duplicate evaluation: its exact reference and its end-to-end run (synthetic articles)."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest

from newssearch.enrich import duplicates as dup
from newssearch.evals import duplicates as ev

_WORDS = ["storm", "coast", "mayor", "budget", "river", "court", "union", "strike", "harbour", "vote", "the", "of", "said", "in"]


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words))


def _brute_force(token_lists: list[list[str]]) -> dict[tuple[int, int], float]:
    sets = []
    for tokens in token_lists:
        if len(tokens) >= 5:
            sets.append({tuple(tokens[i:i + 5]) for i in range(len(tokens) - 4)})
        else:
            sets.append({tuple(tokens)} if tokens else set())
    out = {}
    for a, b in itertools.combinations(range(len(sets)), 2):
        common = len(sets[a] & sets[b])
        if common:
            out[(a, b)] = common / len(sets[a] | sets[b])
    return out


def test_reference_equals_brute_force() -> None:
    rng = random.Random(3)
    token_lists = [dup.words(_text(rng, rng.randrange(0, 40))) for _ in range(60)]
    token_lists += [list(token_lists[5]), token_lists[7][:-2], ["short", "one"], ["short", "one"]]
    ref = ev.reference(token_lists)
    assert ref.lookup() == pytest.approx(_brute_force(token_lists))
    assert (5, 60) in ref.pairs() and (62, 63) in ref.pairs()


def _articles(tmp_path: Path) -> Path:
    rng = random.Random(5)
    records = []
    for n in range(30):
        body = "\n\n".join(_text(rng, 40) for _ in range(5))
        records.append({"id": f"s{n}", "title": f"Story {n}", "text": body, "published": f"2024-01-{n % 28 + 1:02d}", "source": "Wire"})
    records.append({**records[3], "id": "copy-of-s3", "source": "Outlet", "published": "2024-02-01"})
    records.append({**records[4], "id": "edit-of-s4", "text": records[4]["text"] + "\n\nA correction was appended later."})
    path = tmp_path / "articles.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    return path


def test_evaluation_runs_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert ev.main([str(_articles(tmp_path)), "--examples", "2"]) == 0
    out = capsys.readouterr().out
    assert "32 articles; reference: 2 pairs" in out
    assert "pair recall 1.0000  precision 1.0000" in out
    assert "copy-of-s3" in out and "Story 3" in out and "Outlet" in out


def test_evaluation_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert ev.main([str(_articles(tmp_path)), "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["reference"]["pairs"] == 2 and res["method"]["pairs"]["tp"] == 2
    assert res["verified"]["pairs"]["recall"] == 1.0
    assert [g["rule"] for g in res["grouping"]] == ["leader", "component"]
    first = res["examples"][0]["members"]
    assert first[0]["similarity"] == 1.0 and len(first) == 2


def test_evaluation_without_articles(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty.jsonl").write_text("", encoding="utf-8")
    assert ev.main([str(tmp_path / "empty.jsonl")]) == 1
    assert "no articles found" in capsys.readouterr().err
