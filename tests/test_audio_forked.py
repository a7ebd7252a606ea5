"""``workbench.audio.forked.ForkedCall``: a call run in a forked child beside the caller, whose
answer comes back whole, and which, when it fails or stalls, answers FAILED with no child
left behind."""

from __future__ import annotations

import mmap
import os
import struct
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from workbench.audio import forked


def test_the_child_works_on_the_callers_memory_as_it_was_at_the_fork(forks):
    samples = np.arange(1_000_000, dtype=np.float64)
    call = forked.ForkedCall(lambda: (os.getpid(), float(samples.sum())), stall_s=30)
    samples[:] = 0  # after the fork: the child's copy is not touched
    pid, total = call.result()
    assert pid == forks[0] != os.getpid()
    assert total == 999_999 * 1_000_000 / 2
    assert forks.gone()


def test_a_large_answer_comes_back_whole():
    answer = forked.ForkedCall(lambda: np.arange(3_000_000, dtype=np.int64), stall_s=30).result()
    assert np.array_equal(answer, np.arange(3_000_000))


def test_a_child_that_raises_fails_and_is_reaped(forks):
    def broken():
        raise ValueError("no")

    assert forked.ForkedCall(broken, stall_s=30).result() is forked.FAILED
    assert forks.gone()


def test_a_child_killed_by_a_signal_fails(forks):
    assert forked.ForkedCall(lambda: os.kill(os.getpid(), 9), stall_s=30).result() is forked.FAILED
    assert forks.gone()


def test_a_child_without_progress_is_killed_after_its_stall_time(forks):
    started = time.monotonic()
    assert forked.ForkedCall(lambda: time.sleep(3600), stall_s=0.3).result() is forked.FAILED
    assert time.monotonic() - started < 30
    assert forks.gone()


def test_a_child_that_shows_progress_may_take_longer_than_its_stall_time():
    shared = mmap.mmap(-1, 8)

    def steady() -> str:
        for step in range(1, 11):
            time.sleep(0.1)
            struct.pack_into("<q", shared, 0, step)
        return "done"

    progress = lambda: struct.unpack_from("<q", shared, 0)[0]  # noqa: E731
    assert forked.ForkedCall(steady, stall_s=0.5, progress=progress).result() == "done"


def test_closing_kills_and_reaps_a_running_child(forks):
    call = forked.ForkedCall(lambda: time.sleep(3600), stall_s=30)
    call.close()
    assert forks.gone()
    call.close()  # twice is harmless


CALLER = """
import sys, time
sys.path.insert(0, sys.argv[1])
from workbench.audio import forked
call = forked.ForkedCall(lambda: time.sleep(3600), stall_s=3600)
print(call._pid, flush=True)
time.sleep(3600)
"""


def _alive(pid: int) -> bool:
    """Running or sleeping: neither gone nor a zombie waiting for a reaper."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_a_child_does_not_outlive_a_caller_killed_outright(tmp_path):
    caller = subprocess.Popen([sys.executable, "-c", CALLER, str(Path(__file__).resolve().parents[1])],
                              stdout=subprocess.PIPE, text=True)
    try:
        child = int(caller.stdout.readline())
        assert _alive(child)
    finally:
        caller.kill()
        caller.wait()
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    outlived = _alive(child)
    if outlived:
        os.kill(child, 9)
    assert not outlived


def test_a_child_whose_caller_was_gone_before_it_was_watched_stops_at_once(monkeypatch):
    # As if the caller had died between the fork and the child's call to prctl: the child
    # finds another parent than the one that forked it.
    monkeypatch.setattr(os, "getpid", lambda: 1)
    assert forked.ForkedCall(lambda: "worked", stall_s=30).result() is forked.FAILED
