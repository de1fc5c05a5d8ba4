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
from . import tables

__all__ = ["SqlLinkState"]

_E = tables.corpus_entities
_K = tables.corpus_entity_keys
_L = tables.entity_links
_G = tables.link_log
_C = tables.link_constraints


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class SqlLinkState:
    """``LinkState`` on an open connection; ``read_article`` rebuilds a stored article (for splits)."""

    def __init__(self, conn: Connection, read_article: Callable[[Connection, str], Article | None]) -> None:
        self.conn = conn
        self.read_article = read_article
        self._next: int | None = None

    def new_entity(self, name: str, type: str, profile: dict[str, Any]) -> str:
        if self._next is None:
            number = sa.cast(sa.func.substr(_E.c.id, 2), sa.Integer)
            self._next = int(self.conn.execute(sa.select(sa.func.max(number))).scalar() or 0) + 1
        corpus_id = f"C{self._next:06d}"
        self._next += 1
        stamp = _now()
        self.conn.execute(
            _E.insert().values(
                id=corpus_id,
                name=name,
                type=type,
                profile=json.dumps(profile, ensure_ascii=False, sort_keys=True),
                created_at=stamp,
                updated_at=stamp,
            )
        )
        return corpus_id

    def entity(self, corpus_id: str) -> dict[str, Any] | None:
        row = self.conn.execute(_E.select().where(_E.c.id == corpus_id)).mappings().first()
        if row is None:
            return None
        return dict(row) | {"profile": json.loads(row["profile"])}

    def update_entity(self, corpus_id: str, name: str, type: str, profile: dict[str, Any]) -> None:
        self.conn.execute(
            _E.update()
            .where(_E.c.id == corpus_id)
            .values(
                name=name,
                type=type,
                profile=json.dumps(profile, ensure_ascii=False, sort_keys=True),
                updated_at=_now(),
            )
        )

    def add_keys(self, corpus_id: str, keys: Iterable[str]) -> None:
        wanted = set(keys)
        if not wanted:
            return
        have = set(
            self.conn.execute(
                sa.select(_K.c.key).where(_K.c.corpus_id == corpus_id, _K.c.key.in_(sorted(wanted)))
            ).scalars()
        )
        new = sorted(wanted - have)
        if new:
            self.conn.execute(_K.insert(), [{"key": k, "corpus_id": corpus_id} for k in new])

    def replace_keys(self, corpus_id: str, keys: Iterable[str]) -> None:
        self.conn.execute(_K.delete().where(_K.c.corpus_id == corpus_id))
        self.add_keys(corpus_id, keys)

    def candidates(self, keys: Iterable[str]) -> list[str]:
        wanted = sorted(set(keys))
        if not wanted:
            return []
        query = sa.select(_K.c.corpus_id).where(_K.c.key.in_(wanted)).distinct().order_by(_K.c.corpus_id)
        return list(self.conn.execute(query).scalars())

    def set_link(
        self, article_id: str, entity_id: str, corpus_id: str | None, reason: str, score: float
    ) -> None:
        self.conn.execute(_L.delete().where(_L.c.article_id == article_id, _L.c.entity_id == entity_id))
        self.conn.execute(
            _L.insert().values(
                article_id=article_id, entity_id=entity_id, corpus_id=corpus_id, reason=reason, score=score
            )
        )

    def links(self, *, article_id: str | None = None, corpus_id: str | None = None) -> list[dict[str, Any]]:
        query = _L.select().order_by(_L.c.article_id, _L.c.entity_id)
        if article_id is not None:
            query = query.where(_L.c.article_id == article_id)
        if corpus_id is not None:
            query = query.where(_L.c.corpus_id == corpus_id)
        return [dict(r) for r in self.conn.execute(query).mappings()]

    def delete_links(self, article_id: str) -> None:
        self.conn.execute(_L.delete().where(_L.c.article_id == article_id))

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
        self.conn.execute(
            _G.insert().values(
                at=_now(),
                action=action,
                corpus_id=corpus_id,
                other_id=other_id,
                article_id=article_id,
                entity_id=entity_id,
                reason=reason,
            )
        )

    def log_rows(self, corpus_id: str) -> list[dict[str, Any]]:
        query = (
            _G.select()
            .where(sa.or_(_G.c.corpus_id == corpus_id, _G.c.other_id == corpus_id))
            .order_by(_G.c.id)
        )
        return [dict(r) for r in self.conn.execute(query).mappings()]

    def add_constraint(self, a: str, b: str, kind: str, reason: str) -> None:
        self.conn.execute(_C.insert().values(a=a, b=b, kind=kind, reason=reason, created_at=_now()))

    def constraints(self, ids: Iterable[str]) -> list[dict[str, Any]]:
        wanted = sorted(set(ids))
        if not wanted:
            return []
        query = _C.select().where(sa.or_(_C.c.a.in_(wanted), _C.c.b.in_(wanted)))
        return [dict(r) for r in self.conn.execute(query).mappings()]

    def article(self, article_id: str) -> Article | None:
        return self.read_article(self.conn, article_id)
