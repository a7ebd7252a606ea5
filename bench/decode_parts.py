"""Where the decode stage's CPU goes, on the 10-minute speed clip.

    python3 bench/decode_parts.py            # best of three per step
    python3 bench/decode_parts.py --runs 5
    python3 bench/decode_parts.py --formats  # also the clip as MP3, FLAC, WAV, Ogg Opus and WebM Opus

Each step does what the one before it did and one thing more, so the differences are the
cost of each thing: reading the container's audio packets; FFmpeg's decoder on them;
joining the frames in FFmpeg's FIFO and reading them as arrays a second at a time (what
``io.decode_chunks`` does with them); and the whole of ``io.decode_chunks`` (mono, then
soxr to 16 kHz). Then the whole of ``io.decode_chunks`` again, by one process and with the
second half decoded by a forked child (``halves``, as the pipeline does): wall time, and CPU
time with the child's. With ``--formats``, the same for the clip's audio transcoded by PyAV
to the containers a client also sends (48 kHz stereo; cached in ``bench/out/formats/``):
which of them the pipeline splits (``halves.SPLIT_FORMATS``), and what that saves.
``bench/out/clip.mp4`` is made by ``bench/run.py``. Not a test: nothing here asserts.
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


def chunks(clip: Path = CLIP) -> None:
    for _ in io.decode_chunks(clip)[1]:
        pass


def split_chunks(clip: Path = CLIP) -> None:
    for _ in io.decode_chunks(clip, split_up_to_s=15 * 60)[1]:
        pass


# name, file suffix, PyAV encoder, bit rate (None: lossless)
FORMATS = (("MP4 (AAC 128 kb/s)", "mp4", None, None), ("MP3 128 kb/s", "mp3", "libmp3lame", 128000),
           ("FLAC", "flac", "flac", None), ("WAV", "wav", "pcm_s16le", None), ("Ogg Opus 96 kb/s", "ogg", "libopus", 96000),
           ("WebM Opus 96 kb/s", "webm", "libopus", 96000))


def transcoded(suffix: str, codec: str | None, bit_rate: int | None) -> Path:
    """The speed clip's audio in another container, made once."""
    if codec is None:
        return CLIP
    path = HERE / "out" / "formats" / f"clip.{suffix}"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(CLIP)) as source, av.open(str(path) + ".part", "w", format=suffix) as target:
        audio = source.streams.audio[0]
        out = target.add_stream(codec, rate=audio.codec_context.sample_rate, layout="stereo")
        if bit_rate:
            out.bit_rate = bit_rate
        for frame in source.decode(audio):
            frame.pts = None
            for packet in out.encode(frame):
                target.mux(packet)
        for packet in out.encode(None):
            target.mux(packet)
    Path(str(path) + ".part").rename(path)
    return path


def one_and_two(clip: Path, runs: int) -> list[tuple[float, float]]:
    """``io.decode_chunks`` on ``clip`` by one process, then as the pipeline calls it: the
    best wall and CPU seconds (with the child's) of each."""
    found = []
    for step in (chunks, split_chunks):
        wall = cpu = float("inf")
        for _ in range(runs):
            started, start_cpu = time.perf_counter(), cpu_seconds(children=True)
            step(clip)
            wall = min(wall, time.perf_counter() - started)
            cpu = min(cpu, cpu_seconds(children=True) - start_cpu)
        found.append((wall, cpu))
    return found


STEPS = (
    ("read the audio packets", packets),
    ("+ decode them", frames),
    ("+ join the frames, read them as arrays", arrays),
    ("+ mono, 16 kHz: io.decode_chunks", chunks),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--formats", action="store_true", help="also the clip in other containers")
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
    one, two = one_and_two(CLIP, args.runs)
    print(f"{'by one process':42s} {one[0]:13.3f} {one[1]:29.3f}")
    print(f"{'second half in a forked child':42s} {two[0]:13.3f} {two[1]:29.3f}")
    if args.formats:
        from workbench.audio import halves

        print("\n| the clip as | split | wall s: one process / as the pipeline decodes | CPU s (with the child's) |")
        print("|---|---|---|---|")
        for name, suffix, codec, bit_rate in FORMATS:
            clip = transcoded(suffix, codec, bit_rate)
            with av.open(str(clip)) as container:
                split = container.format.name in halves.SPLIT_FORMATS
            one, two = one_and_two(clip, args.runs)
            print(f"| {name} | {'yes' if split else 'no'} | {one[0]:.3f} / {two[0]:.3f} | {one[1]:.3f} / {two[1]:.3f} |")


if __name__ == "__main__":
    main()
