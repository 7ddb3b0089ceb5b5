"""Evaluate near-duplicate detection (:mod:`newssearch.enrich.duplicates`) against an exact reference.

    python -m newssearch.evals.duplicates /work/data/real/bbc.jsonl /work/data/real/reuters.jsonl
    python -m newssearch.evals.duplicates FILES... --sweep      # + the parameter tables
    python -m newssearch.evals.duplicates FILES... --json

Articles are read as the indexer reads them (any format it reads). Then:

* **reference** — every pair of articles whose bodies have a word 5-shingle Jaccard
  similarity of at least 0.8, found exhaustively and exactly: words are numbered
  (a vocabulary, no hashing), each shingle is the tuple of its five word numbers (made
  unique with ``numpy.unique``), the articles × shingles incidence matrix ``X`` is sparse,
  and ``X·Xᵀ`` gives the size of the intersection of *every* pair of articles that share
  a shingle (a pair sharing none has similarity 0). This is the brute force, done
  through the inverted index the sparse product amounts to.
* **method** — signatures (:func:`~newssearch.enrich.duplicates.signature`) added one by
  one to a :class:`~newssearch.enrich.duplicates.DuplicateIndex`; its copy pairs
  (:meth:`~newssearch.enrich.duplicates.DuplicateIndex.pairs`) are scored against the
  reference: pair recall and precision; then again with a verifier that computes the
  exact Jaccard similarity (of the 32-bit shingle hashes) of the candidate pairs whose
  estimate is near the threshold. Also scored: the pairs implied by the groups (two
  articles in one group) for the two grouping rules, and how far each group's members
  are from its representative.
* **cost** — CPU time (``time.process_time``, so that other processes on the machine do
  not count) per article of the signature (words, shingle hashes, MinHash) and of
  :meth:`~newssearch.enrich.duplicates.DuplicateIndex.add`, medians and means, compared
  with the ~11 ms an article costs to index; size of the saved index, time to load it
  whole and to read only its groups.

``--sweep`` adds the tables the parameters were chosen from: permutations, LSH bands ×
rows and verification threshold; shingle normalisation (how the reference pairs change
when words keep case and punctuation, or go through NFKC).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from newssearch.enrich import duplicates as dup
from newssearch.enrich.dates import parse_date
from newssearch.ingest import discover, read_file
from newssearch.model import Article

#: What an article costs to index now (ms, the bench's full runs): the budget signatures are compared with.
INDEX_MS_PER_ARTICLE = 11.0


# --------------------------------------------------------------------------- reading


def read_articles(paths: list[str]) -> list[Article]:
    """Every article of the given files and folders, in order, as the indexer reads them."""
    found = discover(list(paths))
    for err in found.skipped:
        print(f"skipped: {err}", file=sys.stderr)
    articles: list[Article] = []
    for file in found.files:
        result = read_file(file)
        for err in result.errors:
            print(f"skipped: {err}", file=sys.stderr)
        articles.extend(result.articles)
    for article in articles:  # the date part of enrichment (the rest does not matter here)
        if article.published is None and article.published_text:
            article.published = parse_date(article.published_text)
    return articles


# --------------------------------------------------------------------------- reference


@dataclass
class Reference:
    """Exact similarities of every pair of articles sharing at least one shingle."""

    rows: npt.NDArray[np.int64]
    cols: npt.NDArray[np.int64]
    jaccard: npt.NDArray[np.float64]
    seconds: float

    def pairs(self, threshold: float = dup.THRESHOLD) -> set[tuple[int, int]]:
        """The pairs ``(i, j)``, ``i < j``, with Jaccard similarity at least ``threshold``."""
        keep = self.jaccard >= threshold
        return set(zip(self.rows[keep].tolist(), self.cols[keep].tolist()))

    def lookup(self) -> dict[tuple[int, int], float]:
        """Pair → exact Jaccard similarity (pairs sharing no shingle are missing: 0)."""
        return dict(zip(zip(self.rows.tolist(), self.cols.tolist()), self.jaccard.tolist()))


def reference(token_lists: list[list[str]], size: int = dup.SHINGLE) -> Reference:
    """Exact Jaccard similarity of the word ``size``-shingle sets of every pair sharing one.

    Same shingles as :func:`~newssearch.enrich.duplicates.shingle_hashes` (a text of fewer
    than ``size`` words has one shingle of all its words) but exact: word numbers, no hash.
    """
    start = time.perf_counter()
    vocabulary: dict[str, int] = {}
    pad = np.iinfo(np.uint32).max
    blocks: list[npt.NDArray[np.uint32]] = []
    owners: list[npt.NDArray[np.int64]] = []
    for doc, tokens in enumerate(token_lists):
        if not tokens:
            continue
        ids = np.fromiter((vocabulary.setdefault(w, len(vocabulary)) for w in tokens), dtype=np.uint32, count=len(tokens))
        if len(ids) < size:
            ids = np.concatenate([ids, np.full(size - len(ids), pad, dtype=np.uint32)])
        blocks.append(np.lib.stride_tricks.sliding_window_view(ids, size))
        owners.append(np.full(len(ids) - size + 1, doc, dtype=np.int64))
    n = len(token_lists)
    if not blocks:
        empty = np.zeros(0, dtype=np.int64)
        return Reference(empty, empty, np.zeros(0), time.perf_counter() - start)
    shingles = np.ascontiguousarray(np.concatenate(blocks))
    keys = shingles.view(np.dtype((np.void, shingles.dtype.itemsize * size))).ravel()
    _, shingle_ids = np.unique(keys, return_inverse=True)
    docs = np.concatenate(owners)
    incidence = sparse.csr_matrix((np.ones(len(docs), dtype=np.int32), (docs, shingle_ids.ravel())), shape=(n, int(shingle_ids.max()) + 1))
    incidence.data[:] = 1  # a shingle repeated in one text counts once (duplicates were summed)
    sizes = np.asarray(incidence.sum(axis=1)).ravel().astype(np.int64)
    common = sparse.triu(incidence @ incidence.T, k=1).tocoo()
    rows, cols = common.row.astype(np.int64), common.col.astype(np.int64)
    inter = common.data.astype(np.int64)
    similarity = inter / (sizes[rows] + sizes[cols] - inter)
    return Reference(rows, cols, similarity, time.perf_counter() - start)


# --------------------------------------------------------------------------- method


@dataclass
class Signatures:
    """Signatures of every article (``None`` for one without words) and what they cost."""

    values: list[dup.Signature | None]
    lengths: list[int]
    #: per-article seconds of words(), shingle_hashes(), minhash()
    words_s: list[float]
    shingles_s: list[float]
    minhash_s: list[float]


def compute_signatures(texts: list[str], num_perm: int = dup.NUM_PERM, tokenize: Callable[[str], list[str]] = dup.words) -> Signatures:
    """The signature of every text, timing each step per article."""
    out = Signatures([], [], [], [], [])
    clock = time.process_time
    for text in texts:
        t0 = clock()
        tokens = tokenize(text)
        t1 = clock()
        shingles = dup.shingle_hashes(tokens)
        t2 = clock()
        sig = dup.minhash(shingles, num_perm) if len(shingles) else None
        t3 = clock()
        out.values.append(sig)
        out.lengths.append(len(tokens))
        out.words_s.append(t1 - t0)
        out.shingles_s.append(t2 - t1)
        out.minhash_s.append(t3 - t2)
    return out


def build_index(articles: list[Article], sigs: Signatures, **options: Any) -> tuple[dup.DuplicateIndex, list[float]]:
    """A DuplicateIndex of the articles (keyed by position), with the seconds each add took."""
    index = dup.DuplicateIndex(**options)
    times = []
    clock = time.process_time
    for i, (article, sig, length) in enumerate(zip(articles, sigs.values, sigs.lengths)):
        t0 = clock()
        index.add(str(i), sig, article.published, length)
        times.append(clock() - t0)
    return index, times


def method_pairs(index: dup.DuplicateIndex) -> set[tuple[int, int]]:
    """The index's copy pairs as position pairs ``(i, j)``, ``i < j``."""
    return {_pair(int(a), int(b)) for a, b, _ in index.pairs()}


