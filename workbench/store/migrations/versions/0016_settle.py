"""A settled double-transcription dispute remembers when its text reached the original task
(or why it could not); a day's quality check remembers which segments it counted as
defects, so a return reversed after the day was judged can be taken out of it again; and
verdicts are indexed by when they were given, which the quality sweep reads by.

Revision ID: 0016_settle
Revises: 0015_ui_language
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workbench.store.types import UTCDateTime

revision = "0016_settle"
down_revision = "0015_ui_language"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("double_agreements") as batch:
        batch.add_column(sa.Column("applied_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("apply_note", sa.Text(), nullable=True))
    with op.batch_alter_table("quality_checks") as batch:
        batch.add_column(sa.Column("defect_ids", sa.Text(), nullable=True))
    # The quality sweep reads verdicts by the day they were given (and looks for reversals).
    op.create_index("ix_verdicts_created_at", "verdicts", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_verdicts_created_at", table_name="verdicts")
    with op.batch_alter_table("quality_checks") as batch:
        batch.drop_column("defect_ids")
    with op.batch_alter_table("double_agreements") as batch:
        batch.drop_column("apply_note")
        batch.drop_column("applied_at")
