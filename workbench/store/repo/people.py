"""Queries about people: accounts, sign-in attempts, throttle buckets, applications and sign-in sessions."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Connection, Row, bindparam, delete, func, or_, select, update
from sqlalchemy.orm import Session

from workbench.store.models import Application, LoginAttempt, Task, ThrottleBucket, User, UserSession
from workbench.store.repo._common import is_postgres


def user_by_username(session: Session, username: str, *, lock: bool = False) -> User | None:
    query = select(User).where(User.username == username)
    if lock and is_postgres(session):
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


# The columns an ``Actor`` is made of: the hot paths (every request's session, a claim) read
# these as one plain row instead of building a ``User``.
_ACTOR_COLUMNS = (User.id, User.username, User.name, User.is_admin, User.is_reviewer, User.is_transcriber,
                  User.language, User.status, User.ui_language)


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


def forget_login_attempts(session: Session, username: str, before: datetime) -> None:
    """Drop ``username``'s sign-in attempts older than ``before`` (nothing reads them after the
    trust window; the index on (username, at) keeps this to the account's own rows)."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.username == username, LoginAttempt.at < before))


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
