"""Per-entity counts kept by the writer: what ``entities`` and ``entity NAME`` read.

An entity *group* is what the queries call one entity across articles: the per-article
entities linked to one cross-article id (key ``C000123``), or, when the linker left them
alone (or the store has no links), the entities of one type and exact name (key
``PERSON:John Smith``). Two tables hold each group's figures:

- ``entity_articles``: one row per group and article naming it: the article's ``seq``
  and ``published``, the member entity ids, how many quotes the members said (``said``),
  quotes by others holding a mention of them (``about``), events with a member as actor
  or target (``events``), and this article's share of the counts below (``facets``,
  JSON) so that it can be taken back exactly.
- ``entity_counts``: ``(key, facet, value) -> n`` summed over the group's articles:
  ``articles`` (value ``""``), ``type`` and ``type_articles`` (per entity type: member
  entities, articles), ``name`` (names and aliases, per member), ``role``, ``outlet``
  (articles), ``find`` (the lower-case name and mention texts the look-up matches) and
  ``alias`` (lower-case aliases, the look-up of last resort).

The invariant: every article's rows are what :func:`contributions` computes from its
current entities, links, mentions, quotes and events, and the counts are their sum.
:func:`refresh` restores it for some articles; the writer calls :func:`touch` whenever an article's rows
or links change (``Store.write_article``, ``Store.delete_article``, ``SqlLinkState.flush``
and ``delete_links``), which inside ``Store.begin()`` collects the articles and refreshes
them once before the transaction commits (:func:`settle`). :func:`rebuild` restores it
for the whole store (migration 0004, or after rows were written by hand).
"""

from __future__ import annotations

import json
import weakref
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..model import Article
from . import tables

__all__ = ["ArticleFacts", "contributions", "defer", "facts_of", "rebuild", "refresh", "settle", "touch"]

_A = tables.articles
_EA = tables.entity_articles
_EC = tables.entity_counts

#: Keys of ``entity_counts`` facets that hold one value per group.
WHOLE = ""


@dataclass
class _Entity:
    id: str
    name: str
    type: str
    aliases: list[str]
    roles: list[str]
    mentions: list[tuple[int, int, str]]


@dataclass
class ArticleFacts:
    """What the counts need of one article (from an ``Article`` or from its rows)."""

    seq: int
    published: str | None
    outlet: str | None
    entities: list[_Entity] = field(default_factory=list)
    #: (id, source entity, content start, content end)
    quotes: list[tuple[str, str | None, int, int]] = field(default_factory=list)
    #: (actor entity, target entity)
    events: list[tuple[str | None, str | None]] = field(default_factory=list)


def facts_of(article: Article, seq: int) -> ArticleFacts:
    """The facts of an ``Article`` in memory (as the writer has it)."""
    meta = article.metadata
    return ArticleFacts(
        seq=seq,
        published=meta.published,
        outlet=meta.outlet,
        entities=[
            _Entity(
                e.id,
                e.name,
                e.type,
                list(e.aliases),
                [r.text for r in e.roles],
                [(m.start, m.end, m.text) for m in e.mentions],
            )
            for e in article.entities
        ],
        quotes=[(q.id, q.source.entity, q.content.start, q.content.end) for q in article.attributions],
        events=[
            (ev.actor.entity if ev.actor else None, ev.target.entity if ev.target else None)
            for ev in article.events
        ],
    )


def group_key(entity_type: str, name: str, corpus_id: str | None) -> str:
    """The group of a per-article entity: its cross-article id, else type and exact name."""
    return corpus_id if corpus_id else f"{entity_type}:{name}"


def contributions(facts: ArticleFacts, links: Mapping[str, str | None]) -> dict[str, dict[str, Any]]:
    """Per group key: the ``entity_articles`` columns of this article (``facets`` a Counter)."""
    members: dict[str, list[_Entity]] = {}
    for e in facts.entities:
        members.setdefault(group_key(e.type, e.name, links.get(e.id)), []).append(e)
    out: dict[str, dict[str, Any]] = {}
    for key, group in members.items():
        ids = {e.id for e in group}
        facets: Counter[tuple[str, str]] = Counter()
        facets[("articles", WHOLE)] = 1
        if facts.outlet:
            facets[("outlet", facts.outlet)] = 1
        found: set[str] = set()
        aliases: set[str] = set()
        for e in group:
            facets[("type", e.type)] += 1
            facets[("type_articles", e.type)] = 1
            facets[("name", e.name)] += 1
            for alias in e.aliases:
                if alias != e.name:
                    facets[("name", alias)] += 1
                aliases.add(alias.lower())
            for role in e.roles:
                facets[("role", role)] += 1
            found.add(e.name.lower())
            found.update(text.lower() for _s, _e, text in e.mentions)
        for value in found:
            facets[("find", value)] = 1
        for value in aliases:
            facets[("alias", value)] = 1
        spans = [(s, e_) for e in group for s, e_, _t in e.mentions]
        said = sum(1 for _id, source, _s, _e in facts.quotes if source in ids)
        about = sum(
            1
            for _id, source, start, end in facts.quotes
            if source not in ids and any(start <= s0 and e0 <= end for s0, e0 in spans)
        )
        events = sum(1 for actor, target in facts.events if actor in ids or target in ids)
        out[key] = {
            "members": sorted(ids),
            "said": said,
            "about": about,
            "events": events,
            "facets": facets,
        }
    return out


