"""Jobs lost before a worker took them: a clip queued for processing (or for drafting) whose
job is no longer in the queue waits for ever. Redis flushed, or restarted without
persistence, loses every waiting job; a worker killed between taking a job and taking the
clip's lease loses one. The clip lease (clips.py) cannot see these: no worker ever held one.

``requeue_lost_jobs`` (each clip worker's sweep, every half lease) queues such a clip again
once it has waited longer than ``policy.clip_lease`` with no job of its own in the queue.
Its ``progress_at`` is set to now in the same locked transaction, so two sweeps queue it once,
and the next sweep waits a full lease again before judging it lost. A job queued twice is
harmless: a job runs only on a clip still waiting (``process_clip`` and ``draft_clip`` check
the state under the row lock), so a clip in flight is never processed twice. Each clip
queued again is audited (``clip.job_requeued``, ``clip.draft_job_requeued``).

A drafting job killed in the middle (the worker's process ended, its machine died) leaves its
clip "drafting", and drafting holds no lease. Its heartbeat tells: a drafting job sets the
clip's ``progress_at`` after every batch (drafting.py), so a clip drafting whose beat has stood
still for ``policy.draft_stall`` is put back to "queued" and its drafting queued again, in the
same locked transaction (once), audited (``clip.drafting_requeued``). The new job drafts only
what is still undrafted; a late copy of the old one finds the beat no longer its own and
writes nothing, and a draft is only ever written on version 0 in any case.
"""

from __future__ import annotations

import logging

from workbench.store import repo
from workbench.workflow.context import Service
from workbench.workflow.errors import QueueUnavailable

log = logging.getLogger(__name__)

# queue -> (the audit action, the queue method that queues a clip's job)
LOST = {"clips": ("clip.job_requeued", "enqueue_processing"), "drafts": ("clip.draft_job_requeued", "enqueue_drafting")}


class LostJobs(Service):
    def requeue_lost_jobs(self) -> list[int]:
        """Queue again the clips whose processing or drafting job was lost (the system's
        sweep); returns their ids. A queue that cannot be reached is logged, not raised: the
        next sweep tries again."""
        requeued = []
        for queue in LOST:
            try:
                requeued += self._requeue(queue)
            except QueueUnavailable as error:
                log.error("looking for lost %s jobs: %s", queue, error)
        try:
            requeued += self._requeue_stalled_drafting()
        except QueueUnavailable as error:
            log.error("looking for stalled drafting: %s", error)
        return requeued

    def _requeue(self, queue: str) -> list[int]:
        action, method = LOST[queue]
        waiting = self.queue.queued_clip_ids(queue)  # read first: a job queued after is a clip moved since
        cutoff = self.now() - self.policy.clip_lease
        with self.store.session() as session:
            lost = [clip for clip in repo.clips_waiting_since(session, cutoff, queue=queue, lock=True)
                    if clip.id not in waiting]
            for clip in lost:
                since = clip.progress_at or clip.created_at
                self._audit(session, None, action, "clip", clip.id, waiting_since=since.isoformat())
                clip.progress_at = self.now()
            ids = [clip.id for clip in lost]
        for clip_id in ids:
            log.warning("clip %s: its %s job was lost from the queue; queued again", clip_id, queue)
            getattr(self.queue, method)(clip_id)
        return ids

    def _requeue_stalled_drafting(self) -> list[int]:
        waiting = self.queue.queued_clip_ids("drafts")  # a job already waiting will draft it: none added
        cutoff = self.now() - self.policy.draft_stall
        with self.store.session() as session:
            stalled = repo.clips_drafting_still_since(session, cutoff, lock=True)
            for clip in stalled:
                self._audit(session, None, "clip.drafting_requeued", "clip", clip.id,
                            still_since=clip.progress_at.isoformat() if clip.progress_at else None,
                            done=clip.draft_done, total=clip.draft_total)
                clip.draft_state, clip.progress_at = "queued", self.now()
            ids = [clip.id for clip in stalled]
        for clip_id in ids:
            log.warning("clip %s: its drafting stood still for %s; queued again", clip_id, self.policy.draft_stall)
            if clip_id not in waiting:
                self.queue.enqueue_drafting(clip_id)
        return ids
