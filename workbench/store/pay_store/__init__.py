"""Pay's queries, by concern (work, rates, settlements); ``pay_store.name`` reaches each.
``workbench.pay.service`` calls these with a session from ``Store`` and gets rows back, as
every store query does: ``Row``s labelled with the engine's column names, or ORM rows (it
builds the engine's DataFrames from them); no SQL lives in pay/.

A work item is a ``complete`` task with a transcriber and a completion time: the
transcriber is paid once per task, however many review rounds it took. A review item is a
finished review round (``review_rounds``), paid to its reviewer. Committing is
serialised (``lock_settlements``) and guarded by the UNIQUE constraints of
``settlement_items``, so two concurrent commits can never pay one task twice.
"""

from __future__ import annotations

from workbench.store.pay_store.work import (  # noqa: F401 - the package is the one name callers use
    user_by_username,
    work_items,
    waiting_work,
    pay_state,
    record_review_round,
    review_items,
    unsettled_penalties,
    last_activity_at,
    add_task_time,
    task_times,
)
from workbench.store.pay_store.rates import (  # noqa: F401 - the package is the one name callers use
    pay_rates,
    project_rates,
    reviewer_rates,
    has_reviewer_rate,
    add_reviewer_rate,
    has_pay_rate,
    has_project_rate,
    add_pay_rate,
    add_project_rate,
)
from workbench.store.pay_store.settlements import (  # noqa: F401 - the package is the one name callers use
    lock_settlements,
    settlement,
    latest_settlement,
    committed_paydays,
    carry_over,
    settlement_lines,
    settled_work,
    settled_reviews,
    settled_penalties,
    insert_settlement,
    LINE_MONEY_COLUMNS,
)
