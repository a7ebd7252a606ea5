"""Reviewer handlers: the review queue and the review view's JSON, each a call into the Workbench.

Whether a segment may be accepted (played to the end by this reviewer) is decided by the
Workbench; the page only mirrors ``played_to_end``.
"""

from __future__ import annotations

import difflib
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from workbench.ui.handlers.transcriber import segment_json, task_label, task_summary_json

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor, AuditEntry, RevisionView, SegmentView
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


def comparison_point(entries: "list[AuditEntry]") -> datetime | None:
    """When the text a reviewer compares against was fixed, from the task's audit log.

    In a later round it is the end of the previous review (the task was returned), so the
    reviewer sees what the transcriber changed since; in the first round it is the start of
    this review, so the diff shows the reviewer's own corrections.
    """
    for action in ("task.returned", "task.review_started"):
        times = [entry.at for entry in entries if entry.action == action]
        if times:
            return max(times)
    return None


def text_at(history: "list[RevisionView]", moment: datetime) -> str | None:
    """A segment's text as it stood at ``moment`` (None if it had no revision yet)."""
    earlier = [revision for revision in history if revision.created_at <= moment]
    return earlier[-1].text if earlier else None


def review_queue(wb: "Workbench", actor: "Actor") -> list[tuple[str, int]]:
    """Submitted tasks of the reviewer's language, and those already in their review."""
    return [(task_label(task), task.id) for task in wb.review_queue(actor)]


def open_review(wb: "Workbench", actor: "Actor", task_id: int) -> dict[str, Any]:
    """Starts (or resumes) reviewing a task; each segment carries its diff from the previous text."""
    view = wb.start_review(actor, task_id)
    moment = comparison_point(wb.audit_log(actor, task_id=task_id))
    return {
        "task": task_summary_json(view.task),
        "segments": [_with_diff(wb, actor, segment, moment) for segment in view.segments],
    }


def _with_diff(wb: "Workbench", actor: "Actor", segment: "SegmentView", moment: datetime | None) -> dict[str, Any]:
    data = segment_json(segment)
    before = text_at(wb.segment_history(actor, segment.id), moment) if moment else None
    data["diff"] = inline_diff(before, segment.text) if before is not None else []
    return data


def _decided(wb: "Workbench", actor: "Actor", segment: "SegmentView") -> dict[str, Any]:
    return _with_diff(wb, actor, segment, comparison_point(wb.audit_log(actor, task_id=segment.task_id)))


def record_play(wb: "Workbench", actor: "Actor", segment_id: int, *, reached: float) -> dict[str, Any]:
    """Records how far the reviewer played; the segment says whether it now counts as played."""
    return segment_json(wb.record_play(actor, segment_id, reached=reached))


def accept_segment(wb: "Workbench", actor: "Actor", segment_id: int, *, text: str | None = None) -> dict[str, Any]:
    """Accepts a played segment, with the reviewer's corrected text when given."""
    return _decided(wb, actor, wb.accept_segment(actor, segment_id, text=text))


def return_segment(wb: "Workbench", actor: "Actor", segment_id: int, comment: str) -> dict[str, Any]:
    return _decided(wb, actor, wb.return_segment(actor, segment_id, comment))


def accept_all_played(wb: "Workbench", actor: "Actor", task_id: int) -> dict[str, Any]:
    return {"accepted": wb.accept_all_played(actor, task_id)}


def finish_review(wb: "Workbench", actor: "Actor", task_id: int) -> dict[str, Any]:
    return {"task": task_summary_json(wb.finish_review(actor, task_id))}
