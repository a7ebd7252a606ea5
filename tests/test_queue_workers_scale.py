"""Processing scales out through the Redis queue: two ``workbench worker`` processes (on one
machine here; on several they share the database, the data directory and the Redis URL the
same way) each take a clip at the same time, and together they finish every clip once.

Each worker runs one job at a time (``--workers 1``, the default), and its pipeline is held
until a gate file exists (tests/held_worker.py), so two clips processing at once can only
mean that both processes took one."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.builders import open_workbench
from tests.serving import REPO, child_processes
from tests.test_worker_crash import SETTLE_WITHIN_S, until

SAMPLE = REPO / "sample_data" / "ko_call.mp3"
CLIPS = 3


@pytest.fixture
def start_held_worker(tmp_path):
    """``start_held_worker(data_dir=, database_url=, queue_url=, gate=)``: a real worker
    process whose pipeline waits for ``gate``; returns (process, log path)."""
    with child_processes(tmp_path) as spawn:
        def start(*, data_dir: Path, database_url: str, queue_url: str, gate: Path):
            env = os.environ | {"WORKBENCH_DATA_DIR": str(data_dir), "WORKBENCH_DATABASE_URL": database_url,
                                "WORKBENCH_QUEUE_URL": queue_url, "HELD_WORKER_GATE": str(gate)}
            return spawn([sys.executable, "-m", "tests.held_worker"], env)

        yield start


def test_two_worker_processes_on_redis_each_take_a_clip_at_once_and_finish_every_clip(
        redis_url, database_url, tmp_path, monkeypatch, start_held_worker):
    monkeypatch.setenv("WORKBENCH_QUEUE_URL", redis_url)
    wb = open_workbench(tmp_path / "data", database_url=database_url)
    admin = wb.create_user(None, username="admin", password="quiet-lantern-57", name="Admin", roles={"admin"})
    clips = [wb.import_clip(admin, filename=f"call{n}.mp3", source=SAMPLE, language="ko", project="acme",
                            allow_duplicate=True).id for n in range(CLIPS)]
    gate = tmp_path / "gate"
    where = dict(data_dir=wb.data_dir, database_url=database_url, queue_url=redis_url, gate=gate)
    workers = [start_held_worker(**where) for _ in range(2)]
    logs = [log for _, log in workers]

    def statuses() -> list[str]:
        return [wb.clip(admin, clip_id).status for clip_id in clips]

    until(lambda: statuses().count("processing") == 2, what="both workers taking a clip", logs=logs)
    assert statuses().count("queued") == CLIPS - 2  # one job each: the third waits for a free worker
    assert all(process.poll() is None for process, _ in workers)

    gate.touch()
    until(lambda: all(status in ("ready", "failed") for status in statuses()), what="every clip settling",
          logs=logs, within=SETTLE_WITHIN_S * CLIPS)
    assert statuses() == ["ready"] * CLIPS, "\n".join(log.read_text() for log in logs)
    processed = [e.entity_id for e in wb.audit_log(admin) if e.action == "clip.processing"]
    assert sorted(processed) == sorted(clips)  # each clip taken once
    wb.close()
