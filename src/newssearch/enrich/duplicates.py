"""Near-duplicate articles: MinHash signatures, an LSH index and groups of copies ("stories").

Two articles are *copies* of one story when the Jaccard similarity of the sets of word
5-shingles of their bodies is at least :data:`THRESHOLD` (0.8): wire stories republished
by several outlets, corrected versions, one article under two URLs. A later story that
repeats a paragraph or a quote of an earlier one shares only a small part of its shingles
and is *not* a copy.

* :func:`words` normalises a body into words (case-folded ``\\w+`` runs, so punctuation,
  quote styles and line breaks do not matter); :func:`shingle_hashes` hashes its word
  5-shingles to 32-bit values; :func:`signature` turns them into a MinHash signature, a
  ``numpy.uint32`` array of :data:`NUM_PERM` values (512 bytes, :func:`signature_to_bytes`)
  computed with ``datasketch``'s vectorised :meth:`~datasketch.MinHash.update_batch` and
  fixed permutations (seed :data:`SEED`): the same text always gets the same signature.
* :class:`DuplicateIndex` keeps the signatures of a collection, finds each new article's
  candidate copies through banded LSH (:data:`BANDS` bands of :data:`ROWS` rows: two
  signatures are candidates when one band is equal), keeps a candidate when the
  signatures estimate its Jaccard similarity at :data:`THRESHOLD` or more (or, with a
  verifier such as :class:`ExactVerifier`, when the exact similarity is, for estimates
  within :data:`MARGIN` of the threshold), and groups the copies into stories, each with a
  representative: the earliest published copy (ties: the longest, then the smallest id).
  It is kept incrementally (:meth:`~DuplicateIndex.add`, :meth:`~DuplicateIndex.remove`;
  adding an id again is an edit) and always equals the index built from scratch from the
  same articles, whatever the order they came in. :meth:`~DuplicateIndex.save` /
  :meth:`~DuplicateIndex.load` turn it into bytes and back; :func:`read_groups` reads only
  the groups.

Grouping rule (``"leader"``, the default): within a set of articles connected by copy
pairs, articles are taken in representative order (earliest, longest, id); each joins the
most similar earlier *leader* it is a copy of, or becomes a leader itself. Every article
of a group is therefore a copy of the group's representative, and a chain of revisions
A~B~C whose ends are not copies of each other cannot pull unrelated stories together.
``"component"`` (all connected copies form one group) is kept for comparison.

The parameters were chosen by measurement against the exact pairs (Jaccard ≥ 0.8) of the
21k BBC and Reuters articles (pair recall 0.980, precision 0.978): see
:mod:`newssearch.evals.duplicates`.

How the rest of the pipeline is meant to use it:

* a worker, while preparing an article: ``fingerprint(article)`` (about 0.2 ms of CPU),
  passing the signature (512 bytes, :func:`signature_to_bytes`), the length in words and
  the shingle hashes along;
* the store's single writer: one :class:`DuplicateIndex` per index, ``add`` for new and
  changed articles and ``remove`` for deleted ones (0.1 ms each), saved next to the index
  after each commit (write a temporary file, then rename) with ``meta`` naming the commit
  it matches; on opening, ``load`` it and reconcile it with the index's ids. With an
  :class:`ExactVerifier` (``verify=``) the pairs near the threshold are decided exactly:
  recall and precision 1.0 against the reference on BBC + Reuters and on a remixed corpus
  where the estimate alone gives 0.90 / 0.80;
* a searcher: :func:`read_groups` once when it opens (article id → :class:`Group` for the
  articles that have copies), then collapse the hits of one group into its best-ranked one.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import os
import re
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from ..errors import IndexError_
from ..model import Article
from .groups import EPOCH, FILE_FORMAT, FILE_MAGIC, GROUP_ARRAYS, NO_DATE, Group, Version, group_table, published_value

#: Words per shingle.
SHINGLE = 5
#: Jaccard similarity of word 5-shingle sets from which two articles are copies.
THRESHOLD = 0.8
#: MinHash permutations per signature (a signature is NUM_PERM uint32 values).
NUM_PERM = 128
#: LSH bands and rows per band (BANDS * ROWS <= NUM_PERM). A pair whose signatures agree
#: on at least THRESHOLD * NUM_PERM values (103 of 128) differs in at most 25, which cannot
#: touch all 26 bands: every pair the verification accepts is a candidate, so the LSH step
#: loses nothing against comparing all signatures (and a pair with true Jaccard 0.8 is a
#: candidate with probability 1 - (1 - 0.8**4)**26 > 0.99999).
BANDS = 26
ROWS = 4
#: Seed of the MinHash permutations: fixed, so signatures are comparable across runs.
SEED = 1
#: datasketch's permutation scheme: 32-bit affine bijections, uint32 hash values.
SCHEME = "affine32"

#: With a verifier, candidate pairs whose estimate is within this of THRESHOLD (about three
#: standard deviations of a 128-value estimate near 0.8) are decided by the verifier.
MARGIN = 0.1

Rule = Literal["leader", "component"]
#: ``verify(a, b)``: the exact Jaccard similarity of two articles, given their ids, or
#: ``None`` when it cannot be told (the estimate decides then).
Verifier = Callable[[str, str], "float | None"]
Signature = npt.NDArray[np.uint32]

_WORD = re.compile(r"\w+")
_MASK32 = np.uint64(0xFFFFFFFF)
#: Odd 64-bit multiplier combining the word hashes of a shingle (a polynomial hash).
_COMBINE = np.uint64(0x9E3779B97F4A7C15)
_FMIX = (np.uint64(33), np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53))
#: ``published`` of an article whose date is unknown: after every real date.
#: Nodes added to the LSH buckets' dict before they are merged into the sorted array.
_MERGE_EVERY = 256


# --------------------------------------------------------------------------- signatures


def words(text: str) -> list[str]:
    """The words of ``text`` as shingled: case-folded runs of word characters (``\\w+``)."""
    return _WORD.findall(text.casefold())


def _fmix64(values: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    shift, m1, m2 = _FMIX
    values = values ^ (values >> shift)
    values = values * m1
    values = values ^ (values >> shift)
    values = values * m2
    return values ^ (values >> shift)


def shingle_hashes(tokens: list[str], size: int = SHINGLE) -> npt.NDArray[np.uint32]:
    """The distinct 32-bit hashes of the ``size``-word shingles of ``tokens`` (sorted).

    A text of fewer than ``size`` words (but at least one) has one shingle: all its words.
    Words are hashed with CRC-32 and mixed; the shingle hash is a polynomial of its word
    hashes modulo 2**64, folded to 32 bits. Deterministic across runs and machines.
    """
    if not tokens:
        return np.zeros(0, dtype=np.uint32)
    hashed = _word_hashes(tokens)
    width = min(size, len(hashed))
    count = len(hashed) - width + 1
    combined = hashed[:count].copy()
    for offset in range(1, width):
        combined = combined * _COMBINE + hashed[offset:offset + count]
    folded = ((combined >> np.uint64(32)) ^ combined) & _MASK32
    return np.unique(folded.astype(np.uint32))


def _word_hashes(tokens: list[str]) -> npt.NDArray[np.uint64]:
    """CRC-32 of each word's UTF-8 bytes, mixed to 64 bits (fmix64)."""
    crc = zlib.crc32
    return _fmix64(np.fromiter((crc(w.encode("utf-8")) for w in tokens), dtype=np.uint64, count=len(tokens)))


