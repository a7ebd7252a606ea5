"""Benchmark: the server's CPU time per request, route by route, one request at a time.

    python3 bench/routes.py                        # PostgreSQL ($WORKBENCH_TEST_POSTGRES_URL)
    python3 bench/routes.py --backend sqlite --requests 400
    python3 bench/routes.py --drafted                # the saved segment has a machine draft

Seeds a fresh store as bench/load.py does (transcribers, three tasks each, real segment
audio), starts one server process (bench/claims.py's ``start_server``), and sends each hot-path
request ``--requests`` times from one signed-in client after a warm-up: claim, queue JSON,
task page, task JSON, segment audio, autosave, a static asset. Prints the server process's
CPU milliseconds per request (/proc), which other work on the machine disturbs little, and
the median wall time, which it does. With ``--drafted`` the claimed task's clip is drafted
(the fake engine) before anything is measured, so the task routes and the autosave are those
of a drafted segment, as most are in a project with drafts on. Not a test: nothing here asserts.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import time

import httpx
from load import Store, claims

WARM_UP = 20


def _timed(server_pid: int, count: int, send) -> tuple[float, float]:
    """CPU ms per request of the server and median wall ms over ``count`` calls of ``send(n)``."""
    for n in range(WARM_UP):
        send(n)
    walls = []
    before = claims._cpu_seconds(server_pid)
    for n in range(count):
        start = time.perf_counter()
        send(WARM_UP + n)
        walls.append(1000 * (time.perf_counter() - start))
    return 1000 * (claims._cpu_seconds(server_pid) - before) / count, statistics.median(walls)


def _checked(response: httpx.Response) -> httpx.Response:
    if response.status_code >= 400:
        raise RuntimeError(f"{response.request.method} {response.request.url}: {response.status_code} {response.text[:200]}")
    return response


def run(backend: str, postgres_url: str, count: int, *, drafted: bool = False) -> list[tuple[str, float, float]]:
    users = WARM_UP + count + 1  # each claim takes a task of its own user
    store = Store(backend, postgres_url)
    try:
        if drafted:
            from workbench.workflow.holdback import Holdback

            Holdback.holdback_random = _NeverHeldBack()  # the measured task must show its draft
        store.seed(users, 0)
        server, base_url = claims.start_server(store.url, store.data_dir)
        try:
            return _measure(server.pid, base_url, users, count, draft=(lambda task: _draft(store, task)) if drafted
                            else None)
        finally:
            claims.stop_servers([(server, base_url)])
    finally:
        store.drop()


def _client(base_url: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=60, headers={"Origin": base_url})
    response = client.post("/login", data={"username": username, "password": claims.PASSWORD})
    if response.status_code != 303:
        raise RuntimeError(f"{username} could not sign in: {response.status_code}")
    return client


class _NeverHeldBack:
    @staticmethod
    def random() -> float:
        return 1.0


def _draft(store: Store, task_id: int) -> None:
    """Draft the task's clip with the fake engine, as a drafts worker would."""
    from workbench.drafts.registry import BackendChoice, DraftConfig
    from workbench.workflow.draft_engines import DraftEngines

    wb = claims._open_workbench(store.url, store.data_dir)
    try:
        wb.draft_engines = DraftEngines(store.data_dir, config=DraftConfig(default=BackendChoice("fake", {})))
        admin = wb.actor("bench-admin")
        clip_id = wb.open_task(admin, task_id).task.clip_id
        wb.redraft_clip(admin, clip_id)
        wb.draft_clip(clip_id)
    finally:
        wb.close()


def _measure(pid: int, base_url: str, users: int, count: int, *, draft=None) -> list[tuple[str, float, float]]:
    clients = [_client(base_url, f"scribe-{n:04d}") for n in range(users)]
    me = clients[-1]
    task = _checked(me.post(claims.CLAIM_ROUTE)).json()["task_id"]
    if draft is not None:
        draft(task)
    data = _checked(me.get(f"/api/work/tasks/{task}")).json()
    segment = data["segments"][0]
    if draft is not None and not segment.get("draft"):
        raise RuntimeError(f"task {task} shows no draft after drafting: {segment}")
    asset = re.search(r'"(/ui-static/[^"]+\?v=\d+)"', _checked(me.get(f"/work/transcribe/{task}")).text).group(1)
    version = [segment["version"]]

    def save(n: int) -> None:
        text = f"안녕하세요 {n}"
        answer = _checked(me.put(f"/api/work/segments/{segment['id']}/text",
                                 json={"text": text, "base_version": version[0], "typed_chars": len(text)}))
        version[0] = answer.json()["version"]

    routes = {
        "claim": lambda n: _checked(clients[n].post(claims.CLAIM_ROUTE)),
        "queue JSON": lambda n: _checked(me.get(claims.QUEUE_ROUTE)),
        "task page": lambda n: _checked(me.get(f"/work/transcribe/{task}")),
        "task JSON": lambda n: _checked(me.get(f"/api/work/tasks/{task}")),
        "segment audio": lambda n: _checked(me.get(f"/media/segment/{segment['id']}.wav")),
        "save": save,
        "static asset": lambda n: _checked(me.get(asset)),
    }
    rows = [(name, *_timed(pid, count, send)) for name, send in routes.items()]
    for client in clients:
        client.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--postgres-url", default=os.environ.get("WORKBENCH_TEST_POSTGRES_URL", ""))
    parser.add_argument("--requests", type=int, default=200, help="measured requests a route")
    parser.add_argument("--drafted", action="store_true", help="the claimed task's clip is drafted first")
    args = parser.parse_args()
    rows = run(args.backend, args.postgres_url, args.requests, drafted=args.drafted)
    print(f"server CPU per request, {args.backend}, one process, {args.requests} requests a route, one at a time"
          + (", a drafted segment" if args.drafted else ""))
    print("| route | CPU ms/request | wall p50 ms |\n|---|---|---|")
    for name, cpu, wall in rows:
        print(f"| {name} | {cpu:.2f} | {wall:.1f} |")


if __name__ == "__main__":
    main()
