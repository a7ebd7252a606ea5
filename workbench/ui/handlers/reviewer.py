"""Reviewer handlers: the review queue and the review view's JSON, each a call into the Workbench.

Whether a segment may be accepted (heard by this reviewer) is decided by the Workbench;
the page reports the intervals its player played and only mirrors ``heard``.
"""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING, Any

from workbench.domain.states import TaskState
from workbench.ui import i18n
from workbench.ui.handlers.transcriber import task_head_json, task_label, task_url

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor, SegmentView
    from workbench.workflow.service import Workbench

# Latin words stay whole; every other character (a Hangul syllable, a hanzi, a kana, a
# punctuation mark, a space run) is its own token, so CJK text diffs character by character.
_TOKEN = re.compile(r"\s+|[A-Za-z0-9\u00C0-\u024F']+|.", re.DOTALL)


def inline_diff(before: str, after: str) -> list[tuple[str, str]]:
    """``before`` → ``after`` as ``(op, text)`` runs, op one of equal, delete, insert.

    >>> inline_diff("the cat sat", "the dog sat")
    [('equal', 'the '), ('delete', 'cat'), ('insert', 'dog'), ('equal', ' sat')]
    >>> inline_diff("안녕하세요", "안녕하셨어요")
    [('equal', '안녕하'), ('delete', '세'), ('insert', '셨어'), ('equal', '요')]
    """
    a, b = _TOKEN.findall(before), _TOKEN.findall(after)
    runs: list[tuple[str, str]] = []

    def add(op: str, tokens: list[str]) -> None:
        text = "".join(tokens)
        if not text:
            return
        if runs and runs[-1][0] == op:
            runs[-1] = (op, runs[-1][1] + text)
        else:
            runs.append((op, text))

    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            add("equal", a[i1:i2])
        else:
            add("delete", a[i1:i2])
            add("insert", b[j1:j2])
    return runs


def review_segment_json(segment: "SegmentView") -> dict[str, Any]:
    """A segment as the reviewer sees it: how much of it they have heard (``heard_share``,
    0..1) and whether that is enough to accept it (``heard``), with its diff from the text
    at the latest verdict.

    In a second round that is exactly what the transcriber changed after the return; a
    segment never reviewed has no diff.
    """
    data = segment.to_dict()
    data["heard"], data["heard_share"] = segment.heard, segment.heard_share
    before = segment.reviewed_text
    data["diff"] = inline_diff(before, segment.text) if before is not None else []
    return data


def review_queue(wb: "Workbench", actor: "Actor", language: str = i18n.DEFAULT) -> dict[str, Any]:
    """Submitted tasks of the reviewer's language, their own reviews in progress first,
    labelled in ``language`` (the reader's).

    ``choices`` are ``(label, task_id)`` pairs; ``resume`` is the task the reviewer is in the
    middle of (None if none), reopened when the page loads.
    """
    tasks = wb.review_queue(actor)
    mine = [task.id for task in tasks if task.state == TaskState.IN_REVIEW and task.reviewer == actor.username]
    return {"choices": [(task_label(task, language), task.id) for task in tasks], "resume": next(iter(mine), None)}


def review_queue_json(wb: "Workbench", actor: "Actor", language: str = i18n.DEFAULT) -> dict[str, Any]:
    """The review queue for the light queue page (``ui/queue_page.py``): each task with its
    label and review page (opening it takes the task), and whether it is this reviewer's own
    review in progress (``mine``), those first."""
    tasks = wb.review_queue(actor)
    return {"tasks": [
        {"id": task.id, "label": task_label(task, language), "url": task_url("review", task.id),
         "mine": task.state == TaskState.IN_REVIEW and task.reviewer == actor.username}
        for task in tasks
    ]}


def no_task_picked(language: str) -> str:
    tr = i18n.translator(language)
    return tr("Pick a task first.")


def take_for_review(wb: "Workbench", actor: "Actor", task_id: int) -> int:
    """Takes a submitted task (or resumes one's own review); its id."""
    return wb.start_review(actor, task_id).task.id


def open_review(wb: "Workbench", actor: "Actor", task_id: int) -> dict[str, Any]:
    """Starts (or resumes) reviewing a task; each segment carries its diff from the previous text."""
    view = wb.start_review(actor, task_id)
    return {"task": task_head_json(view), "segments": [review_segment_json(s) for s in view.segments]}


def record_play(wb: "Workbench", actor: "Actor", segment_id: int,
                intervals: list[tuple[float, float]]) -> dict[str, Any]:
    """Records the intervals the reviewer's player played; the segment says how much of it
    now counts as heard."""
    return review_segment_json(wb.record_play(actor, segment_id, intervals=intervals))


def accept_segment(wb: "Workbench", actor: "Actor", segment_id: int, *, text: str | None = None) -> dict[str, Any]:
    """Accepts a heard segment, with the reviewer's corrected text when given."""
    return review_segment_json(wb.accept_segment(actor, segment_id, text=text))


def return_segment(wb: "Workbench", actor: "Actor", segment_id: int, comment: str) -> dict[str, Any]:
    return review_segment_json(wb.return_segment(actor, segment_id, comment))


def accept_all_played(wb: "Workbench", actor: "Actor", task_id: int) -> dict[str, Any]:
    return {"accepted": wb.accept_all_played(actor, task_id)}


def finish_review(wb: "Workbench", actor: "Actor", task_id: int) -> dict[str, Any]:
    return {"task": wb.finish_review(actor, task_id).to_dict()}
