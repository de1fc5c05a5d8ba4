"""The readable report of an analysed article (``--format text``)."""

from __future__ import annotations

import textwrap

from .model import Article, Attribution, Entity, Event

WIDTH = 100


def _clip(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _heading(title: str, count: int) -> str:
    return f"\n{title} ({count})\n" + "-" * (len(title) + len(str(count)) + 3)


def render_article(article: Article) -> str:
    """A plain-text report: metadata, entities with roles, who says what, events, places, times."""
    meta = article.metadata
    lines = [f"== {article.input} ==", f"{len(article.text)} characters"]
    for key in ("title", "published", "outlet", "author", "url"):
        value = getattr(meta, key)
        if value:
            lines.append(f"{key:>9}: {value}")
    for warning in article.warnings:
        lines.append(f"  warning: {warning}")
    if article.removed:
        lines.append(_heading("Removed (boilerplate, no facts taken)", len(article.removed)))
        for r in article.removed:
            lines.append(f"  [{r.start}:{r.end}] {r.reason}: {_clip(article.text[r.start : r.end], 90)}")
    if article.subheads:
        lines.append(_heading("Subheads", len(article.subheads)))
        lines.extend(f"  [{s.start}:{s.end}] {s.text}" for s in article.subheads)
    entities = {e.id: e for e in article.entities}
    if article.entities:
        lines.append(_heading("Entities", len(article.entities)))
        for e in article.entities:
            extra = [a for a in e.aliases if a != e.name]
            line = f"  {e.id:<4} {e.type:<7} {e.name}  ×{len(e.mentions)}"
            if extra:
                line += f"  aka {', '.join(extra)}"
            lines.append(line)
            for role in dict.fromkeys(r.text for r in e.roles):
                lines.append(f"{'':13}role: {role}")
    if article.attributions:
        lines.append(_heading("Who says what", len(article.attributions)))
        for a in article.attributions:
            lines.extend(_attribution(a, entities))
    if article.events:
        lines.append(_heading("Events", len(article.events)))
        places = {p.id: p.name for p in article.places}
        for ev in article.events:
            lines.append(_event(ev, places))
    if article.places:
        lines.append(_heading("Places", len(article.places)))
        for p in article.places:
            if p.lat is None or p.lon is None:
                where = "unresolved"
            elif p.located_by in ("nearby", "focus"):
                # Not in the gazetteer: placed at a place named nearby or the article's focus.
                where = f"approx. {p.lat:.2f}, {p.lon:.2f}, {p.located_by}"
            else:
                where = f"{p.lat:.3f}, {p.lon:.3f}"
            meton = sum(1 for m in p.mentions if m.metonymy)
            note = f", {meton} metonymic" if meton else ""
            lines.append(
                f"  {p.id:<4} {p.name:<28} {p.feature or '-':<8} {p.country or '--'}  ({where})"
                f"  ×{len(p.mentions)}{note}"
            )
    if article.times:
        lines.append(_heading("Times", len(article.times)))
        for t in article.times:
            lines.append(f"  {t.id:<4} {t.text!r:<32} -> {t.value or '?'} ({t.type})")
    return "\n".join(lines) + "\n"


def _attribution(a: Attribution, entities: dict[str, Entity]) -> list[str]:
    src = a.source
    who = src.text or "(nobody named)"
    if src.entity and src.entity in entities:
        name = entities[src.entity].name
        if name != src.text:
            who = f"{who} = {name}"
    head = f"  {a.id:<4} {who} [{src.type}]"
    if a.cue:
        head += f" —{a.cue.text}→"
    tags = [a.kind]
    if a.hedge and a.hedge != "none":
        tags.append(f"hedge: {a.hedge}")
    if a.relayed_by:
        tags.append(f"via {a.relayed_by.text}")
    if a.parent:
        tags.append(f"inside {a.parent}")
    claim = _clip(a.content.text, 300)
    if claim[:1] not in "“\"'‘«":  # a quotation keeps its own marks
        claim = f"“{claim}”"
    body = textwrap.fill(claim, WIDTH, initial_indent=" " * 9, subsequent_indent=" " * 10)
    return [f"{head}  ({'; '.join(tags)})", body]


def _event(ev: Event, places: dict[str, str]) -> str:
    parts = [f"  {ev.id:<4} {ev.category:<10} {ev.trigger.text!r}"]
    if ev.actor:
        parts.append(f"actor={ev.actor.text}")
    if ev.target:
        parts.append(f"target={ev.target.text}")
    if ev.place:
        parts.append(f"place={places.get(ev.place, ev.place)}")
    if ev.date:
        parts.append(f"date={ev.date}")
    if ev.mode:
        parts.append(f"mode={ev.mode}")
    if ev.modality != "asserted":
        parts.append(f"modality={ev.modality}")
    if ev.attribution:
        parts.append(f"claimed in {ev.attribution}")
    return "  ".join(parts)
