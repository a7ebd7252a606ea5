"""``workbench serve``: the app under uvicorn, with the queue worker supervised beside it.

``--workers N`` serves N processes over the same store, on ``port`` (this one) and the next
N-1 ports (children, restarted when they die, gone when this process goes). Everything a
request needs lives in the store: sessions, throttling buckets, claims; the session key is
the data directory's file, made before the children start; origin checks need nothing
kept. So any request may go to any process, except Gradio's: its queue, its per-browser
state and the uploads it remembers live in the process that opened the page. A proxy in
front must therefore keep each signed-in browser on one process (sticky routing, e.g.
nginx ``hash $cookie_workbench_session consistent;`` over the N ports; README "Deploying
for many workers"). The task pages' JSON and the media do not care where they land.
"""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
from typing import TYPE_CHECKING

from workbench.supervisor import WorkerSupervisor

if TYPE_CHECKING:
    from workbench.config import Settings


def _child_env(settings: "Settings") -> dict[str, str]:
    env = dict(os.environ)
    env["WORKBENCH_DATA_DIR"] = str(settings.data_dir)
    env["WORKBENCH_DATABASE_URL"] = settings.database_url
    env["WORKBENCH_QUEUE_URL"] = settings.queue_url
    return env


def start_queue_worker(settings: "Settings") -> subprocess.Popen:
    """``workbench worker`` in a child process over the same store, so uploads get processed.
    It exits when this process dies, however it dies (``--parent-pid``, workbench/lifeline.py)."""
    return subprocess.Popen([sys.executable, "-m", "workbench.cli", "worker", "--parent-pid", str(os.getpid())],
                            env=_child_env(settings))


def start_web_process(settings: "Settings", *, host: str, port: int) -> subprocess.Popen:
    """One more web process (``workbench serve --no-worker``) over the same store on
    ``port``; like the queue worker it exits when this process dies."""
    return subprocess.Popen([sys.executable, "-m", "workbench.cli", "serve", "--host", host, "--port", str(port),
                             "--no-worker", "--parent-pid", str(os.getpid())], env=_child_env(settings))


def serve_forever(settings: "Settings", *, host: str, port: int, start_worker: bool, workers: int = 1) -> None:
    """Open the store, serve the app until interrupted, with the queue worker supervised
    beside it (restarted when it dies, workbench/supervisor.py) and stopped on exit;
    ``workers`` > 1 adds that many web processes less one, on the ports after ``port``."""
    import logging

    import uvicorn

    from workbench.ui.server import create_app
    from workbench.worker import open_queued

    logging.basicConfig(format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # Opening the store upgrades its schema, and creating the app makes the session key:
    # both happen here once, before any other web process starts.
    wb = open_queued(database_url=settings.database_url, data_dir=settings.data_dir)
    app = create_app(wb, settings=settings)
    children = [WorkerSupervisor(lambda: start_queue_worker(settings)).start()] if start_worker else []
    ports = range(port, port + max(1, workers))
    children += [WorkerSupervisor(functools.partial(start_web_process, settings, host=host, port=other),
                                  name=f"web process on port {other}").start() for other in ports[1:]]
    # uvicorn shuts down gracefully on SIGTERM and then raises the signal again; exit through
    # Python then (as Ctrl+C does), so the children below are stopped instead of orphaned.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    if len(ports) == 1:
        print(f"Serving on http://{host}:{port}/  (Ctrl+C stops)", flush=True)
    else:
        print(f"Serving on http://{host}:{ports[0]}/ to http://{host}:{ports[-1]}/, {len(ports)} processes over "
              "one store; put a proxy in front that keeps each browser on one of them (Ctrl+C stops)", flush=True)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", **proxy_options(settings))
    finally:
        for child in children:
            child.stop()


def proxy_options(settings: "Settings") -> dict:
    """uvicorn's proxy options: X-Forwarded-For/-Proto are believed only from the proxies in
    ``WORKBENCH_TRUSTED_PROXIES`` (uvicorn's own default would believe 127.0.0.1)."""
    if not settings.trusted_proxies:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": settings.trusted_proxies}


def _exit_on_sigterm(signum: int, frame) -> None:
    raise SystemExit(128 + signum)
