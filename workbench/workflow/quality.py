"""Defect-rate rules per project, and the rework deadline (settings: quality_rules.py).

- **The daily check** (``run_quality_rules``) judges every worker once per Seoul day, per
  project and role, after the day is over: a transcriber's *defect rate* is the share of
  their segments whose final verdict of a review round that day was a return; a
  reviewer's is the share of their checked verdicts (a senior's second look, or a gold
  segment they accepted as the transcriber wrote it) that were wrong. A return that a later
  round accepted unchanged was *reversed*: it does not count at all (the accept does); when
  its day was judged already, the day is judged again without it first, and a step that
  would not have fired is closed; the days a closed suspension muted are judged again as if
  it had never been given (``quality_reversals``). A segment already named in an
  earlier defect-rate step never counts again. The day's figures go to
  ``quality_checks`` (one row per worker, project, role and day: a day is judged once),
  and ``quality_rules.judge_day`` says whether they bring a warning or a suspension.
  It runs from every clip worker's sweep (``worker.jobs_of``), for the days of the last
  ``LOOKBACK_DAYS`` not judged yet, and from ``workbench quality run``; it is idempotent.
- **The rework deadline** (``expire_rework``, the same sweep): a returned task not
  resubmitted within ``rework_hours`` of its last return is released to every transcriber
  (``tasks.release``: text and history stay) and marked *unfixed* against its transcriber;
  ``unfixed_to_block`` open marks bar them from the project.
- **Suspension** takes the worker off the project's queue: the claim skips its tasks
  (``suspended_projects``, one indexed read); a suspended reviewer cannot start its
  reviews. A warning and a suspension are shown on the worker's ``/work`` page
  (``my_quality_notices``) with the reason and the segments. Every step is audited; an
  admin lifts a suspension with a reason (``lift_suspension``), which also closes the
  warnings and unfixed marks that led to it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, timedelta

from workbench.store import quality_queries as qq
from workbench.store import repo
from workbench.store.quality_models import QualityAction, QualityCheck
from workbench.workflow import access, rows
from workbench.workflow.context import Context, Service
from workbench.workflow.domain import Actor
from workbench.workflow.errors import InvalidInput, InvalidTransition, NotFound
from workbench.workflow.limits import REASON, checked_id, checked_text, required_text
from workbench.workflow.quality_rules import (
    ROLES,
    Judgement,
    day_bounds,
    judge_day,
    quality_settings,
    rate,
    seoul_day,
)
from workbench.workflow.quality_reversals import undo_reversals
from workbench.workflow.quality_views import DefectRateView, QualityActionView
from workbench.workflow.tasks import release

LOOKBACK_DAYS = 3  # the sweep judges the days of the last three not judged yet
DEFECT_RULES = ("warn_rate", "suspend_rate", "instant_rate", "warnings")


class Quality(Service):
    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)

    # --- the daily check ------------------------------------------------------------------

    def run_quality_rules(self, actor: Actor | None = None, *, day: date | None = None) -> list[QualityActionView]:
        """Judge ``day`` (a Seoul day that is over), or else every unjudged day of the last
        ``LOOKBACK_DAYS``; the warnings and suspensions given. ``actor`` None is the system
        (the worker's sweep); anyone else must be an admin. A day already judged is left as
        it is."""
        today = seoul_day(self.now())
        if day is not None and (not isinstance(day, date) or day >= today):
            raise InvalidInput("Only a day that is over can be judged (days are Asia/Seoul).")
        days = [day] if day is not None else [today - timedelta(days=n) for n in range(LOOKBACK_DAYS, 0, -1)]
        with self.store.session() as session:
            if actor is not None:
                access.require_admin(session, actor)
            given = undo_reversals(self.ctx, session, today=today, rules=DEFECT_RULES, act=self._act,
                                  weigh=self._weigh)
            for one in days:
                given += self._judge(session, one)
            return self._views(session, given)

    def _judge(self, session, day: date) -> list[QualityAction]:
        """Judge every (worker, project, role) with checked work on ``day``, unless the day
        was judged already (a day is judged whole, in one transaction)."""
        if qq.checked_days(session, [day.isoformat()]):
            return []
        given = []
        for (user_id, project, role), (checked, defective) in sorted(self._figures(session, day).items()):
            given += self._judge_one(session, day, user_id, project, role, checked, defective)
        return given

    def _figures(self, session, day: date) -> dict[tuple[int, str, str], tuple[int, list[int]]]:
        """``{(user, project, role): (checked, defective segment ids)}`` of ``day``."""
        start, end = day_bounds(day)
        decisions = qq.decisions_between(session, start, end)
        gold = qq.gold_outcomes(session, {d.segment_id for d in decisions})
        counts: dict[tuple[int, str, str], list] = defaultdict(lambda: [0, []])
        for d in decisions:
            if d.transcriber_id is not None and not d.reversed:  # a reversed return is void
                entry = counts[(d.transcriber_id, d.project, "transcriber")]
                entry[0] += 1
                if d.decision == "returned":
                    entry[1].append(d.segment_id)
            if d.segment_id in gold and d.decision == "accepted" and d.review_round == 1 and not d.corrected:
                entry = counts[(d.reviewer_id, d.project, "reviewer")]
                entry[0] += 1
                if not gold[d.segment_id]:
                    entry[1].append(d.segment_id)
        for check in qq.senior_decisions_between(session, start, end):
            entry = counts[(check.reviewer_id, check.project, "reviewer")]
            entry[0] += 1
            if not check.confirmed:
                entry[1].append(check.segment_id)
        return {key: (checked, defective) for key, (checked, defective) in counts.items()}

    def _judge_one(self, session, day: date, user_id: int, project: str, role: str, checked: int,
                   defective: list[int]) -> list[QualityAction]:
        open_now = qq.open_actions(session, user_id=user_id, project=project, role=role)
        fresh, judgement, outcome = self._weigh(session, day, (user_id, project, role), checked, defective,
                                                open_warnings=sum(a.kind == "warning" for a in open_now),
                                                suspended=any(a.kind == "suspension" for a in open_now))
        session.add(QualityCheck(user_id=user_id, project=project, role=role, day=day.isoformat(), checked=checked,
                                 defects=len(fresh), rate=rate(len(fresh), checked), outcome=outcome,
                                 defect_ids=json.dumps(sorted(fresh)), checked_at=self.now()))
        self._audit(session, None, "quality.checked", "user", user_id, project=project, role=role,
                    day=day.isoformat(), checked=checked, defects=len(fresh), outcome=outcome)
        if outcome not in ("warning", "suspension"):
            return []
        return [self._act(session, user_id, project, role, kind=outcome, rule=judgement.rule,
                          reason=judgement.reason, day=day.isoformat(), segment_ids=fresh)]

    def _weigh(self, session, day: date, key: tuple[int, str, str], checked: int, defective: list[int], *,
               open_warnings: int, suspended: bool) -> tuple[list[int], Judgement, str]:
        """What ``day``'s figures bring one (worker, project, role): the ``defective`` segments
        that count (no earlier defect-rate step named them), the judgement with the window's
        judged days before ``day`` and ``open_warnings``, and the outcome to record (``none``
        for a step while the worker is ``suspended``). The first judgement of a day and
        ``quality_reversals``' judging again of a day a reversed suspension muted share it."""
        user_id, project, role = key
        settings = quality_settings(project)
        named = self._named_segments(session, user_id, project, role)
        fresh = [s for s in defective if s not in named]
        first = (day - timedelta(days=settings.window_days - 1)).isoformat()
        window_checked, window_defects = qq.window_totals(session, user_id=user_id, project=project, role=role,
                                                          first=first, last=(day - timedelta(days=1)).isoformat())
        judgement = judge_day(settings, checked=checked, defects=len(fresh), window_checked=window_checked + checked,
                              window_defects=window_defects + len(fresh), open_warnings=open_warnings)
        return fresh, judgement, "none" if suspended and judgement.outcome != "too_few" else judgement.outcome

    @staticmethod
    def _named_segments(session, user_id: int, project: str, role: str) -> set[int]:
        """Segments an earlier defect-rate step named (the rework deadline's marks are another
        rule, about the task, and name them too without taking them from this one)."""
        named: set[int] = set()
        for action in qq.actions(session, user_id=user_id, limit=10_000):
            if (action.project, action.role) == (project, role) and action.rule in DEFECT_RULES:
                named.update(json.loads(action.segment_ids))
        return named

    def _act(self, session, user_id: int, project: str, role: str, *, kind: str, rule: str, reason: str,
             day: str | None = None, task_id: int | None = None, segment_ids=()) -> QualityAction:
        action = QualityAction(user_id=user_id, project=project, role=role, kind=kind, rule=rule, reason=reason,
                               day=day, task_id=task_id, segment_ids=json.dumps(sorted(segment_ids)),
                               created_at=self.now())
        session.add(action)
        session.flush()
        self._audit(session, None, f"quality.{kind}", "user", user_id, project=project, role=role, rule=rule,
                    reason=reason, segments=sorted(segment_ids), action_id=action.id)
        return action

    # --- the rework deadline --------------------------------------------------------------

    def expire_rework(self, actor: Actor | None = None) -> list[int]:
        """Release every returned task whose rework is overdue (module docstring); the ids
        released. ``actor`` None is the system; anyone else must be an admin."""
        released = []
        with self.store.session() as session:
            admin = access.require_admin(session, actor) if actor is not None else None
            now = self.now()
            # The shortest deadline a project may set is an hour; each task's own is checked below.
            for task, project, returned_at in qq.returned_tasks_since_before(session, now - timedelta(hours=1)):
                settings = quality_settings(project)
                if returned_at > now - settings.rework_deadline:
                    continue
                worker_id = task.transcriber_id
                segments = [s.id for s in repo.live_segments(session, task.id) if s.status == "returned"]
                release(self.ctx, session, admin or _SYSTEM, task,
                        reason=f"rework not resubmitted within {settings.rework_hours:g} h")
                released.append(task.id)
                if worker_id is None:
                    continue
                self._act(session, worker_id, project, "transcriber", kind="unfixed", rule="rework_hours",
                          reason=f"Task {task.id} was not resubmitted within {settings.rework_hours:g} h of its "
                                 "return; it went back to the queue.", task_id=task.id, segment_ids=segments)
                self._block_if_unfixed(session, worker_id, project, settings.unfixed_to_block)
            return released

    def _block_if_unfixed(self, session, user_id: int, project: str, limit: int) -> None:
        open_now = qq.open_actions(session, user_id=user_id, project=project, role="transcriber")
        unfixed = [a for a in open_now if a.kind == "unfixed"]
        if len(unfixed) >= limit and not any(a.kind == "suspension" for a in open_now):
            self._act(session, user_id, project, "transcriber", kind="suspension", rule="unfixed_to_block",
                      reason=f"{len(unfixed)} returned tasks were left unfixed past the rework deadline.",
                      segment_ids=[s for a in unfixed for s in json.loads(a.segment_ids)])

    # --- lifting and reading ----------------------------------------------------------------

    def lift_suspension(self, actor: Actor, action_id: int, *, reason: str) -> QualityActionView:
        """Lift an open suspension (admin), with a reason; the warnings and unfixed marks of
        the same worker, project and role close with it."""
        action_id = checked_id(action_id, "suspension")
        reason = required_text(checked_text(reason, "reason", limit=REASON), "Say why the suspension is lifted.")
        with self.store.session() as session:
            admin = access.require_admin(session, actor)
            action = session.get(QualityAction, action_id)
            if action is None or action.kind != "suspension":
                raise NotFound(f"There is no suspension {action_id}.")
            if action.lifted_at is not None:
                raise InvalidTransition(f"Suspension {action_id} was already lifted.")
            now = self.now()
            for one in qq.open_actions(session, user_id=action.user_id, project=action.project, role=action.role):
                one.lifted_at, one.lifted_by_id, one.lift_reason = now, admin.id, reason
            self._audit(session, admin.id, "quality.lifted", "user", action.user_id, project=action.project,
                        role=action.role, action_id=action.id, reason=reason)
            session.flush()
            return self._views(session, [action])[0]

    def quality_actions(self, actor: Actor, *, username: str | None = None,
                        open_only: bool = False) -> list[QualityActionView]:
        """Warnings, suspensions and unfixed marks, newest first (admin), or one worker's."""
        with self.store.reading() as session:
            access.require_admin(session, actor)
            user_id = rows.named(session, username).id if username else None
            found = [a for a in qq.actions(session, user_id=user_id) if not open_only or a.lifted_at is None]
            return self._views(session, found)

    def my_quality_notices(self, actor: Actor) -> list[QualityActionView]:
        """The acting worker's own open warnings, suspensions and unfixed marks."""
        with self.store.reading() as session:
            user = access.current(session, actor)
            return self._views(session, qq.open_actions(session, user_id=user.id))

    def defect_rates(self, actor: Actor, *, role: str = "transcriber", since: date | None = None,
                     project: str | None = None, username: str | None = None) -> list[DefectRateView]:
        """Every judged day (admin): one row per day, worker, project and role, to plot."""
        if role not in ROLES:
            raise InvalidInput(f"The role is one of {', '.join(ROLES)}.")
        with self.store.reading() as session:
            access.require_admin(session, actor)
            user_id = rows.named(session, username).id if username else None
            found = qq.checks(session, role=role, since=since.isoformat() if since else None, user_id=user_id,
                              project=project)
            names = repo.users_by_id(session, [c.user_id for c in found])
            return [DefectRateView(day=c.day, username=names[c.user_id].username, project=c.project, role=c.role,
                                   checked=c.checked, defects=c.defects, rate=c.rate, outcome=c.outcome)
                    for c in found]

    # --- the seam the claim calls ------------------------------------------------------------

    def suspended_projects(self, connection, user_id: int, role: str = "transcriber") -> list[str]:
        return qq.suspended_projects(connection, user_id, role)

    @staticmethod
    def _views(session, actions) -> list[QualityActionView]:
        names = repo.users_by_id(session, [a.user_id for a in actions] + [a.lifted_by_id for a in actions])
        return [QualityActionView(id=a.id, username=names[a.user_id].username, project=a.project, role=a.role,
                                  kind=a.kind, rule=a.rule, reason=a.reason, day=a.day, task_id=a.task_id,
                                  segment_ids=tuple(json.loads(a.segment_ids)), created_at=a.created_at,
                                  lifted_at=a.lifted_at,
                                  lifted_by=names[a.lifted_by_id].username if a.lifted_by_id else None,
                                  lift_reason=a.lift_reason) for a in actions]


class _System:
    """The actor of a sweep: no user (the audit entry's actor is empty)."""

    id = None


_SYSTEM = _System()