@functools.cache
def _sketch(num_perm: int) -> Any:
    """One reusable datasketch MinHash per size, cleared before each use (building one per
    article, its permutations checked each time, cost 8 % more). datasketch is imported here,
    on first use: importing this module (the store does) costs no memory for it."""
    from datasketch import MinHash

    return MinHash(num_perm=num_perm, seed=SEED, hashfunc=int, scheme=SCHEME)


def minhash(shingles: npt.NDArray[np.uint32], num_perm: int = NUM_PERM) -> Signature:
    """The MinHash signature (``num_perm`` uint32 values) of a set of 32-bit shingle hashes.

    The same values as a new ``datasketch.MinHash(num_perm, seed=SEED, scheme="affine32")``
    updated with them; reuses one sketch, so one thread at a time (indexing uses processes).
    """
    sketch = _sketch(num_perm)
    sketch.clear()
    sketch.update_batch(shingles.tolist())
    values: Signature = sketch.hashvalues.astype(np.uint32, copy=True)
    return values


def signature(text: str, num_perm: int = NUM_PERM) -> Signature | None:
    """The near-duplicate signature of a body text, or ``None`` when it has no words."""
    shingles = shingle_hashes(words(text))
    if len(shingles) == 0:
        return None
    return minhash(shingles, num_perm)


@dataclass(frozen=True)
class Fingerprint:
    """What the duplicate index needs of an article's body (its title is not part of it)."""

    #: MinHash signature; ``None`` when the body has no words
    signature: Signature | None
    #: length in words (the tie-break between copies published at the same time)
    words: int
    #: the distinct shingle hashes (for :class:`ExactVerifier`; 4 bytes a shingle)
    shingles: npt.NDArray[np.uint32]


def fingerprint(article: Article, num_perm: int = NUM_PERM) -> Fingerprint:
    """An article's :class:`Fingerprint`, from its body."""
    tokens = words(article.text)
    shingles = shingle_hashes(tokens)
    return Fingerprint(minhash(shingles, num_perm) if len(shingles) else None, len(tokens), shingles)


def signature_to_bytes(sig: Signature) -> bytes:
    """A signature as little-endian bytes (4 bytes per permutation), e.g. to store per article."""
    return np.asarray(sig, dtype="<u4").tobytes()


