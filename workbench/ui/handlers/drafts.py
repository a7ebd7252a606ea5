"""Drafts tab handlers: which projects and languages the switch turned off, and turning one
on again. The Workbench refuses anyone but an admin; these only translate the page's values."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from workbench.workflow.errors import InvalidInput

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor
    from workbench.workflow.drafting import DraftEvidence, SwitchState
    from workbench.workflow.service import Workbench


def switched_off_choices(evidence: "DraftEvidence") -> list[tuple[str, str]]:
    """(label, value) of every project and language whose drafts the switch turned off (an
    engine is chosen there and its rolling CER is above the threshold)."""
    return [(f"{project} · {language}", json.dumps([project, language], ensure_ascii=False))
            for (project, language), state in evidence.switches.items() if not state.on and state.engine]


def parse_pair(value: str | None) -> tuple[str, str]:
    """The picker's value back as (project, language); anything else is a clear refusal."""
    if not value:
        raise InvalidInput("Choose the project and language to turn drafts on again for.")
    try:
        pair = json.loads(value)
    except (TypeError, ValueError):
        pair = None
    if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(part, str) for part in pair)):
        raise InvalidInput("Choose the project and language from the list.")
    return pair[0], pair[1]


def restart_drafts(wb: "Workbench", actor: "Actor", value: str | None, reason: str) -> str:
    project, language = parse_pair(value)
    state: SwitchState = wb.restart_drafts(actor, project, language, reason=reason)
    return (f"Drafts are on again for {project} in {language}; the rolling draft CER starts afresh "
            f"({state.reason})")
