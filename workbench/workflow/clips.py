"""Clips: import an upload, process it through the queue, record the task and segments.

A worker processing a clip holds a lease on it (``lease_owner``, ``lease_until``) and renews
it every quarter of ``policy.clip_lease`` from a heartbeat thread, and with every progress
report. A worker that dies (``kill -9``, out of memory, machine lost) stops renewing; the
next sweep of any worker (``recover_stalled_clips``, run every half lease) finds the lease
run out and queues the clip again, or fails it with the reason once
``policy.clip_max_attempts`` workers have died on it. A worker that finds its lease taken
(it stalled past the lease and the clip was queued again) stops and stores nothing. The
sweep also removes staging directories no live worker owns: a killed worker cannot remove
its own, and one is as big as the decoded clip.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import threading
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from workbench.domain.states import SegmentStatus, TaskState
from workbench.store import repo
from workbench.store.models import Clip, Segment, Task
from workbench.workflow import access, rows
from workbench.workflow.context import Context, Service
from workbench.workflow.domain import Actor, ClipView
from workbench.workflow.errors import DuplicateClip, InvalidInput, InvalidTransition, QueueUnavailable
from workbench.workflow.files import check_size, content_hash, safe_filename, write_atomically
from workbench.workflow.gold_rules import ProjectSettingsError
from workbench.workflow.holdback import holdback_share, settings_refusal
from workbench.workflow.limits import DB_INT_MAX, NAME, check_language, checked_int, checked_text, required_text
from workbench.workflow.views import Views

# Progress is written at most this often (in percent), so a long clip does not hammer the DB.
PROGRESS_STEP = 1.0
NOT_RECORDED = "Not recorded: {} (fix the file, then retry the clip)"  # a malformed projects.toml table

log = logging.getLogger(__name__)


class LeaseLost(Exception):
    """This worker's lease on the clip ran out and the clip was taken back: stop, store nothing."""


