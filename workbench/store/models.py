"""The workflow tables: SQLAlchemy 2 declarative models on one shared ``Base``.

Table names are a fixed contract (docs/architecture.md): pay/ and export/ query them.
Times are seconds on the source clip's timeline (``start_s``/``end_s``); datetimes are
aware UTC (``UTCDateTime``). A segment merged into its neighbour keeps its row and its
revisions but gets ``merged_into_id`` set: live segments are ``merged_into_id IS NULL``.

Importing this module also imports the other model modules (``pay_models``) when present,
so ``Base.metadata`` and Alembic always see every table.
"""

from __future__ import annotations

import importlib
import importlib.util
from datetime import datetime

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from workbench.domain.states import SegmentStatus, TaskState
from workbench.store.types import UTCDateTime


class Base(DeclarativeBase):
    """Declarative base for every table of the workbench (workflow, pay, ...)."""


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    name: Mapped[str] = mapped_column(String(200))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_reviewer: Mapped[bool] = mapped_column(Boolean, default=False)
    is_transcriber: Mapped[bool] = mapped_column(Boolean, default=False)
    # The one language a worker transcribes or reviews; None for a pure admin.
    language: Mapped[str | None] = mapped_column(String(8))
    # pending (applied) | approved | rejected | deactivated; only approved users sign in and get work.
    status: Mapped[str] = mapped_column(String(16), default="approved")
    bank_holder: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The language the pages are shown in, as the user chose it; None follows their browser.
    ui_language: Mapped[str | None] = mapped_column(String(8))


