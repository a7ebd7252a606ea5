"""The 10-minute speed clip in a worker that has already processed a long clip.

    python3 bench/after_long.py              # five children of each kind, alternating
    python3 bench/after_long.py --runs 3

Past an hour of decoded audio the pipeline fixes glibc's mmap threshold at 128 KiB, so that
a long clip's freed buffers go back to the system at once (``allocator.LongClipMemory``).
This measures what that leaves behind for the worker's next clip. Each child is a fresh
interpreter that processes the three-second warm-up clip and then the speed clip
(``bench/out/clip.mp4``, made by ``bench/run.py``), and reports the speed clip's minor page
faults, user and system CPU and wall time. In the "after a long clip" children the warm-up
clip stands in for a long one (``pipeline._LONG_CLIP_SAMPLES`` lowered to one second while
it runs). Not a test: nothing here asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLIP = HERE / "out" / "clip.mp4"
WARMUP = HERE / "out" / "warmup.wav"
KINDS = {"fresh": "in a fresh worker", "after-long": "after a long clip"}


def child(kind: str) -> dict:
    sys.path.insert(0, str(HERE.parent))
    from workbench.audio import pipeline

    one_hour = pipeline._LONG_CLIP_SAMPLES
    if kind == "after-long":
        pipeline._LONG_CLIP_SAMPLES = pipeline.SAMPLE_RATE
    with tempfile.TemporaryDirectory() as scratch:
        pipeline.process_file(WARMUP, Path(scratch) / "warmup", language="en")
        pipeline._LONG_CLIP_SAMPLES = one_hour
        before, times, started = resource.getrusage(resource.RUSAGE_SELF), os.times(), time.perf_counter()
        pipeline.process_file(CLIP, Path(scratch) / "clip", language="en")
        wall, after, usage = time.perf_counter() - started, os.times(), resource.getrusage(resource.RUSAGE_SELF)
    return {"faults": usage.ru_minflt - before.ru_minflt, "user": after.user - times.user,
            "system": after.system - times.system, "wall": wall}


def spread(values: list[float], spec: str) -> str:
    return f"{statistics.median(values):{spec}} ({min(values):{spec}}–{max(values):{spec}})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="children of each kind")
    parser.add_argument("--child", choices=sorted(KINDS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    if not CLIP.exists() or not WARMUP.exists():
        raise SystemExit(f"{CLIP} and {WARMUP} come from the speed part of bench/run.py: run python3 bench/run.py --no-grid first")
    rows: dict[str, list[dict]] = {kind: [] for kind in KINDS}
    for _ in range(args.runs):
        for kind in KINDS:
            done = subprocess.run([sys.executable, __file__, "--child", kind], capture_output=True, text=True, check=True)
            rows[kind].append(json.loads(done.stdout.splitlines()[-1]))
    print(f"The 10-minute speed clip, {args.runs} children of each kind; median (range). Load: {os.getloadavg()[0]:.1f}")
    print()
    print("| worker | minor page faults | user CPU (s) | system CPU (s) | wall (s) |")
    print("|---|---|---|---|---|")
    for kind, label in KINDS.items():
        runs = rows[kind]
        print(f"| {label} | {spread([r['faults'] for r in runs], ',.0f')} | {spread([r['user'] for r in runs], '.2f')} "
              f"| {spread([r['system'] for r in runs], '.2f')} | {spread([r['wall'] for r in runs], '.2f')} |")


if __name__ == "__main__":
    main()
