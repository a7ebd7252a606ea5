"""The workflow's queries. The workflow layer calls these with a session from ``Store``
and never builds SQL itself; rows come back as the ORM objects of ``models``.

Concurrency lives here: claims and review starts are conditional UPDATEs that check the
row count (on PostgreSQL the candidate is also picked with ``FOR UPDATE SKIP LOCKED``),
and saves bump a segment's version only if it still has the caller's base version.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Connection, Row, and_, bindparam, delete, func, or_, select, update
from sqlalchemy.orm import Session

from workbench.domain.states import EDITABLE, SegmentStatus, TaskState, task_move

from workbench.store.models import (
    Application,
    AudioSent,
    AuditEntry,
    Clip,
    ListeningClock,
    LoginAttempt,
    Penalty,
    Play,
    Revision,
    Segment,
    Task,
    ThrottleBucket,
    User,
    UserSession,
    Verdict,
)

HELD_STATES = EDITABLE  # what a transcriber holds is what they may edit


def is_postgres(session: Session | Connection) -> bool:
    bind = session if isinstance(session, Connection) else session.get_bind()
    return bind.dialect.name == "postgresql"


def _get(session: Session, model, row_id: int, *, lock: bool):
    """The row; with ``lock`` it stays locked (PostgreSQL) until the transaction ends, even
    when the session already holds it (the SELECT ... FOR UPDATE is always sent)."""
    if lock and is_postgres(session):
        query = select(model).where(model.id == row_id).with_for_update().execution_options(populate_existing=True)
        return session.scalars(query).one_or_none()
    return session.get(model, row_id)


# --- users and logins ------------------------------------------------------------------

def user_by_username(session: Session, username: str, *, lock: bool = False) -> User | None:
    query = select(User).where(User.username == username)
    if lock and is_postgres(session):
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


# The columns an ``Actor`` is made of: the hot paths (every request's session, a claim) read
# these as one plain row instead of building a ``User``.
_ACTOR_COLUMNS = (User.id, User.username, User.name, User.is_admin, User.is_reviewer, User.is_transcriber,
                  User.language, User.status)


@functools.cache
def _actor_by_id(lock: bool):
    query = select(*_ACTOR_COLUMNS).where(User.id == bindparam("user_id"))
    return query.with_for_update() if lock else query


def actor_row(connection: Connection, user_id: int, *, lock: bool = False) -> Row | None:
    """The user's ``_ACTOR_COLUMNS``; with ``lock`` the row stays locked (PostgreSQL) until
    the transaction ends (SQLite's writers are serialised by ``BEGIN IMMEDIATE`` anyway)."""
    query = _actor_by_id(lock and is_postgres(connection))
    return connection.execute(query, {"user_id": user_id}).one_or_none()


def users_by_id(session: Session, ids: Iterable[int | None]) -> dict[int, User]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(wanted)))}


def all_users(session: Session) -> Sequence[User]:
    return session.scalars(select(User).order_by(User.username)).all()


def first_admin(session: Session) -> User | None:
    return session.scalars(select(User).where(User.is_admin).order_by(User.id).limit(1)).first()


def user_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def last_login_succeeded(session: Session, username: str, client: str, since: datetime) -> bool:
    """Whether ``client``'s latest checked password for ``username`` after ``since`` was right."""
    latest = session.scalars(
        select(LoginAttempt.succeeded).where(
            LoginAttempt.username == username, LoginAttempt.client == client, LoginAttempt.at > since
        ).order_by(LoginAttempt.at.desc(), LoginAttempt.id.desc()).limit(1)
    ).first()
    return bool(latest)


def locked_buckets(session: Session, full: dict[str, float], now: datetime) -> dict[str, ThrottleBucket]:
    """The throttle buckets named by ``full``'s keys, locked until the transaction ends; a
    missing one is created holding ``full[key]`` tokens. Keys are locked in sorted order, so
    two callers never wait on each other in a circle (SQLite's ``BEGIN IMMEDIATE`` has
    already serialised writers)."""
    keys = sorted(full)
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(insert(ThrottleBucket).values(
        [{"key": key, "tokens": float(full[key]), "at": now} for key in keys]
    ).on_conflict_do_nothing(index_elements=["key"]))
    query = select(ThrottleBucket).where(ThrottleBucket.key.in_(keys)).order_by(ThrottleBucket.key)
    if dialect == "postgresql":
        query = query.with_for_update()
    rows = session.scalars(query.execution_options(populate_existing=True)).all()
    return {row.key: row for row in rows}


