"""Rates as history: base, project bonus and reviewer rates, each a new dated row (never an
edit) that starts after the last committed cut-off; admin only to set, anyone to read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import pandas as pd

from workbench.pay import engine
from workbench.domain.times import seoul_minute
from workbench.pay.calendar import seoul_datetime
from workbench.pay.service.common import _frame
from workbench.store import audit, pay_store
from workbench.workflow import access
from workbench.workflow.limits import check_language
from workbench.workflow.errors import InvalidInput
from workbench.workflow.limits import DB_INT_MAX, NAME, checked_text

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor
    from workbench.workflow.service import Workbench

RATE_HISTORY_COLUMNS = ("language", "won_per_minute", "effective_at", "set_by", "created_at")
PROJECT_RATE_HISTORY_COLUMNS = ("project", "won_per_minute", "basis", "effective_at", "set_by", "created_at")


def parse_effective_at(text: str) -> datetime:
    """An ISO date-time for a rate; Seoul time unless it carries an offset."""
    if not isinstance(text, str) or len(text) > 64:  # longer is no date-time, and not worth echoing
        raise InvalidInput("Give the time as a date-time like 2026-12-01 14:00.")
    if not text.strip():
        raise InvalidInput("Choose the date and time (Seoul time) it takes effect.")
    try:
        return seoul_datetime(text)
    except ValueError as error:
        raise InvalidInput(str(error)) from None


def set_rate(wb: "Workbench", actor: "Actor", language: str, won_per_minute: int,
             effective_at: datetime) -> pd.DataFrame:
    """Add a base rate for ``language`` from ``effective_at`` on; admin only.

    Rates are history, never edited: a change is a new row. A rate cannot start before
    the last committed cut-off (that work is paid) nor twice at the same instant.
    Returns the new rate history.
    """
    check_language(language)
    _add_rate(wb, actor, won_per_minute, effective_at,
              exists=lambda session, at: pay_store.has_pay_rate(session, language, at),
              add=lambda session, **values: pay_store.add_pay_rate(session, language=language, **values),
              what=f"{language} rate")
    return rate_history(wb, actor)


def set_project_rate(wb: "Workbench", actor: "Actor", project: str, won_per_minute: int,
                     effective_at: datetime, *, basis: str = "source") -> pd.DataFrame:
    """Add a bonus for ``project`` per minute of ``basis`` (``source`` clip or ``speech``
    audio) from ``effective_at`` on; 0 ends a bonus. Admin only, rules as ``set_rate``."""
    if basis not in engine.BONUS_BASES:
        raise InvalidInput(f"The bonus basis is 'source' or 'speech', not {basis!r}.")
    project = checked_text(project, "project", limit=NAME).strip()
    if not project:
        raise InvalidInput("Name the project the bonus is for.")
    _add_rate(wb, actor, won_per_minute, effective_at,
              exists=lambda session, at: pay_store.has_project_rate(session, project, at),
              add=lambda session, **values: pay_store.add_project_rate(session, project=project, basis=basis,
                                                                       **values),
              what=f"bonus for {project}")
    return project_rate_history(wb, actor)


def _add_rate(wb: "Workbench", actor: "Actor", won_per_minute: int, effective_at: datetime, *,
              exists: Callable, add: Callable, what: str) -> None:
    if isinstance(won_per_minute, bool) or not isinstance(won_per_minute, int) or not 0 <= won_per_minute <= DB_INT_MAX:
        raise InvalidInput(f"A rate is a whole number of won per minute, 0 or more, not {won_per_minute!r}.")
    if not isinstance(effective_at, datetime) or effective_at.utcoffset() is None:
        raise InvalidInput("Give the time the rate takes effect with its time zone.")
    effective_at = effective_at.astimezone(timezone.utc)
    with wb.store.session() as session:
        admin = access.require_admin(session, actor)
        pay_store.lock_settlements(session)
        latest = pay_store.latest_settlement(session)
        if latest is not None and effective_at < latest.cutoff:
            raise InvalidInput(
                f"Work up to {seoul_minute(latest.cutoff)} (Seoul time) is already settled (payday {latest.payday}); "
                "a new rate must take effect after that."
            )
        if exists(session, effective_at):
            raise InvalidInput(f"A {what} already takes effect at {seoul_minute(effective_at)} (Seoul time).")
        now = wb.now()
        rate_id = add(session, won_per_minute=won_per_minute, effective_at=effective_at,
                      created_by_id=admin.id, created_at=now)
        audit.record(session, at=now, actor_id=admin.id, action="rate.set", entity="rate", entity_id=rate_id,
                     detail={"what": what, "won_per_minute": won_per_minute,
                             "effective_at": effective_at.isoformat()})


def set_reviewer_rate(wb: "Workbench", actor: "Actor", language: str, won_per_minute: int,
                      effective_at: datetime) -> pd.DataFrame:
    """Add a reviewer rate for ``language`` (won per minute of audio reviewed) from
    ``effective_at`` on; admin only, rules as ``set_rate``. Returns the reviewer rate history."""
    check_language(language)
    _add_rate(wb, actor, won_per_minute, effective_at,
              exists=lambda session, at: pay_store.has_reviewer_rate(session, language, at),
              add=lambda session, **values: pay_store.add_reviewer_rate(session, language=language, **values),
              what=f"{language} reviewer rate")
    return reviewer_rate_history(wb, actor)


def reviewer_rate_history(wb: "Workbench", actor: "Actor") -> pd.DataFrame:
    """Every reviewer rate ever set (``RATE_HISTORY_COLUMNS``), by language and time."""
    with wb.store.reading() as session:
        access.current(session, actor)
        return _frame(pay_store.reviewer_rates(session), RATE_HISTORY_COLUMNS)


def rate_history(wb: "Workbench", actor: "Actor") -> pd.DataFrame:
    """Every base rate ever set (``RATE_HISTORY_COLUMNS``), by language and time."""
    with wb.store.reading() as session:
        access.current(session, actor)
        return _frame(pay_store.pay_rates(session), RATE_HISTORY_COLUMNS)


def project_rate_history(wb: "Workbench", actor: "Actor") -> pd.DataFrame:
    """Every project bonus ever set (``PROJECT_RATE_HISTORY_COLUMNS``)."""
    with wb.store.reading() as session:
        access.current(session, actor)
        return _frame(pay_store.project_rates(session), PROJECT_RATE_HISTORY_COLUMNS)
