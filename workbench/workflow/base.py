"""What every part of the ``Workbench`` facade shares: store, clock, policy, views, audit."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path

from workbench.store import repo
from workbench.store.db import Store
from workbench.store.models import Clip, Segment, Task, User
from workbench.workflow.domain import LANGUAGES, Actor, ClipView, SegmentView, TaskSummary
from workbench.workflow.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied
from workbench.workflow.guidelines import Problem, SegmentForCheck, check_segments
from workbench.workflow.listening import total
from workbench.workflow.limits import USERNAME, checked_id, storable
from workbench.workflow.policy import Policy

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def actor_of(user: User) -> Actor:
    roles = {role for role, flag in (("admin", user.is_admin), ("reviewer", user.is_reviewer),
                                     ("transcriber", user.is_transcriber)) if flag}
    return Actor(id=user.id, username=user.username, name=user.name, roles=frozenset(roles),
                 language=user.language, status=user.status)


def heard_share(spans: Iterable[tuple[float, float]], duration: float) -> float:
    """The share (0..1) of a segment of ``duration`` seconds that ``spans`` cover."""
    return min(1.0, total(spans) / duration) if duration > 0 else 0.0


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise InvalidInput(f"Unknown language {language!r}; choose one of {', '.join(LANGUAGES)}.")
    return language


def required_text(text: str | None, missing: str) -> str:
    """``text`` stripped, or ``InvalidInput(missing)`` when nothing is left."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput(missing)
    return text


