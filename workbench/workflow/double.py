"""Double transcription: a share of a project's clips is transcribed independently by two
workers of its language; the agreement between their first submitted texts is measured span
by span, and a span they disagree on goes to a reviewer, who picks one text or writes a third.

- **What is doubled.** A whole clip, like a gold copy and for the same reason: the task page
  shows each segment's place on its clip and plays the end of the previous segment, so a lone
  segment slipped into another clip would give itself away by its times and its sound, and a
  transcriber needs the clip's context to write the same text as another. When an ordinary
  task is recorded in a project whose ``[double."<project>"] share`` in
  ``guidelines/projects.toml`` is above 0, it is doubled with probability ``share`` (the
  operating system's randomness): a *second task* over a copy of the clip
  (``clip_copies.copy_clip``: same keys, ids from the same sequences, its own audio files,
  a task log like any other). The pair is recorded only where the admin's pages look.
- **Independence.** Whoever ever claimed or reviewed one side is never offered the other
  (``double_queries.sides_to_skip`` at the claim), and whoever claimed one side may neither
  see nor review the other (``access.may_view``/``may_review``); one reviewer may review
  both. A transcriber sees only their own task, so the other's text, ids, audio tags and
  log never reach them. Neither side is drafted (``drafting.drafts_allowed``); held-back
  ordinary tasks (holdback.py) are undrafted too, so a side does not stand out.
- **Agreement.** At each side's first submit its texts are kept, span by span over the
  original's spans when the copy was made (``double_rules.span_text``: splitting or merging
  changes nothing). Once both are in, each span's ``agreement_cer`` (symmetric CER, the
  language's normalisation of ``drafts.scoring``) is stored; above the project's
  ``dispute_cer`` (default 0.15) the span is *disputed*.
- **Disputes.** A reviewer of the language who never claimed or reviewed either side (or an
  admin) lists the open disputes (``double_disputes``), hears the original clip over the span
  through the dispute's own audio (``dispute_audio``, for those settlers only while it is
  open; their listening is judged as a reviewer's, workflow/hearing.py) and, once heard,
  settles it (``resolve_double``): the first text, the second, or a third they write.
  Audited; settled once. The settled text
  is written on the original task's segment over the span as the settler's revision (kind
  ``dispute``), when that task is complete: at once, or when its review completes it. The
  copy is never exported, so it keeps its own text. A span the original's transcriber split
  or merged has no one segment to write on: it is refused, and listed with the reason.
- **Pay.** Each side is a task of its own, paid once to the worker who did it by the same
  engine; the pairing adds no payment. So the audio of a doubled clip is paid at most twice,
  never twice to one worker (nobody can do both sides), and each side's segments once.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Sequence
from types import SimpleNamespace
from typing import ClassVar

from workbench.domain.states import TaskState
from workbench.store import double_queries, gold_queries, repo
from workbench.store.double_models import DoubleAgreement, DoublePair
from workbench.store.models import Clip, Segment, Task
from workbench.workflow import access, hearing, rows
from workbench.workflow.clip_copies import copy_clip
from workbench.workflow.context import Context, Service
from workbench.workflow.domain import Actor
from workbench.workflow.double_rules import SpanNote, agreement_cer, double_settings, settled_segment, span_text
from workbench.workflow.double_views import AgreementView, DisputeView
from workbench.workflow.errors import (
    GuidelineViolation,
    InvalidInput,
    InvalidTransition,
    NotFound,
    WorkbenchError,
    Worded,
    message_id,
)
from workbench.workflow.guidelines import SegmentForCheck, check_segments
from workbench.workflow.limits import SEGMENT_TEXT, checked_id, required_text
from workbench.workflow.media import SegmentAudio, cut_segment
from workbench.workflow.revisions import Revisions
from workbench.workflow.transcribing import typed_text

CHOICES = ("first", "second", "third")
THIRD_TEXT = Worded(message_id("third text"))  # the name its refusals give it
UNHEARD = message_id("Play the span to the end before settling: you have heard {share} of it, {needed} is needed.")


class Double(Service):
    """Doubling, measuring and settling. Its seams: ``mix_double`` (Clips, after an ordinary
    task is recorded), ``double_to_skip`` and ``keep_double_texts`` (Transcribing, at a claim
    and a submit)."""

    double_random: ClassVar[random.Random] = random.SystemRandom()

    def __init__(self, ctx: Context, *, revisions: Revisions) -> None:
        super().__init__(ctx)
        self.revisions = revisions  # a settled dispute is written as a revision of the original

    # --- seams the other parts call ------------------------------------------------------

    def mix_double(self, session, clip: Clip, task: Task, *, actor_id: int | None = None) -> None:
        """Perhaps double the new ordinary task ``task`` of ``clip`` (module docstring)."""
        share = double_settings(clip.project).share
        if share > 0 and self.double_random.random() < share:
            self._double(session, clip, task, actor_id=actor_id)

    def double_to_skip(self, connection, user_id: int) -> list[int]:
        """Open sides the claimer must not get (``double_queries.sides_to_skip``)."""
        return double_queries.sides_to_skip(connection, user_id)

    def keep_double_texts(self, session, user: Actor, task: Task, segments) -> None:
        """At a submit: keep the side's first texts; once both sides are in, measure them."""
        pair = double_queries.pair_of(session, task.id, lock=True)
        if pair is None:
            return
        side = "second" if pair.task_id == task.id else "first"
        if getattr(pair, f"{side}_texts") is not None:
            return
        spans = json.loads(pair.spans)
        texts = [list(span_text(segments, tuple(span), task.language)) for span in spans]
        setattr(pair, f"{side}_texts", json.dumps(texts, ensure_ascii=False))
        setattr(pair, f"{side}_user_id", user.id)
        if pair.first_texts is not None and pair.second_texts is not None:
            self._measure(session, pair, task)

    def double_task(self, actor: Actor, task_id: int) -> int:
        """Transcribe task ``task_id`` twice from now (admin): for a demo, a test, or a clip an
        admin wants checked. Only an open ordinary task nobody has claimed yet, not already
        doubled, since the first side's text must be its first. The second task's id."""
        with self.store.session() as session:
            admin = access.require_admin(session, actor)
            task = rows.task(session, checked_id(task_id, "task"), lock=True)
            if task.state != "open" or task.transcriber_id is not None or double_queries.ever_claimed(session, task.id):
                raise InvalidTransition(f"Task {task.id} has been taken already; only an untouched task is doubled.")
            if double_queries.pair_of(session, task.id) is not None or gold_queries.is_gold_task(task):
                raise InvalidInput(f"Task {task.id} is gold work or doubled already.")
            return self._double(session, session.get(Clip, task.clip_id), task, actor_id=admin.id)

    # --- what the admin and reviewers see -------------------------------------------------

    def double_agreements(self, actor: Actor) -> list[AgreementView]:
        """Every measured span, newest first (admin)."""
        with self.store.reading() as session:
            access.require_admin(session, actor)
            return [AgreementView.of(row, first, second, project)
                    for row, first, second, project in double_queries.agreements(session)]

    def double_disputes(self, actor: Actor) -> list[DisputeView]:
        """Open disputes of the reviewer's language that they did not work on (all, for an admin),
        each with how much of its audio they have heard."""
        with self.store.reading() as session:
            user = self._settler(session, actor)
            found = double_queries.agreements(session, disputed_only=True,
                                              language=None if user.is_admin else user.language)
            return [self._dispute_view(session, user, row, *self._span_segment(session, row))
                    for row, _, _, _ in found if self._may_settle(session, user, row)]

    def resolve_double(self, actor: Actor, agreement_id: int, *, choice: str, text: str | None = None) -> DisputeView:
        """Settle a disputed span: ``choice`` is ``first`` or ``second`` (that text) or ``third``
        with ``text``. InvalidInput for anything else, GuidelineViolation for a third text the
        guidelines refuse; InvalidTransition once settled, when the original task no longer
        has one segment over the span (``settled_segment``), or before the settler has heard
        ``policy.heard_share`` of the span (``dispute_audio``). The settled text is written on the
        original task's segment (``_write_settlement``) now when the task is complete, else when
        its review completes it (``apply_settlements``): nobody's work in progress is typed over,
        and the transcriber's own text is what their review judges."""
        if choice not in CHOICES:
            raise InvalidInput.worded(message_id("Choose one of {choices}."), choices=", ".join(CHOICES))
        if choice == "third":
            text = required_text(typed_text(text, THIRD_TEXT, limit=SEGMENT_TEXT),
                                 InvalidInput.worded(message_id("Write the third text.")))
        elif text not in (None, ""):
            raise InvalidInput.worded(message_id("A text is written only with the choice third."))
        with self.store.session() as session:
            user, row, original, segment = self._open_dispute(session, actor, agreement_id, lock=True)
            hearing.require_heard(session, self.policy, user.id, segment, refusal=UNHEARD)
            if choice == "third":
                self._check_guidelines(session, original, segment, text)
            chosen = {"first": row.first_text, "second": row.second_text}.get(choice, text)
            row.resolution, row.resolved_text, row.resolved_by_id, row.resolved_at = (
                choice, chosen, user.id, self.now())
            self._audit(session, user.id, "double.resolved", "double", row.id, choice=choice)
            if original.state == TaskState.COMPLETE:
                self._write_settlement(session, row, original)
            return DisputeView.of(row)

    def apply_settlements(self, session, task: Task) -> None:
        """The seam Review calls when ``task`` is complete: write its settled, unwritten disputes."""
        for row in double_queries.unwritten_settlements(session, task.id):
            self._write_settlement(session, row, task)

    def _write_settlement(self, session, row: DoubleAgreement, original: Task) -> None:
        """Write ``row``'s settled text on the original's one segment over its span, as a new
        revision by the settler (kind ``dispute``, role reviewer: the export carries it, the
        submitted text stays the transcriber's). A split or merge made after the settlement
        leaves it unwritten, with the reason (``apply_note``, ``double.unwritten``)."""
        segment, why = settled_segment(repo.live_segments(session, original.id), (row.start_s, row.end_s))
        if segment is None:
            row.apply_note = why.text
            self._audit(session, None, "double.unwritten", "double", row.id, task_id=original.id, reason=why.text)
            return
        no_speech = self._chosen_no_speech(session, row)
        if (segment.text, segment.no_speech) != (row.resolved_text, no_speech):
            self.revisions.revise(
                session, SimpleNamespace(id=row.resolved_by_id), original, segment, segment.version, kind="dispute",
                role="reviewer", text=row.resolved_text, no_speech=no_speech,
                no_speech_reason=f"no usable speech (settled dispute {row.id})" if no_speech else None,
                status=segment.status, detail={"dispute": row.id})
        row.applied_at = self.now()

    def _chosen_no_speech(self, session, row: DoubleAgreement) -> bool:
        """Whether the side the settler picked marked the span no speech (a third text never is)."""
        if row.resolution == "third":
            return False
        pair = session.get(DoublePair, row.pair_task_id)
        texts = json.loads(pair.first_texts if row.resolution == "first" else pair.second_texts)
        return bool(texts[row.position - 1][1])

    @staticmethod
    def _check_guidelines(session, task: Task, segment, text: str) -> None:
        problems = check_segments(task.language, [SegmentForCheck(
            segment_id=segment.id, position=segment.position, text=text,
            duration=segment.end_s - segment.start_s, no_speech=False)], project=rows.project_of(session, task))
        if any(p.severity == "error" for p in problems):
            raise GuidelineViolation(problems)

    # --- the settler's listening (workflow/hearing.py, as a reviewer's) ------------------------

    def dispute_audio(self, actor: Actor, agreement_id: int) -> SegmentAudio:
        """The original clip's audio over an open dispute's span (the original task's one
        segment over it), for a user who may settle it only (``_may_settle``)."""
        with self.store.reading() as session:
            _, _, _, segment = self._open_dispute(session, actor, agreement_id)
            found = rows.media_source(session, segment.id)
        return cut_segment(self.ctx, found, reviewing=True)

    def record_dispute_audio_sent(self, actor: Actor, agreement_id: int, *, bounds: tuple[float, float],
                                  sent: tuple[float, float]) -> bool:
        """Record that the dispute's audio route sent the settler the span ``sent`` (seconds
        into the span cut at ``bounds``); whether it was recorded (not once it is settled)."""
        with self.store.session() as session:
            try:
                user, _, _, segment = self._open_dispute(session, actor, agreement_id)
            except WorkbenchError:
                return False
            return hearing.record_sent(session, user.id, segment, bounds=bounds, sent=sent, now=self.now())

    def record_dispute_play(self, actor: Actor, agreement_id: int, *,
                            intervals: Iterable[Sequence[float]]) -> DisputeView:
        """Record the intervals the settler's player played of an open dispute's span
        (``hearing.credit_play``); the dispute with how much of it they have heard."""
        with self.store.session() as session:
            user, row, _, segment = self._open_dispute(session, actor, agreement_id)
            hearing.credit_play(session, self.policy, user.id, segment, intervals, self.now())
            return self._dispute_view(session, user, row, segment, None)

    def _open_dispute(self, session, actor: Actor, agreement_id: int, *,
                      lock: bool = False) -> tuple[Actor, DoubleAgreement, Task, Segment]:
        """The settler, an open dispute they may settle, its original task and the one segment
        of it over the span; NotFound, or InvalidTransition once settled or split or merged."""
        user = self._settler(session, actor)
        row = session.get(DoubleAgreement, checked_id(agreement_id, "dispute"), with_for_update=lock)
        if row is None or not row.disputed or not self._may_settle(session, user, row):
            raise NotFound.worded(message_id("No dispute {id} is yours to settle."), id=agreement_id)
        if row.resolution is not None:
            raise InvalidTransition.worded(message_id("Dispute {id} is settled already."), id=row.id)
        original = self._original(session, row, lock=lock)
        segment, why = settled_segment(repo.live_segments(session, original.id), (row.start_s, row.end_s))
        if segment is None:
            raise InvalidTransition.worded(
                message_id("Dispute {id} cannot be settled as one text: {why}. Its review decides the text."),
                id=row.id, why=why)
        return user, row, original, segment

    def _span_segment(self, session, row: DoubleAgreement) -> tuple[Segment | None, SpanNote | None]:
        return settled_segment(repo.live_segments(session, self._original(session, row).id), (row.start_s, row.end_s))

    def _dispute_view(self, session, user: Actor, row: DoubleAgreement, segment: Segment | None,
                      note: SpanNote | None) -> DisputeView:
        share = hearing.shares_heard(session, user.id, [segment])[segment.id] if segment is not None else 0.0
        return DisputeView.of(row, note=note, heard_share=share, heard=share >= self.policy.heard_share)

    @staticmethod
    def _original(session, row: DoubleAgreement, *, lock: bool = False) -> Task:
        pair = session.get(DoublePair, row.pair_task_id)
        return rows.task(session, pair.original_task_id, lock=lock)

    # --- inside --------------------------------------------------------------------------

    def _double(self, session, clip: Clip, task: Task, *, actor_id: int | None) -> int:
        copy_task, pairs = copy_clip(self.ctx, session, clip, project=clip.project, priority=clip.priority,
                                     created_by_id=clip.created_by_id, actor_id=actor_id)
        spans = [[original.start_s, original.end_s] for original, _ in pairs]
        session.add(DoublePair(task_id=copy_task.id, original_task_id=task.id, spans=json.dumps(spans),
                               created_at=self.now()))
        # Filed under no task: the task's own log reads like any task's.
        self._audit(session, actor_id, "double.offered", "task", copy_task.id, original_task=task.id)
        return copy_task.id

    def _measure(self, session, pair: DoublePair, task: Task) -> None:
        threshold = double_settings(rows.project_of(session, task)).dispute_cer
        now = self.now()
        firsts, seconds = json.loads(pair.first_texts), json.loads(pair.second_texts)
        for position, (span, first, second) in enumerate(zip(json.loads(pair.spans), firsts, seconds), start=1):
            cer = agreement_cer(first[0], second[0], task.language, first_no_speech=first[1],
                                second_no_speech=second[1])
            session.add(DoubleAgreement(pair_task_id=pair.task_id, position=position, start_s=span[0], end_s=span[1],
                                        language=task.language, first_user_id=pair.first_user_id,
                                        first_text=first[0], second_user_id=pair.second_user_id,
                                        second_text=second[0], cer=cer, disputed=cer > threshold, measured_at=now))
        self._audit(session, None, "double.measured", "task", pair.task_id, spans=len(firsts))

    @staticmethod
    def _settler(session, actor: Actor) -> Actor:
        user = access.current(session, actor)
        if user.is_admin:
            return user
        return access.require_worker(session, user, "reviewer")

    @staticmethod
    def _may_settle(session, user: Actor, row: DoubleAgreement) -> bool:
        if user.is_admin:
            return True
        pair = session.get(DoublePair, row.pair_task_id)
        worked = {row.first_user_id, row.second_user_id}
        sides = [session.get(Task, pair.task_id), session.get(Task, pair.original_task_id)]
        return (row.language == user.language and user.id not in worked
                and not any(side.transcriber_id == user.id or side.reviewer_id == user.id for side in sides)
                # the audit log remembers a claim or a review past a release
                and not double_queries.ever_read(session, [side.id for side in sides], user.id))

