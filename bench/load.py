"""Load benchmark: transcribers and reviewers working at once, ramped, with Locust.

    python3 bench/load.py --quick                      # 10 and 50 users, SQLite, 1 process, 45 s a step
    python3 bench/load.py                              # 10 -> 50 -> 100 -> 200 on SQLite and PostgreSQL,
                                                       #   1 process and 2, 90 s a step (400 with 2)
    python3 bench/load.py --backends sqlite --processes 1 --steps 10,50 --step-seconds 60

Needs Locust (``pip install -e '.[bench]'``). PostgreSQL: ``--postgres-url`` (default
``$WORKBENCH_TEST_POSTGRES_URL``) names a server where a scratch database
``workbench_load_<random>`` is created for each run and dropped after it.

Each step is a fresh store (bench/claims.py's seeding: transcribers, one reviewer per ten,
three tasks a transcriber, real segment audio) served on 127.0.0.1 by ``--processes``
server processes (bench/claims.py's ``--serve``), each user staying on one process as a
sticky proxy would keep them. Locust's users then, with 2-5 s of thinking between actions:

- a transcriber signs in, loads the page (``PAGE_LOAD``: the queue page and its JSON, or with
  ``--page gradio`` the Gradio shell and its events),
  then task after task: claims (``CLAIM``), opens the task (``TASK_OPEN``: the page, its
  scripts, the task's JSON, each segment's audio for the waveform), plays each segment,
  types it with two autosaves, checks and submits;
- a reviewer signs in, loads the page, then takes a submitted task, opens it, plays each
  segment through (waiting its length: listening is credited at most in real time),
  records the play, accepts it, and finishes the review.

The users start over ``--spawn-seconds``; what is measured is the ``--step-seconds`` after.
Per step it prints requests/s, p50/p95/p99 of save, task open, claim and page load,
errors, the server processes' CPU time per request (from /proc), the load average, and an
audit: every save the server acknowledged is read back from the store (lost = a segment
whose stored text or version is not the last acknowledged one). Not a test: nothing here
asserts. The machine's other work shows in the wall times; the CPU per request much less.
"""

from __future__ import annotations

# Locust patches the standard library for gevent; that must come before anything else
# imports sockets or ssl.
from locust import HttpUser, between, events, task  # isort: skip
from locust.env import Environment  # isort: skip

import argparse
import collections
import itertools
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import gevent
import gevent.pool

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import claims  # noqa: E402  (bench/claims.py: seeding, the server process, /proc CPU time)

# --- what a browser requests, in one place ------------------------------------------------
# Each list is the requests one user action makes, in order. ("GET"/"POST", path) is an HTTP
# request; ("GRADIO", api_name) fires a Gradio event through its queue (join, then its event
# stream until it completes). Paths may hold {task}. When a page moves to other routes, change
# these lists and nothing else.
# ("ASSETS", "") fetches the scripts and styles the page before it names (those not yet in the
# user's cache, six at a time, as a browser does); ("AUDIO", "") each segment's audio of the
# task's JSON, at once (the waveforms).
# The worker's landing page: the light queue page (/work, its JSON queues) or, with
# --page gradio, the Gradio app the workers landed on before (for the comparison).
PAGES = {
    "light": {
        "page load": {
            "transcriber": [("GET", "/work"), ("ASSETS", ""), ("GET", "/api/work/queue")],
            "reviewer": [("GET", "/work"), ("ASSETS", ""), ("GET", "/api/work/review-queue")],
        },
        "claim": [("POST", "/api/work/tasks/claim"), ("GET", "/api/work/queue")],
        "review queue": [("GET", "/api/work/review-queue")],
    },
    "gradio": {
        "page load": {
            "transcriber": [("GET", "/"), ("GET", "/config"), ("GRADIO", "greet"), ("GRADIO", "load_transcribe_page")],
            "reviewer": [("GET", "/"), ("GET", "/config"), ("GRADIO", "greet"), ("GRADIO", "load_review_page")],
        },
        "claim": [("POST", "/api/work/tasks/claim"), ("GRADIO", "refresh_queue")],
        "review queue": [("GRADIO", "refresh_review_queue")],
    },
}
PAGE_LOAD, CLAIM, REVIEW_QUEUE = (PAGES["light"][key] for key in ("page load", "claim", "review queue"))
TASK_OPEN = [("GET", "/work/{role}/{task}"), ("ASSETS", ""), ("GET", "/api/work/tasks/{task}"), ("AUDIO", "")]
BROWSER_CONNECTIONS = 6

