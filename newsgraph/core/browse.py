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

__all__ = ["co_occurring", "event_categories", "places", "version"]

a = tables.articles
pl = tables.places
mn = tables.mentions
ev = tables.events
en = tables.entities
lk = tables.entity_links


def places(corpus: Corpus, *, limit: int = 300, per_place: int = 5) -> list[dict[str, Any]]:
    """Located places across articles, most mentioned first.

    Places are grouped by gazetteer id (or by name when the gazetteer gave none). Each
    record: ``name``, ``lat``, ``lon``, ``country``, ``feature``, ``mentions`` (occurrences
    in the text), ``articles`` (how many), and ``examples``: the ``per_place`` most recently
    added of them (``article_id``, ``title``, ``place``: the place's id in that article).
    """
    key = sa.func.coalesce(pl.c.gazetteer_id, sa.literal("name:") + pl.c.name).label("key")
    located = sa.and_(pl.c.lat.is_not(None), pl.c.lon.is_not(None))
    mentions = (
        sa.select(key, sa.func.count().label("n"))
        .select_from(
            pl.join(
                mn,
                sa.and_(mn.c.article_id == pl.c.article_id, mn.c.owner == "place", mn.c.owner_id == pl.c.id),
            )
        )
        .where(located)
        .group_by(key)
    )
    n_articles = sa.func.count(sa.distinct(pl.c.article_id)).label("articles")
    groups = (
        sa.select(
            key,
            sa.func.min(pl.c.name).label("name"),
            sa.func.avg(pl.c.lat).label("lat"),
            sa.func.avg(pl.c.lon).label("lon"),
            sa.func.min(pl.c.country).label("country"),
            sa.func.min(pl.c.feature).label("feature"),
            n_articles,
        )
        .where(located)
        .group_by(key)
        .order_by(n_articles.desc(), key)
        .limit(limit)
    )
    with corpus.store.read() as conn:
        found = {r.key: r for r in conn.execute(groups)}
        counts = {r.key: int(r.n) for r in conn.execute(mentions) if r.key in found}
        rank = sa.func.row_number().over(partition_by=key, order_by=a.c.seq.desc()).label("rank")
        recent = (
            sa.select(key, pl.c.article_id, pl.c.id, a.c.title, rank)
            .join(a, a.c.id == pl.c.article_id)
            .where(located, key.in_(list(found)))
            .subquery()
        )
        examples: dict[str, list[dict[str, Any]]] = {}
        for r in conn.execute(sa.select(recent).where(recent.c.rank <= per_place)):
            examples.setdefault(r.key, []).append(
                {"article_id": r.article_id, "title": r.title, "place": r.id}
            )
    records = [
        {
            "name": r.name,
            "lat": float(r.lat),
            "lon": float(r.lon),
            "country": r.country,
            "feature": r.feature,
            "mentions": max(counts.get(k, 0), int(r.articles)),
            "articles": int(r.articles),
            "examples": examples.get(k, []),
        }
        for k, r in found.items()
    ]
    return sorted(records, key=lambda g: (-g["mentions"], g["name"]))


def event_categories(corpus: Corpus) -> list[tuple[str, int]]:
    """Event categories in the store with their number of events, commonest first."""
    n = sa.func.count().label("n")
    query = sa.select(ev.c.category, n).group_by(ev.c.category).order_by(n.desc(), ev.c.category)
    with corpus.store.read() as conn:
        return [(r.category, int(r.n)) for r in conn.execute(query)]


def co_occurring(
    corpus: Corpus, profile: dict[str, Any], *, limit: int = 15, within: int = 300
) -> list[dict[str, Any]]:
    """Entities named in the same articles as ``profile`` (a ``Corpus.entity`` record), most shared first.

    The profile's articles are those naming one of its names, or (with cross-article links)
    its linked entity; only the ``within`` most recently added of them are read, so that a
    name found in thousands of articles costs no more than one in hundreds. Other entities
    group by cross-article entity, else by type and name.
    """
    names = sorted({n["name"].lower() for n in profile.get("names", [])} | {str(profile["name"]).lower()})
    own_link = profile.get("corpus_entity")
    members: Any = sa.select(en.c.article_id).where(sa.func.lower(en.c.name).in_(names))
    if own_link:
        members = members.union(sa.select(lk.c.article_id).where(lk.c.corpus_id == own_link))
    members = members.subquery()
    latest = (
        sa.select(a.c.id)
        .where(a.c.id.in_(sa.select(members.c.article_id)))
        .order_by(a.c.seq.desc())
        .limit(within)
    )
    group = sa.func.coalesce(lk.c.corpus_id, en.c.type + sa.literal(":") + en.c.name).label("key")
    shared = sa.func.count(sa.distinct(en.c.article_id)).label("articles")
    query = (
        sa.select(group, sa.func.min(en.c.name).label("name"), sa.func.min(en.c.type).label("type"), shared)
        .select_from(en.outerjoin(lk, sa.and_(lk.c.article_id == en.c.article_id, lk.c.entity_id == en.c.id)))
        .where(en.c.article_id.in_(latest), sa.func.lower(en.c.name).not_in(names))
        .group_by(group)
        .order_by(shared.desc(), sa.func.min(en.c.name))
        .limit(limit + 1)
    )
    with corpus.store.read() as conn:
        rows = [r for r in conn.execute(query) if not (own_link and r.key == own_link)]
    return [{"name": r.name, "type": r.type, "articles": int(r.articles)} for r in rows[:limit]]


def version(corpus: Corpus) -> tuple[int, int]:
    """``(articles, last seq)``: changes whenever an article is added, analysed again (it is
    rewritten under a new ``seq``) or removed, so whatever is derived from the articles and
    their facts (places, events) can be cached under it. A count and an index look-up."""
    query = sa.select(sa.func.count(), sa.func.coalesce(sa.func.max(a.c.seq), 0))
    with corpus.store.read() as conn:
        count, last = conn.execute(query).one()
    return int(count), int(last)
