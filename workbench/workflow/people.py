"""People: accounts, sign-in and who may change them (applications: applications.py;
grades: grading.py)."""

from __future__ import annotations

import re
import unicodedata
from functools import cached_property

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from workbench.store import repo
from workbench.store.models import LoginAttempt, User
from workbench.workflow import access, rows, tasks, throttle
from workbench.workflow.access import actor_of
from workbench.workflow.context import Service
from workbench.workflow.domain import ROLES, AccountClosed, Actor
from workbench.workflow.errors import (
    AuthenticationFailed,
    InvalidInput,
    InvalidTransition,
    TooManyAttempts,
)
from workbench.workflow.limits import (
    NAME,
    PASSWORD,
    REASON,
    USERNAME,
    check_language,
    checked_text,
    required_text,
    storable,
)
from workbench.workflow.passwords import check_password

_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{1,63}$")


def same_person(name: str, holder: str) -> bool:
    """Whether a bank account holder name is the worker's name, ignoring case and spacing
    (banks print "HONG GILDONG" and "홍 길동" for "Hong Gildong" and "홍길동")."""
    def key(text: str) -> str:
        return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()

    return bool(key(name)) and key(name) == key(holder)


def _checked_roles(roles) -> frozenset[str]:
    roles = frozenset(roles)
    if not roles or not roles <= set(ROLES):
        raise InvalidInput(f"Roles must be some of {', '.join(ROLES)}; got {sorted(roles)}.")
    return roles


