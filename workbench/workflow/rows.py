"""The rows a workflow call acts on, looked up by id or name: ``NotFound`` when absent.

The ids are checked (``limits.checked_id``) before they reach the database.
"""

from __future__ import annotations

from workbench.store import repo
from workbench.store.models import Clip, Segment, Task, User
from workbench.workflow.errors import NotFound, message_id
from workbench.workflow.limits import USERNAME, checked_id, storable


def named(session, username: str) -> User:
    if not storable(username, limit=USERNAME):
        raise NotFound("No such user.")
    user = repo.user_by_username(session, username)
    if user is None:
        raise NotFound(f"No user {username!r}.")
    return user


def task(session, task_id: int, *, lock: bool = False) -> Task:
    task_id = checked_id(task_id, "task")
    found = repo.get_task(session, task_id, lock=lock)
    if found is None:
        raise NotFound(f"No task {task_id}.")
    return found


def segment(session, segment_id: int) -> tuple[Segment, Task]:
    """A live segment (not merged away) and its task."""
    segment_id = checked_id(segment_id, "segment")
    found = repo.get_segment(session, segment_id)
    if found is None or found.merged_into_id is not None:
        raise NotFound(f"No segment {segment_id}.")
    return found, session.get(Task, found.task_id)


def segment_for_change(session, segment_id: int) -> tuple[Segment, Task]:
    """A live segment about to change and its task, the task row locked until the
    transaction ends and the segment read after the lock (``repo.segment_for_change``)."""
    segment_id = checked_id(segment_id, "segment")
    found, owner = repo.segment_for_change(session, segment_id)
    if found is None or found.merged_into_id is not None:
        raise NotFound(f"No segment {segment_id}.")
    return found, owner


def clip(session, clip_id: int, *, lock: bool = False) -> Clip:
    clip_id = checked_id(clip_id, "clip")
    found = repo.get_clip(session, clip_id, lock=lock)
    if found is None:
        raise NotFound(f"No clip {clip_id}.")
    return found


def audible_clip(session, task: Task) -> Clip:
    """The task's clip, if its processed audio may be served: NotFound when it has none, or
    when the clip was withdrawn (clip_lifecycle.py: nobody opens a withdrawn clip's media)."""
    clip = session.get(Clip, task.clip_id)
    check_audible(clip.id, clip.withdrawn_at, clip.output_dir)
    return clip


def check_audible(clip_id: int, withdrawn_at, output_dir: str | None) -> None:
    if withdrawn_at is not None:
        raise NotFound.worded(message_id("Clip {clip} was withdrawn; its audio is no longer served."), clip=clip_id)
    if output_dir is None:
        raise NotFound.worded(message_id("Clip {clip} has no processed audio."), clip=clip_id)


def media_source(session, segment_id: int):
    """A live segment with its task and clip, as ``repo.media_row`` reads them in one
    statement (NotFound if there is none). Check the viewer may see the task, then
    ``check_audible`` on the row, in that order: a stranger learns nothing of the clip."""
    segment_id = checked_id(segment_id, "segment")
    found = repo.media_row(session, segment_id)
    if found is None or found.merged_into_id is not None:
        raise NotFound(f"No segment {segment_id}.")
    return found


def project_of(session, task: Task) -> str:
    return repo.clip_project(session, task.clip_id)
