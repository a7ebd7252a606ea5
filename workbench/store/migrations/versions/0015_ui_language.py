"""The language each user reads the pages in, when they chose one (None: their browser's).

Revision ID: 0015_ui_language
Revises: 0014_double
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_ui_language"
down_revision = "0014_double"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("ui_language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("ui_language")
