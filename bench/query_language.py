"""What the query language gives on a real corpus (issue 16): exact words against stems, and
whether a phrase query's first snippet shows the phrase.

    python bench/query_language.py INDEX [--limit 5] [--json]

INDEX is any newssearch index (e.g. of BBC: ``python ../shared/tools/newscorpus.py real OUT``,
then ``newssearch index OUT/bbc.jsonl --index INDEX``). It prints, for a few words, the
articles the quoted word finds against the unquoted word (which matches its stem), and, for
:data:`PHRASES` (20 phrases common in news), how many of the top ``--limit`` hits of each show
the phrase in their first snippet. The phrase is looked for in the snippet's text as a phrase
query matches it (stems in a row, stopwords skipped: "mobile phone" for ``mobile phones``), with
Whoosh's stemmer and stopwords, so the figure is the same for any version of newssearch: run it with an older ``src`` first on the path to
compare (``PYTHONPATH=/tmp/ns-main/src python bench/query_language.py INDEX_OF_THAT_VERSION``).
No timing: this measures results, not speed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys

from whoosh.analysis import STOP_WORDS
from whoosh.lang.porter import stem

from newssearch import Searcher

#: Words whose stem finds many more articles than the word itself (Porter).
WORDS = ("gaming", "universe", "generous", "organisation", "university")

#: Phrases of two or three words frequent in English news.
PHRASES = (
    "hunting ban", "interest rates", "prime minister", "world cup", "general election",
    "video games", "mobile phones", "oil prices", "six nations", "human rights",
    "chief executive", "stock market", "box office", "tony blair", "gordon brown",
    "michael howard", "champions league", "record label", "high street", "chancellor gordon brown",
)


def _stems(text: str) -> list[str]:
    """The words of ``text`` as a phrase query compares them: lowercased, stopwords and single
    letters dropped, Porter stems (Whoosh's own functions, so any version of newssearch is
    measured alike)."""
    return [stem(w) for w in re.findall(r"\w+(?:\.\w+)*", text.lower()) if len(w) > 1 and w not in STOP_WORDS]


def shows_phrase(phrase: str, text: str) -> bool:
    """True when ``text`` holds ``phrase`` as a phrase query matches it (its stems in a row,
    stopwords between them skipped): "mobile phone" for ``mobile phones``."""
    want, words = _stems(phrase), _stems(text)
    return any(words[i : i + len(want)] == want for i in range(len(words) - len(want) + 1))


def main(argv: list[str] | None = None) -> int:
    """Print the counts and the phrase-snippet rate for the index given."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index")
    parser.add_argument("--limit", type=int, default=5, help="hits looked at per phrase")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    out: dict[str, object] = {"words": {}, "phrases": {}}
    with Searcher(args.index) as searcher:
        for word in WORDS:
            out["words"][word] = {"exact": searcher.search(f'"{word}"', limit=1).total, "stem": searcher.search(word, limit=1).total}  # type: ignore[index]
        shown = looked = 0
        for phrase in PHRASES:
            hits = searcher.search(f'"{phrase}"', limit=args.limit, snippets=1).hits
            found = sum(1 for hit in hits if hit.snippets and shows_phrase(phrase, hit.snippets[0].text))
            out["phrases"][phrase] = {"hits": len(hits), "first_snippet_shows_phrase": found}  # type: ignore[index]
            shown += found
            looked += len(hits)
        out["phrase_snippets"] = {"shown": shown, "hits": looked}
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print("| word | \"word\" (exact) | word (stem) |\n|---|---:|---:|")
    for word, counts in out["words"].items():  # type: ignore[attr-defined]
        print(f"| {word} | {counts['exact']:,} | {counts['stem']:,} |")
    print(f"\nphrase in the first snippet: {shown} of {looked} hits ({len(PHRASES)} phrases, top {args.limit} each)")
    for phrase, row in out["phrases"].items():  # type: ignore[attr-defined]
        print(f"  {phrase!r}: {row['first_snippet_shows_phrase']}/{row['hits']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
