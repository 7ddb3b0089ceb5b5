"""Build the list of Romanian words that lose their diacritics into a name in use.

    python -m newssearch.evals.name_collisions /work/shared/data/romanian-news-2022 \
        > src/newssearch/store/data/exact_words_ro.txt

Counts the words of unlabelled Romanian news (a folder of the outlets' ``*.json.gz`` files, or
JSONL files of ``title``/``text`` records), leaving out sentence starts (case says nothing
there), and keeps a folded word when it is written without diacritics mostly capitalised (a
name: ``Putin``) at least ``--min-name`` times, and with diacritics mostly in lower case (a
common word: ``puțin``) at least ``--min-word`` times. Those words are indexed in their exact
form too (see :mod:`newssearch.store.analysis`). Prints the list, one folded word a line,
after a comment line with the counts behind each.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterator

from newssearch.store.analysis import analysis_for, fold

_WORD = re.compile(r"[^\W\d_]+")
_SENTENCE_START = re.compile(r"(?:[.!?\n„\"«]\s*|^)$")


def _texts(path: str) -> Iterator[str]:
    files = sorted(os.path.join(path, n) for n in os.listdir(path)) if os.path.isdir(path) else [path]
    for name in files:
        if name.endswith(".json.gz"):
            with gzip.open(name, "rt", encoding="utf-8") as f:
                records = json.load(f)
        elif name.endswith(".jsonl"):
            with open(name, encoding="utf-8") as f:
                records = [json.loads(line) for line in f if line.strip()]
        else:
            continue
        for record in records:
            yield f"{record.get('title') or ''}.\n{record.get('text') or ''}"


def collisions(paths: list[str], min_name: int = 20, min_word: int = 20) -> list[tuple[str, int, int]]:
    """``(folded word, name count, common-word count)`` for each collision, most frequent first."""
    analysis = analysis_for("ro")
    assert analysis is not None
    count: Counter[str] = Counter()
    capital: Counter[str] = Counter()
    for path in paths:
        for text in _texts(path):
            for match in _WORD.finditer(text):
                if _SENTENCE_START.search(text[max(0, match.start() - 3) : match.start()]):
                    continue
                word = analysis.normal(match.group().lower())
                count[word] += 1
                if match.group()[0].isupper():
                    capital[word] += 1
    forms: dict[str, list[str]] = defaultdict(list)
    for word in count:
        forms[fold(word)].append(word)
    out = []
    for folded, written in forms.items():
        plain = count[folded]
        marked = [w for w in written if w != folded]
        common = sum(count[w] for w in marked)
        if folded in analysis.stops or plain < min_name or common < min_word:
            continue
        if capital[folded] >= 0.8 * plain and sum(capital[w] for w in marked) <= 0.2 * common:
            out.append((folded, plain, common))
    return sorted(out, key=lambda row: (-row[1], row[0]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", help="folders of *.json.gz or JSONL files of Romanian news")
    parser.add_argument("--min-name", type=int, default=20, help="times the plain form is seen as a name")
    parser.add_argument("--min-word", type=int, default=20, help="times the diacritic forms are seen")
    args = parser.parse_args()
    rows = collisions(args.paths, args.min_name, args.min_word)
    print("# " + ", ".join(f"{w} {n}/{c}" for w, n, c in rows))
    for word, _, _ in rows:
        print(word)


if __name__ == "__main__":
    main()
