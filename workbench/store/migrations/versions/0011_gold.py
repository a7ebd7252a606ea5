"""Gold work: references made from accepted segments (or imported clips), gold copies of clips offered among
ordinary tasks, the scored segments of those copies, and their scores.

Revision ID: 0011_gold
Revises: 0010_draft_restarts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workbench.store.types import UTCDateTime

revision = "0011_gold"
down_revision = "0010_draft_restarts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gold_references",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("segment_id", sa.Integer(), sa.ForeignKey("segments.id"), nullable=False, unique=True),
        sa.Column("clip_id", sa.Integer(), sa.ForeignKey("clips.id"), nullable=False, index=True),
        sa.Column("language", sa.String(length=8), nullable=False, index=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("no_speech", sa.Boolean(), nullable=False),
        sa.Column("marked_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "gold_copies",
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("tasks.id"), primary_key=True),
        sa.Column("source_clip_id", sa.Integer(), sa.ForeignKey("clips.id"), nullable=False, index=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "gold_imports",
        sa.Column("clip_id", sa.Integer(), sa.ForeignKey("clips.id"), primary_key=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "gold_placements",
        sa.Column("segment_id", sa.Integer(), sa.ForeignKey("segments.id"), primary_key=True),
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("tasks.id"), nullable=False, index=True),
        sa.Column("reference_id", sa.Integer(), sa.ForeignKey("gold_references.id"), nullable=False, index=True),
    )
    op.create_table(
        "gold_scores",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("segment_id", sa.Integer(), sa.ForeignKey("segments.id"), nullable=False, unique=True),
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("tasks.id"), nullable=False, index=True),
        sa.Column("reference_id", sa.Integer(), sa.ForeignKey("gold_references.id"), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("cer", sa.Float(), nullable=False),
        sa.Column("wer", sa.Float(), nullable=True),
        sa.Column("tags_match", sa.Boolean(), nullable=False),
        sa.Column("notation_match", sa.Boolean(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("scored_at", UTCDateTime(), nullable=False, index=True),
    )


def downgrade() -> None:
    for table in ("gold_scores", "gold_placements", "gold_imports", "gold_copies", "gold_references"):
        op.drop_table(table)
