"""The corpus-wide people registry: who is who across the articles of an index.

Each article contributes its :class:`~newssearch.model.Person` s (:meth:`PeopleRegistry.add`,
undone by :meth:`~PeopleRegistry.remove` when the article is re-indexed or deleted), so the
registry is kept up to date incrementally and saved with the index. What it counts, per
name key (:func:`~newssearch.enrich.people.person_key`): the spellings and aliases seen,
the articles and mentions, and the mentions in a person's context ("Blair said", "Mr
Blair", "premierul Ciucă") against those in a thing's context ("the Chelsea manager", "an
Oscar", "în Ucraina").

From these counts it derives, lazily and again after every change, *people*: groups of
keys that denote one person.

* **Spellings across languages**: keys whose transliteration-folded form agrees are one
  person (:func:`loose_key`: y/i, kh/h, sh/s, w/v, doubled letters, Romanian "ghe/ghi");
  "Volodimir Zelenski" (Romanian) and "Volodymyr Zelensky" (English), "Serghei Lavrov" and
  "Sergei Lavrov".
* **Given-name variants**: "Jim Baker" and "James Baker", "Bill Clinton" and "William
  Clinton" (when both are in the corpus; the nickname table of the ``nicknames`` package,
  a variant joining the longer given name it is a nickname of); a name without its middle
  initials joins the one name that has them ("George Bush" → "George W Bush").
* **Surnames**: a surname-only key ("reagan", also what "President Reagan" gives) joins
  the full name with that surname when that name dominates the full names with it in the
  corpus: at least :data:`SURNAME_SHARE` of their mentions, or at least
  :data:`SURNAME_SHARE_LOW` when no other has :data:`RIVAL_MENTIONS` mentions. Two
  Bakers of similar weight (James Baker 595 mentions, Howard Baker 65 in Reuters 1987)
  keep "Baker" apart. Full names with a common English word that is no given name first
  or inside ("Blasts Reagan", "Byrd Urges Reagan" from capitals headlines) are not counted
  as rivals.
* **Not people**: a group whose mentions are mostly in a thing's context across the
  corpus ("Chelsea", "Sony", "Christmas", "Harry Potter") is no person
  (:meth:`PeopleRegistry.is_person`); nor is a one-word name no full name shares that
  stands in a large share of the corpus with no person's context at all (a byline or
  dateline such as "REUTER", "Agerpres"), nor a one-word name in several articles that
  no full name ends with and that is no given name or surname of the name lists ("Sony",
  "Google", "Xbox"), or that is one in some context and a person in none ("Music"), or
  that is in two or more articles, no full name ends with it and no context shows a person
  ("Learn", "Hey" of web pages). It stays searchable by name; facets and the people listing leave it
  out.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from ..model import Person

__all__ = ["PeopleRegistry", "PersonEntry", "loose_key"]

#: A surname-only key joins a full name that has this share of the mentions of all full
#: names with that surname ...
SURNAME_SHARE = 0.9
#: ... or this share, when no other full name with it has :data:`RIVAL_MENTIONS` mentions.
SURNAME_SHARE_LOW = 0.7
RIVAL_MENTIONS = 10
#: A group is no person when its thing-context mentions are at least this many and more
#: than :data:`THING_RATIO` times its person-context mentions.
THING_MIN = 3
THING_RATIO = 1.5
#: A one-word name without a full name, in at least this share of the articles (and at
#: least :data:`BOILERPLATE_MIN` of them) and never in a person's context, is boilerplate.
BOILERPLATE_SHARE = 0.02
BOILERPLATE_MIN = 20
#: A one-word name in at least this many articles that no full name of the corpus ends
#: with, and that is no given name or surname of the name lists, is no person.
LONE_WORD_ARTICLES = 3


def _person_key(name: str) -> str:
    from .people import person_key

    return person_key(name)


_DOUBLE = re.compile(r"(\w)\1+")
_GH = re.compile(r"gh(?=[ei])")


@lru_cache(maxsize=200_000)
def loose_key(key: str) -> str:
    """A key folded further so that transliterations of one name agree: "volodymyr
    zelensky", "volodimir zelenski" and "volodymyr zelenskyy" all give "volodimir
    zelenski". Rules: accents dropped ("î" → "i"), kh → h, sh → s, w → v, y → i,
    Romanian "ghe"/"ghi" → "ge"/"gi", j at a word's end → i, doubled letters once."""
    if key.isascii():
        text = key.lower()
    else:
        text = unicodedata.normalize("NFKD", key)
        text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    words = []
    for w in text.split():
        w = w.replace("kh", "h").replace("sh", "s").replace("w", "v").replace("y", "i")
        w = _GH.sub("g", w)
        if w.endswith("j"):
            w = w[:-1] + "i"
        w = _DOUBLE.sub(r"\1", w)
        words.append(w)
    return " ".join(words)


