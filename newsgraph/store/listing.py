"""Lists of whole records for browsing (the server's ``/api/articles`` and ``/api/places``).

Every order is total (ties broken by a unique key), so ``offset`` paging is stable while
the store only grows at the end.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import tables
from .queries import DEFAULT_LIMIT, _article_conds

a = tables.articles
pl = tables.places

#: ``sort`` values of :func:`articles`: newest added first (the default), oldest added
#: first, latest publication date first, earliest publication date first.
ARTICLE_ORDERS = ("-added", "added", "-published", "published")
#: ``sort`` values of :func:`places`: most articles first (the default), or by name.
PLACE_ORDERS = ("-articles", "name")


def articles(
    conn: Connection,
    *,
    since: str | None = None,
    until: str | None = None,
    outlet: str | None = None,
    sort: str = "-added",
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Stored articles (metadata, no text), filtered by publication date and outlet."""
    if sort not in ARTICLE_ORDERS:
        raise ValueError(f"sort must be one of {', '.join(ARTICLE_ORDERS)}")
    orders: dict[str, list[Any]] = {
        "-added": [a.c.seq.desc()],
        "added": [a.c.seq],
        # NULLS LAST rather than "published IS NULL" first: SQLite then walks the index.
        "-published": [a.c.published.desc().nulls_last(), a.c.seq.desc()],
        "published": [a.c.published.asc().nulls_last(), a.c.seq],
    }
    order = orders[sort]
    query = (
        sa.select(
            a.c.id, a.c.title, a.c.outlet, a.c.published, a.c.url, a.c.author, a.c.language, a.c.added_at
        )
        .where(*_article_conds(since, until, outlet))
        .order_by(*order)
        .limit(limit)
        .offset(offset)
    )
    return [
        {
            "article_id": r.id,
            "title": r.title,
            "outlet": r.outlet,
            "published": r.published,
            "url": r.url,
            "author": r.author,
            "language": r.language,
            "added_at": r.added_at,
        }
        for r in conn.execute(query)
    ]


def places(
    conn: Connection,
    *,
    name: str | None = None,
    country: str | None = None,
    sort: str = "-articles",
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Places named across articles, one record per name and resolved location, with the
    number of mentions and of articles."""
    if sort not in PLACE_ORDERS:
        raise ValueError(f"sort must be one of {', '.join(PLACE_ORDERS)}")
    n_articles = sa.func.count(sa.distinct(pl.c.article_id)).label("articles")
    n_mentions = sa.func.count().label("mentions")
    keys = (pl.c.name, pl.c.lat, pl.c.lon, pl.c.country, pl.c.feature, pl.c.gazetteer_id)
    order: list[Any] = [n_articles.desc()] if sort == "-articles" else []
    order += [pl.c.name, sa.func.coalesce(pl.c.gazetteer_id, ""), sa.func.coalesce(pl.c.country, "")]
    order += [
        sa.func.coalesce(pl.c.feature, ""),
        sa.func.coalesce(pl.c.lat, 0.0),
        sa.func.coalesce(pl.c.lon, 0.0),
    ]
    query = (
        sa.select(*keys, n_articles, n_mentions).group_by(*keys).order_by(*order).limit(limit).offset(offset)
    )
    if name:
        query = query.where(sa.func.lower(pl.c.name) == name.strip().lower())
    if country:
        query = query.where(sa.func.lower(pl.c.country) == country.strip().lower())
    return [
        {
            "name": r.name,
            "lat": r.lat,
            "lon": r.lon,
            "country": r.country,
            "feature": r.feature,
            "gazetteer_id": r.gazetteer_id,
            "articles": r.articles,
            "mentions": r.mentions,
        }
        for r in conn.execute(query)
    ]
