"""People: accounts, applications, logins and grades."""

from __future__ import annotations

import math
import re
import shutil
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from workbench.domain.states import SegmentStatus
from workbench.store import gold_queries, repo
from workbench.store.models import Application as ApplicationRow
from workbench.store.models import LoginAttempt, Penalty, User
from workbench.workflow import access
from workbench.workflow.access import actor_of
from workbench.workflow.base import WorkbenchBase, check_language, required_text
from workbench.workflow.domain import ROLES, AccountClosed, Actor, Application, WorkerSummary
from workbench.workflow.errors import (
    AuthenticationFailed,
    InvalidInput,
    InvalidTransition,
    NotFound,
    TooManyAttempts,
)
from workbench.workflow import throttle
from workbench.workflow.files import check_size, safe_filename, write_atomically
from workbench.workflow.limits import NAME, PASSWORD, REASON, USERNAME, checked_id, checked_text, storable
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


class People(WorkbenchBase):
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
        self._check_new_account(username, password, name)
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
            return actor_of(self._named(session, username))

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
            user = self._named(session, username)
            if user.language != language and repo.tasks_ever_taken(session, user.id):
                raise InvalidTransition(f"{username} has started work in {user.language}; "
                                        "their language can no longer change.")
            old, user.language = user.language, language
            self._audit(session, actor.id, "user.language_changed", "user", user.id, old=old, new=language)
            return actor_of(user)

    def deactivate_user(self, actor: Actor, username: str, *, reason: str) -> AccountClosed:
        """Close an account (admin), e.g. a worker who left: they can no longer sign in,
        their open sessions end at once, and the tasks they hold are offered again (a
        claimed or returned task to every transcriber, a review to every reviewer), their
        text and history kept. Their finished work, pay and history stay."""
        reason = required_text(checked_text(reason, "reason", limit=REASON), "Say why the account is closed.")
        with self.store.session() as session:
            admin = access.require_admin(session, actor)
            user = self._named(session, username)
            if user.id == admin.id:
                raise InvalidInput("You cannot close your own account.")
            if user.status != "approved":
                raise InvalidTransition(f"{username} is {user.status}; only an approved account can be closed.")
            user.status = "deactivated"
            ended = repo.revoke_user_sessions(session, user.id, self.now())
            held = repo.tasks_held_by(session, user.id)
            for task in held:
                self._release(session, admin, task, reason=f"{username}'s account was closed: {reason}")
            self._audit(session, admin.id, "user.deactivated", "user", user.id, reason=reason, sessions=ended,
                        released=[task.id for task in held])
            return AccountClosed(user=actor_of(user), sessions_ended=ended, released_tasks=tuple(t.id for t in held))

    def reactivate_user(self, actor: Actor, username: str, *, reason: str) -> Actor:
        """Reopen a closed account (admin): the person can sign in and take work again."""
        reason = required_text(checked_text(reason, "reason", limit=REASON), "Say why the account is reopened.")
        with self.store.session() as session:
            admin = access.require_admin(session, actor)
            user = self._named(session, username)
            if user.status != "deactivated":
                raise InvalidTransition(f"{username} is {user.status}; only a closed account can be reopened.")
            user.status = "approved"
            self._audit(session, admin.id, "user.reactivated", "user", user.id, reason=reason)
            return actor_of(user)

    # --- applications -------------------------------------------------------------------

    def submit_application(self, *, username: str, password: str, name: str, language: str,
                           document_name: str, document: bytes, bank_holder: str,
                           client: str = "unknown") -> Application | None:
        """Apply to work: creates a pending transcriber account and stores the qualification
        document under ``<data dir>/applications/<id>/``.

        Strangers send these, so each client address is throttled
        (``Policy.apply_client_rate``) and only so many may wait for an admin
        (``max_pending_applications``, ``max_pending_per_client``). A taken username is
        *not* an error: nothing is stored and the answer is None, which the caller must show
        exactly like a received application, so nobody learns which usernames exist (the
        password is hashed either way, so it takes as long).
        """
        check_language(language)
        self._check_new_account(username, password, name)
        checked_text(bank_holder, "bank account holder", limit=NAME)
        if not same_person(name, bank_holder):
            raise InvalidInput(f"The bank account holder {bank_holder!r} must be you ({name!r}).")
        stored_name = safe_filename(document_name)
        check_size(document, self.policy.max_document_bytes, "qualification document")
        client = (client or "unknown")[:64]
        with self.store.session() as session:
            wait = throttle.take(session, self.now(), {f"apply-client:{client}": self.policy.apply_client_rate})
        if wait:
            raise TooManyAttempts(f"Too many applications from your address; try again in "
                                  f"{math.ceil(wait / 60)} minutes.", retry_after=wait)
        password_hash = self._hasher.hash(password)
        with self.store.session() as session:
            pending, from_client = repo.pending_application_counts(session, client)
            if pending >= self.policy.max_pending_applications or from_client >= self.policy.max_pending_per_client:
                raise TooManyAttempts("We cannot take more applications right now; please try again in a few days.")
            if repo.user_by_username(session, username) is not None:
                return None
            now = self.now()
            user = User(username=username, password_hash=password_hash, name=name.strip(),
                        is_transcriber=True, language=language, status="pending",
                        bank_holder=bank_holder.strip(), created_at=now)
            session.add(user)
            session.flush()
            application = ApplicationRow(user_id=user.id, name=name.strip(), language=language,
                                         document_name=stored_name, document_path="", status="pending",
                                         bank_holder=bank_holder.strip(), client=client, created_at=now)
            session.add(application)
            session.flush()
            relative = Path("applications") / str(application.id) / stored_name
            application.document_path = str(relative)
            try:
                write_atomically(document, self.data_dir / relative)
                self._audit(session, user.id, "application.submitted", "application", application.id,
                            language=language)
                view = self._application_view(session, application)
                session.flush()
            except BaseException:
                shutil.rmtree(self.data_dir / relative.parent, ignore_errors=True)
                raise
            return view

    def list_applications(self, actor: Actor, *, status: str | None = "pending") -> list[Application]:
        with self.store.reading() as session:
            access.require_admin(session, actor)
            return [self._application_view(session, a) for a in repo.applications(session, status)]

    def pending_application_of(self, actor: Actor, username: str) -> Application:
        with self.store.reading() as session:
            access.require_admin(session, actor)
            user = self._named(session, username)
            for application in repo.applications(session, "pending"):
                if application.user_id == user.id:
                    return self._application_view(session, application)
            raise NotFound(f"{username} has no pending application.")

    def application_document(self, actor: Actor, application_id: int) -> Path:
        with self.store.reading() as session:
            access.require_admin(session, actor)
            application = self._application(session, application_id)
            if not application.document_path:
                raise NotFound(f"The document of application {application_id} was deleted when it was "
                               f"{application.status}.")
            return self._path(application.document_path)

    def decide_application(self, actor: Actor, application_id: int, *, approve: bool, reason: str) -> Application:
        """Approve or reject a pending application; a rejection needs a reason, and deletes the
        applicant's document (the record stays)."""
        reason = checked_text(reason or "", "reason", limit=REASON).strip()
        if not approve and not reason:
            raise InvalidInput("Give the applicant a reason for the rejection.")
        with self.store.session() as session:
            admin = access.require_admin(session, actor)
            application = self._application(session, application_id)
            if application.status != "pending":
                raise InvalidTransition(f"Application {application_id} was already {application.status}.")
            status = "approved" if approve else "rejected"
            application.status, application.reason = status, reason or None
            application.decided_by_id, application.decided_at = admin.id, self.now()
            user = session.get(User, application.user_id)
            user.status = status
            user.language = application.language
            user.bank_holder = application.bank_holder
            document = application.document_path
            if not approve:
                application.document_path = ""
            self._audit(session, admin.id, f"application.{status}", "application", application.id,
                        username=user.username, reason=reason)
            view = self._application_view(session, application)
        if not approve and document:
            # Only once the rejection is committed: a failed commit keeps the document.
            shutil.rmtree(self._path(document).parent, ignore_errors=True)
        return view

    # --- workers ------------------------------------------------------------------------

    def list_workers(self, actor: Actor) -> list[WorkerSummary]:
        """Every transcriber and reviewer with grade, limits and penalties (admin): a fixed
        handful of queries however many workers there are."""
        with self.store.reading() as session:
            access.require_admin(session, actor)
            workers = [u for u in repo.all_users(session) if u.is_transcriber or u.is_reviewer]
            decisions = repo.first_round_decisions_by_transcriber(session, self.policy.grade_window)
            gold = gold_queries.outcomes(session)
            decisions = {user_id: gold_queries.with_gold_outcomes(decisions.get(user_id, []), gold.get(user_id, {}),
                                                                  self.policy.grade_window)
                         for user_id in decisions.keys() | gold.keys()}
            penalties = repo.penalties_by_user(session)
            held = repo.held_task_counts(session)
            took_tasks = repo.users_who_took_tasks(session)
            return [self._summary(user, _WorkerFacts(decisions.get(user.id, []), penalties.get(user.id, []),
                                                     held.get(user.id, 0), user.id in took_tasks))
                    for user in workers]

    def worker_summary(self, actor: Actor, username: str | None = None) -> WorkerSummary:
        """A worker's grade and limits: their own, or anyone's for an admin."""
        with self.store.reading() as session:
            me = access.current(session, actor)
            if username is None or username == me.username:
                return self._worker_summary(session, me)
            access.require_admin(session, me)
            return self._worker_summary(session, self._named(session, username))

    def _grade(self, decisions: list[tuple[int, str]], penalties: Sequence[Penalty]) -> tuple[float | None, int, int]:
        """(score or None while new, reviewed segments in the window, returned among them),
        from the worker's ``repo.first_round_decisions`` and penalties."""
        reviewed = len(decisions)
        returned = sum(1 for _, decision in decisions if decision == SegmentStatus.RETURNED)
        if reviewed < self.policy.grade_min_segments:
            return None, reviewed, returned
        in_window = {segment_id for segment_id, _ in decisions}
        penalised = sum(1 for p in penalties if p.segment_id in in_window)
        return max(0.0, (reviewed - returned - penalised) / reviewed), reviewed, returned

    def _decisions(self, session, user_id: int) -> list[tuple[int, str]]:
        """The grade's decisions of one transcriber, gold scores in (``gold_queries``)."""
        return gold_queries.with_gold_outcomes(repo.first_round_decisions(session, user_id, self.policy.grade_window),
                                               gold_queries.outcomes(session, [user_id]).get(user_id, {}),
                                               self.policy.grade_window)

    def _max_tasks(self, session, user: Actor) -> tuple[str, int]:
        score = self._grade(self._decisions(session, user.id),
                            repo.penalised_segments(session, user.id))[0]
        band = self.policy.grade_for(score)
        return band.grade, band.max_tasks

    def _worker_summary(self, session, user: User | Actor) -> WorkerSummary:
        return self._summary(user, _WorkerFacts(
            self._decisions(session, user.id),
            repo.penalties_of(session, user.id), repo.held_task_count(session, user.id),
            repo.tasks_ever_taken(session, user.id) > 0,
        ))

    def _summary(self, user: User | Actor, facts: "_WorkerFacts") -> WorkerSummary:
        score, reviewed, returned = self._grade(facts.decisions, facts.penalties)
        band = self.policy.grade_for(score)
        return WorkerSummary(
            username=user.username, name=user.name, roles=actor_of(user).roles, language=user.language,
            status=user.status, grade=band.grade, score=score, max_tasks=band.max_tasks,
            tasks_held=facts.held, reviewed_segments=reviewed,
            return_rate=returned / reviewed if reviewed else None, penalties=len(facts.penalties),
            penalties_won=sum(p.amount_won for p in facts.penalties),
            language_locked=facts.took_tasks,
        )

    # --- helpers ------------------------------------------------------------------------

    def _check_new_account(self, username: str, password: str, name: str) -> None:
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

    @staticmethod
    def _application(session, application_id: int) -> ApplicationRow:
        application = session.get(ApplicationRow, checked_id(application_id, "application"))
        if application is None:
            raise NotFound(f"No application {application_id}.")
        return application

    @staticmethod
    def _application_view(session, application: ApplicationRow) -> Application:
        users = repo.users_by_id(session, [application.user_id, application.decided_by_id])
        return Application(
            id=application.id, username=users[application.user_id].username, name=application.name,
            language=application.language, document_name=application.document_name,
            bank_holder=application.bank_holder, status=application.status, reason=application.reason,
            created_at=application.created_at, decided_at=application.decided_at,
            decided_by=users[application.decided_by_id].username if application.decided_by_id else None,
        )


@dataclass(frozen=True)
class _WorkerFacts:
    """What a worker summary is computed from."""

    decisions: list[tuple[int, str]]
    penalties: Sequence[Penalty]
    held: int
    took_tasks: bool

