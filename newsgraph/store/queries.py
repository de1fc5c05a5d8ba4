"""Queries across the whole store; each returns plain records (dicts) ready for JSON or a table.

Dates compare as ISO 8601 strings: ``since`` and ``until`` are inclusive, and a
date-time on the ``until`` day counts as that day.
"""

from __future__ import annotations

import json
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
ea = tables.entity_articles
ec = tables.entity_counts
docs = sa.table("search_docs", sa.column("kind"), sa.column("article_id"), sa.column("ref"))

DEFAULT_LIMIT = 50


def _dates(column: Any, since: str | None, until: str | None) -> list[Any]:
    conds = []
    if since:
        conds.append(column >= since)
    if until:
        conds.append(column <= until + "~")  # "2024-12-08T10:00" <= "2024-12-08~"
    return conds


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


def _walk(conn: Connection, conds: list[Any]) -> Iterator[list[str]]:
    """Article ids, newest (highest ``seq``) first, in growing chunks."""
    size = _FIRST_CHUNK
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

    ``speaker`` matches every word of the source's text, or any entity called so (name or
    mention, any case; with cross-article links, every article's entity linked to it).
    """
    conds: list[Any] = []
    if source_type:
        conds.append(at.c.source_type == source_type)
    if hedged:
        conds.append(at.c.hedge != "none")
    if not speaker and not about:
        # A page near the top: walk the newest articles in chunks (indexed reads only).
        walk = _walk(conn, _article_conds(since, until, outlet))
        return [quote_record(r) for r in _quote_page(conn, walk, conds, lambda r: True, limit, offset)]
    if about and not speaker and conn.dialect.name == "sqlite":
        # Newest first straight from the full-text index (rowid order is the order added):
        # a common word costs the page, not a sort of every matching quote.
        try:
            ordered = _Ordered(conn, _newest_docs(about, _article_conds(since, until, outlet)), checked=True)
            return [quote_record(r) for r in _keyed_page(conn, at, ordered, conds, limit, offset)]
        except _OutOfOrder:
            pass  # an index out of step with the articles' order: sort the matches instead
    # Filters with an index of their own: the keys of the matching quotes first, then their rows.
    keys: list[Any] = []
    if about:
        keys.append(_matching_docs(conn, about, "attribution"))
    if speaker:
        groups = _keys(conn, speaker)
        words = sorted(set(search.speaker_terms(speaker)))
        if not groups and not words:
            return []
        if not about and _common(conn, groups, words, offset + limit):
            # A speaker quoted everywhere: walk the newest articles, each quote checked by
            # primary-key probes, instead of sorting thousands of matches.
            conds.append(_spoken_by(groups, words))
            walk = _walk(conn, _article_conds(since, until, outlet))
            return [quote_record(r) for r in _quote_page(conn, walk, conds, lambda r: True, limit, offset)]
        by_words = _speaker_docs(speaker)
        members = [_members(kind, key) for kind, key in groups]
        said = _said_by(
            None
            if not members
            else members[0]
            if len(members) == 1
            else sa.union_all(*(sa.select(*q.subquery().c) for q in members))
        )
        # Each part as a plain SELECT (SQLite takes no parenthesised compound inside a compound).
        chosen = [sa.select(*q.subquery().c) for q in (by_words, said) if q is not None]
        keys.append(sa.union(*chosen) if len(chosen) > 1 else chosen[0])
    if len(keys) > 1:
        keys = [sa.intersect(*(sa.select(*q.subquery().c) for q in keys))]
    ordered = _ordered_keys(conn, keys[0], _article_conds(since, until, outlet))
    return [quote_record(r) for r in _keyed_page(conn, at, ordered, conds, limit, offset)]


def _newest_docs(text: str, article_conds: list[Any]) -> Any:
    """``(article id, attribution id, seq)`` of the quotes holding every word of ``text``,
    in the full-text index's rowid order, descending (SQLite): the rows of one article are
    written together, after its ``articles`` row, so this is newest article first."""
    words = search.terms(text)
    query = " ".join('"' + w.replace('"', '""') + '"' for w in words) or '""'
    fts = sa.table(
        "search_docs", sa.column("kind"), sa.column("article_id"), sa.column("ref"), sa.column("rowid")
    )
    return (
        sa.select(fts.c.article_id, fts.c.ref, a.c.seq)
        .join_from(fts, a, a.c.id == fts.c.article_id)
        .where(
            fts.c.kind == "attribution",
            sa.text("search_docs MATCH :fts").bindparams(fts=query),
            *article_conds,
        )
        .order_by(fts.c.rowid.desc())
    )


class _OutOfOrder(Exception):
    """A result meant to be newest article first is not (``_Ordered(checked=True)``)."""


class _Ordered:
    """Keys ``(article id, fact id)`` grouped by article, newest article first, read from the
    database's (sorted) result only as far as the pages need them: a name in 7,000 articles
    costs the database a sort, not Python 7,000 rows.

    ``checked``: the rows carry the article's ``seq`` as a third column, and a row out of
    order (an article's rows apart, or an older article before a newer one) raises
    ``_OutOfOrder`` (pages are returned only once complete, so the caller can start over)."""

    def __init__(self, conn: Connection, query: Any, *, checked: bool = False) -> None:
        self._checked = checked
        self._last_seq: int | None = None
        self._result = conn.execute(query)
        self._pending: tuple[Any, ...] | None = None
        self._done = False
        self.refs: dict[str, set[str]] = {}
        self.articles: list[str] = []

    def _read(self, wanted: int) -> None:
        """Complete articles until ``wanted`` are known (or the result ends)."""
        while len(self.articles) < wanted and not self._done:
            row = self._pending or next(iter(self._result.fetchmany(1)), None)
            self._pending = None
            if row is None:
                self._done = True
                self._result.close()
                break
            if self._checked:
                if row[0] in self.refs or (self._last_seq is not None and row[2] >= self._last_seq):
                    self._result.close()
                    raise _OutOfOrder(row[0])
                self._last_seq = row[2]
            self.articles.append(row[0])
            self.refs[row[0]] = {row[1]}
            for nxt in self._result:  # the rest of this article's keys
                if nxt[0] != row[0]:
                    self._pending = tuple(nxt)
                    break
                self.refs[row[0]].add(nxt[1])
            else:
                self._done = True

    def chunks(self) -> Iterator[list[str]]:
        """Article ids in growing chunks (25, 50, ... 800)."""
        n, size = 0, _FIRST_CHUNK
        while True:
            self._read(n + size)
            chunk = self.articles[n : n + size]
            if not chunk:
                return
            yield chunk
            n, size = n + len(chunk), min(size * 2, _MAX_CHUNK)

    def close(self) -> None:
        self._result.close()


def _ordered_keys(conn: Connection, keys: Any, article_conds: list[Any]) -> _Ordered:
    """``keys`` (a query of article id and fact id) by article, newest article first; only the
    articles' ``id``/``seq`` are read (a covering index), whatever the number of keys."""
    k = keys.subquery()
    article_id, ref = list(k.c)[:2]
    query = sa.select(article_id, ref).join(a, a.c.id == article_id).where(*article_conds)
    return _Ordered(conn, query.order_by(a.c.seq.desc(), article_id))


def _keyed_page(
    conn: Connection,
    table: sa.Table,
    ordered: _Ordered,
    conds: list[Any],
    limit: int,
    offset: int,
) -> list[Any]:
    """Rows of ``table`` named by ``ordered`` that pass ``conds``, in that order (then by
    position in the article), rows ``offset`` to ``offset + limit``."""

    def fetch(chunk: list[str]) -> Iterable[Any]:
        ids = sorted({ref for article_id in chunk for ref in ordered.refs[article_id]})
        query = (
            sa.select(table, a.c.title, a.c.outlet, a.c.published)
            .join(a, a.c.id == table.c.article_id)
            .where(table.c.article_id.in_(chunk), table.c.id.in_(ids), *conds)
        )
        return [r for r in conn.execute(query) if r.id in ordered.refs[r.article_id]]

    try:
        return _page(conn, ordered.chunks(), fetch, lambda r: True, limit, offset)
    finally:
        ordered.close()


def _common(conn: Connection, groups: list[tuple[str, str]], words: list[str], wanted: int) -> bool:
    """Whether quotes of this speaker are common enough that walking the newest articles finds
    ``wanted`` of them sooner than sorting every match: estimated matches ``k`` (members plus
    the rarest word's postings, counted on indexes) against ``k * k > 8 * wanted * articles``."""
    k = 0
    for kind, key in groups:
        members = _members(kind, key).subquery()
        k += int(conn.execute(sa.select(sa.func.count()).select_from(members)).scalar_one())
    if words:
        st = tables.speaker_terms
        postings = [
            int(conn.execute(sa.select(sa.func.count()).where(st.c.term == w)).scalar_one()) for w in words
        ]
        k += min(postings)
    articles = int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(a.c.seq), 0))).scalar_one())
    return k * k > 8 * wanted * articles


