"""Drop the case-folded name indexes that no query reads since 0004.

``ix_entities_lower_name`` and ``ix_mentions_lower_text`` served the look-up of an entity
by name or mention text; since migration 0004 that look-up reads ``entity_counts`` (its
``find`` and ``alias`` rows). Dropping them makes the store smaller and each write cheaper.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_entities_lower_name", "entities")
    op.drop_index("ix_mentions_lower_text", "mentions")


def downgrade() -> None:
    op.execute("CREATE INDEX ix_entities_lower_name ON entities (lower(name), type, name, article_id, id)")
    op.execute("CREATE INDEX ix_mentions_lower_text ON mentions (lower(text), owner, article_id, owner_id)")
