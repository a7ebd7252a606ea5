"""A copy of a clip offered as a task of its own: what gold copies (gold.py) and double
transcription (double.py) are made of, so the two look alike to the worker and to each other.

The copy is a new clip row over the source's processed audio, a new open task and new segments
with the source's live bounds, every id from the same sequences as any task's. Each segment's
pipeline cut is copied to a file of the copy's own, written now: the media route tags a file
by its name, time and size, so serving the source's file would give the copy the source's tag,
and an old time. The task's own log gets the same ``task.created`` entry as any task.
"""

from __future__ import annotations

import shutil

from workbench.domain.states import SegmentStatus, TaskState
from workbench.store import repo
from workbench.store.models import Clip, Segment, Task
from workbench.workflow.context import Context


def copy_clip(ctx: Context, session, source: Clip, *, project: str, priority: int, created_by_id: int | None,
              actor_id: int | None) -> tuple[Task, list[tuple[Segment, Segment]]]:
    """Offer a copy of ``source`` in ``project``: its task and ``[(source segment, copy segment)]``."""
    source_task = repo.tasks_by_clip(session, [source.id])[source.id]
    now = ctx.now()
    copy = Clip(filename=source.filename, language=source.language, project=project,
                priority=priority, status="ready", stage="done", percent=100.0, duration=source.duration,
                output_dir=source.output_dir, report=source.report, created_by_id=created_by_id,
                created_at=now, processed_at=now)
    session.add(copy)
    session.flush()
    task = Task(clip_id=copy.id, language=copy.language, priority=copy.priority, state=TaskState.OPEN,
                review_round=0, created_at=now)
    session.add(task)
    session.flush()
    pairs = []
    for position, original in enumerate(repo.live_segments(session, source_task.id), start=1):
        segment = Segment(task_id=task.id, position=position, start_s=original.start_s,
                          end_s=original.end_s, status=SegmentStatus.TODO, text="", no_speech=False, version=0,
                          return_count=0, audio_file=_own_cut(ctx, copy, position, original.audio_file),
                          created_at=now)
        session.add(segment)
        pairs.append((original, segment))
    session.flush()
    ctx.audit(session, actor_id, "task.created", "task", task.id, task_id=task.id, clip_id=copy.id)
    return task, pairs


def _own_cut(ctx: Context, copy: Clip, position: int, cut: str | None) -> str | None:
    """A file of the copy's own holding the source's pipeline cut ``cut`` (module docstring)."""
    if cut is None or not ctx.path(cut).is_file():
        return None
    target = ctx.data_dir / "clip-copies" / str(copy.id) / f"{position:05d}{ctx.path(cut).suffix}"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ctx.path(cut), target)
    return ctx.stored_path(target)