def signature_from_bytes(data: bytes) -> Signature:
    """The signature :func:`signature_to_bytes` wrote."""
    if len(data) == 0 or len(data) % 4:
        raise ValueError(f"a signature is a non-empty multiple of 4 bytes, got {len(data)}")
    return np.frombuffer(data, dtype="<u4").astype(np.uint32)


def estimate(a: Signature, b: Signature) -> float:
    """The Jaccard similarity of two texts estimated from their signatures."""
    return float(np.count_nonzero(a == b)) / len(a)


def jaccard(a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32]) -> float:
    """The exact Jaccard similarity of two sets of shingle hashes (as :func:`shingle_hashes` gives)."""
    if len(a) == 0 and len(b) == 0:
        return 1.0
    common = len(np.intersect1d(a, b, assume_unique=True))
    return common / (len(a) + len(b) - common)


def published_key(value: dt.date | dt.datetime | None) -> int:
    """A publication date as sortable microseconds since 1970 (naive UTC); unknown sorts last.

    A date without a time counts as midnight, so it comes before the same day's timed copies.
    """
    if value is None:
        return int(NO_DATE)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
    else:
        value = dt.datetime(value.year, value.month, value.day)
    return (value - EPOCH) // dt.timedelta(microseconds=1)




# --------------------------------------------------------------------------- groups


@dataclass(slots=True)
class _Article:
    node: int  # -1: no words, no signature
    published: int
    length: int


@functools.cache
def _band_seeds(bands: int) -> npt.NDArray[np.uint64]:
    return np.arange(1, bands + 1, dtype=np.uint64) * _COMBINE


def band_keys(sigs: npt.NDArray[np.uint32], bands: int, rows: int) -> npt.NDArray[np.uint64]:
    """The LSH bucket key of each band of each signature (``(n, num_perm)`` → ``(n, bands)``).

    A key is a 64-bit hash of the band's number and its ``rows`` values: two signatures
    share a key in some band exactly when that band's values are equal (up to 64-bit
    hash collisions, which only add candidates and are as symmetric as equality).
    """
    values = np.asarray(sigs, dtype=np.uint64)[:, : bands * rows].reshape(len(sigs), bands, rows)
    keys = np.empty((len(sigs), bands), dtype=np.uint64)
    keys[:] = _band_seeds(bands)
    for j in range(rows):
        keys = keys * _COMBINE + values[:, :, j]
    return _fmix64(keys)


class _Buckets:
    """LSH buckets: the band keys of all nodes in one sorted NumPy array, plus the recent ones.

    Built in one sort from a matrix of signatures (0.1 s for 21k articles, where
    ``datasketch.MinHashLSH`` took 7.6 s and ~240 MB, and persists only as a pickle). New
    nodes' keys go to a small array (compared whole) and are merged into the sorted array every :data:`_MERGE_EVERY`
    nodes (one linear pass). Removed nodes stay until the next rebuild; the caller filters
    them out.
    """

    def __init__(self, keys: npt.NDArray[np.uint64], nodes: npt.NDArray[np.int32]) -> None:
        self._keys, self._nodes = _sorted_entries(keys, nodes)
        #: keys of the nodes inserted since the last merge, one row each (no Python list per
        #: key, 26 an article: less work for the garbage collector while indexing)
        self._pending_keys = np.zeros((_MERGE_EVERY, keys.shape[1] if keys.ndim == 2 else 0), dtype=np.uint64)
        self._pending_nodes = np.zeros(_MERGE_EVERY, dtype=np.int32)
        self._pending = 0

    def insert(self, node: int, keys: npt.NDArray[np.uint64]) -> None:
        if self._pending_keys.shape[1] != len(keys):
            self._pending_keys = np.zeros((_MERGE_EVERY, len(keys)), dtype=np.uint64)
        self._pending_keys[self._pending] = keys
        self._pending_nodes[self._pending] = node
        self._pending += 1
        if self._pending >= _MERGE_EVERY:
            self._merge()

    def _merge(self) -> None:
        keys, nodes = _sorted_entries(self._pending_keys[: self._pending], self._pending_nodes[: self._pending])
        at = np.searchsorted(self._keys, keys)
        self._keys = np.insert(self._keys, at, keys)
        self._nodes = np.insert(self._nodes, at, nodes)
        self._pending = 0

    def candidates(self, keys: npt.NDArray[np.uint64]) -> set[int]:
        """Every node sharing a key with ``keys`` in some band (removed ones included)."""
        found: set[int] = set()
        lo = np.searchsorted(self._keys, keys, "left")
        hi = np.searchsorted(self._keys, keys, "right")
        for start, end in zip(lo.tolist(), hi.tolist()):
            if end > start:
                found.update(self._nodes[start:end].tolist())
        if self._pending:
            same = (self._pending_keys[: self._pending] == keys).any(axis=1)
            found.update(self._pending_nodes[: self._pending][same].tolist())
        return found


