"""Checks on reviewers: senior reviewers, their second looks at sampled acceptances, and the
accuracy that sets how much a reviewer may review.

- **Seniors.** An admin grants (``grant_senior``) and takes back (``revoke_senior``) the
  senior role of a reviewer; both are audited.
- **Sampling.** When a review round is finished, each segment it accepted is drawn for a
  senior's look with probability ``senior_share`` of the project (the operating system's
  randomness, so no seed predicts it; ``sample_for_seniors``, called by Review).
- **The look.** A senior of the language sees the waiting checks (``senior_queue``; never
  of their own verdicts), hears each through its own audio (``check_audio``, for that senior
  only while it waits; their listening is judged as a reviewer's, workflow/hearing.py) and
  confirms or overturns it once heard (``decide_senior_check``).
- **Accuracy**, per project: the share of a reviewer's checked verdicts in the project that
  were right: senior checks confirmed, and gold segments they accepted as the transcriber
  wrote them whose gold score passed (a reviewer who accepts gold that differs from its
  reference is caught). Below the project's ``reviewer_min_accuracy``, once its
  ``reviewer_min_checks`` verdicts are checked, they may hold only ``low_accuracy_reviews``
  tasks in review at once when starting one of its tasks (``gate_review``, called by Review
  when a review starts). The daily rules (quality.py) judge reviewers on the same figures.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from typing import ClassVar

from workbench.domain.states import SegmentStatus
from workbench.store import quality_queries as qq
from workbench.store import repo
from workbench.store.models import Segment, Task, User
from workbench.store.quality_models import SeniorCheck, SeniorReviewer
from workbench.workflow import access, hearing, rows
from workbench.workflow.context import Context, Service
from workbench.workflow.domain import Actor
from workbench.workflow.errors import InvalidInput, InvalidTransition, NotFound, WorkbenchError, message_id
from workbench.workflow.limits import COMMENT, checked_id, checked_text
from workbench.workflow.media import SegmentAudio, cut_segment
from workbench.workflow.quality_rules import quality_settings
from workbench.workflow.quality_views import ReviewerStanding, SeniorCheckView

UNHEARD = message_id("Play the segment to the end before deciding: you have heard {share} of it, {needed} is needed.")


class ReviewerChecks(Service):
    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)

    sample_random: ClassVar[random.Random] = random.SystemRandom()

    # --- the senior role --------------------------------------------------------------------

    def grant_senior(self, actor: Actor, username: str) -> None:
        """Make a reviewer senior (admin)."""
        with self.store.session() as session:
            admin = access.require_admin(session, actor, refusal="Only an admin can grant the senior role.")
            user = rows.named(session, username)
            if not user.is_reviewer:
                raise InvalidInput(f"{user.username} is not a reviewer.")
            if qq.is_senior(session, user.id):
                return
            session.add(SeniorReviewer(user_id=user.id, granted_by_id=admin.id, granted_at=self.now()))
            self._audit(session, admin.id, "quality.senior_granted", "user", user.id)

    def revoke_senior(self, actor: Actor, username: str) -> None:
        """Take the senior role back (admin)."""
        with self.store.session() as session:
            admin = access.require_admin(session, actor, refusal="Only an admin can take the senior role back.")
            user = rows.named(session, username)
            row = session.get(SeniorReviewer, user.id)
            if row is None:
                raise InvalidTransition(f"{user.username} is not a senior reviewer.")
            session.delete(row)
            self._audit(session, admin.id, "quality.senior_revoked", "user", user.id)

    # --- the seniors' looks ------------------------------------------------------------------

    def senior_queue(self, actor: Actor) -> list[SeniorCheckView]:
        """Sampled acceptances of the senior's language waiting for a look (not their own)."""
        with self.store.reading() as session:
            user = self._senior(session, actor)
            found = qq.pending_senior_checks(session, language=user.language, besides=user.id)
            return self._views(session, found, user)

    def decide_senior_check(self, actor: Actor, check_id: int, *, confirmed: bool,
                            comment: str | None = None) -> SeniorCheckView:
        """Confirm or overturn a sampled acceptance (a senior of its language, once, after
        hearing it: ``policy.heard_share`` of it played, as a reviewer must before accepting)."""
        check_id = checked_id(check_id, "check")
        if not isinstance(confirmed, bool):
            raise InvalidInput("Say whether the acceptance was right: confirmed is true or false.")
        comment = checked_text(comment, "comment", limit=COMMENT) if comment is not None else None
        with self.store.session() as session:
            user = self._senior(session, actor)
            check, segment, task = self._waiting(session, user, check_id, lock=True)
            hearing.require_heard(session, self.policy, user.id, segment, refusal=UNHEARD)
            check.senior_id, check.confirmed, check.comment, check.decided_at = user.id, confirmed, comment, self.now()
            self._audit(session, user.id, "quality.senior_checked", "segment", check.segment_id, task_id=task.id,
                        confirmed=confirmed, comment=comment)
            session.flush()
            return self._views(session, [check], user)[0]

    # --- the senior's listening (workflow/hearing.py, as a reviewer's) -----------------------

    def check_audio(self, actor: Actor, check_id: int) -> SegmentAudio:
        """The audio of a check's segment, for the senior it waits for only: a senior of its
        language, not its reviewer or transcriber, while it is undecided."""
        check_id = checked_id(check_id, "check")
        with self.store.reading() as session:
            user = self._senior(session, actor)
            check, _, _ = self._waiting(session, user, check_id)
            found = rows.media_source(session, check.segment_id)
        return cut_segment(self.ctx, found, reviewing=True)

    def record_check_audio_sent(self, actor: Actor, check_id: int, *, bounds: tuple[float, float],
                                sent: tuple[float, float]) -> bool:
        """Record that the check's audio route sent the senior the span ``sent`` (seconds into
        the segment cut at ``bounds``); whether it was recorded (not once the check is decided)."""
        with self.store.session() as session:
            user = self._senior(session, actor)
            try:
                _, segment, _ = self._waiting(session, user, checked_id(check_id, "check"))
            except WorkbenchError:
                return False
            return hearing.record_sent(session, user.id, segment, bounds=bounds, sent=sent, now=self.now())

    def record_check_play(self, actor: Actor, check_id: int, *, intervals: Iterable[Sequence[float]]) -> SeniorCheckView:
        """Record the intervals the senior's player played of a waiting check's segment
        (``hearing.credit_play``: only audio sent to them, as fast as the clock allows); the
        check with how much of it they have heard."""
        check_id = checked_id(check_id, "check")
        with self.store.session() as session:
            user = self._senior(session, actor)
            check, segment, _ = self._waiting(session, user, check_id)
            hearing.credit_play(session, self.policy, user.id, segment, intervals, self.now())
            return self._views(session, [check], user)[0]

    def _senior(self, session, actor: Actor) -> Actor:
        user = access.require_worker(session, actor, "reviewer")
        return access.may_act_as_senior(user, senior=qq.is_senior(session, user.id))

    @staticmethod
    def _waiting(session, user: Actor, check_id: int, *, lock: bool = False) -> tuple[SeniorCheck, Segment, Task]:
        """A check of ``user``'s language on someone else's work, still undecided."""
        check = session.get(SeniorCheck, check_id, with_for_update=lock)
        if check is None or check.language != user.language:
            raise NotFound(f"There is no check {check_id} in your language.")
        segment = session.get(Segment, check.segment_id)
        task = session.get(Task, segment.task_id)
        access.may_check(user, reviewer_id=check.reviewer_id, transcriber_id=task.transcriber_id)
        if check.decided_at is not None:
            raise InvalidTransition(f"Check {check_id} was already decided.")
        return check, segment, task

    # --- accuracy ---------------------------------------------------------------------------

    def reviewer_accuracy(self, actor: Actor, *, username: str | None = None,
                          project: str | None = None) -> list[ReviewerStanding]:
        """Each reviewer's accuracy so far per project, by that project's settings, and
        whether it limits them there (admin): a row per reviewer and project their checked
        verdicts are in, one with project None for a reviewer with none; ``project``: that
        project's row of each reviewer only (checked 0 where none is)."""
        with self.store.reading() as session:
            access.require_admin(session, actor)
            reviewers = [u for u in repo.all_users(session) if u.is_reviewer
                         and (username is None or u.username == username)]
            counts = qq.reviewer_check_counts(session, [u.id for u in reviewers], project=project)
            seniors = qq.seniors(session)
            found = []
            for user in reviewers:
                projects = [project] if project is not None else sorted(p for u, p in counts if u == user.id)
                found += [self._standing(user, counts.get((user.id, p), (0, 0)), user.id in seniors, p)
                          for p in projects or [None]]
            return found

    @staticmethod
    def _standing(user: User, counts: tuple[int, int], senior: bool, project: str | None) -> ReviewerStanding:
        checked, confirmed = counts
        settings = quality_settings(project or "")
        accuracy = confirmed / checked if checked else None
        limited = (accuracy is not None and checked >= settings.reviewer_min_checks
                   and accuracy < settings.reviewer_min_accuracy)
        return ReviewerStanding(username=user.username, language=user.language, project=project, senior=senior,
                                checked=checked, confirmed=confirmed, accuracy=accuracy, limited=limited)

    # --- seams Review calls -----------------------------------------------------------------

    def barred_projects(self, session, user_id: int) -> list[str]:
        """Projects the reviewer is suspended from reviewing."""
        return qq.suspended_projects(session, user_id, "reviewer")

    def gate_review(self, session, user: Actor, task: Task) -> None:
        """Refuse a reviewer starting ``task``: barred from its project (PermissionDenied), or
        below the accuracy threshold and holding their allowance already (InvalidTransition)."""
        project = rows.project_of(session, task)
        access.may_review_in(project, barred=self.barred_projects(session, user.id))
        settings = quality_settings(project)
        counts = qq.reviewer_check_counts(session, [user.id], project=project).get((user.id, project), (0, 0))
        standing = self._standing(session.get(User, user.id), counts, False, project)
        if standing.limited and qq.held_reviews(session, user.id) >= settings.low_accuracy_reviews:
            raise InvalidTransition(f"Your review accuracy is {standing.accuracy:.0%}; below "
                                    f"{settings.reviewer_min_accuracy:.0%} you may hold {settings.low_accuracy_reviews} "
                                    "review(s) at once. Finish one first.")

    def sample_for_seniors(self, session, task: Task, segments: Sequence[Segment]) -> None:
        """Draw the segments this round accepted for a senior's look (module docstring)."""
        project = rows.project_of(session, task)
        share = quality_settings(project).senior_share
        accepted = [s for s in segments if s.status == SegmentStatus.ACCEPTED]
        if share <= 0 or not accepted:
            return
        finals = qq.last_verdicts(session, task.id, task.review_round)
        for segment in accepted:
            verdict = finals.get(segment.id)
            if verdict is None or self.sample_random.random() >= share:
                continue
            session.add(SeniorCheck(verdict_id=verdict.id, segment_id=segment.id, reviewer_id=verdict.reviewer_id,
                                    language=task.language, project=project, sampled_at=self.now()))

    def _views(self, session, checks: Sequence[SeniorCheck], viewer: Actor) -> list[SeniorCheckView]:
        """The checks as ``viewer`` sees them, in a handful of statements whatever their number."""
        names = repo.users_by_id(session, [c.reviewer_id for c in checks])
        segments = {s.id: s for s in qq.segments_by_id(session, [c.segment_id for c in checks])}
        heard = hearing.shares_heard(session, viewer.id, list(segments.values()))
        context = qq.neighbour_texts(session, segments)
        corrected = qq.corrected_texts(session, [c.verdict_id for c in checks])
        views = []
        for check in checks:
            segment = segments[check.segment_id]
            before, after = context.get(segment.id, (None, None))
            views.append(SeniorCheckView(
                id=check.id, segment_id=check.segment_id, task_id=segment.task_id, project=check.project,
                language=check.language, text=segment.text, reviewer=names[check.reviewer_id].username,
                sampled_at=check.sampled_at, confirmed=check.confirmed, bounds=(segment.start_s, segment.end_s),
                corrected_from=corrected.get(check.verdict_id), before=before, after=after,
                heard=heard[segment.id] >= self.policy.heard_share, heard_share=heard[segment.id]))
        return views
