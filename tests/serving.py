"""Running the real programs in child processes: a free port, waiting for a server to
answer, and workers that are always stopped after the test.

Used by the end-to-end fixtures and by the unit tests that start ``workbench serve`` or
``workbench worker`` themselves.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(url: str, process: subprocess.Popen, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


@contextlib.contextmanager
def child_processes(log_dir: Path, *, stop_within: float = 10.0
                    ) -> Iterator[Callable[[list[str], dict[str, str]], tuple[subprocess.Popen, Path]]]:
    """``start(argv, env)`` runs ``argv`` in the repository with its output in a log file of
    ``log_dir``, and returns (process, log path). On exit every child still running is
    stopped: terminated and given ``stop_within`` seconds, then killed (0: killed at once)."""
    started: list[subprocess.Popen] = []

    def start(argv: list[str], env: dict[str, str]) -> tuple[subprocess.Popen, Path]:
        log = Path(log_dir) / f"worker-{len(started)}.log"
        with log.open("wb") as out:
            started.append(subprocess.Popen(argv, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT))
        return started[-1], log

    try:
        yield start
    finally:
        for process in started:
            if process.poll() is not None:
                continue
            if stop_within:
                process.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=stop_within)
                    continue
            process.kill()
            process.wait()
