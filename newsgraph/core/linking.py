"""Cross-article linking from the facade: in memory, over a store, and repairing a wrong merge.

``newsgraph add`` links as it stores (``Corpus._link`` in ``newsgraph.core.corpus``);
``link_in_memory`` runs the same ``Linker`` without a store (tests, quick checks);
``split_entity`` is ``newsgraph entity-split``.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from typing import Any

from ..corpus.linking import Linker, MemoryLinkState
from ..model import Article

__all__ = ["link_in_memory", "link_stored", "split_entity", "stored_links"]


def link_in_memory(items: Iterable[tuple[str, Article]]) -> dict[tuple[str, str], str | None]:
    """Link the articles in order; (article id, entity id) -> cross-article id or None."""
    linker = Linker(MemoryLinkState())
    out: dict[tuple[str, str], str | None] = {}
    for article_id, article in items:
        for entity_id, corpus_id in linker.link_article(article_id, article).items():
            out[(article_id, entity_id)] = corpus_id
    return out


#: One linking state per open transaction: what it has read stays valid until the
#: transaction ends (the writer is the only one writing), and dies with it on a rollback.
#: A state holds its connection, so weak keys alone never let it go: states of closed
#: connections are dropped on the next call (else every transaction of a run stayed in memory).
_STATES: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def link_stored(store: Any, conn: Any, article_id: str, article: Article) -> dict[str, str | None]:
    """Link one article being stored, on the writer's connection (inside its transaction)."""
    from ..store.linking import SqlLinkState

    state = _STATES.get(conn)
    if state is None:
        for done in [c for c in _STATES if c.closed]:
            del _STATES[done]
        state = _STATES[conn] = SqlLinkState(conn, store.read_article)
    return Linker(state).link_article(article_id, article)


def stored_links(store: Any) -> list[tuple[str, Article, dict[str, str | None]]]:
    """Every stored article (id, article) with where each of its entities went."""
    from ..store import tables

    out = []
    with store.read() as conn:
        by_article: dict[str, dict[str, str | None]] = {}
        for row in conn.execute(tables.entity_links.select()).mappings():
            by_article.setdefault(row["article_id"], {})[row["entity_id"]] = row["corpus_id"]
        for article_id in store.article_ids(conn):
            article = store.read_article(conn, article_id)
            if article is not None:
                out.append((article_id, article, by_article.get(article_id, {})))
    return out


def split_entity(
    db: str | None,
    corpus_id: str,
    *,
    names: Iterable[str] = (),
    articles: Iterable[str] = (),
    reason: str = "split by hand",
) -> str:
    """Split a wrong merge in the store ``db`` (see ``Linker.split``); returns the new id."""
    from ..store import Store
    from ..store.linking import SqlLinkState

    store = Store.open(db, create=False)
    try:
        with store.begin() as conn:
            linker = Linker(SqlLinkState(conn, store.read_article))
            return linker.split(corpus_id, names=names, articles=articles, reason=reason)
    finally:
        store.close()
