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

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
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
MAX_CANDIDATES = 60
#: The most recent postings of one term read when looking for candidates: a term carried by
#: more distinct claims than this (a common word) finds only its latest ones; the claim's
#: rarer terms find the rest. This bound keeps candidate look-up cost flat as a store grows
#: (300 until 2026-11-28: at 10,000 articles its 12 x 300 postings per claim cost more than
#: the rest of grouping; benchmarks/claims.py and docs/claims.md).
POSTINGS_PER_TERM = 100
#: Claim embeddings kept in memory by a process (about 1 KB each), in two generations.
VECTOR_CACHE = 50_000
_VECTORS: dict[str, Any] = {}
_OLD_VECTORS: dict[str, Any] = {}
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

    def text_key(self) -> str:
        """A term naming what matching reads of this claim: its text, and an event's signature.

        Two claims with the same text key match each other and the same other claims, so
        only the first is indexed for look-up; a copy joins its group directly.
        """
        return _text_key(self.kind, self.text, self.event[:4] if self.event else None)

    def indexable(self) -> bool:
        """Can this claim match another? (An event with neither actor nor target cannot.)"""
        return self.event is None or bool(self.event[1] or self.event[2])

    def anchor_order(self) -> tuple[bool, bool, str, str, str, str]:
        """How claims compete to be their group's anchor (the first report): an assertion
        before a denial, then the earliest publication (unknown dates last), then ids."""
        return (
            _denies(self),
            self.published is None,
            self.published or "",
            self.article_id,
            self.kind,
            self.ref,
        )


@lru_cache(maxsize=10_000)
def _text_key(kind: str, text: str, event: tuple[Any, ...] | None) -> str:
    what = [kind, text, list(event) if event else None]
    return "=" + hashlib.blake2b(json.dumps(what).encode(), digest_size=12).hexdigest()


def _denies(claim: Claim) -> bool:
    return claim.hedge == "denied" or (claim.event is not None and claim.event[4] in ("denied", "negated"))


def _participant_key(article: Article, participant: Any) -> str:
    if participant is None:
        return ""
    if participant.entity:
        for entity in article.entities:
            if entity.id == participant.entity:
                return entity.name.lower().split()[-1]
    return str(participant.text).lower().split()[-1] if participant.text else ""


@lru_cache(maxsize=100_000)
def _words_of(text: str) -> frozenset[str]:
    """A text's content words (cached: a claim's words are read for its terms, to match and to relate)."""
    return frozenset(content_words(text))


def terms(text: str) -> list[str]:
    """Distinctive words of a claim: numbers, names and long words, longest first."""
    found = {w for w in _words_of(text) if len(w) >= 4 or w.isdigit()}
    found |= {n for n in _NUMBER.findall(text)}
    return sorted(found, key=lambda w: (-len(w), w))[:TERMS_PER_CLAIM]


@lru_cache(maxsize=100_000)
def numbers(text: str) -> frozenset[str]:
    """The numbers a claim gives, figures and number words ("twelve" -> "12").

    Cached: relating a group's claims to its anchor asks again for the same texts.
    """
    found = {n.replace(",", "") for n in _NUMBER.findall(text)}
    found |= {_NUMBER_WORDS[w] for w in words(text) if w in _NUMBER_WORDS}
    return frozenset(found)


def article_claims(article_id: str, article: Article) -> list[Claim]:
    """The claims an analysed article makes (top-level attributions and events)."""
    outlet = article.metadata.outlet
    out: list[Claim] = []
    by_id = {a.id: a for a in article.attributions}
    for att in article.attributions:
        if att.parent is not None or len(_words_of(att.content.text)) < MIN_CONTENT_WORDS:
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
        terms=event_terms(signature),
    )


def event_terms(signature: Sequence[Any]) -> list[str]:
    """Look-up terms of an event claim: its category with its actor, and with its target."""
    return [f"event:{signature[0]}:{signature[1]}", f"event:{signature[0]}:{signature[2]}"]


def claim_terms(claim: Claim) -> list[str]:
    """A claim's look-up terms, recomputed from what is stored of it."""
    return event_terms(claim.event) if claim.event is not None else terms(claim.text)


class ClaimState(Protocol):
    """Where grouping keeps claims (in memory, or the store's tables)."""

    def candidates(self, terms: Sequence[str], kind: str) -> list[Claim]: ...
    def indexed(self, kind: str, text_key: str) -> str | None: ...
    def new_group(self) -> str: ...
    def save(self, claim: Claim, index: bool) -> None: ...
    def anchor(self, group: str) -> Claim | None: ...
    def group_claims(self, group: str) -> list[Claim]: ...
    def merge(self, into: str, others: Sequence[str]) -> None: ...
    def set_relation(self, claim: Claim) -> None: ...
    def prefetch(self, keys: Sequence[tuple[str, str]]) -> None: ...
    def flush(self) -> None: ...
    def reresolve(self, article_ids: Sequence[str], resolve: Callable[[Claim], str]) -> set[str]: ...