def _spoken_by(groups: list[tuple[str, str]], words: list[str]) -> Any:
    """A condition on ``attributions``: its source is a member of ``groups`` or holds ``words``."""
    conds: list[Any] = []
    for kind, key in groups:
        if kind == "corpus":
            link = lk.alias("speaker_link")
            conds.append(
                sa.exists().where(
                    link.c.article_id == at.c.article_id,
                    link.c.entity_id == at.c.source_entity,
                    link.c.corpus_id == key,
                )
            )
        else:
            type_, _, exact = key.partition(":")
            entity_ = en.alias("speaker_entity")
            linked = lk.alias("speaker_linked")
            conds.append(
                sa.exists().where(
                    entity_.c.article_id == at.c.article_id,
                    entity_.c.id == at.c.source_entity,
                    entity_.c.name == exact,
                    entity_.c.type == type_,
                    ~sa.exists().where(
                        linked.c.article_id == entity_.c.article_id,
                        linked.c.entity_id == entity_.c.id,
                        linked.c.corpus_id.is_not(None),
                    ),
                )
            )
    if words:
        st = tables.speaker_terms.alias("speaker_word")
        conds.append(
            sa.and_(
                *(
                    sa.exists().where(st.c.article_id == at.c.article_id, st.c.ref == at.c.id, st.c.term == w)
                    for w in words
                )
            )
        )
    return sa.or_(*conds)


