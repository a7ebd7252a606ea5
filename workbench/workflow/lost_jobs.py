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