def rank_candidates(hits: dict[int, int], need: int) -> list[int]:
    """The ids of the earlier claims worth comparing: sharing ``need`` terms or more, the
    most shared first (then the latest), at most ``MAX_CANDIDATES``."""
    best = sorted((i for i, n in hits.items() if n >= need), key=lambda i: (-hits[i], -i))
    return sorted(best[:MAX_CANDIDATES])


@dataclass
class MemoryClaimState:
    """Claims and groups in memory (tests, evaluation, one-off runs)."""

    claims: list[Claim] = field(default_factory=list)
    by_term: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    by_group: dict[str, list[int]] = field(default_factory=dict)
    anchors: dict[str, int] = field(default_factory=dict)
    groups: int = 0

    def candidates(self, terms: Sequence[str], kind: str) -> list[Claim]:
        hits: dict[int, int] = {}
        for term in terms:
            for index in self.by_term.get((kind, term), ())[-POSTINGS_PER_TERM:]:
                hits[index] = hits.get(index, 0) + 1
        need = 1 if kind == "event" else MIN_SHARED_TERMS
        return [self.claims[i] for i in rank_candidates(hits, need)]

    def indexed(self, kind: str, text_key: str) -> str | None:
        found = self.by_term.get((kind, text_key))
        return self.claims[found[0]].group if found else None

    def new_group(self) -> str:
        self.groups += 1
        return f"G{self.groups:06d}"

    def save(self, claim: Claim, index: bool) -> None:
        self.claims.append(claim)
        at = len(self.claims) - 1
        self.by_group.setdefault(claim.group or "", []).append(at)
        if claim.relation == "first":
            self.anchors[claim.group or ""] = at
        if index:
            for term in [*claim.terms, claim.text_key()]:
                self.by_term.setdefault((claim.kind, term), []).append(at)

    def anchor(self, group: str) -> Claim | None:
        at = self.anchors.get(group)
        return self.claims[at] if at is not None else None

    def group_claims(self, group: str) -> list[Claim]:
        return [self.claims[i] for i in self.by_group.get(group, ())]

    def merge(self, into: str, others: Sequence[str]) -> None:
        for other in others:
            for i in self.by_group.pop(other, []):
                self.claims[i].group = into
                self.by_group.setdefault(into, []).append(i)
            self.anchors.pop(other, None)
        self.by_group[into].sort()

    def prefetch(self, keys: Sequence[tuple[str, str]]) -> None:
        """(Nothing to read ahead in memory.)"""

    def flush(self) -> None:
        """(Nothing to write in memory.)"""

    def set_relation(self, claim: Claim) -> None:
        if claim.relation == "first":
            self.anchors[claim.group or ""] = next(
                i for i in self.by_group[claim.group or ""] if self.claims[i] is claim
            )

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


