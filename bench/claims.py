"""Benchmark: many transcribers pressing "Take the next task" at the same moment.

    python3 bench/claims.py                    # 120 transcribers on a SQLite file
    python3 bench/claims.py --users 200        # more of them
    python3 bench/claims.py --database-url postgresql+psycopg://...   # an empty PostgreSQL database
    python3 bench/claims.py --via gradio       # fire a Gradio handler through Gradio's queue instead
    python3 bench/claims.py --workers 2        # two server processes, the users spread over them
    python3 bench/claims.py --page light       # the light queue page (/work): claim, then its JSON refresh
    python3 bench/claims.py --page-loads --page light   # N simultaneous loads of the worker's page
    python3 bench/claims.py --page-loads --page gradio  # ... of the Gradio page (config + its load events)

Starts the real web app (``create_app``) with uvicorn on 127.0.0.1 in its own process, signs
in N transcribers over HTTP and opens their pages (config and a first event, so each has its
Gradio session), then has them all click at once:

- ``--via api`` (the default) does what the button does (``ui/static/take-next-task.js``):
  ``POST /api/work/tasks/claim``, then, once answered, the queue's "↻ Refresh" through
  Gradio's queue. The claim's time is when the task opens in the frame; the refresh's when
  the queue lists it. ``--claim-only`` leaves the refresh out.
- ``--page light`` opens the worker's light queue page instead (``ui/queue_page.py``: ``GET /work``,
  its stylesheet and modules, ``GET /api/work/queue``) and refreshes the list as ``queue.js``
  does, with ``GET /api/work/queue``.
- ``--page-loads`` measures page loads instead of claims: everyone loads their page at once,
  the light one (``--page light``; ``--cold`` fetches its stylesheet and modules too, as a
  first visit does) or the Gradio one (``/``, ``/config`` and each of its load events through
  Gradio's queue; Gradio's own bundled scripts are left out, a browser caches them).
- ``--via gradio`` fires ``--handler`` (default ``refresh_queue``; ``greet`` does almost
  nothing, Gradio's own cost) through Gradio's queue API (``/gradio_api/queue/join`` and its
  event stream, as the browser does). Before the JSON route the button was the Gradio
  handler ``take_next_task``: run this file at such a commit to compare.

Prints the time from the click to the answer (p50, p95, slowest) and the server's CPU time
per click, which a busy machine disturbs far less than the wall times. Not a test: nothing
here asserts (tests/test_ui_claims.py checks the claims themselves).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PASSWORD = "claims-bench-passphrase"
CLAIM_ROUTE = "/api/work/tasks/claim"
LIGHT_PAGE = "/work"
QUEUE_ROUTE = "/api/work/queue"
REFRESH_HANDLER = "refresh_queue"
_TASK_IN_ANSWER = re.compile(r"/work/transcribe/(\d+)")


@contextlib.contextmanager
def served(app):
    """``app`` served by uvicorn on a free 127.0.0.1 port in a thread; yields its base URL."""
    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           limit_concurrency=10_000, backlog=4096, timeout_keep_alive=600))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def seed(wb, users: int, *, language: str = "ko", tasks_per_user: int = 1, reviewers: int = 0,
         audio: Path | None = None) -> list[str]:
    """An admin, ``users`` transcribers, ``reviewers`` reviewers (``review-NNNN``) and
    ``tasks_per_user`` open tasks a transcriber; the transcribers' usernames. With ``audio``
    (a pipeline output directory holding ``clean.flac``, bench/load.py) the tasks' segments
    are cut from it, so their media routes answer."""
    admin = wb.create_user(None, username="bench-admin", password=PASSWORD, name="Admin", roles={"admin"})
    names = []
    for n in range(users):
        username = f"scribe-{n:04d}"
        wb.create_user(admin, username=username, password=PASSWORD, name=f"Scribe {n}", roles={"transcriber"},
                       language=language)
        names.append(username)
    for n in range(reviewers):
        wb.create_user(admin, username=f"review-{n:04d}", password=PASSWORD, name=f"Reviewer {n}",
                       roles={"reviewer"}, language=language)
    for n in range(users * tasks_per_user):
        wb.register_processed_clip(admin, filename=f"clip-{n:04d}.wav", language=language, project="bench",
                                   duration=9.0, segments=[(0.0, 2.0), (2.5, 5.0), (6.0, 8.5)], output_dir=audio)
    return names


@dataclass(frozen=True)
class Claim:
    username: str
    seconds: float  # from the click to the handler's answer
    task_id: int | None  # the task the answer opened, None if it failed
    error: str = ""
    refreshed: float | None = None  # from the click to the queue's refresh (--via api)


@dataclass(frozen=True)
class OpenPage:
    """A signed-in transcriber's page, loaded: its client, session and take handler."""

    username: str
    client: httpx.AsyncClient
    session_hash: str
    handler: int  # the fn_index of the Gradio handler the click fires (--via gradio)
    refresh: int  # the fn_index of the queue's "↻ Refresh"; -1 on the light page (GET QUEUE_ROUTE)