def _load_facts(conn: Connection, ids: list[str]) -> dict[str, ArticleFacts]:
    """The facts of stored articles (missing ids are left out)."""
    out: dict[str, ArticleFacts] = {}
    for r in conn.execute(sa.select(_A.c.id, _A.c.seq, _A.c.published, _A.c.outlet).where(_A.c.id.in_(ids))):
        out[r.id] = ArticleFacts(seq=r.seq, published=r.published, outlet=r.outlet)
    if not out:
        return out
    present = sorted(out)
    en, mn, at, ev = tables.entities, tables.mentions, tables.attributions, tables.events
    entities: dict[tuple[str, str], _Entity] = {}
    query = (
        sa.select(en.c.article_id, en.c.id, en.c.name, en.c.type, en.c.aliases, en.c.roles)
        .where(en.c.article_id.in_(present))
        .order_by(en.c.article_id, en.c.seq)
    )
    for r in conn.execute(query):
        entity = _Entity(
            r.id, r.name, r.type, json.loads(r.aliases), [x["text"] for x in json.loads(r.roles)], []
        )
        entities[(r.article_id, r.id)] = entity
        out[r.article_id].entities.append(entity)
    query = (
        sa.select(mn.c.article_id, mn.c.owner_id, mn.c.start, mn.c.end, mn.c.text)
        .where(mn.c.article_id.in_(present), mn.c.owner == "entity")
        .order_by(mn.c.article_id, mn.c.owner_id, mn.c.seq)
    )
    for r in conn.execute(query):
        owner = entities.get((r.article_id, r.owner_id))
        if owner is not None:
            owner.mentions.append((r.start, r.end, r.text))
    query = sa.select(
        at.c.article_id, at.c.id, at.c.source_entity, at.c.content_start, at.c.content_end
    ).where(at.c.article_id.in_(present))
    for r in conn.execute(query):
        out[r.article_id].quotes.append((r.id, r.source_entity, r.content_start, r.content_end))
    query = sa.select(ev.c.article_id, ev.c.actor_entity, ev.c.target_entity).where(
        ev.c.article_id.in_(present)
    )
    for r in conn.execute(query):
        out[r.article_id].events.append((r.actor_entity, r.target_entity))
    return out


def _links(conn: Connection, ids: list[str]) -> dict[str, dict[str, str | None]]:
    lk = tables.entity_links
    out: dict[str, dict[str, str | None]] = {}
    query = sa.select(lk.c.article_id, lk.c.entity_id, lk.c.corpus_id).where(lk.c.article_id.in_(ids))
    for r in conn.execute(query):
        out.setdefault(r.article_id, {})[r.entity_id] = r.corpus_id
    return out


_UPSERT = sa.text(
    "INSERT INTO entity_counts (key, facet, value, n) VALUES (:key, :facet, :value, :n) "
    "ON CONFLICT (key, facet, value) DO UPDATE SET n = entity_counts.n + excluded.n"
)
_DROP = sa.text("DELETE FROM entity_counts WHERE key = :key AND facet = :facet AND value = :value AND n <= 0")

_CHUNK = 400


#: Connections inside ``Store.begin()``: their articles are refreshed once, at the end of
#: the transaction (``settle``), instead of at every change (an add writes an article,
#: then its links; a batch adds many articles whose groups overlap).
_PENDING: weakref.WeakKeyDictionary[Connection, dict[str, Article | None]] = weakref.WeakKeyDictionary()


def defer(conn: Connection) -> None:
    """Collect the changed articles of this transaction until ``settle``."""
    _PENDING[conn] = {}


def settle(conn: Connection) -> None:
    """Refresh the articles changed in this transaction (call before it commits)."""
    pending = _PENDING.pop(conn, None)
    if pending:
        refresh(conn, pending, {k: v for k, v in pending.items() if v is not None})


def discard(conn: Connection) -> None:
    """Forget what was collected (the transaction is rolled back)."""
    _PENDING.pop(conn, None)