def _sorted_entries(keys: npt.NDArray[np.uint64], nodes: npt.NDArray[np.int32]) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int32]]:
    """The ``(n, bands)`` keys of ``n`` nodes as one sorted key array and the matching nodes."""
    flat = keys.reshape(-1)
    order = np.argsort(flat, kind="stable")
    return flat[order], np.repeat(nodes, keys.shape[1])[order]


class DuplicateIndex:
    """Signatures of a collection of articles, their copy pairs and their groups, kept incrementally.

    Articles with identical signatures share one *node* (a thousand exact copies cost one
    signature, one LSH entry and no pairs); copy pairs are kept between nodes. After
    every :meth:`add` or :meth:`remove` the groups equal those of an index built from
    scratch from the same articles in any order: two nodes are candidates when some band
    of their signatures is equal (a symmetric test), a pair when the signatures estimate
    their similarity at ``threshold`` or more (symmetric too), and the groups of the
    connected nodes an update touches are recomputed by a rule that depends only on them.

    Memory: ``num_perm`` * 4 bytes per distinct signature plus ``bands`` * 16 bytes of LSH
    keys, and a small record per article (about 1 KB per article with the defaults).
    """

    def __init__(
        self,
        num_perm: int = NUM_PERM,
        bands: int = BANDS,
        rows: int = ROWS,
        threshold: float = THRESHOLD,
        rule: Rule = "leader",
        verify: Verifier | None = None,
        margin: float = MARGIN,
    ) -> None:
        if bands * rows > num_perm or bands < 1 or rows < 1:
            raise ValueError(f"need bands >= 1, rows >= 1 and bands * rows <= num_perm, got {bands} x {rows} for {num_perm}")
        if rule not in ("leader", "component"):
            raise ValueError(f"unknown grouping rule {rule!r}")
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {threshold}")
        self.num_perm = num_perm
        self.bands = bands
        self.rows = rows
        self.threshold = threshold
        self.rule: Rule = rule
        #: decides the candidate pairs whose estimate is within ``margin`` of ``threshold``
        self.verify = verify
        self.margin = margin
        self._articles: dict[str, _Article] = {}
        self._sigs = np.zeros((16, num_perm), dtype=np.uint32)
        self._alive = np.zeros(16, dtype=bool)
        self._used = 0
        #: nodes removed since the buckets were built
        self._dead = 0
        self._buckets: _Buckets | None = None
        #: node → ids of the articles with that signature
        self._members: dict[int, list[str]] = {}
        #: node → {linked node: estimated similarity}, for nodes with copies only
        self._edges: dict[int, dict[int, float]] = {}
        #: article id → representative id (only for articles in groups of two or more)
        self._rep: dict[str, str] = {}
        #: representative id → member ids in representative order
        self._groups: dict[str, list[str]] = {}
        #: representatives before the update in progress (see :meth:`_note`)
        self._journal: dict[str, str | None] = {}
        #: JSON-ready facts the owner wants saved with the index (e.g. the index generation it matches)
        self.meta: dict[str, Any] = {}

    # ---------------------------------------------------------------- queries

    def __len__(self) -> int:
        return len(self._articles)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._articles

    def ids(self) -> list[str]:
        """Every article id in the index (sorted)."""
        return sorted(self._articles)

    def representative_of(self, article_id: str) -> str:
        """The id of the representative of the article's group (itself when it has no copies)."""
        if article_id not in self._articles:
            raise KeyError(article_id)
        return self._rep.get(article_id, article_id)

    def group_of(self, article_id: str) -> Group:
        """The article's group (a group of one when it has no copies); ``KeyError`` for an unknown id."""
        rep = self.representative_of(article_id)
        return self._group(rep, self._groups.get(rep, [rep]))

    def groups(self, min_size: int = 2) -> list[Group]:
        """Every group of at least ``min_size`` articles, largest first, then by representative order."""
        found = [self._group(rep, members) for rep, members in self._groups.items() if len(members) >= min_size]
        if min_size <= 1:
            found += [self._group(a, [a]) for a in self._articles if a not in self._rep]
        found.sort(key=lambda g: (-len(g), self._order_key(g.representative)))
        return found

    def similarity(self, a: str, b: str) -> float:
        """The estimated Jaccard similarity of two indexed articles (0.0 when either has no words)."""
        node_a, node_b = self._articles[a].node, self._articles[b].node
        if node_a < 0 or node_b < 0:
            return 0.0
        return estimate(self._sigs[node_a], self._sigs[node_b])

    def signature_of(self, article_id: str) -> Signature | None:
        """The article's signature (``None`` when it has no words)."""
        node = self._articles[article_id].node
        return None if node < 0 else self._sigs[node].copy()

    def pairs(self) -> Iterator[tuple[str, str, float]]:
        """Every copy pair ``(a, b, similarity)`` with ``a < b``: the pairs the groups are made of."""
        for members in self._members.values():
            ordered = sorted(members)
            for i, a in enumerate(ordered):
                for b in ordered[i + 1:]:
                    yield a, b, 1.0
        for node, linked in self._edges.items():
            for other, sim in linked.items():
                if node < other:
                    for a in self._members[node]:
                        for b in self._members[other]:
                            yield (a, b, sim) if a < b else (b, a, sim)

    def _group(self, rep: str, members: list[str]) -> Group:
        rep_node = self._articles[rep].node
        versions = []
        for m in members:
            art = self._articles[m]
            versions.append(Version(m, published_value(art.published), art.length, self._node_similarity(rep_node, art.node)))
        return Group(tuple(versions))

    def _node_similarity(self, a: int, b: int) -> float:
        """The similarity of two nodes: their pair's (verified) one, else the estimate."""
        if a == b:
            return 1.0
        linked = self._edges.get(a, {}).get(b)
        return linked if linked is not None else estimate(self._sigs[a], self._sigs[b])

    def _order_key(self, article_id: str) -> tuple[int, int, str]:
        art = self._articles[article_id]
        return (art.published, -art.length, article_id)

    # ---------------------------------------------------------------- updates

    def add(self, article_id: str, sig: Signature | None, published: dt.date | dt.datetime | None, length: int) -> set[str]:
        """Add an article, or update it when the id is already there (an edit).

        ``sig`` is its :func:`signature` (``None`` for an article without words: it is kept
        out of every group), ``length`` its length in words (the tie-break between copies
        published at the same time). Returns the ids whose representative changed
        (including this one when it is new).
        """
        if sig is not None:
            sig = np.asarray(sig, dtype=np.uint32)
            if sig.shape != (self.num_perm,):
                raise ValueError(f"signature of {article_id!r} has shape {sig.shape}, expected ({self.num_perm},)")
        self._journal = {}
        self._note(article_id)
        touched = self._discard(article_id)
        if sig is None:
            self._articles[article_id] = _Article(-1, published_key(published), int(length))
        else:
            node = self._node_for(sig, article_id)
            self._note_nodes({node})
            self._members[node].append(article_id)
            self._articles[article_id] = _Article(node, published_key(published), int(length))
            touched.add(node)
        self._regroup(touched)
        return self._changes()

    def remove(self, article_id: str) -> set[str]:
        """Remove an article (nothing happens when it is not there). Returns the ids whose representative changed."""
        if article_id not in self._articles:
            return set()
        self._journal = {}
        self._note(article_id)
        self._regroup(self._discard(article_id))
        return self._changes()

    def _ensure_buckets(self) -> _Buckets:
        if self._buckets is None:
            nodes = np.flatnonzero(self._alive[: self._used])
            self._buckets = _Buckets(band_keys(self._sigs[nodes], self.bands, self.rows), nodes.astype(np.int32))
        return self._buckets

    def _node_for(self, sig: Signature, article_id: str) -> int:
        """The node of an identical signature, or a new node linked to its copies."""
        buckets = self._ensure_buckets()
        keys = band_keys(sig[np.newaxis], self.bands, self.rows)[0]
        found = [c for c in buckets.candidates(keys) if self._alive[c]]
        linked: dict[int, float] = {}
        if found:
            nodes = np.array(found, dtype=np.int64)
            equal = np.count_nonzero(self._sigs[nodes] == sig, axis=1)
            same = nodes[equal == self.num_perm]
            if len(same):
                return int(same[0])
            for node, count in zip(nodes.tolist(), equal.tolist()):
                sim = count / self.num_perm
                if self.verify is not None and abs(sim - self.threshold) < self.margin:
                    exact = self.verify(article_id, min(self._members[node]))
                    if exact is not None:
                        sim = float(exact)
                if sim >= self.threshold:
                    linked[node] = sim
        node = self._new_slot(sig)
        buckets.insert(node, keys)
        self._members[node] = []
        if linked:
            self._edges[node] = linked
        for other, sim in linked.items():
            self._edges.setdefault(other, {})[node] = sim
        return node

    def _new_slot(self, sig: Signature) -> int:
        if self._used == len(self._alive):
            grown = len(self._alive) * 2
            self._sigs = np.resize(self._sigs, (grown, self.num_perm))
            self._alive = np.concatenate([self._alive, np.zeros(grown - len(self._alive), dtype=bool)])
        node = self._used
        self._used += 1
        self._sigs[node] = sig
        self._alive[node] = True
        return node

    def _discard(self, article_id: str) -> set[int]:
        """Take the article out; returns the nodes whose groups must be recomputed."""
        art = self._articles.pop(article_id, None)
        self._rep.pop(article_id, None)
        if art is None or art.node < 0:
            return set()
        node = art.node
        members = self._members[node]
        members.remove(article_id)
        self._clear_groups(self._component(node))
        if members:
            return {node}
        linked = self._edges.pop(node, {})
        for other in linked:
            others = self._edges[other]
            del others[node]
            if not others:
                del self._edges[other]
        del self._members[node]
        self._alive[node] = False
        self._dead += 1
        if self._dead > max(_MERGE_EVERY, len(self._members)):
            self._buckets = None  # rebuilt without the removed nodes on the next add
            self._dead = 0
        return set(linked)

    def _note(self, article_id: str) -> None:
        """Remember an article's representative before this update changes anything."""
        if article_id not in self._journal:
            self._journal[article_id] = self._rep.get(article_id, article_id) if article_id in self._articles else None

    def _note_nodes(self, nodes: Iterable[int]) -> None:
        for node in nodes:
            for m in self._members[node]:
                self._note(m)

    def _changes(self) -> set[str]:
        changed = set()
        for a, before in self._journal.items():
            now = self._rep.get(a, a) if a in self._articles else None
            if now != before:
                changed.add(a)
        self._journal = {}
        return changed

    def _component(self, start: int) -> set[int]:
        seen = {start}
        todo = [start]
        while todo:
            for other in self._edges.get(todo.pop(), ()):
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        return seen

    def _clear_groups(self, nodes: Iterable[int]) -> None:
        for node in nodes:
            for m in self._members[node]:
                self._note(m)
                rep = self._rep.pop(m, None)
                if rep is not None:
                    self._groups.pop(rep, None)

    def _regroup(self, nodes: Iterable[int]) -> None:
        done: set[int] = set()
        for node in nodes:
            if node in done or not self._alive[node]:
                continue
            component = self._component(node)
            done |= component
            self._clear_groups(component)
            for members in self._cluster(component):
                if len(members) > 1:
                    ordered = sorted(members, key=self._order_key)
                    self._groups[ordered[0]] = ordered
                    for m in ordered:
                        self._rep[m] = ordered[0]

    def _cluster(self, component: set[int]) -> list[list[str]]:
        """Split connected nodes into groups of article ids by the index's rule."""
        if self.rule == "component":
            return [[m for n in component for m in self._members[n]]]
        best = {n: min(self._members[n], key=self._order_key) for n in component}
        order = sorted(component, key=lambda n: self._order_key(best[n]))
        rank = {n: i for i, n in enumerate(order)}
        leader_of: dict[int, int] = {}
        for node in order:
            linked = [(-sim, rank[other], other) for other, sim in self._edges.get(node, {}).items() if leader_of.get(other) == other]
            leader_of[node] = min(linked)[2] if linked else node
        clusters: dict[int, list[str]] = {}
        for node, leader in leader_of.items():
            clusters.setdefault(leader, []).extend(self._members[node])
        return list(clusters.values())

    # ---------------------------------------------------------------- bytes

    def save(self, docnums: Mapping[str, int] | None = None) -> bytes:
        """The whole index as bytes (a NumPy ``.npz`` archive, no pickles); :meth:`load` reads it back.

        ``docnums`` (article id → document number in the search index the file goes with)
        adds a ``docnum`` array (-1 for an article not given): a searcher of that very
        generation of the index (the caller says which in :attr:`meta`) then needs no
        lookup of the articles' ids. :meth:`load` ignores it."""
        ids = sorted(self._articles)
        extra: dict[str, Any] = {} if docnums is None else {"docnum": np.array([docnums.get(a, -1) for a in ids], dtype=np.int64)}
        position = {a: i for i, a in enumerate(ids)}
        nodes = np.flatnonzero(self._alive[: self._used])
        node_position = {int(n): i for i, n in enumerate(nodes.tolist())}
        encoded = [a.encode("utf-8") for a in ids]
        edges = [(node_position[n], node_position[o]) for n in nodes.tolist() for o in self._edges.get(n, ()) if n < o]
        edge_similarity = [self._edges[n][o] for n in nodes.tolist() for o in self._edges.get(n, ()) if n < o]
        header = {
            "magic": FILE_MAGIC, "format": FILE_FORMAT, "num_perm": self.num_perm, "bands": self.bands, "rows": self.rows,
            "threshold": self.threshold, "rule": self.rule, "seed": SEED, "scheme": SCHEME, "shingle": SHINGLE,
            "margin": self.margin, "meta": self.meta,
        }
        buffer = io.BytesIO()
        np.savez(
            buffer,
            header=np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8),
            id_bytes=np.frombuffer(b"".join(encoded), dtype=np.uint8),
            id_lengths=np.array([len(e) for e in encoded], dtype=np.int64),
            published=np.array([self._articles[a].published for a in ids], dtype=np.int64),
            length=np.array([self._articles[a].length for a in ids], dtype=np.int64),
            node=np.array([node_position.get(self._articles[a].node, -1) for a in ids], dtype=np.int64),
            representative=np.array([position[self._rep[a]] if a in self._rep else -1 for a in ids], dtype=np.int64),
            similarity=np.array([self._node_similarity(self._articles[self._rep[a]].node, self._articles[a].node) if a in self._rep else 1.0
                                 for a in ids], dtype=np.float64),
            signatures=self._sigs[nodes],
            edges=np.array(edges, dtype=np.int64).reshape(len(edges), 2),
            edge_similarity=np.array(edge_similarity, dtype=np.float64),
            **extra,
        )
        return buffer.getvalue()

    @classmethod
    def load(cls, data: bytes | str | os.PathLike[str], verify: Verifier | None = None) -> DuplicateIndex:
        """The index :meth:`save` wrote, from its bytes or a file holding them (``verify`` as for
        the constructor, for the articles added next); :class:`~newssearch.errors.IndexError_`
        when they are not one."""
        header, arrays = _read(data, _ARRAYS)
        try:
            index = cls(int(header["num_perm"]), int(header["bands"]), int(header["rows"]), float(header["threshold"]), header["rule"],
                        verify, float(header["margin"]))
        except (KeyError, TypeError, ValueError) as err:
            raise IndexError_(f"the duplicates file has a bad header ({err})") from err
        index.meta = dict(header.get("meta") or {})
        sigs = arrays["signatures"]
        ids = _ids(arrays)
        node = arrays["node"]
        edges = arrays["edges"]
        count = len(sigs)
        if (sigs.ndim != 2 or sigs.shape[1] != index.num_perm or edges.ndim != 2 or edges.shape[1] != 2
                or not len(ids) == len(node) == len(arrays["published"]) == len(arrays["length"]) == len(arrays["representative"])
                or len(edges) != len(arrays["edge_similarity"])
                or _out_of_range(node, -1, count) or _out_of_range(edges, 0, count) or _out_of_range(arrays["representative"], -1, len(ids))):
            raise IndexError_("the duplicates file is damaged (inconsistent arrays); index again with --rebuild")
        capacity = max(count, 16)
        index._sigs = np.zeros((capacity, index.num_perm), dtype=np.uint32)
        index._sigs[:count] = sigs
        index._alive = np.zeros(capacity, dtype=bool)
        index._alive[:count] = True
        index._used = count
        index._members = {n: [] for n in range(count)}
        for article_id, n, published, length in zip(ids, node.tolist(), arrays["published"].tolist(), arrays["length"].tolist()):
            index._articles[article_id] = _Article(n, published, length)
            if n >= 0:
                index._members[n].append(article_id)
        if len(edges):
            for a, b, sim in zip(edges[:, 0].tolist(), edges[:, 1].tolist(), arrays["edge_similarity"].tolist()):
                index._edges.setdefault(a, {})[b] = sim
                index._edges.setdefault(b, {})[a] = sim
        for article_id, rep in zip(ids, arrays["representative"].tolist()):
            if rep >= 0:
                index._rep[article_id] = ids[rep]
                index._groups.setdefault(ids[rep], []).append(article_id)
        for members in index._groups.values():
            members.sort(key=index._order_key)
        return index

    @classmethod
    def build(
        cls, articles: Iterable[tuple[str, Signature | None, dt.date | dt.datetime | None, int]], **options: Any
    ) -> DuplicateIndex:
        """An index of ``(id, signature, published, length)`` tuples, built from scratch."""
        index = cls(**options)
        for article_id, sig, published, length in articles:
            index.add(article_id, sig, published, length)
        return index


