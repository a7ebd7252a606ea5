"""Tasks as the admin sees them: the list, the audit log, taking a task back or giving it
to another transcriber, and each transcriber's throughput.

``release`` is also how closing an account (people.py) hands its tasks back.
"""

from __future__ import annotations

from datetime import timedelta

from workbench.domain.states import TaskState, task_may, task_move
from workbench.store import repo
from workbench.store.models import Task
from workbench.workflow import access, rows
from workbench.workflow.context import Context, Service
from workbench.workflow.domain import TASK_STATES, Actor, AuditEntry, TaskSummary, WorkerThroughput
from workbench.workflow.errors import InvalidInput, InvalidTransition, NotFound
from workbench.workflow.limits import NAME, REASON, check_language, checked_int, checked_text, required_text

# What a reassignment may take a task from: nobody (open), or the transcriber holding it.
REASSIGNABLE = (TaskState.OPEN, TaskState.IN_PROGRESS, TaskState.RETURNED)
from workbench.workflow.views import Views


def release(ctx: Context, session, admin: Actor, task: Task, *, reason: str) -> None:
    """Offer a held task again: a claimed or returned task to every transcriber of its
    language, a review in progress (or a resubmission waiting for its reviewer) to
    every reviewer. Text and history stay; the reason goes to the audit log."""
    old = task.state
    reviewing = old in (TaskState.SUBMITTED, TaskState.IN_REVIEW)
    if not task_may(old, "release") or (reviewing and task.reviewer_id is None):
        raise InvalidTransition(f"Task {task.id} is {task.state}; nobody holds it.")
    task.state = task_move(old, "release")
    if task.state == TaskState.OPEN:
        task.transcriber_id, task.claimed_at = None, None
    if task.state == TaskState.SUBMITTED or old == TaskState.RETURNED:
        task.reviewer_id = None
    ctx.audit(session, admin.id, "task.released", "task", task.id, task_id=task.id, old=old, reason=reason)


class Tasks(Service):
    def __init__(self, ctx: Context, *, views: Views) -> None:
        super().__init__(ctx)
        self.views = views

    def audit_log(self, actor: Actor, *, task_id: int | None = None, limit: int = 200) -> list[AuditEntry]:
        """The latest state changes, newest first (admin; a task's own people for its log)."""
        with self.store.reading() as session:
            user = access.current(session, actor)
            if task_id is None:
                access.require_admin(session, user)
            else:
                access.may_view(user, rows.task(session, task_id))
            entries = repo.audit_entries(session, task_id=task_id, limit=limit)
            users = repo.users_by_id(session, [r.actor_id for r in entries])
            return [AuditEntry(id=r.id, at=r.at, actor=users[r.actor_id].username if r.actor_id else None,
                               action=r.action, entity=r.entity, entity_id=r.entity_id, task_id=r.task_id,
                               detail=r.detail) for r in entries]

    def release_task(self, actor: Actor, task_id: int, *, reason: str) -> TaskSummary:
        """Take a task back from a worker who left (admin): a claimed or returned task is
        offered again to every transcriber of its language, a review in progress (or a
        resubmission waiting for its reviewer) goes back to the review queue. Text and
        history stay; the reason goes to the audit log."""
        reason = required_text(checked_text(reason, "reason", limit=REASON), "Say why the task is taken back.")
        with self.store.session() as session:
            admin = access.require_admin(session, actor)
            task = rows.task(session, task_id, lock=True)
            release(self.ctx, session, admin, task, reason=reason)
            return self.views.task_summary(session, task)

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
            found = repo.tasks_where(session, states=[state] if state else None, language=language,
                                     project=project)
            return self.views.task_summaries(session, found)

    def reassign_task(self, actor: Actor, task_id: int, *, username: str, reason: str) -> TaskSummary:
        """Give an open task, or one a transcriber holds (in progress or returned), to
        another approved transcriber of its language (admin). Text and history stay; the
        reason goes to the audit log. Never to the reviewer of the same task."""
        reason = required_text(checked_text(reason, "reason", limit=REASON), "Say why the task is reassigned.")
        username = required_text(checked_text(username, "username", limit=NAME), "Name the transcriber.")
        with self.store.session() as session:
            admin = access.require_admin(session, actor)
            task = rows.task(session, task_id, lock=True)
            row = repo.user_by_username(session, username)
            if row is None:
                raise NotFound(f"No user {username!r}.")
            worker = access.actor_of(row)
            if not worker.is_transcriber or worker.status != "approved":
                raise InvalidInput(f"{username} is not an approved transcriber.")
            if worker.language != task.language:
                raise InvalidInput(f"{username} transcribes {worker.language}; task {task.id} is in {task.language}.")
            if task.state not in REASSIGNABLE:
                raise InvalidTransition(f"Task {task.id} is {task.state}; only an open task or one a transcriber "
                                        "holds can be reassigned (release a review instead).")
            if worker.id in (task.transcriber_id, task.reviewer_id):
                raise InvalidInput(f"Task {task.id} is already {username}'s, or {username} reviews it.")
            old, previous = task.state, task.transcriber_id
            if task.state == TaskState.OPEN:
                task.state = task_move(task.state, "claim")
            task.transcriber_id, task.claimed_at = worker.id, self.now()
            self._audit(session, admin.id, "task.reassigned", "task", task.id, task_id=task.id, old=old,
                        from_user=previous, to_user=worker.id, reason=reason)
            return self.views.task_summary(session, task)

    def worker_throughput(self, actor: Actor, *, days: int = 7) -> list[WorkerThroughput]:
        """Each transcriber's audio minutes submitted and accepted over the last ``days``
        days, and their hours on task then (admin), busiest first."""
        days = checked_int(days, "days", low=1, high=366)
        since = self.now() - timedelta(days=days)
        with self.store.reading() as session:
            access.require_admin(session, actor)
            tasks = repo.transcribed_since(session, since)
            durations = repo.live_durations(session, [t.id for t in tasks])
            seconds = repo.transcribing_seconds_since(session, since)
            users = repo.users_by_id(session, [t.transcriber_id for t in tasks] + list(seconds))
            figures = {user_id: [0, 0.0, 0.0] for user_id in users}
            for task in tasks:
                entry = figures[task.transcriber_id]
                if task.submitted_at is not None and task.submitted_at >= since:
                    entry[0] += 1
                    entry[1] += durations.get(task.id, 0.0) / 60
                if task.completed_at is not None and task.completed_at >= since:
                    entry[2] += durations.get(task.id, 0.0) / 60
            found = [WorkerThroughput(username=users[user_id].username, days=days, tasks_submitted=count,
                                      submitted_minutes=submitted, accepted_minutes=accepted,
                                      active_hours=seconds.get(user_id, 0.0) / 3600)
                     for user_id, (count, submitted, accepted) in figures.items()]
            return sorted(found, key=lambda f: (-f.submitted_minutes, f.username))