def buckets(session: Session, keys: Sequence[str]) -> dict[str, ThrottleBucket]:
    """The throttle buckets of ``keys`` that exist (a missing one is full), unlocked."""
    return {row.key: row for row in session.scalars(select(ThrottleBucket).where(ThrottleBucket.key.in_(keys)))}


def forget_buckets_idle_since(session: Session, moment: datetime) -> None:
    """Drop buckets untouched since ``moment`` (full again by then: a missing row is full)."""
    session.execute(delete(ThrottleBucket).where(ThrottleBucket.at < moment))


def pending_application_counts(session: Session, client: str) -> tuple[int, int]:
    """(pending applications in all, of them sent from ``client``)."""
    pending = Application.status == "pending"
    return (session.scalar(select(func.count()).select_from(Application).where(pending)) or 0,
            session.scalar(select(func.count()).select_from(Application).where(
                pending, Application.client == client)) or 0)


def applications(session: Session, status: str | None) -> Sequence[Application]:
    query = select(Application).order_by(Application.created_at, Application.id)
    if status is not None:
        query = query.where(Application.status == status)
    return session.scalars(query).all()


def users_who_took_tasks(session: Session) -> set[int]:
    """Everyone ``tasks_ever_taken`` counts more than zero for."""
    transcribers = select(Task.transcriber_id).where(Task.transcriber_id.is_not(None))
    reviewers = select(Task.reviewer_id).where(Task.reviewer_id.is_not(None))
    return set(session.scalars(transcribers.union(reviewers)).all())


def tasks_ever_taken(session: Session, user_id: int) -> int:
    return session.scalar(
        select(func.count()).select_from(Task).where(
            or_(Task.transcriber_id == user_id, Task.reviewer_id == user_id)
        )
    ) or 0


# --- sign-in sessions ------------------------------------------------------------------

def session_user(session: Session, token_hash: str, now: datetime) -> User | None:
    """The user of the session with ``token_hash`` if it is neither revoked nor expired."""
    return session.scalars(
        select(User).join(UserSession, UserSession.user_id == User.id).where(
            UserSession.token_hash == token_hash, UserSession.revoked_at.is_(None), UserSession.expires_at > now
        )
    ).one_or_none()


_SESSION_ACTOR = (
    select(*_ACTOR_COLUMNS).join(UserSession, UserSession.user_id == User.id).where(
        UserSession.token_hash == bindparam("token_hash"), UserSession.revoked_at.is_(None),
        UserSession.expires_at > bindparam("now", type_=UserSession.expires_at.type))
)


def session_actor_row(connection: Connection, token_hash: str, now: datetime) -> Row | None:
    """``session_user`` as its ``_ACTOR_COLUMNS``: one read resolves the session and who it is."""
    return connection.execute(_SESSION_ACTOR, {"token_hash": token_hash, "now": now}).one_or_none()


def revoke_session(session: Session, token_hash: str, now: datetime) -> None:
    session.execute(
        update(UserSession)
        .where(UserSession.token_hash == token_hash, UserSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def revoke_user_sessions(session: Session, user_id: int, now: datetime) -> int:
    """Revoke every live session of one user; how many there were."""
    result = session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None), UserSession.expires_at > now)
        .values(revoked_at=now)
    )
    return result.rowcount


def delete_expired_sessions(session: Session, now: datetime) -> int:
    """Expired rows (revoked or not) open nothing any more; drop them."""
    return session.execute(delete(UserSession).where(UserSession.expires_at <= now)).rowcount


# --- clips -----------------------------------------------------------------------------

def get_clip(session: Session, clip_id: int, *, lock: bool = False) -> Clip | None:
    return _get(session, Clip, clip_id, lock=lock)