async def _signed_in(base_url: str, username: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base_url, timeout=120)
    response = await client.post("/login", data={"username": username, "password": PASSWORD})
    if response.status_code != 303 or "workbench_session" not in client.cookies:
        raise RuntimeError(f"{username} could not sign in: {response.status_code}")
    return client


async def load_light_page(client: httpx.AsyncClient, *, cold: bool = False) -> None:
    """The worker's light page as a browser loads it: the HTML, then (``cold``: a first visit)
    its stylesheet and every module queue.js imports, then the queue's JSON."""
    page = await client.get(LIGHT_PAGE)
    page.raise_for_status()
    if cold:
        imports = json.loads(re.search(r'<script type="importmap">(.*?)</script>', page.text).group(1))["imports"]
        wanted = re.findall(r'(?:href|src)="(/ui-static/[^"]+)"', page.text)
        fetched: set[str] = set()
        while wanted:
            url = wanted.pop()
            if url in fetched:
                continue
            fetched.add(url)
            answer = await client.get(url)
            answer.raise_for_status()
            if url.split("?")[0].endswith(".js"):
                base = url.rsplit("/", 1)[0]
                wanted += [imports[f"{base}/{name}"] for name in re.findall(r'from "\./([\w.]+\.js)"', answer.text)]
    (await client.get(QUEUE_ROUTE)).raise_for_status()


async def load_gradio_page(client: httpx.AsyncClient, username: str, session_hash: str) -> dict[str, int]:
    """The Gradio page as a browser loads it: ``/``, ``/config``, then each load event through
    Gradio's queue; its handlers by api name."""
    (await client.get("/")).raise_for_status()
    dependencies = (await client.get("/config")).json()["dependencies"]
    for dep in dependencies:
        if any(target[1] == "load" for target in dep.get("targets", [])):
            # Each input as the browser sends it before anything is typed (the places: none).
            loaded = await _claim(client, username, dep["id"], session_hash, data=[""] * len(dep.get("inputs", [])))
            if loaded.error:
                raise RuntimeError(f"{username}'s page did not load: {loaded.error}")
    return {dep["api_name"]: dep["id"] for dep in dependencies}


async def _open_page(base_url: str, username: str, handler: str = REFRESH_HANDLER, page: str = "gradio") -> OpenPage:
    """Sign in and load the page as a browser does: the light page, or Gradio's config and
    the queue's refresh (so the session exists)."""
    client = await _signed_in(base_url, username)
    if page == "light":
        await load_light_page(client)
        return OpenPage(username, client, "", -1, -1)
    handlers = {dep["api_name"]: dep["id"] for dep in (await client.get("/config")).json()["dependencies"]}
    if handler not in handlers:
        raise RuntimeError(f"the page has no Gradio handler {handler!r}; it has {sorted(filter(None, handlers))}")
    page = OpenPage(username, client, secrets.token_hex(8), handlers[handler], handlers[REFRESH_HANDLER])
    loaded = await _claim(client, username, page.refresh, page.session_hash)
    if loaded.error and "process_completed" not in loaded.error:
        raise RuntimeError(f"{username}'s page did not load: {loaded.error}")
    return page


