"""Frozen value objects the workflow hands to the UI, CLI, pay and export.

They are snapshots read in one transaction, never live database rows: changing one changes
nothing stored. Segment positions count from 1 within their task; times are seconds on the
clip's timeline; datetimes are aware UTC.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from workbench.domain.states import ANSWERED, DECIDED, DRAFTS_PENDING, SegmentStatus, TaskState, segment_may
from workbench.domain.times import seoul_minute
from workbench.languages import LANGUAGES  # noqa: F401  (re-exported for the workflow's callers)
from workbench.workflow.guidelines import Problem
from workbench.drafts.model import DraftWord

ROLES = ("admin", "reviewer", "transcriber")
TASK_STATES = tuple(TaskState)


def _json_value(value: Any) -> Any:
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, (tuple, list)):
        return [_json_value(item) for item in value]
    if isinstance(value, dict):
        return {key: _json_value(item) for key, item in value.items()}
    return value


class JsonView:
    """A record the JSON API sends: ``to_dict()`` gives the fields (or properties) named in
    ``JSON_FIELDS``, in that order, nested records as their own ``to_dict()``.

    It is the one serialiser of each record; fields left out are those the pages do not
    read (datetimes, ids they never use)."""

    JSON_FIELDS: ClassVar[tuple[str, ...]] = ()

    def to_dict(self) -> dict[str, Any]:
        return {name: _json_value(getattr(self, name)) for name in self.JSON_FIELDS}


@dataclass(frozen=True)
class Actor:
    """A signed-in user: who acts, with which roles, for which language."""

    id: int
    username: str
    name: str
    roles: frozenset[str]
    language: str | None
    status: str  # pending | approved | rejected | deactivated
    # The pages' language as the user chose it (``People.set_ui_language``); None: the browser's.
    ui_language: str | None = None
    # Read from the store in the request that acts (``access.current`` trusts it): only
    # ``Sessions.session_actor`` sets it, for one request.
    fresh: bool = field(default=False, compare=False, repr=False)

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    @property
    def is_reviewer(self) -> bool:
        return "reviewer" in self.roles

    @property
    def is_transcriber(self) -> bool:
        return "transcriber" in self.roles

    @property
    def approved(self) -> bool:
        return self.status == "approved"


@dataclass(frozen=True)
class AccountClosed:
    """What closing an account did: its sessions ended, the tasks it held offered again."""

    user: Actor
    sessions_ended: int
    released_tasks: tuple[int, ...]


@dataclass(frozen=True)
class Application:
    id: int
    username: str
    name: str
    language: str
    document_name: str
    bank_holder: str
    status: str  # pending | approved | rejected
    reason: str | None
    created_at: datetime
    decided_at: datetime | None
    decided_by: str | None


@dataclass(frozen=True)
class WorkerSummary:
    username: str
    name: str
    roles: frozenset[str]
    language: str | None
    status: str
    grade: str  # A | B | C | D, or "new" before enough reviewed segments
    score: float | None  # share accepted without return over the grade window
    max_tasks: int
    tasks_held: int
    reviewed_segments: int
    return_rate: float | None
    penalties: int
    penalties_won: int
    language_locked: bool


@dataclass(frozen=True)
class ClipView:
    id: int
    filename: str
    language: str
    project: str
    priority: int
    status: str  # queued | processing | ready | failed
    stage: str | None
    percent: float  # 0..100
    error: str | None
    duration: float | None
    task_id: int | None
    segment_count: int
    created_at: datetime
    report: dict[str, Any] = field(default_factory=dict)  # the pipeline's report.json
    draft_state: str | None = None  # None (no engine chosen) | queued | drafting | done | failed | off
    draft_done: int = 0
    draft_total: int = 0
    draft_note: str | None = None  # why drafting failed or is off
    # The lifecycle (clip_lifecycle.py): when it was withdrawn or dismissed, who sent it back as
    # the wrong language (username) and when, its task's state.
    withdrawn_at: datetime | None = None
    dismissed_at: datetime | None = None
    language_report_by: str | None = None
    language_report_at: datetime | None = None
    task_state: str | None = None

    @property
    def drafts_pending(self) -> bool:
        """Its drafts are still on their way (queued, or being written)."""
        return self.draft_state in DRAFTS_PENDING

    @property
    def draft_progress(self) -> str:
        """The drafting as the clip list shows it: "drafted 12/40", "failed: ...", "" for none."""
        if self.draft_state is None:
            return ""
        if self.draft_state in ("failed", "off"):
            return f"drafts {self.draft_state}: {self.draft_note or ''}".rstrip(": ")
        return f"{self.draft_state} {self.draft_done}/{self.draft_total}" + (f": {self.draft_note}" if self.draft_note
                                                                             else "")


@dataclass(frozen=True)
class WorkerThroughput:
    """A transcriber's output over the last ``days`` days (the admin's task screen): audio
    minutes (live segments) of the tasks they submitted and of those accepted, and their
    active hours on task (time_on_task.py)."""

    username: str
    days: int
    tasks_submitted: int
    submitted_minutes: float
    accepted_minutes: float
    active_hours: float

    @property
    def submitted_per_day(self) -> float:
        return self.submitted_minutes / self.days

    @property
    def accepted_per_day(self) -> float:
        return self.accepted_minutes / self.days

    @property
    def submitted_per_hour(self) -> float | None:
        """Audio minutes submitted per hour on task; None without any time recorded."""
        return self.submitted_minutes / self.active_hours if self.active_hours > 0 else None


@dataclass(frozen=True)
class TaskSummary(JsonView):
    JSON_FIELDS: ClassVar[tuple[str, ...]] = ("id", "clip_name", "project", "language", "state", "transcriber",
                                              "reviewer", "counts", "duration", "review_round", "clip_duration",
                                              "progress")

    id: int
    clip_id: int
    clip_name: str
    project: str
    language: str
    state: str
    priority: int
    transcriber: str | None
    reviewer: str | None
    counts: dict[str, int]  # live segments by status
    duration: float  # seconds of audio in live segments
    returned_comments: tuple[tuple[int, str], ...]  # (position, comment) of returned segments
    segment_count: int = 0
    review_round: int = 0
    claimed_at: datetime | None = None
    submitted_at: datetime | None = None
    completed_at: datetime | None = None
    clip_duration: float = 0.0  # seconds of the whole clip: what the transcriber is paid for

    @property
    def progress(self) -> dict[str, int]:
        """The one count of the task's progress, which the queue's label and the task page's
        header both show: live segments answered (``done``), live (``total``), returned."""
        return task_progress(self.counts)


def task_progress(counts: dict[str, int]) -> dict[str, int]:
    """``{"done", "total", "returned"}`` from live segments by status; a merged-away segment
    is not live, so it counts nowhere, and a split's two halves count as two.

    >>> task_progress({"saved": 12, "todo": 126, "returned": 1})
    {'done': 12, 'total': 139, 'returned': 1}
    """
    return {"done": sum(counts.get(status, 0) for status in ANSWERED), "total": sum(counts.values()),
            "returned": counts.get(SegmentStatus.RETURNED, 0)}


@dataclass(frozen=True)
class SegmentDraft(JsonView):
    """A segment's machine draft as its pages show it (static/work/machine_draft.js): its
    words with times and the engine's probabilities. ``untouched``: the segment's text is
    still the draft."""

    JSON_FIELDS: ClassVar[tuple[str, ...]] = ("engine", "text", "words", "untouched")

    engine: str
    text: str
    words: tuple[DraftWord, ...]
    untouched: bool


@dataclass(frozen=True)
class SegmentView(JsonView):
    # media_version goes into the media URLs (static/work/urls.js mediaUrl); the reviewer's
    # page adds heard, heard_share and a diff (ui/handlers/reviewer.review_segment_json).
    JSON_FIELDS: ClassVar[tuple[str, ...]] = ("id", "task_id", "position", "start", "end", "duration",
                                              "media_version", "text", "version", "status", "no_speech_reason",
                                              "review_comment", "problems", "reviewed_text",
                                              # what the page may do, from the move table
                                              "editable", "done", "decided",
                                              "draft")

    id: int
    task_id: int
    position: int  # 1-based
    start: float
    end: float
    text: str
    version: int
    status: str  # todo | saved | no_speech | returned | accepted
    no_speech_reason: str | None
    review_comment: str | None
    problems: tuple[Problem, ...] = ()
    heard: bool = False  # by the acting reviewer: heard_share of the current audio and text
    heard_share: float = 0.0  # of the segment the acting reviewer has heard (0..1)
    reviewed_text: str | None = None  # the text at the latest review verdict; None if never reviewed
    draft: SegmentDraft | None = None  # the machine draft, where drafts are allowed

    @property
    def duration(self) -> float:
        return self.end - self.start

    @property
    def media_version(self) -> str:
        """Names the span its audio and spectrogram are cut from (``"1500-4250"``, in ms):
        it changes exactly when a split or merge changes what the segment sounds like."""
        return f"{round(self.start * 1000)}-{round(self.end * 1000)}"

    @property
    def editable(self) -> bool:
        """Its text may still change (the move table: nothing changes an accepted segment)."""
        return segment_may(self.status, "save")

    @property
    def done(self) -> bool:
        """The transcriber has answered it: text, a no-speech mark, or already accepted."""
        return self.status in ANSWERED

    @property
    def decided(self) -> bool:
        """The reviewer has accepted or returned it."""
        return self.status in DECIDED


@dataclass(frozen=True)
class TaskView:
    """A task and its segments as one viewer sees them: ``editable`` when the viewer is its
    transcriber and its state lets the text change, ``reviewing`` when they hold its review."""

    task: TaskSummary
    segments: tuple[SegmentView, ...]
    editable: bool = False
    reviewing: bool = False


@dataclass(frozen=True)
class TranscriberQueue:
    returned: tuple[TaskSummary, ...]  # sent back by review: fix these first
    open: tuple[TaskSummary, ...]  # claimed and in progress
    available: int  # open tasks of the transcriber's language nobody has claimed
    can_claim: bool
    max_tasks: int
    grade: str


@dataclass(frozen=True)
class RevisionView:
    version: int
    text: str
    no_speech: bool
    no_speech_reason: str | None
    author: str
    role: str  # transcriber | reviewer
    kind: str  # save | no_speech | split | merge | correction
    created_at: datetime


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str | None  # None: the system (queue worker)
    action: str
    entity: str
    entity_id: int
    task_id: int | None
    detail: str  # JSON object, or "" when there is nothing more to say

    def describe(self) -> str:
        """The detail as ``key: value`` pairs for people (``reason: left; sessions: 2``);
        empty values are left out, lists are spelled out and instants (stored as UTC ISO
        text) are shown in Seoul time."""
        if not self.detail:
            return ""
        shown = {key: value for key, value in json.loads(self.detail).items() if value is not None and value != [] and value != ""}
        return "; ".join(f"{key.replace('_', ' ')}: "
                         f"{', '.join(map(str, value)) if isinstance(value, list) else _seoul_if_instant(value)}"
                         for key, value in shown.items())


def _seoul_if_instant(value: object) -> object:
    """An aware ISO date-time as Seoul time (``2026-12-01 14:00 (Seoul time)``); anything else as it is."""
    if not isinstance(value, str) or not 16 <= len(value) <= 40:
        return value
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        return value
    return value if instant.utcoffset() is None else f"{seoul_minute(instant)} (Seoul time)"
