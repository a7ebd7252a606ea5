"""Clip leases: the worker processing a clip holds a lease it keeps renewing; a clip whose
lease ran out (its worker died) is queued again, a bounded number of times.

Revision ID: 0006_clip_lease
Revises: 0005_plays_intervals
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workbench.store.types import UTCDateTime

revision = "0006_clip_lease"
down_revision = "0005_plays_intervals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("clips") as batch:
        batch.add_column(sa.Column("lease_owner", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("lease_until", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("clips") as batch:
        batch.drop_column("attempts")
        batch.drop_column("lease_until")
        batch.drop_column("lease_owner")
