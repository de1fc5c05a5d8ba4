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

from ..store import queries, tables
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

    Only the ``within`` most recently added articles of the profile's entity are read, so
    that a name found in thousands of articles costs no more than one in hundreds. Other
    entities group as in ``Corpus.entities`` (cross-article entity, else type and name);
    those called by one of the profile's names are left out.
    """
    key = profile.get("corpus_entity") or f"{profile['type']}:{profile['name']}"
    names = {n["name"] for n in profile.get("names", [])} | {str(profile["name"])}
    with corpus.store.read() as conn:
        return queries.co_occurring(conn, key, names, limit=limit, within=within)


def version(corpus: Corpus) -> tuple[int, int]:
    """``(articles, last seq)``: changes whenever an article is added, analysed again (it is
    rewritten under a new ``seq``) or removed, so whatever is derived from the articles and
    their facts (places, events) can be cached under it. A count and an index look-up."""
    query = sa.select(sa.func.count(), sa.func.coalesce(sa.func.max(a.c.seq), 0))
    with corpus.store.read() as conn:
        count, last = conn.execute(query).one()
    return int(count), int(last)
