"""Review: take a submitted task, play, accept or return each segment, finish."""

from __future__ import annotations

from workbench.store import repo
from workbench.store.models import Penalty, Play, Segment, Task, User, Verdict
from workbench.workflow.domain import Actor, SegmentView, TaskSummary, TaskView
from workbench.workflow.base import required_text
from workbench.workflow.errors import GuidelineViolation, InvalidTransition, PermissionDenied
from workbench.workflow.guidelines import SegmentForCheck, check_segments
from workbench.workflow.limits import COMMENT, SEGMENT_TEXT, checked_number, checked_text
from workbench.workflow.transcribing import Transcribing, typed_text

DECIDED = ("accepted", "returned")


class Review(Transcribing):
    def review_queue(self, actor: Actor) -> list[TaskSummary]:
        """Submitted tasks of the reviewer's language they may take (never their own work),
        their own reviews in progress first."""
        with self.store.reading() as session:
            user = self._worker(session, actor, "reviewer")
            tasks = repo.review_candidates(session, language=user.language, reviewer_id=user.id,
                                           reserved_since=self.now() - self.policy.returning_reviewer_hold)
            tasks = sorted(tasks, key=lambda t: t.state != "in_review")
            return self._task_summaries(session, tasks)

    def start_review(self, actor: Actor, task_id: int) -> TaskView:
        """Take a submitted task for review (idempotent for the reviewer who holds it).
        Of two reviewers starting the same task at once, one wins; the other gets
        InvalidTransition."""
        with self.store.session() as session:
            user = self._worker(session, actor, "reviewer")
            task = self._task(session, task_id)
            self._may_review(user, task)
            if not (task.state == "in_review" and task.reviewer_id == user.id):
                if not repo.take_for_review(session, task_id=task.id, reviewer_id=user.id, now=self.now(),
                                            reserved_since=self.now() - self.policy.returning_reviewer_hold):
                    session.refresh(task)
                    raise InvalidTransition(f"Task {task.id} is {task.state}"
                                            + (" with another reviewer." if task.reviewer_id else "; it cannot be reviewed now."))
                session.refresh(task)
                self._audit(session, user.id, "task.review_started", "task", task.id, task_id=task.id,
                            round=task.review_round)
            return self._task_view(session, task, user)

    def record_play(self, actor: Actor, segment_id: int, *, reached: float) -> SegmentView:
        """Record how far (seconds into the segment) the reviewer played it. Returns the
        segment with ``played_to_end`` as this layer judges it."""
        reached = checked_number(reached, "playback position")
        with self.store.session() as session:
            user, segment, task = self._reviewing(session, actor, segment_id)
            reached = max(0.0, min(reached, segment.end_s - segment.start_s))
            session.add(Play(segment_id=segment.id, user_id=user.id, start_s=segment.start_s,
                             end_s=segment.end_s, reached=reached, created_at=self.now()))
            session.flush()
            return self._segment_view(session, task, segment, viewer=user)

    def accept_segment(self, actor: Actor, segment_id: int, *, text: str | None = None) -> SegmentView:
        """Accept a segment the reviewer has played to the end, optionally correcting its
        text (recorded as the reviewer's revision; a correction breaking the guidelines is
        refused with GuidelineViolation)."""
        corrected = typed_text(text, "corrected text", limit=SEGMENT_TEXT) if text is not None else None
        with self.store.session() as session:
            user, segment, task = self._reviewing(session, actor, segment_id)
            if not self._segment_view(session, task, segment, viewer=user).played_to_end:
                raise InvalidTransition(f"Play segment {segment.position} to the end before accepting it.")
            if corrected is not None and corrected != segment.text:
                problems = check_segments(task.language, [SegmentForCheck(
                    segment_id=segment.id, position=segment.position, text=corrected,
                    duration=segment.end_s - segment.start_s, no_speech=False)])
                if any(p.severity == "error" for p in problems):
                    raise GuidelineViolation(problems)
                self._revise(session, user, task, segment, segment.version, kind="correction", role="reviewer",
                             text=corrected, no_speech=False, no_speech_reason=None, status=segment.status)
            self._decide(session, user, task, segment, "accepted", None)
            return self._segment_view(session, task, segment, viewer=user)

    def return_segment(self, actor: Actor, segment_id: int, comment: str) -> SegmentView:
        """Return a segment to its transcriber with a comment saying what to fix."""
        comment = required_text(checked_text(comment, "comment", limit=COMMENT),
                                "Say what is wrong so the transcriber can fix it.")
        with self.store.session() as session:
            user, segment, task = self._reviewing(session, actor, segment_id)
            self._decide(session, user, task, segment, "returned", comment)
            return self._segment_view(session, task, segment, viewer=user)

    def accept_all_played(self, actor: Actor, task_id: int) -> int:
        """Accept every undecided segment the reviewer has played to the end; how many."""
        with self.store.session() as session:
            user = self._worker(session, actor, "reviewer")
            task = self._task(session, task_id, lock=True)
            self._holding(user, task)
            segments = [s for s in repo.live_segments(session, task.id) if s.status not in DECIDED]
            views = self._segment_views(session, task, segments, viewer=user, with_problems=False)
            played = [s for s, view in zip(segments, views) if view.played_to_end]
            for segment in played:
                self._decide(session, user, task, segment, "accepted", None)
            return len(played)

    def finish_review(self, actor: Actor, task_id: int) -> TaskSummary:
        """Close the review round once every segment is decided. All accepted: the task is
        complete and ``completed_at`` (the pay moment) is stamped. Otherwise it goes back
        to the same transcriber; a segment returned again after its first rework costs
        ``policy.penalty_won``."""
        with self.store.session() as session:
            user = self._worker(session, actor, "reviewer")
            task = self._task(session, task_id, lock=True)
            self._holding(user, task)
            segments = repo.live_segments(session, task.id)
            undecided = [s.position for s in segments if s.status not in DECIDED]
            if undecided:
                raise InvalidTransition(f"{len(undecided)} segment(s) still need a decision: "
                                        + ", ".join(map(str, undecided[:20])))
            returned = [s for s in segments if s.status == "returned"]
            now = self.now()
            if not returned:
                task.state, task.completed_at = "complete", now
                self._audit(session, user.id, "task.completed", "task", task.id, task_id=task.id)
                return self._task_summary(session, task)
            for segment in returned:
                if segment.return_count >= 1:
                    session.add(Penalty(user_id=task.transcriber_id, task_id=task.id, segment_id=segment.id,
                                        amount_won=self.policy.penalty_won, created_at=now,
                                        reason=f"segment {segment.position} returned again "
                                               f"(return {segment.return_count + 1}): {segment.review_comment}"))
                    self._audit(session, user.id, "penalty.recorded", "segment", segment.id, task_id=task.id,
                                amount_won=self.policy.penalty_won)
                segment.return_count += 1
            task.state = "returned"
            self._audit(session, user.id, "task.returned", "task", task.id, task_id=task.id,
                        returned=len(returned))
            return self._task_summary(session, task)

    # --- helpers ------------------------------------------------------------------------

    @staticmethod
    def _may_review(user: User, task: Task) -> None:
        if task.language != user.language:
            raise PermissionDenied(f"Task {task.id} is in {task.language}; you review {user.language}.")
        if task.transcriber_id == user.id:
            raise PermissionDenied("You cannot review your own work.")

    def _holding(self, user: User, task: Task) -> None:
        self._may_review(user, task)
        if task.state != "in_review" or task.reviewer_id != user.id:
            raise InvalidTransition(f"Task {task.id} is not in review with you (it is {task.state}).")

    def _reviewing(self, session, actor: Actor, segment_id: int) -> tuple[User, Segment, Task]:
        """Like ``_editable``: the task row is locked, as ``finish_review`` locks it, so no
        verdict lands after the finish has counted the decisions."""
        user = self._worker(session, actor, "reviewer")
        segment, task = self._segment(session, segment_id)
        task = self._task(session, task.id, lock=True)
        session.refresh(segment)
        self._holding(user, task)
        return user, segment, task

    def _decide(self, session, user: User, task: Task, segment: Segment, decision: str,
                comment: str | None) -> None:
        segment.status, segment.review_comment = decision, comment
        session.add(Verdict(segment_id=segment.id, task_id=task.id, reviewer_id=user.id,
                            review_round=task.review_round, decision=decision, comment=comment,
                            segment_version=segment.version, created_at=self.now()))
        self._audit(session, user.id, f"segment.{decision}", "segment", segment.id, task_id=task.id,
                    comment=comment)
