"""The pay tables, with the default rates from the job posting the issue cites.

Revision ID: 0002_pay
Revises: 0001_initial
"""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

from workbench.store.types import UTCDateTime

revision = "0002_pay"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
DEFAULT_RATES = {"ko": 600, "en": 1500, "zh": 1500, "ja": 1500}


def _created_by() -> sa.Column:
    return sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True)


def upgrade() -> None:
    pay_rates = op.create_table(
        "pay_rates",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("won_per_minute", sa.Integer(), nullable=False),
        sa.Column("effective_at", UTCDateTime(), nullable=False),
        _created_by(),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("language", "effective_at", name="uq_pay_rates_language_effective_at"),
    )
    op.create_table(
        "project_rates",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project", sa.String(length=200), nullable=False),
        sa.Column("won_per_minute", sa.Integer(), nullable=False),
        sa.Column("basis", sa.String(length=8), nullable=False),
        sa.Column("effective_at", UTCDateTime(), nullable=False),
        _created_by(),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("project", "effective_at", name="uq_project_rates_project_effective_at"),
        sa.CheckConstraint("basis IN ('source', 'speech')", name="ck_project_rates_basis"),
    )
    op.create_table(
        "settlements",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("payday", sa.Date(), nullable=False, unique=True),
        sa.Column("period_start", UTCDateTime(), nullable=False),
        sa.Column("cutoff", UTCDateTime(), nullable=False),
        sa.Column("minimum_payout", sa.Integer(), nullable=False),
        sa.Column("committed_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("committed_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "settlement_lines",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("settlement_id", sa.Integer(), sa.ForeignKey("settlements.id"), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("source_seconds", sa.Float(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in (
            "gross", "penalties", "carried_in", "balance", "income_tax", "local_tax", "net", "carried_out",
        )),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.UniqueConstraint("settlement_id", "user_id", name="uq_settlement_lines_settlement_user"),
    )
    op.create_index("ix_settlement_lines_settlement_id", "settlement_lines", ["settlement_id"])
    op.create_index("ix_settlement_lines_user_id", "settlement_lines", ["user_id"])
    op.create_table(
        "settlement_items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("settlement_id", sa.Integer(), sa.ForeignKey("settlements.id"), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("tasks.id"), nullable=True),
        sa.Column("penalty_id", sa.Integer(), sa.ForeignKey("penalties.id"), nullable=True),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("source_ms", sa.BigInteger(), nullable=False),
        sa.Column("rate", sa.Integer(), nullable=False),
        sa.Column("bonus_rate", sa.Integer(), nullable=False),
        sa.Column("bonus_basis", sa.String(length=8), nullable=False),
        sa.Column("bonus_ms", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint("task_id", name="uq_settlement_items_task"),
        sa.UniqueConstraint("penalty_id", name="uq_settlement_items_penalty"),
        sa.CheckConstraint("(task_id IS NULL) <> (penalty_id IS NULL)", name="ck_settlement_items_one_kind"),
    )
    op.create_index("ix_settlement_items_settlement_id", "settlement_items", ["settlement_id"])
    op.create_index("ix_settlement_items_user_id", "settlement_items", ["user_id"])
    op.bulk_insert(pay_rates, [
        {"language": language, "won_per_minute": won, "effective_at": EPOCH, "created_by_id": None,
         "created_at": EPOCH}
        for language, won in DEFAULT_RATES.items()
    ])


def downgrade() -> None:
    op.drop_table("settlement_items")
    op.drop_table("settlement_lines")
    op.drop_table("settlements")
    op.drop_table("project_rates")
    op.drop_table("pay_rates")
