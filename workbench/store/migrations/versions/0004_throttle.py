"""Sign-in and application throttling: token buckets, and the client of each login
attempt and application.

Revision ID: 0004_throttle
Revises: 0003_sessions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workbench.store.types import UTCDateTime

revision = "0004_throttle"
down_revision = "0003_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "throttle_buckets",
        sa.Column("key", sa.String(length=128), primary_key=True),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_throttle_buckets_at", "throttle_buckets", ["at"])
    with op.batch_alter_table("login_attempts") as batch:
        batch.add_column(sa.Column("client", sa.String(length=64), nullable=True))
    op.create_index("ix_login_attempts_username_client_at", "login_attempts", ["username", "client", "at"])
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("client", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("client")
    op.drop_index("ix_login_attempts_username_client_at", table_name="login_attempts")
    with op.batch_alter_table("login_attempts") as batch:
        batch.drop_column("client")
    op.drop_index("ix_throttle_buckets_at", table_name="throttle_buckets")
    op.drop_table("throttle_buckets")