def all_clips(session: Session) -> Sequence[Clip]:
    return session.scalars(select(Clip).order_by(Clip.id.desc())).all()


def clips_with_lease_expired(session: Session, now: datetime, *, lock: bool = False) -> Sequence[Clip]:
    """Clips "processing" whose worker's lease ran out before ``now`` (or that have none)."""
    query = select(Clip).where(Clip.status == "processing",
                               or_(Clip.lease_until.is_(None), Clip.lease_until < now)).order_by(Clip.id)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).all()


def clips_with_live_lease(session: Session, now: datetime) -> Sequence[Clip]:
    return session.scalars(select(Clip).where(Clip.status == "processing", Clip.lease_until >= now)).all()


def tasks_by_clip(session: Session, clip_ids: Iterable[int]) -> dict[int, Task]:
    ids = list(clip_ids)
    if not ids:
        return {}
    return {t.clip_id: t for t in session.scalars(select(Task).where(Task.clip_id.in_(ids)))}


def live_segment_counts(session: Session, task_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """``{task_id: {status: count}}`` over live (not merged-away) segments."""
    ids = list(task_ids)
    counts: dict[int, dict[str, int]] = {i: {} for i in ids}
    if not ids:
        return counts
    rows = session.execute(
        select(Segment.task_id, Segment.status, func.count())
        .where(Segment.task_id.in_(ids), Segment.merged_into_id.is_(None))
        .group_by(Segment.task_id, Segment.status)
    )
    for task_id, status, n in rows:
        counts[task_id][status] = n
    return counts


def live_durations(session: Session, task_ids: Iterable[int]) -> dict[int, float]:
    ids = list(task_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Segment.task_id, func.sum(Segment.end_s - Segment.start_s))
        .where(Segment.task_id.in_(ids), Segment.merged_into_id.is_(None))
        .group_by(Segment.task_id)
    )
    return {task_id: float(total or 0.0) for task_id, total in rows}


