"""Double transcription (pairs of tasks over the same audio and their agreement), and gold
references an admin un-marked (kept, with who and when).

Revision ID: 0014_double
Revises: 0011_gold
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workbench.store.types import UTCDateTime

revision = "0014_double"
down_revision = "0013_quality_rules"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("gold_references") as batch:
        batch.add_column(sa.Column("removed_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("removed_by_id", sa.Integer(), sa.ForeignKey("users.id",
                                   name="fk_gold_references_removed_by"), nullable=True))
    op.create_table(
        "double_pairs",
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("tasks.id"), primary_key=True),
        sa.Column("original_task_id", sa.Integer(), sa.ForeignKey("tasks.id"), nullable=False, unique=True),
        sa.Column("spans", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("first_user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("first_texts", sa.Text(), nullable=True),
        sa.Column("second_user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("second_texts", sa.Text(), nullable=True),
    )
    op.create_table(
        "double_agreements",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("pair_task_id", sa.Integer(), sa.ForeignKey("double_pairs.task_id"), nullable=False, index=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("start_s", sa.Float(), nullable=False),
        sa.Column("end_s", sa.Float(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False, index=True),
        sa.Column("first_user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("first_text", sa.Text(), nullable=False),
        sa.Column("second_user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("second_text", sa.Text(), nullable=False),
        sa.Column("cer", sa.Float(), nullable=False),
        sa.Column("disputed", sa.Boolean(), nullable=False, index=True),
        sa.Column("measured_at", UTCDateTime(), nullable=False, index=True),
        sa.Column("resolution", sa.String(length=8), nullable=True),
        sa.Column("resolved_text", sa.Text(), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("double_agreements")
    op.drop_table("double_pairs")
    with op.batch_alter_table("gold_references") as batch:
        batch.drop_column("removed_by_id")
        batch.drop_column("removed_at")
