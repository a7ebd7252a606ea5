"""Machine drafts: a draft is a revision without an author, named by its engine; its words
and probabilities are kept beside it; a clip shows how far its drafting got; a save says how
many characters were typed for it.

Revision ID: 0009_drafts
Revises: 0008_time_on_task
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_drafts"
down_revision = "0008_time_on_task"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("revisions") as batch:
        batch.alter_column("author_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("engine", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("typed_chars", sa.Integer(), nullable=True))
    with op.batch_alter_table("clips") as batch:
        batch.add_column(sa.Column("draft_state", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("draft_done", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("draft_total", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("draft_note", sa.Text(), nullable=True))
    op.create_table(
        "draft_words",
        sa.Column("revision_id", sa.Integer(), sa.ForeignKey("revisions.id"), primary_key=True),
        sa.Column("words", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("draft_words")
    with op.batch_alter_table("clips") as batch:
        for column in ("draft_note", "draft_total", "draft_done", "draft_state"):
            batch.drop_column(column)
    with op.batch_alter_table("revisions") as batch:
        batch.drop_column("typed_chars")
        batch.drop_column("engine")
        batch.alter_column("author_id", existing_type=sa.Integer(), nullable=False)
