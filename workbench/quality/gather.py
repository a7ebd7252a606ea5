"""The quality figures of the deployment, read with the admin's rights (``figures``).

``rules_figures`` reads the defect-rate rules' and the reviewer checks' figures
(``defect_rates``, ``reviewer_accuracy``); the dashboard and the export show whatever it
returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from workbench.quality import figures

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor
    from workbench.workflow.service import Workbench

TIME_BY = ("role", "language", "project")


@dataclass(frozen=True)
class QualityFigures:
    """Every frame of the dashboard (``figures`` names their columns)."""

    gold: pd.DataFrame
    agreement: pd.DataFrame
    agreement_by_worker: pd.DataFrame
    time_on_task: pd.DataFrame
    work_per_audio: pd.DataFrame
    hourly_pay: pd.DataFrame
    rules: dict[str, pd.DataFrame] = field(default_factory=dict)

    def to_json(self) -> dict:
        """Per language and project only (no usernames): what the export's quality report holds."""
        def records(frame: pd.DataFrame) -> list[dict]:
            return [{key: (value.date().isoformat() if isinstance(value, pd.Timestamp) else
                           value.item() if hasattr(value, "item") else value) for key, value in row.items()}
                    for row in frame.to_dict("records")]

        times = self.time_on_task[[c for c in (*TIME_BY, "minutes_per_audio_minute", "won_per_hour", "minimum_wage",
                                               "meets_minimum") if c in self.time_on_task.columns]]
        return {"gold_over_time": records(self.gold.drop(columns="group")),
                "agreement": records(self.agreement.drop(columns="group")),
                "time_on_task": records(times),
                **{name: records(without_people(frame)) for name, frame in self.rules.items()}}


def without_people(frame: pd.DataFrame) -> pd.DataFrame:
    """A rules frame with no username in it: per-person rows summed per language (and
    project, where the frame has one), an accuracy worked out again from the sums."""
    if "username" not in frame.columns:
        return frame
    keys = [c for c in ("language", "project") if c in frame.columns]
    summed = frame.groupby(keys, as_index=False)[["checked", "confirmed"]].sum()
    summed["accuracy"] = (summed["confirmed"] / summed["checked"].where(summed["checked"] > 0)).round(3)
    return summed


def quality_figures(wb: "Workbench", actor: "Actor") -> QualityFigures:
    """The dashboard's figures (admin only: every call below checks)."""
    from workbench.pay.service import time_on_task

    gold = pd.DataFrame([(s.scored_at, s.language, s.project, s.cer, s.passed) for s in wb.gold_scores(actor)],
                        columns=list(figures.GOLD_COLUMNS))
    spans = pd.DataFrame([(a.measured_at, a.language, a.project, a.first, a.second, a.cer, a.disputed)
                          for a in wb.double_agreements(actor)], columns=list(figures.AGREEMENT_COLUMNS))
    times = time_on_task(wb, actor, by=TIME_BY)
    return QualityFigures(gold=figures.gold_over_time(gold), agreement=figures.agreement_by_language(spans),
                          agreement_by_worker=figures.agreement_by_worker(spans), time_on_task=times,
                          work_per_audio=figures.work_per_audio(times), hourly_pay=figures.hourly_pay(times),
                          rules=rules_figures(wb, actor))


def rules_figures(wb: "Workbench", actor: "Actor") -> dict[str, pd.DataFrame]:
    """The quality rules' figures (workflow/quality.py, reviewer_checks.py) as frames the
    dashboard draws and the export's report lists: defect rates per day, project and role
    (returned segments over reviewed ones, summed over the workers judged that day), and each
    reviewer's accuracy per project (the share of their verdicts there a senior confirmed)."""
    rows = [(r.day, r.project, role, r.checked, r.defects) for role in ("transcriber", "reviewer")
            for r in wb.defect_rates(actor, role=role)]
    rates = pd.DataFrame(rows, columns=["day", "project", "role", "checked", "defects"])
    rates = rates.groupby(["day", "project", "role"], as_index=False)[["checked", "defects"]].sum()
    rates["defect_rate"] = (rates["defects"] / rates["checked"].where(rates["checked"] > 0)).round(3)
    accuracy = pd.DataFrame([(s.username, s.language, s.project, s.checked, s.confirmed, s.accuracy)
                             for s in wb.reviewer_accuracy(actor)],
                            columns=["username", "language", "project", "checked", "confirmed", "accuracy"])
    return {"defect_rates": rates, "reviewer_accuracy": accuracy}
