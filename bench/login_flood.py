"""Benchmark: a signed-in transcriber's save while anonymous clients flood /login.

    python3 bench/login_flood.py                 # 8 flooding threads for 20 s, real argon2 cost
    python3 bench/login_flood.py --threads 16 --seconds 30

Serves a throwaway store with ``workbench serve --no-worker`` (the real server, default
argon2id cost), signs a transcriber in, and times her saves (PUT of a segment's text) first
alone, then while the threads post wrong passwords for random usernames from one address.
Prints the median and 95th percentile of each, and how the flood's answers split (401:
password checked; 429: throttled before any hashing). Not a test: nothing here asserts.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent)]

from tests.e2e.conftest import free_port, wait_until_serving  # noqa: E402
from workbench.queue import RecordingQueue  # noqa: E402
from workbench.workflow.service import Workbench  # noqa: E402

PASSWORD = "quiet-lantern-57"


def seed(data_dir: Path) -> None:
    wb = Workbench.open(database_url=f"sqlite:///{data_dir / 'workbench.db'}", data_dir=data_dir,
                        queue=RecordingQueue())
    admin = wb.create_user(None, username="admin", password=PASSWORD, name="Admin", roles={"admin"})
    scribe = wb.create_user(admin, username="scribe", password=PASSWORD, name="Scribe", roles={"transcriber"},
                            language="ko")
    wb.register_processed_clip(admin, filename="a.wav", language="ko", project="p", duration=4.0,
                               segments=[(0.0, 2.0), (2.0, 4.0)])
    wb.claim_next(scribe)
    wb.close()


def time_saves(client: httpx.Client, seconds: float) -> list[float]:
    segment = client.get("/api/work/tasks/1").json()["segments"][0]
    version, times, deadline = segment["version"], [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        start = time.perf_counter()
        response = client.put(f"/api/work/segments/{segment['id']}/text",
                              json={"text": f"네 {len(times)}", "base_version": version})
        times.append(time.perf_counter() - start)
        version = response.json()["version"]
        time.sleep(0.05)
    return times


def flood(base: str, stop: threading.Event, answers: Counter, n: int) -> None:
    with httpx.Client(base_url=base, timeout=60) as client:
        k = 0
        while not stop.is_set():
            response = client.post("/login", data={"username": f"user{n}-{k}", "password": "guess"})
            answers[response.status_code] += 1
            k += 1


def summary(times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    return f"median {statistics.median(ms):.0f} ms, p95 {ms[int(0.95 * (len(ms) - 1))]:.0f} ms ({len(ms)} saves)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        seed(data_dir)
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")} | {
            "WORKBENCH_DATA_DIR": str(data_dir)}
        server = subprocess.Popen([sys.executable, "-m", "workbench.cli", "serve", "--no-worker", "--port", str(port)],
                                  env=env, cwd=HERE.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_serving(f"{base}/login", server, timeout=120)
            with httpx.Client(base_url=base, timeout=60, headers={"Origin": base}) as scribe:
                scribe.post("/login", data={"username": "scribe", "password": PASSWORD})
                alone = time_saves(scribe, args.seconds / 2)
                stop, answers = threading.Event(), Counter()
                threads = [threading.Thread(target=flood, args=(base, stop, answers, n)) for n in range(args.threads)]
                for thread in threads:
                    thread.start()
                flooded = time_saves(scribe, args.seconds)
                stop.set()
                for thread in threads:
                    thread.join()
        finally:
            server.terminate()
            server.wait()
    print(f"load average {os.getloadavg()[0]:.1f}")
    print(f"saves alone:           {summary(alone)}")
    print(f"saves during flood:    {summary(flooded)}")
    print(f"flood answers:         {dict(sorted(answers.items()))}")


if __name__ == "__main__":
    main()
