"""The Redis queue (``WORKBENCH_QUEUE_URL=redis://...``) on a real Redis server: a clip
imported through the Workbench is processed by a real ``workbench worker`` process that
shares the database and data directory; the queue is shared by the Redis URL alone, but a
worker without the data directory fails the clip (kept for a retry); a queue URL that is
wrong or unreachable is a one-line error that loses no clip."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests import builders
from tests.serving import REPO, child_processes
from workbench.cli import app
from workbench.config import Settings
from workbench.queue import HueyQueue, Jobs, RecordingQueue
from workbench.worker import jobs_of
from workbench.workflow.errors import QueueUnavailable
from workbench.workflow.service import Workbench

SAMPLE = REPO / "sample_data" / "ko_call.mp3"
# Generous: a clip of 16 s takes a few seconds on a busy two-core machine.
SETTLE_WITHIN_S = 120


@pytest.fixture
def dead_redis_url():
    """A Redis URL on a local port that is bound but never listens: connections are refused."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield f"redis://127.0.0.1:{held.getsockname()[1]}/0"


@pytest.fixture
def start_worker(tmp_path):
    """``start_worker(data_dir=, database_url=, queue_url=)`` runs ``workbench worker`` in a
    child process with that environment and returns (process, log path). Every worker
    started is stopped after the test, killed if it does not stop, pass or fail."""
    with child_processes(tmp_path) as spawn:
        def start(*, data_dir: Path, database_url: str, queue_url: str):
            env = os.environ | {"WORKBENCH_DATA_DIR": str(data_dir), "WORKBENCH_DATABASE_URL": database_url,
                                "WORKBENCH_QUEUE_URL": queue_url}
            return spawn([sys.executable, "-m", "workbench.cli", "worker"], env)

        yield start


def open_workbench(monkeypatch, database_url: str, data_dir: Path, queue_url: str) -> Workbench:
    """A Workbench as the web app or CLI opens it: the queue comes from WORKBENCH_QUEUE_URL."""
    monkeypatch.setenv("WORKBENCH_QUEUE_URL", queue_url)
    return builders.open_workbench(data_dir, database_url=database_url)


def settled(wb, admin, clip_id: int, worker: subprocess.Popen, log: Path):
    """Polls the stored clip until it is ready or failed, while the worker keeps running."""
    deadline = time.monotonic() + SETTLE_WITHIN_S
    while time.monotonic() < deadline:
        clip = wb.clip(admin, clip_id)
        if clip.status in ("ready", "failed"):
            return clip
        assert worker.poll() is None, f"the worker exited with {worker.returncode}:\n{log.read_text()}"
        time.sleep(0.1)
    pytest.fail(f"clip {clip_id} still {clip.status} after {SETTLE_WITHIN_S} s; worker log:\n{log.read_text()}")


def test_a_clip_imported_onto_redis_is_processed_by_a_worker_process(redis_url, database_url, tmp_path,
                                                                     monkeypatch, start_worker):
    wb = open_workbench(monkeypatch, database_url, tmp_path / "data", redis_url)
    admin = wb.create_user(None, username="admin", password="quiet-lantern-57", name="Admin", roles={"admin"})
    clip = wb.import_clip(admin, filename=SAMPLE.name, source=SAMPLE, language="ko", project="acme")
    assert (clip.status, wb.queue.pending()) == ("queued", 1)
    assert not (wb.data_dir / "queue.db").exists()

    worker, log = start_worker(data_dir=wb.data_dir, database_url=database_url, queue_url=redis_url)
    done = settled(wb, admin, clip.id, worker, log)
    assert (done.status, done.stage, done.percent, done.error) == ("ready", "done", 100.0, None), log.read_text()
    assert done.segment_count >= 1 and done.task_id is not None
    assert (wb.data_dir / "clips" / str(clip.id) / "clean.flac").is_file()
    assert wb.queue.pending() == 0
    # The worker stored each step as the system (no acting user), in order.
    steps = [(e.action, e.actor) for e in reversed(wb.audit_log(admin)) if e.entity == "clip"]
    assert steps == [("clip.imported", "admin"), ("clip.processing", None), ("clip.ready", None)]
    wb.close()


