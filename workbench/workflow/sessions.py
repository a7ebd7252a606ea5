"""Sign-in sessions kept in the database, so they end when the server says so.

A session is a random token handed to the browser; the store keeps only its SHA-256, the
user and the times. It opens nothing once it is revoked (sign-out, an admin closing the
account), once ``policy.session_lifetime`` has passed, or once its user is no longer
approved. Rows live in the database, so sessions survive a restart of the web server.

This is *not* the cookie: signing the token for the browser is the web server's business.
"""

from __future__ import annotations

import hashlib
import secrets

from workbench.store import repo
from workbench.store.models import UserSession
from workbench.workflow import access, rows
from workbench.workflow.context import Service
from workbench.workflow.domain import Actor

TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    """What the store keeps of a session token (hex SHA-256)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Sessions(Service):
    def open_session(self, actor: Actor) -> str:
        """A new session for an authenticated, approved ``actor``: the token to hand the
        browser. Expired rows of anyone are dropped on the way (they open nothing anyway)."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        now = self.now()
        with self.store.session() as session:
            user = access.current(session, actor)
            access.may_sign_in(user)
            repo.delete_expired_sessions(session, now)
            session.add(UserSession(token_hash=token_hash(token), user_id=user.id, created_at=now,
                                    expires_at=now + self.policy.session_lifetime))
        return token

    def resolve_session(self, token: str) -> str | None:
        """The username behind ``token``; None when it is unknown, revoked or expired, or
        its user is no longer approved."""
        actor = self.session_actor(token)
        return actor.username if actor is not None else None

    def session_actor(self, token: str) -> Actor | None:
        """Who is signed in with ``token`` (``resolve_session``'s answer as an ``Actor``), in
        one read: every request of a signed-in user starts here. The actor is ``fresh``: the
        workflow's permission checks take it as it is instead of reading the user again, so
        do not keep it past the request."""
        # Every request's first read: a database restart costs no request (Store.read retries).
        row = self.store.read(lambda connection: repo.session_actor_row(connection, token_hash(token), self.now()))
        return access.actor_of(row, fresh=True) if row is not None and row.status == "approved" else None

    def close_session(self, token: str) -> None:
        """Sign out: the session opens nothing from now on (an unknown token is no error)."""
        with self.store.session() as session:
            repo.revoke_session(session, token_hash(token), self.now())

    def end_sessions(self, actor: Actor, username: str) -> int:
        """Sign ``username`` out everywhere (themself, or an admin); how many sessions ended."""
        with self.store.session() as session:
            me = access.current(session, actor)
            if me.username != username:
                access.require_admin(session, me)
            user = rows.named(session, username)
            ended = repo.revoke_user_sessions(session, user.id, self.now())
            self._audit(session, actor.id, "user.signed_out_everywhere", "user", user.id, sessions=ended)
            return ended
