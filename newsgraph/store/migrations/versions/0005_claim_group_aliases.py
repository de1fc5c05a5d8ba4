"""Claim group aliases: the id of a group merged into another resolves to the survivor.

When a new claim matches claims of several groups, they merge into the oldest and the
others' rows leave ``claim_groups``; ``claim_group_aliases`` keeps each absorbed id
(with its ``seq``, so no later group is given the same id) pointing at the group that
holds its claims now. Written in the merge's transaction; a chain of merges is kept
flat (every alias points at a group that exists).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "claim_group_aliases",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Text(), nullable=False),
        sa.Column("merged_at", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seq"),
    )
    op.create_index("ix_claim_group_aliases_group_id", "claim_group_aliases", ["group_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_claim_group_aliases_group_id", "claim_group_aliases")
    op.drop_table("claim_group_aliases")
