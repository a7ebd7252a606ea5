"""Time on task: each worker's active time per task and role, from the task pages' activity
reports (one row per worker, task and role).

Revision ID: 0008_time_on_task
Revises: 0007_reviewer_pay
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workbench.store.types import UTCDateTime

revision = "0008_time_on_task"
down_revision = "0007_reviewer_pay"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "task_time",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("tasks.id"), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("active_seconds", sa.Float(), nullable=False),
        sa.Column("reports", sa.Integer(), nullable=False),
        sa.Column("first_at", UTCDateTime(), nullable=False),
        sa.Column("last_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("user_id", "task_id", "role", name="uq_task_time_user_task_role"),
    )
    op.create_index("ix_task_time_user_id", "task_time", ["user_id"])
    op.create_index("ix_task_time_task_id", "task_time", ["task_id"])


def downgrade() -> None:
    op.drop_table("task_time")
