"""The one audit writer: every state change of the workflow, pay and export is recorded here.

``record`` adds one ``audit_log`` row in the caller's transaction, so the entry exists
exactly when the change does. ``detail`` becomes sorted JSON (non-JSON values such as
dates as their ``str``); ``task_id`` files the entry under a task's own log as well.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert
from sqlalchemy.orm import Session

from workbench.store.models import AuditEntry

_INSERT = insert(AuditEntry)  # built once: the claim's hot path writes through a plain connection


def record(session: Session | Connection, *, at: datetime, actor_id: int | None, action: str, entity: str, entity_id: int,
           task_id: int | None = None, detail: Mapping[str, Any] | None = None) -> None:
    """Record that ``actor_id`` (None: the system) did ``action`` to ``entity`` ``entity_id``:
    added to an ORM session (flushed with the rest), or inserted at once on a plain connection."""
    row = dict(at=at, actor_id=actor_id, action=action, entity=entity, entity_id=entity_id, task_id=task_id,
               detail=json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str) if detail else "")
    if isinstance(session, Connection):
        session.execute(_INSERT, row)
    else:
        session.add(AuditEntry(**row))
