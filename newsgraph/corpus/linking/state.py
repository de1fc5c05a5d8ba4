"""Where the linker keeps what it knows: the ``LinkState`` protocol and its in-memory form.

The protocol speaks plain strings and dicts (and the model's ``Article``) so that the
store layer, which may not import ``corpus``, can implement it on its tables
(``newsgraph/store/linking.py``): ``corpus_entities``, ``corpus_entity_keys``,
``entity_links``, ``link_log`` and ``link_constraints`` (docs/linking.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Protocol

from ...model import Article

__all__ = ["LinkState", "MemoryLinkState"]

#: The actions of ``link_log``.
ACTIONS = ("create", "link", "merge", "split", "unlink")


class LinkState(Protocol):
    """The cross-article entities, their blocking keys, the links, the log and the constraints.

    An entity record is ``{"id", "name", "type", "profile": dict}``; a link record is
    ``{"article_id", "entity_id", "corpus_id" (or None), "reason", "score"}``. Records are
    not copied: a caller changes a profile only to pass it to ``update_entity``.
    """

    def new_entity(self, name: str, type: str, profile: dict[str, Any]) -> str:
        """Create a cross-article entity and return its new, never reused id (``C000001``)."""
        ...

    def entity(self, corpus_id: str) -> dict[str, Any] | None:
        """The entity record, or None."""
        ...

    def update_entity(self, corpus_id: str, name: str, type: str, profile: dict[str, Any]) -> None: ...

    def add_keys(self, corpus_id: str, keys: Iterable[str]) -> None:
        """Index ``corpus_id`` under blocking ``keys`` (existing pairs are kept once)."""
        ...

    def replace_keys(self, corpus_id: str, keys: Iterable[str]) -> None:
        """Index ``corpus_id`` under exactly ``keys`` (after a split)."""
        ...

    def candidates(self, keys: Iterable[str]) -> list[str]:
        """Ids of the entities indexed under any of ``keys``, in id order."""
        ...

    def set_link(
        self, article_id: str, entity_id: str, corpus_id: str | None, reason: str, score: float
    ) -> None:
        """Record (or replace) where one per-article entity went, with the reason."""
        ...

    def links(self, *, article_id: str | None = None, corpus_id: str | None = None) -> list[dict[str, Any]]:
        """Link records of an article, or of a cross-article entity, in (article, entity) order."""
        ...

    def delete_links(self, article_id: str) -> None:
        """Forget the links of an article (before it is linked again)."""
        ...

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
        """Append a row to the link log (``action`` is one of ACTIONS)."""
        ...

    def log_rows(self, corpus_id: str) -> list[dict[str, Any]]:
        """Log rows about ``corpus_id`` (as ``corpus_id`` or ``other_id``), oldest first."""
        ...

    def add_constraint(self, a: str, b: str, kind: str, reason: str) -> None: ...

    def constraints(self, ids: Iterable[str]) -> list[dict[str, Any]]:
        """Constraints with ``a`` or ``b`` among ``ids``: ``{"a", "b", "kind", "reason"}``."""
        ...

    def article(self, article_id: str) -> Article | None:
        """The analysed article, rebuilt (needed to split an entity); None when unknown."""
        ...

    def flush(self) -> None:
        """Write whatever is buffered (called at the end of each article and split)."""
        ...


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class MemoryLinkState:
    """``LinkState`` in dictionaries: for evaluation, tests and one-off runs."""

    def __init__(self) -> None:
        self.entities: dict[str, dict[str, Any]] = {}
        self.keys: dict[str, set[str]] = {}
        self.entity_keys: dict[str, set[str]] = {}
        self.link_rows: dict[tuple[str, str], dict[str, Any]] = {}
        self.log_table: list[dict[str, Any]] = []
        self.constraint_rows: list[dict[str, Any]] = []
        self.articles: dict[str, Article] = {}
        self._next = 1

    def remember(self, article_id: str, article: Article) -> None:
        """Keep the article so that a later split can read its entities."""
        self.articles[article_id] = article

    def new_entity(self, name: str, type: str, profile: dict[str, Any]) -> str:
        corpus_id = f"C{self._next:06d}"
        self._next += 1
        stamp = now()
        self.entities[corpus_id] = {
            "id": corpus_id,
            "name": name,
            "type": type,
            "profile": profile,
            "created_at": stamp,
            "updated_at": stamp,
        }
        return corpus_id

    def entity(self, corpus_id: str) -> dict[str, Any] | None:
        return self.entities.get(corpus_id)

    def update_entity(self, corpus_id: str, name: str, type: str, profile: dict[str, Any]) -> None:
        row = self.entities[corpus_id]
        row.update(name=name, type=type, profile=profile, updated_at=now())

    def add_keys(self, corpus_id: str, keys: Iterable[str]) -> None:
        for key in keys:
            self.keys.setdefault(key, set()).add(corpus_id)
            self.entity_keys.setdefault(corpus_id, set()).add(key)

    def replace_keys(self, corpus_id: str, keys: Iterable[str]) -> None:
        for key in self.entity_keys.pop(corpus_id, set()):
            self.keys[key].discard(corpus_id)
        self.add_keys(corpus_id, keys)

    def candidates(self, keys: Iterable[str]) -> list[str]:
        found: set[str] = set()
        for key in keys:
            found |= self.keys.get(key, set())
        return sorted(found)

    def set_link(
        self, article_id: str, entity_id: str, corpus_id: str | None, reason: str, score: float
    ) -> None:
        self.link_rows[(article_id, entity_id)] = {
            "article_id": article_id,
            "entity_id": entity_id,
            "corpus_id": corpus_id,
            "reason": reason,
            "score": score,
        }

    def links(self, *, article_id: str | None = None, corpus_id: str | None = None) -> list[dict[str, Any]]:
        rows = [
            dict(row)
            for row in self.link_rows.values()
            if (article_id is None or row["article_id"] == article_id)
            and (corpus_id is None or row["corpus_id"] == corpus_id)
        ]
        return sorted(rows, key=lambda r: (r["article_id"], r["entity_id"]))

    def delete_links(self, article_id: str) -> None:
        for key in [k for k in self.link_rows if k[0] == article_id]:
            del self.link_rows[key]

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
        self.log_table.append(
            {
                "id": len(self.log_table) + 1,
                "at": now(),
                "action": action,
                "corpus_id": corpus_id,
                "other_id": other_id,
                "article_id": article_id,
                "entity_id": entity_id,
                "reason": reason,
            }
        )

    def log_rows(self, corpus_id: str) -> list[dict[str, Any]]:
        return [dict(r) for r in self.log_table if corpus_id in (r["corpus_id"], r["other_id"])]

    def add_constraint(self, a: str, b: str, kind: str, reason: str) -> None:
        self.constraint_rows.append({"a": a, "b": b, "kind": kind, "reason": reason, "created_at": now()})

    def constraints(self, ids: Iterable[str]) -> list[dict[str, Any]]:
        wanted = set(ids)
        return [dict(r) for r in self.constraint_rows if r["a"] in wanted or r["b"] in wanted]

    def article(self, article_id: str) -> Article | None:
        return self.articles.get(article_id)

    def flush(self) -> None:
        """Nothing is buffered in memory."""
