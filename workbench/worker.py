"""Wiring a workbench to the queue's workers: the jobs a worker runs are the workbench's own
methods, handed to the queue from here, so the queue never holds the workbench.

>>> wb = open_immediate(data_dir=Path("/tmp/wb"))               # doctest: +SKIP
>>> queue.run_worker(jobs_of(wb), queue="drafts")               # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path  # noqa: F401 - the docstring's example

from workbench.queue import ImmediateQueue, Jobs
from workbench.workflow.service import Workbench


def jobs_of(wb: Workbench) -> Jobs:
    """What a worker of ``wb`` runs: processing, drafting, and the sweep for dead workers'
    clips every half lease."""
    return Jobs(process_clip=wb.process_clip, draft_clip=wb.draft_clip, sweep=wb.recover_stalled_clips,
                sweep_seconds=wb.policy.clip_lease.total_seconds() / 2)


def open_immediate(**options) -> Workbench:
    """``Workbench.open(**options)`` whose jobs run at once in this process (scripts, the
    demo's seeding, tests): an import is processed (and drafted) before it returns."""
    queue = ImmediateQueue()
    wb = Workbench.open(queue=queue, **options)
    queue.jobs = jobs_of(wb)
    return wb