async def _claim(client: httpx.AsyncClient, username: str, fn_index: int, session_hash: str,
                 go: asyncio.Event | None = None, data: list | None = None) -> Claim:
    if go is not None:
        await go.wait()
    start = time.perf_counter()
    joined = await client.post("/gradio_api/queue/join", json={
        "data": data or [], "fn_index": fn_index, "session_hash": session_hash, "event_data": None, "trigger_id": None})
    if joined.status_code != 200:
        return Claim(username, time.perf_counter() - start, None, f"join {joined.status_code}")
    async with client.stream("GET", "/gradio_api/queue/data", params={"session_hash": session_hash}) as stream:
        async for line in stream.aiter_lines():
            if '"process_completed"' in line:
                seconds = time.perf_counter() - start
                found = _TASK_IN_ANSWER.search(line)
                if '"success":true' in line:
                    return Claim(username, seconds, int(found.group(1)) if found else 0)
                return Claim(username, seconds, None, line[:300])
    return Claim(username, time.perf_counter() - start, None, "stream ended without an answer")


async def _claim_api(page: OpenPage, go: asyncio.Event | None = None, *, refresh: bool = True) -> Claim:
    """The button's click (take-next-task.js): the JSON claim, then the queue's refresh."""
    if go is not None:
        await go.wait()
    start = time.perf_counter()
    response = await page.client.post(CLAIM_ROUTE)
    seconds = time.perf_counter() - start
    if response.status_code != 200:
        return Claim(page.username, seconds, None, f"{response.status_code} {response.text[:300]}")
    if not refresh:
        return Claim(page.username, seconds, response.json()["task_id"])
    task_id = response.json()["task_id"]
    if page.refresh == -1:  # the light page: queue.js reads the queue's JSON again
        listed = await page.client.get(QUEUE_ROUTE)
        ok = listed.status_code == 200 and task_id in [task["id"] for task in listed.json()["tasks"]]
        return Claim(page.username, seconds, task_id, "" if ok else f"not listed: {listed.text[:300]}",
                     refreshed=time.perf_counter() - start)
    refreshed = await _claim(page.client, page.username, page.refresh, page.session_hash)
    return Claim(page.username, seconds, task_id, refreshed.error, refreshed=time.perf_counter() - start)


async def _after(go: asyncio.Event, work):
    await go.wait()
    return await work


async def load_together(base_urls: list[str], usernames: list[str], on_go=lambda: None, *, page: str = "light",
                        cold: bool = False) -> list[float]:
    """Sign everyone in and load their page once (the server warm: its Gradio app built, its
    connections open), then have them all load it again at the same moment (calling
    ``on_go()`` just before): each load's seconds."""
    clients = [await _signed_in(base_urls[n % len(base_urls)], username) for n, username in enumerate(usernames)]
    go = asyncio.Event()

    async def load(client: httpx.AsyncClient, username: str) -> float:
        start = time.perf_counter()
        if page == "light":
            await load_light_page(client, cold=cold)
        else:
            await load_gradio_page(client, username, secrets.token_hex(8))
        return time.perf_counter() - start

    try:
        for client, username in zip(clients, usernames):
            await load(client, username)
        running = [asyncio.create_task(_after(go, load(client, username))) for client, username in zip(clients, usernames)]
        await asyncio.sleep(0.2)
        on_go()
        go.set()
        return await asyncio.gather(*running)
    finally:
        for client in clients:
            await client.aclose()


