"""Clips: import an upload, process it through the queue, record the task and segments."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path

from workbench.store import repo
from workbench.store.models import Clip, Segment, Task
from workbench.workflow.base import WorkbenchBase, check_language, required_text
from workbench.workflow.domain import Actor, ClipView
from workbench.workflow.errors import InvalidInput, InvalidTransition, QueueUnavailable
from workbench.workflow.files import check_size, safe_filename, write_atomically
from workbench.workflow.limits import DB_INT_MAX, NAME, checked_int, checked_text

# Progress is written at most this often (in percent), so a long clip does not hammer the DB.
PROGRESS_STEP = 1.0


class Clips(WorkbenchBase):
    def import_clip(self, actor: Actor, *, filename: str, source: Path | bytes, language: str,
                    project: str, priority: int = 0) -> ClipView:
        """Store an upload under ``<data dir>/uploads/<clip id>/<safe name>`` and queue its
        processing. Any bad input (language, name, size, missing file) changes nothing. A
        queue that cannot take the job raises ``QueueUnavailable``; the clip is then stored
        as failed with its upload, for ``retry_clip``."""
        check_language(language)
        name = safe_filename(filename)
        project = required_text(checked_text(project, "project", limit=NAME), "Give the clip's project (client) name.")
        priority = checked_int(priority, "priority", low=-DB_INT_MAX)
        check_size(source, self.policy.max_upload_bytes, "upload")
        with self.store.session() as session:
            admin = self._admin(session, actor)
            clip = Clip(filename=name, language=language, project=project, priority=priority,
                        status="queued", stage="queued", percent=0.0, created_by_id=admin.id,
                        created_at=self.now())
            session.add(clip)
            session.flush()
            upload_dir = self.data_dir / "uploads" / str(clip.id)
            clip.upload_path = str(Path("uploads") / str(clip.id) / name)
            try:
                write_atomically(source, upload_dir / name)
                self._audit(session, admin.id, "clip.imported", "clip", clip.id, filename=name,
                            language=language, project=project, priority=clip.priority)
                session.flush()
            except BaseException:
                shutil.rmtree(upload_dir, ignore_errors=True)
                raise
            clip_id = clip.id
        self._queue_processing(clip_id)
        return self.clip(actor, clip_id)

    def clip(self, actor: Actor, clip_id: int) -> ClipView:
        with self.store.reading() as session:
            self._admin(session, actor)
            return self._clip_views(session, [self._clip(session, clip_id)])[0]

    def list_clips(self, actor: Actor) -> list[ClipView]:
        with self.store.reading() as session:
            self._admin(session, actor)
            return self._clip_views(session, repo.all_clips(session))

    def retry_clip(self, actor: Actor, clip_id: int) -> ClipView:
        """Queue a failed clip again (its upload was kept), or one still "processing" whose
        worker has been silent for ``policy.orphaned_after`` (it died)."""
        with self.store.session() as session:
            admin = self._admin(session, actor)
            clip = self._clip(session, clip_id)
            orphaned = (clip.status == "processing" and clip.progress_at is not None
                        and self.now() - clip.progress_at > self.policy.orphaned_after)
            if clip.status != "failed" and not orphaned:
                raise InvalidTransition(f"Clip {clip_id} is {clip.status}; only a failed clip (or one whose "
                                        "worker went silent) can be retried.")
            clip.status, clip.stage, clip.percent, clip.progress_at = "queued", "queued", 0.0, self.now()
            self._audit(session, admin.id, "clip.retried", "clip", clip.id, previous_error=clip.error)
        self._queue_processing(clip_id)
        return self.clip(actor, clip_id)

    def process_clip(self, clip_id: int) -> ClipView:
        """Run the audio pipeline on a queued clip (what ``workbench worker`` runs).

        Stage and percent are stored as it goes. A failure stores its reason and keeps the
        upload, so ``retry_clip`` can run it again; it is not raised.
        """
        from workbench.audio.errors import AudioError

        with self.store.session() as session:
            clip = self._clip(session, clip_id, lock=True)
            # Only a queued clip is processed: a clip already done, failed or taken by another
            # worker (a duplicate job) is left alone.
            if clip.status != "queued":
                return self._clip_views(session, [clip])[0]
            clip.status, clip.stage, clip.percent, clip.error = "processing", "starting", 0.0, None
            clip.progress_at = self.now()
            self._audit(session, None, "clip.processing", "clip", clip.id)
            upload, language = self._path(clip.upload_path), clip.language
        out_dir = self.data_dir / "clips" / str(clip_id)
        # A previous attempt may have died after writing; the pipeline wants a fresh target.
        shutil.rmtree(out_dir, ignore_errors=True)
        reporter = _ProgressReporter(self, clip_id)
        try:
            from workbench.audio.pipeline import process_file

            result = process_file(upload, out_dir, language=language, progress=reporter)
        except AudioError as error:
            return self._fail(clip_id, str(error))
        except Exception as error:  # noqa: BLE001 - any crash must be recorded, never lose the clip
            return self._fail(clip_id, f"Processing crashed: {type(error).__name__}: {error}")
        if not result.segments:
            return self._fail(clip_id, "No speech was found in the clip, so there is nothing to transcribe.")
        spans = [(entry.start, entry.end) for entry in result.segments]
        files = [self._stored_path(out_dir / entry.audio_filepath) for entry in result.segments]
        with self.store.session() as session:
            clip = self._clip(session, clip_id)
            self._record_task(session, clip, spans, files)
            clip.status, clip.stage, clip.percent, clip.error = "ready", "done", 100.0, None
            clip.output_dir, clip.duration = self._stored_path(out_dir), float(result.report["input"]["duration"])
            clip.report = json.dumps(result.report, ensure_ascii=False)
            clip.processed_at = clip.progress_at = self.now()
            self._audit(session, None, "clip.ready", "clip", clip.id, segments=len(spans))
            return self._clip_views(session, [clip])[0]

    def register_processed_clip(self, actor: Actor, *, filename: str, language: str, project: str,
                                duration: float, segments: Sequence[tuple[float, float]],
                                output_dir: Path | None = None, priority: int = 0) -> ClipView:
        """Record a clip processed elsewhere (tests, the demo, re-imports): its task and
        segments ``[(start, end), ...]`` in seconds. ``output_dir`` (optional) is a pipeline
        output directory whose ``clean.flac``/``original.flac`` the segment audio is cut from."""
        check_language(language)
        name = safe_filename(filename)
        project = required_text(checked_text(project, "project", limit=NAME), "Give the clip's project (client) name.")
        priority = checked_int(priority, "priority", low=-DB_INT_MAX)
        spans = _checked_spans(segments, duration)
        with self.store.session() as session:
            admin = self._admin(session, actor)
            clip = Clip(filename=name, language=language, project=project, priority=priority,
                        status="ready", stage="done", percent=100.0, duration=float(duration),
                        output_dir=self._stored_path(Path(output_dir)) if output_dir else None,
                        created_by_id=admin.id, created_at=self.now(), processed_at=self.now())
            session.add(clip)
            session.flush()
            self._record_task(session, clip, spans, [None] * len(spans), actor_id=admin.id)
            self._audit(session, admin.id, "clip.registered", "clip", clip.id, segments=len(spans))
            return self._clip_views(session, [clip])[0]

    # --- helpers ------------------------------------------------------------------------

    def _record_task(self, session, clip: Clip, spans, files, *, actor_id: int | None = None) -> None:
        now = self.now()
        task = Task(clip_id=clip.id, language=clip.language, priority=clip.priority, state="open",
                    review_round=0, created_at=now)
        session.add(task)
        session.flush()
        for position, ((start, end), audio_file) in enumerate(zip(spans, files), start=1):
            session.add(Segment(task_id=task.id, position=position, start_s=start, end_s=end, status="todo",
                                text="", no_speech=False, version=0, return_count=0, audio_file=audio_file,
                                created_at=now))
        self._audit(session, actor_id, "task.created", "task", task.id, task_id=task.id, clip_id=clip.id)

    def _queue_processing(self, clip_id: int) -> None:
        """Hand a stored, queued clip to the queue. If the queue cannot take it, the clip is
        failed with the reason instead of waiting forever for a job that does not exist."""
        try:
            self.queue.enqueue_processing(clip_id)
        except QueueUnavailable as error:
            self._fail(clip_id, f"Not queued: {error}")
            raise QueueUnavailable(f"Clip {clip_id} is stored with its upload but not queued. {error} "
                                   f"Retry it (`workbench clips retry {clip_id}`) once the queue is back.") from error

    def _fail(self, clip_id: int, reason: str) -> ClipView:
        with self.store.session() as session:
            clip = self._clip(session, clip_id)
            clip.status, clip.error, clip.progress_at = "failed", reason, self.now()
            self._audit(session, None, "clip.failed", "clip", clip.id, error=reason)
            return self._clip_views(session, [clip])[0]

    def _progress(self, clip_id: int, stage: str, percent: float) -> None:
        with self.store.session() as session:
            clip = self._clip(session, clip_id)
            clip.stage, clip.percent, clip.progress_at = stage, percent, self.now()


class _ProgressReporter:
    """The pipeline's ``progress(stage, fraction)`` callback, storing stage and percent."""

    def __init__(self, workbench: Clips, clip_id: int):
        self.workbench, self.clip_id = workbench, clip_id
        self.last: tuple[str, float] | None = None

    def __call__(self, stage: str, fraction: float) -> None:
        percent = round(max(0.0, min(1.0, fraction)) * 100, 1)
        if self.last and self.last[0] == stage and percent - self.last[1] < PROGRESS_STEP:
            return
        self.last = (stage, percent)
        self.workbench._progress(self.clip_id, stage, percent)


def _checked_spans(segments: Sequence[tuple[float, float]], duration: float) -> list[tuple[float, float]]:
    spans = [(float(start), float(end)) for start, end in segments]
    previous_end = 0.0
    for start, end in spans:
        if not (0.0 <= start < end <= float(duration) + 1e-6) or start < previous_end - 1e-9:
            raise InvalidInput(f"Segment ({start}, {end}) is outside the clip or overlaps the one before.")
        previous_end = end
    return spans
