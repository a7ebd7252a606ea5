"""Gold work: accepted segments whose text is known become references; copies of their clips
are offered among a project's ordinary tasks; a transcriber's first submitted text of a copy
is scored against the reference, and the score counts in their grade.

- **Marking.** An admin marks accepted segments, or every accepted segment of a clip, as gold
  (``mark_gold``), or imports a clip with its reference transcript (``import_gold_clip``,
  ``(start, end, text)`` rows). Both are audited. An imported clip is reference material:
  it is never offered, paid or exported.
- **Mixing.** A *gold copy* is a new clip row over the source clip's processed audio, a new
  open task and new segments with the source's bounds. It is made in the same transaction
  as an ordinary task of a project whose ``[gold."<project>"] rate`` in
  ``guidelines/projects.toml`` is above 0: ``rate`` is the share of the project's offered
  tasks that are gold, so each new ordinary task brings a copy with probability
  ``rate / (1 - rate)`` (at most 0.5), drawn from the operating system's randomness. A copy
  is a whole clip, not a segment slipped into another clip: the page shows each segment's
  place on its clip and plays the end of the previous segment before the next, so a
  foreign segment inside a clip would give itself away by its times and its sound. The
  copy's ids come from the same sequences, its JSON has the same keys, its audio goes
  through the same media route, and its task log reads like any other (gold's own audit
  entries are filed under no task).
- **No drafts.** ``drafts_allowed`` answers False for a gold copy or an imported clip, so
  they are neither drafted nor shown a draft. A copy does not stand out as the task without
  drafts: a share of the ordinary tasks, at least the gold rate, is held back from drafts
  too (holdback.py).
- **Scoring.** At a copy's first submit each scored segment (``gold_placements``) is scored
  against its reference by ``score_text``: CER of ``drafts.scoring`` (Korean ignores
  spacing, zh and ja count characters, en counts characters and words), the tags must be the
  same, and for the Korean dual notation the ``(spelling)/(pronunciation)`` pairs must be
  the same pairs, while CER is taken on the pronunciation reading. The text compared is that of every live segment of
  the copy overlapping the reference's span, so splitting or merging changes nothing.
  A score passes at CER <= ``pass_cer`` (default 0.10) with tags and notation right.
- **Grade.** A passed score counts as an accepted segment and a failed one as a returned
  segment in the transcriber's grade window, in place of the reviewer's decision on it.
- **Pay.** A copy is paid like any task, to the worker who did it, once: its segments are
  new rows of its own task; the source segment stays paid once, to its own worker. Not
  paying gold would show it on the worker's earnings page.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from workbench.domain.states import SegmentStatus, TaskState
from workbench.store import gold_queries, repo
from workbench.store.gold_models import GoldCopy, GoldImport, GoldPlacement, GoldReference, GoldScore
from workbench.store.models import Clip, Revision, Segment, Task
from workbench.workflow import access, rows
from workbench.workflow.clip_copies import copy_clip
from workbench.workflow.double_rules import span_text
from workbench.workflow.context import Context, Service
from workbench.workflow.limits import check_language, required_text
from workbench.workflow.views import Views
from workbench.workflow.domain import Actor, ClipView
from workbench.workflow.errors import InvalidInput, NotFound
from workbench.workflow.limits import (
    DB_INT_MAX,
    NAME,
    REASON,
    SEGMENT_TEXT,
    checked_id,
    checked_int,
    checked_number,
    checked_text,
)

from workbench.workflow.gold_rules import (  # noqa: F401  (the pure parts, importable from here too)
    MAX_REFERENCES,
    GoldFigures,
    GoldScoreView,
    GoldSettings,
    gold_settings,
    read_references,
    score_text,
)


class Gold(Service):
    """Marking, mixing and scoring gold. Its seams, handed to the services that call them:
    ``mix_gold`` (Clips, after an ordinary task is recorded), ``gold_to_skip`` and
    ``score_gold`` (Transcribing, at a claim and a submit); ``drafting.drafts_allowed``
    keeps drafts off gold work."""

    def __init__(self, ctx: Context, *, views: Views) -> None:
        super().__init__(ctx)
        self.views = views

    # Where a copy is drawn from: the system's randomness, so no seed or clock predicts it.
    gold_random: ClassVar[random.Random] = random.SystemRandom()

    # --- marking ------------------------------------------------------------------------

    def mark_gold(self, actor: Actor, *, clip_id: int | None = None, segment_ids: Sequence[int] = ()) -> int:
        """Make accepted segments gold references (admin): ``segment_ids``, or every accepted
        segment of clip ``clip_id``. Already gold ones are left as they are; the number newly
        marked is returned. A segment that is not accepted, or that is itself gold work, is
        refused (InvalidInput) and nothing changes."""
        if (clip_id is None) == (not segment_ids):
            raise InvalidInput("Mark either a clip or some segments as gold.")
        ids = [checked_id(s, "segment") for s in segment_ids]
        with self.store.session() as session:
            admin = access.require_admin(session, actor)
            if clip_id is not None:
                task = repo.tasks_by_clip(session, [checked_id(clip_id, "clip")]).get(clip_id)
                if task is None:
                    raise NotFound(f"Clip {clip_id} has no task.")
                segments = [s for s in repo.live_segments(session, task.id) if s.status == SegmentStatus.ACCEPTED]
                if not segments:
                    raise InvalidInput(f"Clip {clip_id} has no accepted segment to make gold.")
            else:
                segments = [rows.segment(session, s)[0] for s in ids]
            for segment in segments:
                task = session.get(Task, segment.task_id)
                if segment.status != SegmentStatus.ACCEPTED:
                    raise InvalidInput(f"Segment {segment.id} is {segment.status}; only accepted text is gold.")
                if gold_queries.is_gold_task(task):
                    raise InvalidInput(f"Segment {segment.id} is itself gold work.")
            known = gold_queries.references_by_segment(session, [s.id for s in segments])
            fresh = [s for s in segments if s.id not in known]
            revived = [known[s.id] for s in segments if s.id in known and known[s.id].removed_at is not None]
            for reference in revived:  # un-marked before: gold again, its history in the audit log
                reference.removed_at = reference.removed_by_id = None
                self._audit(session, admin.id, "gold.marked", "segment", reference.segment_id,
                            clip_id=reference.clip_id, again=True)
            for segment in fresh:
                task = session.get(Task, segment.task_id)
                session.add(GoldReference(segment_id=segment.id, clip_id=task.clip_id, language=task.language,
                                          text=segment.text, no_speech=segment.no_speech, marked_by_id=admin.id,
                                          created_at=self.now()))
                self._audit(session, admin.id, "gold.marked", "segment", segment.id, clip_id=task.clip_id)
            return len(fresh) + len(revived)

    def unmark_gold(self, actor: Actor, *, segment_ids: Sequence[int], reason: str) -> int:
        """Take the gold mark off references (admin), by the segment ids they were made from:
        no copy made from now on is scored against them, and a source clip left with none is
        no longer copied. The reference row stays (with who and when), and so do its copies
        and the scores already given, which keep counting in grades. ``reason`` goes to the
        audit log. The number un-marked; a segment that is not gold is refused (InvalidInput)."""
        if not isinstance(segment_ids, (list, tuple)) or not segment_ids:
            raise InvalidInput("Name the gold segments to un-mark, as a list of segment ids.")
        ids = [checked_id(s, "segment") for s in segment_ids]
        reason = required_text(checked_text(reason, "reason", limit=REASON), "Say why the gold mark is taken off.")
        with self.store.session() as session:
            admin = access.require_admin(session, actor)
            known = gold_queries.references_by_segment(session, ids)
            missing = sorted(set(ids) - set(known))
            if missing:
                raise InvalidInput(f"Segment(s) {', '.join(map(str, missing))} are not gold.")
            live = [known[s] for s in dict.fromkeys(ids) if known[s].removed_at is None]
            for reference in live:
                reference.removed_at, reference.removed_by_id = self.now(), admin.id
                self._audit(session, admin.id, "gold.unmarked", "segment", reference.segment_id,
                            clip_id=reference.clip_id, reason=reason)
            return len(live)

    def import_gold_clip(self, actor: Actor, *, filename: str, language: str, project: str,
                         references: Sequence[tuple[float, float, str]], output_dir: Path,
                         duration: float | None = None) -> ClipView:
        """Record a processed clip (``output_dir`` holds its ``clean.flac``/``original.flac``)
        with its reference transcript ``[(start, end, text), ...]`` as gold (admin). Its task
        is complete and belongs to nobody: never offered, paid or exported."""
        from workbench.workflow.clips import _checked_spans

        check_language(language)
        project = required_text(checked_text(project, "project", limit=NAME), "Give the project.")
        if not isinstance(references, (list, tuple)) or not 0 < len(references) <= MAX_REFERENCES:
            raise InvalidInput(f"A reference transcript has 1 to {MAX_REFERENCES} rows of start, end, text.")
        rows = []
        for row in references:
            if not isinstance(row, (list, tuple)) or len(row) != 3:
                raise InvalidInput("Each reference row is start, end, text.")
            rows.append((checked_number(row[0], "start"), checked_number(row[1], "end"),
                         required_text(checked_text(row[2], "reference text", limit=SEGMENT_TEXT),
                                       "A reference row has no text.")))
        output = Path(output_dir)
        if not (output / "clean.flac").is_file():
            raise InvalidInput(f"{output} holds no clean.flac.")
        if duration is None:
            from workbench.audio.io import probe

            duration = probe(output / "clean.flac").duration
        spans = _checked_spans([(start, end) for start, end, _ in rows], checked_number(duration, "duration"))
        with self.store.session() as session:
            admin = access.require_admin(session, actor)
            now = self.now()
            clip = Clip(filename=checked_text(filename, "file name", limit=NAME), language=language,
                        project=project, priority=0, status="ready", stage="done", percent=100.0,
                        duration=float(duration), output_dir=self.ctx.stored_path(output), created_by_id=admin.id,
                        created_at=now, processed_at=now)
            session.add(clip)
            session.flush()
            session.add(GoldImport(clip_id=clip.id, created_at=now))
            task = Task(clip_id=clip.id, language=language, priority=0, state=TaskState.COMPLETE,
                        review_round=0, created_at=now, completed_at=now)
            session.add(task)
            session.flush()
            for position, ((start, end), (_, _, text)) in enumerate(zip(spans, rows), start=1):
                segment = Segment(task_id=task.id, position=position, start_s=start, end_s=end,
                                  status=SegmentStatus.ACCEPTED, text=text, no_speech=False, version=1,
                                  return_count=0, created_at=now)
                session.add(segment)
                session.flush()
                session.add(Revision(segment_id=segment.id, version=1, base_version=0, text=text,
                                     author_id=admin.id, role="reviewer", kind="correction", created_at=now))
                session.add(GoldReference(segment_id=segment.id, clip_id=clip.id, language=language, text=text,
                                          no_speech=False, marked_by_id=admin.id, created_at=now))
            self._audit(session, admin.id, "gold.imported", "clip", clip.id, references=len(rows))
            return self.views.clip_views(session, [clip])[0]

    # --- what the admin sees ------------------------------------------------------------

    def gold_scores(self, actor: Actor, *, username: str | None = None) -> list[GoldScoreView]:
        """Every gold score, newest first (admin), or one worker's."""
        with self.store.reading() as session:
            access.require_admin(session, actor)
            user_id = rows.named(session, username).id if username else None
            return [GoldScoreView(username=name, project=project, language=score.language, task_id=score.task_id,
                                  segment_id=score.segment_id, reference=reference.text, text=score.text,
                                  cer=score.cer, wer=score.wer, tags_match=score.tags_match,
                                  notation_match=score.notation_match, passed=score.passed,
                                  scored_at=score.scored_at)
                    for score, reference, name, project in gold_queries.scores(session, user_id=user_id)]

    # --- seams the other parts call ------------------------------------------------------

    def gold_to_skip(self, connection, user_id: int) -> list[int]:
        """Open gold copies the claimer must not get (``gold_queries.copies_to_skip``)."""
        return gold_queries.copies_to_skip(connection, user_id)

    def mix_gold(self, session, clip: Clip, task: Task, *, actor_id: int | None = None) -> None:
        """Perhaps follow a new ordinary task of ``clip`` (recorded by ``actor_id``, None for
        the pipeline) with a gold copy (module docstring)."""
        settings = gold_settings(clip.project)
        if settings.rate <= 0 or self.gold_random.random() >= settings.copy_chance:
            return
        sources = gold_queries.gold_source_clips(session, language=clip.language, besides=clip.id)
        if sources:
            source = session.get(Clip, self.gold_random.choice(sources))
            self._copy(session, source, project=clip.project, priority=clip.priority,
                       created_by_id=clip.created_by_id, actor_id=actor_id, alongside=task.id)

    def offer_gold_copy(self, actor: Actor, *, clip_id: int, project: str, priority: int = 0) -> int:
        """Offer a gold copy of clip ``clip_id`` (which holds gold references) in ``project``
        now (admin): for a demo, a test, or a new worker's first task. The copy's id."""
        project = required_text(checked_text(project, "project", limit=NAME), "Give the project.")
        priority = checked_int(priority, "priority", low=-DB_INT_MAX)
        with self.store.session() as session:
            admin = access.require_admin(session, actor)
            source = rows.clip(session, clip_id)
            if source.id not in gold_queries.gold_source_clips(session, language=source.language, besides=0):
                raise InvalidInput(f"Clip {source.id} holds no gold reference.")
            return self._copy(session, source, project=project, priority=priority, created_by_id=admin.id,
                              actor_id=admin.id, alongside=None)

    def gold_copies(self, actor: Actor) -> dict[int, int]:
        """``{copy task id: source clip id}`` of every gold copy (admin)."""
        with self.store.reading() as session:
            access.require_admin(session, actor)
            return gold_queries.copies(session)

    def _copy(self, session, source: Clip, *, project: str, priority: int, created_by_id: int | None,
              actor_id: int | None, alongside: int | None) -> int:
        """Offer a gold copy of ``source`` in ``project`` (``clip_copies``); its task id."""
        copy_task, pairs = copy_clip(self.ctx, session, source, project=project, priority=priority,
                                     created_by_id=created_by_id, actor_id=actor_id)
        session.add(GoldCopy(task_id=copy_task.id, source_clip_id=source.id, created_at=self.now()))
        references = gold_queries.references_by_segment(session, [original.id for original, _ in pairs],
                                                        live_only=True)
        for original, segment in pairs:
            if original.id in references:
                session.add(GoldPlacement(segment_id=segment.id, task_id=copy_task.id,
                                          reference_id=references[original.id].id))
        # The task's own log reads like any task's; gold's entry is filed under no task.
        self._audit(session, actor_id, "gold.copy_offered", "task", copy_task.id, source_clip=source.id,
                    alongside_task=alongside)
        return copy_task.id

    def score_gold(self, session, user: Actor, task: Task, segments: Sequence[Segment]) -> None:
        """Score the gold segments of ``task`` not scored yet (its first submit)."""
        pending = gold_queries.unscored_placements(session, task.id)
        if not pending:
            return
        settings = gold_settings(rows.project_of(session, task))
        for placement, reference, source in pending:
            text, no_speech = span_text(segments, (source.start_s, source.end_s), task.language)
            figures = score_text(reference.text, text, task.language, reference_no_speech=reference.no_speech,
                                 no_speech=no_speech)
            passed = figures.passed(settings.pass_cer)
            session.add(GoldScore(segment_id=placement.segment_id, task_id=task.id, reference_id=reference.id,
                                  user_id=user.id, language=task.language, text=text, cer=figures.cer,
                                  wer=figures.wer, tags_match=figures.tags_match,
                                  notation_match=figures.notation_match, passed=passed, scored_at=self.now()))
            self._audit(session, None, "gold.scored", "segment", placement.segment_id, worker=user.username,
                        cer=round(figures.cer, 4), passed=passed)