_ARRAYS = ("id_bytes", "id_lengths", "published", "length", "node", "representative", "similarity", "signatures", "edges", "edge_similarity")


def _read(data: bytes | str | os.PathLike[str], names: tuple[str, ...]) -> tuple[dict[str, Any], dict[str, npt.NDArray[Any]]]:
    """The header and the named arrays (a file's other arrays are not read)."""
    try:
        with np.load(io.BytesIO(data) if isinstance(data, bytes) else data, allow_pickle=False) as archive:
            header = json.loads(archive["header"].tobytes().decode("utf-8"))
            arrays = {k: archive[k] for k in names}
    except (FileNotFoundError, PermissionError, IsADirectoryError) as err:
        raise IndexError_(f"cannot read the duplicates file {os.fsdecode(err.filename or '')}: {err.strerror}") from err
    except Exception as err:
        raise IndexError_(f"the duplicates file is damaged ({type(err).__name__}); index again with --rebuild") from err
    if not isinstance(header, dict) or header.get("magic") != FILE_MAGIC:
        raise IndexError_("the duplicates file is not one newssearch wrote")
    if header.get("format") != FILE_FORMAT or header.get("seed") != SEED or header.get("scheme") != SCHEME or header.get("shingle") != SHINGLE:
        raise IndexError_("the duplicates file was made by another version of newssearch; index again with --rebuild")
    return header, arrays