def touch(conn: Connection, article_ids: Iterable[str], known: Mapping[str, Article] | None = None) -> None:
    """Articles whose rows or links changed: refreshed now, or at ``settle`` when deferred.

    ``known``: the articles as just written (a write passes the article, a change of links
    passes what it has in memory, a delete nothing).
    """
    pending = _PENDING.get(conn)
    if pending is None:
        refresh(conn, article_ids, known)
        return
    for article_id in article_ids:
        if known is not None and article_id in known:
            pending[article_id] = known[article_id]
        else:
            pending.setdefault(article_id, None)


def forget(conn: Connection, article_id: str) -> None:
    """An article deleted: what was known of it in memory no longer holds."""
    pending = _PENDING.get(conn)
    if pending is None:
        refresh(conn, [article_id])
    else:
        pending[article_id] = None


def refresh(conn: Connection, article_ids: Iterable[str], known: Mapping[str, Article] | None = None) -> None:
    """Make the rows and counts of these articles what their current state gives.

    ``known``: articles the caller has in memory (their rows as written), read from the
    store otherwise; links are always read from the store.
    """
    ids = sorted(set(article_ids))
    for start in range(0, len(ids), _CHUNK):
        _refresh(conn, ids[start : start + _CHUNK], known or {})


def _refresh(conn: Connection, ids: list[str], known: Mapping[str, Article]) -> None:
    delta: Counter[tuple[str, str, str]] = Counter()
    old = sa.select(_EA.c.key, _EA.c.facets).where(_EA.c.article_id.in_(ids))
    for r in conn.execute(old):
        for facet, value, n in decode_facets(r.facets):
            delta[(r.key, facet, value)] -= n
    conn.execute(_EA.delete().where(_EA.c.article_id.in_(ids)))
    facts: dict[str, ArticleFacts] = {}
    in_memory = [i for i in ids if i in known]
    if in_memory:
        seqs = sa.select(_A.c.id, _A.c.seq).where(_A.c.id.in_(in_memory))
        facts.update({r.id: facts_of(known[r.id], r.seq) for r in conn.execute(seqs)})
    rest = [i for i in ids if i not in known]
    if rest:
        facts.update(_load_facts(conn, rest))
    links = _links(conn, sorted(facts)) if facts else {}
    rows = []
    for article_id, f in facts.items():
        for key, c in contributions(f, links.get(article_id, {})).items():
            facets: Counter[tuple[str, str]] = c["facets"]
            for (facet, value), n in facets.items():
                delta[(key, facet, value)] += n
            rows.append(
                {
                    "key": key,
                    "article_id": article_id,
                    "seq": f.seq,
                    "published": f.published,
                    "members": json.dumps(c["members"]),
                    "said": c["said"],
                    "about": c["about"],
                    "events": c["events"],
                    "facets": encode_facets(facets),
                }
            )
    if rows:
        conn.execute(_EA.insert(), rows)
    _apply(conn, delta)


def encode_facets(facets: Mapping[tuple[str, str], int]) -> str:
    """An article's share of a group's counts as ``entity_articles.facets`` keeps it: compact
    JSON ``{facet: {value: n}}`` without what every share implies (``articles`` 1, and
    ``type_articles`` 1 for each of its types), about two thirds of the triples' size."""
    out: dict[str, dict[str, int]] = {}
    for (facet, value), n in sorted(facets.items()):
        if facet not in _IMPLIED:
            out.setdefault(facet, {})[value] = n
    return json.dumps(out, ensure_ascii=False, separators=(",", ":"))


def decode_facets(text: str) -> list[tuple[str, str, int]]:
    """``(facet, value, n)`` of a kept share: ``encode_facets``'s JSON, or the list of
    triples that stores written before it keep."""
    data = json.loads(text)
    if isinstance(data, list):
        return [(facet, value, n) for facet, value, n in data]
    out = [(facet, value, n) for facet, values in data.items() for value, n in values.items()]
    out.append(("articles", WHOLE, 1))
    out.extend(("type_articles", value, 1) for value in data.get("type", {}))
    return out


#: Facets every share holds in the same way, left out of the kept JSON.
_IMPLIED = ("articles", "type_articles")


def _apply(conn: Connection, delta: Counter[tuple[str, str, str]]) -> None:
    changed: list[dict[str, Any]] = [
        {"key": k, "facet": f, "value": v, "n": n} for (k, f, v), n in sorted(delta.items()) if n
    ]
    if not changed:
        return
    conn.execute(_UPSERT, changed)
    dropped = [row for row in changed if row["n"] < 0]
    if dropped:
        conn.execute(_DROP, [{k: row[k] for k in ("key", "facet", "value")} for row in dropped])


def rebuild(conn: Connection) -> None:
    """Recompute every article's rows and every count (after rows were written by other means)."""
    conn.execute(_EA.delete())
    conn.execute(_EC.delete())
    ids = [r.id for r in conn.execute(sa.select(_A.c.id).order_by(_A.c.seq))]
    for start in range(0, len(ids), _CHUNK):
        _refresh(conn, ids[start : start + _CHUNK], {})
