"""Wiring a workbench to its queue: the queue is built here, outside the workflow, and handed
to ``Workbench.open``; the jobs a worker runs are the workbench's own methods, handed to the
queue from here, so the queue never holds the workbench.

>>> wb = open_queued(data_dir=Path("/tmp/wb"))                  # doctest: +SKIP
>>> wb = open_immediate(data_dir=Path("/tmp/wb"))               # doctest: +SKIP
>>> queue.run_worker(jobs_of(wb), queue="drafts")               # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from workbench.config import Settings, prepare_data_dir
from workbench.queue import HueyQueue, ImmediateQueue, Jobs
from workbench.workflow.service import Workbench


def jobs_of(wb: Workbench) -> Jobs:
    """What a worker of ``wb`` runs: processing, drafting, and the sweep every half lease: dead
    workers' clips, clips whose job was lost (workflow/lost_jobs.py), then the quality rules'
    daily check and rework deadline (workflow/quality.py)."""
    def sweep() -> None:
        wb.recover_stalled_clips()
        wb.requeue_lost_jobs()
        wb.expire_rework()
        wb.run_quality_rules()

    return Jobs(process_clip=wb.process_clip, draft_clip=wb.draft_clip, sweep=sweep,
                sweep_seconds=wb.policy.clip_lease.total_seconds() / 2)


def open_queued(*, database_url: str | None = None, data_dir: Path | str | None = None, **options) -> Workbench:
    """``Workbench.open(**options)`` producing jobs on the huey queues of its settings
    (``WORKBENCH_QUEUE_URL``, or a SQLite queue file in the data directory), which workers
    consume (``workbench worker``): what the web app and the CLI open."""
    settings = Settings.from_env(data_dir=data_dir)
    if database_url:
        settings = dataclasses.replace(settings, database_url=database_url)
    prepare_data_dir(settings.data_dir)  # before the queue's SQLite file is opened in it
    return Workbench.open(queue=HueyQueue(settings), database_url=settings.database_url,
                          data_dir=settings.data_dir, **options)


def open_immediate(**options) -> Workbench:
    """``Workbench.open(**options)`` whose jobs run at once in this process (scripts, the
    demo's seeding, tests): an import is processed (and drafted) before it returns."""
    queue = ImmediateQueue()
    wb = Workbench.open(queue=queue, **options)
    queue.jobs = jobs_of(wb)
    return wb
