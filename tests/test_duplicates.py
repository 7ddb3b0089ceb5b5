"""Near-duplicate signatures, the incremental DuplicateIndex and its groups (synthetic text only)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from newssearch.enrich import duplicates as dup
from newssearch.enrich.duplicates import DuplicateIndex, Group
from newssearch.errors import IndexError_
from newssearch.model import Article

# --------------------------------------------------------------------------- synthetic stories

_VOCAB = [
    "council", "minister", "river", "bridge", "election", "vote", "report", "police", "court", "trial", "market",
    "shares", "bank", "rate", "inflation", "farmers", "harvest", "storm", "coast", "village", "mayor", "budget",
    "school", "hospital", "doctors", "strike", "union", "talks", "agreement", "border", "troops", "ceasefire",
    "museum", "painting", "auction", "record", "season", "coach", "players", "match", "goal", "injury", "airport",
    "flights", "delays", "energy", "prices", "winter", "pipeline", "factory", "jobs", "workers",
]
_GLUE = ["the", "a", "of", "in", "on", "to", "and", "for", "with", "after", "before", "said", "that", "was", "has", "will"]


def paragraph(rng: random.Random, words: int = 45) -> str:
    """A deterministic sentence-like paragraph of pseudo-random words."""
    out = []
    for i in range(words):
        out.append(rng.choice(_GLUE) if i % 3 == 1 else rng.choice(_VOCAB))
    return " ".join(out).capitalize() + "."


def story(seed: int, paragraphs: int = 7) -> list[str]:
    rng = random.Random(seed)
    return [paragraph(rng) for _ in range(paragraphs)]


def text_of(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs)


def exact_jaccard(a: str, b: str) -> float:
    return dup.jaccard(dup.shingle_hashes(dup.words(a)), dup.shingle_hashes(dup.words(b)))


def sig(text: str) -> dup.Signature:
    value = dup.signature(text)
    assert value is not None
    return value


DAY = dt.date(2024, 3, 1)

# --------------------------------------------------------------------------- signatures


def test_words_fold_case_and_ignore_punctuation() -> None:
    assert dup.words("Don’t STOP—now, \"please\".\n\nThe end") == ["don", "t", "stop", "now", "please", "the", "end"]
    assert dup.words("Don't stop - now; please!  THE END") == dup.words("Don’t STOP—now, \"please\".\n\nThe end")


def test_shingles_of_short_and_empty_texts() -> None:
    assert len(dup.shingle_hashes(dup.words("one two three four five six"))) == 2
    assert len(dup.shingle_hashes(["only", "three", "words"])) == 1
    assert len(dup.shingle_hashes([])) == 0
    assert dup.signature("  ...  ") is None
    assert dup.signature("Three short words") is not None


def test_repeated_shingles_count_once() -> None:
    assert len(dup.shingle_hashes(["a", "b", "c", "d", "e"] * 3)) == 5


def test_signature_is_fixed_across_runs() -> None:
    """Seeded permutations and CRC word hashes: stored signatures stay comparable.

    If this changes (a new datasketch scheme, another word hash), indexes made before
    can no longer be compared with new articles: bump the duplicates file format.
    """
    value = sig("The quick brown fox jumps over the lazy dog near the river bank today.")
    assert value.dtype == np.uint32 and value.shape == (dup.NUM_PERM,)
    assert value[:6].tolist() == [356311979, 279061230, 45889932, 1537396456, 281722557, 232235972]


def test_minhash_equals_a_fresh_datasketch_minhash() -> None:
    from datasketch import MinHash  # type: ignore[import-untyped]

    for seed in (1, 2):
        shingles = dup.shingle_hashes(dup.words(text_of(story(seed))))
        fresh = MinHash(num_perm=dup.NUM_PERM, seed=dup.SEED, hashfunc=int, scheme=dup.SCHEME)
        fresh.update_batch(shingles.tolist())
        assert np.array_equal(dup.minhash(shingles), fresh.hashvalues)


def test_signature_bytes_round_trip() -> None:
    value = sig(text_of(story(1)))
    data = dup.signature_to_bytes(value)
    assert len(data) == 4 * dup.NUM_PERM
    assert np.array_equal(dup.signature_from_bytes(data), value)
    with pytest.raises(ValueError):
        dup.signature_from_bytes(data[:-1])


def test_fingerprint_uses_body_not_title() -> None:
    body = story(2)
    a = dup.fingerprint(Article(id="a", title="Storm hits coast", paragraphs=body))
    b = dup.fingerprint(Article(id="b", title="Completely different headline here", paragraphs=body))
    assert a.signature is not None and b.signature is not None and np.array_equal(a.signature, b.signature)
    assert a.words == len(dup.words(text_of(body)))
    assert np.array_equal(a.shingles, dup.shingle_hashes(dup.words(text_of(body))))
    assert dup.fingerprint(Article(id="c", title="Only a title", paragraphs=[])).signature is None


def test_estimate_tracks_exact_jaccard() -> None:
    base = story(3, 10)
    edited = base[:8] + story(103, 2)
    assert abs(dup.estimate(sig(text_of(base)), sig(text_of(edited))) - exact_jaccard(text_of(base), text_of(edited))) < 0.15


# --------------------------------------------------------------------------- copies and stories


def index_of(*articles: tuple[str, str, dt.date | dt.datetime | None]) -> DuplicateIndex:
    index = DuplicateIndex()
    for article_id, text, published in articles:
        index.add(article_id, dup.signature(text), published, len(dup.words(text)))
    return index


def test_exact_copies_form_one_group() -> None:
    text = text_of(story(10))
    index = index_of(("bbc:1", text, DAY), ("reuters:9", text, DAY + dt.timedelta(days=1)), ("other", text_of(story(11)), DAY))
    group = index.group_of("reuters:9")
    assert group.ids == ("bbc:1", "reuters:9")
    assert [m.similarity for m in group.members] == [1.0, 1.0]
    assert index.group_of("other").ids == ("other",)
    assert [g.ids for g in index.groups()] == [("bbc:1", "reuters:9")]


def test_corrected_word_is_a_copy() -> None:
    original = story(20)
    corrected = list(original)
    corrected[3] = corrected[3].replace(corrected[3].split()[4], "corrected", 1)
    assert 0.8 <= exact_jaccard(text_of(original), text_of(corrected)) < 1.0
    index = index_of(("v1", text_of(original), DAY), ("v2", text_of(corrected), dt.datetime(2024, 3, 1, 18, 30)))
    assert index.group_of("v2").ids == ("v1", "v2")
    assert 0.8 <= index.group_of("v2").members[1].similarity < 1.0


def test_different_byline_and_footer_is_a_copy() -> None:
    body = story(30, 9)
    wire = text_of(["By Anna Example, Staff Reporter", *body, "Reporting by Anna Example; Editing by Ben Sample"])
    outlet = text_of(["LONDON (Example Wire) -", *body, "Copyright 2024 Example Media. All rights reserved. Share this article"])
    assert exact_jaccard(wire, outlet) >= 0.8
    index = index_of(("wire", wire, DAY), ("outlet", outlet, DAY))
    assert set(index.group_of("wire").ids) == {"wire", "outlet"}


def test_updated_version_with_a_paragraph_added_is_a_copy() -> None:
    body = story(40, 10)
    updated = [*body, paragraph(random.Random(401))]
    assert exact_jaccard(text_of(body), text_of(updated)) >= 0.8
    index = index_of(("first", text_of(body), dt.datetime(2024, 3, 1, 9)), ("update", text_of(updated), dt.datetime(2024, 3, 1, 12)))
    assert index.group_of("update").representative == "first"


def test_follow_up_sharing_one_paragraph_stays_apart() -> None:
    first = story(50, 7)
    quote = first[2]
    follow_up = [*story(51, 3), quote, *story(52, 3)]  # a later story repeating one paragraph (a quote)
    assert exact_jaccard(text_of(first), text_of(follow_up)) < 0.2
    index = index_of(("day1", text_of(first), DAY), ("day2", text_of(follow_up), DAY + dt.timedelta(days=1)))
    assert index.groups() == []
    assert index.group_of("day2").ids == ("day2",)


def test_follow_up_sharing_half_the_story_stays_apart() -> None:
    first = story(60, 8)
    follow_up = first[:4] + story(61, 4)
    assert exact_jaccard(text_of(first), text_of(follow_up)) < 0.5
    assert index_of(("a", text_of(first), DAY), ("b", text_of(follow_up), DAY)).groups() == []


def test_article_without_words_is_never_grouped() -> None:
    index = DuplicateIndex()
    index.add("empty1", None, DAY, 0)
    index.add("empty2", None, DAY, 0)
    assert index.groups() == []
    assert index.group_of("empty1").ids == ("empty1",)
    assert index.similarity("empty1", "empty2") == 0.0
    with pytest.raises(KeyError):
        index.group_of("missing")


# --------------------------------------------------------------------------- representative


def test_representative_is_earliest_then_longest_then_smallest_id() -> None:
    s = sig(text_of(story(70)))
    index = DuplicateIndex()
    index.add("late", s, dt.datetime(2024, 3, 2, 9, 0), 500)
    index.add("undated", s, None, 900)
    index.add("early-short", s, dt.datetime(2024, 3, 1, 8, 0), 300)
    index.add("early-long", s, dt.datetime(2024, 3, 1, 8, 0), 310)
    assert index.group_of("late").ids == ("early-long", "early-short", "late", "undated")
    index.add("b-tie", s, dt.datetime(2024, 3, 1, 8, 0), 310)
    index.add("a-tie", s, dt.datetime(2024, 3, 1, 8, 0), 310)
    assert index.group_of("late").representative == "a-tie"
    # a date alone counts as midnight: before that day's timed copies
    index.add("dated", s, dt.date(2024, 3, 1), 1)
    assert index.group_of("late").representative == "dated"
    # aware datetimes compare in UTC
    index.add("aware", s, dt.datetime(2024, 2, 29, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-1))), 1)
    assert index.group_of("late").representative == "dated"
    index.add("aware", s, dt.datetime(2024, 2, 29, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))), 1)
    assert index.group_of("late").representative == "aware"


def _perturbed(base: dup.Signature, positions: list[int], salt: int) -> dup.Signature:
    out = base.copy()
    out[positions] = (out[positions].astype(np.uint64) + 1 + salt).astype(np.uint32)
    return out


def test_leader_rule_does_not_chain_revisions() -> None:
    """A~B and B~C but not A~C: B joins A, C is a story of its own (the component rule would chain them)."""
    base = np.arange(dup.NUM_PERM, dtype=np.uint32) * 7919
    a = base
    b = _perturbed(a, list(range(0, 80, 4)), 1)  # 20 values differ: estimate 0.84
    c = _perturbed(b, list(range(1, 81, 4)), 2)  # 20 more: 0.84 to b, 0.69 to a
    assert dup.estimate(a, b) >= 0.8 and dup.estimate(b, c) >= 0.8 and dup.estimate(a, c) < 0.8
    for grouping, expected in (("leader", [("A", "B")]), ("component", [("A", "B", "C")])):
        index = DuplicateIndex(rule=grouping)  # type: ignore[arg-type]
        index.add("C", c, DAY + dt.timedelta(days=2), 100)
        index.add("A", a, DAY, 100)
        index.add("B", b, DAY + dt.timedelta(days=1), 100)
        assert [g.ids for g in index.groups()] == expected, grouping
    leader = DuplicateIndex()
    leader.add("A", a, DAY, 100)
    leader.add("B", b, DAY + dt.timedelta(days=1), 100)
    leader.add("C", c, DAY + dt.timedelta(days=2), 100)
    assert leader.remove("A") == {"A", "B", "C"}  # B now leads, and C joins it
    assert [g.ids for g in leader.groups()] == [("B", "C")]


def test_add_and_remove_report_changed_representatives() -> None:
    text = text_of(story(80))
    index = DuplicateIndex()
    assert index.add("x", sig(text), DAY + dt.timedelta(days=1), 10) == {"x"}
    assert index.add("y", sig(text), DAY + dt.timedelta(days=2), 10) == {"y"}  # joins x's group; x stays its own representative
    assert index.add("w", sig(text), DAY, 10) == {"w", "x", "y"}  # an earlier copy becomes the representative
    assert index.add("w", sig(text), DAY, 10) == set()  # nothing changed
    assert index.remove("nope") == set()
    assert index.remove("w") == {"w", "x", "y"}
    assert index.add("y", sig(text_of(story(81))), DAY, 10) == {"y"}  # edited into another story: x is alone, still its own


# --------------------------------------------------------------------------- bytes


def test_save_load_round_trip_and_continue() -> None:
    base = story(90, 8)
    texts = {
        "a": text_of(base), "b": text_of(base), "c": text_of([*base, paragraph(random.Random(91))]),
        "d": text_of(story(92)), "e": text_of(story(92)), "f": "",
    }
    index = DuplicateIndex()
    for i, (article_id, text) in enumerate(texts.items()):
        index.add(article_id, dup.signature(text), dt.datetime(2024, 1, 1 + i, 12), len(dup.words(text)))
    index.remove("a")
    index.meta = {"generation": 7}
    loaded = DuplicateIndex.load(index.save())
    assert loaded.meta == {"generation": 7}
    assert loaded.groups(min_size=1) == index.groups(min_size=1)
    assert sorted(loaded.pairs()) == sorted(index.pairs())
    assert loaded.ids() == index.ids() == ["b", "c", "d", "e", "f"]
    groups = dup.read_groups(index.save())
    assert groups["c"] == index.group_of("c") == groups["b"]
    assert sorted(groups) == sorted(a for g in index.groups() for a in g.ids)
    for each in (index, loaded):
        each.add("g", dup.signature(texts["a"]), dt.datetime(2023, 1, 1), 5)
        each.remove("d")
    assert loaded.groups(min_size=1) == index.groups(min_size=1)
    assert loaded.group_of("b").representative == "g"
    empty = DuplicateIndex.load(DuplicateIndex().save())
    assert len(empty) == 0 and empty.groups() == []


def test_save_load_through_a_file(tmp_path: Path) -> None:
    text = text_of(story(96))
    index = index_of(("a", text, DAY), ("b", text, DAY + dt.timedelta(days=1)), ("c", text_of(story(97)), DAY))
    path = tmp_path / "duplicates.npz"
    path.write_bytes(index.save())
    assert DuplicateIndex.load(path).groups(min_size=1) == index.groups(min_size=1)
    assert dup.read_groups(str(path))["b"].ids == ("a", "b")
    with pytest.raises(IndexError_, match="cannot read the duplicates file .*missing.npz: No such file"):
        dup.read_groups(tmp_path / "missing.npz")


def test_load_rejects_damaged_or_foreign_bytes() -> None:
    data = index_of(("a", text_of(story(95)), DAY)).save()
    for bad in (b"", b"not an index", data[: len(data) // 2]):
        with pytest.raises(IndexError_):
            DuplicateIndex.load(bad)


# --------------------------------------------------------------------------- incremental = from scratch

_RNG = np.random.default_rng(7)
_BASES = [_RNG.integers(0, 2**32, dup.NUM_PERM, dtype=np.uint64).astype(np.uint32) for _ in range(2)]
#: Signatures at various distances from two bases (and from each other), so that pairs,
#: chains A~B~C with A≁C, and identical signatures all occur.
_POOL: list[dup.Signature | None] = [None]
for _base in _BASES:
    _POOL.append(_base)
    for _k, _differ in enumerate((8, 16, 24, 24, 32, 40)):
        _positions = sorted(_RNG.choice(dup.NUM_PERM, _differ, replace=False).tolist())
        _POOL.append(_perturbed(_base, _positions, _k))
_DATES: list[dt.date | dt.datetime | None] = [None, dt.date(2024, 1, 1), dt.datetime(2024, 1, 1, 6), dt.datetime(2024, 1, 2)]
_IDS = [f"id{i}" for i in range(8)]


def _brute_force_pairs(
    items: Sequence[tuple[str, dup.Signature | None, object, int]], verify: dup.Verifier | None = None
) -> list[tuple[str, str, float]]:
    """The copy pairs by comparing every two signatures (and bands, when a verifier may lift
    a pair under the threshold): what the LSH buckets must not lose."""
    out = []
    for i, (a, sig_a, _, _) in enumerate(items):
        for b, sig_b, _, _ in items[i + 1:]:
            if sig_a is None or sig_b is None:
                continue
            sim = dup.estimate(sig_a, sig_b)
            if sim == 1.0:  # one node: a pair without verification
                out.append((min(a, b), max(a, b), 1.0))
                continue
            if verify is not None and abs(sim - dup.THRESHOLD) < dup.MARGIN:
                exact = verify(a, b)
                sim = sim if exact is None else exact
            keys = dup.band_keys(np.array([sig_a, sig_b]), dup.BANDS, dup.ROWS)
            if sim >= dup.THRESHOLD and bool((keys[0] == keys[1]).any()):
                out.append((min(a, b), max(a, b), sim))
    return sorted(out)


def _state(index: DuplicateIndex) -> list[tuple[tuple[str, ...], tuple[float, ...]]]:
    return [(g.ids, tuple(m.similarity for m in g.members)) for g in index.groups(min_size=1)]


class IncrementalDuplicates(RuleBasedStateMachine):
    """Adds, edits, removes and reloads keep the groups equal to a from-scratch build."""

    verifying = False

    def __init__(self) -> None:
        super().__init__()
        self.articles: dict[str, tuple[dup.Signature | None, dt.date | dt.datetime | None, int]] = {}
        self.verify = self._verify if self.verifying else None
        self.index = DuplicateIndex(verify=self.verify)

    def _verify(self, a: str, b: str) -> float:
        """A stand-in for exact Jaccard: the estimate moved by +-0.05, symmetric, from the signatures alone."""
        sig_a, sig_b = self.articles[a][0], self.articles[b][0]
        assert sig_a is not None and sig_b is not None
        shift = 0.05 if (int(sig_a[0]) ^ int(sig_b[0])) & 1 else -0.05
        return dup.estimate(sig_a, sig_b) + shift

    def _reps(self) -> dict[str, str]:
        return {a: self.index.representative_of(a) for a in self.articles}

    @rule(article_id=st.sampled_from(_IDS), which=st.integers(0, len(_POOL) - 1), date=st.sampled_from(_DATES), length=st.integers(1, 3))
    def add_or_edit(self, article_id: str, which: int, date: dt.date | dt.datetime | None, length: int) -> None:
        before = self._reps()
        self.articles[article_id] = (_POOL[which], date, length)
        changed = self.index.add(article_id, _POOL[which], date, length)
        after = self._reps()
        assert changed == {a for a in after if before.get(a) != after[a]}

    @rule(article_id=st.sampled_from(_IDS))
    def remove(self, article_id: str) -> None:
        before = self._reps()
        changed = self.index.remove(article_id)
        self.articles.pop(article_id, None)
        after = self._reps()
        assert changed == {a for a in before if after.get(a) != before[a]}

    @rule()
    def reload(self) -> None:
        data = self.index.save()
        assert dup.read_groups(data) == {a: g for g in self.index.groups() for a in g.ids}
        self.index = DuplicateIndex.load(data, verify=self.verify)

    @invariant()
    def equals_from_scratch(self) -> None:
        items = [(a, *v) for a, v in sorted(self.articles.items())]
        forward = DuplicateIndex.build(items, verify=self.verify)
        backward = DuplicateIndex.build(reversed(items), verify=self.verify)
        assert _state(self.index) == _state(forward) == _state(backward)
        assert sorted(self.index.pairs()) == sorted(forward.pairs()) == _brute_force_pairs(items, self.verify)
        for group in self.index.groups():
            assert all(m.similarity >= dup.THRESHOLD for m in group.members)


class IncrementalVerifiedDuplicates(IncrementalDuplicates):
    """The same, with a verifier deciding the pairs near the threshold."""

    verifying = True


IncrementalDuplicates.TestCase.settings = settings(max_examples=30, stateful_step_count=20, deadline=None)
TestIncrementalDuplicates = IncrementalDuplicates.TestCase
IncrementalVerifiedDuplicates.TestCase.settings = settings(max_examples=20, stateful_step_count=20, deadline=None)
TestIncrementalVerifiedDuplicates = IncrementalVerifiedDuplicates.TestCase


def test_verifier_decides_pairs_near_the_threshold() -> None:
    base = np.arange(dup.NUM_PERM, dtype=np.uint32) * 7919
    near = _perturbed(base, list(range(0, 80, 4)), 1)  # estimate 0.84: near the threshold
    under = _perturbed(base, list(range(104, 128)) + list(range(0, 28, 4)), 2)  # estimate 0.76, still a candidate
    same = _perturbed(base, [0, 1, 2], 3)  # estimate 0.98: far above
    exact = {
        frozenset(("base", "near")): 0.78, frozenset(("base", "under")): 0.83, frozenset(("near", "under")): 0.6,
        frozenset(("same", "near")): 0.79, frozenset(("same", "under")): 0.82,
    }
    calls: list[frozenset[str]] = []

    def verify(a: str, b: str) -> float:
        calls.append(frozenset((a, b)))
        return exact[frozenset((a, b))]

    index = DuplicateIndex(verify=verify)
    for article_id, value in (("base", base), ("near", near), ("under", under), ("same", same)):
        index.add(article_id, value, DAY, 10)
    assert [g.ids for g in index.groups()] == [("base", "same", "under")]
    assert [m.similarity for m in index.group_of("under").members] == [1.0, 125 / 128, 0.83]
    # base~same is far above the threshold (no need to ask); near~under is not even a candidate
    assert set(calls) == {frozenset(p) for p in (("base", "near"), ("base", "under"), ("near", "same"), ("same", "under"))}
    assert DuplicateIndex.load(index.save()).group_of("under") == index.group_of("under")
    assert dup.read_groups(index.save())["under"] == index.group_of("under")
    for plain in (DuplicateIndex(), DuplicateIndex(verify=lambda a, b: None)):  # no verifier, or one that cannot tell
        for article_id, value in (("base", base), ("near", near), ("under", under)):
            plain.add(article_id, value, DAY, 10)
        assert [g.ids for g in plain.groups()] == [("base", "near")]


def _edited(seed: int) -> tuple[str, str]:
    """A story and a copy with nine words replaced (exact Jaccard near 0.8)."""
    body = " ".join(story(1000 + seed, 8))
    rng = random.Random(seed)
    words = body.split()
    for _ in range(9):
        words[rng.randrange(len(words))] = f"zzz{rng.randrange(1000)}"
    return body, " ".join(words)


@pytest.mark.parametrize(("seed", "copies"), [(38, False), (49, True)])
def test_exact_verifier_corrects_the_estimate_near_the_threshold(seed: int, copies: bool) -> None:
    first, second = _edited(seed)
    exact = exact_jaccard(first, second)
    estimated = dup.estimate(sig(first), sig(second))
    assert (exact >= dup.THRESHOLD) == copies and (estimated >= dup.THRESHOLD) != copies  # the estimate alone is wrong here
    stored = {"first": first}
    reads: list[str] = []

    def text_of(article_id: str) -> str | None:
        reads.append(article_id)
        return stored.get(article_id)

    verifier = dup.ExactVerifier(text_of)
    index = DuplicateIndex(verify=verifier)
    index.add("first", sig(first), DAY, 100)  # indexed in an earlier run: its text comes from the store
    verifier.remember("second", dup.shingle_hashes(dup.words(second)))
    index.add("second", sig(second), DAY, 100)
    assert (index.groups() != []) == copies
    assert reads == ["first"]
    assert verifier("first", "second") == pytest.approx(exact) and reads == ["first"]  # cached
    verifier.forget("first")
    stored.clear()
    assert verifier("first", "second") is None  # no text: the estimate decides


def test_many_updates_merge_and_rebuild_buckets_without_losing_pairs() -> None:
    """Hundreds of adds (bucket merges every 256 nodes), mass removal (a rebuild), edits."""
    rng = np.random.default_rng(11)
    items: dict[str, tuple[dup.Signature | None, dt.date | dt.datetime | None, int]] = {}
    index = DuplicateIndex()
    for n in range(600):
        base = _BASES[n % 2] if n % 3 else rng.integers(0, 2**32, dup.NUM_PERM, dtype=np.uint64).astype(np.uint32)
        differ = int(rng.integers(0, 40))
        value = _perturbed(base, sorted(rng.choice(dup.NUM_PERM, differ, replace=False).tolist()), n)
        items[f"a{n}"] = (value, dt.datetime(2024, 1, 1) + dt.timedelta(hours=int(rng.integers(0, 100))), int(rng.integers(1, 9)))
        index.add(f"a{n}", *items[f"a{n}"])
    for n in range(0, 600, 3):
        index.remove(f"a{n}")
        index.remove(f"a{n + 1}")
        del items[f"a{n}"], items[f"a{n + 1}"]
    for n in range(2, 600, 9):
        items[f"a{n}"] = (items[f"a{(n + 3) % 600 // 3 * 3 + 2}"][0], None, 1)
        index.add(f"a{n}", *items[f"a{n}"])
    ordered = [(a, *v) for a, v in sorted(items.items())]
    assert _state(index) == _state(DuplicateIndex.build(ordered))
    assert sorted(index.pairs()) == _brute_force_pairs(ordered)
    assert len(index.groups()) > 5


def test_group_dataclass() -> None:
    group = Group((dup.Version("a", None, 3, 1.0), dup.Version("b", None, 2, 0.9)))
    assert group.representative == "a" and group.ids == ("a", "b") and len(group) == 2
