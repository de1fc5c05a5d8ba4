"""Queries across the whole store; each returns plain records (dicts) ready for JSON or a table.

Dates compare as ISO 8601 strings: ``since`` and ``until`` are inclusive, and a
date-time on the ``until`` day counts as that day.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
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


# -- walking the store newest first ---------------------------------------------------------------
#
# Queries that list facts newest article first walk the articles by ``seq`` (indexed) in
# growing chunks and read each chunk's facts by ``article_id`` (the leading key of every fact
# table), stopping once a page is full; filters that an index cannot answer are applied to
# the chunk's rows. A page near the top costs a few small indexed reads, whatever the store's size.

_FIRST_CHUNK = 25
_MAX_CHUNK = 800


def _walk(conn: Connection, conds: list[Any], only: set[str] | None = None) -> Iterator[list[str]]:
    """Article ids, newest (highest ``seq``) first, in growing chunks; ``only`` restricts them."""
    size = _FIRST_CHUNK
    if only is not None:
        found: list[tuple[int, str]] = []
        ids = sorted(only)
        for n in range(0, len(ids), _MAX_CHUNK):
            query = sa.select(a.c.seq, a.c.id).where(a.c.id.in_(ids[n : n + _MAX_CHUNK]), *conds)
            found += [(r.seq, r.id) for r in conn.execute(query)]
        found.sort(reverse=True)
        ordered = [i for _, i in found]
        n = 0
        while n < len(ordered):
            yield ordered[n : n + size]
            n += size
            size = min(size * 2, _MAX_CHUNK)
        return
    last: int | None = None
    while True:
        query = sa.select(a.c.seq, a.c.id).where(*conds).order_by(a.c.seq.desc()).limit(size)
        if last is not None:
            query = query.where(a.c.seq < last)
        rows = list(conn.execute(query))
        if not rows:
            return
        yield [r.id for r in rows]
        last = rows[-1].seq
        size = min(size * 2, _MAX_CHUNK)


def _article_conds(since: str | None, until: str | None, outlet: str | None) -> list[Any]:
    conds: list[Any] = _dates(a.c.published, since, until)
    if outlet:
        conds.append(sa.func.lower(a.c.outlet) == outlet.lower())
    return conds


def _page(
    conn: Connection,
    walk: Iterator[list[str]],
    fetch: Callable[[list[str]], Iterable[Any]],
    keep: Callable[[Any], bool],
    limit: int,
    offset: int,
) -> list[Any]:
    """Rows ``fetch(chunk)`` returns that ``keep`` accepts, until ``offset + limit`` are found."""
    out: list[Any] = []
    for chunk in walk:
        order = {article_id: n for n, article_id in enumerate(chunk)}
        rows = sorted(fetch(chunk), key=lambda r: (order[r.article_id], r.seq))
        out += [r for r in rows if keep(r)]
        if len(out) >= offset + limit:
            break
    return out[offset : offset + limit]


Pairs = set[tuple[str, str]]


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
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Attributions across articles, most recently added article first.

    ``speaker`` matches words of the source's text, or any entity called so (name or mention,
    any case; with cross-article links, every article's entity linked to it).
    """
    conds: list[Any] = []
    if source_type:
        conds.append(at.c.source_type == source_type)
    if hedged:
        conds.append(at.c.hedge != "none")
    only: set[str] | None = None
    matched: Pairs | None = None
    if about:
        matched = {(r.article_id, r.ref) for r in conn.execute(_matching_docs(conn, about, "attribution"))}
        only = {article_id for article_id, _ in matched}
    speakers: Pairs | None = None
    words = (speaker or "").strip().lower()
    if speaker:
        speakers = _entity_pairs(conn, speaker)
        ids = sorted({e for _, e in speakers})
        conds.append(sa.or_(at.c.source_entity.in_(ids), _lower_like(at.c.source_text, words)))

    def keep(r: Any) -> bool:
        if matched is not None and (r.article_id, r.id) not in matched:
            return False
        if speakers is not None:
            by_entity = r.source_entity is not None and (r.article_id, r.source_entity) in speakers
            return by_entity or words in (r.source_text or "").lower()
        return True

    return [
        quote_record(r)
        for r in _quote_page(
            conn, _walk(conn, _article_conds(since, until, outlet), only), conds, keep, limit, offset
        )
    ]


