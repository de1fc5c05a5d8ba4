"""Claims across articles: claim groups, claims, their look-up terms, copy clusters.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "claim_groups",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("claims", sa.Integer(), nullable=False),
        sa.Column("articles", sa.Integer(), nullable=False),
        sa.Column("origins", sa.Integer(), nullable=False),
        sa.Column("contradictions", sa.Integer(), nullable=False),
        sa.Column("first_published", sa.Text(), nullable=True),
        sa.Column("last_published", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seq"),
    )
    op.create_index("ix_claim_groups_articles", "claim_groups", ["articles"], unique=False)
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("group_id", sa.Text(), nullable=False),
        sa.Column("article_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("ref", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("source_type", sa.Text(), nullable=True),
        sa.Column("hedge", sa.Text(), nullable=False),
        sa.Column("outlet", sa.Text(), nullable=True),
        sa.Column("published", sa.Text(), nullable=True),
        sa.Column("event", sa.Text(), nullable=True),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("origin_reason", sa.Text(), nullable=False),
        sa.Column("origin_key", sa.Text(), nullable=True),
        sa.Column("relation", sa.Text(), nullable=False),
        sa.Column("relation_reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_claims_group_id", "claims", ["group_id", "origin_key"], unique=False)
    op.create_index("ix_claims_article_id", "claims", ["article_id"], unique=False)
    op.create_table(
        "claim_terms",
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("term", sa.Text(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "term", "claim_id"),
    )
    op.create_table(
        "article_copies",
        sa.Column("article_id", sa.Text(), nullable=False),
        sa.Column("cluster", sa.Text(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("words", sa.Integer(), nullable=False),
        sa.Column("published", sa.Text(), nullable=True),
        sa.Column("wire", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("article_id"),
    )
    op.create_index("ix_article_copies_cluster", "article_copies", ["cluster"], unique=False)
    op.create_table(
        "copy_bands",
        sa.Column("band", sa.Text(), nullable=False),
        sa.Column("article_id", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("band", "article_id"),
    )


def downgrade() -> None:
    for name in ("copy_bands", "article_copies", "claim_terms", "claims", "claim_groups"):
        op.drop_table(name)
