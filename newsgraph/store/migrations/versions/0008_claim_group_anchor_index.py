"""A partial index on each claim group's anchor (its one claim with relation 'first').

The writer reads a group's anchor for every claim that joins the group; with only the
``(group_id, origin_key)`` index that read went through every claim of the group, a cost
growing with the group (a claim republished a thousand times). The partial index holds
one row per group.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_claims_group_anchor",
        "claims",
        ["group_id"],
        unique=False,
        sqlite_where=sa.text("relation = 'first'"),
        postgresql_where=sa.text("relation = 'first'"),
    )


def downgrade() -> None:
    op.drop_index("ix_claims_group_anchor", "claims")
