"""``workbench worker`` whose audio pipeline stops mid-clip until a gate file exists.

Run as ``python -m tests.held_worker`` with ``HELD_WORKER_GATE=/path/to/gate``: it is the
real worker command (its queue, database, lease and sweeps), only the pipeline is held
after it has written into its staging directory, so a test can ``kill -9`` it at a known
point. With the gate already present the pipeline runs through normally.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from workbench.audio import pipeline
from workbench.cli import app

GATE = Path(os.environ["HELD_WORKER_GATE"])
# Stands for the decoded original a real clip leaves in its staging directory.
BALLAST_BYTES = 5 * 1024 * 1024

real_run = pipeline._run


def held_run(input_path, staging, language, settings, progress, *rest):
    if not GATE.exists():
        (staging / "ballast.bin").write_bytes(b"\0" * BALLAST_BYTES)
        progress("decode", 0.1)
        while not GATE.exists():
            time.sleep(0.05)
    return real_run(input_path, staging, language, settings, progress, *rest)


pipeline._run = held_run

if __name__ == "__main__":
    app(["worker"], prog_name="workbench")
