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


def story_groups(index_dir: Path | str) -> set[tuple[str, frozenset[str]]]:
    """The index's groups of copies as kept in its duplicates file: (representative, ids)."""
    from newssearch.enrich.duplicates import read_groups
    from newssearch.store.duplicates import file_path

    return {(g.representative, frozenset(g.ids)) for g in read_groups(file_path(str(index_dir))).values()}


def rebuilt_story_groups(index_dir: Path | str) -> set[tuple[str, frozenset[str]]]:
    """The groups of copies of what the index holds, computed from scratch (exact Jaccard
    near the threshold, as the index decides them)."""
    from newssearch.enrich.duplicates import DuplicateIndex, ExactVerifier, signature, words
    from newssearch.store.duplicates import stored_articles

    with open_index(str(index_dir)).searcher() as searcher:
        articles = list(stored_articles(searcher))
    bodies = {article_id: body for article_id, _, body in articles}
    built = DuplicateIndex(verify=ExactVerifier(bodies.get))
    for article_id, published, body in articles:
        built.add(article_id, signature(body), published, len(words(body)))
    return {(g.representative, frozenset(g.ids)) for g in built.groups()}
