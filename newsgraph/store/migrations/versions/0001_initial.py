"""The first schema: articles and their facts, problems, the cross-article entity tables and search.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.Text(), nullable=False),
        sa.Column("input", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("published", sa.Text(), nullable=True),
        sa.Column("outlet", sa.Text(), nullable=True),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("language", sa.Text(), nullable=True),
        sa.Column("schema_version", sa.Text(), nullable=False),
        sa.Column("pipeline_version", sa.Text(), nullable=False),
        sa.Column("removed", sa.Text(), nullable=False),
        sa.Column("subheads", sa.Text(), nullable=False),
        sa.Column("warnings", sa.Text(), nullable=False),
        sa.Column("added_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("content_hash"),
        sa.UniqueConstraint("url"),
    )
    op.create_index(op.f("ix_articles_outlet"), "articles", ["outlet"], unique=False)
    op.create_index(op.f("ix_articles_pipeline_version"), "articles", ["pipeline_version"], unique=False)
    op.create_index(op.f("ix_articles_published"), "articles", ["published"], unique=False)
    op.create_index(op.f("ix_articles_seq"), "articles", ["seq"], unique=True)
    op.create_table(
        "attributions",
        sa.Column("article_id", sa.Text(), nullable=False),
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("source_type", sa.Text(), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=True),
        sa.Column("source_start", sa.Integer(), nullable=True),
        sa.Column("source_end", sa.Integer(), nullable=True),
        sa.Column("source_entity", sa.Text(), nullable=True),
        sa.Column("source_resolved_from", sa.Text(), nullable=True),
        sa.Column("cue_start", sa.Integer(), nullable=True),
        sa.Column("cue_end", sa.Integer(), nullable=True),
        sa.Column("cue_text", sa.Text(), nullable=True),
        sa.Column("content_start", sa.Integer(), nullable=False),
        sa.Column("content_end", sa.Integer(), nullable=False),
        sa.Column("content_text", sa.Text(), nullable=False),
        sa.Column("hedge", sa.Text(), nullable=False),
        sa.Column("relayed_by_text", sa.Text(), nullable=True),
        sa.Column("relayed_by_start", sa.Integer(), nullable=True),
        sa.Column("relayed_by_end", sa.Integer(), nullable=True),
        sa.Column("relayed_by_entity", sa.Text(), nullable=True),
        sa.Column("parent", sa.Text(), nullable=True),
        sa.Column("content_spans", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("article_id", "id"),
    )
    op.create_index(
        "ix_attributions_source_entity", "attributions", ["article_id", "source_entity"], unique=False
    )
    op.create_table(
        "corpus_entities",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("profile", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "corpus_entity_keys",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("corpus_id", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", "corpus_id"),
    )
    op.create_index("ix_corpus_entity_keys_key", "corpus_entity_keys", ["key"], unique=False)
    op.create_table(
        "entities",
        sa.Column("article_id", sa.Text(), nullable=False),
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("aliases", sa.Text(), nullable=False),
        sa.Column("roles", sa.Text(), nullable=False),
        sa.Column("gender", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("article_id", "id"),
    )
    op.create_index("ix_entities_name", "entities", ["name"], unique=False)
    op.create_table(
        "entity_links",
        sa.Column("article_id", sa.Text(), nullable=False),
        sa.Column("entity_id", sa.Text(), nullable=False),
        sa.Column("corpus_id", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("score", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("article_id", "entity_id"),
    )
    op.create_index("ix_entity_links_corpus_id", "entity_links", ["corpus_id"], unique=False)
    op.create_table(
        "events",
        sa.Column("article_id", sa.Text(), nullable=False),
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("trigger_start", sa.Integer(), nullable=False),
        sa.Column("trigger_end", sa.Integer(), nullable=False),
        sa.Column("trigger_text", sa.Text(), nullable=False),
        sa.Column("mode", sa.Text(), nullable=True),
        sa.Column("modality", sa.Text(), nullable=False),
        sa.Column("actor_text", sa.Text(), nullable=True),
        sa.Column("actor_start", sa.Integer(), nullable=True),
        sa.Column("actor_end", sa.Integer(), nullable=True),
        sa.Column("actor_entity", sa.Text(), nullable=True),
        sa.Column("target_text", sa.Text(), nullable=True),
        sa.Column("target_start", sa.Integer(), nullable=True),
        sa.Column("target_end", sa.Integer(), nullable=True),
        sa.Column("target_entity", sa.Text(), nullable=True),
        sa.Column("place", sa.Text(), nullable=True),
        sa.Column("date", sa.Text(), nullable=True),
        sa.Column("time", sa.Text(), nullable=True),
        sa.Column("attribution", sa.Text(), nullable=True),
        sa.Column("sentence_start", sa.Integer(), nullable=True),
        sa.Column("sentence_end", sa.Integer(), nullable=True),
        sa.Column("sentence_text", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("article_id", "id"),
    )
    op.create_index("ix_events_category", "events", ["category"], unique=False)
    op.create_table(
        "link_constraints",
        sa.Column("a", sa.Text(), nullable=False),
        sa.Column("b", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.Text(), nullable=True),
    )
    op.create_index("ix_link_constraints_a", "link_constraints", ["a"], unique=False)
    op.create_table(
        "link_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.Text(), nullable=True),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("corpus_id", sa.Text(), nullable=True),
        sa.Column("other_id", sa.Text(), nullable=True),
        sa.Column("article_id", sa.Text(), nullable=True),
        sa.Column("entity_id", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_link_log_corpus_id", "link_log", ["corpus_id"], unique=False)
    op.create_table(
        "mentions",
        sa.Column("article_id", sa.Text(), nullable=False),
        sa.Column("owner", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Text(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("metonymy", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("article_id", "owner", "owner_id", "seq"),
    )
    op.create_table(
        "places",
        sa.Column("article_id", sa.Text(), nullable=False),
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("lon", sa.Double(), nullable=True),
        sa.Column("country", sa.Text(), nullable=True),
        sa.Column("feature", sa.Text(), nullable=True),
        sa.Column("gazetteer_id", sa.Text(), nullable=True),
        sa.Column("entity", sa.Text(), nullable=True),
        sa.Column("located_by", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("article_id", "id"),
    )
    op.create_index("ix_places_name", "places", ["name"], unique=False)
    op.create_table(
        "problems",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("input", sa.Text(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("pipeline_version", sa.Text(), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("input"),
    )
    op.create_table(
        "times",
        sa.Column("article_id", sa.Text(), nullable=False),
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("type", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("article_id", "id"),
    )
    # ### end Alembic commands ###
    # Case-insensitive look-ups of names (``newsgraph entity NAME``) use these.
    op.execute("CREATE INDEX ix_entities_lower_name ON entities (lower(name))")
    op.execute("CREATE INDEX ix_mentions_lower_text ON mentions (lower(text), owner)")
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE search_docs USING fts5("
            "kind UNINDEXED, article_id UNINDEXED, ref UNINDEXED, body, "
            "tokenize = 'unicode61 remove_diacritics 2')"
        )
    else:
        op.execute(
            "CREATE TABLE search_docs (kind TEXT NOT NULL, article_id TEXT NOT NULL, ref TEXT NOT NULL, "
            "body TEXT NOT NULL, tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED)"
        )
        op.execute("CREATE INDEX ix_search_docs_tsv ON search_docs USING GIN (tsv)")
        op.execute("CREATE INDEX ix_search_docs_article_id ON search_docs (article_id)")
