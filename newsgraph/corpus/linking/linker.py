"""The decisions: which cross-article entity each per-article entity is, and why.

For each per-article entity the linker looks up the cross-article entities that share
a blocking key (surname skeleton, name, acronym, gazetteer id), drops those a hard
constraint rules out (another first name, the other gender, another gazetteer place,
a split that must hold), and then:

* a person with a first name goes to the entity with a matching full name; failing
  that, to the one entity known so far only by that surname, when the surname is rare
  or the context agrees;
* a bare surname goes to the one person of that surname when the surname is rare or
  the context agrees, to the best of several only when the context clearly prefers it,
  and stays unlinked otherwise ("Clinton" in an article that does not say which);
* other names go to the entity with the same name, alias, gazetteer place or spelling
  skeleton, or, failing that, to the one whose acronym they are.

Context is what a careful reader weighs: the other names in the article, shared role
words ("spokesman"), outlet and date. Whatever matches nothing starts a new entity.
Every decision is written to the link log with its reason; ids never change once given.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ...model import Article
from . import repair
from .evidence import (
    FAMILY_NAMES,
    Features,
    add_to_profile,
    context_keys,
    days_apart,
    display_name,
    empty_profile,
    features,
    gender_of,
    keys_of,
    part_keys,
    profile_type,
)
from .names import acronym, common_surnames, first_names_match, fold, is_acronym, normalise, similar, skeleton
from .state import LinkState

__all__ = ["Decision", "Linker", "Weights"]


@dataclass(frozen=True)
class Weights:
    """How much each kind of context counts, and how much is enough (tuned on the np4e tune part)."""

    cooc: float = 1.0  # per co-occurring name, times the share of the entity's articles it appears in
    role: float = 1.0  # per shared role word ("spokesman", "minister")
    outlet: float = 0.1
    week: float = 0.3  # published within 7 days of the entity's last sighting
    season: float = 0.1  # within 60 days
    enough: float = 0.5  # context needed to take a common or bare surname to a known person
    margin: float = 0.5  # how far the best of several must lead the second


@dataclass
class Decision:
    """Where one per-article entity goes: an existing id, a new entity, or nowhere."""

    corpus_id: str | None
    reason: str
    score: float
    create: bool = False


class Linker:
    """Links the entities of each added article to cross-article entities held in ``state``."""

    def __init__(self, state: LinkState, weights: Weights | None = None) -> None:
        self.state = state
        self.weights = weights or Weights()

    # --- linking ------------------------------------------------------------------------

    def link_article(self, article_id: str, article: Article) -> dict[str, str | None]:
        """Link every entity of ``article``; returns per-article entity id -> corpus id or None.

        Linking an article again (re-analysed) first forgets its earlier links.
        """
        previous = self.state.links(article_id=article_id)
        if previous:
            self.state.delete_links(article_id)
            for row in previous:
                if row["corpus_id"] is not None:
                    self.state.log(
                        "unlink",
                        row["corpus_id"],
                        "article linked again",
                        article_id=article_id,
                        entity_id=row["entity_id"],
                    )
        remember = getattr(self.state, "remember", None)
        if remember is not None:
            remember(article_id, article)
        banned: dict[str, set[str]] = {}
        pins = [f"{article_id}/{e.id}" for e in article.entities]
        for row in self.state.constraints(pins):
            banned.setdefault(row["a"], set()).add(row["b"])
        context = context_keys(article)
        # An entity's features as its own type and as a person: computed once per article
        # (the prefetch and the decisions below need the same ones; nothing changes them).
        computed: dict[tuple[str, str], Features | None] = {}

        def features_as(entity: Any, type_: str) -> Features | None:
            key = (entity.id, type_)
            if key not in computed:
                computed[key] = features(article_id, article, entity, as_type=type_, context=context)
            return computed[key]

        prefetch = getattr(self.state, "prefetch", None)
        if prefetch is not None:  # one look-up for every key the article's entities may need
            wanted: set[str] = set()
            for entity in article.entities:
                for type_ in {entity.type, "PERSON"}:
                    feat = features_as(entity, type_)
                    if feat is not None:
                        wanted |= keys_of(feat) | part_keys(feat) | _other_type_keys(feat)
            prefetch(wanted)
        out: dict[str, str | None] = {}
        # People first: a name the tagger typed otherwise ("Fujimori" as ORG) may be one of them.
        people: dict[str, tuple[str, str]] = {}  # surname or full name -> (corpus id, person's name)
        ordered = sorted(article.entities, key=lambda e: e.type != "PERSON")
        for entity in ordered:
            feat = features_as(entity, entity.type) if entity.type == "PERSON" else None
            if entity.type != "PERSON":
                person = _person_named(entity.name, people, article, entity.id)
                if person is not None:
                    corpus_id, name = person
                    feat = features_as(entity, "PERSON")
                    if feat is not None:
                        why = f"{entity.name!r} (tagged {entity.type}) names {name!r} in this article"
                        out[entity.id] = self._apply(
                            feat, Decision(corpus_id, why, 1.0), len(entity.mentions)
                        )
                        continue
                feat = features_as(entity, entity.type)
            if feat is None:
                self.state.set_link(article_id, entity.id, None, f"type {entity.type} is not linked", 0.0)
                out[entity.id] = None
                continue
            decision = self.decide(feat, banned.get(f"{article_id}/{entity.id}", set()))
            linked = self._apply(feat, decision, len(entity.mentions))
            out[entity.id] = linked
            if feat.person is not None and linked is not None:
                people.setdefault(skeleton(feat.person.surname), (linked, feat.name))
                people.setdefault(normalise(feat.name), (linked, feat.name))
        self.state.flush()
        return out

    def decide(self, feat: Features, pinned: set[str] | None = None) -> Decision:
        """The decision for one entity, from the state as it stands (nothing is written).

        ``pinned``: the entities a split says it may not go to (looked up when not given).
        """
        keys = keys_of(feat)
        if pinned is None:
            pinned = {c["b"] for c in self.state.constraints([f"{feat.article_id}/{feat.entity_id}"])}
        found = []
        for corpus_id in self.state.candidates(keys):
            if corpus_id in pinned:
                continue
            record = self.state.entity(corpus_id)
            if record is not None and record["profile"].get("family") == feat.family:
                found.append(record)
        if feat.person is not None:
            decision = self._decide_person(feat, found)
        else:
            decision = self._decide_name(feat, found)
        if decision.create and feat.family == "org":
            decision = self._decide_part(feat, pinned, {r["id"] for r in found}) or decision
        if decision.create:
            return self._other_type(feat, pinned) or decision
        return decision

    def _decide_part(self, feat: Features, pinned: set[str], seen: set[str]) -> Decision | None:
        """A short or compound form of a known organisation, when the context agrees.

        "the Authority" for "Palestinian Authority", "Itar-Tass" for "Tass", "MSF-Holland"
        for "MSF": a name alone is not enough, the article must share the organisation's context.
        """
        pool = []
        for corpus_id in self.state.candidates(part_keys(feat)):
            record = self.state.entity(corpus_id)
            if corpus_id in pinned or corpus_id in seen or record is None:
                continue
            if record["profile"].get("family") == feat.family:
                pool.append(record)
        if not pool:
            return None
        decision = self._pick(feat, pool, f"{feat.name!r} is a short or compound form", need_context=True)
        return decision if decision.corpus_id is not None else None

    def _other_type(self, feat: Features, pinned: set[str]) -> Decision | None:
        """The one entity of another type with exactly this name, when the tagger mistyped it.

        "Bukavu" tagged PERSON in one article and GPE in others; "Bar-Illan" tagged ORG
        where "David Bar-Illan" is a known person. Only a name without a first name, and
        only when a single entity of another type carries it.
        """
        if feat.first_names:
            return None
        norms = feat.norms
        keys = _other_type_keys(feat)
        found = []
        for corpus_id in self.state.candidates(keys):
            record = self.state.entity(corpus_id)
            if corpus_id in pinned or record is None or record["profile"].get("family") == feat.family:
                continue
            profile = record["profile"]
            theirs = set(profile["gazetteer"])
            if feat.gazetteer and theirs and not feat.gazetteer & theirs:
                continue
            if profile["family"] == "person":
                surname = profile["surname"] or ""
                if any(" " not in n and similar(n, surname) for n in norms):
                    found.append(record)
            elif norms & {normalise(a) for a in profile["aliases"]}:
                found.append(record)
        if len(found) != 1:
            return None
        record = found[0]
        why = f"{feat.name!r} tagged {feat.type} here; the only entity of that name is {record['name']!r}"
        return Decision(record["id"], f"{why} ({profile_type(record['profile'])})", 0.5)

    def _decide_person(self, feat: Features, found: list[dict[str, Any]]) -> Decision:
        assert feat.person is not None
        surname = feat.person.surname
        matching: list[dict[str, Any]] = []  # a first name known on both sides and matching
        open_: list[dict[str, Any]] = []  # known so far only by surname
        for record in found:
            profile = record["profile"]
            if not similar(surname, profile["surname"] or ""):
                continue
            known = gender_of(profile)
            if feat.gender and known and feat.gender != known:
                continue
            firsts = set(profile["first_names"])
            if feat.first_names and firsts:
                if any(first_names_match(a, b) for a in feat.first_names for b in firsts):
                    matching.append(record)
            else:
                open_.append(record)
        common = skeleton(surname) in common_surnames()
        shown = feat.name
        if feat.first_names:
            if matching:
                return self._pick(feat, matching, f"full name {shown!r} matches", need_context=False)
            if len(open_) == 1 and not common:
                return self._link(feat, open_[0], f"first name added to a person known only as {surname!r}")
            if open_:
                return self._pick(
                    feat, open_, f"surname of {shown!r} matches", need_context=True, fallback=True
                )
            return Decision(None, f"new person {shown!r}", 0.0, create=True)
        # a bare surname
        pool = matching + open_
        if not pool:
            return Decision(None, f"new person known as {shown!r}", 0.0, create=True)
        if len(pool) == 1 and not common:
            return self._link(feat, pool[0], f"surname {shown!r}: the only person of that name")
        return self._pick(feat, pool, f"surname {shown!r}", need_context=True, fallback=False)

    def _decide_name(self, feat: Features, found: list[dict[str, Any]]) -> Decision:
        strong: list[dict[str, Any]] = []
        weak: list[dict[str, Any]] = []
        norms = feat.norms
        skeletons = {skeleton(n.replace(" ", "")) for n in norms}
        for record in found:
            profile = record["profile"]
            theirs = set(profile["gazetteer"])
            if feat.gazetteer and theirs:
                if feat.gazetteer & theirs:
                    strong.append(record)
                continue  # two different gazetteer places: never the same
            aliases = list(profile["aliases"])
            alias_norms = {normalise(a) for a in aliases}
            if norms & alias_norms or skeletons & {skeleton(a.replace(" ", "")) for a in alias_norms}:
                strong.append(record)
            elif _acronym_of(feat.names, aliases) or _acronym_of(aliases, feat.names):
                weak.append(record)
        if strong:
            return self._pick(feat, strong, f"same name {feat.name!r}", need_context=False)
        if len(weak) == 1:
            return self._link(feat, weak[0], f"acronym: {feat.name!r} and {weak[0]['name']!r}")
        if weak:
            return self._pick(feat, weak, f"acronym {feat.name!r}", need_context=True, fallback=False)
        return Decision(None, f"new {feat.type} {feat.name!r}", 0.0, create=True)

    def _pick(
        self,
        feat: Features,
        pool: list[dict[str, Any]],
        why: str,
        *,
        need_context: bool,
        fallback: bool = False,
    ) -> Decision:
        """The candidate the context prefers; with ``need_context``, only when it clearly does.

        When the context does not decide: a new entity (``fallback``) or no link.
        """
        scored = sorted(((self.context(feat, r["profile"]), r) for r in pool), key=lambda x: -x[0][0])
        (best, best_why), record = scored[0]
        second = scored[1][0][0] if len(scored) > 1 else 0.0
        w = self.weights
        if not need_context:
            if len(scored) > 1 and best == second:
                return self._link(feat, record, why + "; context ties: the oldest entity", best)
            return self._link(feat, record, why + (f"; context: {best_why}" if best_why else ""), best)
        if best >= w.enough and best - second >= w.margin:
            return self._link(feat, record, f"{why}; context: {best_why}", best)
        if fallback:
            return Decision(
                None, f"new person {feat.name!r} ({why}, but context too weak)", best, create=True
            )
        names = ", ".join(f"{r['id']} {r['name']!r} {s:.2f}" for (s, _), r in scored[:3])
        return Decision(None, f"{why}: ambiguous or too little evidence ({names})", best)

    def split(
        self,
        corpus_id: str,
        *,
        names: Iterable[str] = (),
        articles: Iterable[str] = (),
        entities: Iterable[tuple[str, str]] = (),
        reason: str = "split by hand",
    ) -> str:
        """Move some of ``corpus_id``'s per-article entities to a new entity (``repair.split``)."""
        return repair.split(
            self.state, corpus_id, names=names, articles=articles, entities=entities, reason=reason
        )

    def merge_allowed(self, a: str, b: str) -> bool:
        """False when a split said ``a`` and ``b`` are different entities."""
        return repair.merge_allowed(self.state, a, b)

    def _link(self, feat: Features, record: dict[str, Any], why: str, score: float = 1.0) -> Decision:
        return Decision(record["id"], why, round(score, 3))

    def context(self, feat: Features, profile: dict[str, Any]) -> tuple[float, str]:
        """How well the article's context fits ``profile``, with the evidence named."""
        w = self.weights
        articles = max(int(profile["articles"]), 1)
        cooc: dict[str, int] = profile["cooc"]
        shared = sorted(k for k in feat.cooc if k in cooc)
        score = w.cooc * sum(min(1.0, cooc[k] / articles) for k in shared)
        why = []
        if shared:
            why.append("shares " + ", ".join(k.split(":", 1)[1] for k in shared[:5]))
        roles = sorted(feat.roles & set(profile["roles"]))
        if roles:
            score += w.role * len(roles)
            why.append("role " + " ".join(roles))
        if feat.outlet and feat.outlet in profile["outlets"]:
            score += w.outlet
        gap = days_apart(feat.date, profile.get("last_seen"))
        if gap is not None and gap <= 7:
            score += w.week
            why.append(f"{gap} days apart")
        elif gap is not None and gap <= 60:
            score += w.season
        return round(score, 3), "; ".join(why)

    def _apply(self, feat: Features, decision: Decision, mentions: int) -> str | None:
        state = self.state
        if decision.create:
            profile = empty_profile(feat)
            add_to_profile(profile, feat, mentions)
            corpus_id = state.new_entity(display_name(profile), feat.type, profile)
            state.add_keys(corpus_id, keys_of(feat))
            state.set_link(feat.article_id, feat.entity_id, corpus_id, decision.reason, 1.0)
            state.log(
                "create", corpus_id, decision.reason, article_id=feat.article_id, entity_id=feat.entity_id
            )
            return corpus_id
        if decision.corpus_id is None:
            state.set_link(feat.article_id, feat.entity_id, None, decision.reason, decision.score)
            return None
        record = state.entity(decision.corpus_id)
        assert record is not None
        profile = record["profile"]
        add_to_profile(profile, feat, mentions)
        state.update_entity(record["id"], display_name(profile), profile_type(profile), profile)
        state.add_keys(record["id"], keys_of(feat))
        state.set_link(feat.article_id, feat.entity_id, record["id"], decision.reason, decision.score)
        state.log("link", record["id"], decision.reason, article_id=feat.article_id, entity_id=feat.entity_id)
        return str(record["id"])


def _other_type_keys(feat: Features) -> set[str]:
    """Keys of the same name in every family ("Bukavu" as a person, a place, an organisation)."""
    norms = feat.norms
    keys = {f"{fam}:{skeleton(n.replace(' ', ''))}" for fam in FAMILY_NAMES for n in norms}
    return keys | {"p:" + skeleton(n) for n in norms if " " not in n}


def _person_named(
    name: str, people: dict[str, tuple[str, str]], article: Article, entity_id: str
) -> tuple[str, str] | None:
    """The linked person of this article whose surname or full name ``name`` is, if any.

    A name placed in the gazetteer ("Washington" the city) is not taken for a person.
    """
    if not people or any(p.entity == entity_id and p.gazetteer_id for p in article.places):
        return None
    norm = normalise(name)
    return people.get(norm) or (people.get(skeleton(norm)) if " " not in norm else None)


def _acronym_of(short_names: Iterable[str], long_names: Iterable[str]) -> bool:
    """Whether an acronym among ``short_names`` spells a name among ``long_names``."""
    shorts = {fold(n).replace(".", "") for n in short_names if is_acronym(n)}
    if not shorts:
        return False
    return any(acronym(n) in shorts for n in long_names if not is_acronym(n))
