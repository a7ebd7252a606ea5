"""Quality tab handlers (workflow/quality.py, reviewer_checks.py): the suspensions and warnings,
lifting one with a reason, the senior role, and the figures per day.

Each takes the Workbench and the acting user and returns plain values; the Workbench refuses
anyone who is not an admin, so calling these directly grants nothing.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from workbench.domain.times import seoul_minute
from workbench.workflow.errors import InvalidInput

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor
    from workbench.workflow.service import Workbench

ACTION_COLUMNS = ("id", "at", "worker", "project", "role", "kind", "reason", "segments", "state")
RATE_COLUMNS = ("day", "worker", "project", "role", "checked", "defects", "rate", "outcome")
ACCURACY_COLUMNS = ("reviewer", "language", "project", "senior", "checked", "confirmed", "accuracy", "limited")


def actions_table(wb: "Workbench", actor: "Actor") -> pd.DataFrame:
    rows = [(a.id, seoul_minute(a.created_at), a.username, a.project, a.role, a.kind, a.reason,
             ", ".join(map(str, a.segment_ids)), "open" if a.open else f"lifted: {a.lift_reason}")
            for a in wb.quality_actions(actor)]
    return pd.DataFrame(rows, columns=list(ACTION_COLUMNS))


def rates_table(wb: "Workbench", actor: "Actor") -> pd.DataFrame:
    rows = [(r.day, r.username, r.project, r.role, r.checked, r.defects, round(r.rate, 3), r.outcome)
            for role in ("transcriber", "reviewer") for r in wb.defect_rates(actor, role=role)]
    return pd.DataFrame(rows, columns=list(RATE_COLUMNS))


def accuracy_table(wb: "Workbench", actor: "Actor") -> pd.DataFrame:
    rows = [(s.username, s.language, s.project or "", "yes" if s.senior else "", s.checked, s.confirmed,
             None if s.accuracy is None else round(s.accuracy, 3), "limited" if s.limited else "")
            for s in wb.reviewer_accuracy(actor)]
    return pd.DataFrame(rows, columns=list(ACCURACY_COLUMNS))


def lift(wb: "Workbench", actor: "Actor", suspension_id: float | None, reason: str) -> str:
    if (isinstance(suspension_id, bool) or not isinstance(suspension_id, (int, float))
            or not (math.isfinite(suspension_id) and suspension_id == int(suspension_id))):
        raise InvalidInput("Give the suspension's id, a whole number from the table.")
    lifted = wb.lift_suspension(actor, int(suspension_id), reason=reason)
    return f"Lifted suspension {lifted.id} of {lifted.username} in {lifted.project}."


def senior(wb: "Workbench", actor: "Actor", username: str, grant: bool) -> str:
    if not isinstance(grant, bool):
        raise InvalidInput("Say whether to grant the senior role or take it back.")
    username = username.strip() if isinstance(username, str) else ""
    if not username:
        raise InvalidInput("Give the reviewer's username.")
    if grant:
        wb.grant_senior(actor, username)
        return f"{username} is a senior reviewer."
    wb.revoke_senior(actor, username)
    return f"{username} is no longer a senior reviewer."
