"""Grades: a worker's score over their latest reviewed segments, the band it falls in, and
how many tasks that band lets them hold at once.

``Grading(ctx)`` answers the admin's worker list and a worker's own summary, and gives the
transcribing service the limit a claim is checked against (``max_tasks``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from workbench.domain.states import SegmentStatus
from workbench.store import gold_queries, repo
from workbench.store.models import Penalty, User
from workbench.workflow import access, rows
from workbench.workflow.access import actor_of
from workbench.workflow.context import Service
from workbench.workflow.domain import Actor, WorkerSummary


@dataclass(frozen=True)
class WorkerFacts:
    """What a worker summary is computed from."""

    decisions: list[tuple[int, str]]
    penalties: Sequence[Penalty]
    held: int
    took_tasks: bool


class Grading(Service):
    def list_workers(self, actor: Actor) -> list[WorkerSummary]:
        """Every transcriber and reviewer with grade, limits and penalties (admin): a fixed
        handful of queries however many workers there are."""
        with self.store.reading() as session:
            access.require_admin(session, actor)
            workers = [u for u in repo.all_users(session) if u.is_transcriber or u.is_reviewer]
            decisions = repo.first_round_decisions_by_transcriber(session, self.policy.grade_window)
            gold = gold_queries.outcomes(session)
            decisions = {user_id: gold_queries.with_gold_outcomes(decisions.get(user_id, []), gold.get(user_id, {}),
                                                                  self.policy.grade_window)
                         for user_id in decisions.keys() | gold.keys()}
            penalties = repo.penalties_by_user(session)
            held = repo.held_task_counts(session)
            took_tasks = repo.users_who_took_tasks(session)
            return [self._summary(user, WorkerFacts(decisions.get(user.id, []), penalties.get(user.id, []),
                                                    held.get(user.id, 0), user.id in took_tasks))
                    for user in workers]

    def worker_summary(self, actor: Actor, username: str | None = None) -> WorkerSummary:
        """A worker's grade and limits: their own, or anyone's for an admin."""
        with self.store.reading() as session:
            me = access.current(session, actor)
            if username is None or username == me.username:
                return self._worker_summary(session, me)
            access.require_admin(session, me)
            return self._worker_summary(session, rows.named(session, username))

    def max_tasks(self, session, user: Actor) -> tuple[str, int]:
        """``user``'s grade and how many tasks it lets them hold at once."""
        score = self._grade(self._decisions(session, user.id),
                            repo.penalised_segments(session, user.id))[0]
        band = self.policy.grade_for(score)
        return band.grade, band.max_tasks

    def _grade(self, decisions: list[tuple[int, str]], penalties: Sequence[Penalty]) -> tuple[float | None, int, int]:
        """(score or None while new, reviewed segments in the window, returned among them),
        from the worker's ``repo.first_round_decisions`` and penalties."""
        reviewed = len(decisions)
        returned = sum(1 for _, decision in decisions if decision == SegmentStatus.RETURNED)
        if reviewed < self.policy.grade_min_segments:
            return None, reviewed, returned
        in_window = {segment_id for segment_id, _ in decisions}
        penalised = sum(1 for p in penalties if p.segment_id in in_window)
        return max(0.0, (reviewed - returned - penalised) / reviewed), reviewed, returned

    def _decisions(self, session, user_id: int) -> list[tuple[int, str]]:
        """The grade's decisions of one transcriber, gold scores in (``gold_queries``)."""
        return gold_queries.with_gold_outcomes(repo.first_round_decisions(session, user_id, self.policy.grade_window),
                                               gold_queries.outcomes(session, [user_id]).get(user_id, {}),
                                               self.policy.grade_window)

    def _worker_summary(self, session, user: User | Actor) -> WorkerSummary:
        return self._summary(user, WorkerFacts(
            self._decisions(session, user.id),
            repo.penalties_of(session, user.id), repo.held_task_count(session, user.id),
            repo.tasks_ever_taken(session, user.id) > 0,
        ))

    def _summary(self, user: User | Actor, facts: WorkerFacts) -> WorkerSummary:
        score, reviewed, returned = self._grade(facts.decisions, facts.penalties)
        band = self.policy.grade_for(score)
        return WorkerSummary(
            username=user.username, name=user.name, roles=actor_of(user).roles, language=user.language,
            status=user.status, grade=band.grade, score=score, max_tasks=band.max_tasks,
            tasks_held=facts.held, reviewed_segments=reviewed,
            return_rate=returned / reviewed if reviewed else None, penalties=len(facts.penalties),
            penalties_won=sum(p.amount_won for p in facts.penalties),
            language_locked=facts.took_tasks,
        )
