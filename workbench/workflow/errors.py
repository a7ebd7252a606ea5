"""Errors of the workflow layer. ``str(error)`` is always a message fit to show a user.

A refusal made with ``worded`` also keeps its message as a template marked with
``message_id`` (an English gettext id with ``{named}`` placeholders) and its params, as
guideline problems do: ``str`` stays the English for the CLI and logs, and a page words it in
the reader's language (``ui/errors.refusal``; ``ui/i18n.py`` extracts the marked templates).
A param may itself be a ``Worded`` note (a name, a reason), translated with it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from workbench.workflow.domain import SegmentView
    from workbench.workflow.guidelines import Problem


def message_id(template: str) -> str:
    """Marks ``template`` for the message catalogue; the template itself."""
    return template


@dataclass(frozen=True)
class Worded:
    """A message as a ``message_id`` template and its params, for a page to translate;
    ``text`` is the English."""

    template: str
    params: Mapping[str, object] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.template.format(**self.params) if self.params else self.template


_E = TypeVar("_E", bound="WorkbenchError")


class WorkbenchError(Exception):
    """Base of every error the workbench raises on purpose; ``template`` and ``params`` when
    it was ``worded`` (module docstring)."""

    template: str | None = None
    params: Mapping[str, object] = MappingProxyType({})

    @classmethod
    def worded(cls: type[_E], template: str, /, **params: object) -> _E:
        """The refusal ``template`` (marked with ``message_id``) filled in with ``params``."""
        error = cls(template.format(**{name: value.text if isinstance(value, Worded) else value
                                       for name, value in params.items()}))
        error.template, error.params = template, MappingProxyType(params)
        return error


class PermissionDenied(WorkbenchError):
    """The acting user's role, language or ownership does not allow this."""


class NotFound(WorkbenchError):
    """No such user, clip, task or segment (or nothing to offer)."""


class InvalidTransition(WorkbenchError):
    """The object is not in a state that allows this step (e.g. submitting a complete task)."""


class InvalidInput(WorkbenchError):
    """A value given by a user is unacceptable (unknown language, bad file name, too large...)."""


class QueueUnavailable(WorkbenchError):
    """The processing queue is misconfigured (``WORKBENCH_QUEUE_URL``) or cannot be reached."""


class AuthenticationFailed(WorkbenchError):
    """Wrong username or password (deliberately not saying which)."""


class TooManyAttempts(WorkbenchError):
    """Throttled (too many sign-ins or applications): ``retry_after`` seconds until the next
    try can pass, when known."""

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class DuplicateClip(InvalidInput):
    """An upload whose bytes are those of clip ``clip_id`` (neither withdrawn nor dismissed):
    refused unless the admin confirms it (``allow_duplicate``)."""

    def __init__(self, name: str, clip_id: int, clip_name: str, project: str):
        self.clip_id = clip_id
        super().__init__(f"{name} has the same content as clip #{clip_id} ({clip_name}, project {project}). "
                         "Upload it anyway only if it is meant to be transcribed (and paid) twice.")


class StaleVersion(WorkbenchError):
    """A save was based on an older version of the segment than the stored one.

    ``current`` is the segment as stored now, so the UI can show what changed.
    """

    def __init__(self, current: "SegmentView"):
        self.current = current
        super().__init__(
            f"Segment {current.position} was changed elsewhere (now version {current.version}); "
            "reload it before saving."
        )


class GuidelineViolation(WorkbenchError):
    """Submit blocked by guideline errors; ``problems`` lists every error and warning."""

    def __init__(self, problems: "list[Problem]"):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        lines = [f"segment {p.position}: {p.message} [{p.rule}]" for p in errors]
        super().__init__(f"{len(errors)} guideline error(s) block the submit:\n" + "\n".join(lines))