THINK = (2.0, 5.0)  # seconds between a user's actions
REVIEWERS_PER = 10  # one reviewer per this many transcribers
TASKS_PER_TRANSCRIBER = 3
TEXTS = ("안녕하세요, 오늘은 날씨가 좋네요.", "회의는 세 시에 시작합니다.", "감사합니다, 다음에 또 봬요.")
MEASURED = ("save", "task open", "claim", "page load")  # the names the table reports

_ASSET = re.compile(r'(?:href|src)="(/ui-static/[^"]+)"')
_MAPPED = re.compile(r'"(/ui-static/[^"]+\?v=\d+)"')


class Shared:
    """What the users of one step share: the server processes' base URLs (each user takes
    the next), the submitted tasks waiting for a reviewer, and the acknowledged saves."""

    def __init__(self, base_urls: list[str]):
        self.base_urls = base_urls
        self._next = itertools.count()
        self.submitted: collections.deque[int] = collections.deque()
        self.acknowledged: dict[int, tuple[int, str]] = {}  # segment id -> (version, text) last acked
        self.acks = 0
        self.names = {"transcriber": itertools.count(), "reviewer": itertools.count()}

    def base_url(self) -> str:
        return self.base_urls[next(self._next) % len(self.base_urls)]


SHARED: Shared | None = None


def _fire(name: str, start: float, error: str | None = None) -> None:
    """One composite action (several requests) as one row of Locust's statistics."""
    events.request.fire(request_type="ACTION", name=name, response_time=1000 * (time.perf_counter() - start),
                        response_length=0, exception=RuntimeError(error) if error else None, context={})


