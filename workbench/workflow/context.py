"""The one context every workflow service shares: store, clock, policy, data directory, queue.

The ``Workbench`` (service.py) builds one ``Context`` and hands it to each service
(``People(ctx)``, ``Transcribing(ctx, views, …)``, …); a service depends only on it and on
the collaborators passed to it by name, never on another service's private methods.
``Service`` is the services' common root: it holds ``ctx`` and reads through to it, and
adds nothing else.

The context is mutable on purpose: a test (or the admin page) that swaps the policy or the
``drafts_allowed`` hook on the ``Workbench`` swaps it for every service at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from workbench.store import audit
from workbench.store.db import Store
from workbench.workflow.policy import Policy

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Context:
    """What the services share. ``queue`` produces background jobs (``enqueue_processing``,
    ``enqueue_drafting``); it is built outside the workflow and passed in.
    ``drafts_allowed(task, segment)``: whether a segment may be drafted and show its draft
    (drafting.py)."""

    store: Store
    data_dir: Path
    clock: Clock
    policy: Policy
    queue: object
    drafts_allowed: Callable | None = None

    def now(self) -> datetime:
        moment = self.clock()
        if moment.tzinfo is None:
            raise ValueError("the clock must return an aware UTC datetime")
        return moment.astimezone(timezone.utc)

    def path(self, stored: str) -> Path:
        """A stored path: relative ones live under the data directory."""
        path = Path(stored)
        return path if path.is_absolute() else self.data_dir / path

    def stored_path(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.data_dir.resolve()))
        except ValueError:
            return str(path.resolve())

    def audit(self, session, actor_id: int | None, action: str, entity: str, entity_id: int, *,
              task_id: int | None = None, **detail) -> None:
        """Record a state change now, through the one audit writer (``store.audit``)."""
        audit.record(session, at=self.now(), actor_id=actor_id, action=action, entity=entity,
                     entity_id=entity_id, task_id=task_id, detail=detail)


class Service:
    """A workflow service over ``ctx``: ``store``, ``policy``, ``data_dir``, ``queue``,
    ``now()`` and ``_audit`` read through to it."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    @property
    def store(self) -> Store:
        return self.ctx.store

    @property
    def policy(self) -> Policy:
        return self.ctx.policy

    @property
    def data_dir(self) -> Path:
        return self.ctx.data_dir

    @property
    def queue(self):
        return self.ctx.queue

    def now(self) -> datetime:
        return self.ctx.now()

    def _audit(self, session, actor_id: int | None, action: str, entity: str, entity_id: int, *,
               task_id: int | None = None, **detail) -> None:
        self.ctx.audit(session, actor_id, action, entity, entity_id, task_id=task_id, **detail)
