"""Reviewer pay: reviewer rates per language, finished review rounds (the reviewer's pay
item) and the settlement rows that pay them. No rate is seeded: until an admin sets one,
reviewing a language earns nothing, and transcribers' settlements are unchanged.

Revision ID: 0007_reviewer_pay
Revises: 0006_clip_lease
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workbench.store.types import UTCDateTime

revision = "0007_reviewer_pay"
down_revision = "0006_clip_lease"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reviewer_rates",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("won_per_minute", sa.Integer(), nullable=False),
        sa.Column("effective_at", UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("language", "effective_at", name="uq_reviewer_rates_language_effective_at"),
    )
    op.create_table(
        "review_rounds",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("tasks.id"), nullable=False),
        sa.Column("review_round", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("segments", sa.Integer(), nullable=False),
        sa.Column("reviewed_seconds", sa.Float(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("task_id", "review_round", name="uq_review_rounds_task_round"),
    )
    op.create_index("ix_review_rounds_reviewer_id", "review_rounds", ["reviewer_id"])
    op.create_index("ix_review_rounds_finished_at", "review_rounds", ["finished_at"])
    op.create_table(
        "settlement_reviews",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("settlement_id", sa.Integer(), sa.ForeignKey("settlements.id"), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("review_round_id", sa.Integer(), sa.ForeignKey("review_rounds.id"), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("reviewed_ms", sa.BigInteger(), nullable=False),
        sa.Column("rate", sa.Integer(), nullable=False),
        sa.UniqueConstraint("review_round_id", name="uq_settlement_reviews_round"),
    )
    op.create_index("ix_settlement_reviews_settlement_id", "settlement_reviews", ["settlement_id"])
    op.create_index("ix_settlement_reviews_user_id", "settlement_reviews", ["user_id"])


def downgrade() -> None:
    op.drop_table("settlement_reviews")
    op.drop_table("review_rounds")
    op.drop_table("reviewer_rates")
