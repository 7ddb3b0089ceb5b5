"""CoNLL-2003 files: documents, sentences and gold person names, for the people
evaluation (:mod:`.people`) and the training of the token model (:mod:`.train_people`)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["read_conll", "sentence_text"]


def read_conll(path: str | Path) -> list[list[list[tuple[str, str]]]]:
    """Documents -> sentences -> (token, NER tag). Each ``-DOCSTART-`` starts a document."""
    docs: list[list[list[tuple[str, str]]]] = []
    doc: list[list[tuple[str, str]]] = []
    sent: list[tuple[str, str]] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                if sent:
                    doc.append(sent)
                    sent = []
                continue
            parts = line.split()
            if parts[0] == "-DOCSTART-":
                if sent:
                    doc.append(sent)
                    sent = []
                if doc:
                    docs.append(doc)
                doc = []
                continue
            sent.append((parts[0], parts[-1]))
    if sent:
        doc.append(sent)
    if doc:
        docs.append(doc)
    return docs


def sentence_text(sent: list[tuple[str, str]]) -> tuple[str, list[tuple[int, int]]]:
    """The sentence as text (tokens joined by spaces) and the char spans of gold PER names."""
    text_parts: list[str] = []
    pos = 0
    spans: list[tuple[int, int]] = []
    cur: list[int] | None = None
    prev_tag = "O"
    for tok, tag in sent:
        start = pos
        text_parts.append(tok)
        pos += len(tok) + 1
        is_per = tag.endswith("PER")
        starts_new = tag == "B-PER" or (is_per and not prev_tag.endswith("PER"))
        if cur is not None and (not is_per or starts_new):
            spans.append((cur[0], cur[1]))
            cur = None
        if is_per:
            if cur is None:
                cur = [start, start + len(tok)]
            else:
                cur[1] = start + len(tok)
        prev_tag = tag
    if cur is not None:
        spans.append((cur[0], cur[1]))
    return " ".join(text_parts), spans
