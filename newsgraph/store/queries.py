"""Queries across the whole store; each returns plain records (dicts) ready for JSON or a table.

Dates compare as ISO 8601 strings: ``since`` and ``until`` are inclusive, and a
date-time on the ``until`` day counts as that day.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import search, tables

a = tables.articles
at = tables.attributions
en = tables.entities
ev = tables.events
pl = tables.places
mn = tables.mentions
lk = tables.entity_links
ce = tables.corpus_entities
docs = sa.table("search_docs", sa.column("kind"), sa.column("article_id"), sa.column("ref"))

DEFAULT_LIMIT = 50


def _dates(column: Any, since: str | None, until: str | None) -> list[Any]:
    conds = []
    if since:
        conds.append(column >= since)
    if until:
        conds.append(column <= until + "~")  # "2024-12-08T10:00" <= "2024-12-08~"
    return conds


def _lower_like(column: Any, text: str) -> Any:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return sa.func.lower(column).like(f"%{escaped}%", escape="\\")


def _matching_docs(conn: Connection, text: str, kind: str) -> Any:
    """A subquery of (article_id, ref) of search rows of ``kind`` holding every word of ``text``."""
    words = search.terms(text)
    if conn.dialect.name == "sqlite":
        query = " ".join('"' + w.replace('"', '""') + '"' for w in words) or '""'
        cond = sa.text("search_docs MATCH :fts").bindparams(fts=query)
    else:
        cond = sa.text("tsv @@ to_tsquery('simple', :fts)").bindparams(fts=" & ".join(words) or "''")
    return sa.select(docs.c.article_id, docs.c.ref).where(docs.c.kind == kind, cond)


def _article_fields(row: Any) -> dict[str, Any]:
    return {
        "article_id": row.article_id,
        "title": row.title,
        "outlet": row.outlet,
        "published": row.published,
    }


# -- quotes --------------------------------------------------------------------------------------


def quotes(
    conn: Connection,
    *,
    speaker: str | None = None,
    about: str | None = None,
    source_type: str | None = None,
    hedged: bool = False,
    since: str | None = None,
    until: str | None = None,
    outlet: str | None = None,
    entity_members: Any = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Attributions across articles, newest article first."""
    query = sa.select(at, a.c.title, a.c.outlet, a.c.published).join(a, a.c.id == at.c.article_id)
    conds: list[Any] = _dates(a.c.published, since, until)
    if speaker:
        named = sa.select(en.c.article_id, en.c.id).where(_lower_like(en.c.name, speaker))
        conds.append(
            sa.or_(
                _lower_like(at.c.source_text, speaker),
                sa.tuple_(at.c.article_id, at.c.source_entity).in_(named),
            )
        )
    if about:
        conds.append(sa.tuple_(at.c.article_id, at.c.id).in_(_matching_docs(conn, about, "attribution")))
    if source_type:
        conds.append(at.c.source_type == source_type)
    if hedged:
        conds.append(at.c.hedge != "none")
    if outlet:
        conds.append(sa.func.lower(a.c.outlet) == outlet.lower())
    if entity_members is not None:
        conds.append(sa.tuple_(at.c.article_id, at.c.source_entity).in_(entity_members))
    query = query.where(*conds).order_by(a.c.seq.desc(), at.c.seq).limit(limit).offset(offset)
    return [quote_record(r) for r in conn.execute(query)]


def quote_record(r: Any) -> dict[str, Any]:
    return {
        **_article_fields(r),
        "id": r.id,
        "kind": r.kind,
        "speaker": r.source_text,
        "source_type": r.source_type,
        "source_entity": r.source_entity,
        "cue": r.cue_text,
        "content": r.content_text,
        "hedge": r.hedge,
        "relayed_by": r.relayed_by_text,
        "start": r.content_start,
        "end": r.content_end,
    }


# -- entities ------------------------------------------------------------------------------------


def _group_key() -> Any:
    return sa.func.coalesce(lk.c.corpus_id, en.c.type + ":" + en.c.name)


