"""``workbench serve``: the app under uvicorn, with the queue worker supervised beside it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import TYPE_CHECKING

from workbench.supervisor import WorkerSupervisor

if TYPE_CHECKING:
    from workbench.config import Settings

def start_queue_worker(settings: "Settings") -> subprocess.Popen:
    """``workbench worker`` in a child process over the same store, so uploads get processed.
    It exits when this process dies, however it dies (``--parent-pid``, workbench/lifeline.py)."""
    env = dict(os.environ)
    env["WORKBENCH_DATA_DIR"] = str(settings.data_dir)
    env["WORKBENCH_DATABASE_URL"] = settings.database_url
    env["WORKBENCH_QUEUE_URL"] = settings.queue_url
    return subprocess.Popen([sys.executable, "-m", "workbench.cli", "worker", "--parent-pid", str(os.getpid())],
                            env=env)


def serve_forever(settings: "Settings", *, host: str, port: int, start_worker: bool) -> None:
    """Open the store, serve the app until interrupted, with the queue worker supervised
    beside it (restarted when it dies, workbench/supervisor.py) and stopped on exit."""
    import logging

    import uvicorn

    from workbench.workflow.service import Workbench

    logging.basicConfig(format="%(asctime)s %(name)s %(levelname)s %(message)s")
    from workbench.ui.server import create_app

    wb = Workbench.open(database_url=settings.database_url, data_dir=settings.data_dir)
    app = create_app(wb, settings=settings)
    worker = WorkerSupervisor(lambda: start_queue_worker(settings)).start() if start_worker else None
    # uvicorn shuts down gracefully on SIGTERM and then raises the signal again; exit through
    # Python then (as Ctrl+C does), so the worker below is stopped instead of orphaned.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    print(f"Serving on http://{host}:{port}/  (Ctrl+C stops)", flush=True)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", **proxy_options(settings))
    finally:
        if worker is not None:
            worker.stop()


def proxy_options(settings: "Settings") -> dict:
    """uvicorn's proxy options: X-Forwarded-For/-Proto are believed only from the proxies in
    ``WORKBENCH_TRUSTED_PROXIES`` (uvicorn's own default would believe 127.0.0.1)."""
    if not settings.trusted_proxies:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": settings.trusted_proxies}


def _exit_on_sigterm(signum: int, frame) -> None:
    raise SystemExit(128 + signum)