def group_pairs(index: dup.DuplicateIndex) -> set[tuple[int, int]]:
    """Every pair of articles that share a group."""
    out: set[tuple[int, int]] = set()
    for group in index.groups():
        ids = sorted(int(i) for i in group.ids)
        out.update((a, b) for k, a in enumerate(ids) for b in ids[k + 1:])
    return out


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def score(found: set[tuple[int, int]], truth: set[tuple[int, int]]) -> dict[str, Any]:
    """Pair recall and precision of ``found`` against ``truth``."""
    tp = len(found & truth)
    return {
        "recall": round(tp / len(truth), 4) if truth else 1.0,
        "precision": round(tp / len(found), 4) if found else 1.0,
        "tp": tp, "fp": len(found - truth), "fn": len(truth - found),
    }


def _ms(seconds: list[float]) -> dict[str, float]:
    return {"median_ms": round(statistics.median(seconds) * 1000, 4), "mean_ms": round(statistics.fmean(seconds) * 1000, 4)}


# --------------------------------------------------------------------------- the evaluation


def grouping_report(index: dup.DuplicateIndex, exact: dict[tuple[int, int], float], truth: set[tuple[int, int]]) -> dict[str, Any]:
    """How the index's groups compare with the reference pairs."""
    groups = index.groups()
    to_rep = [exact.get(_pair(int(g.representative), int(m)), 0.0) for g in groups for m in g.ids[1:]]
    return {
        "rule": index.rule,
        "groups": len(groups),
        "articles_in_groups": sum(len(g) for g in groups),
        "largest": max((len(g) for g in groups), default=0),
        "pairs": score(group_pairs(index), truth),
        "members_below_threshold_to_representative": sum(1 for j in to_rep if j < dup.THRESHOLD),
        "min_jaccard_to_representative": round(min(to_rep), 4) if to_rep else None,
    }


