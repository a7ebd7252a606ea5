"""An index on clips.draft_state: a claim offers, within a priority, the tasks whose clips are
not still being drafted first (store/repo/tasks.py), and finds those clips through it instead
of reading every clip ever imported.

Revision ID: 0018_clip_draft_state_index
Revises: 0017_draft_holdback
"""

from __future__ import annotations

from alembic import op

revision = "0018_clip_draft_state_index"
down_revision = "0017_draft_holdback"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_clips_draft_state", "clips", ["draft_state"])


def downgrade() -> None:
    op.drop_index("ix_clips_draft_state", table_name="clips")
