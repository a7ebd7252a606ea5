"""The background queue: clip processing runs in ``workbench worker`` processes, never in
a web request.

huey keeps the queue in a SQLite file in the data directory by default, or in Redis when
``WORKBENCH_QUEUE_URL=redis://...`` is set, so workers on other machines can share it.
A producer (web app, CLI) and a worker that share the data directory (or the Redis URL)
share the queue; the worker opens its own ``Workbench`` on the same database. With Redis
the queue is shared by its URL alone, but uploads and processed audio still live in the
data directory, so a worker elsewhere needs that directory shared too: one that cannot see
an upload fails the clip with the path it looked for (``retry_clip`` queues it again).

A queue URL that is not a Redis URL, or a Redis server that cannot be reached, raises
``QueueUnavailable`` with the URL (password hidden) and the reason.

A job is gone from the queue once a worker takes it, so a worker killed mid-clip would
lose it. The clip's lease (workflow/clips.py) covers that: every worker sweeps for clips
whose lease ran out when it starts and every half lease after
(``Workbench.recover_stalled_clips``), and queues them again.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from huey import RedisHuey, SqliteHuey
from redis.exceptions import RedisError

from workbench.config import Settings
from workbench.workflow.errors import QueueUnavailable

if TYPE_CHECKING:
    from workbench.workflow.service import Workbench

QUEUE_NAME = "workbench"

log = logging.getLogger(__name__)


def make_huey(settings: Settings):
    if settings.queue_url:
        try:
            return RedisHuey(QUEUE_NAME, url=settings.queue_url)
        except ValueError as error:
            raise QueueUnavailable(f"WORKBENCH_QUEUE_URL {shown_url(settings.queue_url)!r} is not usable: "
                                   f"{error}.") from error
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(QUEUE_NAME, filename=str(settings.data_dir / "queue.db"))


def shown_url(url: str) -> str:
    """``url`` with its password replaced by ``***``, fit for messages and logs."""
    parts = urlsplit(url)
    userinfo, at, host = parts.netloc.rpartition("@")
    if not at or ":" not in userinfo:
        return url
    return parts._replace(netloc=f"{userinfo.split(':', 1)[0]}:***@{host}").geturl()


class HueyQueue:
    """Clip processing through huey; ``run_worker`` consumes it."""

    def __init__(self, settings: Settings):
        self.huey = make_huey(settings)
        self._shown_url = shown_url(settings.queue_url)
        self.workbench: Workbench | None = None
        self._process_job = self.huey.task(name="process_clip")(self._process)

    def bind(self, workbench: "Workbench") -> None:
        """The workbench whose ``process_clip`` this process's worker runs."""
        self.workbench = workbench

    def enqueue_processing(self, clip_id: int) -> None:
        with self._reaching():
            self._process_job(clip_id)

    def pending(self) -> int:
        with self._reaching():
            return self.huey.pending_count()

    def run_one(self) -> bool:
        """Run the oldest queued job here and now (scripts and tests); False if none."""
        job = self.huey.dequeue()
        if job is None:
            return False
        self.huey.execute(job)
        return True

    def run_worker(self, *, workers: int = 1) -> None:
        """Consume the queue until interrupted (what ``workbench worker`` runs). A queue that
        cannot be reached at start raises ``QueueUnavailable``; once running, huey's consumer
        rides out an outage by retrying. A sweeper thread takes back the clips of dead
        workers meanwhile."""
        self.pending()
        threading.Thread(target=self._sweep_forever, name="clip-sweeper", daemon=True).start()
        self.huey.create_consumer(workers=workers, worker_type="thread", periodic=False).run()

    def _sweep_forever(self) -> None:
        interval = self.workbench.policy.clip_lease.total_seconds() / 2
        while True:
            try:
                self.workbench.recover_stalled_clips()
            except Exception:  # noqa: BLE001 - a database or queue outage; the next sweep tries again
                log.exception("sweeping for clips of dead workers failed")
            time.sleep(interval)

    @contextlib.contextmanager
    def _reaching(self):
        try:
            yield
        except RedisError as error:
            raise QueueUnavailable(f"The Redis queue at {self._shown_url} cannot be reached: {error}") from error

    def _process(self, clip_id: int) -> None:
        if self.workbench is None:
            raise RuntimeError("the queue is not bound to a workbench")
        self.workbench.process_clip(clip_id)


class ImmediateQueue:
    """Processes a clip as soon as it is imported, in the caller's process (scripts, demo
    seeding, tests). Not for the web app: processing there would block a request."""

    def __init__(self) -> None:
        self.workbench: Workbench | None = None

    def bind(self, workbench: "Workbench") -> None:
        self.workbench = workbench

    def enqueue_processing(self, clip_id: int) -> None:
        self.workbench.process_clip(clip_id)


class RecordingQueue:
    """Remembers what was queued without running it (tests that process by hand)."""

    def __init__(self) -> None:
        self.queued: list[int] = []

    def enqueue_processing(self, clip_id: int) -> None:
        self.queued.append(clip_id)