def evaluate(articles: list[Article], sweep: bool = False, examples: int = 3) -> dict[str, Any]:
    """Run the whole evaluation; a JSON-ready dict."""
    texts = [a.text for a in articles]
    token_lists = [dup.words(t) for t in texts]
    ref = reference(token_lists)
    truth = ref.pairs()
    exact = ref.lookup()
    res: dict[str, Any] = {
        "articles": len(articles),
        "reference": {
            "seconds": round(ref.seconds, 2),
            "pairs_sharing_a_shingle": len(ref.rows),
            "pairs": len(truth),
            "identical_pairs": int(np.count_nonzero(ref.jaccard >= 1.0)),
            "pairs_by_jaccard": {f">={t}": int(np.count_nonzero(ref.jaccard >= t)) for t in (0.5, 0.7, 0.75, 0.8, 0.85, 0.9, 1.0)},
        },
    }
    sigs = compute_signatures(texts)
    index, add_s = build_index(articles, sigs)
    found = method_pairs(index)
    res["method"] = {
        "num_perm": index.num_perm, "bands": index.bands, "rows": index.rows, "threshold": index.threshold,
        "pairs": score(found, truth),
        "missed_jaccard": sorted(round(exact.get(p, 0.0), 3) for p in truth - found),
        "false_jaccard": sorted(round(exact.get(p, 0.0), 3) for p in found - truth),
        "hashed_shingle_check": _hashed_check(token_lists, ref, truth),
    }
    exact_verifier = dup.ExactVerifier(lambda article_id: texts[int(article_id)])  # as if reading the stored text
    calls: list[float] = []

    def verify(a: str, b: str) -> float | None:
        start = time.process_time()
        value = exact_verifier(a, b)
        calls.append(time.process_time() - start)
        return value

    verified, _ = build_index(articles, sigs, verify=verify)
    res["verified"] = {
        "margin": verified.margin, "pairs": score(method_pairs(verified), truth), "verifications": len(calls),
        "verify_ms_mean": round(statistics.fmean(calls) * 1000, 4) if calls else 0.0,
    }
    per_article = [a + b + c for a, b, c in zip(sigs.words_s, sigs.shingles_s, sigs.minhash_s)]
    res["cost"] = {
        "signature": _ms(per_article),
        "words": _ms(sigs.words_s),
        "shingle_hashes": _ms(sigs.shingles_s),
        "minhash": _ms(sigs.minhash_s),
        "index_add": _ms(add_s),
        "signature_and_add_percent_of_index_time": round((statistics.fmean(per_article) + statistics.fmean(add_s)) * 1000 / INDEX_MS_PER_ARTICLE * 100, 2),
        "signature_bytes": index.num_perm * 4,
        "save_bytes": len(blob := index.save()),
        "load_seconds": round(_timed(lambda: dup.DuplicateIndex.load(blob)), 3),
        "read_groups_seconds": round(_timed(lambda: dup.read_groups(blob)), 3),
        "load_and_first_add_seconds": round(_timed(lambda: dup.DuplicateIndex.load(blob).add("new", next(s for s in sigs.values if s is not None), None, 1)), 3),
    }
    res["grouping"] = [grouping_report(index, exact, truth)]
    component, _ = build_index(articles, sigs, rule="component")
    res["grouping"].append(grouping_report(component, exact, truth))
    res["examples"] = pick_examples(index, articles, exact, examples)
    if sweep:
        res["sweep"] = parameter_sweep(articles, texts, truth)
        res["normalisation"] = normalisation_sweep(texts, truth)
    return res