class Clips(Service):
    """``queue_drafting(clip_id)`` is called once a clip is processed (drafting.py's
    ``Drafting.queue_drafting``): whether a draft job was queued."""

    def __init__(self, ctx: Context, *, views: Views, queue_drafting: Callable[[int], bool],
                 mix_gold: Callable | None = None, mix_double: Callable | None = None,
                 mix_holdback: Callable | None = None) -> None:
        super().__init__(ctx)
        self.views, self.queue_drafting, self.mix_gold = views, queue_drafting, mix_gold
        self.mix_double, self.mix_holdback = mix_double, mix_holdback

    def import_clip(self, actor: Actor, *, filename: str, source: Path | bytes, language: str,
                    project: str, priority: int = 0, allow_duplicate: bool = False) -> ClipView:
        """Store an upload under ``<data dir>/uploads/<clip id>/<safe name>`` and queue its
        processing. Any bad input (language, name, size, missing file) changes nothing, and
        so does an upload whose bytes (SHA-256) are those of a clip not withdrawn
        (``DuplicateClip``), unless ``allow_duplicate``. A queue that cannot take the job
        raises ``QueueUnavailable``; the clip is then stored as failed with its upload, for
        ``retry_clip``."""
        check_language(language)
        name = safe_filename(filename)
        project = required_text(checked_text(project, "project", limit=NAME), "Give the clip's project (client) name.")
        priority = checked_int(priority, "priority", low=-DB_INT_MAX)
        check_size(source, self.policy.max_upload_bytes, "upload")
        digest = content_hash(source)
        with self.store.session() as session:
            admin = access.require_admin(session, actor)
            repo.lock_content_hash(session, digest)
            original = repo.clip_with_content(session, digest)
            if original is not None and not allow_duplicate:
                raise DuplicateClip(name, original.id, original.filename, original.project)
            clip = Clip(filename=name, language=language, project=project, priority=priority,
                        status="queued", stage="queued", percent=0.0, created_by_id=admin.id,
                        created_at=self.now(), content_hash=digest)
            session.add(clip)
            session.flush()
            upload_dir = self.data_dir / "uploads" / str(clip.id)
            clip.upload_path = str(Path("uploads") / str(clip.id) / name)
            try:
                write_atomically(source, upload_dir / name)
                self._audit(session, admin.id, "clip.imported", "clip", clip.id, filename=name,
                            language=language, project=project, priority=clip.priority,
                            duplicate_of=original.id if original else None)
                session.flush()
            except BaseException:
                shutil.rmtree(upload_dir, ignore_errors=True)
                raise
            clip_id = clip.id
        self._queue_processing(clip_id)
        return self.clip(actor, clip_id)

    def clip(self, actor: Actor, clip_id: int) -> ClipView:
        with self.store.reading() as session:
            access.require_admin(session, actor)
            return self.views.clip_views(session, [rows.clip(session, clip_id)])[0]

    def list_clips(self, actor: Actor, *, include_dismissed: bool = False) -> list[ClipView]:
        """Every clip, newest first; dismissed ones only with ``include_dismissed``."""
        with self.store.reading() as session:
            access.require_admin(session, actor)
            found = repo.all_clips(session) if include_dismissed else repo.listed_clips(session)
            return self.views.clip_views(session, found)

    def retry_clip(self, actor: Actor, clip_id: int) -> ClipView:
        """Queue a failed clip again (its upload was kept), or one still "processing" whose
        worker's lease has run out (it died; the workers' sweep would queue it soon anyway).
        The count of attempts starts afresh."""
        with self.store.session() as session:
            admin = access.require_admin(session, actor)
            clip = rows.clip(session, clip_id, lock=True)
            if clip.withdrawn_at is not None:
                raise InvalidTransition(f"Clip {clip_id} is withdrawn; it is not processed again.")
            if clip.status != "failed" and not self._lease_expired(clip):
                raise InvalidTransition(f"Clip {clip_id} is {clip.status}; only a failed clip (or one whose "
                                        "worker's lease ran out) can be retried.")
            clip.status, clip.stage, clip.percent, clip.progress_at = "queued", "queued", 0.0, self.now()
            clip.lease_owner, clip.lease_until, clip.attempts, clip.dismissed_at = None, None, 0, None
            self._audit(session, admin.id, "clip.retried", "clip", clip.id, previous_error=clip.error)
        self._queue_processing(clip_id)
        return self.clip(actor, clip_id)

    def process_clip(self, clip_id: int) -> ClipView:
        """Run the audio pipeline on a queued clip (what ``workbench worker`` runs).

        Stage and percent are stored as it goes, and the clip's lease renewed (see the module
        docstring). A failure stores its reason and keeps the upload, so ``retry_clip`` can
        run it again; it is not raised. So does a malformed ``[gold]``, ``[double]`` or
        ``[holdback]`` table of ``guidelines/projects.toml`` (before the pipeline runs, and
        again when the task is stored: no task is left without its segments, or half of its
        copies). A worker that lost its lease stores nothing.
        """
        from workbench.audio.errors import AudioError
        from workbench.audio.pipeline import process_file

        owner = uuid.uuid4().hex
        with self.store.session() as session:
            clip = rows.clip(session, clip_id, lock=True)
            # Only a queued clip is processed: a clip already done, failed or taken by another
            # worker (a duplicate job) is left alone, and so is a withdrawn clip.
            if clip.status != "queued" or clip.withdrawn_at is not None:
                return self.views.clip_views(session, [clip])[0]
            clip.status, clip.stage, clip.percent, clip.error = "processing", "starting", 0.0, None
            clip.progress_at, clip.attempts = self.now(), clip.attempts + 1
            clip.lease_owner, clip.lease_until = owner, self.now() + self.policy.clip_lease
            self._audit(session, None, "clip.processing", "clip", clip.id, attempt=clip.attempts)
            upload, language, project = self.ctx.path(clip.upload_path), clip.language, clip.project
        if (refusal := settings_refusal(project)) is not None:
            return self._fail(clip_id, NOT_RECORDED.format(refusal), owner=owner)
        out_dir = self.data_dir / "clips" / str(clip_id)
        # A previous attempt may have died after writing, or mid-run; the pipeline wants a
        # fresh target, and what the dead attempt staged is garbage now.
        shutil.rmtree(out_dir, ignore_errors=True)
        self._remove_staging(of_clip=clip_id)
        lease = _Lease(self, clip_id, owner)
        try:
            with lease.kept():
                result = process_file(upload, out_dir, language=language, progress=_ProgressReporter(lease))
        except LeaseLost:
            log.warning("clip %s: lease lost to another worker; stopped without storing anything", clip_id)
            return self._system_view(clip_id)
        except AudioError as error:
            return self._fail(clip_id, str(error), owner=owner)
        except Exception as error:  # noqa: BLE001 - any crash must be recorded, never lose the clip
            return self._fail(clip_id, f"Processing crashed: {type(error).__name__}: {error}", owner=owner)
        if not result.segments:
            return self._fail(clip_id, "No speech was found in the clip, so there is nothing to transcribe.",
                              owner=owner)
        try:
            stored = self._store_result(clip_id, owner, out_dir, result)
        except ProjectSettingsError as error:  # the file was broken while the pipeline ran
            return self._fail(clip_id, NOT_RECORDED.format(error), owner=owner)
        if stored is not None:
            return stored
        self.queue_drafting(clip_id)
        return self._system_view(clip_id)

    def _store_result(self, clip_id: int, owner: str, out_dir: Path, result) -> ClipView | None:
        """Record the pipeline's ``result`` as the clip's task; the clip as it stays when the
        lease was lost meanwhile, else None."""
        spans = [(entry.start, entry.end) for entry in result.segments]
        files = [self.ctx.stored_path(out_dir / entry.audio_filepath) for entry in result.segments]
        with self.store.session() as session:
            clip = rows.clip(session, clip_id, lock=True)
            if clip.lease_owner != owner:
                # The worker that took the clip over cannot have finished: its output would
                # have had to replace this one. Out of its way.
                log.warning("clip %s: lease lost to another worker before the result was stored", clip_id)
                shutil.rmtree(out_dir, ignore_errors=True)
                return self.views.clip_views(session, [clip])[0]
            self._record_task(session, clip, spans, files)
            clip.status, clip.stage, clip.percent, clip.error = "ready", "done", 100.0, None
            clip.lease_owner = clip.lease_until = None
            clip.output_dir, clip.duration = self.ctx.stored_path(out_dir), float(result.report["input"]["duration"])
            clip.report = json.dumps(result.report, ensure_ascii=False)
            clip.processed_at = clip.progress_at = self.now()
            self._audit(session, None, "clip.ready", "clip", clip.id, segments=len(spans))
        return None

    def recover_stalled_clips(self) -> list[int]:
        """Take back every "processing" clip whose worker's lease ran out (what each worker's
        sweep runs): queue it again, or fail it with the reason once
        ``policy.clip_max_attempts`` workers have died on it. Then remove the staging
        directories no live worker owns. Returns the ids of the clips taken back."""
        requeued, taken = [], []
        with self.store.session() as session:
            for clip in repo.clips_with_lease_expired(session, self.now(), lock=True):
                taken.append(clip.id)
                stopped_at = f"{clip.stage} {clip.percent:.0f}%"
                clip.lease_owner = clip.lease_until = None
                if clip.attempts >= self.policy.clip_max_attempts:
                    clip.status, clip.progress_at = "failed", self.now()
                    clip.error = (f"The worker processing it stopped {clip.attempts} times without finishing (last "
                                  f"at {stopped_at}): killed, or out of memory on this clip? Retry it to try again.")
                    self._audit(session, None, "clip.failed", "clip", clip.id, error=clip.error)
                else:
                    clip.status, clip.stage, clip.percent, clip.progress_at = "queued", "queued", 0.0, self.now()
                    self._audit(session, None, "clip.requeued", "clip", clip.id, attempts=clip.attempts,
                                stopped_at=stopped_at)
                    requeued.append(clip.id)
        for clip_id in requeued:
            log.warning("clip %s: its worker's lease ran out; queued again", clip_id)
            try:
                self._queue_processing(clip_id)
            except QueueUnavailable as error:
                log.error("%s", error)
        self._remove_staging()
        return taken

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
            admin = access.require_admin(session, actor)
            clip = Clip(filename=name, language=language, project=project, priority=priority,
                        status="ready", stage="done", percent=100.0, duration=float(duration),
                        output_dir=self.ctx.stored_path(Path(output_dir)) if output_dir else None,
                        created_by_id=admin.id, created_at=self.now(), processed_at=self.now())
            session.add(clip)
            session.flush()
            self._record_task(session, clip, spans, [None] * len(spans), actor_id=admin.id)
            self._audit(session, admin.id, "clip.registered", "clip", clip.id, segments=len(spans))
            return self.views.clip_views(session, [clip])[0]

    # --- helpers ------------------------------------------------------------------------

    def _record_task(self, session, clip: Clip, spans, files, *, actor_id: int | None = None) -> None:
        holdback_share(clip.project)  # a malformed gold, double or holdback table: refused before any write
        now = self.now()
        task = Task(clip_id=clip.id, language=clip.language, priority=clip.priority, state=TaskState.OPEN,
                    review_round=0, created_at=now)
        session.add(task)
        session.flush()
        for position, ((start, end), audio_file) in enumerate(zip(spans, files), start=1):
            session.add(Segment(task_id=task.id, position=position, start_s=start, end_s=end, status=SegmentStatus.TODO,
                                text="", no_speech=False, version=0, return_count=0, audio_file=audio_file,
                                created_at=now))
        self._audit(session, actor_id, "task.created", "task", task.id, task_id=task.id, clip_id=clip.id)
        if self.mix_gold is not None:  # workflow/gold.py: perhaps a gold copy alongside
            self.mix_gold(session, clip, task, actor_id=actor_id)
        if self.mix_double is not None:  # workflow/double.py: perhaps transcribed twice
            self.mix_double(session, clip, task, actor_id=actor_id)
        if self.mix_holdback is not None:  # workflow/holdback.py: perhaps served without drafts
            self.mix_holdback(session, clip, task, actor_id=actor_id)

    def _queue_processing(self, clip_id: int) -> None:
        """Hand a stored, queued clip to the queue. If the queue cannot take it, the clip is
        failed with the reason instead of waiting forever for a job that does not exist."""
        try:
            self.queue.enqueue_processing(clip_id)
        except QueueUnavailable as error:
            self._fail(clip_id, f"Not queued: {error}")
            raise QueueUnavailable(f"Clip {clip_id} is stored with its upload but not queued. {error} "
                                   f"Retry it (`workbench clips retry {clip_id}`) once the queue is back.") from error

    def _fail(self, clip_id: int, reason: str, *, owner: str | None = None) -> ClipView:
        """Fail the clip with ``reason``; from a worker (``owner``), only while it holds the lease."""
        with self.store.session() as session:
            clip = rows.clip(session, clip_id, lock=True)
            if owner is not None and clip.lease_owner != owner:
                return self.views.clip_views(session, [clip])[0]
            clip.status, clip.error, clip.progress_at = "failed", reason, self.now()
            clip.lease_owner = clip.lease_until = None
            self._audit(session, None, "clip.failed", "clip", clip.id, error=reason)
            return self.views.clip_views(session, [clip])[0]

    def _renew_lease(self, clip_id: int, owner: str, progress: tuple[str, float] | None = None) -> bool:
        """Extend ``owner``'s lease (storing ``(stage, percent)`` if given); False if it was lost."""
        with self.store.session() as session:
            clip = rows.clip(session, clip_id, lock=True)
            if clip.status != "processing" or clip.lease_owner != owner:
                return False
            clip.lease_until = self.now() + self.policy.clip_lease
            if progress is not None:
                (clip.stage, clip.percent), clip.progress_at = progress, self.now()
            return True

    def _lease_expired(self, clip: Clip) -> bool:
        return clip.status == "processing" and (clip.lease_until is None or clip.lease_until < self.now())

    def _remove_staging(self, *, of_clip: int | None = None) -> None:
        """Remove the pipeline's staging directories under clips/: those of clip ``of_clip``
        (whose lease the caller holds), or else all whose clip has no live lease."""
        from workbench.audio.pipeline import staging_dirs

        # Listed before the leases are read: a worker takes its lease before it creates its
        # directory, so a listed directory of a live worker always finds that lease below.
        found = staging_dirs(self.data_dir / "clips")
        if of_clip is not None:
            keep = {building for building in found.values() if building != str(of_clip)}
        elif found:
            with self.store.reading() as session:
                keep = {str(clip.id) for clip in repo.clips_with_live_lease(session, self.now())}
        for path, building in found.items():
            if building not in keep:
                shutil.rmtree(path, ignore_errors=True)

    def _system_view(self, clip_id: int) -> ClipView:
        with self.store.reading() as session:
            return self.views.clip_views(session, [rows.clip(session, clip_id)])[0]


