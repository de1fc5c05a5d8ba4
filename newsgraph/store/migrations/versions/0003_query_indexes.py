"""Indexes for the queries at scale: the words of each quote's speaker, covering indexes.

- ``speaker_terms`` holds each distinct lower-case word of each attribution's source text
  (``quotes --speaker`` intersects the words' rows instead of scanning every quote with
  LIKE); it is filled here from the stored attributions.
- ``ix_articles_listing (id, seq, published, outlet, title)``: what every list shows of an
  article, without reading its row (SQLite keeps those columns after the text, in its
  overflow pages).
- ``ix_entity_links_members (corpus_id, article_id, entity_id)`` and
  ``ix_entities_name_type (name, type, article_id, id)``: an entity's members from the
  index alone (they replace ``ix_entity_links_corpus_id`` and ``ix_entities_name``).
- ``ix_attributions_spans (article_id, content_start, content_end, source_entity, id)``:
  which quotes hold a mention of an entity, read from the index alone.
- The case-insensitive name look-ups cover what they need: ``ix_entities_lower_name`` on
  ``(lower(name), type, name, article_id, id)``, ``ix_mentions_lower_text`` on
  ``(lower(text), owner, article_id, owner_id)``.
- Events by participant: ``(article_id, actor_entity)``, ``(article_id, target_entity)``.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

#: The tokenizer of ``newsgraph.store.search.speaker_terms`` as it was when this ran.
_WORD = re.compile(r"\w+", re.UNICODE)


def upgrade() -> None:
    op.create_table(
        "speaker_terms",
        sa.Column("article_id", sa.Text(), nullable=False),
        sa.Column("ref", sa.Text(), nullable=False),
        sa.Column("term", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("article_id", "ref", "term"),
    )
    op.create_index("ix_speaker_terms_term", "speaker_terms", ["term", "article_id", "ref"], unique=False)
    op.create_index("ix_articles_listing", "articles", ["id", "seq", "published", "outlet", "title"])
    op.create_index("ix_entity_links_members", "entity_links", ["corpus_id", "article_id", "entity_id"])
    op.drop_index("ix_entity_links_corpus_id", "entity_links")
    op.create_index("ix_entities_name_type", "entities", ["name", "type", "article_id", "id"])
    op.drop_index("ix_entities_name", "entities")
    op.create_index(
        "ix_attributions_spans",
        "attributions",
        ["article_id", "content_start", "content_end", "source_entity", "id"],
    )
    op.drop_index("ix_entities_lower_name", "entities")
    op.execute("CREATE INDEX ix_entities_lower_name ON entities (lower(name), type, name, article_id, id)")
    op.drop_index("ix_mentions_lower_text", "mentions")
    op.execute("CREATE INDEX ix_mentions_lower_text ON mentions (lower(text), owner, article_id, owner_id)")
    op.create_index("ix_events_actor_entity", "events", ["article_id", "actor_entity"], unique=False)
    op.create_index("ix_events_target_entity", "events", ["article_id", "target_entity"], unique=False)
    conn = op.get_bind()
    terms = sa.table("speaker_terms", sa.column("article_id"), sa.column("ref"), sa.column("term"))
    quotes = sa.text(
        "SELECT article_id, id, source_text FROM attributions WHERE source_text IS NOT NULL "
        "ORDER BY article_id, id"
    )
    batch: list[dict[str, str]] = []
    for article_id, ref, source in conn.execute(quotes).all():
        for term in sorted({w.lower() for w in _WORD.findall(source)}):
            batch.append({"article_id": article_id, "ref": ref, "term": term})
        if len(batch) >= 5000:
            conn.execute(terms.insert(), batch)
            batch = []
    if batch:
        conn.execute(terms.insert(), batch)


def downgrade() -> None:
    op.drop_index("ix_events_target_entity", "events")
    op.drop_index("ix_events_actor_entity", "events")
    op.drop_index("ix_attributions_spans", "attributions")
    op.drop_index("ix_mentions_lower_text", "mentions")
    op.execute("CREATE INDEX ix_mentions_lower_text ON mentions (lower(text), owner)")
    op.drop_index("ix_entities_lower_name", "entities")
    op.execute("CREATE INDEX ix_entities_lower_name ON entities (lower(name))")
    op.create_index("ix_entities_name", "entities", ["name"])
    op.drop_index("ix_entities_name_type", "entities")
    op.create_index("ix_entity_links_corpus_id", "entity_links", ["corpus_id"])
    op.drop_index("ix_entity_links_members", "entity_links")
    op.drop_index("ix_articles_listing", "articles")
    op.drop_table("speaker_terms")