def test_with_redis_the_queue_is_shared_by_its_url_not_by_the_data_directory(redis_url, tmp_path):
    producer = HueyQueue(Settings(data_dir=tmp_path / "web", database_url="sqlite://", queue_url=redis_url))
    consumer = HueyQueue(Settings(data_dir=tmp_path / "worker", database_url="sqlite://", queue_url=redis_url))
    processed = []
    jobs = Jobs(process_clip=processed.append, draft_clip=processed.append)

    producer.enqueue_processing(7)
    producer.enqueue_processing(8)
    assert consumer.pending() == 2
    assert consumer.run_one(jobs) and consumer.run_one(jobs) and not consumer.run_one(jobs)
    assert processed == [7, 8] and producer.pending() == 0
    assert list(tmp_path.rglob("queue.db")) == []


def test_a_worker_without_the_shared_data_directory_fails_the_clip_and_a_retry_recovers_it(
        redis_url, sqlite_url, tmp_path, monkeypatch):
    web = open_workbench(monkeypatch, sqlite_url, tmp_path / "web", redis_url)
    elsewhere = open_workbench(monkeypatch, sqlite_url, tmp_path / "elsewhere", redis_url)
    admin = web.create_user(None, username="admin", password="quiet-lantern-57", name="Admin", roles={"admin"})
    clip = web.import_clip(admin, filename=SAMPLE.name, source=SAMPLE, language="ko", project="acme")

    assert elsewhere.queue.run_one(jobs_of(elsewhere))
    failed = web.clip(admin, clip.id)
    assert failed.status == "failed"
    assert str(tmp_path / "elsewhere" / "uploads" / str(clip.id) / SAMPLE.name) in failed.error

    web.retry_clip(admin, clip.id)
    assert web.queue.run_one(jobs_of(web)) and web.clip(admin, clip.id).status == "ready"
    web.close()
    elsewhere.close()


def test_an_unreachable_redis_fails_the_import_clearly_and_the_clip_is_retried_once_it_is_back(
        redis_url, dead_redis_url, sqlite_url, tmp_path, monkeypatch):
    data_dir = tmp_path / "data"
    down = open_workbench(monkeypatch, sqlite_url, data_dir, dead_redis_url)
    admin = down.create_user(None, username="admin", password="quiet-lantern-57", name="Admin", roles={"admin"})
    with pytest.raises(QueueUnavailable) as refused:
        down.import_clip(admin, filename=SAMPLE.name, source=SAMPLE, language="ko", project="acme")
    assert f"Redis queue at {dead_redis_url} cannot be reached" in str(refused.value)
    assert "workbench clips retry 1" in str(refused.value)
    (clip,) = down.list_clips(admin)
    assert clip.status == "failed" and clip.error.startswith("Not queued: ")
    assert (data_dir / "uploads" / str(clip.id) / SAMPLE.name).read_bytes() == SAMPLE.read_bytes()
    down.close()

    up = open_workbench(monkeypatch, sqlite_url, data_dir, redis_url)
    assert up.retry_clip(admin, clip.id).status == "queued" and up.queue.pending() == 1
    assert up.queue.run_one(jobs_of(up))
    assert up.clip(admin, clip.id).status == "ready"
    up.close()


