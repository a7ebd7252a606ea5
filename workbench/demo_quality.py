"""The demo's quality-control history (``workbench demo``): a small English crowd transcribes
a gold copy (scored) and both sides of a double-transcribed clip (one span disputed), reports
its active time, and a crowd reviewer accepts the three tasks, so the admin's Quality tab has
real gold scores, agreement, time on task and hourly pay to draw.

The crowd accounts are not among the demo logins (they exist only to have done this work);
they share the public demo password."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from workbench.domain.states import TaskState

if TYPE_CHECKING:
    from workbench.demo import ShiftedClock
    from workbench.workflow.domain import Actor
    from workbench.workflow.service import Workbench

CROWD = {"en-crowd-1": ("Noah Reed", "transcriber"), "en-crowd-2": ("Ava Brooks", "transcriber"),
         "en-crowd-reviewer": ("Mia Ward", "reviewer")}
CROWD_LANGUAGE = "en"
SLIP = "and then I could not hear the rest of it."  # a segment typed far off: a failed gold score, a dispute
WORK_MINUTES = 3  # the active minutes each crowd task reports (2.5 of them active)


def seed_quality(wb: "Workbench", admin: "Actor", clips: dict[str, dict], clock: "ShiftedClock") -> None:
    """Run once, after the gold copy is offered (``demo._seed_gold``), on the demo's past clock."""
    from workbench.demo import DEMO_PASSWORD, DEMO_PROJECT, review

    crowd = {username: wb.create_user(admin, username=username, password=DEMO_PASSWORD, name=name, roles={role},
                                      language=CROWD_LANGUAGE)
             for username, (name, role) in CROWD.items()}
    first, second, reviewer = crowd.values()
    copies = wb.gold_copies(admin)
    [source] = [t for t in wb.list_tasks(admin, language=CROWD_LANGUAGE, state=TaskState.COMPLETE)
                if t.id not in copies]
    original = _same_audio(wb, admin, source, project=DEMO_PROJECT)
    doubled = wb.double_task(admin, original)
    sentences = clips[source.clip_name]["sentences"]
    assert _work(wb, first, sentences, clock) == original
    gold_copy = _work(wb, first, sentences, clock, slip=True)
    assert gold_copy in copies
    assert _work(wb, second, sentences, clock, slip=True) == doubled
    for task_id in (original, gold_copy, doubled):
        review(wb, reviewer, task_id, return_one=False)


def _same_audio(wb: "Workbench", admin: "Actor", source, *, project: str) -> int:
    """A new clip over ``source``'s processed audio and segment bounds, offered first: its task id."""
    from workbench.store.models import Clip

    with wb.store.reading() as session:
        clip = session.get(Clip, source.clip_id)
        duration, output = clip.duration, wb.ctx.path(clip.output_dir)
    spans = [(segment.start, segment.end) for segment in wb.open_task(admin, source.id).segments]
    return wb.register_processed_clip(admin, filename=source.clip_name, language=source.language, project=project,
                                      duration=duration, segments=spans, output_dir=output, priority=2).task_id


def _work(wb: "Workbench", worker: "Actor", sentences: list[dict], clock: "ShiftedClock", *,
          slip: bool = False) -> int:
    """``worker`` claims their next task, types the sample's text (the last segment far off
    when ``slip``), reports a few active minutes and submits: the task's id."""
    from workbench.demo import transcribe

    task_id = wb.claim_next(worker).id
    view = wb.open_task(worker, task_id)
    transcribe(wb, worker, view, sentences)
    if slip:
        last = wb.open_task(worker, task_id).segments[-1]
        wb.save_text(worker, last.id, SLIP, base_version=last.version)
    clock.shift -= timedelta(minutes=WORK_MINUTES)
    wb.record_activity(worker, task_id, spans=[[0, (WORK_MINUTES - 0.5) * 60_000]])
    wb.submit_task(worker, task_id)
    return task_id