def _speaker_docs(speaker: str) -> Any:
    """(article_id, attribution id) of attributions whose source text holds every word, or None."""
    words = sorted(set(search.speaker_terms(speaker)))
    if not words:
        return None
    st = tables.speaker_terms
    parts = [sa.select(st.c.article_id, st.c.ref).where(st.c.term == w) for w in words]
    return sa.intersect(*parts) if len(parts) > 1 else parts[0]


def _said_by(members: Any) -> Any:
    """(article_id, attribution id) of attributions whose source is one of ``members``, or None."""
    if members is None:
        return None
    said = at.alias("said")
    return sa.select(said.c.article_id, said.c.id).where(
        sa.tuple_(said.c.article_id, said.c.source_entity).in_(members)
    )


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


def entities(
    conn: Connection, *, type: str | None = None, limit: int = DEFAULT_LIMIT, offset: int = 0
) -> list[dict[str, Any]]:
    """Entities across articles, by the number of articles naming them.

    Linked entities group by their cross-article id; entities the linker left alone (or
    a store without links) group by type and exact name. With ``type``, the articles
    counted are those naming a member of that type. Read from the counts the writer
    keeps (``newsgraph.store.groups``): the top of the list is the top of an index.
    """
    facet, value = ("type_articles", type.upper()) if type else ("articles", "")
    query = (
        sa.select(ec.c.key, ec.c.n)
        .where(ec.c.facet == facet, ec.c.value == value)
        .order_by(ec.c.n.desc(), ec.c.key)
        .limit(limit)
        .offset(offset)
    )
    found = list(conn.execute(query))
    names = _corpus_names(conn, [r.key for r in found if ":" not in r.key])
    records = []
    for r in found:
        corpus_id = None if ":" in r.key else r.key
        if corpus_id is None:
            type_, _, name = r.key.partition(":")
        else:
            name, type_ = names.get(corpus_id) or _top_name(conn, corpus_id)
        records.append({"corpus_entity": corpus_id, "name": name, "type": type_, "articles": int(r.n)})
    return records