def _ids(arrays: dict[str, npt.NDArray[Any]]) -> list[str]:
    blob = arrays["id_bytes"].tobytes()
    lengths = arrays["id_lengths"]
    if lengths.ndim != 1 or (len(lengths) and (lengths.min() < 0 or int(lengths.sum()) != len(blob))):
        raise IndexError_("the duplicates file is damaged (article ids); index again with --rebuild")
    ends = np.cumsum(lengths).tolist()
    try:
        return [blob[start:end].decode("utf-8") for start, end in zip([0, *ends[:-1]], ends)]
    except UnicodeDecodeError as err:
        raise IndexError_("the duplicates file is damaged (article ids); index again with --rebuild") from err


def _out_of_range(values: npt.NDArray[Any], low: int, high: int) -> bool:
    return bool(len(values) and (values.dtype.kind not in "iu" or values.min() < low or values.max() >= high))


class ExactVerifier:
    """A :data:`Verifier` computing the exact Jaccard similarity of two articles' shingle sets.

    The shingles of the articles being added are handed over with :meth:`remember` (a
    worker computed them with the signature: :func:`fingerprint`); those of articles
    indexed before are computed from the body ``text_of(id)`` returns (the store reading
    the stored text; ``None`` when it has none), and the last ``keep`` are cached. Call
    :meth:`forget` when an article is edited or removed. On BBC + Reuters, 147 of 21k
    additions needed one (0.04 ms each, plus reading the text).
    """

    def __init__(self, text_of: Callable[[str], str | None], keep: int = 4096) -> None:
        self._text_of = text_of
        self._keep = keep
        self._known: dict[str, npt.NDArray[np.uint32]] = {}
        self._cached: OrderedDict[str, npt.NDArray[np.uint32]] = OrderedDict()

    def remember(self, article_id: str, shingles: npt.NDArray[np.uint32]) -> None:
        """Hold an article's shingles (until :meth:`forget`)."""
        self._cached.pop(article_id, None)
        self._known[article_id] = shingles

    def forget(self, article_id: str) -> None:
        """Drop what is held about an article (its text changed or it is gone)."""
        self._known.pop(article_id, None)
        self._cached.pop(article_id, None)

    def cache(self, article_id: str, shingles: npt.NDArray[np.uint32]) -> None:
        """Keep an article's shingles among the last ``keep`` cached (its text can be read
        again: ``text_of`` gives it)."""
        self._known.pop(article_id, None)
        self._cached[article_id] = shingles
        self._cached.move_to_end(article_id)
        if len(self._cached) > self._keep:
            self._cached.popitem(last=False)

    def readable(self) -> None:
        """Every article handed over with :meth:`remember` can be read through ``text_of``
        now (the store committed them): stop holding their shingles."""
        self._known.clear()

    def shingles(self, article_id: str) -> npt.NDArray[np.uint32] | None:
        """The article's shingle hashes, or ``None`` when its text cannot be had."""
        found = self._known.get(article_id)
        if found is not None:
            return found
        found = self._cached.get(article_id)
        if found is not None:
            self._cached.move_to_end(article_id)
            return found
        text = self._text_of(article_id)
        if text is None:
            return None
        found = shingle_hashes(words(text))
        self._cached[article_id] = found
        if len(self._cached) > self._keep:
            self._cached.popitem(last=False)
        return found

    def __call__(self, a: str, b: str) -> float | None:
        first, second = self.shingles(a), self.shingles(b)
        if first is None or second is None:
            return None
        return jaccard(first, second)


