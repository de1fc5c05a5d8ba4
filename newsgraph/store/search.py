"""Full-text search over article text and attribution contents.

One table, ``search_docs(kind, article_id, ref, body)``: an FTS5 virtual table on
SQLite (unicode61 tokens, diacritics folded, no stemming) and on PostgreSQL a table with
a generated ``tsvector`` column in the ``simple`` configuration (no stemming of names)
under a GIN index. Rows are written with the article, in the same transaction.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..model import Article

_WORD = re.compile(r"\w+", re.UNICODE)


def index_article(conn: Connection, article_id: str, article: Article) -> None:
    docs = [{"kind": "article", "article_id": article_id, "ref": "", "body": _searchable(article)}]
    for attribution in article.attributions:
        docs.append(
            {
                "kind": "attribution",
                "article_id": article_id,
                "ref": attribution.id,
                "body": _quote(attribution),
            }
        )
    conn.execute(
        sa.text(
            "INSERT INTO search_docs (kind, article_id, ref, body) VALUES (:kind, :article_id, :ref, :body)"
        ),
        docs,
    )


def unindex_article(conn: Connection, article_id: str) -> None:
    conn.execute(sa.text("DELETE FROM search_docs WHERE article_id = :a"), {"a": article_id})


def terms(query: str) -> list[str]:
    """The words of a query (punctuation and search operators are not interpreted)."""
    return _WORD.findall(query)


def match(conn: Connection, query: str, kind: str | None, limit: int, offset: int = 0) -> list[Any]:
    """Rows ``(kind, article_id, ref, rank)`` whose body holds every word of ``query``, best first."""
    words = terms(query)
    if not words:
        return []
    params: dict[str, Any] = {"limit": limit, "offset": offset, "kind": kind}
    kind_filter = "" if kind is None else " AND kind = :kind"
    if conn.dialect.name == "sqlite":
        params["q"] = " ".join('"' + w.replace('"', '""') + '"' for w in words)
        sql = (
            "SELECT kind, article_id, ref, bm25(search_docs) AS rank FROM search_docs "
            f"WHERE search_docs MATCH :q{kind_filter} "
            "ORDER BY rank, article_id, ref LIMIT :limit OFFSET :offset"
        )
    else:
        params["q"] = " & ".join(words)
        sql = (
            "SELECT kind, article_id, ref, -ts_rank(tsv, to_tsquery('simple', :q)) AS rank FROM search_docs "
            f"WHERE tsv @@ to_tsquery('simple', :q){kind_filter} "
            "ORDER BY rank, article_id, ref LIMIT :limit OFFSET :offset"
        )
    return list(conn.execute(sa.text(sql), params))


def _searchable(article: Article) -> str:
    """Title and text; removed ranges (promotions, footers) are left out."""
    chars = list(article.text)
    for r in article.removed:  # clipped: the store takes whatever ranges the article holds
        for i in range(max(0, r.start), min(r.end, len(chars))):
            if chars[i] not in "\n\r":
                chars[i] = " "
    text = "".join(chars)
    title = article.metadata.title or ""
    return f"{title}\n{text}" if title else text


def _quote(attribution: Any) -> str:
    source = attribution.source.text or ""
    return f"{source}\n{attribution.content.text}"