def _timed(fn: Callable[[], object]) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def _hashed_check(token_lists: list[list[str]], ref: Reference, truth: set[tuple[int, int]]) -> dict[str, int]:
    """Do the 32-bit shingle hashes change which pairs reach the threshold? (exact Jaccard on hashes)"""
    hashed = [dup.shingle_hashes(t) for t in token_lists]
    keep = ref.jaccard >= 0.5
    flipped = 0
    for a, b, j in zip(ref.rows[keep].tolist(), ref.cols[keep].tolist(), ref.jaccard[keep].tolist()):
        if (dup.jaccard(hashed[a], hashed[b]) >= dup.THRESHOLD) != (j >= dup.THRESHOLD):
            flipped += 1
    return {"pairs_checked": int(np.count_nonzero(keep)), "pairs_that_change_side": flipped}


PARAMETERS: list[tuple[int, int, int]] = [
    # num_perm, bands, rows
    (64, 16, 4), (64, 21, 3), (128, 16, 8), (128, 21, 6), (128, 26, 4), (128, 32, 4), (256, 32, 8), (256, 52, 4),
]
VERIFY = (0.75, 0.78, 0.8)


def parameter_sweep(articles: list[Article], texts: list[str], truth: set[tuple[int, int]]) -> list[dict[str, Any]]:
    """Pair recall/precision, candidates and cost for each (num_perm, bands, rows, verification threshold)."""
    rows = []
    by_perm: dict[int, Signatures] = {}
    for num_perm, bands, band_rows in PARAMETERS:
        if num_perm not in by_perm:
            by_perm[num_perm] = compute_signatures(texts, num_perm)
        sigs = by_perm[num_perm]
        for verify in VERIFY:
            index, add_s = build_index(articles, sigs, num_perm=num_perm, bands=bands, rows=band_rows, threshold=verify)
            per_article = [a + b + c for a, b, c in zip(sigs.words_s, sigs.shingles_s, sigs.minhash_s)]
            rows.append({
                "num_perm": num_perm, "bands": bands, "rows": band_rows, "verify": verify,
                "p_candidate_at_0.8": round(1 - (1 - 0.8 ** band_rows) ** bands, 5),
                **score(method_pairs(index), truth),
                "signature_ms": round(statistics.fmean(per_article) * 1000, 4),
                "add_ms": round(statistics.fmean(add_s) * 1000, 4),
            })
    return rows


