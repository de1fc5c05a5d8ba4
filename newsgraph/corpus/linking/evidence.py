"""What one article says about one of its entities, and what the corpus knows of an entity.

``Features`` are read off a per-article entity (name parts, aliases, roles, gender,
gazetteer ids, the other names in the article, outlet and date); a ``profile`` is the
JSON-ready summary of every article linked to a cross-article entity, kept bounded
(the most frequent aliases, role words and co-occurring names) so that it costs the
same to update at the 10th article as at the 10,000th.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ...model import Article, Entity
from .names import PersonName, acronym, fold, is_acronym, normalise, person_name, skeleton, words

#: Entity types linked across articles, by the family they are compared within.
FAMILIES = {
    "PERSON": "person",
    "ORG": "org",
    "NORP": "group",
    "GPE": "place",
    "LOC": "place",
    "FAC": "facility",
    "EVENT": "event",
    "PRODUCT": "work",
    "WORK_OF_ART": "work",
    "LAW": "work",
    "LANGUAGE": "language",
}
FAMILY_NAMES = frozenset(FAMILIES.values())
#: Role words that say nothing about who is meant.
_ROLE_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "of",
        "for",
        "and",
        "in",
        "on",
        "at",
        "to",
        "'s",
        "his",
        "her",
        "its",
        "their",
        "former",
        "new",
        "then",
        "acting",
        "deputy",
        "vice",
    ]
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: Bounds of a profile's counters (most frequent kept).
MAX_ALIASES = 40
MAX_ROLES = 40
MAX_COOC = 120
MAX_OUTLETS = 20


@dataclass
class Features:
    """One per-article entity as the linker sees it."""

    article_id: str
    entity_id: str
    name: str
    type: str
    family: str
    names: list[str]  # name and aliases, as written
    person: PersonName | None = None
    first_names: set[str] = field(default_factory=set)
    gender: str | None = None
    roles: set[str] = field(default_factory=set)
    gazetteer: set[str] = field(default_factory=set)
    cooc: set[str] = field(default_factory=set)
    outlet: str | None = None
    date: str | None = None

    @property
    def norms(self) -> set[str]:
        return {n for n in (normalise(x) for x in self.names) if n}


def family_of(type: str) -> str | None:
    return FAMILIES.get(type)


def entity_key(entity: Entity) -> str:
    """The short key of an entity as context for others: a person's surname, else its name."""
    if entity.type == "PERSON":
        parsed = person_name(entity.name)
        if parsed is not None:
            return "p:" + skeleton(parsed.surname)
    return "n:" + normalise(entity.name)


def context_keys(article: Article) -> frozenset[str]:
    """The keys of every linked entity of the article: the context each of them is seen in."""
    return frozenset(entity_key(e) for e in article.entities if family_of(e.type))


def features(
    article_id: str,
    article: Article,
    entity: Entity,
    as_type: str | None = None,
    context: frozenset[str] | None = None,
) -> Features | None:
    """The features of ``entity`` in ``article`` (read as ``as_type`` when given); None when not linked.

    ``context``: ``context_keys(article)``, when the caller has it already.
    """
    type_ = as_type or entity.type
    fam = family_of(type_)
    if fam is None or not normalise(entity.name):
        return None
    names = list(dict.fromkeys([entity.name, *entity.aliases]))
    feat = Features(article_id, entity.id, entity.name, type_, fam, names, gender=entity.gender)
    if fam == "person":
        feat.person = person_name(entity.name)
        if feat.person is None:
            return None
        for alias in names:
            parsed = person_name(alias)
            if (
                parsed is not None
                and parsed.first is not None
                and skeleton(parsed.surname) == skeleton(feat.person.surname)
            ):
                feat.first_names.add(parsed.first)
        for role in entity.roles:
            feat.roles |= {w for w in words(role.text) if w not in _ROLE_STOP and len(w) > 2}
    feat.gazetteer = {p.gazetteer_id for p in article.places if p.entity == entity.id and p.gazetteer_id}
    own = entity_key(entity)
    feat.cooc = {k for k in (context if context is not None else context_keys(article)) if k != own}
    feat.outlet = article.metadata.outlet
    published = article.metadata.published or ""
    feat.date = published[:10] if _DATE.match(published) else None
    return feat


def keys_of(feat: Features) -> set[str]:
    """Blocking keys: a person's surname skeleton; names, acronyms and gazetteer ids otherwise."""
    if feat.person is not None:
        return {feat.person.key}
    keys = {f"{feat.family}:{skeleton(n.replace(' ', ''))}" for n in feat.norms}
    keys |= {f"g:{g}" for g in feat.gazetteer}
    if feat.family == "org":
        for name in feat.names:
            if is_acronym(name):
                keys.add("a:" + fold(name).replace(".", ""))
            else:
                acr = acronym(name)
                if acr and len(acr) >= 3:
                    keys.add("a:" + acr)
            parts = words(name)
            if len(parts) >= 2:
                keys.add("oh:" + skeleton(parts[-1]))  # the head word: "Authority"
            keys |= {"oh:" + skeleton(p) for p in hyphen_parts(name)}
    return keys