class Worker(HttpUser):
    abstract = True
    wait_time = between(*THINK)
    role = ""
    prefix = ""

    def on_start(self) -> None:
        self.client.base_url = SHARED.base_url()
        self.origin = {"Origin": self.client.base_url}
        self.username = f"{self.prefix}-{next(SHARED.names[self.role]):04d}"
        self.session_hash = secrets.token_hex(8)
        self.handlers: dict[str, tuple[int, list]] = {}  # api_name -> (fn_index, the inputs' values)
        self.cached: set[str] = set()  # asset URLs this user's browser already holds
        with self.client.post("/login", data={"username": self.username, "password": claims.PASSWORD},
                              allow_redirects=False, name="sign in", catch_response=True) as answer:
            if answer.status_code != 303:
                answer.failure(f"sign-in {answer.status_code}")
                raise gevent.GreenletExit  # this user stops; the failure is counted
        self.run_actions("page load", PAGE_LOAD[self.role])

    # --- the requests of one action -------------------------------------------------------

    def run_actions(self, name: str, requests: list[tuple[str, str]], **fill) -> dict | None:
        """The requests of one action in order; one row ``name`` for all of them. Returns
        the JSON answer of its POST to /api if it makes one (the claim's task; the list read
        after it is only waited for), else of its last GET to /api (the task's data)."""
        start, answer, posted, error = time.perf_counter(), None, None, None
        page = ""
        for kind, path in requests:
            path = path.format(**fill)
            if kind == "GRADIO":
                error = self.gradio_event(path)
            elif kind == "ASSETS":
                assets = sorted((set(_ASSET.findall(page)) | set(_MAPPED.findall(page))) - self.cached)
                gevent.pool.Pool(BROWSER_CONNECTIONS).map(lambda url: self.client.get(url, name="asset"), assets)
                self.cached.update(assets)
            elif kind == "AUDIO":
                segments = (answer or {}).get("segments", [])
                gevent.pool.Pool(BROWSER_CONNECTIONS).map(
                    lambda segment: self.client.get(f"/media/segment/{segment['id']}.wav", name="audio"), segments)
            else:
                with self.client.request(kind, path, headers=self.origin, name=_row(path),
                                         catch_response=True) as response:
                    if response.status_code >= 400:
                        error = f"{kind} {path}: {response.status_code} {response.text[:200]}"
                        response.failure(error)
                    elif path.startswith("/api/"):
                        answer = response.json()
                        if kind == "POST" and posted is None:
                            posted = answer
                    else:
                        page = response.text
                        response.success()
            if error:
                break
        _fire(name, start, error)
        return None if error else (posted if posted is not None else answer)

    def gradio_event(self, api_name: str) -> str | None:
        if not self.handlers:
            config = self.client.get("/config", name="/config").json()
            values = {component["id"]: component.get("props", {}).get("value") for component in config["components"]}
            self.handlers = {dep["api_name"]: (dep["id"], [values.get(id_) for id_ in dep.get("inputs", [])])
                             for dep in config["dependencies"] if dep.get("api_name")}
        if api_name not in self.handlers:
            return f"the page has no Gradio event {api_name!r}"
        fn_index, data = self.handlers[api_name]
        start = time.perf_counter()
        joined = self.client.post("/gradio_api/queue/join", headers=self.origin, name=f"gradio {api_name} join", json={
            "data": data, "fn_index": fn_index, "session_hash": self.session_hash,
            "event_data": None, "trigger_id": None})
        if joined.status_code != 200:
            return f"gradio {api_name}: join {joined.status_code}"
        error = "the event stream ended without an answer"
        with self.client.get("/gradio_api/queue/data", params={"session_hash": self.session_hash}, stream=True,
                             name=f"gradio {api_name}", catch_response=True) as stream:
            for line in stream.iter_lines(decode_unicode=True):
                if line and '"process_completed"' in line:
                    error = None if '"success":true' in line.replace(" ", "") else line[:200]
                    break
            if error:
                stream.failure(error)
            else:
                stream.success()
        events.request.fire(request_type="GRADIO", name=f"event {api_name}", response_length=0,
                            response_time=1000 * (time.perf_counter() - start), exception=None, context={})
        return error

    def think(self) -> None:
        gevent.sleep(self.wait_time())


def _row(path: str) -> str:
    """The statistics row of a path: ids replaced, so each route is one row."""
    return re.sub(r"/\d+", "/{id}", path)