def _top_name(conn: Connection, key: str) -> tuple[str, str]:
    """The commonest name and type of a group (a cross-article id with no profile row)."""
    top: dict[str, str] = {}
    for facet in ("name", "type"):
        query = (
            sa.select(ec.c.value)
            .where(ec.c.key == key, ec.c.facet == facet)
            .order_by(ec.c.n.desc(), ec.c.value)
            .limit(1)
        )
        top[facet] = conn.execute(query).scalar() or key
    return top["name"], top["type"]


def _corpus_names(conn: Connection, ids: list[str]) -> dict[str, tuple[str, str]]:
    if not ids:
        return {}
    query = sa.select(ce.c.id, ce.c.name, ce.c.type).where(ce.c.id.in_(ids))
    return {r.id: (r.name, r.type) for r in conn.execute(query)}


def _group_keys(conn: Connection, name: str) -> list[str]:
    """The groups with an entity called ``name`` (its name or a mention's words, any case;
    else an alias), from the kept counts."""
    wanted = name.strip().lower()
    for facet in ("find", "alias"):
        query = sa.select(ec.c.key).where(ec.c.facet == facet, ec.c.value == wanted).order_by(ec.c.key)
        keys = [r.key for r in conn.execute(query)]
        if keys:
            return keys
    return []


def _members(kind: str, key: str) -> Any:
    """A query of ``(article_id, entity_id)``: the per-article entities of one group."""
    if kind == "corpus":
        return sa.select(lk.c.article_id, lk.c.entity_id).where(lk.c.corpus_id == key)
    type_, _, exact = key.partition(":")
    return (
        sa.select(en.c.article_id, en.c.id.label("entity_id"))
        .outerjoin(lk, sa.and_(lk.c.article_id == en.c.article_id, lk.c.entity_id == en.c.id))
        .where(en.c.name == exact, en.c.type == type_, lk.c.corpus_id.is_(None))
    )


def _keys(conn: Connection, name: str) -> list[tuple[str, str]]:
    """``(kind, key)`` of the groups called ``name``: kind ``corpus`` (a cross-article id) or
    ``name`` (``TYPE:name`` of entities left unlinked)."""
    return [("name" if ":" in key else "corpus", key) for key in _group_keys(conn, name)]


def _members_of(conn: Connection, name: str) -> Any:
    """The members of every group called ``name`` as one query, or None when there is none."""
    keys = _keys(conn, name)
    if not keys:
        return None
    parts = [_members(kind, key) for kind, key in keys]
    if len(parts) == 1:
        return parts[0]
    return sa.union_all(*(sa.select(*q.subquery().c) for q in parts))


def _entity_pairs(conn: Connection, name: str) -> Pairs:
    members = _members_of(conn, name)
    return set() if members is None else {(r[0], r[1]) for r in conn.execute(members)}