async def claim_together(base_url: str | list[str], usernames: list[str], on_go=lambda: None, *, via: str = "api",
                         handler: str = REFRESH_HANDLER, refresh: bool = True, page: str = "gradio") -> list[Claim]:
    """Open everyone's page, then release every "take the next task" click at the same moment
    (calling ``on_go()`` just before): the JSON claim (``via="api"``), or Gradio's ``handler``
    through its queue (``via="gradio"``); ``refresh=False`` leaves out the refresh after the claim.
    Several base URLs (server processes) take the users in turn, each user staying on theirs
    as a sticky proxy would keep them. ``page="light"``: the light queue page, its JSON refresh."""
    base_urls = [base_url] if isinstance(base_url, str) else base_url
    pages = [await _open_page(base_urls[n % len(base_urls)], username, handler, page)
             for n, username in enumerate(usernames)]
    go = asyncio.Event()
    try:
        if via == "api":
            clicks = [_claim_api(page, go, refresh=refresh) for page in pages]
        else:
            clicks = [_claim(page.client, page.username, page.handler, page.session_hash, go) for page in pages]
        running = [asyncio.create_task(click) for click in clicks]
        await asyncio.sleep(0.2)
        on_go()
        go.set()
        return await asyncio.gather(*running)
    finally:
        for page in pages:
            await page.client.aclose()


def _spread(seconds: list[float]) -> str:
    if not seconds:
        return "no answers"
    return (f"p50 {statistics.median(seconds):.3f} s, p95 {percentile(seconds, 0.95):.3f} s, "
            f"slowest {max(seconds):.3f} s")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU time of process ``pid`` so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _open_workbench(database_url: str, data_dir: Path):
    from workbench.queue import RecordingQueue
    from workbench.workflow.policy import Policy
    from workbench.workflow.service import Workbench

    # Cheap password hashing: signing in is set-up here, not what is measured.
    return Workbench.open(database_url=database_url, data_dir=data_dir, queue=RecordingQueue(),
                          policy=Policy(password_time_cost=1, password_memory_kib=1024))


def wait_until_up(server, base_url: str, *, timeout: float) -> None:
    """Wait until the server process ``server`` answers ``base_url``/login; RuntimeError if
    it exits first or ``timeout`` seconds pass."""
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(f"{base_url}/login", timeout=2)
            return
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("a server did not start") from None
            time.sleep(0.2)


def start_servers(database_url: str, data_dir: Path, count: int = 1, *,
                  timeout: float = 180) -> list[tuple[subprocess.Popen, str]]:
    """``count`` server processes (``serve``, each in its own interpreter as `workbench serve`
    runs) over one store, each on a free 127.0.0.1 port: ``(process, base_url)`` pairs, once
    every one answers. They start together; if one fails, all are stopped. The caller stops
    them (``stop_servers``). Every benchmark starts its servers here."""
    servers = []
    try:
        for _ in range(count):
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                port = sock.getsockname()[1]
            process = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--serve", database_url,
                                        str(data_dir), str(port)])
            servers.append((process, f"http://127.0.0.1:{port}"))
        for process, base_url in servers:
            wait_until_up(process, base_url, timeout=timeout)
    except BaseException:
        stop_servers(servers)
        raise
    return servers


def start_server(database_url: str, data_dir: Path, *, timeout: float = 180) -> tuple[subprocess.Popen, str]:
    """One server process over the store (``start_servers``): ``(process, base_url)``."""
    return start_servers(database_url, data_dir, 1, timeout=timeout)[0]


