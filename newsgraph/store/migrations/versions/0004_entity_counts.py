"""Per-entity counts kept by the writer (``newsgraph.store.groups``).

- ``entity_articles``: one row per entity group (cross-article id, else type and exact
  name) and article naming it, with the members, how many quotes they said, quotes
  about them and events, and the article's share of the counts;
- ``entity_counts``: ``(key, facet, value) -> n`` summed over the group's articles, under
  ``ix_entity_counts_rank (facet, value, n DESC, key)`` (the top of a list is a read of
  the index's first rows).

Both are filled here from the stored articles and links, in batches of articles.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "entity_articles",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("article_id", sa.Text(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("published", sa.Text(), nullable=True),
        sa.Column("members", sa.Text(), nullable=False),
        sa.Column("said", sa.Integer(), nullable=False),
        sa.Column("about", sa.Integer(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("facets", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", "article_id"),
    )
    op.create_index("ix_entity_articles_article", "entity_articles", ["article_id", "key"])
    op.create_index(
        "ix_entity_articles_walk",
        "entity_articles",
        ["key", "seq", "article_id", "said", "about", "events", "members"],
    )
    op.create_index("ix_entity_articles_published", "entity_articles", ["key", "published"])
    op.create_table(
        "entity_counts",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("facet", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "facet", "value"),
    )
    op.execute("CREATE INDEX ix_entity_counts_rank ON entity_counts (facet, value, n DESC, key)")
    # The code of this revision: the counts are defined by what the writer keeps.
    from newsgraph.store import groups

    groups.rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_entity_counts_rank", "entity_counts")
    op.drop_table("entity_counts")
    op.drop_index("ix_entity_articles_published", "entity_articles")
    op.drop_index("ix_entity_articles_walk", "entity_articles")
    op.drop_index("ix_entity_articles_article", "entity_articles")
    op.drop_table("entity_articles")