def _quote_page(
    conn: Connection,
    walk: Iterator[list[str]],
    conds: list[Any],
    keep: Callable[[Any], bool],
    limit: int,
    offset: int,
) -> list[Any]:
    def fetch(chunk: list[str]) -> Iterable[Any]:
        query = sa.select(at, a.c.title, a.c.outlet, a.c.published).join(a, a.c.id == at.c.article_id)
        return conn.execute(query.where(at.c.article_id.in_(chunk), *conds))

    return _page(conn, walk, fetch, keep, limit, offset)


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
    records = []
    for r in found:
        name, type_ = names.get(r.corpus_id, (r.name, r.type)) if r.corpus_id else (r.name, r.type)
        records.append({"corpus_entity": r.corpus_id, "name": name, "type": type_, "articles": r.articles})
    return records


def _corpus_names(conn: Connection, ids: list[str]) -> dict[str, tuple[str, str]]:
    if not ids:
        return {}
    query = sa.select(ce.c.id, ce.c.name, ce.c.type).where(ce.c.id.in_(ids))
    return {r.id: (r.name, r.type) for r in conn.execute(query)}


def _hits(conn: Connection, name: str) -> list[Any]:
    """Per-article entities called ``name``: by name or a mention's words (indexed), else by alias."""
    wanted = name.strip().lower()

    def look_up(*found: Any) -> list[Any]:
        hits = sa.union(*found).subquery()
        query = (
            sa.select(en.c.article_id, en.c.id, en.c.name, en.c.type, lk.c.corpus_id)
            .join(hits, sa.and_(hits.c.article_id == en.c.article_id, hits.c.id == en.c.id))
            .outerjoin(lk, sa.and_(lk.c.article_id == en.c.article_id, lk.c.entity_id == en.c.id))
        )
        return list(conn.execute(query))

    by_name = sa.select(en.c.article_id, en.c.id).where(sa.func.lower(en.c.name) == wanted)
    by_mention = sa.select(mn.c.article_id, mn.c.owner_id).where(
        sa.func.lower(mn.c.text) == wanted, mn.c.owner == "entity"
    )
    rows = look_up(by_name, by_mention)
    if not rows:  # aliases are JSON text: scanned only when the indexes find nothing
        alias = json.dumps(name.strip(), ensure_ascii=False).lower()
        by_alias = sa.select(en.c.article_id, en.c.id).where(_lower_like(en.c.aliases, alias))
        rows = look_up(by_alias, by_alias)
    return rows


def _groups(conn: Connection, name: str) -> list[tuple[str, str, list[Any]]]:
    """``(kind, key, member entity rows)`` per entity called ``name``, most articles first."""
    found: dict[tuple[str, str], None] = {}
    for r in _hits(conn, name):
        found[("corpus", r.corpus_id) if r.corpus_id else ("name", f"{r.type}:{r.name}")] = None
    groups = []
    columns = (en.c.article_id, en.c.id, en.c.name, en.c.type, en.c.aliases, en.c.roles)
    for kind, key in found:
        if kind == "corpus":
            query = (
                sa.select(*columns)
                .join(lk, sa.and_(lk.c.article_id == en.c.article_id, lk.c.entity_id == en.c.id))
                .where(lk.c.corpus_id == key)
            )
        else:
            type_, _, exact = key.partition(":")
            query = (
                sa.select(*columns)
                .outerjoin(lk, sa.and_(lk.c.article_id == en.c.article_id, lk.c.entity_id == en.c.id))
                .where(en.c.name == exact, en.c.type == type_, lk.c.corpus_id.is_(None))
            )
        groups.append((kind, key, list(conn.execute(query))))
    groups.sort(key=lambda g: (-len({r.article_id for r in g[2]}), g[1]))
    return groups


