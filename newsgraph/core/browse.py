"""What the web pages show beyond the ``Corpus`` queries: places on a map, co-occurring entities.

>>> from newsgraph.core.corpus import Corpus
>>> from newsgraph.core import browse
>>> browse.places(Corpus(db="sqlite://"))
[]

Read-only, parameterised SQLAlchemy over the store's tables; every function takes an open
``Corpus`` and returns plain records (dicts), like the ``Corpus`` queries.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ..store import tables
from .corpus import Corpus

__all__ = ["co_occurring", "event_categories", "places"]

a = tables.articles
pl = tables.places
mn = tables.mentions
ev = tables.events
en = tables.entities
lk = tables.entity_links


def places(corpus: Corpus, *, limit: int = 300, per_place: int = 5) -> list[dict[str, Any]]:
    """Located places across articles, most mentioned first.

    Places are grouped by gazetteer id (or by name and rounded coordinates when the
    gazetteer gave none). Each record: ``name``, ``lat``, ``lon``, ``country``,
    ``feature``, ``mentions`` (occurrences in the text), ``articles`` (how many), and
    ``examples`` (up to ``per_place`` of them: ``article_id``, ``title``, ``place``).
    """
    counts = (
        sa.select(mn.c.article_id, mn.c.owner_id, sa.func.count().label("n"))
        .where(mn.c.owner == "place")
        .group_by(mn.c.article_id, mn.c.owner_id)
        .subquery()
    )
    query = (
        sa.select(
            pl.c.article_id,
            pl.c.id,
            pl.c.name,
            pl.c.lat,
            pl.c.lon,
            pl.c.country,
            pl.c.feature,
            pl.c.gazetteer_id,
            a.c.title,
            a.c.seq,
            sa.func.coalesce(counts.c.n, 0).label("n"),
        )
        .join(a, a.c.id == pl.c.article_id)
        .outerjoin(counts, sa.and_(counts.c.article_id == pl.c.article_id, counts.c.owner_id == pl.c.id))
        .where(pl.c.lat.is_not(None), pl.c.lon.is_not(None))
        .order_by(a.c.seq.desc())
    )
    groups: dict[str, dict[str, Any]] = {}
    with corpus.store.read() as conn:
        for r in conn.execute(query):
            key = r.gazetteer_id or f"{r.name.lower()}@{round(r.lat, 1)},{round(r.lon, 1)}"
            group = groups.get(key)
            if group is None:
                group = groups[key] = {
                    "name": r.name,
                    "lat": float(r.lat),
                    "lon": float(r.lon),
                    "country": r.country,
                    "feature": r.feature,
                    "mentions": 0,
                    "articles": 0,
                    "examples": [],
                    "_seen": set(),
                }
            group["mentions"] += max(int(r.n), 1)
            if r.article_id not in group["_seen"]:
                group["_seen"].add(r.article_id)
                group["articles"] += 1
                if len(group["examples"]) < per_place:
                    group["examples"].append({"article_id": r.article_id, "title": r.title, "place": r.id})
    ranked = sorted(groups.values(), key=lambda g: (-g["mentions"], g["name"]))[:limit]
    for group in ranked:
        del group["_seen"]
    return ranked


def event_categories(corpus: Corpus) -> list[tuple[str, int]]:
    """Event categories in the store with their number of events, commonest first."""
    n = sa.func.count().label("n")
    query = sa.select(ev.c.category, n).group_by(ev.c.category).order_by(n.desc(), ev.c.category)
    with corpus.store.read() as conn:
        return [(r.category, int(r.n)) for r in conn.execute(query)]


def co_occurring(corpus: Corpus, profile: dict[str, Any], *, limit: int = 15) -> list[dict[str, Any]]:
    """Entities named in the same articles as ``profile`` (a ``Corpus.entity`` record), most shared first.

    The profile's members are its cross-article entity when it has one, else the entities
    carrying one of its names. Others group by cross-article entity, else by type and name.
    """
    names = sorted({n["name"].lower() for n in profile.get("names", [])} | {str(profile["name"]).lower()})
    members: Any = sa.select(en.c.article_id, en.c.id).where(sa.func.lower(en.c.name).in_(names))
    if profile.get("corpus_entity"):
        members = members.union(
            sa.select(lk.c.article_id, lk.c.entity_id).where(lk.c.corpus_id == profile["corpus_entity"])
        )
    with corpus.store.read() as conn:
        own = {(r[0], r[1]) for r in conn.execute(members)}
        article_ids = sorted({article_id for article_id, _ in own})[:2000]
        counts: dict[tuple[str, str], set[str]] = {}
        shown: dict[tuple[str, str], tuple[str, str]] = {}
        for start in range(0, len(article_ids), 500):
            query = (
                sa.select(en.c.article_id, en.c.id, en.c.name, en.c.type, lk.c.corpus_id)
                .outerjoin(lk, sa.and_(lk.c.article_id == en.c.article_id, lk.c.entity_id == en.c.id))
                .where(en.c.article_id.in_(article_ids[start : start + 500]))
            )
            for r in conn.execute(query):
                if (r.article_id, r.id) in own or r.name.lower() in names:
                    continue
                key = ("corpus", r.corpus_id) if r.corpus_id else (r.type, r.name)
                counts.setdefault(key, set()).add(r.article_id)
                shown.setdefault(key, (r.name, r.type))
    ranked = sorted(counts.items(), key=lambda item: (-len(item[1]), shown[item[0]][0]))[:limit]
    return [{"name": shown[key][0], "type": shown[key][1], "articles": len(ids)} for key, ids in ranked]
