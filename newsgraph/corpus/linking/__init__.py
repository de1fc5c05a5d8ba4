"""Cross-article entity linking: one entity, with its reasons, across every article added.

``Linker(state).link_article(article_id, article)`` links the entities of one article
to cross-article entities kept in a ``LinkState`` (``MemoryLinkState`` here; the SQL
form is ``newsgraph.store.linking``); ``Linker.split`` repairs a wrong merge. The
method, the evidence and the figures are in docs/linking.md.
"""

from __future__ import annotations

from .linker import Decision, Linker, Weights
from .state import LinkState, MemoryLinkState

__all__ = ["Decision", "LinkState", "Linker", "MemoryLinkState", "Weights"]
