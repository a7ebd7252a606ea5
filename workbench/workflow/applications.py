"""Applications: a stranger applies to work with a qualification document; an admin decides.

An applicant becomes a pending transcriber account; approval makes it an approved one,
rejection deletes the document (the record stays). ``Applications(ctx, people)`` checks a
new account and hashes its password through ``people`` (the accounts service).
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

from workbench.store import repo
from workbench.store.models import Application as ApplicationRow
from workbench.store.models import User
from workbench.workflow import access, rows, throttle
from workbench.workflow.context import Context, Service
from workbench.workflow.domain import Actor, Application
from workbench.workflow.errors import InvalidInput, InvalidTransition, NotFound, TooManyAttempts
from workbench.workflow.files import check_size, safe_filename, write_atomically
from workbench.workflow.limits import NAME, REASON, check_language, checked_id, checked_text
from workbench.workflow.people import People, same_person


class Applications(Service):
    def __init__(self, ctx: Context, *, people: People) -> None:
        super().__init__(ctx)
        self.people = people

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
        self.people.check_new_account(username, password, name)
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
        password_hash = self.people.hash_password(password)
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
            user = rows.named(session, username)
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
            return self.ctx.path(application.document_path)

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
            shutil.rmtree(self.ctx.path(document).parent, ignore_errors=True)
        return view

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
