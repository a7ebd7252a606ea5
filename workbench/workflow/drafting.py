"""Machine drafts in the workflow: a queued job writes an engine's first text for a processed
clip's segments as revisions, and the evidence says whether drafts help.

- **Queued.** Once a clip is processed its drafting is queued on the ``drafts`` queue
  (queue.py), never the clip queue, so drafting never holds up segmentation. Progress
  (``draft_state``, ``draft_done``/``draft_total``, ``draft_note``) is stored on the clip for
  the admin's clip list, with a heartbeat (``progress_at``, at each batch): the workers'
  sweep (lost_jobs.py) queues a clip whose drafting has stood still for
  ``policy.draft_stall`` again. A job goes on only while the beat is its own, so the late
  copy of a job taken for dead writes nothing more.
- **A draft is a revision.** Version 1 of a segment nobody has touched: no author, role
  ``machine``, kind ``draft``, ``engine`` ``asr:<model>@<hash>``; its words and probabilities
  are kept beside it (``draft_words``). It is never overwritten: a human save after it is an
  ordinary revision, and a draft is only ever written on version 0, checked in the same
  UPDATE that writes it, so a stale job for a segment a human has typed does nothing.
- **Not where it would mislead.** ``drafts_allowed(task, segment)`` is False on gold work,
  double sides and held-back tasks, whose segments are neither given nor shown a draft (a
  held-back task is drafted only to be re-cut like the others, and the drafts thrown away).
- **Re-cut.** Before the drafts are stored, a task nobody has claimed is re-cut by their
  sentences in ``policy.recut_languages`` (workflow/recutting.py).
- **Switch** (workflow/draft_switch.py). Drafts turn off for a project and language while the rolling draft CER (the
  engine's drafts of the newest ``policy.draft_cer_window`` accepted segments, against
  their accepted text) is above ``policy.draft_cer_threshold``, once at least
  ``policy.draft_cer_min_segments`` are measured. It is measured per engine, so choosing
  another engine starts afresh. The clip's ``draft_note`` says why. An admin can turn them
  on again (``restart_drafts``, with a reason, audited): the rolling CER then counts only
  drafts written after that, and the clips switched off are queued again.

Which engine drafts what is a ``DraftConfig`` (drafts/registry.py) kept as JSON in
``<data dir>/drafts.json`` (or the file ``WORKBENCH_DRAFTS`` names), written by ``workbench
drafts set`` and read by ``DraftEngines`` (draft_engines.py) at every job, so a change needs
no restart.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from workbench.drafts.errors import DraftEngineError
from workbench.drafts.evidence import DraftOutcome, draft_figures
from workbench.drafts.loops import repeats_itself
from workbench.drafts.model import SAMPLE_RATE, Draft
from workbench.drafts.packing import window_groups
from workbench.store import double_queries, draft_queries, gold_queries, repo
from workbench.workflow import access, rows
from workbench.store.models import DraftWords, Revision, Segment, Task
from workbench.workflow.context import Context, Service
from workbench.workflow.draft_engines import DraftEngines
from workbench.workflow.draft_guidance import has_sound, recut_pauses
from workbench.workflow.draft_switch import NO_ENGINE, SwitchState, engine_switch, switch_state
from workbench.workflow.views import Views
from workbench.workflow.recutting import Drafted, may_recut, recut_task, untouched
from workbench.workflow.errors import InvalidInput, InvalidTransition, QueueUnavailable
from workbench.workflow.limits import SEGMENT_TEXT, storable
from workbench.workflow.transcribing import clean_text

log = logging.getLogger(__name__)

BATCH_WINDOWS = 4
"""Packed Whisper windows (about two minutes of audio) drafted between two progress reports.
A batch ends where a window ends, so no batch leaves a half-empty window behind that costs
as much as a full one."""


HELD_BACK = "held back from drafts, the control group of the effort figures (README: Holdback)"


def withheld_note(count: int) -> str:
    """The clip list's note on a clip with ``count`` drafts withheld as loops."""
    drafts = "draft" if count == 1 else "drafts"
    return f"{count} {drafts} withheld: the engine repeated itself; those segments are typed from the audio"


