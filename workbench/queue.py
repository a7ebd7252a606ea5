"""The background queues: clip processing and machine drafting run in ``workbench worker``
processes, never in a web request.

huey keeps each queue in a SQLite file in the data directory by default, or in Redis when
``WORKBENCH_QUEUE_URL=redis://...`` is set, so workers on other machines can share it.
There are two queues, so that drafting never holds up segmentation: ``clips`` (processing
an upload into segments) and ``drafts`` (a speech recogniser's first text for a processed
clip's segments). ``workbench worker`` consumes ``clips``; ``workbench worker --queue
drafts`` consumes ``drafts`` (start one when drafts are configured). A producer (web app,
CLI) and a worker that share the data directory (or the Redis URL) share the queues. With
Redis the queue is shared by its URL alone, but uploads and processed audio still live in
the data directory, so a worker elsewhere needs that directory shared too: one that cannot
see an upload fails the clip with the path it looked for (``retry_clip`` queues it again).

The queue knows nothing of the Workbench: whoever runs a worker hands it the ``Jobs`` (the
functions a job calls), built outside with the workbench the worker opened
(``workbench.worker.jobs_of``).

A queue URL that is not a Redis URL, or a Redis server that cannot be reached, raises
``QueueUnavailable`` with the URL (password hidden) and the reason.

A job is gone from the queue once a worker takes it, so a worker killed mid-clip would
lose it. The clip's lease (workflow/clips.py) covers that: every clip worker sweeps for
clips whose lease ran out when it starts and every half lease after (``Jobs.sweep``), and
queues them again. A job lost before any worker took its lease (Redis flushed or
restarted without persistence, a worker killed between taking the job and the lease) leaves
its clip queued with no job: the same sweep queues it again (workflow/lost_jobs.py), for the
processing and the drafting queue alike, seeing which clips still have a job through
``queued_clip_ids``.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from huey import RedisHuey, SqliteHuey
from redis.exceptions import RedisError

from workbench.config import Settings
from workbench.workflow.errors import QueueUnavailable

QUEUE_NAMES = {"clips": "workbench", "drafts": "workbench-drafts"}
"""The queues a worker may consume, and the huey name each is stored under."""

log = logging.getLogger(__name__)


def make_huey(settings: Settings, name: str = QUEUE_NAMES["clips"]):
    if settings.queue_url:
        try:
            return RedisHuey(name, url=settings.queue_url)
        except ValueError as error:
            raise QueueUnavailable(f"WORKBENCH_QUEUE_URL {shown_url(settings.queue_url)!r} is not usable: "
                                   f"{error}.") from error
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=str(settings.data_dir / "queue.db"))


def shown_url(url: str) -> str:
    """``url`` with its password replaced by ``***``, fit for messages and logs."""
    parts = urlsplit(url)
    userinfo, at, host = parts.netloc.rpartition("@")
    if not at or ":" not in userinfo:
        return url
    return parts._replace(netloc=f"{userinfo.split(':', 1)[0]}:***@{host}").geturl()


@dataclass(frozen=True)
class Jobs:
    """What a worker's jobs call: ``process_clip(clip_id)``, ``draft_clip(clip_id)``, and
    ``sweep()`` every ``sweep_seconds`` on a clip worker (taking back dead workers' clips)."""

    process_clip: Callable[[int], object]
    draft_clip: Callable[[int], object]
    sweep: Callable[[], object] = lambda: None
    sweep_seconds: float = 30.0


class HueyQueue:
    """The two huey queues: ``enqueue_*`` produce jobs; ``run_one`` and ``run_worker`` consume
    them with the ``Jobs`` they are given."""

    def __init__(self, settings: Settings):
        self.hueys = {queue: make_huey(settings, name) for queue, name in QUEUE_NAMES.items()}
        self._shown_url = shown_url(settings.queue_url)
        self._jobs: Jobs | None = None
        self._process_job = self.hueys["clips"].task(name="process_clip")(self._process)
        self._draft_job = self.hueys["drafts"].task(name="draft_clip")(self._draft)

    @property
    def huey(self):
        """The clip queue's huey."""
        return self.hueys["clips"]

    def enqueue_processing(self, clip_id: int) -> None:
        with self._reaching():
            self._process_job(clip_id)

    def enqueue_drafting(self, clip_id: int) -> None:
        with self._reaching():
            self._draft_job(clip_id)

    def pending(self, queue: str = "clips") -> int:
        with self._reaching():
            return self.hueys[queue].pending_count()

    def queued_clip_ids(self, queue: str = "clips") -> set[int]:
        """The clips that have a job waiting in ``queue`` (not those a worker has taken)."""
        with self._reaching():
            return {job.args[0] for job in self.hueys[queue].pending() if job.args}

    def run_one(self, jobs: Jobs, *, queue: str = "clips") -> bool:
        """Run the oldest job of ``queue`` here and now (scripts and tests); False if none."""
        huey = self.hueys[queue]
        job = huey.dequeue()
        if job is None:
            return False
        self._jobs = jobs
        huey.execute(job)
        return True

    def run_worker(self, jobs: Jobs, *, queue: str = "clips", workers: int = 1) -> None:
        """Consume ``queue`` until interrupted (what ``workbench worker`` runs). A queue that
        cannot be reached at start raises ``QueueUnavailable``; once running, huey's consumer
        rides out an outage by retrying. A clip worker's sweeper thread takes back the clips
        of dead workers meanwhile."""
        if queue not in self.hueys:
            raise ValueError(f"unknown queue {queue!r}; choose {' or '.join(self.hueys)}")
        self.pending(queue)
        self._jobs = jobs
        if queue == "clips":
            threading.Thread(target=self._sweep_forever, args=(jobs,), name="clip-sweeper", daemon=True).start()
        self.hueys[queue].create_consumer(workers=workers, worker_type="thread", periodic=False).run()

    @staticmethod
    def _sweep_forever(jobs: Jobs) -> None:
        while True:
            try:
                jobs.sweep()
            except Exception:  # noqa: BLE001 - a database or queue outage; the next sweep tries again
                log.exception("sweeping for clips of dead workers failed")
            time.sleep(jobs.sweep_seconds)

    @contextlib.contextmanager
    def _reaching(self):
        try:
            yield
        except RedisError as error:
            raise QueueUnavailable(f"The Redis queue at {self._shown_url} cannot be reached: {error}") from error

    def _process(self, clip_id: int) -> None:
        if self._jobs is None:
            raise RuntimeError("this queue is only producing: run_worker or run_one consume it")
        self._jobs.process_clip(clip_id)

    def _draft(self, clip_id: int) -> None:
        if self._jobs is None:
            raise RuntimeError("this queue is only producing: run_worker or run_one consume it")
        self._jobs.draft_clip(clip_id)


class ImmediateQueue:
    """Runs a job as soon as it is queued, in the caller's process (scripts, demo seeding,
    tests). Not for the web app: processing there would block a request. ``jobs`` is set
    once the workbench exists (``workbench.worker.open_immediate`` does both)."""

    def __init__(self, jobs: Jobs | None = None) -> None:
        self.jobs = jobs

    def enqueue_processing(self, clip_id: int) -> None:
        self._jobs().process_clip(clip_id)

    def enqueue_drafting(self, clip_id: int) -> None:
        self._jobs().draft_clip(clip_id)

    def queued_clip_ids(self, queue: str = "clips") -> set[int]:
        return set()  # a job runs as it is queued: none waits

    def _jobs(self) -> Jobs:
        if self.jobs is None:
            raise RuntimeError("this ImmediateQueue has no jobs to run: open the Workbench with "
                               "workbench.worker.open_immediate(...)")
        return self.jobs


class RecordingQueue:
    """Remembers what was queued without running it (tests that process by hand)."""

    def __init__(self) -> None:
        self.queued: list[int] = []
        self.drafts: list[int] = []

    def enqueue_processing(self, clip_id: int) -> None:
        self.queued.append(clip_id)

    def enqueue_drafting(self, clip_id: int) -> None:
        self.drafts.append(clip_id)

    def queued_clip_ids(self, queue: str = "clips") -> set[int]:
        return set(self.queued if queue == "clips" else self.drafts)
