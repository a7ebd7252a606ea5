"""A freshly started web app imports what the first segment cut and spectrogram need in the
background, so the first transcriber after a start does not wait for scipy and matplotlib.

It runs in a child process: in the test process something else has imported them already."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

STARTS = """
import json, sys, threading
sys.path.insert(0, "tests")
from builders import open_workbench
from fastapi.testclient import TestClient
from workbench.ui.server import create_app

media = ("workbench.audio.spectrum", "scipy.signal", "matplotlib")
app = create_app(open_workbench(sys.argv[1]), secret=b"s" * 32)
before = [name for name in media if name in sys.modules]
with TestClient(app):
    for thread in threading.enumerate():
        if thread.name == "warm-media":
            thread.join(timeout=120)
    after = [name for name in media if name in sys.modules]
print(json.dumps({"before": before, "after": after}))
"""


def test_starting_the_app_imports_the_media_modules_in_the_background(tmp_path):
    run = subprocess.run([sys.executable, "-c", STARTS, str(tmp_path)], cwd=REPO, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen == {"before": [], "after": ["workbench.audio.spectrum", "scipy.signal", "matplotlib"]}