def entities(
    conn: Connection, *, type: str | None = None, limit: int = DEFAULT_LIMIT, offset: int = 0
) -> list[dict[str, Any]]:
    """Entities across articles, by the number of articles naming them.

    Linked entities group by their cross-article id; entities the linker left alone (or
    a store without links) group by type and exact name.
    """
    key = _group_key().label("key")
    count = sa.func.count(sa.distinct(en.c.article_id)).label("articles")
    query = (
        sa.select(
            key,
            lk.c.corpus_id,
            sa.func.min(en.c.name).label("name"),
            sa.func.min(en.c.type).label("type"),
            count,
            sa.func.count().label("mentioned_as"),
        )
        .select_from(en.outerjoin(lk, sa.and_(lk.c.article_id == en.c.article_id, lk.c.entity_id == en.c.id)))
        .group_by(key, lk.c.corpus_id)
        .order_by(count.desc(), key)
        .limit(limit)
        .offset(offset)
    )
    if type:
        query = query.where(en.c.type == type.upper())
    found = list(conn.execute(query))
    names = _corpus_names(conn, [r.corpus_id for r in found if r.corpus_id])
    return [
        {
            "corpus_entity": r.corpus_id,
            "name": names.get(r.corpus_id, (r.name, r.type))[0] if r.corpus_id else r.name,
            "type": names.get(r.corpus_id, (r.name, r.type))[1] if r.corpus_id else r.type,
            "articles": r.articles,
        }
        for r in found
    ]


def _corpus_names(conn: Connection, ids: list[str]) -> dict[str, tuple[str, str]]:
    if not ids:
        return {}
    return {
        r.id: (r.name, r.type)
        for r in conn.execute(sa.select(ce.c.id, ce.c.name, ce.c.type).where(ce.c.id.in_(ids)))
    }


def entity(conn: Connection, name: str, *, why: bool = False, detail_limit: int = 20) -> list[dict[str, Any]]:
    """Every entity called ``name`` (name or a mention's words, any case), one record each."""
    wanted = name.strip().lower()
    by_name = sa.select(en.c.article_id, en.c.id).where(sa.func.lower(en.c.name) == wanted)
    by_mention = sa.select(mn.c.article_id, mn.c.owner_id).where(
        sa.func.lower(mn.c.text) == wanted, mn.c.owner == "entity"
    )

    def look_up(*found: Any) -> list[Any]:
        hits = sa.union(*found).subquery()
        return list(
            conn.execute(
                sa.select(en.c.article_id, en.c.id, en.c.name, en.c.type, lk.c.corpus_id)
                .join(hits, sa.and_(hits.c.article_id == en.c.article_id, hits.c.id == en.c.id))
                .outerjoin(lk, sa.and_(lk.c.article_id == en.c.article_id, lk.c.entity_id == en.c.id))
            )
        )

    # Names and mentions are indexed; aliases (JSON text) are scanned only when those find nothing.
    rows = look_up(by_name, by_mention)
    if not rows:
        alias = json.dumps(name.strip(), ensure_ascii=False).lower()
        by_alias = sa.select(en.c.article_id, en.c.id).where(_lower_like(en.c.aliases, alias))
        rows = look_up(by_alias, by_alias)
    groups: dict[tuple[str, str], int] = Counter()
    for r in rows:
        groups[("corpus", r.corpus_id) if r.corpus_id else ("name", f"{r.type}:{r.name}")] += 1
    records = []
    for (kind, key), _n in sorted(groups.items(), key=lambda item: (-item[1], item[0])):
        if kind == "corpus":
            members = sa.select(lk.c.article_id, lk.c.entity_id).where(lk.c.corpus_id == key)
        else:
            type_, _, exact = key.partition(":")
            members = (
                sa.select(en.c.article_id, en.c.id)
                .outerjoin(lk, sa.and_(lk.c.article_id == en.c.article_id, lk.c.entity_id == en.c.id))
                .where(en.c.name == exact, en.c.type == type_, lk.c.corpus_id.is_(None))
            )
        records.append(_profile(conn, kind, key, members, why=why, limit=detail_limit))
    return records