@lru_cache(maxsize=1)
def _nicknamer() -> Any:
    from nicknames import NickNamer

    return NickNamer()


@lru_cache(maxsize=50_000)
def formal_names(given: str) -> tuple[str, ...]:
    """The longer given names ``given`` is a nickname of ("jim" → ("james",))."""
    return tuple(sorted(c for c in _nicknamer().canonicals_of(given) if len(c) > len(given) and " " not in c))


@dataclass
class PersonEntry:
    """One person of the corpus, as the people listing shows it."""

    name: str
    key: str
    articles: int
    mentions: int
    aliases: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    person: bool = True

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


class PeopleRegistry:
    """Corpus-wide people: spellings, aliases, counts and the groups of keys of one person.

    Keys are :func:`~newssearch.enrich.people.person_key` values; a *full* key has two or
    more words, a *surname-only* key one. See the module docstring for how keys are
    grouped and which groups are no person.
    """

    def __init__(self) -> None:
        self._spellings: dict[str, Counter[str]] = defaultdict(Counter)  # key -> name spellings (by mentions)
        self._aliases: dict[str, Counter[str]] = defaultdict(Counter)  # key -> alias spellings (by articles)
        self._articles: Counter[str] = Counter()  # key -> articles
        self._cues: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # key -> [person, thing] mentions
        self._by_surname: dict[str, set[str]] = defaultdict(set)
        self._groups: dict[str, str] | None = None  # key -> group key (derived, lazily)
        self._members: dict[str, list[str]] = {}
        self._lookups: tuple[dict[str, set[str]], dict[str, set[str]], set[str]] | None = None
        self._surname_head: dict[str, str] = {}
        self._is_person: dict[str, bool] = {}
        self._corpus_estimate = 0

    # ---- building

    def add(self, person: Person) -> None:
        """Count one article's :class:`Person` in."""
        self._count(person, 1)

    def remove(self, person: Person) -> None:
        """Undo :meth:`add` for the same :class:`Person` (e.g. when an article is re-indexed)."""
        if _person_key(person.name) in self._spellings:
            self._count(person, -1)

    def _count(self, person: Person, sign: int) -> None:
        key = _person_key(person.name)
        if not key:
            return
        self._groups = None
        self._lookups = None
        self._spellings[key][person.name] += sign * max(person.mentions, 1)
        for alias in person.aliases:
            if alias != person.name:
                self._aliases[key][alias] += sign
        self._articles[key] += sign
        cues = self._cues[key]
        cues[0] += sign * person.person_cues
        cues[1] += sign * person.thing_cues
        if sign > 0:
            self._index(key)
            return
        for table in (self._spellings, self._aliases):
            counter = table.get(key)
            if counter is not None:
                for s in [s for s, c in counter.items() if c <= 0]:
                    del counter[s]
                if not counter:
                    del table[key]
        if key not in self._spellings:
            self._aliases.pop(key, None)
            self._articles.pop(key, None)
            self._cues.pop(key, None)
            words = key.split()
            if len(words) >= 2:
                self._by_surname[words[-1]].discard(key)
                if not self._by_surname[words[-1]]:
                    del self._by_surname[words[-1]]

    def _index(self, key: str) -> None:
        words = key.split()
        if len(words) >= 2 and len(words[-1]) > 1:
            self._by_surname[words[-1]].add(key)

    # ---- the groups (derived)

    def _mentions(self, key: str) -> int:
        counter = self._spellings.get(key)
        return sum(counter.values()) if counter else 0

    def _build(self) -> dict[str, str]:
        """Group the keys into people (see the module docstring); cached until a change."""
        if self._groups is not None:
            return self._groups
        keys = list(self._spellings)
        parent = {k: k for k in keys}
        mentions = {k: sum(c.values()) for k, c in self._spellings.items()}

        def find(k: str) -> str:
            while parent[k] != k:
                parent[k] = parent[parent[k]]
                k = parent[k]
            return k

        def union(a: str, b: str) -> None:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[rb] = ra

        by_loose: dict[str, set[str]] = defaultdict(set)
        for k in keys:
            by_loose[loose_key(k)].add(k)
        for same in by_loose.values():
            if len(same) > 1:
                first = min(same)
                for k in same:
                    union(first, k)
        # given-name variants: "jim baker" joins "james baker"
        loose_set = set(by_loose)
        for k in keys:
            words = k.split()
            if len(words) < 2:
                continue
            for formal in formal_names(words[0]):
                other = loose_key(" ".join([formal, *words[1:]]))
                if other in loose_set:
                    union(min(by_loose[other]), k)
        # a full name without its middle initials joins the one name that has them:
        # "george bush" -> "george w bush" (when one such name exists)
        by_ends: dict[tuple[str, str], set[str]] = defaultdict(set)
        for k in keys:
            words = k.split()
            if len(words) >= 3 and all(len(w) == 1 for w in words[1:-1]):
                by_ends[(words[0], words[-1])].add(k)
        for k in keys:
            words = k.split()
            if len(words) == 2:
                fuller = by_ends.get((words[0], words[1]))
                if fuller and len(fuller) == 1:
                    union(next(iter(fuller)), k)
        # surname-only keys join the dominant full name with that surname
        full_by_last: dict[str, list[str]] = defaultdict(list)
        for k in keys:
            words = k.split()
            if len(words) >= 2 and _plausible_full(words):
                full_by_last[loose_key(words[-1])].append(k)
        surname_head: dict[str, str] = {}
        for last, cands in full_by_last.items():
            weight: Counter[str] = Counter()
            for f in cands:
                weight[find(f)] += mentions[f]
            ranked = sorted(weight.items(), key=lambda kv: (-kv[1], kv[0]))
            total = sum(weight.values())
            if not total:
                continue
            top, top_n = ranked[0]
            rival = ranked[1][1] if len(ranked) > 1 else 0
            share = top_n / total
            if share >= SURNAME_SHARE or (share >= SURNAME_SHARE_LOW and rival < RIVAL_MENTIONS):
                surname_head[last] = top
        for k in keys:
            if " " not in k:
                head = surname_head.get(loose_key(k))
                if head is not None:
                    union(head, k)
        members: dict[str, list[str]] = defaultdict(list)
        for k in keys:
            members[find(k)].append(k)
        groups: dict[str, str] = {}
        self._members = {}
        for ks in members.values():
            head = max(ks, key=lambda k: (" " in k, mentions[k], k))
            self._members[head] = sorted(ks)
            for k in ks:
                groups[k] = head
        self._lookups = (by_loose, self._loose_lasts(), set(full_by_last))
        self._surname_head = {last: groups[head] for last, head in surname_head.items()}
        self._is_person = {}
        self._corpus_estimate = max(sum(self._articles.values()) // 3, max(self._articles.values(), default=0))
        self._groups = groups
        return groups

    def _loose_lasts(self) -> dict[str, set[str]]:
        by_loose_last: dict[str, set[str]] = defaultdict(set)
        for surname, fulls in self._by_surname.items():
            by_loose_last[loose_key(surname)] |= fulls
        return dict(by_loose_last)

    def _lookup_tables(self) -> tuple[dict[str, set[str]], dict[str, set[str]], set[str]]:
        """(loose key -> keys, loose surname -> full keys, loose surnames of plausible full
        names): made with the groups, or on first need after :meth:`from_dict` restored the
        groups without them."""
        self._build()
        if self._lookups is None:
            by_loose: dict[str, set[str]] = defaultdict(set)
            for k in self._spellings:
                by_loose[loose_key(k)].add(k)
            plausible = {loose_key(w[-1]) for k in self._spellings if len(w := k.split()) >= 2 and _plausible_full(w)}
            self._lookups = (dict(by_loose), self._loose_lasts(), plausible)
        return self._lookups

    # ---- queries

    def __contains__(self, key: str) -> bool:
        return key in self._spellings

    def __len__(self) -> int:
        return len(self._spellings)

    def group(self, key: str) -> str:
        """The key of the person ``key`` belongs to (its group's fullest, most mentioned key);
        a key the registry does not hold: the group of a key spelt the same way after
        transliteration folding, else ``key`` itself."""
        groups = self._build()
        g = groups.get(key)
        if g is not None:
            return g
        loose = loose_key(key)
        same = self._lookup_tables()[0].get(loose)
        if same:
            return groups[min(same)]
        if " " not in loose:
            return self._surname_head.get(loose, key)
        return key

    def members(self, key: str) -> list[str]:
        """Every key of the person ``key`` belongs to."""
        self._build()
        return list(self._members.get(self.group(key), [key]))

    def canonical(self, key: str) -> str:
        """Display name of the person under ``key``: the most frequent spelling of its group's key."""
        g = self.group(key)
        for k in (g, key):
            counter = self._spellings.get(k)
            if counter:
                return _most_common(counter)
        for k in (g, key):
            counter = self._aliases.get(k)
            if counter:
                return _most_common(counter)
        return " ".join(w.capitalize() for w in key.split())

    def aliases(self, key: str) -> list[str]:
        """Every other spelling of the person under ``key`` (most frequent first): the
        spellings of the keys merged into it and the aliases articles wrote."""
        canon = self.canonical(key)
        total: Counter[str] = Counter()
        for k in self.members(key):
            total.update(self._spellings.get(k, {}))
            total.update(self._aliases.get(k, {}))
        total.pop(canon, None)
        return [s for s, c in sorted(total.items(), key=lambda kv: (-kv[1], kv[0])) if c > 0]

    def is_person(self, key: str) -> bool:
        """False when the corpus says the group of ``key`` is no person: its mentions are
        mostly in a thing's context, or it is a one-word byline-like name (see the module
        docstring)."""
        head = self.group(key)
        known = self._is_person.get(head)
        if known is not None:
            return known
        ok = self._judge(head)
        self._is_person[head] = ok
        return ok

    def _judge(self, key: str) -> bool:
        ks = self.members(key)
        person = sum(self._cues[k][0] for k in ks if k in self._cues)
        thing = sum(self._cues[k][1] for k in ks if k in self._cues)
        if thing >= THING_MIN and thing > THING_RATIO * person:
            return False
        if all(" " not in k for k in ks):
            articles = sum(self._articles.get(k, 0) for k in ks)
            if person == 0:
                corpus = self._corpus_articles()
                if articles >= BOILERPLATE_MIN and articles >= BOILERPLATE_SHARE * corpus:
                    return False
            # a one-word name in several articles that never goes with a given name (no full
            # name in the corpus ends with it) and is no known given name or surname: a firm,
            # a product, a band ("Sony", "Google", "Xbox", "Yukos")
            if articles >= LONE_WORD_ARTICLES and person == 0 and thing > 0:
                return False  # "Music": a thing somewhere, a person nowhere
            lone = not any(loose_key(k) in self._lookup_tables()[2] for k in ks)
            if lone and person == 0 and articles >= 2:
                return False  # "Learn", "Hey", "Ruby": no full name, never in a person's context
            if articles >= LONE_WORD_ARTICLES and lone:
                from ._people_text import gazetteers

                first, surnames, _places = gazetteers()
                if not any(k in first or k in surnames for k in ks):
                    return False
        return True

    def _corpus_articles(self) -> int:
        """An estimate of the articles of the corpus that name someone: the most articles of one
        key, or the sum of articles over keys divided by the keys per article (~3); computed
        with the groups."""
        self._build()
        return self._corpus_estimate

    def resolve(self, name: str) -> set[str]:
        """All keys that denote the person ``name`` names (any alias, full or surname only).

        A full name gives every key of its person (spellings in other languages, given-name
        variants, the surname when it joined this name). A surname alone gives its own key
        plus every key of every person whose full name has that surname.
        """
        key = _person_key(name)
        if not key:
            return set()
        out = {key}
        words = key.split()
        if len(words) == 1:
            loose = loose_key(key)
            for k in self._by_surname.get(key, set()) | self._loose_surname(loose):
                out.update(self.members(k))
            if key in self._spellings or loose in self._lookup_tables()[0]:
                out.update(self.members(key))
            return out
        out.update(self.members(key))
        if self._surname_head.get(loose_key(words[-1])) == self.group(key):
            out.add(words[-1])
        if len(out) == 1:
            for formal in formal_names(words[0]):
                other = " ".join([formal, *words[1:]])
                if self.group(other) != other or other in self._spellings:
                    out.update(self.members(other))
        return out

    def _loose_surname(self, loose: str) -> set[str]:
        """Full keys whose last word folds to ``loose``."""
        self._build()
        return self._lookup_tables()[1].get(loose, set())

    def people(self, include_non_persons: bool = False) -> list[PersonEntry]:
        """Every person of the corpus with article and mention counts and the aliases merged
        into it, most named first (what ``newssearch people`` lists). Articles are summed
        over the person's keys (an article naming a person by two keys counts twice, which
        per-article resolution makes rare)."""
        self._build()
        out = []
        for head, ks in self._members.items():
            ok = self.is_person(head)
            if not ok and not include_non_persons:
                continue
            out.append(PersonEntry(
                name=self.canonical(head), key=head,
                articles=sum(self._articles.get(k, 0) for k in ks),
                mentions=sum(self._mentions(k) for k in ks),
                aliases=self.aliases(head), keys=list(ks), person=ok))
        out.sort(key=lambda e: (-e.articles, -e.mentions, e.name))
        return out

    # ---- persistence

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (see :meth:`from_dict`). It also holds the derived people
        (groups, surname heads, which groups are no person), computed here, so that an index
        saves them with each commit and a searcher need not group a large registry again."""
        groups = self._build()
        heads = sorted(self._members)
        return {
            "version": 2,
            "spellings": {k: dict(sorted(v.items())) for k, v in sorted(self._spellings.items())},
            "aliases": {k: dict(sorted(v.items())) for k, v in sorted(self._aliases.items())},
            "articles": {k: v for k, v in sorted(self._articles.items()) if v},
            "cues": {k: list(v) for k, v in sorted(self._cues.items()) if any(v)},
            "derived": {
                "groups": {k: h for k, h in sorted(groups.items()) if k != h},
                "surname_heads": dict(sorted(self._surname_head.items())),
                "not_people": [h for h in heads if not self.is_person(h)],
            },
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PeopleRegistry:
        """Rebuild a registry written by :meth:`to_dict` (a version-1 dict has no article
        or context counts: articles are then taken as 1 per spelling count).

        Raises ``ValueError`` when ``data`` is not shaped as :meth:`to_dict` writes it (a
        garbled registry): nothing of it is taken then."""
        _check_shape(data)  # (every count is an int: taken as they are)
        reg = cls()
        for k, v in data.get("spellings", {}).items():
            reg._spellings[k] = Counter(v)
            reg._index(k)
        for k, v in data.get("aliases", {}).items():
            reg._aliases[k] = Counter(v)
        articles = data.get("articles")
        if articles is None:
            articles = {k: sum(v.values()) for k, v in reg._spellings.items()}
        reg._articles = Counter(articles)
        for k, v in data.get("cues", {}).items():
            reg._cues[k] = list(v)
        derived = data.get("derived")
        if isinstance(derived, dict):
            reg._restore(derived)
        return reg

    def _restore(self, derived: dict[str, Any]) -> None:
        """Take the groups :meth:`to_dict` saved instead of computing them again."""
        moved = derived.get("groups", {})
        groups = {k: moved.get(k, k) for k in self._spellings}
        members: dict[str, list[str]] = defaultdict(list)
        for k, h in groups.items():
            members[h].append(k)
        if any(h not in groups for h in members):
            return  # inconsistent: group again on first use
        self._members = {h: sorted(ks) for h, ks in members.items()}
        self._surname_head = dict(derived.get("surname_heads", {}))
        not_people = set(derived.get("not_people", ()))
        self._is_person = {h: h not in not_people for h in members}
        self._corpus_estimate = max(sum(self._articles.values()) // 3, max(self._articles.values(), default=0))
        self._lookups = None
        self._groups = groups

    @classmethod
    def from_people(cls, people: Iterable[Person]) -> PeopleRegistry:
        """A registry with every person of ``people`` added."""
        reg = cls()
        for p in people:
            reg.add(p)
        return reg


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _counts_by_key(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) and _is_count(c) for k, c in value.items())


def _strings_by_key(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())


def _check_shape(data: Any) -> None:
    """Raise ``ValueError`` unless ``data`` has the shape :meth:`PeopleRegistry.to_dict`
    gives it (every part optional, each of its type): a registry read from an index's
    metadata file may have been garbled."""
    if not isinstance(data, dict):
        data = {"spellings": None}  # (not a mapping at all)
    problems = [
        name
        for name in ("spellings", "aliases")
        if name in data
        and not (isinstance(data[name], dict) and all(isinstance(k, str) and _counts_by_key(v) for k, v in data[name].items()))
    ]
    if data.get("articles") is not None and not _counts_by_key(data["articles"]):
        problems.append("articles")
    cues = data.get("cues", {})
    if not (isinstance(cues, dict) and all(
        isinstance(k, str) and isinstance(v, list) and len(v) == 2 and all(map(_is_count, v)) for k, v in cues.items()
    )):
        problems.append("cues")
    derived = data.get("derived")
    if isinstance(derived, dict):
        if not _strings_by_key(derived.get("groups", {})) or not _strings_by_key(derived.get("surname_heads", {})):
            problems.append("derived")
        not_people = derived.get("not_people", [])
        if not (isinstance(not_people, list) and all(isinstance(h, str) for h in not_people)):
            problems.append("derived")
    if problems:
        raise ValueError(f"the people registry's {', '.join(dict.fromkeys(problems))} are garbled")


def _plausible_full(words: list[str]) -> bool:
    """Whether a full key can be a person's name for surname grouping: its first word is a
    known given name, or no common English word ("blasts reagan", "link reagan" from
    capitals headlines are not)."""
    from ._people_text import COMMON, gazetteers

    first = words[0]
    if len(first) < 2:
        return False
    if not COMMON:
        from .people import _get_model

        _get_model()
    given = gazetteers()[0]
    if first not in given and first in COMMON:
        return False
    # "byrd urges reagan", "miller says reagan": a common word inside is a headline's verb
    return not any(w in COMMON and w not in given for w in words[1:-1] if len(w) > 1)


def _mixed(s: str) -> bool:
    return not s.isupper()


def _most_common(counter: Counter[str]) -> str:
    return min(counter.items(), key=lambda kv: (-kv[1], not _mixed(kv[0]), kv[0]))[0]