def _overlap(a: str, b: str) -> float:
    wa, wb = _words_of(a), _words_of(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / min(len(wa), len(wb))


def attributions_match(a: str, b: str, cosine: float) -> bool:
    """Do two attribution contents assert the same thing? (Symmetric in ``a`` and ``b``.)"""
    overlap = _overlap(a, b)
    return (cosine >= SAME_COSINE and overlap >= SAME_OVERLAP) or overlap >= STRONG_OVERLAP


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


def relation(claim: Claim, anchor: Claim, cosine: float | Callable[[], float]) -> tuple[str, str]:
    """How ``claim`` relates to the group it joins, judged against the group's ``anchor``.

    ``cosine`` is their cosine of meaning, or a function giving it: it is then called only
    when the words alone do not decide (embedding an old claim again costs more than the rest).
    """
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
    if _overlap(claim.text, anchor.text) >= 0.95 or (cosine() if callable(cosine) else cosine) >= 0.97:
        return "same", "the same words"
    if claim.hedge in HEDGES_THAT_DISCUSS:
        return "discusses", f"reported with the hedge {claim.hedge!r}"
    return "supports", "asserts the same claim"


class ClaimGrouper:
    """Adds an article's claims to groups, incrementally, with an order-independent result.

    The groups are the connected parts of the graph whose edges join two claims that match
    (``matches``: a symmetric test): a claim that matches claims of several groups merges
    them. Each group's anchor (the claim others are related to) is its earliest assertion
    (``Claim.anchor_order``), whatever arrived first; when a new claim becomes the anchor or
    groups merge, every claim of the group is related again. So the same claims added in
    any order give the same groups, anchors and relations, as long as the look-up bounds
    (``POSTINGS_PER_TERM``, ``MAX_CANDIDATES``) are not reached (docs/claims.md).
    """

    def __init__(self, state: ClaimState) -> None:
        self.state = state
        #: Groups whose stored counts must be recomputed (merged into, or related again).
        self.recount: set[str] = set()

    def vectors(self, texts: Sequence[str]) -> Any:
        """Embeddings of ``texts``, from a bounded cache of this process (claims meet the same
        candidates again and again).

        The cache keeps two generations of at most ``VECTOR_CACHE // 2`` texts each: a text
        asked for is kept in the current one; when that is full it becomes the old one and the
        oldest is dropped. So the texts in use stay cached however long a run is (clearing
        the whole cache when full embedded every candidate again, a burst of cost each time).
        """
        global _VECTORS, _OLD_VECTORS
        import numpy as np

        if not texts:
            return np.zeros((0, 256), dtype="float32")
        found: dict[str, Any] = {}
        missing: list[str] = []
        for text in dict.fromkeys(texts):
            vector = _VECTORS.get(text)
            if vector is None:
                vector = _OLD_VECTORS.get(text)
                if vector is None:
                    missing.append(text)
                    continue
                _VECTORS[text] = vector
            found[text] = vector
        if missing:
            for text, vector in zip(missing, embedder().embed(missing), strict=True):
                found[text] = _VECTORS[text] = vector
        if len(_VECTORS) > VECTOR_CACHE // 2:
            _OLD_VECTORS, _VECTORS = _VECTORS, {}
        return np.stack([found[t] for t in texts])

    def cosine(self, a: Claim, b: Claim) -> float:
        if a.text == b.text:
            return 1.0
        va, vb = self.vectors([a.text, b.text])
        return float(va @ vb)

    def matching_groups(self, claim: Claim) -> list[str]:
        """The groups of the earlier claims this claim matches (oldest group first).

        The same test as ``attributions_match``, in the cheapest order: shared words decide
        alone below ``SAME_OVERLAP`` (no match) and from ``STRONG_OVERLAP`` (a match), and a
        candidate of a group already matched is not compared; only the others are embedded.
        """
        candidates = self.state.candidates(claim.terms, claim.kind)
        if claim.kind != "attribution":
            return sorted({c.group or "" for c in candidates if _events_match(claim, c)} - {""})
        found: set[str] = set()
        unsure: list[Claim] = []
        # Latest first: which candidates are compared does not change what is found (a group is
        # found when any of its candidates matches), but the latest are the likeliest to have
        # their words and vectors in this process's caches.
        for cand in reversed(candidates):
            if cand.group in found:
                continue
            overlap = _overlap(claim.text, cand.text)
            if overlap >= STRONG_OVERLAP:
                found.add(cand.group or "")
            elif overlap >= SAME_OVERLAP:
                unsure.append(cand)
        unsure = [c for c in unsure if c.group not in found]
        if unsure:
            sims = self.vectors([c.text for c in unsure]) @ self.vectors([claim.text])[0]
            for cand, sim in zip(unsure, sims, strict=True):
                if cand.group not in found and attributions_match(claim.text, cand.text, float(sim)):
                    found.add(cand.group or "")
        return sorted(found - {""})

    def add(self, claims: list[Claim]) -> list[Claim]:
        """Group each claim (in place) and save it; returns the claims."""
        self.state.prefetch([(c.kind, c.text_key()) for c in claims if c.indexable()])
        for claim in claims:
            text_key = claim.text_key()
            same_text = self.state.indexed(claim.kind, text_key) if claim.indexable() else None
            if same_text is not None:
                groups = [same_text]
            elif claim.indexable():
                groups = self.matching_groups(claim)
            else:
                groups = []
            if not groups:
                claim.group = self.state.new_group()
                claim.relation, claim.relation_reason = "first", "the first report of this claim"
                self.state.save(claim, index=claim.indexable())
                continue
            claim.group = groups[0]
            if len(groups) > 1 and self._merge_keeping_anchor(claim, groups, claims):
                continue
            if len(groups) > 1:
                self.state.merge(groups[0], groups[1:])
                self.recount.add(groups[0])
                for earlier in claims:  # this article's claims already in a merged group
                    if earlier.group in groups[1:]:
                        earlier.group = groups[0]
            anchor = self.state.anchor(groups[0])
            if anchor is None or len(groups) > 1 or claim.anchor_order() < anchor.anchor_order():
                # The group's anchor may change: save, then relate every claim again.
                claim.relation, claim.relation_reason = "first", ""
                self.state.save(claim, index=same_text is None)
                self.relate_group(groups[0])
                continue
            cosine = partial(self.cosine, claim, anchor)
            claim.relation, claim.relation_reason = relation(claim, anchor, cosine)
            self.state.save(claim, index=same_text is None)
        return claims

    def _merge_keeping_anchor(self, claim: Claim, groups: list[str], claims: list[Claim]) -> bool:
        """Merge ``groups`` for ``claim`` when the oldest group's anchor stays the anchor.

        A group's anchor is the earliest of its claims (``Claim.anchor_order``), and its other
        claims are related to it; so when the anchor of ``groups[0]`` comes before the anchors
        of the other groups and before ``claim``, the claims of ``groups[0]`` keep their
        relations and only the merged groups' claims and ``claim`` are related to it: the
        result ``relate_group`` would give, without reading and relating the largest group
        again. Returns False (nothing done) when the anchor changes.
        """
        anchor = self.state.anchor(groups[0])
        if anchor is None:
            return False
        first = anchor.anchor_order()
        if claim.anchor_order() < first:
            return False
        others: list[Claim] = []
        for other in groups[1:]:
            other_anchor = self.state.anchor(other)
            if other_anchor is None or other_anchor.anchor_order() < first:
                return False
            others.extend(self.state.group_claims(other))
        self.state.merge(groups[0], groups[1:])
        self.recount.add(groups[0])
        for earlier in claims:  # this article's claims already in a merged group
            if earlier.group in groups[1:]:
                earlier.group = groups[0]
        for member in others:
            member.group = groups[0]
            new = relation(member, anchor, partial(self.cosine, member, anchor))
            if (member.relation, member.relation_reason) != new:
                member.relation, member.relation_reason = new
                self.state.set_relation(member)
        claim.relation, claim.relation_reason = relation(claim, anchor, partial(self.cosine, claim, anchor))
        self.state.save(claim, index=True)
        return True

    def relate_group(self, group: str) -> None:
        """Relate every claim of ``group`` to its anchor, saving those that changed."""
        members = self.state.group_claims(group)
        anchor = min(members, key=Claim.anchor_order)
        for claim in members:
            if claim is anchor:
                new = ("first", "the first report of this claim")
            else:
                new = relation(claim, anchor, partial(self.cosine, claim, anchor))
            if (claim.relation, claim.relation_reason) != new:
                claim.relation, claim.relation_reason = new
                if claim is not anchor:
                    self.state.set_relation(claim)
        self.state.set_relation(anchor)  # last: the state's anchor is the one "first" claim
        self.recount.add(group)


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
        self._article_origins: dict[str, OriginInfo] = {}

    def add(self, article_id: str, article: Article) -> tuple[list[Claim], set[str]]:
        """Add an analysed article: its copy cluster, then its claims, grouped.

        Returns the claims and the groups whose *older* claims changed origin: when the
        article is an earlier copy than a cluster's root (or joins two clusters), the claims
        of the cluster's other articles take the new root as their origin.
        """
        self._article_origins = {}  # copy clusters change as articles come
        wire = article_wire(article)
        root, replaced = self.finder.add(article_id, article.text, article.metadata.published, wire)
        claims = article_claims(article_id, article)
        for claim in claims:
            claim.resolved_origin = self.resolve(claim).key
        self.grouper.add(claims)
        self.claims.flush()
        changed, self.grouper.recount = self.grouper.recount, set()
        if replaced:
            members = [m for m in self.copies.members(root) if m != article_id]
            changed |= self.claims.reresolve(members, lambda c: self.resolve(c).key)
        return claims, changed

    def resolve(self, claim: Claim) -> OriginInfo:
        """A relay's outlet, else the wire agency or earliest article of the claim's copy cluster."""
        if claim.origin:
            return OriginInfo(claim.origin, claim.origin_reason)
        found = self._article_origins.get(claim.article_id)
        if found is None:
            root = self.copies.cluster(claim.article_id) or claim.article_id
            wire = self.copies.wire(root) or self.copies.wire(claim.article_id)
            found = self._article_origins[claim.article_id] = article_origin(root, wire)
        return found

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
    # The anchor first, then by publication and id: the same order whatever order they came in.
    claims = sorted(claims, key=lambda c: (c.relation != "first", *c.anchor_order()[1:]))
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