class WorkbenchBase:
    """State and helpers shared by the facade's parts (people, clips, transcribing, review)."""

    def __init__(self, *, store: Store, data_dir: Path, clock: Clock, policy: Policy, queue) -> None:
        self.store = store
        self.data_dir = data_dir
        self.clock = clock
        self.policy = policy
        self.queue = queue

    def now(self) -> datetime:
        moment = self.clock()
        if moment.tzinfo is None:
            raise ValueError("the clock must return an aware UTC datetime")
        return moment.astimezone(timezone.utc)

    # --- who is acting ------------------------------------------------------------------

    def _user(self, session, actor: Actor) -> User:
        """The acting user as stored now (roles and status may have changed since login)."""
        user = session.get(User, actor.id)
        if user is None:
            raise PermissionDenied("Your account no longer exists.")
        return user

    def _admin(self, session, actor: Actor) -> User:
        user = self._user(session, actor)
        if not user.is_admin:
            raise PermissionDenied("Only an admin can do this.")
        return user

    def _worker(self, session, actor: Actor, role: str) -> User:
        """An approved transcriber or reviewer (``role``) with a language."""
        return self._may_work(self._user(session, actor), role)

    @staticmethod
    def _may_work(user, role: str):
        """``user`` (a ``User``, or a row of ``repo.actor_row``) if it is an approved
        ``role`` with a language, else PermissionDenied."""
        if user is None:
            raise PermissionDenied("Your account no longer exists.")
        if not getattr(user, f"is_{role}"):
            raise PermissionDenied(f"Only a {role} can do this.")
        if user.status != "approved":
            raise PermissionDenied("Your account is not approved yet.")
        if user.language is None:
            raise PermissionDenied("Your account has no language; ask an admin.")
        return user

    # --- rows ---------------------------------------------------------------------------

    @staticmethod
    def _named(session, username: str) -> User:
        if not storable(username, limit=USERNAME):
            raise NotFound("No such user.")
        user = repo.user_by_username(session, username)
        if user is None:
            raise NotFound(f"No user {username!r}.")
        return user

    def _task(self, session, task_id: int, *, lock: bool = False) -> Task:
        task_id = checked_id(task_id, "task")
        task = repo.get_task(session, task_id, lock=lock)
        if task is None:
            raise NotFound(f"No task {task_id}.")
        return task

    def _segment(self, session, segment_id: int) -> tuple[Segment, Task]:
        segment_id = checked_id(segment_id, "segment")
        segment = repo.get_segment(session, segment_id)
        if segment is None or segment.merged_into_id is not None:
            raise NotFound(f"No segment {segment_id}.")
        return segment, session.get(Task, segment.task_id)

    def _clip(self, session, clip_id: int, *, lock: bool = False) -> Clip:
        clip_id = checked_id(clip_id, "clip")
        clip = repo.get_clip(session, clip_id, lock=lock)
        if clip is None:
            raise NotFound(f"No clip {clip_id}.")
        return clip

    def _path(self, stored: str) -> Path:
        """A stored path: relative ones live under the data directory."""
        path = Path(stored)
        return path if path.is_absolute() else self.data_dir / path

    def _stored_path(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.data_dir.resolve()))
        except ValueError:
            return str(path.resolve())

    # --- audit --------------------------------------------------------------------------

    def _audit(self, session, actor_id: int | None, action: str, entity: str, entity_id: int, *,
               task_id: int | None = None, **detail) -> None:
        repo.write_audit(session, at=self.now(), actor_id=actor_id, action=action, entity=entity,
                         entity_id=entity_id, task_id=task_id,
                         detail=json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else "")

    # --- handing work back -------------------------------------------------------------

    def _release(self, session, admin: User, task: Task, *, reason: str) -> None:
        """Offer a held task again: a claimed or returned task to every transcriber of its
        language, a review in progress (or a resubmission waiting for its reviewer) to
        every reviewer. Text and history stay; the reason goes to the audit log."""
        old = task.state
        if task.state in repo.HELD_STATES:
            task.state, task.transcriber_id, task.claimed_at = "open", None, None
            if old == "returned":
                task.reviewer_id = None
        elif task.state in ("in_review", "submitted") and task.reviewer_id is not None:
            task.state, task.reviewer_id = "submitted", None
        else:
            raise InvalidTransition(f"Task {task.id} is {task.state}; nobody holds it.")
        self._audit(session, admin.id, "task.released", "task", task.id, task_id=task.id, old=old, reason=reason)

    # --- views --------------------------------------------------------------------------

    def _task_summaries(self, session, tasks: Sequence[Task]) -> list[TaskSummary]:
        ids = [t.id for t in tasks]
        clips = repo.clips_by_id(session, [t.clip_id for t in tasks])
        users = repo.users_by_id(session, [t.transcriber_id for t in tasks] + [t.reviewer_id for t in tasks])
        counts = repo.live_segment_counts(session, ids)
        durations = repo.live_durations(session, ids)
        comments = repo.returned_comments(session, ids)

        def name(user_id: int | None) -> str | None:
            return users[user_id].username if user_id is not None else None

        return [
            TaskSummary(
                id=t.id, clip_id=t.clip_id, clip_name=clips[t.clip_id].filename,
                project=clips[t.clip_id].project, language=t.language, state=t.state,
                priority=t.priority, transcriber=name(t.transcriber_id), reviewer=name(t.reviewer_id),
                counts=counts[t.id], duration=durations.get(t.id, 0.0),
                returned_comments=tuple(comments[t.id]), segment_count=sum(counts[t.id].values()),
                review_round=t.review_round, claimed_at=t.claimed_at, submitted_at=t.submitted_at,
                completed_at=t.completed_at,
            )
            for t in tasks
        ]

    def _task_summary(self, session, task: Task) -> TaskSummary:
        return self._task_summaries(session, [task])[0]

    def _segment_views(self, session, task: Task, segments: Sequence[Segment], *,
                       viewer: User | None = None, with_problems: bool = True) -> list[SegmentView]:
        problems: dict[int, list[Problem]] = {s.id: [] for s in segments}
        if with_problems:
            for problem in self._check(task.language, segments):
                problems[problem.segment_id].append(problem)
        heard = repo.heard_spans(session, viewer.id, segments) if viewer is not None else {}
        shares = {s.id: heard_share(heard.get(s.id, ()), s.end_s - s.start_s) for s in segments}
        reviewed = repo.reviewed_texts(session, [s.id for s in segments])
        return [
            SegmentView(
                id=s.id, task_id=s.task_id, position=s.position, start=s.start_s, end=s.end_s,
                text=s.text, version=s.version, status=s.status, no_speech_reason=s.no_speech_reason,
                review_comment=s.review_comment, problems=tuple(problems[s.id]),
                heard=shares[s.id] >= self.policy.heard_share, heard_share=shares[s.id],
                reviewed_text=reviewed.get(s.id),
            )
            for s in segments
        ]

    def _segment_view(self, session, task: Task, segment: Segment, *, viewer: User | None = None) -> SegmentView:
        return self._segment_views(session, task, [segment], viewer=viewer)[0]

    @staticmethod
    def _check(language: str, segments: Iterable[Segment]) -> list[Problem]:
        return check_segments(language, [
            SegmentForCheck(segment_id=s.id, position=s.position, text=s.text,
                            duration=s.end_s - s.start_s, no_speech=s.no_speech)
            for s in segments
        ])

    def _clip_views(self, session, clips: Sequence[Clip]) -> list[ClipView]:
        tasks = repo.tasks_by_clip(session, [c.id for c in clips])
        counts = repo.live_segment_counts(session, [t.id for t in tasks.values()])
        views = []
        for clip in clips:
            task = tasks.get(clip.id)
            views.append(ClipView(
                id=clip.id, filename=clip.filename, language=clip.language, project=clip.project,
                priority=clip.priority, status=clip.status, stage=clip.stage, percent=clip.percent,
                error=clip.error, duration=clip.duration, task_id=task.id if task else None,
                segment_count=sum(counts[task.id].values()) if task else 0, created_at=clip.created_at,
                report=json.loads(clip.report) if clip.report else {},
            ))
        return views
