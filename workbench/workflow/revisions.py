"""Revisions: every change of a segment's text is a new version, appended, never overwritten.

``Revisions(ctx, views)`` moves a segment to its next version in the same UPDATE that
checks the version it was typed on (``repo.bump_version``), so of two saves on one version
exactly one lands and the other gets ``StaleVersion`` with the stored segment. Transcribing
(saves, no-speech marks, splits, merges) and review (a reviewer's correction) both write
through it.
"""

from __future__ import annotations

from workbench.domain.states import EDITABLE, segment_may
from workbench.store import repo
from workbench.store.models import Revision, Segment, Task
from workbench.workflow import access, rows
from workbench.workflow.context import Context, Service
from workbench.workflow.domain import Actor
from workbench.workflow.errors import InvalidTransition, NotFound, StaleVersion
from workbench.workflow.limits import checked_id
from workbench.workflow.views import Views


class Revisions(Service):
    def __init__(self, ctx: Context, *, views: Views) -> None:
        super().__init__(ctx)
        self.views = views

    def editable(self, session, actor: Actor, segment_id: int):
        """The user, segment and task of an edit, the task row locked (PostgreSQL) until the
        transaction ends: a submit takes the same lock, so no edit lands after a submit has
        checked the text (on SQLite, BEGIN IMMEDIATE already runs writers one at a time)."""
        user = access.require_worker(session, actor, "transcriber")
        segment, task = rows.segment_for_change(session, segment_id)
        self._may_change(user, task, segment)
        return user, segment, task

    def editable_row(self, connection, actor: Actor, segment_id: int):
        """``editable`` on the save's hot path: the user and the one row of
        ``repo.segment_to_save`` (the task locked the same way), checked by the same rules.
        A fresh actor (resolved with the session in this request) costs no read."""
        segment_id = checked_id(segment_id, "segment")
        user = access.may_work(access.current_on(connection, actor), "transcriber")
        row = repo.segment_to_save(connection, segment_id)
        if row is None or row.merged_into_id is not None:
            raise NotFound(f"No segment {segment_id}.")
        self._may_change(user, row, row)
        return user, row

    @staticmethod
    def _may_change(user: Actor, task, segment) -> None:
        """The task is the user's and editable now, the segment not yet accepted (``task``
        and ``segment`` may be one row of ``repo.segment_to_save``: ``id`` is the task's)."""
        access.may_edit(user, task)
        if task.state not in EDITABLE:
            raise InvalidTransition(f"Task {task.id} is {task.state}; its text cannot change now.")
        if not segment_may(segment.status, "save"):
            raise InvalidTransition(f"Segment {segment.position} is already accepted and cannot change.")

    @staticmethod
    def retried_row(connection, user: Actor, row, base_version: int, kind: str, same, stored) -> bool:
        """``retried`` for a row of ``editable_row``: whether this change already went through
        on ``base_version``; StaleVersion carrying ``stored()`` (the segment's view as read)
        when the segment moved on for any other reason."""
        if row.version == base_version:
            return False
        if Revisions._same_change(repo.latest_revision_row(connection, row.segment_id), user, base_version, kind,
                                  same):
            return True
        raise StaleVersion(stored())

    @staticmethod
    def _same_change(latest, user: Actor, base_version: int, kind: str, same) -> bool:
        """Whether the latest revision is ``user``'s same change on ``base_version``."""
        return (latest is not None and latest.base_version == base_version and latest.kind == kind
                and latest.author_id == user.id and same(latest))

    def retried(self, session, user: Actor, task: Task, segment: Segment, base_version: int, kind: str,
                 same) -> bool:
        """Whether a change typed on ``base_version`` already went through (a retried request:
        the latest revision is this user's same change on that base). If the segment moved
        on for any other reason, StaleVersion carries the stored segment."""
        if segment.version == base_version:
            return False
        if self._same_change(repo.latest_revision(session, segment.id), user, base_version, kind, same):
            return True
        raise StaleVersion(self.views.segment_view(session, task, segment))

    def revise(self, session, user: Actor, task: Task, segment: Segment, base_version: int, *, kind: str,
                text: str, no_speech: bool, no_speech_reason: str | None, status: str,
                role: str = "transcriber", detail: dict | None = None, typed_chars: int | None = None,
                **columns) -> None:
        """Append a revision and move the segment to it, or raise StaleVersion."""
        if not repo.bump_version(session, segment, base_version, text=text, no_speech=no_speech,
                                 no_speech_reason=no_speech_reason, status=status, **columns):
            raise StaleVersion(self.views.segment_view(session, task, segment))
        session.add(Revision(segment_id=segment.id, version=base_version + 1, base_version=base_version,
                             text=text, no_speech=no_speech, no_speech_reason=no_speech_reason,
                             author_id=user.id, role=role, kind=kind, typed_chars=typed_chars,
                             created_at=self.now()))
        self._audit(session, user.id, f"segment.{kind}", "segment", segment.id, task_id=task.id,
                    version=base_version + 1, **(detail or {}))

    @staticmethod
    def shift_positions(session, task: Task, *, after: int, by: int) -> None:
        for segment in repo.live_segments(session, task.id):
            if segment.position > after:
                segment.position += by
        session.flush()
