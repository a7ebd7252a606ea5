"""Who may do what: the one permission entry point of the workflow, pay and export.

Every state-changing or reading call of the ``Workbench``, of ``pay.service`` and of
``export.run`` asks here first, inside its own transaction:

- ``current(session, actor)``: the acting user as stored now (roles and status may have
  changed since sign-in), as a fresh ``Actor``;
- ``require_admin``, ``require_worker`` and ``require_role``: the same, refused unless
  the user holds the role (a worker also approved and with a language);
- ``may_view``, ``may_review``, ``may_edit`` and ``may_see_account``: rules about one task
  or one account, for an actor already checked.

An actor the web shell resolved from the session cookie in this very request is
``Actor.fresh``: ``current`` trusts it instead of reading the user again, so one request
resolves its actor once. Nothing else makes a fresh actor; do not keep one past its request.

This is *not* sign-in (``People.authenticate``) nor sessions (``Sessions``).

>>> admin = require_admin(session, actor)       # doctest: +SKIP
>>> may_view(admin, task)                       # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.store import double_queries, repo
from workbench.store.models import User
from workbench.workflow.domain import Actor
from workbench.workflow.errors import PermissionDenied
from workbench.domain.states import EDITABLE, REVIEW_VISIBLE, TaskState

if TYPE_CHECKING:
    from collections.abc import Iterable

    from workbench.store.models import Task

WORKER_ROLES = ("transcriber", "reviewer")


def actor_of(user: User, *, fresh: bool = False) -> Actor:
    """The ``Actor`` of a stored user (``fresh``: read in the request that acts)."""
    roles = {role for role, flag in (("admin", user.is_admin), ("reviewer", user.is_reviewer),
                                     ("transcriber", user.is_transcriber)) if flag}
    return Actor(id=user.id, username=user.username, name=user.name, roles=frozenset(roles),
                 language=user.language, status=user.status, ui_language=user.ui_language, fresh=fresh)


# --- who is acting ----------------------------------------------------------------------

def current(session, actor: Actor) -> Actor:
    """The acting user as stored now; PermissionDenied when the account is gone."""
    return _current(actor, lambda: session.get(User, actor.id))


def current_on(connection, actor: Actor) -> Actor:
    """``current`` on a plain connection (the hot paths' Core transactions): the same answer,
    a fresh actor without a read, any other with one read of its columns."""
    return _current(actor, lambda: repo.actor_row(connection, actor.id))


def _current(actor: Actor, read) -> Actor:
    if not isinstance(actor, Actor):
        raise PermissionDenied("Sign in first.")
    if actor.fresh:
        return actor
    user = read()
    if user is None:
        raise PermissionDenied("Your account no longer exists.")
    return actor_of(user)


def require_admin(session, actor: Actor, *, refusal: str = "Only an admin can do this.") -> Actor:
    user = current(session, actor)
    if not user.is_admin:
        raise PermissionDenied(refusal)
    return user


def require_role(session, actor: Actor, role: str, *, refusal: str | None = None) -> Actor:
    """The acting user if they hold ``role`` (whatever their status)."""
    user = current(session, actor)
    if role not in user.roles:
        raise PermissionDenied(refusal or f"Only a {role} can do this.")
    return user


def require_worker(session, actor: Actor, role: str) -> Actor:
    """An approved transcriber or reviewer (``role``) with a language."""
    return may_work(current(session, actor), role)


def may_work(user, role: str):
    """``user`` (an ``Actor``, or a row of ``repo.actor_row`` read under a lock on the hot
    path) if it is an approved ``role`` with a language; PermissionDenied otherwise, and
    when the account is gone (None)."""
    if role not in WORKER_ROLES:
        raise ValueError(f"a worker is a transcriber or a reviewer, not {role!r}")
    if user is None:
        raise PermissionDenied("Your account no longer exists.")
    if not getattr(user, f"is_{role}"):
        raise PermissionDenied(f"Only a {role} can do this.")
    if user.status != "approved":
        raise PermissionDenied("Your account is not approved yet.")
    if user.language is None:
        raise PermissionDenied("Your account has no language; ask an admin.")
    return user


def may_create_first_account(accounts: int) -> None:
    """With nobody acting, only the very first account (the bootstrap admin) is created."""
    if accounts > 0:
        raise PermissionDenied("Only an admin can create accounts.")


def may_sign_in(user: Actor) -> None:
    """Only an approved account opens a session."""
    if not user.approved:
        raise PermissionDenied("This account cannot sign in.")


# --- rules about one task or account ----------------------------------------------------

def may_view(user: Actor, task: "Task", session=None) -> None:
    """A task is seen by its transcriber (in any state), an admin, or an approved reviewer
    of its language once it is submitted, unless another reviewer holds it or it is one side
    of a double transcription whose other side they worked on (workflow/double.py).
    ``task`` may be a Core row with the task's columns, read in ``session``."""
    if user.is_admin or task.transcriber_id == user.id:
        return
    if (user.is_reviewer and user.approved and user.language == task.language
            and task.state in REVIEW_VISIBLE and task.reviewer_id in (None, user.id)
            and not double_queries.worked_other_side(task, user.id, session)):
        return
    raise PermissionDenied(f"Task {task.id} is not yours to see.")


def may_review(user: Actor, task: "Task") -> None:
    """A reviewer reviews tasks of their language, never their own work."""
    if task.language != user.language:
        raise PermissionDenied(f"Task {task.id} is in {task.language}; you review {user.language}.")
    if task.transcriber_id == user.id or double_queries.worked_other_side(task, user.id):
        raise PermissionDenied("You cannot review your own work.")


def may_edit(user: Actor, task: "Task") -> None:
    """Only the task's own transcriber changes its text (whether its state allows it is
    ``states``' business)."""
    if task.transcriber_id != user.id:
        raise PermissionDenied(f"Task {task.id} belongs to another transcriber.")


def may_act_as_senior(user: Actor, *, senior: bool) -> Actor:
    """Only a reviewer an admin made senior (``reviewer_checks``) re-reviews others' verdicts."""
    if not senior:
        raise PermissionDenied("Only a senior reviewer can do this.")
    return user


def may_check(user: Actor, *, reviewer_id: int, transcriber_id: int | None) -> None:
    """A senior never checks a verdict of their own, nor one on their own transcription."""
    if user.id in (reviewer_id, transcriber_id):
        raise PermissionDenied("You cannot check your own work.")


def may_review_in(project: str, *, barred: "Iterable[str]") -> None:
    """A reviewer suspended from a project (``quality``) starts none of its reviews."""
    if project in barred:
        raise PermissionDenied(f"You are suspended from reviewing {project}; an admin can lift it.")


def may_see_account(user: Actor, owner_id: int, *, refusal: str) -> None:
    """An account's own things (statement, grade, sessions) are its owner's or an admin's."""
    if owner_id != user.id and not user.is_admin:
        raise PermissionDenied(refusal)


def working_role(user: Actor, task: "Task") -> str | None:
    """The role in which ``user`` works on ``task`` now: ``"transcriber"`` (their own task,
    in a state they may edit), ``"reviewer"`` (the review they hold), or None when it is
    theirs but not in their hands now. Anyone else's task is refused."""
    if user.is_transcriber and task.transcriber_id == user.id and task.state in EDITABLE:
        return "transcriber"
    if user.is_reviewer and holds(task, user):
        return "reviewer"
    if user.id in (task.transcriber_id, task.reviewer_id):
        return None
    raise PermissionDenied(f"Task {task.id} is not yours.")


def holds(task: "Task", user: Actor) -> bool:
    """Whether ``user`` is the reviewer holding ``task`` in review."""
    return task.state == TaskState.IN_REVIEW and task.reviewer_id == user.id
