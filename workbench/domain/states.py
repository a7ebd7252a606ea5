"""Task states and segment statuses, and the one table of moves between them.

The states are ``StrEnum`` members, so they compare equal to, and are stored as, the
plain strings the database has always held (``TaskState.RETURNED == "returned"``).
Every guard of the workflow asks ``TASK_MOVES`` or ``SEGMENT_MOVES`` (through
``task_may``/``task_move`` and ``segment_may``/``segment_move``) and raises its own
``InvalidTransition`` when a move is not in the table; the JSON views send what the page
may do (``editable``, ``done``) from the same table, so the browser never re-derives a
rule. Pure values: no store, no errors of the workflow (the store imports this too).

>>> task_move(TaskState.OPEN, "claim")
<TaskState.IN_PROGRESS: 'in_progress'>
>>> task_may("complete", "submit")
False
"""

from __future__ import annotations

from enum import StrEnum


class TaskState(StrEnum):
    OPEN = "open"                # offered to every transcriber of its language
    IN_PROGRESS = "in_progress"  # claimed by one transcriber
    SUBMITTED = "submitted"      # waiting for a reviewer
    IN_REVIEW = "in_review"      # one reviewer holds it
    RETURNED = "returned"        # back with its transcriber to fix returned segments
    COMPLETE = "complete"        # every segment accepted; paid on the next payday
    HELD = "held"                # out of every queue: its clip was withdrawn, or sent back for its language


class SegmentStatus(StrEnum):
    TODO = "todo"              # no text yet
    SAVED = "saved"            # text typed
    NO_SPEECH = "no_speech"    # marked unusable, with a reason
    RETURNED = "returned"      # a reviewer sent it back with a comment
    ACCEPTED = "accepted"      # final: exported, never changed again
    MERGED = "merged"          # retired into the segment before it


# (state, action) -> new state. A pair not in the table is refused.
TASK_MOVES: dict[tuple[TaskState, str], TaskState] = {
    (TaskState.OPEN, "claim"): TaskState.IN_PROGRESS,
    (TaskState.IN_PROGRESS, "submit"): TaskState.SUBMITTED,
    (TaskState.RETURNED, "submit"): TaskState.SUBMITTED,
    (TaskState.SUBMITTED, "start_review"): TaskState.IN_REVIEW,
    (TaskState.IN_REVIEW, "start_review"): TaskState.IN_REVIEW,  # its own reviewer opening it again
    (TaskState.IN_REVIEW, "accept"): TaskState.COMPLETE,
    (TaskState.IN_REVIEW, "return"): TaskState.RETURNED,
    # An admin takes work back from someone who left (``release_task``); a submitted task
    # only while a returning reviewer has it reserved.
    (TaskState.IN_PROGRESS, "release"): TaskState.OPEN,
    (TaskState.RETURNED, "release"): TaskState.OPEN,
    (TaskState.IN_REVIEW, "release"): TaskState.SUBMITTED,
    (TaskState.SUBMITTED, "release"): TaskState.SUBMITTED,
    # The clip's lifecycle (workflow/clip_lifecycle.py): an admin withdraws a clip before it is
    # complete (paid), its transcriber sends it back as the wrong language for the whole clip,
    # and an admin puts a held clip that is not withdrawn back in the queue (its language corrected).
    **{(state, "withdraw"): TaskState.HELD for state in (
        TaskState.OPEN, TaskState.IN_PROGRESS, TaskState.SUBMITTED, TaskState.IN_REVIEW, TaskState.RETURNED,
        TaskState.HELD)},
    (TaskState.IN_PROGRESS, "send_back"): TaskState.HELD,
    (TaskState.HELD, "reopen"): TaskState.OPEN,
}

_LIVE = (SegmentStatus.TODO, SegmentStatus.SAVED, SegmentStatus.NO_SPEECH, SegmentStatus.RETURNED)
_EDITS = {"save": SegmentStatus.SAVED, "clear": SegmentStatus.TODO, "mark_no_speech": SegmentStatus.NO_SPEECH,
          "merge_away": SegmentStatus.MERGED}
# Segment moves. The transcriber edits anything not yet accepted; the reviewer decides
# (and may change a decision) during review; a resubmission keeps a returned segment's
# text as it stands.
SEGMENT_MOVES: dict[tuple[SegmentStatus, str], SegmentStatus] = {
    **{(status, action): to for status in _LIVE for action, to in _EDITS.items()},
    **{(status, "accept"): SegmentStatus.ACCEPTED for status in (*_LIVE, SegmentStatus.ACCEPTED)},
    **{(status, "return"): SegmentStatus.RETURNED for status in (*_LIVE, SegmentStatus.ACCEPTED)},
    (SegmentStatus.RETURNED, "resubmit"): SegmentStatus.SAVED,
    (SegmentStatus.RETURNED, "resubmit_no_speech"): SegmentStatus.NO_SPEECH,
}

TASK_ACTIONS = tuple(sorted({action for _, action in TASK_MOVES}))
SEGMENT_ACTIONS = tuple(sorted({action for _, action in SEGMENT_MOVES}))

# Derived from the table, never listed by hand.
EDITABLE = tuple(state for state in TaskState if (state, "submit") in TASK_MOVES)  # what a transcriber holds
REVIEW_VISIBLE = (TaskState.SUBMITTED, TaskState.IN_REVIEW, TaskState.RETURNED, TaskState.COMPLETE)
DECIDED = (SegmentStatus.ACCEPTED, SegmentStatus.RETURNED)  # by the reviewer
ANSWERED = (SegmentStatus.SAVED, SegmentStatus.NO_SPEECH, SegmentStatus.ACCEPTED)  # by the transcriber

# A clip's ``draft_state`` while its drafts are still on their way (queued, or being written).
DRAFTS_PENDING = ("queued", "drafting")


def task_may(state: str, action: str) -> bool:
    """Whether the table allows ``action`` on a task in ``state``."""
    return (TaskState(state), action) in TASK_MOVES


def task_move(state: str, action: str) -> TaskState:
    """The state ``action`` takes a task in ``state`` to (KeyError when not allowed: ask
    ``task_may`` first)."""
    return TASK_MOVES[(TaskState(state), action)]


def segment_may(status: str, action: str) -> bool:
    """Whether the table allows ``action`` on a segment in ``status``."""
    return (SegmentStatus(status), action) in SEGMENT_MOVES


def segment_move(status: str, action: str) -> SegmentStatus:
    """The status ``action`` takes a segment in ``status`` to (KeyError when not allowed)."""
    return SEGMENT_MOVES[(SegmentStatus(status), action)]