def _profile(conn: Connection, kind: str, key: str, members: Any, *, why: bool, limit: int) -> dict[str, Any]:
    member_rows = conn.execute(
        sa.select(en.c.article_id, en.c.id, en.c.name, en.c.type, en.c.aliases, en.c.roles).where(
            sa.tuple_(en.c.article_id, en.c.id).in_(members)
        )
    ).all()
    names: Counter[str] = Counter()
    roles: Counter[str] = Counter()
    types: Counter[str] = Counter()
    for r in member_rows:
        names[r.name] += 1
        types[r.type] += 1
        for alias in json.loads(r.aliases):
            if alias != r.name:
                names[alias] += 1
        for role in json.loads(r.roles):
            roles[role["text"]] += 1
    article_ids = sorted({r.article_id for r in member_rows})
    seen = conn.execute(
        sa.select(
            sa.func.min(a.c.published), sa.func.max(a.c.published), sa.func.count(sa.distinct(a.c.outlet))
        ).where(a.c.id.in_(sa.select(members.subquery().c[0])))
    ).one()
    outlets = [
        r.outlet
        for r in conn.execute(
            sa.select(a.c.outlet, sa.func.count().label("n"))
            .where(a.c.id.in_(sa.select(members.subquery().c[0])), a.c.outlet.is_not(None))
            .group_by(a.c.outlet)
            .order_by(sa.text("n DESC"), a.c.outlet)
            .limit(limit)
        )
    ]
    said = quotes(conn, entity_members=members, limit=limit)
    about_query = (
        sa.select(at, a.c.title, a.c.outlet, a.c.published)
        .join(a, a.c.id == at.c.article_id)
        .where(
            sa.exists().where(
                mn.c.article_id == at.c.article_id,
                mn.c.owner == "entity",
                sa.tuple_(mn.c.article_id, mn.c.owner_id).in_(members),
                mn.c.start >= at.c.content_start,
                mn.c.end <= at.c.content_end,
            ),
            sa.or_(
                at.c.source_entity.is_(None), sa.tuple_(at.c.article_id, at.c.source_entity).not_in(members)
            ),
        )
        .order_by(a.c.seq.desc(), at.c.seq)
        .limit(limit)
    )
    said_about = [quote_record(r) for r in conn.execute(about_query)]
    event_rows = []
    for role in ("actor", "target"):
        column = ev.c[f"{role}_entity"]
        query = (
            sa.select(ev, a.c.title, a.c.outlet, a.c.published)
            .join(a, a.c.id == ev.c.article_id)
            .where(sa.tuple_(ev.c.article_id, column).in_(members))
            .order_by(a.c.seq.desc(), ev.c.seq)
            .limit(limit)
        )
        event_rows += [{**event_record(r), "as": role} for r in conn.execute(query)]
    record: dict[str, Any] = {
        "corpus_entity": key if kind == "corpus" else None,
        "name": names.most_common(1)[0][0] if names else key,
        "type": types.most_common(1)[0][0] if types else None,
        "articles": len(article_ids),
        "names": [{"name": n, "count": c} for n, c in names.most_common()],
        "roles": [{"role": n, "count": c} for n, c in roles.most_common(limit)],
        "said": said,
        "said_about": said_about,
        "events": event_rows,
        "outlets": outlets,
        "first_seen": seen[0],
        "last_seen": seen[1],
    }
    if kind == "corpus":
        profile = conn.execute(sa.select(ce.c.name, ce.c.type).where(ce.c.id == key)).first()
        if profile is not None:
            record["name"], record["type"] = profile.name, profile.type
        if why:
            log = tables.link_log
            record["why"] = [
                {
                    "at": r.at,
                    "action": r.action,
                    "article_id": r.article_id,
                    "entity_id": r.entity_id,
                    "other_id": r.other_id,
                    "reason": r.reason,
                }
                for r in conn.execute(
                    sa.select(log)
                    .where(sa.or_(log.c.corpus_id == key, log.c.other_id == key))
                    .order_by(log.c.id)
                )
            ]
    elif why:
        record["why"] = []
    return record


# -- events --------------------------------------------------------------------------------------


def event_record(r: Any) -> dict[str, Any]:
    return {
        **_article_fields(r),
        "id": r.id,
        "category": r.category,
        "mode": r.mode,
        "modality": r.modality,
        "trigger": r.trigger_text,
        "actor": r.actor_text,
        "actor_entity": r.actor_entity,
        "target": r.target_text,
        "target_entity": r.target_entity,
        "place": r.place,
        "date": r.date,
        "attribution": r.attribution,
        "sentence": r.sentence_text,
    }


