"""Plays become heard spans tied to the segment's text version; the media route records
what audio it sent to whom; each reviewer gets a listening clock.

A play used to be a bare claim of how far playback reached, never checked against the
audio sent: such rows prove nothing, so they are dropped and reviews in progress need
their segments heard again.

Revision ID: 0005_plays_intervals
Revises: 0004_throttle
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workbench.store.types import UTCDateTime

revision = "0005_plays_intervals"
down_revision = "0004_throttle"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM plays")
    with op.batch_alter_table("plays") as batch:
        batch.drop_column("reached")
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False))
        batch.add_column(sa.Column("from_s", sa.Float(), nullable=False))
        batch.add_column(sa.Column("to_s", sa.Float(), nullable=False))
    op.create_table(
        "audio_sent",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("segment_id", sa.Integer(), sa.ForeignKey("segments.id"), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("start_s", sa.Float(), nullable=False),
        sa.Column("end_s", sa.Float(), nullable=False),
        sa.Column("from_s", sa.Float(), nullable=False),
        sa.Column("to_s", sa.Float(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_audio_sent_segment_user", "audio_sent", ["segment_id", "user_id"])
    op.create_table(
        "listening_clocks",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("allowance_s", sa.Float(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("listening_clocks")
    op.drop_index("ix_audio_sent_segment_user", table_name="audio_sent")
    op.drop_table("audio_sent")
    op.execute("DELETE FROM plays")
    with op.batch_alter_table("plays") as batch:
        batch.drop_column("to_s")
        batch.drop_column("from_s")
        batch.drop_column("version")
        batch.add_column(sa.Column("reached", sa.Float(), nullable=False))
