"""Cross-article linking without a store: link analysed articles in memory (evaluation, tests).

With a store, ``newsgraph add`` links as it stores (``newsgraph.core.corpus``); this is
the same ``Linker`` over a ``MemoryLinkState``.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..corpus.linking import Linker, MemoryLinkState
from ..model import Article

__all__ = ["link_in_memory"]


def link_in_memory(items: Iterable[tuple[str, Article]]) -> dict[tuple[str, str], str | None]:
    """Link the articles in order; (article id, entity id) -> cross-article id or None."""
    linker = Linker(MemoryLinkState())
    out: dict[tuple[str, str], str | None] = {}
    for article_id, article in items:
        for entity_id, corpus_id in linker.link_article(article_id, article).items():
            out[(article_id, entity_id)] = corpus_id
    return out