def drafts_allowed(task: Task, segment: Segment) -> bool:
    """Whether ``segment`` of ``task`` may be drafted and show its draft: not on gold work
    (a gold copy or an imported reference clip, workflow/gold.py), where a draft would give
    the answer away, nor on either side of a double transcription (workflow/double.py), where
    one draft under both texts would make them agree, nor on an ordinary task held back
    (workflow/holdback.py), so that those two do not stand out as the undrafted ones. A row
    of ``repo.segment_to_save`` (an autosave) read the same rule with the segment."""
    if hasattr(task, "drafts_barred"):
        return not task.drafts_barred
    return not (gold_queries.is_gold_task(task) or double_queries.is_double_task(task)
                or draft_queries.is_held_back(task))


@dataclass
class Heartbeat:
    """A drafting job's latest beat: the ``progress_at`` it last wrote on its clip. The clip
    stays the job's while drafting with that beat; once the sweep queued it again (and a new
    job beats anew) the old job's beat is no longer the stored one."""

    at: datetime | None = None

    def owns(self, clip) -> bool:
        return clip.draft_state == "drafting" and clip.progress_at == self.at

    def beat(self, clip, now: datetime) -> None:
        clip.progress_at = self.at = now


@dataclass(frozen=True)
class DraftEvidence:
    """``figures`` as ``drafts.evidence.draft_figures`` (workers by username) and the switch
    per ``(project, language)``."""

    figures: dict
    switches: dict[tuple[str, str], SwitchState]