def events(
    conn: Connection,
    *,
    category: str | None = None,
    actor: str | None = None,
    place: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Events across articles, newest article first; ``place`` gives the place's name."""
    query = (
        sa.select(ev, a.c.title, a.c.outlet, a.c.published, pl.c.name.label("place_name"))
        .join(a, a.c.id == ev.c.article_id)
        .outerjoin(pl, sa.and_(pl.c.article_id == ev.c.article_id, pl.c.id == ev.c.place))
    )
    conds: list[Any] = _dates(sa.func.coalesce(ev.c.date, a.c.published), since, until)
    if category:
        conds.append(ev.c.category == category.upper())
    if actor:
        named = sa.select(en.c.article_id, en.c.id).where(_lower_like(en.c.name, actor))
        conds.append(
            sa.or_(
                _lower_like(ev.c.actor_text, actor), sa.tuple_(ev.c.article_id, ev.c.actor_entity).in_(named)
            )
        )
    if place:
        conds.append(sa.func.lower(pl.c.name) == place.lower())
    query = query.where(*conds).order_by(a.c.seq.desc(), ev.c.seq).limit(limit).offset(offset)
    return [{**event_record(r), "place": r.place_name} for r in conn.execute(query)]


# -- search, stats, problems ---------------------------------------------------------------------


def search_records(
    conn: Connection, text: str, *, kind: str | None = None, limit: int = DEFAULT_LIMIT, offset: int = 0
) -> list[dict[str, Any]]:
    """Articles and attributions holding every word of ``text``, best match first."""
    hits = search.match(conn, text, kind, limit, offset)
    if not hits:
        return []
    ids = sorted({h.article_id for h in hits})
    meta = {
        r.id: r
        for r in conn.execute(
            sa.select(a.c.id, a.c.title, a.c.outlet, a.c.published, a.c.text).where(a.c.id.in_(ids))
        )
    }
    quotes_by_key = {
        (r.article_id, r.id): r
        for r in conn.execute(
            sa.select(at.c.article_id, at.c.id, at.c.source_text, at.c.content_text).where(
                at.c.article_id.in_(ids)
            )
        )
    }
    words = [w.lower() for w in search.terms(text)]
    out = []
    for h in hits:
        m = meta.get(h.article_id)
        if m is None:
            continue
        record = {
            "kind": h.kind,
            "article_id": h.article_id,
            "ref": h.ref or None,
            "title": m.title,
            "outlet": m.outlet,
            "published": m.published,
        }
        if h.kind == "attribution" and (h.article_id, h.ref) in quotes_by_key:
            q = quotes_by_key[(h.article_id, h.ref)]
            record["speaker"] = q.source_text
            record["snippet"] = q.content_text
        else:
            record["speaker"] = None
            record["snippet"] = _snippet(m.text, words)
        out.append(record)
    return out


def _snippet(text: str, words: list[str], width: int = 160) -> str:
    low = text.lower()
    at_ = min((i for i in (low.find(w) for w in words) if i >= 0), default=0)
    start = max(0, at_ - width // 3)
    piece = " ".join(text[start : start + width].split())
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")


def stats(conn: Connection) -> dict[str, Any]:
    """Counts over the store."""

    def count(table: sa.Table, *where: Any) -> int:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar_one())

    dates = conn.execute(sa.select(sa.func.min(a.c.published), sa.func.max(a.c.published))).one()
    return {
        "articles": count(a),
        "attributions": count(at),
        "entities": count(en),
        "corpus_entities": count(ce),
        "linked_entities": count(lk, lk.c.corpus_id.is_not(None)),
        "events": count(ev),
        "places": count(pl),
        "times": count(tables.times),
        "problems": count(tables.problems),
        "outlets": int(conn.execute(sa.select(sa.func.count(sa.distinct(a.c.outlet)))).scalar_one()),
        "first_published": dates[0],
        "last_published": dates[1],
        "pipeline_versions": {
            r.pipeline_version: r.n
            for r in conn.execute(
                sa.select(a.c.pipeline_version, sa.func.count().label("n")).group_by(a.c.pipeline_version)
            )
        },
    }


def problems(
    conn: Connection, *, code: str | None = None, limit: int = DEFAULT_LIMIT, offset: int = 0
) -> list[dict[str, Any]]:
    p = tables.problems
    query = sa.select(p).order_by(p.c.id).limit(limit).offset(offset)
    if code:
        query = query.where(p.c.code == code)
    return [
        {
            "input": r.input,
            "code": r.code,
            "message": r.message,
            "pipeline_version": r.pipeline_version,
            "at": r.at,
        }
        for r in conn.execute(query)
    ]
