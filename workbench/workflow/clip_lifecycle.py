"""A clip's life after its upload: withdraw it, correct its language or project, dismiss a
failed one from the list, and a transcriber's "wrong language for the whole clip".

Nothing is deleted: a withdrawn or dismissed clip keeps its row, its task, its segments and
its audit rows. A withdrawn clip's task is "held" (domain/states.py): out of every queue,
its media refused to everyone (media.py, timeline.py). A clip sent back as the wrong
language is held too, its task released, until an admin corrects its language (or confirms
it) with ``correct_clip``, which puts it in the right language's queue.

The duplicate check of an upload (its content hash) lives with the import (clips.py).
"""

from __future__ import annotations

from workbench.domain.states import TaskState, task_may, task_move
from workbench.store import repo
from workbench.store.models import Clip, Task
from workbench.workflow import access, rows
from workbench.workflow.context import Context, Service
from workbench.workflow.domain import Actor, ClipView, TaskSummary
from workbench.workflow.errors import InvalidInput, InvalidTransition
from workbench.workflow.limits import NAME, REASON, check_language, checked_text, required_text
from workbench.workflow.tasks import release
from workbench.workflow.views import Views


class ClipLifecycle(Service):
    def __init__(self, ctx: Context, *, views: Views) -> None:
        super().__init__(ctx)
        self.views = views

    def withdraw_clip(self, actor: Actor, clip_id: int, *, reason: str) -> ClipView:
        """Take a clip out of the work for good (admin): its task leaves every queue and
        whoever held it, nobody can open its media. Refused while it is being processed and
        once its task is complete (paid). The reason goes to the audit log."""
        reason = required_text(checked_text(reason, "reason", limit=REASON), "Say why the clip is withdrawn.")
        with self.store.session() as session:
            admin = access.require_admin(session, actor)
            clip = rows.clip(session, clip_id, lock=True)
            if clip.withdrawn_at is not None:
                raise InvalidTransition(f"Clip {clip.id} is already withdrawn.")
            if clip.status == "processing":
                raise InvalidTransition(f"Clip {clip.id} is being processed; withdraw it once processing ends.")
            task = _task_of(session, clip)
            old_state = task.state if task else None
            if task is not None:
                if not task_may(task.state, "withdraw"):
                    raise InvalidTransition(f"Clip {clip.id}'s task is {task.state}: finished (paid) work "
                                            "cannot be withdrawn.")
                task.state = task_move(task.state, "withdraw")
            clip.withdrawn_at, clip.withdrawn_by_id = self.now(), admin.id
            self._audit(session, admin.id, "clip.withdrawn", "clip", clip.id, task_id=task.id if task else None,
                        reason=reason, task_state=old_state)
            return self.views.clip_views(session, [clip])[0]

    def correct_clip(self, actor: Actor, clip_id: int, *, language: str | None = None,
                     project: str | None = None, reason: str) -> ClipView:
        """Correct a clip's language and/or project before any work is done on it (admin).
        A clip sent back as the wrong language goes to the (corrected) language's queue, even
        when nothing changes (the report was wrong). Refused for a withdrawn clip and once
        anyone typed, marked, split, merged or reviewed any segment of it."""
        reason = required_text(checked_text(reason, "reason", limit=REASON), "Say why the clip is corrected.")
        if language is not None:
            check_language(language)
        if project is not None:
            project = required_text(checked_text(project, "project", limit=NAME), "Give the clip's project name.")
        with self.store.session() as session:
            admin = access.require_admin(session, actor)
            clip = rows.clip(session, clip_id, lock=True)
            task = _task_of(session, clip)
            self._check_correctable(session, clip, task)
            changes = {field: {"old": getattr(clip, field), "new": value}
                       for field, value in (("language", language), ("project", project))
                       if value is not None and value != getattr(clip, field)}
            held = task is not None and task.state == TaskState.HELD
            if not changes and not held:
                raise InvalidInput(f"Clip {clip.id} already has language {clip.language} and project {clip.project}.")
            if task is not None and "language" in changes and task.state == TaskState.IN_PROGRESS:
                release(self.ctx, session, admin, task, reason=f"the clip's language was corrected: {reason}")
            for field, change in changes.items():
                setattr(clip, field, change["new"])
            if task is not None:
                task.language = clip.language
                if held:
                    task.state, task.transcriber_id, task.claimed_at = task_move(task.state, "reopen"), None, None
            clip.language_report_by_id = clip.language_report_at = None
            self._audit(session, admin.id, "clip.corrected", "clip", clip.id, task_id=task.id if task else None,
                        reason=reason, reopened=held, **changes)
            return self.views.clip_views(session, [clip])[0]

    def dismiss_clip(self, actor: Actor, clip_id: int) -> ClipView:
        """Hide a failed clip from the clip list (admin); it stays in the store and the audit
        log (``list_clips(include_dismissed=True)`` shows it), and a retry brings it back."""
        with self.store.session() as session:
            admin = access.require_admin(session, actor)
            clip = rows.clip(session, clip_id, lock=True)
            if clip.status != "failed":
                raise InvalidTransition(f"Clip {clip.id} is {clip.status}; only a failed clip can be dismissed.")
            if clip.dismissed_at is not None:
                raise InvalidTransition(f"Clip {clip.id} is already dismissed.")
            clip.dismissed_at = self.now()
            self._audit(session, admin.id, "clip.dismissed", "clip", clip.id, error=clip.error)
            return self.views.clip_views(session, [clip])[0]

    def send_back_wrong_language(self, actor: Actor, task_id: int) -> TaskSummary:
        """The transcriber of a task they are working on says the whole clip is in another
        language than its label: the task leaves their hands and every queue, and the clip
        waits in the admin's clip list (with who reported it) for ``correct_clip``."""
        with self.store.session() as session:
            user = access.require_worker(session, actor, "transcriber")
            task = rows.task(session, task_id, lock=True)
            access.may_edit(user, task)
            if not task_may(task.state, "send_back"):
                raise InvalidTransition(f"Task {task.id} is {task.state}; only a task you are transcribing "
                                        "can be sent back for its language.")
            task.state, task.transcriber_id, task.claimed_at = task_move(task.state, "send_back"), None, None
            clip = rows.clip(session, task.clip_id, lock=True)
            clip.language_report_by_id, clip.language_report_at = user.id, self.now()
            self._audit(session, user.id, "clip.wrong_language", "clip", clip.id, task_id=task.id,
                        language=task.language)
            return self.views.task_summary(session, task)

    # --- helpers ------------------------------------------------------------------------

    @staticmethod
    def _check_correctable(session, clip: Clip, task: Task | None) -> None:
        if clip.withdrawn_at is not None:
            raise InvalidTransition(f"Clip {clip.id} is withdrawn; it cannot be corrected.")
        if task is None:
            return
        if (task.state not in (TaskState.OPEN, TaskState.IN_PROGRESS, TaskState.HELD) or task.review_round > 0
                or repo.people_worked_on(session, task.id)):
            raise InvalidTransition(f"Clip {clip.id} cannot be corrected: work was already done on it (its task is "
                                    f"{task.state.replace('_', ' ')}, with segments typed or reviewed). "
                                    "Withdraw it and upload it again instead.")


def _task_of(session, clip: Clip) -> Task | None:
    task = repo.tasks_by_clip(session, [clip.id]).get(clip.id)
    return rows.task(session, task.id, lock=True) if task is not None else None
