"""Review: take a submitted task, listen, accept or return each segment, finish.

Listening is judged here, never by the page: the media route records which spans of a
segment's audio it sent to the reviewer (``record_audio_sent``), the page reports the
intervals it played (``record_play``), and the reviewer is credited with the part of those
intervals that was sent to them and that the wall clock allows. Credit is tied to the
segment's bounds and text version: a segment changed by rework must be heard again; one
resubmitted unchanged keeps what its reviewer heard, since it is the same audio and text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from workbench.domain.states import DECIDED, SegmentStatus, TaskState, segment_may, segment_move, task_move
from workbench.store import pay_store, repo
from workbench.store.models import Penalty, Segment, Task, Verdict
from workbench.workflow import access, hearing, rows
from workbench.workflow.context import Context, Service
from workbench.workflow.domain import Actor, SegmentView, TaskSummary, TaskView
from workbench.workflow.errors import GuidelineViolation, InvalidTransition
from workbench.workflow.guidelines import SegmentForCheck, check_segments
from workbench.workflow.limits import COMMENT, SEGMENT_TEXT, checked_text, required_text
from workbench.workflow.revisions import Revisions
from workbench.workflow.views import Views
from workbench.workflow.transcribing import typed_text



class Review(Service):
    def __init__(self, ctx: Context, *, views: Views, revisions: Revisions, checks=None, double=None) -> None:
        super().__init__(ctx)
        self.views, self.revisions = views, revisions
        self.checks = checks  # workflow/reviewer_checks.py: who may start a review; samples for seniors
        self.double = double  # workflow/double.py: a settled dispute is written once the task is complete

    def review_queue(self, actor: Actor) -> list[TaskSummary]:
        """Submitted tasks of the reviewer's language they may take (never their own work),
        their own reviews in progress first."""
        with self.store.reading() as session:
            user = access.require_worker(session, actor, "reviewer")
            tasks = repo.review_candidates(session, language=user.language, reviewer_id=user.id,
                                           reserved_since=self.now() - self.policy.returning_reviewer_hold)
            tasks = sorted(tasks, key=lambda t: t.state != TaskState.IN_REVIEW)
            summaries = self.views.task_summaries(session, tasks)
            barred = self.checks.barred_projects(session, user.id) if self.checks is not None else ()
            return [s for s in summaries if s.project not in barred or s.state == TaskState.IN_REVIEW]

    def start_review(self, actor: Actor, task_id: int) -> TaskView:
        """Take a submitted task for review (idempotent for the reviewer who holds it).
        Of two reviewers starting the same task at once, one wins; the other gets
        InvalidTransition."""
        with self.store.session() as session:
            user = access.require_worker(session, actor, "reviewer")
            task = rows.task(session, task_id)
            access.may_review(user, task)
            if not access.holds(task, user):
                if self.checks is not None:
                    self.checks.gate_review(session, user, task)
                if not repo.take_for_review(session, task_id=task.id, reviewer_id=user.id, now=self.now(),
                                            reserved_since=self.now() - self.policy.returning_reviewer_hold):
                    session.refresh(task)
                    raise InvalidTransition(f"Task {task.id} is {task.state}"
                                            + (" with another reviewer." if task.reviewer_id else "; it cannot be reviewed now."))
                session.refresh(task)
                self._audit(session, user.id, "task.review_started", "task", task.id, task_id=task.id,
                            round=task.review_round)
            return self.views.task_view(session, task, user)

    def record_audio_sent(self, actor: Actor, segment_id: int, *, bounds: tuple[float, float],
                          sent: tuple[float, float]) -> bool:
        """Record that the media route sent ``actor`` the span ``sent`` (seconds into the
        segment) of the segment's audio as cut at ``bounds`` (its start and end on the clip
        then). Only the reviewer holding the task in review is recorded, as only their
        listening counts; whether it was recorded."""
        with self.store.session() as session:
            user = access.current(session, actor)
            segment = repo.get_segment(session, segment_id)
            task = session.get(Task, segment.task_id) if segment is not None else None
            if task is None or not access.holds(task, user):
                return False
            return hearing.record_sent(session, user.id, segment, bounds=bounds, sent=sent, now=self.now())

    def record_play(self, actor: Actor, segment_id: int, *, intervals: Iterable[Sequence[float]]) -> SegmentView:
        """Record the intervals ``[start, end]`` (seconds into the segment) the reviewer's
        player played; returns the segment with ``heard`` as this layer judges it.

        Only what can have been heard is credited (``hearing.credit_play``): the part of the
        intervals inside audio the media route sent this reviewer (InvalidTransition if it
        sent none), and no more than the wall clock allows since their last credited play
        (``max_playback_rate`` seconds of audio per second, ``listening_allowance`` ahead at
        most). Intervals that are not numbers, negative, reversed or past the segment's end,
        or too many, are refused with InvalidInput and nothing is recorded."""
        with self.store.session() as session:
            user, segment, task = self._reviewing(session, actor, segment_id)
            hearing.credit_play(session, self.policy, user.id, segment, intervals, self.now())
            return self.views.segment_view(session, task, segment, viewer=user)

    def accept_segment(self, actor: Actor, segment_id: int, *, text: str | None = None) -> SegmentView:
        """Accept a segment the reviewer has heard (``SegmentView.heard``), optionally correcting its
        text (recorded as the reviewer's revision; a correction breaking the guidelines is
        refused with GuidelineViolation)."""
        corrected = typed_text(text, "corrected text", limit=SEGMENT_TEXT) if text is not None else None
        with self.store.session() as session:
            user, segment, task = self._reviewing(session, actor, segment_id)
            view = self.views.segment_view(session, task, segment, viewer=user)
            if not view.heard:
                raise InvalidTransition(
                    f"Listen to segment {segment.position} before accepting it: you have heard "
                    f"{view.heard_share:.0%} of it, {self.policy.heard_share:.0%} is needed.")
            if corrected is not None and corrected != segment.text:
                problems = check_segments(task.language, [SegmentForCheck(
                    segment_id=segment.id, position=segment.position, text=corrected,
                    duration=segment.end_s - segment.start_s, no_speech=False)],
                    project=rows.project_of(session, task))
                if any(p.severity == "error" for p in problems):
                    raise GuidelineViolation(problems)
                self.revisions.revise(session, user, task, segment, segment.version, kind="correction", role="reviewer",
                             text=corrected, no_speech=False, no_speech_reason=None, status=segment.status)
            self._decide(session, user, task, segment, "accept", None)
            return self.views.segment_view(session, task, segment, viewer=user)

    def return_segment(self, actor: Actor, segment_id: int, comment: str) -> SegmentView:
        """Return a segment to its transcriber with a comment saying what to fix."""
        comment = required_text(checked_text(comment, "comment", limit=COMMENT),
                                "Say what is wrong so the transcriber can fix it.")
        with self.store.session() as session:
            user, segment, task = self._reviewing(session, actor, segment_id)
            self._decide(session, user, task, segment, "return", comment)
            return self.views.segment_view(session, task, segment, viewer=user)

    def accept_all_played(self, actor: Actor, task_id: int) -> int:
        """Accept every undecided segment the reviewer has heard; how many."""
        with self.store.session() as session:
            user = access.require_worker(session, actor, "reviewer")
            task = rows.task(session, task_id, lock=True)
            self._holding(user, task)
            segments = [s for s in repo.live_segments(session, task.id) if s.status not in DECIDED]
            views = self.views.segment_views(session, task, segments, viewer=user, with_problems=False)
            played = [s for s, view in zip(segments, views) if view.heard]
            for segment in played:
                self._decide(session, user, task, segment, "accept", None)
            return len(played)

    def finish_review(self, actor: Actor, task_id: int) -> TaskSummary:
        """Close the review round once every segment is decided. All accepted: the task is
        complete and ``completed_at`` (the pay moment) is stamped. Otherwise it goes back
        to the same transcriber; a segment returned again after its first rework costs
        ``policy.penalty_won``. A complete task gets the texts of its settled double
        transcription disputes (workflow/double.py)."""
        with self.store.session() as session:
            user = access.require_worker(session, actor, "reviewer")
            task = rows.task(session, task_id, lock=True)
            self._holding(user, task)
            segments = repo.live_segments(session, task.id)
            undecided = [s.position for s in segments if s.status not in DECIDED]
            if undecided:
                raise InvalidTransition(f"{len(undecided)} segment(s) still need a decision: "
                                        + ", ".join(map(str, undecided[:20])))
            returned = [s for s in segments if s.status == SegmentStatus.RETURNED]
            now = self.now()
            # The reviewer's pay item: the audio this round decided (README "Reviewer pay").
            pay_store.record_review_round(session, task_id=task.id, review_round=task.review_round,
                                          reviewer_id=user.id, segments=segments,
                                          outcome="returned" if returned else "completed", at=now)
            if self.checks is not None:
                self.checks.sample_for_seniors(session, task, segments)
            if not returned:
                task.state, task.completed_at = task_move(task.state, "accept"), now
                self._audit(session, user.id, "task.completed", "task", task.id, task_id=task.id)
                if self.double is not None:
                    self.double.apply_settlements(session, task)
                return self.views.task_summary(session, task)
            for segment in returned:
                if segment.return_count >= 1:
                    session.add(Penalty(user_id=task.transcriber_id, task_id=task.id, segment_id=segment.id,
                                        amount_won=self.policy.penalty_won, created_at=now,
                                        reason=f"segment {segment.position} returned again "
                                               f"(return {segment.return_count + 1}): {segment.review_comment}"))
                    self._audit(session, user.id, "penalty.recorded", "segment", segment.id, task_id=task.id,
                                amount_won=self.policy.penalty_won)
                segment.return_count += 1
            task.state = task_move(task.state, "return")
            self._audit(session, user.id, "task.returned", "task", task.id, task_id=task.id,
                        returned=len(returned))
            return self.views.task_summary(session, task)

    # --- helpers ------------------------------------------------------------------------

    @staticmethod
    def _holding(user: Actor, task: Task) -> None:
        access.may_review(user, task)
        if not access.holds(task, user):
            raise InvalidTransition(f"Task {task.id} is not in review with you (it is {task.state}).")

    def _reviewing(self, session, actor: Actor, segment_id: int) -> tuple[Actor, Segment, Task]:
        """Like ``Revisions.editable``: the task row is locked, as ``finish_review`` locks it, so no
        verdict lands after the finish has counted the decisions."""
        user = access.require_worker(session, actor, "reviewer")
        segment, task = rows.segment_for_change(session, segment_id)
        self._holding(user, task)
        return user, segment, task

    def _decide(self, session, user: Actor, task: Task, segment: Segment, action: str,
                comment: str | None) -> None:
        if not segment_may(segment.status, action):
            raise InvalidTransition(f"Segment {segment.position} is {segment.status}; it cannot be decided now.")
        decision = segment_move(segment.status, action)
        segment.status, segment.review_comment = decision, comment
        session.add(Verdict(segment_id=segment.id, task_id=task.id, reviewer_id=user.id,
                            review_round=task.review_round, decision=decision, comment=comment,
                            segment_version=segment.version, created_at=self.now()))
        self._audit(session, user.id, f"segment.{decision}", "segment", segment.id, task_id=task.id,
                    comment=comment)