def _entity_pairs(conn: Connection, name: str) -> Pairs:
    return {(r.article_id, r.id) for _kind, _key, members in _groups(conn, name) for r in members}


def entity(conn: Connection, name: str, *, why: bool = False, detail_limit: int = 20) -> list[dict[str, Any]]:
    """Every entity called ``name`` (name or a mention's words, any case), one record each."""
    return [
        _profile(conn, kind, key, members, why=why, limit=detail_limit)
        for kind, key, members in _groups(conn, name)
    ]


def _profile(
    conn: Connection, kind: str, key: str, member_rows: list[Any], *, why: bool, limit: int
) -> dict[str, Any]:
    members: Pairs = {(r.article_id, r.id) for r in member_rows}
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
    dates: list[str] = []
    outlets: Counter[str] = Counter()
    for n in range(0, len(article_ids), _MAX_CHUNK):
        query = sa.select(a.c.published, a.c.outlet).where(a.c.id.in_(article_ids[n : n + _MAX_CHUNK]))
        for r in conn.execute(query):
            if r.published:
                dates.append(r.published)
            if r.outlet:
                outlets[r.outlet] += 1
    only = set(article_ids)
    entity_ids = sorted({r.id for r in member_rows})
    said = _quote_page(
        conn,
        _walk(conn, [], only),
        [at.c.source_entity.in_(entity_ids)],
        lambda r: (r.article_id, r.source_entity) in members,
        limit,
        0,
    )

    def about_fetch(chunk: list[str]) -> Iterable[Any]:
        in_chunk = {e for article_id, e in members if article_id in set(chunk)}
        query = (
            sa.select(at, a.c.title, a.c.outlet, a.c.published, mn.c.owner_id)
            .join(a, a.c.id == at.c.article_id)
            .join(
                mn,
                sa.and_(
                    mn.c.article_id == at.c.article_id,
                    mn.c.owner == "entity",
                    mn.c.start >= at.c.content_start,
                    mn.c.end <= at.c.content_end,
                ),
            )
            .where(at.c.article_id.in_(chunk), mn.c.owner_id.in_(sorted(in_chunk)))
        )
        seen: set[tuple[str, str]] = set()
        out = []
        for r in conn.execute(query):
            if (r.article_id, r.owner_id) not in members or (r.article_id, r.id) in seen:
                continue
            if r.source_entity is not None and (r.article_id, r.source_entity) in members:
                continue
            seen.add((r.article_id, r.id))
            out.append(r)
        return out

    said_about = _page(conn, _walk(conn, [], only), about_fetch, lambda r: True, limit, 0)

    def event_fetch(chunk: list[str]) -> Iterable[Any]:
        query = (
            sa.select(ev, a.c.title, a.c.outlet, a.c.published)
            .join(a, a.c.id == ev.c.article_id)
            .where(
                ev.c.article_id.in_(chunk),
                sa.or_(ev.c.actor_entity.is_not(None), ev.c.target_entity.is_not(None)),
            )
        )
        return conn.execute(query)

    def in_event(r: Any) -> bool:
        return (r.article_id, r.actor_entity) in members or (r.article_id, r.target_entity) in members

    event_rows = [
        {**event_record(r), "as": "actor" if (r.article_id, r.actor_entity) in members else "target"}
        for r in _page(conn, _walk(conn, [], only), event_fetch, in_event, limit, 0)
    ]
    record: dict[str, Any] = {
        "corpus_entity": key if kind == "corpus" else None,
        "name": names.most_common(1)[0][0] if names else key,
        "type": types.most_common(1)[0][0] if types else None,
        "articles": len(article_ids),
        "names": [{"name": n, "count": c} for n, c in names.most_common()],
        "roles": [{"role": n, "count": c} for n, c in roles.most_common(limit)],
        "said": [quote_record(r) for r in said],
        "said_about": [quote_record(r) for r in said_about],
        "events": event_rows,
        "outlets": [o for o, _ in sorted(outlets.items(), key=lambda item: (-item[1], item[0]))[:limit]],
        "first_seen": min(dates) if dates else None,
        "last_seen": max(dates) if dates else None,
    }
    if kind == "corpus":
        profile = conn.execute(sa.select(ce.c.name, ce.c.type).where(ce.c.id == key)).first()
        if profile is not None:
            record["name"], record["type"] = profile.name, profile.type
    if why:
        log = tables.link_log
        query = sa.select(log).where(sa.or_(log.c.corpus_id == key, log.c.other_id == key)).order_by(log.c.id)
        record["why"] = (
            [
                {
                    "at": r.at,
                    "action": r.action,
                    "article_id": r.article_id,
                    "entity_id": r.entity_id,
                    "other_id": r.other_id,
                    "reason": r.reason,
                }
                for r in conn.execute(query)
            ]
            if kind == "corpus"
            else []
        )
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
    """Events across articles, most recently added article first; ``place`` gives the place's name.

    ``since``/``until`` apply to the event's date, or the article's when the event has none.
    """
    conds: list[Any] = _dates(sa.func.coalesce(ev.c.date, a.c.published), since, until)
    if category:
        conds.append(ev.c.category == category.upper())
    if place:
        conds.append(sa.func.lower(pl.c.name) == place.lower())
    actors: Pairs | None = _entity_pairs(conn, actor) if actor else None
    words = (actor or "").strip().lower()

    def fetch(chunk: list[str]) -> Iterable[Any]:
        query = (
            sa.select(ev, a.c.title, a.c.outlet, a.c.published, pl.c.name.label("place_name"))
            .join(a, a.c.id == ev.c.article_id)
            .outerjoin(pl, sa.and_(pl.c.article_id == ev.c.article_id, pl.c.id == ev.c.place))
        )
        return conn.execute(query.where(ev.c.article_id.in_(chunk), *conds))

    def keep(r: Any) -> bool:
        if actors is None:
            return True
        return (r.article_id, r.actor_entity) in actors or words in (r.actor_text or "").lower()

    rows = _page(conn, _walk(conn, []), fetch, keep, limit, offset)
    return [{**event_record(r), "place": r.place_name} for r in rows]


