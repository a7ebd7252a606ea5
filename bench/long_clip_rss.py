"""Peak memory of the pipeline on a 6-hour clip (the longest the workbench accepts).

    python3 bench/long_clip_rss.py                  # 6 hours of silence, FLAC (the issue's bomb)
    python3 bench/long_clip_rss.py --kind speech    # 6 hours of tiled speech with noise, FLAC
    python3 bench/long_clip_rss.py --hours 12       # longer than the limit: refused while decoding
    python3 bench/long_clip_rss.py --via worker     # as `workbench worker` runs it: import_clip, process_clip
    python3 bench/long_clip_rss.py --hours 12 --hide-length   # the bomb without a declared length

The clip is generated once into bench/out/ (written block by block, so this parent stays
small). ``process_file`` then runs in a fresh interpreter started as a subprocess; its peak
RSS is reported twice: the child's own high-water mark (VmHWM) and ``ru_maxrss`` from
``wait4``; a thread also samples RSS every 5 ms and reports each pipeline stage's peak and
the most file pages mapped at once beyond the libraries' ("file pages": a clip past
``pipeline.ON_DISK_AFTER_S`` is held in a mapped file). ``cpu_seconds`` is the child's.
The target is at most 1.5 GB (1536 MiB). Not a test: nothing here asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import soundfile as sf

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
SAMPLES = HERE.parent / "sample_data"
RATE = 16000
sys.path.insert(0, str(HERE.parent))


def make_clip(kind: str, hours: float) -> Path:
    """A FLAC of ``hours`` of silence or of speech (the sample clips tiled, with a little
    noise so no two stretches are identical), cached in bench/out/."""
    path = OUT / f"{kind}_{hours:g}h.flac"
    if path.exists():
        return path
    OUT.mkdir(exist_ok=True)
    total, block = int(hours * 3600 * RATE), 60 * RATE
    if kind == "speech":
        from workbench.audio.io import read_audio

        source = np.concatenate([read_audio(SAMPLES / name)[0] for name in ("en_meeting.flac", "ko_interview.wav")])
        noise = np.random.default_rng(7)
    partial = path.with_suffix(".partial.flac")
    with sf.SoundFile(partial, "w", RATE, 1, "PCM_16", format="FLAC") as out:
        for offset in range(0, total, block):
            count = min(block, total - offset)
            if kind == "silence":
                out.write(np.zeros(count, np.float32))
            else:
                take = np.take(source, np.arange(offset, offset + count) % source.size)
                out.write(take + noise.normal(0, 0.003, count).astype(np.float32))
    partial.rename(path)
    return path


def hide_length(path: Path) -> Path:
    """A copy of FLAC ``path`` whose STREAMINFO says the length is unknown (total samples 0,
    which the format allows): only counting while decoding can stop it."""
    hidden = path.with_name(f"{path.stem}_no_length.flac")
    if not hidden.exists():
        data = bytearray(path.read_bytes())
        data[21] &= 0xF0  # the low 4 bits of STREAMINFO byte 13 and the 4 bytes after it
        data[22:26] = bytes(4)
        hidden.write_bytes(bytes(data))
    return hidden


def rss_mib(field: str = "VmRSS") -> int:
    return next(int(line.split()[1]) for line in Path("/proc/self/status").read_text().splitlines()
                if line.startswith(f"{field}:")) // 1024


def watch_stages() -> dict[str, int]:
    """Peak RSS (MiB) per pipeline stage, sampled every 5 ms by a thread: where the peak is."""
    import contextlib
    import threading

    from workbench.audio import pipeline

    peaks: dict[str, int] = {"before": rss_mib()}
    current = ["before"]
    # The most file pages (the clip held on disk) mapped at once, beyond the libraries' own.
    files, peaks["file pages"] = rss_mib("RssFile"), 0
    stage = pipeline._Clock.stage

    @contextlib.contextmanager
    def watched(clock, name):
        current[0] = name
        with stage(clock, name):
            yield
        current[0] = "after"

    def sample() -> None:
        while True:
            name = current[0]
            peaks[name] = max(peaks.get(name, 0), rss_mib())
            peaks["file pages"] = max(peaks["file pages"], rss_mib("RssFile") - files)
            time.sleep(0.005)

    pipeline._Clock.stage = watched
    threading.Thread(target=sample, daemon=True).start()
    return peaks


def child(via: str, input_path: Path, out_dir: Path, result_path: Path) -> None:
    started = time.perf_counter()
    stages = watch_stages()
    if via == "pipeline":
        from workbench.audio.errors import AudioError
        from workbench.audio.pipeline import process_file

        try:
            result = process_file(input_path, out_dir, language="en")
            outcome = {"segments": len(result.segments), "duration": result.report["input"]["duration"]}
        except AudioError as error:
            outcome = {"refused": str(error)}
    else:
        # What a worker process holds: the CLI, the queue, the store and the pipeline.
        import workbench.cli  # noqa: F401
        from workbench.queue import RecordingQueue
        from workbench.workflow.policy import Policy
        from workbench.workflow.service import Workbench

        wb = Workbench.open(data_dir=out_dir, queue=RecordingQueue(),
                            policy=Policy(password_time_cost=1, password_memory_kib=1024))
        admin = wb.create_user(None, username="bench", password="six-hours-of-audio-9-passphrase", name="Bench", roles={"admin"})
        clip = wb.import_clip(admin, filename=input_path.name, source=input_path, language="en", project="bench")
        started = time.perf_counter()
        done = wb.process_clip(clip.id)
        outcome = {"status": done.status, "segments": done.segment_count, "error": done.error}
    hwm = next(int(line.split()[1]) for line in Path("/proc/self/status").read_text().splitlines()
               if line.startswith("VmHWM:"))
    result_path.write_text(json.dumps({**outcome, "seconds": round(time.perf_counter() - started, 1),
                                       "vmhwm_mib": round(hwm / 1024), "stage_peaks_mib": stages}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=("silence", "speech"), default="silence")
    parser.add_argument("--hours", type=float, default=6.0)
    parser.add_argument("--via", choices=("pipeline", "worker"), default="pipeline")
    parser.add_argument("--hide-length", action="store_true", help="zero the FLAC's declared length")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.via, *map(Path, args.child))
        return
    clip = make_clip(args.kind, args.hours)
    if args.hide_length:
        clip = hide_length(clip)
    out_dir, result_path = OUT / "long_clip_rss", OUT / "long_clip_rss.json"
    shutil.rmtree(out_dir, ignore_errors=True)
    process = subprocess.Popen([sys.executable, __file__, "--via", args.via, "--child", str(clip), str(out_dir),
                                str(result_path)])
    _, status, usage = os.wait4(process.pid, 0)
    shutil.rmtree(out_dir, ignore_errors=True)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"the pipeline process failed with status {os.waitstatus_to_exitcode(status)}")
    result = json.loads(result_path.read_text())
    result["ru_maxrss_mib"] = round(usage.ru_maxrss / 1024)
    result["cpu_seconds"] = round(usage.ru_utime + usage.ru_stime, 1)
    size_mb = clip.stat().st_size / 1e6
    print(f"{clip.name} ({size_mb:.1f} MB file) via {args.via}: {json.dumps(result, ensure_ascii=False)}")
    print(f"peak RSS {max(result['vmhwm_mib'], result['ru_maxrss_mib'])} MiB; target ≤ 1536 MiB (1.5 GB)")
    print("peak RSS per stage (MiB, sampled):", " ".join(f"{k} {v}" for k, v in result["stage_peaks_mib"].items()))


if __name__ == "__main__":
    main()
