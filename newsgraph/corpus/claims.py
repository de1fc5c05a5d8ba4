"""Claims across articles: the same assertion grouped, its independent origins counted.

A **claim** is what an attribution asserts (its content, with speaker, source type,
hedge and article) or what an event asserts (category, actor, target, place, date).
Claims that assert the same thing form a **group**, built incrementally as articles
are added:

1. candidates: earlier claims sharing distinctive words (names, numbers, long words)
   with the new one; events also by their category and participants;
2. a match: similar meaning (cosine of ``wordllama`` static embeddings) *and* enough
   shared content words, or, for events, the same category and participants on a
   compatible date;
3. the relation of the new claim to the group: ``same`` (a copy of a claim already
   there), ``supports`` (asserts it), ``contradicts`` (denies it, negates it, or gives
   a different number for it) or ``discusses`` (reports it hedged or as a rumour).

Each claim carries its origin (``newsgraph.corpus.origins``); a group's independent
origins are its distinct origin keys.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from ..model import Article, Attribution, Event
from .origins import (
    CopyFinder,
    CopyState,
    OriginInfo,
    article_origin,
    article_wire,
    origin_info,
    relay_origin,
)
from .stance import content_words, embedder, words

#: Cosine of meaning and share of content words (of the shorter claim) above which two
#: attribution claims assert the same thing. Chosen by reading, not fitted to gold data.
SAME_COSINE = 0.80
SAME_OVERLAP = 0.45
STRONG_OVERLAP = 0.75
#: Distinctive terms kept per claim for candidate look-up, and terms two claims must share.
TERMS_PER_CLAIM = 12
MIN_SHARED_TERMS = 2
#: The most earlier claims a new claim is compared with: those sharing the most terms.
MAX_CANDIDATES = 30
#: Claim embeddings kept in memory by a process (about 1 KB each).
VECTOR_CACHE = 50_000
_VECTORS: dict[str, Any] = {}
#: A claim shorter than this many content words is too vague to group ("it is true").
MIN_CONTENT_WORDS = 3
HEDGES_THAT_DISCUSS = frozenset({"reported", "believed", "possible", "expected"})
RELATIONS = ("first", "same", "supports", "contradicts", "discusses")

_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)*\b")
_NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "dozen": "12",
    "twenty": "20", "hundred": "100", "thousand": "1000",
}  # fmt: skip


@dataclass
class Claim:
    """One claim made in one article."""

    article_id: str
    kind: str  # "attribution" or "event"
    ref: str  # the attribution or event id in the article
    text: str
    start: int
    end: int
    source: str | None = None
    source_type: str | None = None
    hedge: str = "none"
    outlet: str | None = None
    published: str | None = None
    #: For events: (category, actor key, target key, date, modality).
    event: tuple[str, str, str, str | None, str] | None = None
    #: The outlet a relayed claim came through ("outlet:bloomberg"), else empty: the
    #: claim's origin is then its article's copy cluster (resolved by ``ClaimIndex``).
    origin: str = ""
    origin_reason: str = ""
    #: The independent origin as last resolved (relay, wire story or earliest copy).
    resolved_origin: str = ""
    group: str | None = None
    relation: str = "first"
    relation_reason: str = ""
    terms: list[str] = field(default_factory=list)

    def key(self) -> tuple[str, str, str]:
        return (self.article_id, self.kind, self.ref)


def _participant_key(article: Article, participant: Any) -> str:
    if participant is None:
        return ""
    if participant.entity:
        for entity in article.entities:
            if entity.id == participant.entity:
                return entity.name.lower().split()[-1]
    return str(participant.text).lower().split()[-1] if participant.text else ""


def terms(text: str) -> list[str]:
    """Distinctive words of a claim: numbers, names and long words, longest first."""
    found = {w for w in content_words(text) if len(w) >= 4 or w.isdigit()}
    found |= {n for n in _NUMBER.findall(text)}
    return sorted(found, key=lambda w: (-len(w), w))[:TERMS_PER_CLAIM]


def numbers(text: str) -> set[str]:
    found = {n.replace(",", "") for n in _NUMBER.findall(text)}
    found |= {_NUMBER_WORDS[w] for w in words(text) if w in _NUMBER_WORDS}
    return found


def article_claims(article_id: str, article: Article) -> list[Claim]:
    """The claims an analysed article makes (top-level attributions and events)."""
    outlet = article.metadata.outlet
    out: list[Claim] = []
    by_id = {a.id: a for a in article.attributions}
    for att in article.attributions:
        if att.parent is not None or len(content_words(att.content.text)) < MIN_CONTENT_WORDS:
            continue
        out.append(_attribution_claim(article_id, article, att, relay_origin(att, outlet)))
    for ev in article.events:
        inside = by_id.get(ev.attribution) if ev.attribution else None
        out.append(_event_claim(article_id, article, ev, relay_origin(inside, outlet)))
    return out


def _attribution_claim(
    article_id: str, article: Article, att: Attribution, origin: OriginInfo | None
) -> Claim:
    return Claim(
        article_id=article_id,
        kind="attribution",
        ref=att.id,
        text=att.content.text,
        start=att.content.start,
        end=att.content.end,
        source=att.source.text,
        source_type=att.source.type,
        hedge=att.hedge,
        outlet=article.metadata.outlet,
        published=article.metadata.published,
        origin=origin.key if origin else "",
        origin_reason=origin.reason if origin else "",
        terms=terms(att.content.text),
    )


def _event_claim(article_id: str, article: Article, ev: Event, origin: OriginInfo | None) -> Claim:
    span = ev.sentence or ev.trigger
    signature = (
        ev.category,
        _participant_key(article, ev.actor),
        _participant_key(article, ev.target),
        (ev.date or "")[:10] or None,
        ev.modality,
    )
    return Claim(
        article_id=article_id,
        kind="event",
        ref=ev.id,
        text=span.text,
        start=span.start,
        end=span.end,
        source=None,
        source_type=None,
        hedge="denied" if ev.modality in ("denied", "negated") else "none",
        outlet=article.metadata.outlet,
        published=article.metadata.published,
        event=signature,
        origin=origin.key if origin else "",
        origin_reason=origin.reason if origin else "",
        terms=[f"event:{ev.category}:{signature[1]}", f"event:{ev.category}:{signature[2]}"],
    )


class ClaimState(Protocol):
    """Where grouping keeps claims (in memory, or the store's tables)."""

    def candidates(self, terms: Sequence[str], kind: str) -> list[Claim]: ...
    def new_group(self) -> str: ...
    def save(self, claim: Claim) -> None: ...
    def group_claims(self, group: str) -> list[Claim]: ...
    def reresolve(self, article_ids: Sequence[str], resolve: Callable[[Claim], str]) -> set[str]: ...


@dataclass
class MemoryClaimState:
    """Claims and groups in memory (tests, evaluation, one-off runs)."""

    claims: list[Claim] = field(default_factory=list)
    by_term: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    groups: int = 0

    def candidates(self, terms: Sequence[str], kind: str) -> list[Claim]:
        hits: dict[int, int] = {}
        for term in terms:
            for index in self.by_term.get((kind, term), ()):
                hits[index] = hits.get(index, 0) + 1
        need = 1 if kind == "event" else MIN_SHARED_TERMS
        best = sorted((i for i, n in hits.items() if n >= need), key=lambda i: (-hits[i], -i))
        return [self.claims[i] for i in sorted(best[:MAX_CANDIDATES])]

    def new_group(self) -> str:
        self.groups += 1
        return f"G{self.groups:06d}"

    def save(self, claim: Claim) -> None:
        self.claims.append(claim)
        for term in claim.terms:
            self.by_term.setdefault((claim.kind, term), []).append(len(self.claims) - 1)

    def group_claims(self, group: str) -> list[Claim]:
        return [c for c in self.claims if c.group == group]

    def reresolve(self, article_ids: Sequence[str], resolve: Callable[[Claim], str]) -> set[str]:
        """Resolve again the origins of these articles' claims; the groups whose claims changed."""
        wanted, touched = set(article_ids), set()
        for claim in self.claims:
            if claim.article_id in wanted and not claim.origin:
                key = resolve(claim)
                if key != claim.resolved_origin:
                    claim.resolved_origin = key
                    touched.add(claim.group or "")
        return touched - {""}


@lru_cache(maxsize=100_000)
def _words_of(text: str) -> frozenset[str]:
    return frozenset(content_words(text))


def _overlap(a: str, b: str) -> float:
    wa, wb = _words_of(a), _words_of(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / min(len(wa), len(wb))


def _events_match(a: Claim, b: Claim) -> bool:
    if a.event is None or b.event is None:
        return False
    cat_a, actor_a, target_a, date_a, _ = a.event
    cat_b, actor_b, target_b, date_b, _ = b.event
    if cat_a != cat_b or not (actor_a or target_a):
        return False
    same_people = (actor_a, target_a) == (actor_b, target_b) or (
        actor_a and actor_a == actor_b and not (target_a and target_b)
    )
    return bool(same_people) and (date_a is None or date_b is None or date_a == date_b)


def relation(claim: Claim, anchor: Claim, cosine: float) -> tuple[str, str]:
    """How ``claim`` relates to the group it joins, judged against the group's ``anchor``."""
    denied = claim.hedge == "denied"
    anchor_denied = anchor.hedge == "denied"
    if (
        claim.event is not None
        and anchor.event is not None
        and (claim.event[4] in ("denied", "negated")) != (anchor.event[4] in ("denied", "negated"))
    ):
        return "contradicts", f"the event is {claim.event[4]} here, {anchor.event[4]} in the first report"
    if denied != anchor_denied:
        return "contradicts", "denied here" if denied else "asserted here, denied in the first report"
    nums, anchor_nums = numbers(claim.text), numbers(anchor.text)
    if nums and anchor_nums and not nums & anchor_nums:
        return "contradicts", f"different numbers: {sorted(nums)} vs {sorted(anchor_nums)}"
    if cosine >= 0.97 or _overlap(claim.text, anchor.text) >= 0.95:
        return "same", "the same words"
    if claim.hedge in HEDGES_THAT_DISCUSS:
        return "discusses", f"reported with the hedge {claim.hedge!r}"
    return "supports", "asserts the same claim"


class ClaimGrouper:
    """Adds an article's claims to groups, incrementally."""

    def __init__(self, state: ClaimState) -> None:
        self.state = state

    def vectors(self, texts: Sequence[str]) -> Any:
        """Embeddings of ``texts``, from a bounded cache of this process (claims meet the same
        candidates again and again)."""
        import numpy as np

        missing = [t for t in dict.fromkeys(texts) if t not in _VECTORS]
        if missing:
            if len(_VECTORS) + len(missing) > VECTOR_CACHE:
                _VECTORS.clear()
            for text, vector in zip(missing, embedder().embed(missing), strict=True):
                _VECTORS[text] = vector
        if not texts:
            return np.zeros((0, 256), dtype="float32")
        return np.stack([_VECTORS[t] for t in texts])

    def add(self, claims: list[Claim]) -> list[Claim]:
        """Group each claim (in place) and save it; returns the claims."""
        texts = [c.text for c in claims]
        vectors = self.vectors(texts)
        for i, claim in enumerate(claims):
            best: tuple[float, Claim] | None = None
            candidates = [
                c for c in self.state.candidates(claim.terms, claim.kind) if c.article_id != claim.article_id
            ]
            if candidates and claim.kind == "attribution":
                cand_vecs = self.vectors([c.text for c in candidates])
                sims = cand_vecs @ vectors[i]
                for cand, sim in zip(candidates, sims, strict=True):
                    overlap = _overlap(claim.text, cand.text)
                    ok = (float(sim) >= SAME_COSINE and overlap >= SAME_OVERLAP) or overlap >= STRONG_OVERLAP
                    if ok and (best is None or float(sim) > best[0]):
                        best = (float(sim), cand)
            elif candidates:
                for cand in candidates:
                    if _events_match(claim, cand):
                        best = (1.0, cand)
                        break
            if best is None:
                claim.group = self.state.new_group()
                claim.relation, claim.relation_reason = "first", "the first report of this claim"
            else:
                claim.group = best[1].group
                anchor = self.state.group_claims(best[1].group or "")[0] if best[1].group else best[1]
                claim.relation, claim.relation_reason = relation(claim, anchor, best[0])
            self.state.save(claim)
        return claims


@dataclass
class GroupSummary:
    """A claim group as users see it."""

    id: str
    claims: list[Claim]
    articles: int
    origins: int
    origin_ids: list[str]
    origin_dates: dict[str, str | None]
    origin_of: dict[tuple[str, str, str], OriginInfo]
    contradictions: list[Claim]

    def to_dict(self) -> dict[str, Any]:
        def one(c: Claim) -> dict[str, Any]:
            info = self.origin_of[c.key()]
            return {**claim_dict(c), "origin": info.key, "origin_reason": info.reason}

        return {
            "id": self.id,
            "claims": [one(c) for c in self.claims],
            "articles": self.articles,
            "origins": self.origins,
            "origin_ids": self.origin_ids,
            "origin_dates": self.origin_dates,
            "contradictions": [{**one(c), "reason": c.relation_reason} for c in self.contradictions],
        }


def claim_dict(claim: Claim) -> dict[str, Any]:
    return {
        "article": claim.article_id,
        claim.kind: claim.ref,
        "kind": claim.kind,
        "text": claim.text,
        "start": claim.start,
        "end": claim.end,
        "source": claim.source,
        "source_type": claim.source_type,
        "hedge": claim.hedge,
        "outlet": claim.outlet,
        "published": claim.published,
        "origin": claim.origin,
        "origin_reason": claim.origin_reason,
        "relation": claim.relation,
        "relation_reason": claim.relation_reason,
    }


class ClaimIndex:
    """Claims across articles: copy clusters, claim groups and their independent origins."""

    def __init__(self, claims: ClaimState, copies: CopyState) -> None:
        self.claims = claims
        self.copies = copies
        self.grouper = ClaimGrouper(claims)
        self.finder = CopyFinder(copies)

    def add(self, article_id: str, article: Article) -> tuple[list[Claim], set[str]]:
        """Add an analysed article: its copy cluster, then its claims, grouped.

        Returns the claims and the groups whose *older* claims changed origin: when the
        article is an earlier copy than a cluster's root (or joins two clusters), the claims
        of the cluster's other articles take the new root as their origin.
        """
        wire = article_wire(article)
        root, replaced = self.finder.add(article_id, article.text, article.metadata.published, wire)
        claims = article_claims(article_id, article)
        for claim in claims:
            claim.resolved_origin = self.resolve(claim).key
        self.grouper.add(claims)
        changed: set[str] = set()
        if replaced:
            members = [m for m in self.copies.members(root) if m != article_id]
            changed = self.claims.reresolve(members, lambda c: self.resolve(c).key)
        return claims, changed

    def resolve(self, claim: Claim) -> OriginInfo:
        """A relay's outlet, else the wire agency or earliest article of the claim's copy cluster."""
        if claim.origin:
            return OriginInfo(claim.origin, claim.origin_reason)
        root = self.copies.cluster(claim.article_id) or claim.article_id
        wire = self.copies.wire(root) or self.copies.wire(claim.article_id)
        return article_origin(root, wire)

    def origin(self, claim: Claim) -> OriginInfo:
        """The claim's origin as stored (resolved when the claim was added or its cluster changed)."""
        if claim.origin:
            return OriginInfo(claim.origin, claim.origin_reason)
        if claim.resolved_origin:
            return origin_info(claim.resolved_origin)
        return self.resolve(claim)

    def summary(self, group: str) -> GroupSummary:
        return summarise(group, self.claims.group_claims(group), self.origin)


def summarise(group: str, claims: list[Claim], origin: Callable[[Claim], OriginInfo]) -> GroupSummary:
    """Counts of articles and independent origins, and the contradicting claims, of a group.

    A claim that contradicts the group is not an origin *of* the claim: origins are
    counted over the claims that carry it (first, same, supports, discusses); an
    origin's date is the earliest publication among its claims.
    """
    carriers = [c for c in claims if c.relation != "contradicts"]
    infos = {c.key(): origin(c) for c in claims}
    dates: dict[str, str | None] = {}
    for c in carriers:
        key = infos[c.key()].key
        if key not in dates or (c.published and (dates[key] is None or c.published < (dates[key] or ""))):
            dates[key] = c.published
    return GroupSummary(
        id=group,
        claims=claims,
        articles=len({c.article_id for c in claims}),
        origins=len(dates),
        origin_ids=list(dates),
        origin_dates=dates,
        origin_of={c.key(): infos[c.key()] for c in claims},
        contradictions=[c for c in claims if c.relation == "contradicts"],
    )