# -- search, stats, problems ---------------------------------------------------------------------


def search_records(
    conn: Connection, text: str, *, kind: str | None = None, limit: int = DEFAULT_LIMIT, offset: int = 0
) -> list[dict[str, Any]]:
    """Articles and attributions holding every word of ``text``, best match first."""
    hits = search.match(conn, text, kind, limit, offset)
    if not hits:
        return []
    ids = sorted({h.article_id for h in hits})
    with_text = sorted({h.article_id for h in hits if h.kind == "article"})
    meta = {
        r.id: r
        for r in conn.execute(sa.select(a.c.id, a.c.title, a.c.outlet, a.c.published).where(a.c.id.in_(ids)))
    }
    texts = {r.id: r.text for r in conn.execute(sa.select(a.c.id, a.c.text).where(a.c.id.in_(with_text)))}
    refs = {(h.article_id, h.ref) for h in hits if h.kind == "attribution"}
    quotes_by_key = {
        (r.article_id, r.id): r
        for r in conn.execute(
            sa.select(at.c.article_id, at.c.id, at.c.source_text, at.c.content_text).where(
                at.c.article_id.in_(sorted({i for i, _ in refs})), at.c.id.in_(sorted({r for _, r in refs}))
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
            record["snippet"] = _snippet(texts.get(h.article_id, ""), words)
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