_NON_WORD = re.compile(r"\W+")


def _raw_words(text: str) -> list[str]:
    return text.split()


def _nfkc_words(text: str) -> list[str]:
    return dup.words(unicodedata.normalize("NFKC", text))


def normalisation_sweep(texts: list[str], truth: set[tuple[int, int]]) -> list[dict[str, Any]]:
    """Reference pairs under other word normalisations, compared with the chosen one's."""
    out = []
    for name, tokenize in (("casefold \\w+ (chosen)", dup.words), ("whitespace, case and punctuation kept", _raw_words), ("NFKC + casefold \\w+", _nfkc_words)):
        start = time.perf_counter()
        tokens = [tokenize(t) for t in texts]
        seconds = time.perf_counter() - start
        pairs = reference(tokens).pairs()
        out.append({
            "normalisation": name, "pairs": len(pairs), "also_in_chosen": len(pairs & truth),
            "only_here": len(pairs - truth), "only_in_chosen": len(truth - pairs),
            "tokenise_ms_per_article": round(seconds / max(len(texts), 1) * 1000, 4),
        })
    return out


def pick_examples(index: dup.DuplicateIndex, articles: list[Article], exact: dict[tuple[int, int], float], count: int) -> list[dict[str, Any]]:
    """``count`` telling groups: the largest; the largest of each other source; then copies that
    are not identical, longest first (corrections and updates rather than short notices)."""
    groups = index.groups()
    chosen: list[dup.Group] = groups[:1]
    sources = {articles[int(chosen[0].representative)].source} if chosen else set()
    for group in groups:
        source = articles[int(group.representative)].source
        if source not in sources:
            sources.add(source)
            chosen.append(group)
    inexact = [g for g in groups if g not in chosen and any(m.similarity < 1.0 for m in g.members)]
    inexact.sort(key=lambda g: (-g.members[0].length, g.representative))
    chosen += inexact
    chosen += [g for g in groups if g not in chosen]
    out = []
    for group in chosen[:count]:
        rep = int(group.representative)
        members = []
        for m in group.members:
            article = articles[int(m.id)]
            members.append({
                "id": article.id, "title": article.title, "source": article.source,
                "published": article.published.isoformat() if article.published else None,
                "words": m.length, "similarity": round(m.similarity, 3),
                "exact_jaccard": 1.0 if int(m.id) == rep else round(exact.get(_pair(rep, int(m.id)), 0.0), 3),
            })
        out.append({"members": members})
    return out


# --------------------------------------------------------------------------- printing


