"""The SQL form of the linker's state (``LinkState``) on the store's linking tables.

Tables (created by the store's migrations; LINKING-CONTRACT.md): ``corpus_entities``,
``corpus_entity_keys``, ``entity_links``, ``link_log`` and ``link_constraints``. Every
method runs on the connection it is given, inside the writer's transaction, so an
article's links commit with its rows or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..model import Article
from . import groups, raw, tables

__all__ = ["SqlLinkState"]

_E = tables.corpus_entities
_K = tables.corpus_entity_keys
_L = tables.entity_links
_G = tables.link_log
_C = tables.link_constraints


_UPDATE_ENTITY = (
    "UPDATE corpus_entities SET name = :name, type = :type, profile = :profile, "
    "updated_at = :updated_at WHERE id = :id"
)


def _marks(values: list[str]) -> str:
    """``:v0, :v1, ...`` for the values of an ``IN`` list (``_params`` gives their values)."""
    return ", ".join(f":v{n}" for n in range(len(values)))


def _params(values: list[str]) -> dict[str, str]:
    return {f"v{n}": v for n, v in enumerate(values)}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class SqlLinkState:
    """``LinkState`` on an open connection; ``read_article`` rebuilds a stored article (for splits).

    Writes are buffered and sent in a few statements by ``flush`` (the linker calls it at
    the end of each article; reads of the buffered tables flush first), since a statement
    per decision cost more than the analysis itself on SQLite.
    """

    def __init__(self, conn: Connection, read_article: Callable[[Connection, str], Article | None]) -> None:
        self.conn = conn
        self.read_article = read_article
        self._next: int | None = None
        self._records: dict[str, dict[str, Any]] = {}
        self._new: set[str] = set()
        self._dirty: set[str] = set()
        self._keys: dict[str, set[str]] = {}  # key -> corpus ids, added but not yet written
        self._known: dict[str, set[str]] = {}  # key -> every corpus id under it (read or added)
        self._links: dict[tuple[str, str], dict[str, Any]] = {}
        self._log: list[dict[str, Any]] = []
        self._constrained: bool | None = None  # whether link_constraints holds any row

    # --- buffered writes ----------------------------------------------------------------

    def flush(self) -> None:
        """Write what is buffered: new and changed entities, keys, links and log rows.

        On the driver's cursor (``raw``): the same statements through SQLAlchemy cost more
        to build and compile than to run, several per article.
        """
        conn = self.conn
        if self._new:
            raw.insert(conn, _E, [self._row(i) for i in sorted(self._new)])
        changed = [self._row(i) for i in sorted(self._dirty - self._new)]
        if changed:
            raw.execute(conn, _UPDATE_ENTITY, changed)
        self._new.clear()
        self._dirty.clear()
        if self._keys:
            pairs = {(k, c) for k, ids in self._keys.items() for c in ids}
            keys = sorted({k for k, _ in pairs})
            have: set[tuple[str, str]] = set()
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                query = f"SELECT key, corpus_id FROM corpus_entity_keys WHERE key IN ({_marks(chunk)})"
                have |= {(k, c) for k, c in raw.rows(conn, query, _params(chunk))}
            new = sorted(pairs - have)
            raw.insert(conn, _K, [{"key": k, "corpus_id": c} for k, c in new])
            self._keys.clear()
        if self._links:
            by_article: dict[str, list[str]] = {}
            for article_id, entity_id in self._links:
                by_article.setdefault(article_id, []).append(entity_id)
            for article_id, entity_ids in by_article.items():
                marks = _marks(entity_ids)
                delete = f"DELETE FROM entity_links WHERE article_id = :a AND entity_id IN ({marks})"
                raw.execute(conn, delete, {"a": article_id, **_params(entity_ids)})
            raw.insert(conn, _L, list(self._links.values()))
            self._links.clear()
            groups.touch(conn, by_article)
        if self._log:
            raw.insert(conn, _G, self._log)
            self._log = []

    def _row(self, corpus_id: str) -> dict[str, Any]:
        record = self._records[corpus_id]
        return {
            "id": corpus_id,
            "name": record["name"],
            "type": record["type"],
            "profile": json.dumps(record["profile"], ensure_ascii=False, sort_keys=True),
            "created_at": record.get("created_at"),
            "updated_at": record.get("updated_at"),
        }

    # --- entities and keys --------------------------------------------------------------

    def new_entity(self, name: str, type: str, profile: dict[str, Any]) -> str:
        if self._next is None:
            number = sa.cast(sa.func.substr(_E.c.id, 2), sa.Integer)
            self._next = int(self.conn.execute(sa.select(sa.func.max(number))).scalar() or 0) + 1
        corpus_id = f"C{self._next:06d}"
        self._next += 1
        stamp = _now()
        self._records[corpus_id] = {
            "id": corpus_id,
            "name": name,
            "type": type,
            "profile": profile,
            "created_at": stamp,
            "updated_at": stamp,
        }
        self._new.add(corpus_id)
        return corpus_id

    def entity(self, corpus_id: str) -> dict[str, Any] | None:
        record = self._records.get(corpus_id)
        if record is None:
            row = self.conn.execute(_E.select().where(_E.c.id == corpus_id)).mappings().first()
            if row is None:
                return None
            record = dict(row) | {"profile": json.loads(row["profile"])}
            self._records[corpus_id] = record
        return record

    def update_entity(self, corpus_id: str, name: str, type: str, profile: dict[str, Any]) -> None:
        if self.entity(corpus_id) is None:
            return
        self._records[corpus_id].update(name=name, type=type, profile=profile, updated_at=_now())
        self._dirty.add(corpus_id)

    def add_keys(self, corpus_id: str, keys: Iterable[str]) -> None:
        for key in keys:
            self._keys.setdefault(key, set()).add(corpus_id)
            if key in self._known:
                self._known[key].add(corpus_id)

    def prefetch(self, keys: Iterable[str]) -> None:
        """Read the entities under ``keys`` in one go (the linker asks for them next)."""
        wanted = sorted(set(keys) - set(self._known))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            for key in chunk:
                self._known[key] = set(self._keys.get(key, set()))
            query = (
                "SELECT k.key, e.id, e.name, e.type, e.created_at, e.updated_at, e.profile "
                "FROM corpus_entity_keys k JOIN corpus_entities e ON e.id = k.corpus_id "
                f"WHERE k.key IN ({_marks(chunk)})"
            )
            for key, *row in raw.rows(self.conn, query, _params(chunk)):
                corpus_id = row[0]
                self._known[key].add(corpus_id)
                if corpus_id not in self._records:
                    record = dict(zip(("id", "name", "type", "created_at", "updated_at"), row, strict=False))
                    self._records[corpus_id] = record | {"profile": json.loads(row[5])}

    def replace_keys(self, corpus_id: str, keys: Iterable[str]) -> None:
        self.flush()
        self.conn.execute(_K.delete().where(_K.c.corpus_id == corpus_id))
        self._known.clear()
        self.add_keys(corpus_id, keys)

    def candidates(self, keys: Iterable[str]) -> list[str]:
        wanted = sorted(set(keys))
        if not wanted:
            return []
        missing = [k for k in wanted if k not in self._known]
        if missing:
            self.prefetch(missing)
        found: set[str] = set()
        for key in wanted:
            found |= self._known[key]
            found |= self._keys.get(key, set())
        return sorted(found)

    # --- links, log, constraints ----------------------------------------------------------

    def set_link(
        self, article_id: str, entity_id: str, corpus_id: str | None, reason: str, score: float
    ) -> None:
        self._links[(article_id, entity_id)] = {
            "article_id": article_id,
            "entity_id": entity_id,
            "corpus_id": corpus_id,
            "reason": reason,
            "score": score,
        }

    def links(self, *, article_id: str | None = None, corpus_id: str | None = None) -> list[dict[str, Any]]:
        self.flush()
        if article_id is not None and corpus_id is None:  # every article added: the driver's cursor
            text = (
                "SELECT article_id, entity_id, corpus_id, reason, score FROM entity_links "
                "WHERE article_id = :a ORDER BY article_id, entity_id"
            )
            names = ("article_id", "entity_id", "corpus_id", "reason", "score")
            return [dict(zip(names, r, strict=True)) for r in raw.rows(self.conn, text, {"a": article_id})]
        query = _L.select().order_by(_L.c.article_id, _L.c.entity_id)
        if article_id is not None:
            query = query.where(_L.c.article_id == article_id)
        if corpus_id is not None:
            query = query.where(_L.c.corpus_id == corpus_id)
        return [dict(r) for r in self.conn.execute(query).mappings()]

    def delete_links(self, article_id: str) -> None:
        self.flush()
        self.conn.execute(_L.delete().where(_L.c.article_id == article_id))
        groups.touch(self.conn, [article_id])

    def log(
        self,
        action: str,
        corpus_id: str | None,
        reason: str,
        *,
        other_id: str | None = None,
        article_id: str | None = None,
        entity_id: str | None = None,
    ) -> None:
        self._log.append(
            {
                "at": _now(),
                "action": action,
                "corpus_id": corpus_id,
                "other_id": other_id,
                "article_id": article_id,
                "entity_id": entity_id,
                "reason": reason,
            }
        )

    def log_rows(self, corpus_id: str) -> list[dict[str, Any]]:
        self.flush()
        where = sa.or_(_G.c.corpus_id == corpus_id, _G.c.other_id == corpus_id)
        return [dict(r) for r in self.conn.execute(_G.select().where(where).order_by(_G.c.id)).mappings()]

    def add_constraint(self, a: str, b: str, kind: str, reason: str) -> None:
        self.conn.execute(_C.insert().values(a=a, b=b, kind=kind, reason=reason, created_at=_now()))
        self._constrained = True

    def constraints(self, ids: Iterable[str]) -> list[dict[str, Any]]:
        wanted = sorted(set(ids))
        if not wanted:
            return []
        if self._constrained is None:  # most stores hold none: asked once per transaction
            self._constrained = bool(raw.rows(self.conn, "SELECT 1 FROM link_constraints LIMIT 1"))
        if not self._constrained:
            return []
        query = _C.select().where(sa.or_(_C.c.a.in_(wanted), _C.c.b.in_(wanted)))
        return [dict(r) for r in self.conn.execute(query).mappings()]

    def article(self, article_id: str) -> Article | None:
        self.flush()
        return self.read_article(self.conn, article_id)
