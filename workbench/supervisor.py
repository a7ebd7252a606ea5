"""Keep a child process running: ``WorkerSupervisor`` restarts it when it dies.

``workbench serve`` runs its queue worker under one. A worker that exits for any reason
(killed, out of memory, a crash) is started again after a delay that doubles with each
quick death (1 s, 2 s, 4 s ... at most 60 s), so a worker that cannot start does not spin;
a worker that ran for a minute or more counts as healthy and the delay starts over. Every
exit and restart is logged at WARNING.

The child is started from the supervisor's own thread, so the child's parent-death signal
(workbench/lifeline.py) fires when the supervisor ends, and with the server.
"""

from __future__ import annotations

import logging
import subprocess
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

FIRST_DELAY_S = 1.0
MAX_DELAY_S = 60.0
# A child that ran this long was healthy: its next restart waits FIRST_DELAY_S again.
STABLE_AFTER_S = 60.0
POLL_S = 0.5


def restart_delay(previous: float, ran_for: float) -> float:
    """Seconds to wait before the next start, after a child that ran ``ran_for`` seconds and
    was itself started ``previous`` seconds after the death before (0 for the first start)."""
    if ran_for >= STABLE_AFTER_S or previous <= 0:
        return FIRST_DELAY_S
    return min(MAX_DELAY_S, previous * 2)


def stop_process(process: subprocess.Popen, *, timeout: float = 10.0) -> None:
    """Ask a child process to stop, and kill it if it does not within ``timeout`` seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class WorkerSupervisor:
    """Runs ``start()`` (which returns a started ``Popen``) and starts it again whenever the
    process exits, until ``stop()``. ``name`` is what the log calls the process."""

    def __init__(self, start: Callable[[], subprocess.Popen], *, name: str = "queue worker") -> None:
        self._start, self.name = start, name
        self._stopping = threading.Event()
        self.process: subprocess.Popen | None = None
        self._thread = threading.Thread(target=self._run, name=f"supervise-{name}", daemon=True)

    def start(self) -> "WorkerSupervisor":
        self._thread.start()
        return self

    def stop(self, *, timeout: float = 10.0) -> None:
        """Stop supervising, then stop the process (killed after ``timeout`` seconds)."""
        self._stopping.set()
        self._thread.join()
        if self.process is not None:
            stop_process(self.process, timeout=timeout)

    def _run(self) -> None:
        delay = 0.0
        while not self._stopping.is_set():
            try:
                self.process = self._start()
            except OSError as error:
                delay = restart_delay(delay, 0.0)
                log.error("the %s could not be started (%s); trying again in %.0f s", self.name, error, delay)
                self._stopping.wait(delay)
                continue
            started = time.monotonic()
            while self.process.poll() is None:
                if self._stopping.wait(POLL_S):
                    return
            ran_for = time.monotonic() - started
            delay = restart_delay(delay, ran_for)
            log.warning("the %s (pid %s) exited with %s after %.0f s; restarting it in %.0f s", self.name,
                        self.process.pid, self.process.returncode, ran_for, delay)
            if self._stopping.wait(delay):
                return