def hyphen_parts(name: str) -> list[str]:
    """The parts of a hyphenated one-word name, as name skeleton words: "MSF-Holland" -> msf, holland."""
    if " " in name.strip() or "-" not in name:
        return []
    return ["".join(words(part)) for part in name.split("-") if words(part)]


def part_keys(feat: Features) -> set[str]:
    """Keys of organisations this one may be a short or longer form of ("Authority", "Itar-Tass")."""
    if feat.family != "org":
        return set()
    keys = set()
    for name in feat.names:
        parts = words(name)
        if len(parts) == 1 and not is_acronym(name):
            keys.add("oh:" + skeleton(parts[0]))
        keys |= {"org:" + skeleton(p) for p in hyphen_parts(name)}
    return keys


# --- profiles: what the corpus knows of a cross-article entity -------------------------


def empty_profile(feat: Features) -> dict[str, Any]:
    return {
        "family": feat.family,
        "surname": feat.person.surname if feat.person else None,
        "first_names": {},
        "gender": {},
        "aliases": {},
        "types": {},
        "roles": {},
        "gazetteer": {},
        "cooc": {},
        "outlets": {},
        "first_seen": None,
        "last_seen": None,
        "mentions": 0,
        "articles": 0,
    }


def _bump(counter: dict[str, int], items: Any, limit: int | None = None) -> None:
    """Count ``items`` in ``counter``; beyond ``limit`` entries, keep the most frequent.

    Which entries survive depends on the counts alone, never on the order the items came
    in or the dict's order: a tie at the limit goes to the entries the counter held before
    this call, then to the alphabetically first. (A set's order changes with the process's
    string hash seed, and a profile read back from the store has its keys sorted, one kept
    in memory within a transaction has not: order-dependent tie-breaks made the same
    articles link differently in another process or with other transaction boundaries.)
    """
    new: set[str] = set()
    for item in sorted(items) if isinstance(items, set | frozenset) else items:
        count = counter.get(item, 0)
        if not count:
            new.add(item)
        counter[item] = count + 1
    if limit is not None and len(counter) > limit:
        kept = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0] in new, kv[0]))[:limit]
        counter.clear()
        counter.update(kept)


def add_to_profile(profile: dict[str, Any], feat: Features, mentions: int) -> None:
    """Fold one linked per-article entity into ``profile`` (in place)."""
    if feat.person is not None and profile.get("surname") is None:
        profile["surname"] = feat.person.surname
    _bump(profile["first_names"], feat.first_names)
    if feat.gender:
        _bump(profile["gender"], [feat.gender])
    _bump(profile["aliases"], feat.names, MAX_ALIASES)
    _bump(profile["types"], [feat.type])
    _bump(profile["roles"], feat.roles, MAX_ROLES)
    _bump(profile["gazetteer"], feat.gazetteer)
    _bump(profile["cooc"], feat.cooc, MAX_COOC)
    if feat.outlet:
        _bump(profile["outlets"], [feat.outlet], MAX_OUTLETS)
    if feat.date:
        first, last = profile.get("first_seen"), profile.get("last_seen")
        profile["first_seen"] = min(first, feat.date) if first else feat.date
        profile["last_seen"] = max(last, feat.date) if last else feat.date
    profile["mentions"] += mentions
    profile["articles"] += 1


def display_name(profile: dict[str, Any]) -> str:
    """The name to show: the most frequent of the longest full forms seen."""
    aliases: dict[str, int] = profile["aliases"]
    if not aliases:
        return ""
    if profile["family"] == "person":
        # a full name (first and surname) seen most often; else the most frequent form
        full = {a: n for a, n in aliases.items() if len(words(a)) >= 2}
        pool = full or aliases
        return min(pool, key=lambda a: (-pool[a], -len(a), a))
    # Ties go to the alphabetically first form, whatever the dict's order (see ``_bump``).
    return min(aliases, key=lambda a: (-aliases[a], abs(len(a) - 20), a))


def profile_type(profile: dict[str, Any]) -> str:
    types: dict[str, int] = profile["types"]
    return max(types, key=lambda t: (types[t], t)) if types else "UNKNOWN"


def gender_of(profile: dict[str, Any]) -> str | None:
    """The gender the articles agree on; None when none is known or they disagree."""
    genders: dict[str, int] = profile["gender"]
    if len(genders) == 1:
        return next(iter(genders))
    return None


def days_apart(a: str | None, b: str | None) -> int | None:
    if not a or not b:
        return None
    return abs((date.fromisoformat(a) - date.fromisoformat(b)).days)
