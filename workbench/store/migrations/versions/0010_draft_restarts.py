"""Machine drafts turned on again: an admin's restart of a project and language's drafts
after the automatic switch turned them off (the rolling draft CER starts afresh).

Revision ID: 0010_draft_restarts
Revises: 0009_drafts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workbench.store.types import UTCDateTime

revision = "0010_draft_restarts"
down_revision = "0009_drafts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "draft_restarts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
    )
    op.create_index("ix_draft_restarts_project_language", "draft_restarts", ["project", "language"])


def downgrade() -> None:
    op.drop_table("draft_restarts")