def saved_meta(data: bytes | str | os.PathLike[str]) -> dict[str, Any]:
    """The ``meta`` a saved index was saved with (reads only its header);
    :class:`~newssearch.errors.IndexError_` when the data is not a saved index."""
    header, _ = _read(data, ())
    meta = header.get("meta")
    return dict(meta) if isinstance(meta, dict) else {}


def read_groups(data: bytes | str | os.PathLike[str]) -> dict[str, Group]:
    """Only the groups of a saved index: article id → its :class:`Group`, for the articles with copies.

    From a file, reads neither the signatures nor the pairs; builds Python objects only for
    the articles in groups (a few per cent of a news archive), no LSH buckets. (A searcher
    reads them as a :class:`~newssearch.enrich.groups.GroupTable`, without NumPy.)
    """
    arrays = read_arrays(data, GROUP_ARRAYS)
    return group_table(
        arrays["id_bytes"].tobytes(), arrays["id_lengths"].tolist(), arrays["published"].tolist(), arrays["length"].tolist(),
        arrays["representative"].tolist(), arrays["similarity"].tolist(),
    ).groups()


def read_arrays(data: bytes | str | os.PathLike[str], names: tuple[str, ...]) -> dict[str, npt.NDArray[Any]]:
    """The named arrays of a saved index (its header checked; the others not read);
    :class:`~newssearch.errors.IndexError_` when the data is not a saved index of this format."""
    return _read(data, names)[1]
