"""`workbench serve --workers 2` serves two processes over one store, on PORT and PORT+1.
Nothing a signed-in user needs is kept in one process: a session opened through one
process works in the other and ends in both at sign-out, and transcribers claiming through
either process never get the same task. (Gradio's own pages are the exception and need a
proxy that keeps a browser on one process; see workbench/ui/serve.py.)"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.builders import seed_transcribers_with_tasks
from tests.serving import wait_until_serving
from workbench.queue import RecordingQueue
from workbench.workflow.service import Workbench

REPO_ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "quiet-lantern-57"
TRANSCRIBERS = 6


def two_free_ports() -> int:
    """A port P such that P and P+1 are both free."""
    for _ in range(50):
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port = first.getsockname()[1]
            with socket.socket() as second:
                try:
                    second.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
                return port
    raise RuntimeError("no two neighbouring free ports")


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory):
    """A store with TRANSCRIBERS Korean transcribers and as many open tasks, served (for
    the whole module: starting two servers is slow) by
    ``workbench serve --workers 2``: yields the two processes' base URLs, the data dir and
    the server process."""
    tmp_path = tmp_path_factory.mktemp("serve-workers")
    data_dir = tmp_path / "data"
    seed_transcribers_with_tasks(data_dir, TRANSCRIBERS)
    env = {key: value for key, value in os.environ.items() if not key.startswith("WORKBENCH_")}
    env["WORKBENCH_DATA_DIR"] = str(data_dir)
    port = two_free_ports()
    with (tmp_path / "serve.log").open("wb") as log:
        server = subprocess.Popen([sys.executable, "-m", "workbench.cli", "serve", "--port", str(port),
                                   "--workers", "2", "--no-worker"],
                                  env=env, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)
    urls = [f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port + 1}"]
    try:
        for url in urls:
            wait_until_serving(f"{url}/login", server, timeout=180)
        yield urls, data_dir, server
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def web_children(pid: int) -> list[str]:
    """The command lines of ``pid``'s child processes that serve the web app."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            if " serve " in cmdline:
                found.append(cmdline)
    return found


def test_the_second_port_is_served_by_a_process_of_its_own(two_processes):
    (first, second), _, server = two_processes
    [child] = web_children(server.pid)
    assert f"--port {second.rsplit(':', 1)[1]}" in child
    assert httpx.get(f"{first}/login").status_code == httpx.get(f"{second}/login").status_code == 200


def test_a_session_opened_in_one_process_works_in_both_and_ends_in_both(two_processes):
    (first, second), _, _ = two_processes
    with httpx.Client(base_url=first) as browser:
        signed = browser.post("/login", data={"username": "scribe0", "password": PASSWORD})
        assert signed.status_code == 303
        cookie = browser.cookies["workbench_session"]
    clients = [httpx.Client(base_url=url, cookies={"workbench_session": cookie}) for url in (first, second)]
    claimed = clients[1].post("/api/work/tasks/claim", headers={"Origin": second})
    assert claimed.status_code == 200
    task_id = claimed.json()["task_id"]
    for _ in range(10):
        for client in clients:
            assert client.get(f"/api/work/tasks/{task_id}").status_code == 200
    assert clients[0].post("/logout").status_code == 303
    for client in clients:
        assert client.get(f"/api/work/tasks/{task_id}").status_code == 401
        client.close()


def test_transcribers_claiming_through_either_process_never_share_a_task(two_processes):
    urls, data_dir, _ = two_processes
    claimed = []
    for n in range(1, TRANSCRIBERS):  # scribe0 is the session test's
        sign_in_at, claim_at = urls[n % 2], urls[(n + 1) % 2]
        with httpx.Client(base_url=sign_in_at) as browser:
            assert browser.post("/login", data={"username": f"scribe{n}", "password": PASSWORD}).status_code == 303
            cookie = browser.cookies["workbench_session"]
        with httpx.Client(base_url=claim_at, cookies={"workbench_session": cookie}) as browser:
            answer = browser.post("/api/work/tasks/claim", headers={"Origin": claim_at})
            assert answer.status_code == 200
            claimed.append((f"scribe{n}", answer.json()["task_id"]))
    assert len({task_id for _, task_id in claimed}) == TRANSCRIBERS - 1
    wb = Workbench.open(data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'workbench.db'}",
                        queue=RecordingQueue())
    try:
        for username, task_id in claimed:
            assert [task.id for task in wb.my_queue(wb.actor(username)).open] == [task_id]
    finally:
        wb.close()