class Drafting(Service):
    """``draft_engines``: the engines the draft settings choose (replace it to fix them)."""

    def __init__(self, ctx: Context, *, views: Views) -> None:
        super().__init__(ctx)
        self.views = views
        self.draft_engines = DraftEngines(ctx.data_dir)

    # --- queuing ------------------------------------------------------------------------

    def redraft_clip(self, actor, clip_id: int):
        """Queue a clip's drafting again (admin): after a failure, or once drafts are turned on
        for its project and language. Segments someone has typed stay as they are."""
        with self.store.reading() as session:
            access.require_admin(session, actor)
            clip = rows.clip(session, clip_id)
            if clip.status != "ready":
                raise InvalidTransition(f"Clip {clip_id} is {clip.status}; only a processed clip can be drafted.")
            if clip.draft_state == "queued":
                raise InvalidTransition(f"Clip {clip_id}'s drafting is already queued.")
            if clip.draft_state == "drafting":
                raise InvalidTransition(f"Clip {clip_id}'s drafting is already running; if its job died, the "
                                        "workers' sweep queues it again once it has not moved for "
                                        f"{self.policy.draft_stall.total_seconds() / 60:g} minutes.")
        if not self.queue_drafting(clip_id):
            raise InvalidInput(f"No draft engine is chosen for clip {clip_id}'s project and language "
                               "(`workbench drafts set`).")
        with self.store.reading() as session:
            access.require_admin(session, actor)
            return self.views.clip_views(session, [rows.clip(session, clip_id)])[0]

    def queue_drafting(self, clip_id: int) -> bool:
        """Queue drafting for a processed clip if an engine is chosen for its project and
        language (False if none). A queue that cannot take the job fails the drafting with
        the reason; the clip itself stays ready."""
        with self.store.session() as session:
            clip = rows.clip(session, clip_id, lock=True)
            try:
                choice = self.draft_engines.choice_for(clip.project, clip.language)
            except DraftEngineError as error:
                clip.draft_state, clip.draft_note = "failed", str(error)
                return False
            if choice is None:
                return False
            task = repo.tasks_by_clip(session, [clip.id]).get(clip.id)
            clip.draft_state, clip.draft_done, clip.draft_note = "queued", 0, None
            clip.progress_at = self.now()  # how long it waits for its job (lost_jobs.py)
            clip.draft_total = len(repo.live_segments(session, task.id)) if task else 0
            self._audit(session, None, "clip.draft_queued", "clip", clip.id, engine=choice.name)
        try:
            self.queue.enqueue_drafting(clip_id)
        except QueueUnavailable as error:
            self._draft_failed(clip_id, f"Not queued: {error}")
        return True

    # --- the job ------------------------------------------------------------------------

    def draft_clip(self, clip_id: int) -> None:
        """Draft a processed clip's untouched segments (what ``workbench worker --queue drafts``
        runs). Nothing is raised: a failure is stored on the clip with its reason."""
        heartbeat = Heartbeat()
        try:
            self._draft_clip(clip_id, heartbeat)
        except DraftEngineError as error:
            self._draft_failed(clip_id, str(error), heartbeat)
        except Exception as error:  # noqa: BLE001 - a crash is recorded, never lost in a log
            log.exception("drafting clip %s crashed", clip_id)
            self._draft_failed(clip_id, f"Drafting crashed: {type(error).__name__}: {error}", heartbeat)

    def _draft_clip(self, clip_id: int, heartbeat: Heartbeat) -> None:
        from workbench.drafts.model import DraftSegment

        with self.store.session() as session:
            clip = rows.clip(session, clip_id, lock=True)
            if clip.draft_state != "queued" or clip.status != "ready":
                return  # a duplicate or stale job
            choice = self.draft_engines.choice_for(clip.project, clip.language)
            if choice is None:
                clip.draft_state, clip.draft_note = "off", NO_ENGINE
                return
            backend = self.draft_engines.backend(choice)
            switch = switch_state(session, self.policy, clip.project, clip.language, backend.engine_id)
            if not switch.on:
                clip.draft_state, clip.draft_note = "off", switch.reason
                self._audit(session, None, "clip.drafts_off", "clip", clip.id, reason=switch.reason)
                return
            task = repo.tasks_by_clip(session, [clip.id])[clip.id]
            segments = repo.live_segments(session, task.id)
            recutting, held_back = may_recut(task, self.policy.recut_languages), draft_queries.is_held_back(task)
            wanted = [(s.id, s.start_s, s.end_s) for s in segments
                      if self._draftable(task, s) or (recutting and held_back and untouched(s))]
            clip.draft_state, clip.draft_total = "drafting", len(segments)
            clip.draft_note = HELD_BACK if held_back else None
            clip.draft_done = len(segments) - len(wanted)
            heartbeat.beat(clip, self.now())
            language, source = clip.language, self.ctx.path(clip.output_dir) / "clean.flac" if clip.output_dir else None
            self._audit(session, None, "clip.drafting", "clip", clip.id, engine=backend.engine_id,
                        segments=len(wanted))
        if wanted and (source is None or not source.exists()):
            raise DraftEngineError(f"clip {clip_id} has no processed audio to draft from")
        batches, held, withheld = list(_batches(wanted)), [], []
        for number, batch in enumerate(batches, 1):
            pieces = [DraftSegment(str(segment_id), _audio(source, start, end)) for segment_id, start, end in batch]
            drafts = backend.draft(pieces, language)
            # Whether each piece has sound and, for a re-cut, where it pauses (a split needs one).
            heard = {piece.id: (has_sound(piece.audio), recut_pauses(piece.audio, SAMPLE_RATE) if recutting else ())
                     for piece in pieces}
            fresh = held + [(draft, *heard[draft.segment_id]) for draft in drafts]
            # A re-cut may join a batch's last segment to the next batch's first: it waits for it.
            held = [fresh.pop()] if recutting and number < len(batches) and fresh else []
            if not self._store_drafts(clip_id, fresh, heartbeat, withheld):
                return
        with self.store.session() as session:
            clip = rows.clip(session, clip_id, lock=True)
            if not heartbeat.owns(clip):
                return
            clip.draft_state = "done"
            if withheld:
                clip.draft_note = withheld_note(len(withheld))
            self._audit(session, None, "clip.drafted", "clip", clip.id, segments=clip.draft_done,
                        withheld=len(withheld))

    def _store_drafts(self, clip_id: int, fresh: list[tuple[Draft, bool, tuple]], heartbeat: Heartbeat,
                      withheld: list[int]) -> bool:
        """Write each draft of ``fresh`` (drafts, each with whether its audio has sound and,
        when the task may be re-cut, its pauses) as
        version 1 of its segment, only if the segment is still untouched, and beat; False,
        writing nothing, when the clip is no longer this job's (taken for dead and queued
        again). Before that, a task nobody has claimed is re-cut by these drafts' sentences
        (workflow/recutting.py). An empty draft is kept only over audio with sound: the
        transcriber is told the engine heard no words there (workflow/draft_guidance.py). A
        draft that repeats itself (drafts/loops.py) is withheld, its segment's id added to
        ``withheld``: the segment stays undrafted and is typed from the audio. The re-cut
        still reads it, as the bench measured the re-cut."""
        with self.store.session() as session:
            clip = rows.clip(session, clip_id, lock=True)
            if not heartbeat.owns(clip):
                log.warning("clip %s: this drafting job was taken for dead and the clip queued again; it stops",
                            clip_id)
                return False
            items = [Drafted(repo.get_segment(session, int(draft.segment_id)), draft, sounding, pauses)
                     for draft, sounding, pauses in fresh]
            # The task's row is locked, so a claim waits for the re-cut (or, on PostgreSQL, takes
            # another task) instead of opening segments that are about to change.
            task = repo.get_task(session, items[0].segment.task_id, lock=True) if items else None
            if task is not None and may_recut(task, self.policy.recut_languages):
                items, changes = recut_task(session, task, items, self.now())
                if changes["splits"] or changes["merges"]:
                    self._audit(session, None, "task.recut", "task", task.id, task_id=task.id,
                                engine=items[0].draft.engine, **changes)
            for item in items:
                segment, draft = item.segment, item.draft
                text = clean_text(draft.text)
                if (not text and not item.sounding) or not storable(text, limit=SEGMENT_TEXT) \
                        or not self._draftable(task, segment):
                    continue
                if repeats_itself(text):
                    withheld.append(segment.id)
                    continue
                if not repo.bump_version(session, segment, 0, text=text, status="todo"):
                    continue  # a human typed meanwhile: theirs stands
                revision = Revision(segment_id=segment.id, version=1, base_version=0, text=text, no_speech=False,
                                    author_id=None, role="machine", kind="draft", engine=draft.engine,
                                    created_at=self.now())
                session.add(revision)
                session.flush()
                session.add(DraftWords(revision_id=revision.id,
                                       words=json.dumps([w.to_dict() for w in draft.words], ensure_ascii=False)))
            clip.draft_done = min(clip.draft_total, clip.draft_done + len(fresh))
            heartbeat.beat(clip, self.now())
            return True

    def _draftable(self, task: Task, segment: Segment) -> bool:
        return (segment.version == 0 and not segment.text and not segment.no_speech
                and segment.merged_into_id is None and task.state in ("open", "in_progress")
                and self.ctx.drafts_allowed(task, segment))

    def _draft_failed(self, clip_id: int, reason: str, heartbeat: Heartbeat | None = None) -> None:
        with self.store.session() as session:
            clip = rows.clip(session, clip_id, lock=True)
            if heartbeat is not None and heartbeat.at is not None and not heartbeat.owns(clip):
                return  # a job taken for dead failed late: the clip is another job's now
            clip.draft_state, clip.draft_note = "failed", reason
            self._audit(session, None, "clip.draft_failed", "clip", clip.id, error=reason)

    # --- evidence -----------------------------------------------------------------------

    def draft_evidence(self, actor, *, project: str | None = None, language: str | None = None) -> DraftEvidence:
        """Whether drafts help (admin): draft CER, effort and unread drafts over the accepted
        segments per language, project and worker (``drafts.evidence``), and the switch of
        every project and language that has clips."""
        with self.store.reading() as session:
            access.require_admin(session, actor)
            accepted = draft_queries.accepted_segments(session, project=project, language=language)
            figures = draft_figures(DraftOutcome(s.language, s.project, s.transcriber or "-", s.text, s.draft_text,
                                                 s.typed_chars, s.draft_untouched_at_review, s.held_back,
                                                 s.active_s, s.duration) for s in accepted)
            pairs = sorted({(c.project, c.language) for c in repo.all_clips(session)
                            if (project is None or c.project == project)
                            and (language is None or c.language == language)})
            switches = {}
            for name, lang in pairs:
                try:
                    switches[(name, lang)] = engine_switch(session, self.policy, self.draft_engines, name, lang)
                except DraftEngineError as error:
                    switches[(name, lang)] = SwitchState(False, None, 0, None, f"The draft settings fail: {error}")
            return DraftEvidence(figures=figures, switches=switches)


def _batches(segments, windows: int | None = None):
    """``(id, start, end)`` rows in batches of ``windows`` packed windows (drafts/packing.py)."""
    groups = window_groups([end - start for _, start, end in segments])
    windows = windows or BATCH_WINDOWS
    for first in range(0, len(groups), windows):
        indexes = [index for group in groups[first:first + windows] for index in group]
        yield [segments[index] for index in indexes]


def _audio(source: Path, start: float, end: float):
    """The span as 16 kHz mono float32, what every engine takes."""
    import numpy as np
    import soxr

    from workbench.audio.io import read_span

    audio, rate = read_span(source, start, end)
    if rate != SAMPLE_RATE:
        audio = soxr.resample(audio, rate, SAMPLE_RATE)
    return np.ascontiguousarray(audio, dtype=np.float32)
