"""The clip lifecycle: the upload's content hash (duplicates are asked about), withdrawn and
dismissed clips, and a transcriber's "wrong language for the whole clip" report.

Revision ID: 0012_clip_lifecycle
Revises: 0011_gold
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workbench.store.types import UTCDateTime

revision = "0012_clip_lifecycle"
down_revision = "0011_gold"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("clips") as batch:
        batch.add_column(sa.Column("content_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("withdrawn_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("withdrawn_by_id", sa.Integer(),
                                    sa.ForeignKey("users.id", name="fk_clips_withdrawn_by_id_users"), nullable=True))
        batch.add_column(sa.Column("dismissed_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("language_report_by_id", sa.Integer(),
                                    sa.ForeignKey("users.id", name="fk_clips_language_report_by_id_users"),
                                    nullable=True))
        batch.add_column(sa.Column("language_report_at", UTCDateTime(), nullable=True))
        batch.create_index("ix_clips_content_hash", ["content_hash"])


def downgrade() -> None:
    with op.batch_alter_table("clips") as batch:
        batch.drop_index("ix_clips_content_hash")
        batch.drop_constraint("fk_clips_language_report_by_id_users", type_="foreignkey")
        batch.drop_constraint("fk_clips_withdrawn_by_id_users", type_="foreignkey")
        for column in ("language_report_at", "language_report_by_id", "dismissed_at", "withdrawn_by_id",
                       "withdrawn_at", "content_hash"):
            batch.drop_column(column)