class People(Service):
    @cached_property
    def _hasher(self) -> PasswordHasher:
        return PasswordHasher(time_cost=self.policy.password_time_cost,
                              memory_cost=self.policy.password_memory_kib)

    @cached_property
    def _dummy_hash(self) -> str:
        return self._hasher.hash("not anyone's password")

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    # --- accounts -----------------------------------------------------------------------

    def create_user(self, actor: Actor | None, *, username: str, password: str, name: str,
                    roles, language: str | None = None) -> Actor:
        """Create an approved account. With ``actor=None`` only the very first account
        (the bootstrap admin) can be created; afterwards an admin must act."""
        roles = _checked_roles(roles)
        if roles & {"reviewer", "transcriber"}:
            if language is None:
                raise InvalidInput("A reviewer or transcriber needs their one language.")
        if language is not None:
            check_language(language)
        self.check_new_account(username, password, name)
        password_hash = self._hasher.hash(password)
        with self.store.session() as session:
            if actor is None:
                access.may_create_first_account(repo.user_count(session))
            else:
                access.require_admin(session, actor)
            self._ensure_free(session, username)
            user = User(username=username, password_hash=password_hash, name=name.strip(),
                        is_admin="admin" in roles, is_reviewer="reviewer" in roles,
                        is_transcriber="transcriber" in roles, language=language, status="approved",
                        created_at=self.now())
            session.add(user)
            session.flush()
            self._audit(session, actor.id if actor else None, "user.created", "user", user.id,
                        roles=sorted(roles), language=language)
            return actor_of(user)

    def actor(self, username: str) -> Actor:
        with self.store.reading() as session:
            return actor_of(rows.named(session, username))

    def first_admin(self) -> Actor | None:
        """The oldest admin account (the CLI, which runs on the server, acts as it)."""
        with self.store.reading() as session:
            user = repo.first_admin(session)
            return actor_of(user) if user else None

    def authenticate(self, username: str, password: str, *, client: str = "unknown") -> Actor:
        """The actor for a correct password, throttled per ``client`` address and per account
        as ``workflow/throttle`` says; a throttled attempt is refused before the password is
        looked at (``TooManyAttempts``, saying how long to wait), and nobody is locked out."""
        if not (storable(username, limit=USERNAME) and storable(password, limit=PASSWORD)):
            # No account can have it, and it could not be stored as an attempt.
            raise AuthenticationFailed("Wrong username or password.")
        now = self.now()
        # A name no account can have shares one bucket (and no row grows with it).
        account = username if _USERNAME.match(username or "") else ""
        client = (client or "unknown")[:64]
        # A throttled attempt is answered from a read alone; hashing takes a while, so it runs
        # between two short write transactions, never inside one.
        with self.store.reading() as session:
            trusted = bool(account) and repo.last_login_succeeded(
                session, account, client, now - self.policy.login_trust_window)
            rates = {f"login-client:{client}": self.policy.login_client_rate}
            if not trusted:
                rates[f"login-account:{account}"] = self.policy.login_account_rate
            wait = throttle.wait_for(session, now, rates)
        if not wait:
            with self.store.session() as session:
                wait = throttle.take(session, now, rates)
                user = repo.user_by_username(session, account) if account and not wait else None
                stored_hash = user.password_hash if user else None
        if wait:
            raise TooManyAttempts(f"Too many sign-in attempts; try again in {wait:.0f} seconds.", retry_after=wait)
        # An unknown name is checked against a dummy hash so it takes as long as a wrong password.
        ok = self._verify(stored_hash or self._dummy_hash, password) and stored_hash is not None
        new_hash = self._hasher.hash(password) if ok and self._hasher.check_needs_rehash(stored_hash) else None
        with self.store.session() as session:
            repo.forget_login_attempts(session, account, now - self.policy.login_trust_window)
            session.add(LoginAttempt(username=account, client=client, succeeded=ok, at=now))
            if ok:
                throttle.give_back(session, now, rates)
            user = repo.user_by_username(session, account) if ok else None
            if user is not None and new_hash:
                user.password_hash = new_hash
            found = actor_of(user) if user is not None else None
        if found is None:
            raise AuthenticationFailed("Wrong username or password.")
        return found

    def set_language(self, actor: Actor, username: str, language: str) -> Actor:
        """Change a worker's language (admin), refused once they have started a task."""
        check_language(language)
        with self.store.session() as session:
            access.require_admin(session, actor)
            user = rows.named(session, username)
            if user.language != language and repo.tasks_ever_taken(session, user.id):
                raise InvalidTransition(f"{username} has started work in {user.language}; "
                                        "their language can no longer change.")
            old, user.language = user.language, language
            self._audit(session, actor.id, "user.language_changed", "user", user.id, old=old, new=language)
            return actor_of(user)

    def set_ui_language(self, actor: Actor, language: str | None) -> Actor:
        """The language the pages are shown in for the acting user themself (one of
        ``LANGUAGES``; None goes back to following their browser). Nobody sets another's."""
        if language is not None:
            check_language(language)
        with self.store.session() as session:
            me = access.current(session, actor)
            user = session.get(User, me.id)
            old, user.ui_language = user.ui_language, language
            self._audit(session, me.id, "user.ui_language_changed", "user", user.id, old=old, new=language)
            return actor_of(user)

    def deactivate_user(self, actor: Actor, username: str, *, reason: str) -> AccountClosed:
        """Close an account (admin), e.g. a worker who left: they can no longer sign in,
        their open sessions end at once, and the tasks they hold are offered again (a
        claimed or returned task to every transcriber, a review to every reviewer), their
        text and history kept. Their finished work, pay and history stay."""
        reason = required_text(checked_text(reason, "reason", limit=REASON), "Say why the account is closed.")
        with self.store.session() as session:
            admin = access.require_admin(session, actor)
            user = rows.named(session, username)
            if user.id == admin.id:
                raise InvalidInput("You cannot close your own account.")
            if user.status != "approved":
                raise InvalidTransition(f"{username} is {user.status}; only an approved account can be closed.")
            user.status = "deactivated"
            ended = repo.revoke_user_sessions(session, user.id, self.now())
            held = repo.tasks_held_by(session, user.id)
            for task in held:
                tasks.release(self.ctx, session, admin, task, reason=f"{username}'s account was closed: {reason}")
            self._audit(session, admin.id, "user.deactivated", "user", user.id, reason=reason, sessions=ended,
                        released=[task.id for task in held])
            return AccountClosed(user=actor_of(user), sessions_ended=ended, released_tasks=tuple(t.id for t in held))

    def reactivate_user(self, actor: Actor, username: str, *, reason: str) -> Actor:
        """Reopen a closed account (admin): the person can sign in and take work again."""
        reason = required_text(checked_text(reason, "reason", limit=REASON), "Say why the account is reopened.")
        with self.store.session() as session:
            admin = access.require_admin(session, actor)
            user = rows.named(session, username)
            if user.status != "deactivated":
                raise InvalidTransition(f"{username} is {user.status}; only a closed account can be reopened.")
            user.status = "approved"
            self._audit(session, admin.id, "user.reactivated", "user", user.id, reason=reason)
            return actor_of(user)

    # --- helpers ------------------------------------------------------------------------

    def hash_password(self, password: str) -> str:
        return self._hasher.hash(password)

    def check_new_account(self, username: str, password: str, name: str) -> None:
        """Refuse (``InvalidInput``) a username, password or name a new account cannot have."""
        if not isinstance(username, str) or not _USERNAME.fullmatch(username):
            raise InvalidInput("A username is 2-64 letters, digits, '.', '_' or '-', starting with a letter or digit.")
        checked_text(password, "password", limit=PASSWORD)
        checked_text(name, "name", limit=NAME)
        if not (name or "").strip():
            raise InvalidInput("Give your name.")
        check_password(password, username=username, name=name, policy=self.policy)

    @staticmethod
    def _ensure_free(session, username: str) -> None:
        if repo.user_by_username(session, username) is not None:
            raise InvalidInput(f"The username {username!r} is taken.")