class _Lease:
    """A worker's lease on one clip: ``kept()`` renews it from a heartbeat thread every
    quarter lease while the pipeline runs; ``renew(progress)`` also stores progress and
    raises ``LeaseLost`` once the clip was taken back."""

    def __init__(self, workbench: Clips, clip_id: int, owner: str):
        self.workbench, self.clip_id, self.owner = workbench, clip_id, owner
        self.lost = threading.Event()

    def renew(self, progress: tuple[str, float] | None = None) -> None:
        if self.lost.is_set() or not self.workbench._renew_lease(self.clip_id, self.owner, progress):
            self.lost.set()
            raise LeaseLost(f"clip {self.clip_id}")

    @contextlib.contextmanager
    def kept(self):
        done = threading.Event()
        interval = self.workbench.policy.clip_lease.total_seconds() / 4

        def beat() -> None:
            while not done.wait(interval):
                try:
                    self.renew()
                except LeaseLost:
                    return
                except Exception:  # noqa: BLE001 - a database hiccup; the next beat tries again
                    log.exception("clip %s: renewing the lease failed", self.clip_id)

        heart = threading.Thread(target=beat, name=f"lease-clip-{self.clip_id}", daemon=True)
        heart.start()
        try:
            yield self
        finally:
            done.set()
            heart.join()


class _ProgressReporter:
    """The pipeline's ``progress(stage, fraction)`` callback: stores stage and percent and
    renews the lease (raising ``LeaseLost`` into the pipeline if it was lost)."""

    def __init__(self, lease: _Lease):
        self.lease = lease
        self.last: tuple[str, float] | None = None

    def __call__(self, stage: str, fraction: float) -> None:
        percent = round(max(0.0, min(1.0, fraction)) * 100, 1)
        if self.last and self.last[0] == stage and percent - self.last[1] < PROGRESS_STEP:
            return
        self.last = (stage, percent)
        self.lease.renew((stage, percent))


def _checked_spans(segments: Sequence[tuple[float, float]], duration: float) -> list[tuple[float, float]]:
    spans = [(float(start), float(end)) for start, end in segments]
    previous_end = 0.0
    for start, end in spans:
        if not (0.0 <= start < end <= float(duration) + 1e-6) or start < previous_end - 1e-9:
            raise InvalidInput(f"Segment ({start}, {end}) is outside the clip or overlaps the one before.")
        previous_end = end
    return spans
