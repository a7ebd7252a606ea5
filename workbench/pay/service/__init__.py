"""Pay over the store: the engine's DataFrames filled from the database, and back.

Every function takes the ``Workbench`` and the acting user first and asks
``workflow.access`` (the one permission entry point) inside its transaction: settling, reports and rate changes are admin-only; a worker may read their own
statement (an admin anyone's) and the rate history.

One module per job: ``settlement`` (settle a payday), ``statements`` (statements, time on
task, reports), ``rates`` (rate history); ``common`` holds what they share. Callers import
from ``workbench.pay.service``.

>>> settlement = settle(wb, admin, date(2026, 11, 30))               # doctest: +SKIP
>>> settlement.lines[["username", "gross", "net", "status"]]         # doctest: +SKIP
"""

from __future__ import annotations

from workbench.pay.service.coming import Coming, ComingPayday, coming, coming_version
from workbench.pay.service.rates import (
    PROJECT_RATE_HISTORY_COLUMNS,
    RATE_HISTORY_COLUMNS,
    parse_effective_at,
    project_rate_history,
    rate_history,
    reviewer_rate_history,
    set_project_rate,
    set_rate,
    set_reviewer_rate,
)
from workbench.pay.service.settlement import Settlement, parse_payday, settle
from workbench.pay.service.statements import (
    REPORT_TABLES,
    export_report,
    export_statement,
    language_report,
    period_report,
    review_statement,
    statement,
    statement_lines,
    time_on_task,
    totals_report,
    write_statement,
)

__all__ = [
    "Coming", "ComingPayday", "coming", "coming_version", "PROJECT_RATE_HISTORY_COLUMNS", "RATE_HISTORY_COLUMNS", "REPORT_TABLES", "Settlement", "export_report",
    "export_statement", "language_report", "parse_effective_at", "parse_payday", "period_report",
    "project_rate_history", "rate_history", "review_statement", "reviewer_rate_history", "set_project_rate",
    "set_rate", "set_reviewer_rate", "settle", "statement", "statement_lines", "time_on_task", "totals_report",
    "write_statement",
]
