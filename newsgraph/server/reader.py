"""The article reader's highlighted text, built from the stand-off offsets.

>>> from newsgraph.model import Article
>>> view = highlight(Article(text="Rain fell."))
>>> [(s.text, s.classes) for s in view.blocks[0].segments]
[('Rain fell.', '')]

The text is cut at every fact boundary into plain segments; each segment carries the
classes and fact ids of every fact covering it, so overlapping and nested facts need no
nested markup. Templates escape each segment's text (never ``|safe``): nothing here
builds HTML. Removed ranges (boilerplate) become blocks of their own, shown collapsed.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from ..model import Article

__all__ = [
    "Block",
    "Fact",
    "Reading",
    "Segment",
    "claim_text",
    "fact_anchor",
    "highlight",
    "safe_url",
    "summary",
]

#: The anchor prefix of each kind of fact: ``#att-a3`` lands on attribution ``a3``.
PREFIX = {"attribution": "att", "event": "evt", "place": "plc", "time": "tim", "entity": "ent"}
_SAFE = re.compile(r"[^a-z0-9_-]+")


def fact_anchor(kind: str, ref: str) -> str:
    """The element id a link uses to land on a fact (``attribution``, ``a3`` -> ``att-a3``)."""
    return f"{PREFIX[kind]}-{_SAFE.sub('_', ref.lower())}"


def _css(word: str | None) -> str:
    return _SAFE.sub("_", (word or "none").lower())


@dataclass
class Fact:
    """One fact as the side panel and the fact lists show it."""

    anchor: str
    kind: str
    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    entity: str | None = None  # an entity name to link to its page
    start: int = 0
    end: int = 0


@dataclass
class Segment:
    """A stretch of text covered by the same facts."""

    text: str
    classes: str = ""
    facts: str = ""  # space-separated anchors, innermost first
    anchors: list[str] = field(default_factory=list)  # facts that start here
    focus: bool = False  # a keyboard stop: the first segment of an attribution, event, place or time


@dataclass
class Block:
    """Kept text as segments, or a removed range (``removed`` is its reason)."""

    segments: list[Segment] = field(default_factory=list)
    removed: str | None = None
    text: str = ""


@dataclass
class Reading:
    blocks: list[Block]
    facts: list[Fact]
    by_kind: dict[str, list[Fact]]


@dataclass
class _Mark:
    start: int
    end: int
    anchor: str
    css: str
    rank: int  # lower = drawn on top (innermost attribution)
    focus: bool


def highlight(article: Article) -> Reading:
    """Segments, facts and fact lists of ``article`` for the reader page."""
    text = article.text
    n = len(text)
    marks: list[_Mark] = []
    facts: list[Fact] = []
    entities = {e.id: e for e in article.entities}
    places = {p.id: p for p in article.places}

    def add(
        start: int | None, end: int | None, anchor: str, css: str, rank: int, focus: bool = False
    ) -> None:
        if start is None or end is None:
            return
        start, end = max(0, start), min(n, end)
        if start < end:
            marks.append(_Mark(start, end, anchor, css, rank, focus))

    def entity_name(entity_id: str | None) -> str | None:
        entity = entities.get(entity_id or "")
        return entity.name if entity is not None else None

    for att in article.attributions:
        anchor = fact_anchor("attribution", att.id)
        spans = att.content_spans or [att.content]
        size = sum(s.end - s.start for s in spans)
        kind_css = f"att st-{_css(att.source.type)}" + (" hedged" if att.hedge != "none" else "")
        for span in spans:
            add(span.start, span.end, anchor, kind_css, size, focus=True)
        add(att.source.start, att.source.end, anchor, "src", 0, focus=True)
        if att.cue is not None:
            add(att.cue.start, att.cue.end, anchor, "cue", 0, focus=True)
        if att.relayed_by is not None:
            add(att.relayed_by.start, att.relayed_by.end, anchor, "relay", 0, focus=True)
        source = att.source.text or f"({att.source.type})"
        rows = [
            ("source", source),
            ("source type", att.source.type),
            ("cue", att.cue.text if att.cue is not None else "—"),
            ("hedge", att.hedge),
            ("kind", att.kind),
        ]
        if att.relayed_by is not None:
            rows.append(("relayed by", att.relayed_by.text))
        if att.source.resolved_from:
            rows.append(("resolved from", att.source.resolved_from))
        name = entity_name(att.source.entity)
        if name:
            rows.append(("entity", name))
        facts.append(
            Fact(
                anchor,
                "attribution",
                " ".join(s.text for s in spans),
                rows,
                name,
                spans[0].start,
                spans[-1].end,
            )
        )

    for event in article.events:
        anchor = fact_anchor("event", event.id)
        add(event.trigger.start, event.trigger.end, anchor, f"evt cat-{_css(event.category)}", 0, focus=True)
        place = places.get(event.place or "")
        rows = [("category", event.category), ("modality", event.modality)]
        rows += [("mode", event.mode)] if event.mode else []
        rows += [("actor", event.actor.text)] if event.actor else []
        rows += [("target", event.target.text)] if event.target else []
        rows += [("place", place.name)] if place else []
        rows += [("date", event.date)] if event.date else []
        actor = entity_name(event.actor.entity) if event.actor else None
        facts.append(
            Fact(anchor, "event", event.trigger.text, rows, actor, event.trigger.start, event.trigger.end)
        )

    for place in article.places:
        anchor = fact_anchor("place", place.id)
        for mention in place.mentions:
            add(mention.start, mention.end, anchor, "plc", 0, focus=True)
        rows = [("country", place.country or "—"), ("feature", place.feature or "—")]
        if place.lat is not None and place.lon is not None:
            rows.append(("coordinates", f"{place.lat:.2f}, {place.lon:.2f}"))
        rows.append(("located by", place.located_by or "unresolved"))
        first = place.mentions[0] if place.mentions else None
        facts.append(
            Fact(
                anchor,
                "place",
                place.name,
                rows,
                None,
                first.start if first else 0,
                first.end if first else 0,
            )
        )

    for time in article.times:
        anchor = fact_anchor("time", time.id)
        add(time.start, time.end, anchor, "tim", 0, focus=True)
        facts.append(
            Fact(
                anchor,
                "time",
                time.text,
                [("value", time.value or "unresolved"), ("type", time.type)],
                None,
                time.start,
                time.end,
            )
        )

    for entity in article.entities:
        if entity.id in {p.entity for p in article.places if p.entity}:
            continue  # shown as its place
        anchor = fact_anchor("entity", entity.id)
        for mention in entity.mentions:
            add(mention.start, mention.end, anchor, f"ent et-{_css(entity.type)}", 0)
        rows = [("type", entity.type)]
        aliases = [x for x in entity.aliases if x != entity.name]
        if aliases:
            rows.append(("also", ", ".join(aliases)))
        if entity.roles:
            rows.append(("roles", "; ".join(dict.fromkeys(r.text for r in entity.roles))))
        first_mention = entity.mentions[0] if entity.mentions else None
        facts.append(
            Fact(
                anchor,
                "entity",
                entity.name,
                rows,
                entity.name,
                first_mention.start if first_mention else 0,
                first_mention.end if first_mention else 0,
            )
        )

    for sub in article.subheads:
        add(sub.start, sub.end, "", "subhead", 0)

    blocks = _blocks(text, marks, [(r.start, r.end, r.reason) for r in article.removed])
    by_kind: dict[str, list[Fact]] = {k: [] for k in PREFIX}
    for fact in facts:
        by_kind[fact.kind].append(fact)
    for listed in by_kind.values():
        listed.sort(key=lambda f: (f.start, f.end))
    return Reading(blocks, facts, by_kind)


def _blocks(text: str, marks: list[_Mark], removed: list[tuple[int, int, str]]) -> list[Block]:
    n = len(text)
    cuts = sorted(
        {0, n}
        | {m.start for m in marks}
        | {m.end for m in marks}
        | {max(0, min(n, r[0])) for r in removed}
        | {max(0, min(n, r[1])) for r in removed}
    )
    removed = sorted((max(0, s), min(n, e), why) for s, e, why in removed if s < e)
    starts: dict[int, list[_Mark]] = {}
    for m in marks:
        starts.setdefault(m.start, []).append(m)
    active: list[_Mark] = []
    started: set[str] = set()
    blocks: list[Block] = []
    r = 0
    for left, right in itertools.pairwise(cuts):
        active = [m for m in active if m.end > left] + starts.get(left, [])
        while r < len(removed) and removed[r][1] <= left:
            r += 1
        if r < len(removed) and removed[r][0] <= left < removed[r][1]:
            why = removed[r][2]
            if blocks and blocks[-1].removed is not None and blocks[-1].removed == why and blocks[-1].text:
                blocks[-1].text += text[left:right]
            else:
                blocks.append(Block(removed=why, text=text[left:right]))
            continue
        if not blocks or blocks[-1].removed is not None:
            blocks.append(Block())
        blocks[-1].segments.append(_segment(text[left:right], active, started))
    return blocks


def _segment(text: str, active: list[_Mark], started: set[str]) -> Segment:
    if not active:
        return Segment(text)
    ordered = sorted(active, key=lambda m: m.rank)
    classes: list[str] = []
    att_done = False
    for m in ordered:
        for word in m.css.split():
            if (word == "att" or word.startswith("st-") or word == "hedged") and att_done:
                continue
            if word not in classes:
                classes.append(word)
        if "att" in m.css.split():
            att_done = True  # the innermost attribution's colours win
    anchors = [m.anchor for m in ordered if m.anchor and m.anchor not in started]
    started.update(anchors)
    # Facts that start here first: a keyboard stop speaks for the fact it opens.
    facts = list(dict.fromkeys([*anchors, *(m.anchor for m in ordered if m.anchor)]))
    focus = any(m.focus and m.anchor in anchors for m in ordered)
    return Segment(text, " ".join(classes), " ".join(facts), anchors, focus)


#: Quote marks and separators a claim's text may carry from the sentence it was cut from.
_CLAIM_EDGES = "\"'“”‘’«»„,;: "


def claim_text(value: Any, width: int = 200) -> str:
    """A claim's text for a list that wraps it in quote marks itself: without the quote marks
    and trailing separators it was cut with (``"The quay is unsafe,"`` -> ``The quay is unsafe``)."""
    return summary(str(value or "").strip(_CLAIM_EDGES) or value, width)


def safe_url(value: Any) -> str | None:
    """``value`` when it is an http(s) URL that may be linked, else None (an article's URL is
    untrusted: ``javascript:`` and other schemes are shown as text, never linked)."""
    url = str(value or "").strip()
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    return url if scheme in ("http", "https") and url[len(scheme) :].startswith("://") else None


def summary(value: Any, width: int = 140) -> str:
    """A one-line shortening of ``value`` for lists."""
    line = " ".join(str(value or "").split())
    return line if len(line) <= width else line[: width - 1] + "…"
