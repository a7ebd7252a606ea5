"""Shared by the store's query modules: the backend and the one row getter."""

from __future__ import annotations


from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from workbench.domain.states import EDITABLE


HELD_STATES = EDITABLE  # what a transcriber holds is what they may edit


def is_postgres(session: Session | Connection) -> bool:
    bind = session if isinstance(session, Connection) else session.get_bind()
    return bind.dialect.name == "postgresql"


def _get(session: Session, model, row_id: int, *, lock: bool):
    """The row; with ``lock`` it stays locked (PostgreSQL) until the transaction ends, even
    when the session already holds it (the SELECT ... FOR UPDATE is always sent)."""
    if lock and is_postgres(session):
        query = select(model).where(model.id == row_id).with_for_update().execution_options(populate_existing=True)
        return session.scalars(query).one_or_none()
    return session.get(model, row_id)
