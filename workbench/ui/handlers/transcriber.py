"""Transcriber handlers: the queue and the task view's JSON, each a call into the Workbench.

The Workbench checks role, language and ownership on every call; these functions only shape
its answers into the plain dicts the page's JavaScript reads (times in seconds on the clip's
timeline). They raise the Workbench's errors unchanged.
"""

from __future__ import annotations

import json
import time
from html import escape
from typing import TYPE_CHECKING, Any

from workbench.domain.states import TaskState
from workbench.ui import i18n
from workbench.workflow.draft_guidance import task_guidance
from workbench.workflow.guidelines import NO_SPEECH_REASONS, palette
from workbench.workflow.limits import checked_id

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor, TaskSummary, TaskView, TranscriberQueue
    from workbench.workflow.guidelines import Problem
    from workbench.workflow.service import Workbench


def task_head_json(view: "TaskView") -> dict[str, Any]:
    """The task of a task view, with what its viewer may do: ``editable`` (change its text
    now) and ``reviewing`` (they hold its review)."""
    return {**view.task.to_dict(), "editable": view.editable, "reviewing": view.reviewing}


def task_json(view: "TaskView") -> dict[str, Any]:
    return {
        "task": task_head_json(view),
        "segments": [segment.to_dict() for segment in view.segments],
        "no_speech_reasons": list(NO_SPEECH_REASONS),
        # The tag palette (static/work/palette.js), from the language's guideline file.
        "palette": [{"text": e.text, "caret": e.caret, "label": e.label} for e in palette(view.task.language)],
    }


def task_label(task: "TaskSummary", language: str = i18n.DEFAULT) -> str:
    """One line per task in a queue, in ``language``: clip, its paid clip minutes and its
    speech minutes, progress (``TaskSummary.progress``, the same count as the task page's
    header), and what needs doing."""
    tr = i18n.translator(language)
    progress = task.progress
    label = tr("{clip} · {project} · {clip_minutes} min clip (paid) · {minutes} min speech · {done}/{total} done",
               clip=task.clip_name, project=task.project, clip_minutes=f"{task.clip_duration / 60:.1f}",
               minutes=f"{task.duration / 60:.1f}", done=progress["done"], total=progress["total"])
    if task.state == TaskState.RETURNED:
        return f"↩ {label} · " + tr("{n} to fix", n=len(task.returned_comments))
    return f"{label} · {tr(task.state.replace('_', ' '))}"  # the state names are the task pages' (text.js)


def queue(wb: "Workbench", actor: "Actor", language: str = i18n.DEFAULT) -> dict[str, Any]:
    """The transcriber's queue, returned tasks first, as Gradio choices and a note, in ``language``.

    ``choices`` are ``(label, task_id)`` pairs; ``comments`` is Markdown listing the
    reviewers' comments of every returned task; ``can_claim`` enables "take the next task"
    and ``offer`` says why it is (not) offered.
    """
    tr = i18n.translator(language)
    mine = wb.my_queue(actor)
    tasks = [*mine.returned, *mine.open]
    comment_lines = ["**" + tr("Returned by the reviewer — fix these first:") + "**"] if mine.returned else []
    for task in mine.returned:
        comment_lines += [f"- {task.clip_name} #{position}: {comment}" for position, comment in task.returned_comments]
    return {
        "choices": [(task_label(task, language), task.id) for task in tasks],
        "comments": "\n".join(comment_lines),
        "can_claim": mine.can_claim,
        "offer": queue_offer(mine, len(tasks), language),
    }


def queue_offer(mine: "TranscriberQueue", held: int, language: str = i18n.DEFAULT) -> str:
    """Why "take the next task" is (not) offered to a transcriber holding ``held`` tasks."""
    tr = i18n.translator(language)
    if mine.available == 0:
        return tr("No task is waiting in your language right now.")
    if mine.can_claim:
        return tr("{n} task(s) waiting in your language.", n=mine.available)
    return tr("You hold {held} of at most {most} task(s): submit one to take another.", held=held, most=mine.max_tasks)


def queue_json(wb: "Workbench", actor: "Actor", language: str = i18n.DEFAULT) -> dict[str, Any]:
    """The transcriber's queue for the light queue page (``ui/queue_page.py``) in ``language``:
    each held task with its label, page and the reviewer's comments when it came back,
    returned first; ``can_claim`` and ``offer`` as in ``queue``."""
    mine = wb.my_queue(actor)
    offered = queue_offer(mine, len(mine.returned) + len(mine.open), language)
    return {
        "tasks": [
            {"id": task.id, "label": task_label(task, language), "url": task_url("transcribe", task.id),
             "returned": task.state == TaskState.RETURNED,
             "comments": [{"position": position, "comment": comment}
                          for position, comment in task.returned_comments]}
            for task in (*mine.returned, *mine.open)
        ],
        "can_claim": mine.can_claim,
        "offer": offered,
    }


PLACE_MAX_CHARS = 20_000


def task_to_open(queue: dict[str, Any], places: str | None, username: str) -> int | None:
    """The task the page opens: the one this user was working on in this browser, if it is
    still in their queue, else the queue's first.

    ``places`` is the browser's ``wb-place`` entry (``transcriber.js``), JSON mapping a
    username to ``{"task": id, "segment": id}``. It comes from the browser, so anything
    that is not a task of this user's own queue is ignored.

    >>> queue = {"choices": [("a", 4), ("b", 9)]}
    >>> task_to_open(queue, '{"minji": {"task": 9, "segment": 31}}', "minji")
    9
    >>> task_to_open(queue, '{"minji": {"task": 12}}', "minji"), task_to_open(queue, "}{", "minji")
    (4, 4)
    >>> task_to_open(queue, "[" * 19_000, "minji"), task_to_open(queue, '{"jisoo": {"task": 9}}', "minji")
    (4, 4)
    """
    held = [task_id for _, task_id in queue["choices"]]
    try:
        place = json.loads(places)[username] if places and len(places) <= PLACE_MAX_CHARS else None
    except (ValueError, TypeError, KeyError, RecursionError):
        place = None
    remembered = place.get("task") if isinstance(place, dict) else None
    if type(remembered) is int and remembered in held:
        return remembered
    return held[0] if held else None


