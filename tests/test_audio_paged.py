"""A long clip held on disk: the same samples and the same output as in memory, its pages
handed back to the system, and a full disk refused with a clear error."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from workbench.audio import paged, pipeline
from workbench.audio.errors import AudioError
from workbench.audio.io import gather

SAMPLES = Path(__file__).resolve().parent.parent / "sample_data"


def mapped_rss_kib(marker: str) -> int:
    """Resident KiB of this process's mappings whose file name holds ``marker``."""
    total, inside = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        if line[:1].isalnum() and "-" in line.split()[0] and not line.split()[0].endswith(":"):
            inside = marker in line
        elif inside and line.startswith("Rss:"):
            total += int(line.split()[1])
    return total


def chunks(total: int, size: int = 16000) -> list[np.ndarray]:
    rng = np.random.default_rng(3)
    return [rng.uniform(-1, 1, min(size, total - start)).astype(np.float32) for start in range(0, total, size)]


def test_gather_moves_a_long_stream_to_disk_with_every_sample_kept(tmp_path):
    pieces = chunks(10 * 16000)
    with paged.DiskSamples(tmp_path) as disk:
        audio = gather(iter(pieces), capacity=20 * 16000, disk=disk, disk_after=3 * 16000)
        np.testing.assert_array_equal(audio, np.concatenate(pieces))
        assert audio.dtype == np.float32 and audio.size == 10 * 16000
        assert ".decoded-" in Path("/proc/self/maps").read_text()  # a file mapping, not memory
        assert list(tmp_path.iterdir()) == []  # unlinked at once: a killed process leaves nothing


def test_a_stream_under_the_threshold_stays_in_memory(tmp_path):
    with paged.DiskSamples(tmp_path) as disk:
        audio = gather(iter(chunks(2 * 16000)), capacity=20 * 16000, disk=disk, disk_after=3 * 16000)
        assert audio.size == 2 * 16000 and ".decoded-" not in Path("/proc/self/maps").read_text()


def test_released_pages_leave_the_process_and_keep_their_values(tmp_path):
    with paged.DiskSamples(tmp_path, release_every=3600) as disk:  # released by hand only
        samples = disk.array(8 * 2**20)  # 32 MiB
        disk.reserve(samples.size)
        samples[:] = np.arange(samples.size, dtype=np.float32)
        assert mapped_rss_kib(".decoded-") >= 30 * 1024
        disk.release()
        assert mapped_rss_kib(".decoded-") == 0
        assert samples[123456] == 123456.0 and samples[-1] == samples.size - 1


def test_a_full_disk_is_an_audio_error_and_nothing_is_left_behind(tmp_path, monkeypatch):
    def disk_full(fd, offset, length):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(paged.os, "posix_fallocate", disk_full)
    monkeypatch.setattr(pipeline, "ON_DISK_AFTER_S", 1.0)
    with pytest.raises(AudioError, match="not enough disk space in .* for the decoded audio"):
        pipeline.process_file(SAMPLES / "en_meeting.flac", tmp_path / "out", language="en")
    assert list(tmp_path.iterdir()) == []


def without_timings(report: dict) -> dict:
    return {**report, "timings": None, "input": {**report["input"], "path": None}}


def test_a_clip_held_on_disk_is_processed_exactly_as_in_memory(tmp_path, monkeypatch):
    clip = SAMPLES / "en_meeting.flac"
    in_memory = pipeline.process_file(clip, tmp_path / "memory", language="en")
    opened = []
    original_array = paged.DiskSamples.array
    monkeypatch.setattr(paged.DiskSamples, "array", lambda self, capacity: opened.append(capacity) or original_array(self, capacity))
    monkeypatch.setattr(pipeline, "ON_DISK_AFTER_S", 1.0)
    on_disk = pipeline.process_file(clip, tmp_path / "disk", language="en")
    assert len(opened) == 1
    memory, disk = tmp_path / "memory", tmp_path / "disk"
    assert (memory / "manifest.jsonl").read_bytes() == (disk / "manifest.jsonl").read_bytes()
    assert without_timings(in_memory.report) == without_timings(on_disk.report)
    assert json.loads((disk / "report.json").read_text())["segments"]["count"] == len(on_disk.segments) > 0
    for name in ["clean.flac", "original.flac", *(s.audio_filepath for s in on_disk.segments)]:
        np.testing.assert_array_equal(sf.read(memory / name)[0], sf.read(disk / name)[0])
    assert sorted(p.name for p in disk.iterdir()) == sorted(p.name for p in memory.iterdir())