class Application(Base):
    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8))
    document_name: Mapped[str] = mapped_column(String(255))
    # Relative to the data directory; "" once the document is deleted (a rejection).
    document_path: Mapped[str] = mapped_column(String(1024))
    bank_holder: Mapped[str] = mapped_column(String(200))
    # The address it came from, for the per-client quota of pending applications.
    client: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LoginAttempt(Base):
    """Every checked password, with the client it came from: a client whose last attempt
    on an account succeeded is trusted past that account's limit (``workflow/throttle``)."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_username_at", "username", "at"),
                      Index("ix_login_attempts_username_client_at", "username", "client", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    client: Mapped[str | None] = mapped_column(String(64))


class ThrottleBucket(Base):
    """A token bucket of ``workflow/throttle``: ``tokens`` as of ``at``. A missing row is a
    full bucket, so rows idle long enough to be full again may be deleted."""

    __tablename__ = "throttle_buckets"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class UserSession(Base):
    """One signed-in browser. The cookie holds a random token; only its SHA-256 is stored,
    so a copy of the database opens no sessions. Signing out sets ``revoked_at``."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Clip(Base):
    __tablename__ = "clips"
    # A claim looks up the clips still being drafted (store/repo/tasks.py), a handful of many.
    __table_args__ = (Index("ix_clips_draft_state", "draft_state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    # Paths relative to the data directory (absolute only for clips registered from elsewhere).
    upload_path: Mapped[str | None] = mapped_column(String(1024))
    output_dir: Mapped[str | None] = mapped_column(String(1024))
    language: Mapped[str] = mapped_column(String(8))
    project: Mapped[str] = mapped_column(String(200), index=True)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    # queued | processing | ready | failed
    status: Mapped[str] = mapped_column(String(16), default="queued")
    stage: Mapped[str | None] = mapped_column(String(64))
    percent: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str | None] = mapped_column(Text)
    duration: Mapped[float | None] = mapped_column(Float)
    # report.json of the audio pipeline, verbatim.
    report: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Last progress the worker stored, or when the clip was queued (for processing or
    # drafting): how long it has waited for its job (workflow/lost_jobs.py).
    progress_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The worker processing the clip renews its lease until it is done; a "processing" clip
    # whose lease ran out lost its worker and is queued again (``attempts`` times at most).
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Machine drafts (workflow/drafting.py): None when no engine drafts the clip's project and
    # language, else queued | drafting | done | failed | off; ``draft_note`` says why for
    # failed and off.
    draft_state: Mapped[str | None] = mapped_column(String(16))
    draft_done: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    draft_total: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    draft_note: Mapped[str | None] = mapped_column(Text)
    # The lifecycle (workflow/clip_lifecycle.py). The SHA-256 of the uploaded bytes: a second
    # upload of the same bytes is refused unless the admin confirms it.
    content_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # Withdrawn: out of every queue, its media refused, kept for the history.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", name="fk_clips_withdrawn_by_id_users"))
    # A failed clip the admin dismissed from the clip list (still in the store and the audit log).
    dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A transcriber sent it back as the wrong language for the whole clip; cleared when an
    # admin puts it back in a queue.
    language_report_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", name="fk_clips_language_report_by_id_users"))
    language_report_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Task(Base):
    """One per clip: the unit a transcriber claims and a reviewer reviews."""

    __tablename__ = "tasks"
    __table_args__ = (Index("ix_tasks_offer", "state", "language", "priority"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clip_id: Mapped[int] = mapped_column(ForeignKey("clips.id"), unique=True)
    # Copied from the clip so the offer query needs no join.
    language: Mapped[str] = mapped_column(String(8))
    priority: Mapped[int] = mapped_column(Integer, default=0)
    # open | in_progress | submitted | in_review | returned | complete
    state: Mapped[str] = mapped_column(String(16), default=TaskState.OPEN.value)
    transcriber_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # 0 before the first review; +1 at every start of a review.
    review_round: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The pay moment: set once, when every segment is accepted.
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class Segment(Base):
    __tablename__ = "segments"
    __table_args__ = (Index("ix_segments_task_position", "task_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    position: Mapped[int] = mapped_column(Integer)
    start_s: Mapped[float] = mapped_column(Float)
    end_s: Mapped[float] = mapped_column(Float)
    # todo | saved | no_speech | returned | accepted | merged
    status: Mapped[str] = mapped_column(String(16), default=SegmentStatus.TODO.value)
    # The latest revision's text, kept here so reads need no join.
    text: Mapped[str] = mapped_column(Text, default="")
    no_speech: Mapped[bool] = mapped_column(Boolean, default=False)
    no_speech_reason: Mapped[str | None] = mapped_column(Text)
    # 0 before the first revision; equals the latest revision's version.
    version: Mapped[int] = mapped_column(Integer, default=0)
    review_comment: Mapped[str | None] = mapped_column(Text)
    return_count: Mapped[int] = mapped_column(Integer, default=0)
    # The pipeline's cut of this segment; cleared once the boundaries change.
    audio_file: Mapped[str | None] = mapped_column(String(1024))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("segments.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Revision(Base):
    """Append-only: every save, correction, split, merge and machine draft adds one; none is
    ever changed. A machine draft has no author: ``engine`` names what wrote it
    (``asr:<model>@<hash>``), its role is ``machine`` and its kind ``draft``."""

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("segment_id", "version", name="uq_revisions_segment_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    base_version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    no_speech: Mapped[bool] = mapped_column(Boolean, default=False)
    no_speech_reason: Mapped[str | None] = mapped_column(Text)
    # None only for a machine draft.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # transcriber | reviewer | machine
    role: Mapped[str] = mapped_column(String(16))
    # save | no_speech | split | merge | correction | draft
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    engine: Mapped[str | None] = mapped_column(String(80))
    # Characters the transcriber's page counted as typed into the segment since its last
    # save (the page's own count; None when the page did not say).
    typed_chars: Mapped[int | None] = mapped_column(Integer)


class DraftWords(Base):
    """A machine draft's words with their times (seconds into the segment) and the engine's
    probabilities, as JSON: the page marks the uncertain ones."""

    __tablename__ = "draft_words"

    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"), primary_key=True)
    words: Mapped[str] = mapped_column(Text)


class DraftRestart(Base):
    """An admin turned machine drafts on again for a project and language after the switch
    turned them off: the rolling draft CER counts only drafts written after ``at``."""

    __tablename__ = "draft_restarts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_draft_restarts_project_language", "project", "language"),)


class DraftHoldback(Base):
    """An ordinary task served without machine drafts, drawn when the task was made
    (workflow/holdback.py): so gold copies and double sides, never drafted, do not stand out,
    and the drafts' effort figures have a control group. Only the admin's pages look here."""

    __tablename__ = "draft_holdbacks"

    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Verdict(Base):
    """A reviewer's decision on a segment in one review round; the latest one counts."""

    __tablename__ = "verdicts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id"), index=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    review_round: Mapped[int] = mapped_column(Integer)
    # accepted | returned
    decision: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(Text)
    segment_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # the quality sweep reads by day


class Play(Base):
    """A span of a segment a reviewer was credited with hearing: the part of a reported
    interval that was sent to them and not heard before, tied to the segment's bounds and
    text version at that moment (a changed segment must be heard again)."""

    __tablename__ = "plays"
    __table_args__ = (Index("ix_plays_segment_user", "segment_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The segment's bounds on the clip (its audio version) and its text version.
    start_s: Mapped[float] = mapped_column(Float)
    end_s: Mapped[float] = mapped_column(Float)
    version: Mapped[int] = mapped_column(Integer)
    # The span heard, in seconds into the segment.
    from_s: Mapped[float] = mapped_column(Float)
    to_s: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AudioSent(Base):
    """A response of the media route that reached its end: which span of a segment's audio
    (seconds into the segment, from the bytes sent) went to which reviewer, and when."""

    __tablename__ = "audio_sent"
    __table_args__ = (Index("ix_audio_sent_segment_user", "segment_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The segment's bounds when it was sent: audio of other bounds is other audio.
    start_s: Mapped[float] = mapped_column(Float)
    end_s: Mapped[float] = mapped_column(Float)
    from_s: Mapped[float] = mapped_column(Float)
    to_s: Mapped[float] = mapped_column(Float)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ListeningClock(Base):
    """A reviewer's listening allowance: seconds of audio they may still be credited with
    ahead of the wall clock, as of ``at`` (one pair of ears, whatever the segment)."""

    __tablename__ = "listening_clocks"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    allowance_s: Mapped[float] = mapped_column(Float)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class Penalty(Base):
    """A deduction in won, for a segment returned again after its first rework."""

    __tablename__ = "penalties"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id"))
    amount_won: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class AuditEntry(Base):
    """Who changed what and when: one row per state change."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # None for the system (the queue worker).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int] = mapped_column(Integer)
    task_id: Mapped[int | None] = mapped_column(Integer, index=True)
    detail: Mapped[str] = mapped_column(Text, default="")


def _import_sibling_models() -> None:
    """Register other areas' tables on ``Base`` (pay_models etc.) when they exist."""
    for module in ("workbench.store.pay_models", "workbench.store.gold_models", "workbench.store.quality_models",
                   "workbench.store.double_models"):
        if importlib.util.find_spec(module) is not None:
            importlib.import_module(module)


_import_sibling_models()
