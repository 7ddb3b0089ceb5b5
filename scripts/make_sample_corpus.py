"""Build the shipped sample corpus (corpus/wikinews/) from the Wikinews CSV files.

    python scripts/make_sample_corpus.py ../shared/data/wikinews-en corpus/wikinews

Picks articles about politics and public figures (and a fixed random sample of the rest),
writes 2019 articles as .txt files with a header block and 2020 articles as one JSONL file,
and an ATTRIBUTION.md listing every article's URL (CC BY 2.5, Wikinews contributors).
Changes to the text: the leading dateline line of 2019 articles is dropped, whitespace is
normalised, and paragraphs are separated by one blank line.
"""

from __future__ import annotations

import csv
import json
import random
import re
import sys
from pathlib import Path

PEOPLE = re.compile(r"Zelensk|Stoltenberg|NATO|Putin|Trump|Merkel|Johnson|Navalny|Erdogan|Pelosi|Biden")
DATELINE = re.compile(r"^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \w+ \d{1,2}, \d{4}$")


def paragraphs(text: str) -> list[str]:
    parts = re.split(r"\n\s*\n", text.replace("\r\n", "\n"))
    paras = [" ".join(p.split()) for p in parts if p.strip()]
    if paras and DATELINE.match(paras[0]):
        paras = paras[1:]
    return paras


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60]


def main(data_dir: str, out_dir: str) -> None:
    csv.field_size_limit(1 << 30)
    rows = []
    for name in ("wikinews_2019.csv", "wikinews_2020.csv"):
        with open(Path(data_dir) / name, newline="", encoding="utf-8") as handle:
            rows += [r for r in csv.DictReader(handle) if not r["title"].upper().startswith("TEST PAGE")]
    picked = [r for r in rows if PEOPLE.search(r["text"]) and len(r["text"].split()) < 2500]
    rest = [r for r in rows if r not in picked and len(r["text"].split()) < 2500]
    picked += random.Random(2023).sample(rest, 30)
    picked.sort(key=lambda r: (r["date"], r["title"]))
    out = Path(out_dir)
    (out / "2019").mkdir(parents=True, exist_ok=True)
    credits = []
    jsonl = []
    for row in picked:
        url = row["url"].replace("org//wiki", "org/wiki")
        paras = paragraphs(row["text"])
        if not paras:
            continue
        credits.append(f"- [{row['title']}]({url}), {row['date']}")
        if row["date"].startswith("2019"):
            name = out / "2019" / f"{row['date']}-{slug(row['title'])}.txt"
            header = f"Title: {row['title']}\nDate: {row['date']}\nSource: Wikinews\nURL: {url}\nAuthor: Wikinews contributors\nLanguage: en\n\n"
            name.write_text(header + "\n\n".join(paras) + "\n", encoding="utf-8")
        else:
            jsonl.append({"id": "wikinews-" + slug(row["title"]), "title": row["title"], "text": "\n\n".join(paras),
                          "published": row["date"], "source": "Wikinews", "url": url,
                          "authors": ["Wikinews contributors"], "language": "en"})
    with open(out / "wikinews-2020.jsonl", "w", encoding="utf-8") as handle:
        for record in jsonl:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    (out / "ATTRIBUTION.md").write_text(
        "# Wikinews articles in this folder\n\n"
        "Text by **Wikinews contributors**, from English Wikinews (https://en.wikinews.org/), published under the\n"
        "Creative Commons Attribution 2.5 license: https://creativecommons.org/licenses/by/2.5/\n\n"
        "Changed from the originals: the dateline line at the top of 2019 articles was removed, whitespace was\n"
        "normalised, and the articles were laid out as .txt files with a header block (2019) or as JSON Lines\n"
        "(2020). Taken from the vanatteveldt/wikinews collection of the published articles.\n\n"
        f"## The {len(credits)} articles\n\n" + "\n".join(credits) + "\n",
        encoding="utf-8",
    )
    print(f"{len(credits)} articles: {len(credits) - len(jsonl)} .txt, {len(jsonl)} in JSONL")


if __name__ == "__main__":
    main(*sys.argv[1:3])
