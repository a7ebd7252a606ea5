"""`workbench serve` runs the web app with a queue worker beside it, and takes the worker
down with it when it is stopped (SIGTERM from a service manager, as Ctrl+C does)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.e2e.conftest import free_port, wait_until_serving

REPO_ROOT = Path(__file__).resolve().parent.parent


def children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(child) for child in text.split()]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status").read_text() if Path(f"/proc/{pid}/status").exists() else ""
    return "State:\tZ" not in status


def test_stopping_serve_stops_its_queue_worker(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("WORKBENCH_")}
    env["WORKBENCH_DATA_DIR"] = str(tmp_path / "data")
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "workbench.cli", "serve", "--port", str(port)],
                              env=env, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_serving(f"http://127.0.0.1:{port}/login", server, timeout=120)
        [worker] = children(server.pid)
        assert alive(worker)
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) != 0
        deadline = time.monotonic() + 15
        while alive(worker) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not alive(worker)
    finally:
        if server.poll() is None:
            server.kill()
