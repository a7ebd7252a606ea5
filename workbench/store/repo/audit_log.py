"""Reading the audit log (writing it is ``store.audit``)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.store.models import AuditEntry


def audit_entries(session: Session, *, task_id: int | None, limit: int) -> Sequence[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if task_id is not None:
        query = query.where(AuditEntry.task_id == task_id)
    return session.scalars(query).all()
