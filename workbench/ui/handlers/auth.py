"""Who is acting: signing in, the actor behind a session, and which pages they see."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.workflow.errors import PermissionDenied

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor
    from workbench.workflow.service import Workbench

PAGES = ("transcribe", "review", "admin", "earnings")


def visible_pages(actor: "Actor") -> dict[str, bool]:
    """Each role sees only its own pages; every paid worker sees their earnings."""
    roles = set(actor.roles)
    return {
        "transcribe": "transcriber" in roles,
        "review": "reviewer" in roles,
        "admin": "admin" in roles,
        "earnings": bool(roles & {"transcriber", "reviewer"}),
    }


def landing(actor: "Actor") -> str:
    """Where a user lands on signing in: a transcriber or reviewer on the light queue page
    (``ui/queue_page.py``), anyone with the admin page on the Gradio app."""
    roles = set(actor.roles)
    return "/work" if roles & {"transcriber", "reviewer"} and "admin" not in roles else "/"


def session_actor(wb: "Workbench", username: str | None) -> "Actor":
    """The actor behind a Gradio request's username; refused when the session is gone."""
    if not username:
        raise PermissionDenied("Your session has ended. Please sign in again.")
    return wb.actor(username)


def sign_in(wb: "Workbench", username: str, password: str, *, client: str) -> "Actor":
    """Check a login from the ``client`` address (throttled per client and per account); an
    applicant can sign in only once their application is approved."""
    actor = wb.authenticate(username.strip(), password, client=client)
    if actor.status == "pending":
        raise PermissionDenied("Your application is still being reviewed; you can sign in once it is approved.")
    if actor.status == "deactivated":
        raise PermissionDenied("This account has been closed, so it cannot sign in; ask an admin.")
    if not actor.approved:
        raise PermissionDenied("Your application was not approved, so this account cannot sign in.")
    return actor
