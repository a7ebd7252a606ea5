"""Benchmark: what the worker's live pages cost the server, in CPU per request.

    python3 bench/live.py                      # 20 transcribers on a SQLite file, 200 requests a route
    python3 bench/live.py --database-url postgresql+psycopg://...   # an empty PostgreSQL database
    python3 bench/live.py --workers 10 --requests 100

Seeds a store through the Workbench (a settable clock, so reviews really hear the audio):
an admin, base and reviewer rates, ``--workers`` Korean transcribers and one reviewer; each
transcriber has four tasks accepted in November (a committed settlement paid or carried
them), three accepted in December (coming on the 15th), one submitted (waiting for review)
and one in progress. Then serves the real app in its own process (bench/claims.py's
``--serve``), signs everyone in and, one route at a time, sends ``--requests`` requests
round-robin over the workers, one at a time, and prints the server's CPU time per request
(from /proc, bench/claims.py) and the wall time's p50 and p95:

- ``GET /api/work/earnings`` (the light earnings page's one read: what is coming);
- ``GET /work/earnings`` (its HTML shell);
- ``GET /api/work/queue`` (the queue page's read), and the same with the ``If-None-Match``
  of the last answer, which is what a poll of an unchanged queue costs.

Not a test: nothing here asserts.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import claims  # noqa: E402  (the server process, /proc CPU time, percentiles)

SEOUL = timezone(timedelta(hours=9))
ROUTES = ("/api/work/earnings", "/work/earnings", "/api/work/queue", "/api/work/queue (304)")


def seed(database_url: str, data_dir: Path, workers: int) -> list[str]:
    """The store described above; the transcribers' usernames."""
    from tests.builders import SettableClock, take_through_review, transcribe
    from workbench.pay import service as pay
    from workbench.queue import RecordingQueue
    from workbench.workflow.policy import Policy
    from workbench.workflow.service import Workbench

    clock = SettableClock(datetime(2026, 11, 10, 10, tzinfo=SEOUL).astimezone(timezone.utc))
    wb = Workbench.open(database_url=database_url, data_dir=data_dir, queue=RecordingQueue(), clock=clock,
                        policy=Policy(password_time_cost=1, password_memory_kib=1024))
    admin = wb.create_user(None, username="bench-admin", password=claims.PASSWORD, name="Admin", roles={"admin"})
    pay.set_rate(wb, admin, "ko", 1_000, datetime(2026, 11, 1, tzinfo=SEOUL))
    pay.set_reviewer_rate(wb, admin, "ko", 300, datetime(2026, 11, 1, tzinfo=SEOUL))
    reviewer = wb.create_user(admin, username="review-0000", password=claims.PASSWORD, name="Reviewer",
                              roles={"reviewer"}, language="ko")
    names = []
    for n in range(workers):
        names.append(f"scribe-{n:04d}")
        wb.create_user(admin, username=names[-1], password=claims.PASSWORD, name=f"Scribe {n}",
                       roles={"transcriber"}, language="ko")
    for n in range(workers * 9):
        seconds = 9.36 if n % 3 else 300.0  # some tasks earn 156 won, some 5,000
        wb.register_processed_clip(admin, filename=f"clip-{n:04d}.wav", language="ko", project="bench",
                                   duration=seconds, segments=[(0.0, 2.0), (2.5, 5.0), (6.0, 8.5)])
    for month_day, tasks in (((11, 10), 4), ((12, 1), 3)):
        clock.now = datetime(2026, *month_day, 10, tzinfo=SEOUL).astimezone(timezone.utc)
        for name in names:
            for _ in range(tasks):
                take_through_review(wb, wb.actor(name), reviewer)
        if month_day == (11, 10):
            clock.now = datetime(2026, 11, 30, 10, tzinfo=SEOUL).astimezone(timezone.utc)
            pay.settle(wb, admin, datetime(2026, 11, 30).date(), commit=True)
    for name in names:
        transcribe(wb, wb.actor(name), wb.claim_next_id(wb.actor(name)))
        wb.claim_next_id(wb.actor(name))
    wb.close()
    return names


def measure(base_url: str, server: subprocess.Popen, clients: list[httpx.Client], route: str,
            requests: int) -> tuple[float, float, float]:
    """Server CPU ms per request, and wall p50 and p95 in ms, of ``requests`` GETs of ``route``."""
    path, conditional = route.removesuffix(" (304)"), route.endswith("(304)")
    tags = {id(client): client.get(path).headers.get("etag", "") for client in clients} if conditional else {}
    walls = []
    cpu = claims._cpu_seconds(server.pid)
    for n in range(requests):
        client = clients[n % len(clients)]
        headers = {"If-None-Match": tags[id(client)]} if conditional else {}
        started = time.perf_counter()
        answer = client.get(path, headers=headers)
        walls.append(time.perf_counter() - started)
        if answer.status_code != (304 if conditional else 200):
            raise RuntimeError(f"{route}: {answer.status_code} {answer.text[:200]}")
    cpu = claims._cpu_seconds(server.pid) - cpu
    return 1000 * cpu / requests, 1000 * claims.percentile(walls, 0.5), 1000 * claims.percentile(walls, 0.95)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=20, help="transcribers seeded and signed in")
    parser.add_argument("--requests", type=int, default=200, help="requests per route")
    parser.add_argument("--database-url", default="", help="an empty database (default: a new SQLite file)")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="live-bench-"))
    database_url = args.database_url or f"sqlite:///{data_dir / 'workbench.db'}"
    names = seed(database_url, data_dir, args.workers)
    server, base_url = claims.start_server(database_url, data_dir, timeout=120)
    try:
        clients = [httpx.Client(base_url=base_url, timeout=60) for _ in names]
        for client, name in zip(clients, names):
            client.post("/login", data={"username": name, "password": claims.PASSWORD})
        for client in clients:  # warm: the first request of a route imports and caches
            client.get("/api/work/earnings")
        print(f"{args.workers} workers on {database_url.split(':')[0]}, {args.requests} requests a route, one at a time")
        print("| route | server CPU per request | wall p50 | wall p95 |\n|---|---|---|---|")
        for route in ROUTES:
            cpu, p50, p95 = measure(base_url, server, clients, route, args.requests)
            print(f"| `{route}` | {cpu:.1f} ms | {p50:.1f} ms | {p95:.1f} ms |")
    finally:
        claims.stop_servers([(server, base_url)])


if __name__ == "__main__":
    main()
