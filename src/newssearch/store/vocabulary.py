"""The index's vocabulary of unstemmed words, for "did you mean" suggestions.

Kept beside the Whoosh files as ``vocabulary.tsv`` (word, tab, count; sorted by word), so
spelling suggestions are made of real words ("vilnius summit", not the stems "vilniu
summit") without indexing every word a second time. Counts only grow: words of removed
articles stay, which costs nothing but a rarely wrong suggestion.
"""

from __future__ import annotations

import os
from bisect import bisect_left
from collections import Counter

from .atomic import atomic_write
from .schema import word_analyzer

FILE = "vocabulary.tsv"

_ANALYZER = word_analyzer()


def fold_word(word: str) -> str:
    """A word as the vocabulary keeps it (lowercased, accents folded)."""
    token = next(iter(_ANALYZER(word)), None)
    return token.text if token is not None else word.lower()


def load(index_dir: str) -> dict[str, int]:
    """The vocabulary of an index ({} when there is none; garbled lines are left out)."""
    words: dict[str, int] = {}
    try:
        with open(os.path.join(index_dir, FILE), encoding="utf-8", errors="replace") as handle:
            for line in handle:
                word, _, count = line.rstrip("\n").partition("\t")
                if word and "\ufffd" not in word:
                    words[word] = int(count) if count.isascii() and count.isdigit() else 1  # (a garbled line costs one word)
    except OSError:
        return {}
    return words


def save(index_dir: str, words: dict[str, int] | Counter[str]) -> None:
    """Write the vocabulary atomically and durably (see :func:`~.atomic.atomic_write`)."""
    with atomic_write(os.path.join(index_dir, FILE), prefix=".vocab-") as handle:
        for word in sorted(words):
            handle.write(f"{word}\t{words[word]}\n")


class Speller:
    """Spelling suggestions from a vocabulary: the most frequent word within a small edit distance."""

    def __init__(self, words: dict[str, int]) -> None:
        self.words = words
        self._ordered = sorted(words)

    def known(self, word: str) -> bool:
        """True when ``word`` (folded) is in the vocabulary."""
        return word in self.words

    def suggest(self, word: str, maxdist: int = 2) -> str | None:
        """The most frequent word nearest to ``word`` (Levenshtein distance ≤ ``maxdist``,
        the same first letter), or None. (RapidFuzz's distance over the words sharing the
        first letter: about a millisecond, where Whoosh's automaton took 20-40 ms a word.)"""
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        if not word:
            return None
        lo = bisect_left(self._ordered, word[0])
        hi = bisect_left(self._ordered, word[0] + "\U0010ffff", lo)
        found = process.extract(word, self._ordered[lo:hi], scorer=Levenshtein.distance, score_cutoff=maxdist, limit=None)
        for dist in range(1, maxdist + 1):
            candidates = [w for w, d, _ in found if d == dist]
            if candidates:
                return max(candidates, key=lambda w: (self.words.get(w, 0), w))
        return None
