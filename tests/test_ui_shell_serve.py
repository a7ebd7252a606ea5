"""`workbench serve` runs the web app with a queue worker beside it: it restarts the worker
when it dies (and says so in its log), takes the worker down with it when it is stopped
(SIGTERM from a service manager, as Ctrl+C does), and even when it is killed outright the
worker follows it instead of piling up as an orphan."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.serving import free_port, wait_until_serving

REPO_ROOT = Path(__file__).resolve().parent.parent


def children(pid: int) -> list[int]:
    """The live child processes of ``pid``, whichever of its threads started them."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with_children = task / "children"
        if with_children.exists():
            found += [int(child) for child in with_children.read_text().split()]
    return [child for child in found if alive(child)]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status").read_text() if Path(f"/proc/{pid}/status").exists() else ""
    return "State:\tZ" not in status


def until(condition, *, within: float, what: str):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.2)
    pytest.fail(f"{what} did not happen within {within} s")


@pytest.fixture
def serving(tmp_path):
    """``workbench serve`` on a free port over a fresh data directory, once it answers:
    yields (server process, its log). Afterwards the server and every worker it started
    are killed if still alive."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("WORKBENCH_")}
    env["WORKBENCH_DATA_DIR"] = str(tmp_path / "data")
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "workbench.cli", "serve", "--port", str(port)],
                                  env=env, cwd=REPO_ROOT, stdout=out, stderr=subprocess.STDOUT)
    workers: list[int] = []
    try:
        wait_until_serving(f"http://127.0.0.1:{port}/login", server, timeout=120)
        yield server, log, workers
    finally:
        if server.poll() is None:
            workers += children(server.pid)
            server.kill()
            server.wait()
        for worker in workers:
            if alive(worker):
                os.kill(worker, signal.SIGKILL)


def test_stopping_serve_stops_its_queue_worker(serving):
    server, _, workers = serving
    [worker] = until(lambda: children(server.pid), within=30, what="the worker starting")
    workers.append(worker)
    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=30) != 0
    until(lambda: not alive(worker), within=15, what="the worker stopping")


def test_serve_restarts_its_worker_when_it_dies_and_logs_it(serving):
    server, log, workers = serving
    [first] = until(lambda: children(server.pid), within=30, what="the worker starting")
    workers.append(first)
    os.kill(first, signal.SIGKILL)
    [second] = until(lambda: [c for c in children(server.pid) if c != first], within=30,
                     what="a new worker starting")
    workers.append(second)
    assert server.poll() is None
    text = log.read_text()
    assert f"queue worker (pid {first}) exited with -9" in text and "restarting it" in text, text


def test_killing_serve_outright_takes_its_worker_down(serving):
    server, _, workers = serving
    [worker] = until(lambda: children(server.pid), within=30, what="the worker starting")
    workers.append(worker)
    server.send_signal(signal.SIGKILL)
    server.wait()
    until(lambda: not alive(worker), within=15, what="the orphaned worker exiting")


# A process that starts a child told to exit with it, prints the child's pid, and then
# waits to be killed. The child watches by one means only: prctl (and a poll too slow to
# matter), or the portable poll alone.
PARENT = """
import os, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c",
    "import os, sys, time; from workbench.lifeline import exit_with_parent; "
    "exit_with_parent(int(sys.argv[1]), use_prctl={use_prctl}, interval={interval}); time.sleep(120)",
    str(os.getpid())])
print(child.pid, flush=True)
time.sleep(120)
"""


@pytest.mark.parametrize("use_prctl, interval", [(True, 3600), (False, 0.1)], ids=["prctl", "polling"])
def test_a_child_told_to_exit_with_its_parent_exits_when_the_parent_is_killed(use_prctl, interval):
    script = PARENT.format(use_prctl=use_prctl, interval=interval)
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    try:
        time.sleep(1)
        assert alive(child)
        parent.kill()
        parent.wait()
        until(lambda: not alive(child), within=10, what="the orphaned child exiting")
    finally:
        if alive(child):
            os.kill(child, signal.SIGKILL)


@pytest.mark.parametrize("previous, ran_for, expected", [
    (0.0, 0.2, 1.0),     # the first death: try again soon
    (1.0, 0.2, 2.0),     # dying again at once: wait twice as long
    (16.0, 3.0, 32.0),
    (32.0, 3.0, 60.0),   # never longer than a minute
    (60.0, 3.0, 60.0),
    (60.0, 600.0, 1.0),  # it ran for ten minutes, so it was healthy: start over
])
def test_a_worker_that_keeps_dying_is_restarted_after_a_doubling_delay(previous, ran_for, expected):
    from workbench.supervisor import restart_delay

    assert restart_delay(previous, ran_for) == expected
