"""Time on task: active working time per worker, task and role, from what the task page sees.

The page (``ui/static/work/activity.js``) counts typing, clicks, moving between segments
and audio playing as activity and leaves out any gap longer than its idle cut-off (60 s);
it reports the active spans, in its own milliseconds, every 30 s. The page is not trusted:
this layer measures the union of the spans reported (so overlapping spans count once) and
credits at most the wall-clock time since the worker's previous report, on any task (one
person works on one thing at a time), and at most ``policy.max_activity_report`` per report.
Only time on a task the worker may work on counts: their own task in progress or returned
(transcriber), or the task they hold in review (reviewer).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from workbench.store import pay_store, repo
from workbench.workflow import access, rows
from workbench.workflow.context import Service
from workbench.workflow.domain import Actor
from workbench.workflow.errors import InvalidTransition
from workbench.workflow.listening import SpanWords, reported_spans, total, union

ACTIVITY_WORDS = SpanWords(  # the page's own milliseconds, any stretch of time
    not_a_list="Report activity as a list of [start, end] pairs in milliseconds.",
    too_many="Report at most {count} spans at a time.",
    not_numbers="Each span is two numbers, [start, end] in milliseconds.",
    out_of_bounds="The span [{start}, {end}] is not a stretch of time.")


class TimeOnTask(Service):
    def record_activity(self, actor: Actor, task_id: int, *, spans: Iterable[Sequence[float]]) -> float:
        """Credit the active spans ``[start_ms, end_ms]`` the task page reports for
        ``task_id``; returns the seconds credited (see the module docstring for the bounds).

        Spans that are not pairs of finite numbers ``0 ≤ start ≤ end``, or more than
        ``policy.max_activity_spans`` of them, are refused with InvalidInput; a task the
        worker is not working on now with InvalidTransition (someone else's with
        PermissionDenied). Nothing is recorded then."""
        active = total(union(reported_spans(spans, ACTIVITY_WORDS, at_most=self.policy.max_activity_spans))) / 1000
        with self.store.session() as session:
            user = access.current(session, actor)
            task = rows.task(session, task_id)
            role = access.working_role(user, task)
            if role is None:
                raise InvalidTransition(f"You are not working on task {task.id} now, so no time is counted.")
            repo.lock_user(session, user.id)
            now = self.now()
            limit = self.policy.max_activity_report.total_seconds()
            last = pay_store.last_activity_at(session, user.id)
            if last is not None:
                limit = min(limit, max(0.0, (now - last).total_seconds()))
            credited = min(active, limit)
            pay_store.add_task_time(session, user_id=user.id, task_id=task.id, role=role, seconds=credited, at=now)
            return credited

