"""Full-text search over article text and attribution contents.

One table, ``search_docs(kind, article_id, ref, body)``: an FTS5 virtual table on
SQLite (unicode61 tokens, diacritics folded, no stemming) and on PostgreSQL a table with
a generated ``tsvector`` column in the ``simple`` configuration (no stemming of names)
under a GIN index. Rows are written with the article, in the same transaction.

On SQLite the rows of the article whose ``seq`` is s have the rowids ``s << ROWID_SHIFT``
+ n (n: the row's place in the article: its text, then its quotes), so that an article's
rows are one rowid range, deleted as a range (FTS5 has no index on its ``UNINDEXED``
``article_id`` column: a delete by it reads every row), and rowid order is the order the
articles were added (``quotes --about`` reads it newest first). Migration 0007 numbered
the rows of older stores so.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..model import Article
from . import raw

_WORD = re.compile(r"\w+", re.UNICODE)

#: Bits of an FTS5 rowid for the row's place in its article (2^24 rows: an article of at
#: most ``ingest.max_chars`` characters holds far fewer quotes).
ROWID_SHIFT = 24


def index_article(conn: Connection, article_id: str, article: Article, seq: int) -> None:
    """The search rows of an article whose ``articles.seq`` is ``seq``."""
    docs: list[dict[str, Any]] = [
        {"kind": "article", "article_id": article_id, "ref": "", "body": _searchable(article)}
    ]
    for attribution in article.attributions:
        docs.append(
            {
                "kind": "attribution",
                "article_id": article_id,
                "ref": attribution.id,
                "body": _quote(attribution),
            }
        )
    if conn.dialect.name == "sqlite":
        for n, doc in enumerate(docs):
            doc["rowid"] = (seq << ROWID_SHIFT) + n
        insert = "INSERT INTO search_docs (rowid, kind, article_id, ref, body) VALUES (:rowid, "
    else:
        insert = "INSERT INTO search_docs (kind, article_id, ref, body) VALUES ("
    raw.execute(conn, insert + ":kind, :article_id, :ref, :body)", docs)


def unindex_article(conn: Connection, article_id: str, seq: int | None) -> None:
    """Remove the search rows of an article (``seq``: its ``articles.seq``, if it had a row)."""
    if conn.dialect.name == "sqlite" and seq is not None:
        conn.execute(
            sa.text("DELETE FROM search_docs WHERE rowid BETWEEN :lo AND :hi"),
            {"lo": seq << ROWID_SHIFT, "hi": ((seq + 1) << ROWID_SHIFT) - 1},
        )
    else:  # PostgreSQL: an index on article_id
        conn.execute(sa.text("DELETE FROM search_docs WHERE article_id = :a"), {"a": article_id})


def speaker_terms(text: str) -> list[str]:
    """The words of a source's text as ``quotes --speaker`` matches them: lower case, in order."""
    return [w.lower() for w in _WORD.findall(text)]


def speaker_rows(article_id: str, article: Article) -> list[dict[str, Any]]:
    """Rows of ``speaker_terms``: each distinct word of each attribution's source text."""
    out = []
    for attribution in article.attributions:
        for term in sorted(set(speaker_terms(attribution.source.text or ""))):
            out.append({"article_id": article_id, "ref": attribution.id, "term": term})
    return out


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
        # Rank on the full-text index alone (rowids), then read the stored columns of the page
        # only: reading them for every match cost more than the ranking itself.
        params["q"] = " ".join('"' + w.replace('"', '""') + '"' for w in words)
        if kind is None:
            ranked = (
                "SELECT rowid, bm25(search_docs) AS rank FROM search_docs WHERE search_docs MATCH :q "
                "ORDER BY rank, rowid LIMIT :limit OFFSET :offset"
            )
        else:
            ranked = (
                "SELECT rowid, bm25(search_docs) AS rank FROM search_docs WHERE search_docs MATCH :q "
                "AND kind = :kind ORDER BY rank, rowid LIMIT :limit OFFSET :offset"
            )
        found = [(r.rowid, r.rank) for r in conn.execute(sa.text(ranked), params)]
        if not found:
            return []
        page = sa.text("SELECT rowid, kind, article_id, ref FROM search_docs WHERE rowid IN :ids")
        page = page.bindparams(sa.bindparam("ids", expanding=True))
        stored = {r.rowid: r for r in conn.execute(page, {"ids": [rowid for rowid, _ in found]})}
        return [
            _Hit(stored[rowid].kind, stored[rowid].article_id, stored[rowid].ref, rank)
            for rowid, rank in found
            if rowid in stored
        ]
    params["q"] = " & ".join(words)
    sql = (
        "SELECT kind, article_id, ref, -ts_rank(tsv, to_tsquery('simple', :q)) AS rank FROM search_docs "
        f"WHERE tsv @@ to_tsquery('simple', :q){kind_filter} "
        "ORDER BY rank, article_id, ref LIMIT :limit OFFSET :offset"
    )
    return list(conn.execute(sa.text(sql), params))


class _Hit(NamedTuple):
    kind: str
    article_id: str
    ref: str
    rank: float


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