def returned_comments(session: Session, task_ids: Iterable[int]) -> dict[int, list[tuple[int, str]]]:
    ids = list(task_ids)
    found: dict[int, list[tuple[int, str]]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = session.execute(
        select(Segment.task_id, Segment.position, Segment.review_comment)
        .where(Segment.task_id.in_(ids), Segment.merged_into_id.is_(None), Segment.status == SegmentStatus.RETURNED)
        .order_by(Segment.task_id, Segment.position)
    )
    for task_id, position, comment in rows:
        found[task_id].append((position, comment or ""))
    return found


# --- tasks -----------------------------------------------------------------------------

def get_task(session: Session, task_id: int, *, lock: bool = False) -> Task | None:
    return _get(session, Task, task_id, lock=lock)


def tasks_where(session: Session, *, states: Sequence[str] | None = None, language: str | None = None,
                transcriber_id: int | None = None, project: str | None = None) -> Sequence[Task]:
    query = select(Task).join(Clip, Clip.id == Task.clip_id)
    if states is not None:
        query = query.where(Task.state.in_(states))
    if language is not None:
        query = query.where(Task.language == language)
    if transcriber_id is not None:
        query = query.where(Task.transcriber_id == transcriber_id)
    if project is not None:
        query = query.where(Clip.project == project)
    return session.scalars(query.order_by(Task.priority.desc(), Task.id)).all()


def clips_by_id(session: Session, ids: Iterable[int]) -> dict[int, Clip]:
    wanted = set(ids)
    if not wanted:
        return {}
    return {c.id: c for c in session.scalars(select(Clip).where(Clip.id.in_(wanted)))}


def tasks_held_by(session: Session, user_id: int) -> Sequence[Task]:
    """Tasks waiting on this user: claimed or returned to them as transcriber, in review
    with them, or resubmitted for them to review again; locked for update."""
    return session.scalars(
        select(Task).where(or_(
            and_(Task.transcriber_id == user_id, Task.state.in_(HELD_STATES)),
            and_(Task.reviewer_id == user_id, Task.state.in_((TaskState.IN_REVIEW, TaskState.SUBMITTED))),
        )).order_by(Task.id).with_for_update()
    ).all()


def held_task_counts(session: Session) -> dict[int, int]:
    """``held_task_count`` of every transcriber holding any task."""
    return dict(session.execute(
        select(Task.transcriber_id, func.count()).where(Task.state.in_(HELD_STATES)).group_by(Task.transcriber_id)
    ).all())


_HELD_TASK_COUNT = select(func.count()).select_from(Task).where(
    Task.transcriber_id == bindparam("user_id"), Task.state.in_(HELD_STATES))


def held_task_count(session: Session | Connection, user_id: int) -> int:
    return session.scalar(_HELD_TASK_COUNT, {"user_id": user_id}) or 0


def open_task_count(session: Session, language: str) -> int:
    return session.scalar(
        select(func.count()).select_from(Task).where(Task.state == TaskState.OPEN, Task.language == language)
    ) or 0


def claim_open_task(session: Session | Connection, *, language: str, user_id: int, now: datetime,
                    skip: Sequence[int] = ()) -> int | None:
    """Give the highest-priority open task of ``language`` (not one of ``skip``) to ``user_id``:
    its id, or None.

    The UPDATE only succeeds while the task is still open, so two claimers can never both
    get it; on PostgreSQL SKIP LOCKED also lets concurrent claimers pass each other by
    instead of queueing on the same row.
    """
    postgres = is_postgres(session)
    skipped: list[int] = list(skip)
    while True:
        pick = _open_task_pick(postgres=postgres, skipping=bool(skipped))
        task_id = session.scalar(pick, {"language": language, "skipped": skipped})
        if task_id is None:
            return None
        result = session.execute(_CLAIM, {"task_id": task_id, "claimer": user_id, "claimed": now})
        if result.rowcount == 1:
            return task_id
        skipped.append(task_id)


# The claim's statements are built once: building them cost more than running them.
_CLAIM = (
    update(Task)
    .where(Task.id == bindparam("task_id"), Task.state == "open")
    .values(state="in_progress", transcriber_id=bindparam("claimer"), claimed_at=bindparam("claimed"))
    .execution_options(synchronize_session=False)
)


@functools.cache
def _open_task_pick(*, postgres: bool, skipping: bool):
    """The highest-priority open task of ``:language`` (not one of ``:skipped``)."""
    query = select(Task.id).where(Task.state == "open", Task.language == bindparam("language"))
    if skipping:
        query = query.where(Task.id.not_in(bindparam("skipped", expanding=True)))
    query = query.order_by(Task.priority.desc(), Task.id).limit(1)
    return query.with_for_update(skip_locked=True) if postgres else query


def _reviewable_by(reviewer_id: int, reserved_since: datetime):
    """A submitted task nobody reserved, reserved for this reviewer, or whose reservation
    (a resubmission waiting for the reviewer who returned it) began before ``reserved_since``."""
    return or_(Task.reviewer_id.is_(None), Task.reviewer_id == reviewer_id, Task.submitted_at <= reserved_since)


def take_for_review(session: Session, *, task_id: int, reviewer_id: int, now: datetime, reserved_since: datetime) -> bool:
    """Move a submitted task into review for ``reviewer_id``; False if someone else was first.

    A resubmitted task stays with its reviewer until ``reserved_since``; then anyone may take it.
    """
    result = session.execute(
        update(Task)
        .where(
            Task.id == task_id,
            Task.state == TaskState.SUBMITTED,
            _reviewable_by(reviewer_id, reserved_since),
        )
        .values(state=task_move(TaskState.SUBMITTED, "start_review"), reviewer_id=reviewer_id, review_started_at=now,
                review_round=Task.review_round + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def review_candidates(session: Session, *, language: str, reviewer_id: int, reserved_since: datetime) -> Sequence[Task]:
    """Submitted tasks this reviewer may take (not their own; see ``take_for_review``) and
    those they are reviewing."""
    return session.scalars(
        select(Task)
        .where(
            Task.language == language,
            or_(Task.transcriber_id.is_(None), Task.transcriber_id != reviewer_id),
            or_(
                and_(Task.state == TaskState.SUBMITTED, _reviewable_by(reviewer_id, reserved_since)),
                and_(Task.state == TaskState.IN_REVIEW, Task.reviewer_id == reviewer_id),
            ),
        )
        .order_by(Task.priority.desc(), Task.submitted_at, Task.id)
    ).all()


# --- segments and revisions -------------------------------------------------------------

def live_segments(session: Session, task_id: int) -> list[Segment]:
    return list(session.scalars(
        select(Segment)
        .where(Segment.task_id == task_id, Segment.merged_into_id.is_(None))
        .order_by(Segment.position)
    ))


def get_segment(session: Session, segment_id: int) -> Segment | None:
    return session.get(Segment, segment_id)


def bump_version(session: Session, segment: Segment, base_version: int, **values) -> bool:
    """Set ``values`` and version ``base_version + 1`` only if the stored version is still
    ``base_version``; reloads ``segment`` either way. False means another save won."""
    result = session.execute(
        update(Segment)
        .where(Segment.id == segment.id, Segment.version == base_version)
        .values(version=base_version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    session.refresh(segment)
    return result.rowcount == 1


def revisions_of(session: Session, segment_id: int) -> Sequence[Revision]:
    return session.scalars(
        select(Revision).where(Revision.segment_id == segment_id).order_by(Revision.version)
    ).all()


def latest_revision(session: Session, segment_id: int) -> Revision | None:
    return session.scalars(
        select(Revision).where(Revision.segment_id == segment_id).order_by(Revision.version.desc()).limit(1)
    ).first()


def heard_spans(session: Session, user_id: int, segments: Sequence[Segment]) -> dict[int, list[tuple[float, float]]]:
    """The spans (seconds into the segment) ``user_id`` was credited with hearing, per
    segment, counting only plays of the segment's current bounds and text version."""
    if not segments:
        return {}
    rows = session.execute(
        select(Play.segment_id, Play.start_s, Play.end_s, Play.version, Play.from_s, Play.to_s)
        .where(Play.user_id == user_id, Play.segment_id.in_([s.id for s in segments]))
    )
    current = {s.id: (s.start_s, s.end_s, s.version) for s in segments}
    heard: dict[int, list[tuple[float, float]]] = {s.id: [] for s in segments}
    for segment_id, start, end, version, from_s, to_s in rows:
        if current[segment_id] == (start, end, version):
            heard[segment_id].append((from_s, to_s))
    return heard


def sent_spans(session: Session, user_id: int, segment: Segment, *, until: datetime) -> list[tuple[float, float]]:
    """The spans of the segment's current audio (its bounds) the media route sent to
    ``user_id`` up to ``until``."""
    return [(a, b) for a, b in session.execute(
        select(AudioSent.from_s, AudioSent.to_s)
        .where(AudioSent.user_id == user_id, AudioSent.segment_id == segment.id,
               AudioSent.start_s == segment.start_s, AudioSent.end_s == segment.end_s,
               AudioSent.sent_at <= until)
    )]


def listening_clock(session: Session, user_id: int) -> ListeningClock | None:
    """The reviewer's listening clock. Callers lock the user row first (``lock_user``),
    so two reports of one reviewer never spend the same allowance."""
    return session.get(ListeningClock, user_id, populate_existing=True)


def lock_user(session: Session, user_id: int) -> None:
    """Serialise one person's concurrent requests until the transaction ends (PostgreSQL;
    SQLite's writers already run one at a time)."""
    if is_postgres(session):
        session.execute(select(User.id).where(User.id == user_id).with_for_update())


def reviewed_texts(session: Session, segment_ids: Sequence[int]) -> dict[int, str]:
    """The text each segment had when its latest verdict was given (segments never
    reviewed are absent)."""
    if not segment_ids:
        return {}
    latest = (
        select(Verdict.segment_id, func.max(Verdict.id).label("verdict_id"))
        .where(Verdict.segment_id.in_(segment_ids))
        .group_by(Verdict.segment_id)
        .subquery()
    )
    rows = session.execute(
        select(Verdict.segment_id, Revision.text)
        .join(latest, latest.c.verdict_id == Verdict.id)
        .outerjoin(Revision, and_(Revision.segment_id == Verdict.segment_id,
                                  Revision.version == Verdict.segment_version))
    )
    return {segment_id: text or "" for segment_id, text in rows}


# --- grade -----------------------------------------------------------------------------

def first_round_decisions(session: Session, transcriber_id: int, limit: int) -> list[tuple[int, str]]:
    """``(segment_id, decision)`` for the transcriber's last ``limit`` reviewed segments,
    newest first, where the decision is the reviewer's final word in the segment's first
    review round (a reviewer who changed their mind within the round is not held against)."""
    rows = session.execute(_one_transcribers_decisions(), {"transcriber_id": transcriber_id, "limit": limit})
    return [(segment_id, decision) for _, segment_id, decision in rows]


def first_round_decisions_by_transcriber(session: Session, limit: int) -> dict[int, list[tuple[int, str]]]:
    """``first_round_decisions`` for every transcriber at once, computed by the database with
    window functions: one query however many workers and verdicts there are."""
    decisions: dict[int, list[tuple[int, str]]] = {}
    for transcriber, segment_id, decision in session.execute(_every_transcribers_decisions(), {"limit": limit}):
        decisions.setdefault(transcriber, []).append((segment_id, decision))
    return decisions


@functools.cache
def _one_transcribers_decisions():
    # Built once: every claim asks for the claimer's grade, and building this statement
    # cost more than running it.
    return _decisions_statement(Task.transcriber_id == bindparam("transcriber_id"))


@functools.cache
def _every_transcribers_decisions():
    return _decisions_statement(Task.transcriber_id.is_not(None))


def _decisions_statement(transcribers):
    """``(transcriber_id, segment_id, decision)`` of the ``:limit`` newest first-round
    decisions of each transcriber matched by ``transcribers``, newest first."""
    first_round = func.min(Verdict.review_round).over(partition_by=Verdict.segment_id)
    verdicts = (
        select(Task.transcriber_id.label("transcriber_id"), Verdict.segment_id, Verdict.review_round, Verdict.id,
               Verdict.decision, first_round.label("first_round"))
        .join(Task, Task.id == Verdict.task_id)
        .where(transcribers)
        .subquery()
    )
    # The last word in each segment's first round ...
    final = (
        select(verdicts.c.transcriber_id, verdicts.c.segment_id, verdicts.c.id, verdicts.c.decision,
               func.row_number().over(partition_by=verdicts.c.segment_id, order_by=verdicts.c.id.desc()).label("nth"))
        .where(verdicts.c.review_round == verdicts.c.first_round)
        .subquery()
    )
    # ... and of those, each transcriber's newest ``limit``.
    newest = (
        select(final.c.transcriber_id, final.c.segment_id, final.c.id, final.c.decision,
               func.row_number().over(partition_by=final.c.transcriber_id, order_by=final.c.id.desc()).label("rank"))
        .where(final.c.nth == 1)
        .subquery()
    )
    return (
        select(newest.c.transcriber_id, newest.c.segment_id, newest.c.decision)
        .where(newest.c.rank <= bindparam("limit"))
        .order_by(newest.c.transcriber_id, newest.c.id.desc())
    )


def penalties_of(session: Session, user_id: int) -> Sequence[Penalty]:
    return session.scalars(select(Penalty).where(Penalty.user_id == user_id).order_by(Penalty.id)).all()


def penalised_segments(session: Session | Connection, user_id: int) -> Sequence[Row]:
    """The user's penalties as rows of their ``segment_id`` (all a grade needs of them)."""
    return session.execute(select(Penalty.segment_id).where(Penalty.user_id == user_id).order_by(Penalty.id)).all()


def penalties_by_user(session: Session) -> dict[int, list[Penalty]]:
    grouped: dict[int, list[Penalty]] = {}
    for penalty in session.scalars(select(Penalty).order_by(Penalty.id)):
        grouped.setdefault(penalty.user_id, []).append(penalty)
    return grouped


# --- audit -----------------------------------------------------------------------------

def audit_entries(session: Session, *, task_id: int | None, limit: int) -> Sequence[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if task_id is not None:
        query = query.where(AuditEntry.task_id == task_id)
    return session.scalars(query).all()