def stop_servers(servers, *, timeout: float = 30) -> None:
    """Stop the processes of ``start_servers``; one that outlives ``timeout`` is killed."""
    for process, _ in servers:
        process.terminate()
    for process, _ in servers:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def serve(database_url: str, data_dir: Path, port: int) -> None:
    """The server process: the real app for the seeded store, on 127.0.0.1:``port``."""
    import uvicorn

    from workbench.ui.server import create_app

    app = create_app(_open_workbench(database_url, data_dir))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", backlog=4096, timeout_keep_alive=600)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=120)
    parser.add_argument("--database-url", default="", help="an empty database (default: a new SQLite file)")
    parser.add_argument("--via", choices=("api", "gradio"), default="api",
                        help="the JSON claim as the button does it, or a Gradio handler through its queue")
    parser.add_argument("--claim-only", action="store_true", help="with --via api: no refresh after the claim")
    parser.add_argument("--handler", default=REFRESH_HANDLER, help="with --via gradio: the handler to fire "
                        "(e.g. greet, for the cost of Gradio's queue alone)")
    parser.add_argument("--workers", type=int, default=1, help="server processes over the one store, the users "
                        "spread over them (each stays on one, as behind a sticky proxy)")
    parser.add_argument("--page", choices=("gradio", "light"), default="gradio",
                        help="the page each user has open: the Gradio tabs, or the light queue page (/work)")
    parser.add_argument("--page-loads", action="store_true", help="measure simultaneous page loads, not claims")
    parser.add_argument("--cold", action="store_true", help="with --page-loads --page light: a first visit, "
                        "the stylesheet and modules fetched too")
    parser.add_argument("--serve", nargs=3, metavar=("DATABASE_URL", "DATA_DIR", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(args.serve[0], Path(args.serve[1]), int(args.serve[2]))

    data_dir = Path(tempfile.mkdtemp(prefix="claims-bench-"))
    database_url = args.database_url or f"sqlite:///{data_dir / 'workbench.db'}"
    wb = _open_workbench(database_url, data_dir)
    usernames = seed(wb, args.users)
    wb.close()
    # The servers run in their own processes, as `workbench serve` does: the clients' work is
    # not counted in their CPU time nor does it compete for their interpreter lock.
    started = start_servers(database_url, data_dir, max(1, args.workers), timeout=120)
    servers, base_urls = [process for process, _ in started], [base_url for _, base_url in started]
    try:
        cpu: list[float] = []
        on_go = lambda: cpu.append(sum(_cpu_seconds(server.pid) for server in servers))  # noqa: E731
        if args.page_loads:
            loads = asyncio.run(load_together(base_urls, usernames, on_go, page=args.page, cold=args.cold))
        else:
            claims = asyncio.run(claim_together(base_urls, usernames, on_go, via=args.via, handler=args.handler,
                                                refresh=not args.claim_only, page=args.page))
        server_cpu = sum(_cpu_seconds(server.pid) for server in servers) - cpu[0]
    finally:
        stop_servers(started)
    if args.page_loads:
        what = f"{args.page} page loads" + (" (cold: with its stylesheet and modules)" if args.cold else "")
        print(f"{len(loads)} simultaneous {what} on {database_url.split(':')[0]}: {_spread(loads)}; "
              f"server CPU {server_cpu:.2f} s ({1000 * server_cpu / len(loads):.1f} ms a page load); "
              f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
        return
    failed = [claim for claim in claims if claim.task_id is None or claim.error]
    tasks = {claim.task_id for claim in claims if claim.task_id is not None}
    what = "claims (JSON)" if args.via == "api" else f"{args.handler} (Gradio queue)"
    processes = f", {len(servers)} server processes" if len(servers) > 1 else ""
    print(f"{len(claims)} simultaneous {what} on {database_url.split(':')[0]}{processes}: "
          f"{_spread([claim.seconds for claim in claims])}; {len(tasks)} distinct tasks, {len(failed)} failed; "
          f"server CPU {server_cpu:.2f} s ({1000 * server_cpu / len(claims):.1f} ms a click); "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    if args.via == "api" and not args.claim_only:
        refreshed = [claim.refreshed for claim in claims if claim.refreshed is not None]
        how = "GET /api/work/queue" if args.page == "light" else "Gradio"
        print(f"  then the queue's refresh ({how}) listed it: {_spread(refreshed)} after the click")
    for claim in failed[:5]:
        print(f"  {claim.username}: {claim.error}")


if __name__ == "__main__":
    main()