def entity(conn: Connection, name: str, *, why: bool = False, detail_limit: int = 20) -> list[dict[str, Any]]:
    """Every entity called ``name`` (name or a mention's words, any case), one record each,
    most articles first."""
    records = [_profile(conn, kind, key, why=why, limit=detail_limit) for kind, key in _keys(conn, name)]
    records.sort(key=lambda r: (-r["articles"], r["_key"]))
    for record in records:
        del record["_key"]
    return records


def _newest(conn: Connection, key: str, column: str, wanted: int) -> list[tuple[str, set[str]]]:
    """The group's articles with a ``column`` count, newest first, until they hold ``wanted``
    (read from the group's index): ``(article id, member entity ids)``."""
    count = ea.c[column]
    query = (
        sa.select(ea.c.article_id, ea.c.members, count)
        .where(ea.c.key == key, count > 0)
        .order_by(ea.c.seq.desc())
    )
    out: list[tuple[str, set[str]]] = []
    total = 0
    result = conn.execute(query)
    try:
        for article_id, members, n in result:
            out.append((article_id, set(json.loads(members))))
            total += n
            if total >= wanted:
                break
    finally:
        result.close()
    return out


def _in_order(rows: Iterable[Any], order: dict[str, int], limit: int) -> list[Any]:
    return sorted(rows, key=lambda r: (order[r.article_id], r.seq))[:limit]


def _profile(conn: Connection, kind: str, key: str, *, why: bool, limit: int) -> dict[str, Any]:
    """One group's profile: counts from ``entity_counts``, pages from ``entity_articles``."""
    facets: dict[str, list[tuple[str, int]]] = {}
    query = sa.select(ec.c.facet, ec.c.value, ec.c.n).where(
        ec.c.key == key, ec.c.facet.in_(("articles", "name", "type", "role", "outlet"))
    )
    for r in conn.execute(query):
        facets.setdefault(r.facet, []).append((r.value, int(r.n)))
    for values in facets.values():
        values.sort(key=lambda item: (-item[1], item[0]))
    names = facets.get("name", [])
    types = facets.get("type", [])
    dated = sa.select(ea.c.published).where(ea.c.key == key, ea.c.published > "")
    first = conn.execute(dated.order_by(ea.c.published).limit(1)).scalar()
    last = conn.execute(dated.order_by(ea.c.published.desc()).limit(1)).scalar()

    said_in = dict(_newest(conn, key, "said", limit))
    order = {article_id: n for n, article_id in enumerate(said_in)}
    said: list[Any] = []
    if said_in:
        ids = sorted({e for members in said_in.values() for e in members})
        query = (
            sa.select(at, a.c.title, a.c.outlet, a.c.published)
            .join(a, a.c.id == at.c.article_id)
            .where(at.c.article_id.in_(sorted(said_in)), at.c.source_entity.in_(ids))
        )
        said = _in_order(
            (r for r in conn.execute(query) if r.source_entity in said_in[r.article_id]), order, limit
        )

    about_in = dict(_newest(conn, key, "about", limit))
    said_about: list[Any] = []
    if about_in:
        order = {article_id: n for n, article_id in enumerate(about_in)}
        spans: dict[str, list[tuple[int, int]]] = {}
        mentions = sa.select(mn.c.article_id, mn.c.owner_id, mn.c.start, mn.c.end).where(
            mn.c.article_id.in_(sorted(about_in)),
            mn.c.owner == "entity",
            mn.c.owner_id.in_(sorted({e for members in about_in.values() for e in members})),
        )
        for r in conn.execute(mentions):
            if r.owner_id in about_in[r.article_id]:
                spans.setdefault(r.article_id, []).append((r.start, r.end))
        # The quotes' spans and speakers from the covering index, then the rows of the kept ones.
        narrow = sa.select(at.c.article_id, at.c.id, at.c.content_start, at.c.content_end, at.c.source_entity)
        kept = {
            (r.article_id, r.id)
            for r in conn.execute(narrow.where(at.c.article_id.in_(sorted(spans))))
            if r.source_entity not in about_in[r.article_id]
            and any(r.content_start <= s0 and e0 <= r.content_end for s0, e0 in spans[r.article_id])
        }
        if kept:
            query = (
                sa.select(at, a.c.title, a.c.outlet, a.c.published)
                .join(a, a.c.id == at.c.article_id)
                .where(
                    at.c.article_id.in_(sorted({i for i, _ in kept})),
                    at.c.id.in_(sorted({r for _, r in kept})),
                )
            )
            said_about = _in_order(
                (r for r in conn.execute(query) if (r.article_id, r.id) in kept), order, limit
            )

    events_in = dict(_newest(conn, key, "events", limit))
    event_rows: list[dict[str, Any]] = []
    if events_in:
        order = {article_id: n for n, article_id in enumerate(events_in)}
        ids = sorted({e for members in events_in.values() for e in members})
        query = (
            sa.select(ev, a.c.title, a.c.outlet, a.c.published)
            .join(a, a.c.id == ev.c.article_id)
            .where(
                ev.c.article_id.in_(sorted(events_in)),
                sa.or_(ev.c.actor_entity.in_(ids), ev.c.target_entity.in_(ids)),
            )
        )
        found = [
            r
            for r in conn.execute(query)
            if r.actor_entity in events_in[r.article_id] or r.target_entity in events_in[r.article_id]
        ]
        event_rows = [
            {**event_record(r), "as": "actor" if r.actor_entity in events_in[r.article_id] else "target"}
            for r in _in_order(found, order, limit)
        ]
    record: dict[str, Any] = {
        "corpus_entity": key if kind == "corpus" else None,
        "name": names[0][0] if names else key,
        "type": types[0][0] if types else None,
        "articles": facets["articles"][0][1] if facets.get("articles") else 0,
        "names": [{"name": n, "count": c} for n, c in names],
        "roles": [{"role": n, "count": c} for n, c in facets.get("role", [])[:limit]],
        "said": [quote_record(r) for r in said],
        "said_about": [quote_record(r) for r in said_about],
        "events": event_rows,
        "outlets": [o for o, _ in facets.get("outlet", [])[:limit]],
        "first_seen": first,
        "last_seen": last,
        "_key": key,
    }
    if kind == "name":  # every member has the key's exact name and type
        record["type"], _, record["name"] = key.partition(":")
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