class Transcriber(Worker):
    weight = REVIEWERS_PER
    role, prefix = "transcriber", "scribe"

    @task
    def one_task(self) -> None:
        claimed = self.run_actions("claim", CLAIM)
        if not claimed:
            self.think()
            return
        task_id = claimed["task_id"]
        self.think()
        data = self.run_actions("task open", TASK_OPEN, role="transcribe", task=task_id)
        if not data:
            return
        for segment, text in zip(data["segments"], itertools.cycle(TEXTS)):
            self.think()
            self.client.get(f"/media/segment/{segment['id']}.wav", name="play")
            version = segment["version"]
            for typed in (text[: len(text) // 2], text):  # autosave while typing, then the whole
                self.think()
                version = self.save(segment["id"], typed, version)
                if version is None:
                    return
        self.think()
        self.client.get(f"/api/work/tasks/{task_id}/problems", name=_row(f"/api/work/tasks/{task_id}/problems"))
        with self.client.post(f"/api/work/tasks/{task_id}/submit", headers=self.origin, name="submit",
                              catch_response=True) as answer:
            if answer.status_code == 200:
                SHARED.submitted.append(task_id)
            else:
                answer.failure(f"submit {answer.status_code} {answer.text[:200]}")
        if PAGE_LOAD is PAGES["light"]["page load"]:
            self.think()  # back to the queue page for the next task: a page load, its assets cached
            self.run_actions("page load", PAGE_LOAD[self.role])

    def save(self, segment_id: int, text: str, base_version: int) -> int | None:
        with self.client.put(f"/api/work/segments/{segment_id}/text", headers=self.origin, name="save",
                             json={"text": text, "base_version": base_version, "typed_chars": len(text)},
                             catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"save {answer.status_code} {answer.text[:200]}")
                return None
            stored = answer.json()
            SHARED.acknowledged[segment_id] = (stored["version"], text)
            SHARED.acks += 1
            return stored["version"]


class Reviewer(Worker):
    weight = 1
    role, prefix = "reviewer", "review"

    @task
    def one_review(self) -> None:
        self.run_actions("review queue", REVIEW_QUEUE)
        if not SHARED.submitted:
            self.think()
            return
        task_id = SHARED.submitted.popleft()
        with self.client.post(f"/api/work/review/{task_id}", headers=self.origin, name="take review",
                              catch_response=True) as taken:
            if taken.status_code != 200:
                taken.failure(f"take review {taken.status_code} {taken.text[:200]}")
                return
        data = self.run_actions("task open", TASK_OPEN, role="review", task=task_id)
        if not data:
            return
        for segment in data["segments"]:
            self.client.get(f"/media/segment/{segment['id']}.wav", name="play")
            length = segment["end"] - segment["start"]
            gevent.sleep(length + 0.2)  # listening is credited no faster than real time
            self.client.post(f"/api/work/segments/{segment['id']}/play", headers=self.origin, name="played",
                             json={"intervals": [[0.0, length]]})
            self.think()
            self.client.post(f"/api/work/segments/{segment['id']}/accept", headers=self.origin, name="accept",
                             json={})
        self.client.post(f"/api/work/tasks/{task_id}/finish", headers=self.origin, name="finish review")


# --- one step -------------------------------------------------------------------------------

def _write_audio(directory: Path) -> Path:
    """A pipeline output directory whose ``clean.flac`` the seeded segments are cut from."""
    import numpy as np
    import soundfile as sf

    directory.mkdir(parents=True)
    rate = 16_000
    t = np.arange(int(9.0 * rate)) / rate
    tone = 0.1 * np.sin(2 * np.pi * 220 * t) + 0.01 * np.random.default_rng(0).standard_normal(t.size)
    sf.write(directory / "clean.flac", tone.astype("float32"), rate, subtype="PCM_16")
    return directory


class Store:
    """A fresh store for one step: a SQLite file, or a scratch PostgreSQL database."""

    def __init__(self, backend: str, postgres_url: str):
        self.data_dir = Path(tempfile.mkdtemp(prefix="load-bench-"))
        self.scratch = None
        if backend == "sqlite":
            self.url = f"sqlite:///{self.data_dir / 'workbench.db'}"
        else:
            from sqlalchemy.engine import make_url

            self.scratch = f"workbench_load_{secrets.token_hex(4)}"
            self._admin_url = make_url(postgres_url).set(database="postgres")
            self._sql(f'CREATE DATABASE "{self.scratch}"')
            self.url = make_url(postgres_url).set(database=self.scratch).render_as_string(hide_password=False)

    def _sql(self, statement: str) -> None:
        import sqlalchemy

        engine = sqlalchemy.create_engine(self._admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(sqlalchemy.text(statement))
        finally:
            engine.dispose()

    def seed(self, transcribers: int, reviewers: int) -> None:
        wb = claims._open_workbench(self.url, self.data_dir)
        try:
            claims.seed(wb, transcribers, tasks_per_user=TASKS_PER_TRANSCRIBER, reviewers=reviewers,
                        audio=_write_audio(self.data_dir / "bench-audio"))
        finally:
            wb.close()

    def lost_saves(self, acknowledged: dict[int, tuple[int, str]]) -> list[int]:
        """The segments whose last acknowledged save is not what the store holds (a later
        save still in flight when the step ended may have raised the version: not lost)."""
        import sqlalchemy

        engine = sqlalchemy.create_engine(self.url)
        try:
            with engine.connect() as connection:
                stored = {row.id: (row.version, row.text) for row in connection.execute(
                    sqlalchemy.text("SELECT id, version, text FROM segments"))}
        finally:
            engine.dispose()
        return [segment for segment, (version, text) in acknowledged.items()
                if segment not in stored or stored[segment][0] < version
                or (stored[segment][0] == version and stored[segment][1] != text)]

    def drop(self) -> None:
        if self.scratch:
            self._sql(f'DROP DATABASE IF EXISTS "{self.scratch}" WITH (FORCE)')
        shutil.rmtree(self.data_dir, ignore_errors=True)


def _start_servers(store: Store, processes: int) -> list[tuple[subprocess.Popen, str]]:
    return claims.start_servers(store.url, store.data_dir, processes, timeout=180)


def _percentiles(entry) -> str:
    if entry is None or not entry.num_requests:
        return "–"
    p50, p95, p99 = (entry.get_response_time_percentile(share) for share in (0.5, 0.95, 0.99))
    return f"{p50:,.0f} / {p95:,.0f} / {p99:,.0f}"


def run_step(backend: str, processes: int, users: int, *, spawn_seconds: float, step_seconds: float,
             postgres_url: str) -> dict:
    """``users`` transcribers and one reviewer per ten on a fresh store: the step's figures."""
    global SHARED
    reviewers = max(1, users // REVIEWERS_PER)
    store = Store(backend, postgres_url)
    try:
        store.seed(users, reviewers)
        servers = _start_servers(store, processes)
        try:
            SHARED = Shared([base_url for _, base_url in servers])
            env = Environment(user_classes=[Transcriber, Reviewer], events=events, host=SHARED.base_urls[0])
            runner = env.create_local_runner()
            runner.start(users + reviewers, spawn_rate=(users + reviewers) / spawn_seconds)
            gevent.sleep(spawn_seconds + 1)
            env.stats.reset_all()
            cpu_before = sum(claims._cpu_seconds(process.pid) for process, _ in servers)
            client_before = claims._cpu_seconds(os.getpid())
            started = time.monotonic()
            gevent.sleep(step_seconds)
            seconds = time.monotonic() - started
            cpu = sum(claims._cpu_seconds(process.pid) for process, _ in servers) - cpu_before
            client = claims._cpu_seconds(os.getpid()) - client_before
            load = os.getloadavg()[0]
            stats = env.stats
            http = [entry for entry in stats.entries.values() if entry.method not in ("ACTION", "GRADIO")]
            requests = sum(entry.num_requests for entry in http)
            failures = sum(entry.num_failures for entry in http)
            errors = collections.Counter(f"{error.method} {error.name}: {str(error.error)[:160]}"
                                         for error in stats.errors.values() for _ in range(error.occurrences))
            row = {
                "backend": backend, "processes": processes, "transcribers": users, "reviewers": reviewers,
                "seconds": round(seconds), "requests_per_s": requests / seconds,
                "save": _percentiles(stats.get("save", "PUT")),
                "task_open": _percentiles(stats.get("task open", "ACTION")),
                "claim": _percentiles(stats.get("/api/work/tasks/claim", "POST")),
                "claim_listed": _percentiles(stats.get("claim", "ACTION")),
                "page_load": _percentiles(stats.get("page load", "ACTION")),
                "errors": failures, "requests": requests,
                "cpu_ms_per_request": 1000 * cpu / max(1, requests), "server_cpu_share": cpu / seconds,
                "load_average": load, "client_cpu_share": client / seconds, "error_kinds": errors.most_common(3),
                "submitted": getattr(stats.get("submit", "POST"), "num_requests", 0),
                "reviewed": getattr(stats.get("finish review", "POST"), "num_requests", 0),
                "rows": sorted(((entry.method, entry.name, entry.num_requests, entry.get_response_time_percentile(0.5),
                                 entry.get_response_time_percentile(0.95)) for entry in stats.entries.values()
                                if entry.num_requests), key=lambda row: (row[0], row[1])),
            }
            runner.quit()
        finally:
            claims.stop_servers(servers)  # kills one that outlives 30 s (uvicorn waiting for streams)
        lost = store.lost_saves(SHARED.acknowledged)
        row.update(acknowledged_saves=SHARED.acks, segments_saved=len(SHARED.acknowledged), lost_saves=len(lost))
        return row
    finally:
        store.drop()


HEADER = ("| backend | processes | transcribers + reviewers | req/s | save p50/p95/p99 ms | task open p50/p95/p99 ms "
          "| claim (JSON) p50/p95/p99 ms | claim until listed p50/p95/p99 ms | page load p50/p95/p99 ms | errors "
          "| server CPU ms/request (share of a core) | acked saves, lost | submitted, reviewed "
          "| load avg (client CPU) |\n"
          + "|---" * 14 + "|")


def table_row(row: dict) -> str:
    return (f"| {row['backend']} | {row['processes']} | {row['transcribers']} + {row['reviewers']} "
            f"| {row['requests_per_s']:.0f} | {row['save']} | {row['task_open']} | {row['claim']} "
            f"| {row['claim_listed']} | {row['page_load']} | {row['errors']} of {row['requests']} "
            f"| {row['cpu_ms_per_request']:.1f} ({100 * row['server_cpu_share']:.0f} %) "
            f"| {row['acknowledged_saves']}, {row['lost_saves']} lost | {row['submitted']}, {row['reviewed']} "
            f"| {row['load_average']:.1f} ({100 * row['client_cpu_share']:.0f} %) |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10 and 50 users, SQLite, one process, 45 s a step")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--processes", default="1,2", help="server process counts, e.g. 1,2")
    parser.add_argument("--steps", default="10,50,100,200", help="transcribers per step (one reviewer per ten)")
    parser.add_argument("--many-processes-step", type=int, default=400,
                        help="an extra step run only with more than one process (0: none)")
    parser.add_argument("--spawn-seconds", type=float, default=20.0, help="users start over this long")
    parser.add_argument("--step-seconds", type=float, default=90.0, help="measured time a step")
    parser.add_argument("--postgres-url", default=os.environ.get("WORKBENCH_TEST_POSTGRES_URL", ""),
                        help="a PostgreSQL server (its role may create databases); a scratch database is made")
    parser.add_argument("--page", choices=sorted(PAGES), default="light",
                        help="the worker's landing page: the light queue page, or the Gradio app (comparison)")
    parser.add_argument("--detail", action="store_true", help="also print every request's row (count, p50, p95)")
    parser.add_argument("--json", type=Path, help="also append each step's figures to this file, a line each")
    args = parser.parse_args()
    global PAGE_LOAD, CLAIM, REVIEW_QUEUE
    PAGE_LOAD, CLAIM, REVIEW_QUEUE = (PAGES[args.page][key] for key in ("page load", "claim", "review queue"))
    if args.quick:
        args.backends, args.processes, args.steps, args.many_processes_step = "sqlite", "1", "10,50", 0
        args.step_seconds, args.spawn_seconds = 45.0, 10.0
    backends = [name.strip() for name in args.backends.split(",") if name.strip()]
    if "postgresql" in backends and not args.postgres_url:
        parser.error("PostgreSQL needs --postgres-url (or WORKBENCH_TEST_POSTGRES_URL)")
    print(f"load benchmark ({args.page} worker page) on {os.cpu_count()} CPUs, think time {THINK[0]:g}-{THINK[1]:g} s, "
          f"{args.spawn_seconds:g} s to start the users, {args.step_seconds:g} s measured a step", flush=True)
    print(HEADER, flush=True)
    for backend in backends:
        for processes in (int(n) for n in args.processes.split(",")):
            steps = [int(n) for n in args.steps.split(",")]
            if processes > 1 and args.many_processes_step:
                steps.append(args.many_processes_step)
            for users in steps:
                row = run_step(backend, processes, users, spawn_seconds=args.spawn_seconds,
                               step_seconds=args.step_seconds, postgres_url=args.postgres_url)
                print(table_row(row), flush=True)
                if args.detail:
                    for method, name, count, p50, p95 in row["rows"]:
                        print(f"    {method:6} {name:40} {count:6} requests, p50 {p50:,.0f} ms, p95 {p95:,.0f} ms")
                for kind, count in row["error_kinds"]:
                    print(f"    {count} × {kind}", flush=True)
                if args.json:
                    with args.json.open("a", encoding="utf-8") as out:
                        out.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
