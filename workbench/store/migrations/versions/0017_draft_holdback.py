"""Ordinary tasks served without machine drafts (the draft holdback, workflow/holdback.py).

Revision ID: 0017_draft_holdback
Revises: 0016_settle
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workbench.store.types import UTCDateTime

revision = "0017_draft_holdback"
down_revision = "0016_settle"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "draft_holdbacks",
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("tasks.id"), primary_key=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("draft_holdbacks")
