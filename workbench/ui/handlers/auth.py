"""Who is acting, which pages they see, and the public application form."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.workflow.errors import InvalidInput, PermissionDenied

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor, Application
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


def session_actor(wb: "Workbench", username: str | None) -> "Actor":
    """The actor behind a Gradio request's username; refused when the session is gone."""
    if not username:
        raise PermissionDenied("Your session has ended. Please sign in again.")
    return wb.actor(username)


def apply(
    wb: "Workbench",
    *,
    name: str,
    username: str,
    password: str,
    language: str,
    bank_holder: str,
    document_name: str,
    document: bytes,
    max_document_bytes: int,
) -> "Application":
    """Submit a public application to work; the store validates the rest."""
    if not document:
        raise InvalidInput("Please attach your identity document.")
    if len(document) > max_document_bytes:
        raise InvalidInput(f"The document is larger than {max_document_bytes // (1024 * 1024)} MB.")
    return wb.submit_application(
        username=username.strip(),
        password=password,
        name=name.strip(),
        language=language,
        document_name=document_name,
        document=document,
        bank_holder=bank_holder.strip(),
    )
