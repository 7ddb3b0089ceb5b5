"""The corpus-wide people registry of an index: saved in its metadata, rebuilt when stale."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..model import Person
from .index import read_meta

if TYPE_CHECKING:
    from ..enrich.people import PeopleRegistry


def stored_person(item: dict[str, Any]) -> Person:
    """A :class:`Person` from the dict an article document stores."""
    return Person(name=item["name"], aliases=list(item.get("aliases", [])), mentions=item.get("mentions", 1),
                  person_cues=int(item.get("person_cues", 0)), thing_cues=int(item.get("thing_cues", 0)))


def build_registry(ix: Any) -> PeopleRegistry:
    """The corpus-wide people registry, rebuilt from the articles' stored people."""
    from ..enrich.people import PeopleRegistry

    with ix.searcher() as searcher:
        return PeopleRegistry.from_people(
            stored_person(item) for fields in searcher.documents(kind="article") for item in fields.get("people") or ()
        )


def load_registry(index_dir: str, ix: Any) -> PeopleRegistry:
    """The people registry of an index: from the metadata file, rebuilt if stale, missing or
    garbled (it is derived data: the articles' stored people are the truth)."""
    from ..enrich.people import PeopleRegistry

    meta = read_meta(index_dir)
    data = meta.get("people")
    if isinstance(data, dict) and meta.get("generation") == ix.latest_generation():
        try:
            return PeopleRegistry.from_dict(data)
        except (AttributeError, TypeError, ValueError, LookupError):
            pass  # garbled: rebuilt below
    return build_registry(ix)

