"""The ``Workbench`` facade: every action of the UI and the CLI goes through it.

Every method takes the acting user (``Actor``) first and checks role, language and
ownership itself, so the rules hold whatever the caller. Each call is one database
transaction: it either happens completely or changes nothing.

>>> wb = Workbench.open(data_dir=Path("/tmp/wb"))                # doctest: +SKIP
>>> admin = wb.create_user(None, username="admin", password="change-me!",
...                        name="Admin", roles={"admin"})        # doctest: +SKIP

The parts live in their own modules: people.py (accounts, applications, grades),
sessions.py (sign-in sessions), clips.py (import and processing), transcribing.py,
review.py and media.py (audio).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from workbench.config import Settings
from workbench.store import repo
from workbench.store.db import Store
from workbench.workflow import access
from workbench.workflow.base import Clock, check_language, required_text, utc_now
from workbench.workflow.clips import Clips
from workbench.workflow.drafting import Drafting
from workbench.workflow.domain import TASK_STATES, Actor, AuditEntry, TaskSummary
from workbench.workflow.errors import InvalidInput
from workbench.workflow.gold import Gold
from workbench.workflow.limits import NAME, REASON, checked_text
from workbench.workflow.media import Media
from workbench.workflow.people import People
from workbench.workflow.policy import Policy
from workbench.workflow.sessions import Sessions
from workbench.workflow.time_on_task import TimeOnTask


class Workbench(People, Sessions, Clips, Gold, Drafting, Media, TimeOnTask):
    """The workbench of one deployment: its database, data directory, clock and queue.

    Public attributes other parts use: ``store`` (``.session()`` gives a transaction,
    ``.engine``), ``data_dir``, ``clock()`` (aware UTC now), ``policy``, ``queue``.
    """

    @classmethod
    def open(cls, *, database_url: str | None = None, data_dir: Path | str | None = None,
             clock: Clock | None = None, policy: Policy | None = None, queue=None) -> "Workbench":
        """Open (and upgrade to the newest schema) the workbench.

        Defaults come from the environment: ``WORKBENCH_DATA_DIR``, and
        ``WORKBENCH_DATABASE_URL`` or else a SQLite file in the data directory. ``queue`` defaults to the huey queue
        (``WORKBENCH_QUEUE_URL`` or a SQLite queue file in the data directory), which only
        produces jobs: workers consume them (``workbench.worker``); ``worker.open_immediate``
        runs them synchronously in scripts and tests.
        """
        settings = Settings.from_env(data_dir=data_dir)
        if database_url:
            settings = dataclasses.replace(settings, database_url=database_url)
        data_dir = settings.data_dir
        # Owner-only, also when it was created before (0755 by default): other users of the
        # machine must not read the database, uploads or applicants' documents.
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        data_dir.chmod(0o700)
        store = Store.open(settings.database_url)
        if queue is None:
            from workbench.queue import HueyQueue

            queue = HueyQueue(settings)
        return cls(store=store, data_dir=data_dir, clock=clock or utc_now,
                   policy=policy or Policy.from_env(), queue=queue)

    def close(self) -> None:
        self.store.close()

    def audit_log(self, actor: Actor, *, task_id: int | None = None, limit: int = 200) -> list[AuditEntry]:
        """The latest state changes, newest first (admin; a task's own people for its log)."""
        with self.store.reading() as session:
            user = access.current(session, actor)
            if task_id is None:
                access.require_admin(session, user)
            else:
                access.may_view(user, self._task(session, task_id))
            rows = repo.audit_entries(session, task_id=task_id, limit=limit)
            users = repo.users_by_id(session, [r.actor_id for r in rows])
            return [AuditEntry(id=r.id, at=r.at, actor=users[r.actor_id].username if r.actor_id else None,
                               action=r.action, entity=r.entity, entity_id=r.entity_id, task_id=r.task_id,
                               detail=r.detail) for r in rows]

    def release_task(self, actor: Actor, task_id: int, *, reason: str) -> TaskSummary:
        """Take a task back from a worker who left (admin): a claimed or returned task is
        offered again to every transcriber of its language, a review in progress (or a
        resubmission waiting for its reviewer) goes back to the review queue. Text and
        history stay; the reason goes to the audit log."""
        reason = required_text(checked_text(reason, "reason", limit=REASON), "Say why the task is taken back.")
        with self.store.session() as session:
            admin = access.require_admin(session, actor)
            task = self._task(session, task_id, lock=True)
            self._release(session, admin, task, reason=reason)
            return self._task_summary(session, task)

    def list_tasks(self, actor: Actor, *, state: str | None = None, language: str | None = None,
                   project: str | None = None) -> list[TaskSummary]:
        """All tasks, filtered (admin)."""
        if state is not None and state not in TASK_STATES:
            raise InvalidInput(f"Unknown task state {state!r}; choose one of {', '.join(TASK_STATES)}.")
        if language is not None:
            check_language(language)
        if project is not None:
            checked_text(project, "project", limit=NAME)
        with self.store.reading() as session:
            access.require_admin(session, actor)
            tasks = repo.tasks_where(session, states=[state] if state else None, language=language,
                                     project=project)
            return self._task_summaries(session, tasks)