def co_occurring(
    conn: Connection, key: str, names: Iterable[str], *, limit: int = 15, within: int = 300
) -> list[dict[str, Any]]:
    """Entity groups named in the ``within`` most recently added articles of group ``key``,
    most shared articles first; groups called by one of ``names`` (any case) are left out."""
    own = {n.lower() for n in names}
    latest = (
        sa.select(ea.c.article_id).where(ea.c.key == key).order_by(ea.c.seq.desc()).limit(within).subquery()
    )
    shared = sa.func.count().label("articles")
    query = (
        sa.select(ea.c.key, shared)
        .where(ea.c.article_id.in_(sa.select(latest.c.article_id)), ea.c.key != key)
        .group_by(ea.c.key)
        .order_by(shared.desc(), ea.c.key)
    )
    out: list[dict[str, Any]] = []
    result = conn.execute(query)
    try:
        batch = result.fetchmany(limit + len(own) + 1)
        while batch and len(out) < limit:
            corpus = _corpus_names(conn, [r.key for r in batch if ":" not in r.key])
            for r in batch:
                if ":" in r.key:
                    type_, _, name = r.key.partition(":")
                else:
                    name, type_ = corpus.get(r.key) or _top_name(conn, r.key)
                if name.lower() not in own:
                    out.append({"name": name, "type": type_, "articles": int(r.articles)})
            batch = result.fetchmany(limit + 1)
    finally:
        result.close()
    out.sort(key=lambda r: (-r["articles"], r["name"]))
    return out[:limit]


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
