"""Quality rules: daily defect checks, the warnings and suspensions they give, senior reviewers
and their checks of sampled verdicts.

Revision ID: 0013_quality_rules
Revises: 0011_gold
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workbench.store.types import UTCDateTime

revision = "0013_quality_rules"
down_revision = "0012_clip_lifecycle"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quality_checks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("project", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False, index=True),
        sa.Column("checked", sa.Integer(), nullable=False),
        sa.Column("defects", sa.Integer(), nullable=False),
        sa.Column("rate", sa.Float(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("checked_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("user_id", "project", "role", "day", name="uq_quality_checks_day"),
    )
    op.create_table(
        "quality_actions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("project", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=True),
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("tasks.id"), nullable=True),
        sa.Column("segment_ids", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("lifted_at", UTCDateTime(), nullable=True),
        sa.Column("lifted_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("lift_reason", sa.Text(), nullable=True),
    )
    op.create_index("ix_quality_actions_open", "quality_actions", ["user_id", "lifted_at"])
    op.create_table(
        "senior_reviewers",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("granted_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("granted_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "senior_checks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("verdict_id", sa.Integer(), sa.ForeignKey("verdicts.id"), nullable=False, unique=True),
        sa.Column("segment_id", sa.Integer(), sa.ForeignKey("segments.id"), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("language", sa.String(length=8), nullable=False, index=True),
        sa.Column("project", sa.String(length=200), nullable=False),
        sa.Column("sampled_at", UTCDateTime(), nullable=False),
        sa.Column("senior_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("confirmed", sa.Boolean(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True, index=True),
    )


def downgrade() -> None:
    for table in ("senior_checks", "senior_reviewers", "quality_actions", "quality_checks"):
        op.drop_table(table)
