"""Deleting an article (``add --reprocess``) without reading whole tables.

An article's delete removed its ``claim_terms`` rows by ``claim_id`` and its
``copy_bands`` rows by ``article_id``, neither the first column of its table's key, so
each read the whole table; two indexes make them look-ups. On SQLite its search rows were
deleted by FTS5's ``UNINDEXED`` ``article_id`` column, which also reads every row: the
rows are numbered here by article (rowid ``seq << 24`` + the row's place in the article,
``newsgraph.store.search``) so that the delete is a rowid range. The order of the rows by
rowid stays the order the articles were added. Search rows of no stored article (none are
written) are dropped.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SHIFT = 24  # newsgraph.store.search.ROWID_SHIFT at this revision


def upgrade() -> None:
    op.create_index("ix_claim_terms_claim_id", "claim_terms", ["claim_id"])
    op.create_index("ix_copy_bands_article_id", "copy_bands", ["article_id"])
    if op.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL deletes search rows through its index on article_id
    op.execute(
        "CREATE TEMP TABLE search_renumbered AS SELECT "
        f"(a.seq << {SHIFT}) + row_number() OVER (PARTITION BY s.article_id ORDER BY s.rowid) - 1 "
        "AS new_rowid, s.kind, s.article_id, s.ref, s.body "
        "FROM search_docs s JOIN articles a ON a.id = s.article_id"
    )
    # Emptying an FTS5 table row by row costs more than building it again.
    op.execute("DROP TABLE search_docs")
    op.execute(
        "CREATE VIRTUAL TABLE search_docs USING fts5("
        "kind UNINDEXED, article_id UNINDEXED, ref UNINDEXED, body, "
        "tokenize = 'unicode61 remove_diacritics 2')"
    )
    op.execute(
        "INSERT INTO search_docs (rowid, kind, article_id, ref, body) "
        "SELECT new_rowid, kind, article_id, ref, body FROM search_renumbered ORDER BY new_rowid"
    )
    op.execute("DROP TABLE search_renumbered")


def downgrade() -> None:
    # The search rows keep their numbers: older code deletes them by article_id.
    op.drop_index("ix_copy_bands_article_id", "copy_bands")
    op.drop_index("ix_claim_terms_claim_id", "claim_terms")
