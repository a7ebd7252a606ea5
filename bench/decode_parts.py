"""Where the decode stage's CPU goes, on the 10-minute speed clip.

    python3 bench/decode_parts.py            # best of three per step
    python3 bench/decode_parts.py --runs 5

Each step does what the one before it did and one thing more, so the differences are the
cost of each thing: reading the container's audio packets; FFmpeg's decoder on them;
joining the frames in FFmpeg's FIFO and reading them as arrays a second at a time (what
``io.decode_chunks`` does with them); and the whole of ``io.decode_chunks`` (mono, then
soxr to 16 kHz). Then the whole of ``io.decode_chunks`` again, by one process and with the
second half decoded by a forked child (``halves``, as the pipeline does): wall time, and CPU
time with the child's. ``bench/out/clip.mp4`` is made by ``bench/run.py``. Not a test:
nothing here asserts.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import av

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from workbench.audio import io  # noqa: E402

CLIP = HERE / "out" / "clip.mp4"


def cpu_seconds(*, children: bool = False) -> float:
    times = os.times()
    return times.user + times.system + (times.children_user + times.children_system if children else 0.0)


def packets() -> None:
    with av.open(str(CLIP)) as container:
        for _ in container.demux(container.streams.audio[0]):
            pass


def frames() -> None:
    with av.open(str(CLIP)) as container:
        for _ in container.decode(container.streams.audio[0]):
            pass


def arrays() -> None:
    with av.open(str(CLIP)) as container:
        stream, fifo = container.streams.audio[0], av.AudioFifo()
        for frame in container.decode(stream):
            frame.pts = None
            fifo.write(frame)
            if fifo.samples >= stream.codec_context.sample_rate:
                fifo.read().to_ndarray()


def chunks() -> None:
    for _ in io.decode_chunks(CLIP)[1]:
        pass


def split_chunks() -> None:
    for _ in io.decode_chunks(CLIP, split_up_to_s=15 * 60)[1]:
        pass


STEPS = (
    ("read the audio packets", packets),
    ("+ decode them", frames),
    ("+ join the frames, read them as arrays", arrays),
    ("+ mono, 16 kHz: io.decode_chunks", chunks),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not CLIP.exists():
        raise SystemExit(f"{CLIP} is missing: run python3 bench/run.py --no-grid first")
    print(f"{'step':42s} {'CPU s (best)':>12s} {'this step':>10s}")
    before = 0.0
    for name, step in STEPS:
        best = float("inf")
        for _ in range(args.runs):
            start = cpu_seconds()
            step()
            best = min(best, cpu_seconds() - start)
        print(f"{name:42s} {best:12.3f} {best - before:10.3f}")
        before = best
    print(f"\n{'io.decode_chunks':42s} {'wall s (best)':>13s} {'CPU s, with the child (best)':>29s}")
    for name, step in (("by one process", chunks), ("second half in a forked child", split_chunks)):
        wall = cpu = float("inf")
        for _ in range(args.runs):
            started, start_cpu = time.perf_counter(), cpu_seconds(children=True)
            step()
            wall = min(wall, time.perf_counter() - started)
            cpu = min(cpu, cpu_seconds(children=True) - start_cpu)
        print(f"{name:42s} {wall:13.3f} {cpu:29.3f}")


if __name__ == "__main__":
    main()
