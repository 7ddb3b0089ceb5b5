"""What an index holds, read back for tests: every live article with its paragraphs."""

from __future__ import annotations

from pathlib import Path

from newssearch.store.index import open_index


def indexed(index_dir: Path | str) -> dict[str, tuple[str, str]]:
    """Every live article of the index: id → (title, its paragraphs joined by blank lines).

    Fails on two article documents with one id, a paragraph twice, or paragraphs without
    their article."""
    articles: dict[str, str] = {}
    paragraphs: dict[str, dict[int, str]] = {}
    with open_index(str(index_dir)).searcher() as searcher:
        for fields in searcher.all_stored_fields():
            if fields["kind"] == "article":
                assert fields["id"] not in articles, f"two articles with id {fields['id']}"
                articles[fields["id"]] = fields["title"]
            else:
                parts = paragraphs.setdefault(fields["article_id"], {})
                assert fields["pos"] not in parts, f"paragraph {fields['pos']} of {fields['article_id']} twice"
                parts[fields["pos"]] = fields["text"]
    assert set(paragraphs) <= set(articles), "paragraphs without their article"
    return {i: (t, "\n\n".join(p for _, p in sorted(paragraphs.get(i, {}).items()))) for i, t in articles.items()}