def test_a_retry_while_redis_is_down_leaves_the_clip_failed_not_stuck_queued(sqlite_url, dead_redis_url, tmp_path,
                                                                          monkeypatch):
    wb = open_workbench(monkeypatch, sqlite_url, tmp_path / "data", dead_redis_url)
    admin = wb.create_user(None, username="admin", password="quiet-lantern-57", name="Admin", roles={"admin"})
    with pytest.raises(QueueUnavailable):
        wb.import_clip(admin, filename=SAMPLE.name, source=SAMPLE, language="ko", project="acme")
    with pytest.raises(QueueUnavailable, match="not queued"):
        wb.retry_clip(admin, 1)
    assert wb.clip(admin, 1).status == "failed"
    wb.close()


# (queue URL, what the error says, the clips an import leaves): an unreachable server keeps
# the clip as failed for a retry; a URL that is no Redis URL stops before anything is stored.
BAD_QUEUE_URLS = pytest.mark.parametrize("queue_url, message, kept", [
    ("{dead}", "Redis queue at {dead} cannot be reached", ["failed"]),
    ("{dead_with_password}", "Redis queue at redis://:***@127.0.0.1:", ["failed"]),
    ("localhost:6379", "WORKBENCH_QUEUE_URL 'localhost:6379' is not usable", []),
    ("http://127.0.0.1:6379/0", "must specify one of the following schemes", []),
])


def filled(template: str, dead: str) -> str:
    return template.format(dead=dead, dead_with_password=dead.replace("redis://", "redis://:s3cret@"))


@BAD_QUEUE_URLS
def test_a_bad_queue_url_makes_import_a_one_line_error_that_loses_no_clip(sqlite_url, dead_redis_url, tmp_path,
                                                                         monkeypatch, queue_url, message, kept):
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("WORKBENCH_DATABASE_URL", sqlite_url)
    monkeypatch.delenv("WORKBENCH_QUEUE_URL", raising=False)
    runner = CliRunner()
    added = runner.invoke(app, ["users", "add", "root", "--name", "Root", "--role", "admin", "--password", "amber-kettle-2049"])
    assert added.exit_code == 0, added.output

    monkeypatch.setenv("WORKBENCH_QUEUE_URL", filled(queue_url, dead_redis_url))
    result = runner.invoke(app, ["clips", "import", str(SAMPLE), "--language", "ko", "--project", "acme"])
    assert result.exit_code == 1 and result.output.startswith("error: ")
    assert filled(message, dead_redis_url) in result.output and "s3cret" not in result.output

    wb = Workbench.open(database_url=sqlite_url, data_dir=tmp_path / "data", queue=RecordingQueue())
    assert [c.status for c in wb.list_clips(wb.first_admin())] == kept
    wb.close()


@BAD_QUEUE_URLS
def test_a_worker_on_a_bad_queue_url_exits_1_with_a_one_line_error(sqlite_url, dead_redis_url, tmp_path, queue_url,
                                                                    message, kept):
    env = os.environ | {"WORKBENCH_DATA_DIR": str(tmp_path / "data"), "WORKBENCH_DATABASE_URL": sqlite_url,
                        "WORKBENCH_QUEUE_URL": filled(queue_url, dead_redis_url)}
    worker = subprocess.run([sys.executable, "-m", "workbench.cli", "worker"], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=60)
    assert worker.returncode == 1
    last_line = worker.stderr.splitlines()[-1]
    assert last_line.startswith("error: ") and filled(message, dead_redis_url) in last_line
    assert "Traceback" not in worker.stderr and "s3cret" not in worker.stderr


@pytest.mark.parametrize("queue_url", ["localhost:6379", "http://127.0.0.1:6379/0"])
def test_serve_on_a_queue_url_that_is_not_redis_stops_with_a_one_line_error(sqlite_url, tmp_path, monkeypatch, queue_url):
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("WORKBENCH_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("WORKBENCH_QUEUE_URL", queue_url)
    result = CliRunner().invoke(app, ["serve", "--port", "0"])
    assert result.exit_code == 1 and result.output.startswith("error: ")
    assert f"WORKBENCH_QUEUE_URL '{queue_url}'" in result.output or "must specify one of the following schemes" in result.output