def take_next_task(wb: "Workbench", actor: "Actor") -> dict[str, Any]:
    """Claims the next task offered in the actor's language: its id and its page's URL."""
    task_id = wb.claim_next_id(actor)
    return {"task_id": task_id, "url": task_url("transcribe", task_id)}


def open_task(wb: "Workbench", actor: "Actor", task_id: int, language: str = i18n.DEFAULT) -> dict[str, Any]:
    view = wb.open_task(actor, task_id)
    # Words of a machine draft below this probability are marked on the page; the guideline
    # flags and sentence hints of untouched drafts (static/work/draft_guidance.js).
    return (task_json(view) | {"draft_threshold": wb.policy.draft_low_probability}
            | task_guidance(view.task.language, view.segments).to_dict(
                lambda template, params: i18n.translate(language, template, **params)))


def save_text(wb: "Workbench", actor: "Actor", segment_id: int, text: str, *, base_version: int,
              typed_chars: int | None = None) -> dict[str, Any]:
    """Saves one sentence; ``StaleVersion`` when it changed since ``base_version``."""
    return wb.save_text(actor, segment_id, text, base_version=base_version, typed_chars=typed_chars).to_dict()


def mark_no_speech(
    wb: "Workbench", actor: "Actor", segment_id: int, reason: str, *, base_version: int
) -> dict[str, Any]:
    return wb.mark_no_speech(actor, segment_id, reason, base_version=base_version).to_dict()


def split_segment(wb: "Workbench", actor: "Actor", segment_id: int, at: float, *,
                  texts: tuple[str, str] | None = None, base_version: int | None = None) -> list[dict[str, Any]]:
    """Splits a segment at ``at`` seconds on the clip's timeline; the two halves. ``texts``
    (before and after the caret, typed on ``base_version``) divide its text between them."""
    return [half.to_dict() for half in wb.split_segment(actor, segment_id, at, texts=texts,
                                                         base_version=base_version)]


def apply_sentence_hint(wb: "Workbench", actor: "Actor", segment_id: int, *, base_version: int) -> list[dict[str, Any]]:
    """Applies the sentence hint shown on a segment (a split or a merge); the segments it leaves."""
    return [view.to_dict() for view in wb.apply_sentence_hint(actor, segment_id, base_version)]


def merge_with_next(wb: "Workbench", actor: "Actor", segment_id: int) -> dict[str, Any]:
    return wb.merge_with_next(actor, segment_id).to_dict()


def move_boundary(wb: "Workbench", actor: "Actor", segment_id: int, edge: str, to: float, *,
                  base_version: int) -> dict[str, Any]:
    """Moves a segment's start or end (seconds on the clip); the segment as it now is."""
    return wb.move_boundary(actor, segment_id, edge, to, base_version=base_version).to_dict()


def problem_json(problem: "Problem", language: str = i18n.DEFAULT) -> dict[str, Any]:
    """A guideline problem as the task pages' JSON carries it, its message in ``language``."""
    answer = problem.to_dict()
    if problem.template:
        answer["message"] = i18n.translate(language, problem.template, **problem.params)
    return answer


def task_problems(wb: "Workbench", actor: "Actor", task_id: int,
                  language: str = i18n.DEFAULT) -> dict[str, Any]:
    return {"problems": [problem_json(problem, language) for problem in wb.check_task(actor, task_id)]}


def submit_task(wb: "Workbench", actor: "Actor", task_id: int,
                language: str = i18n.DEFAULT) -> dict[str, Any]:
    """Submits for review; the warnings that remain. ``GuidelineViolation`` on errors."""
    return {"problems": [problem_json(problem, language) for problem in wb.submit_task(actor, task_id)]}


def send_back_wrong_language(wb: "Workbench", actor: "Actor", task_id: int) -> dict[str, Any]:
    """The whole clip is in another language: the task goes back to the admin."""
    return wb.send_back_wrong_language(actor, task_id).to_dict()


def task_url(page: str, task_id: int) -> str:
    """Where the task view of ``page`` (transcribe or review) lives."""
    return f"/work/{page}/{task_id}"


EMPTY_WORKSPACE = '<div class="wb-empty-task">{}</div>'


def workspace_html(page: str, task_id: int | None, *, language: str = i18n.DEFAULT) -> str:
    """The task view framed into the Gradio page (``page`` is transcribe or review), or what
    to do when no task is open, in ``language``.

    It is a page of its own so that its keyboard handling, focus and IME composition never
    meet Gradio's re-rendering.
    """
    tr = i18n.translator(language)
    if task_id is None:
        empty = (tr("Pick a submitted task on the left and take it for review.") if page == "review"
                 else tr("Pick a task on the left, or take the next one."))
        return EMPTY_WORKSPACE.format(escape(empty))
    task_id = checked_id(task_id, "task")
    # A new URL every time, so opening the same task again reloads its view.
    return (
        f'<iframe class="wb-task-frame" src="{task_url(page, task_id)}?opened={time.time_ns()}" '
        f'title="{escape(tr("Task {id}", id=task_id))}"></iframe>'
    )