def render(res: dict[str, Any]) -> str:
    """The evaluation as text."""
    lines = []
    ref = res["reference"]
    lines.append(f"{res['articles']} articles; reference: {ref['pairs']} pairs with word 5-shingle Jaccard >= 0.8 "
                 f"({ref['identical_pairs']} identical), exact over {ref['pairs_sharing_a_shingle']} pairs sharing a shingle, {ref['seconds']} s")
    lines.append("  pairs by Jaccard: " + ", ".join(f"{k}: {v}" for k, v in ref["pairs_by_jaccard"].items()))
    m = res["method"]
    s = m["pairs"]
    lines.append(f"method: MinHash {m['num_perm']} perms, LSH {m['bands']} bands x {m['rows']} rows, verified at estimated Jaccard >= {m['threshold']}")
    lines.append(f"  pair recall {s['recall']:.4f}  precision {s['precision']:.4f}  (tp {s['tp']}, fp {s['fp']}, fn {s['fn']})")
    lines.append(f"  exact Jaccard of missed pairs: {m['missed_jaccard']}")
    lines.append(f"  exact Jaccard of false pairs:  {m['false_jaccard']}")
    v = res["verified"]
    s = v["pairs"]
    lines.append(f"  with exact verification of the pairs estimated within {v['margin']} of 0.8 ({v['verifications']} verifications, "
                 f"{v['verify_ms_mean']} ms each): recall {s['recall']:.4f}  precision {s['precision']:.4f}  (tp {s['tp']}, fp {s['fp']}, fn {s['fn']})")
    hc = m["hashed_shingle_check"]
    lines.append(f"  32-bit shingle hashes: {hc['pairs_that_change_side']} of {hc['pairs_checked']} pairs (Jaccard >= 0.5) change side of 0.8")
    c = res["cost"]
    lines.append("cost per article (one core): signature median {0[median_ms]} ms, mean {0[mean_ms]} ms "
                 "(words {1[mean_ms]}, shingle hashes {2[mean_ms]}, minhash {3[mean_ms]}); index add median {4[median_ms]} ms, mean {4[mean_ms]} ms".format(
                     c["signature"], c["words"], c["shingle_hashes"], c["minhash"], c["index_add"]))
    lines.append(f"  = {c['signature_and_add_percent_of_index_time']} % of {INDEX_MS_PER_ARTICLE} ms per indexed article; "
                 f"{c['signature_bytes']} bytes per signature; saved index {c['save_bytes']} bytes, "
                 f"loads in {c['load_seconds']} s (+ LSH buckets on the first add: {c['load_and_first_add_seconds']} s), its groups alone in {c['read_groups_seconds']} s")
    lines.append("grouping rules:")
    for g in res["grouping"]:
        p = g["pairs"]
        lines.append(f"  {g['rule']:9} {g['groups']} groups of {g['articles_in_groups']} articles (largest {g['largest']}); "
                     f"same-group pairs recall {p['recall']:.4f} precision {p['precision']:.4f}; "
                     f"members below 0.8 to their representative: {g['members_below_threshold_to_representative']} "
                     f"(min {g['min_jaccard_to_representative']})")
    if "sweep" in res:
        lines.append("parameters (pair recall / precision against the reference; cost per article):")
        lines.append(f"  {'perm':>4} {'bands':>5} {'rows':>4} {'verify':>6} {'P(cand|0.8)':>11} {'recall':>7} {'prec':>7} {'fp':>4} {'fn':>4} {'sig ms':>7} {'add ms':>7}")
        for r in res["sweep"]:
            lines.append(f"  {r['num_perm']:>4} {r['bands']:>5} {r['rows']:>4} {r['verify']:>6} {r['p_candidate_at_0.8']:>11} "
                         f"{r['recall']:>7.4f} {r['precision']:>7.4f} {r['fp']:>4} {r['fn']:>4} {r['signature_ms']:>7} {r['add_ms']:>7}")
        lines.append("shingle normalisation (exact reference pairs >= 0.8):")
        for r in res["normalisation"]:
            lines.append(f"  {r['normalisation']:40} {r['pairs']:>5} pairs, {r['also_in_chosen']} shared with the chosen, "
                         f"{r['only_here']} only here, {r['only_in_chosen']} only in the chosen; tokenise {r['tokenise_ms_per_article']} ms/article")
    lines.append("example groups (representative first):")
    for k, ex in enumerate(res["examples"], 1):
        lines.append(f"  group {k}:")
        for a in ex["members"]:
            lines.append(f"    {a['id']:<22} {a['published'] or '-':<19} {a['source'] or '-':<9} {a['words']:>5} words  "
                         f"sim {a['similarity']:.3f} (exact {a['exact_jaccard']:.3f})  {a['title']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    ap = argparse.ArgumentParser(description="Evaluate near-duplicate detection against the exact pairs (word 5-shingle Jaccard >= 0.8).")
    ap.add_argument("paths", nargs="+", help="article files or folders (e.g. bbc.jsonl reuters.jsonl)")
    ap.add_argument("--sweep", action="store_true", help="also measure other parameters and normalisations")
    ap.add_argument("--examples", type=int, default=3, help="example groups to show (default 3)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    articles = read_articles(args.paths)
    if not articles:
        print("no articles found", file=sys.stderr)
        return 1
    res = evaluate(articles, sweep=args.sweep, examples=args.examples)
    print(json.dumps(res, indent=2) if args.json else render(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
