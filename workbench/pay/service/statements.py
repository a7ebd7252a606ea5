"""What people earned: a worker's statements (own, or anyone's for an admin), time on task
against pay, and the admin's reports, on screen or as .xlsx/.csv files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from workbench.pay import engine, reports
from workbench.pay import time_on_task as work_time
from workbench.pay.service.common import (
    _as_invalid_input,
    _frame,
    _is_workbook,
    _lines_frame,
    _settled_and_pending,
    _settled_reviews_frame,
    _settled_work_frame,
    _statement_owner,
    _write,
)
from workbench.store import pay_store, repo
from workbench.workflow import access
from workbench.workflow.errors import InvalidInput

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor
    from workbench.workflow.service import Workbench

REPORT_TABLES = ("workers", "languages", "totals")


def statement(wb: "Workbench", actor: "Actor", username: str) -> pd.DataFrame:
    """One worker's items, newest first (``reports.STATEMENT_COLUMNS``).

    Settled items show what was paid; pending ones are priced at the rates in force when
    they were accepted and show the payday they are due on. A worker sees only their own.
    """
    with wb.store.reading() as session:
        worker = _statement_owner(session, actor, username)
        settled = _settled_work_frame(pay_store.settled_work(session, user_id=worker.id))
        pending = _frame(pay_store.work_items(session, user_id=worker.id), engine.WORK_ITEM_COLUMNS)
        rates = _frame(pay_store.pay_rates(session), engine.RATE_COLUMNS)
        bonuses = _frame(pay_store.project_rates(session), engine.PROJECT_RATE_COLUMNS)
        penalties = pd.DataFrame([(p.task_id, p.amount_won) for p in repo.penalties_of(session, worker.id)],
                                 columns=["task_id", "amount"])
    with _as_invalid_input():
        priced = engine.price_items(pending, rates, bonuses)
    return reports.statement_frame(_settled_and_pending(settled, priced, "accepted_at"), penalties)


def review_statement(wb: "Workbench", actor: "Actor", username: str) -> pd.DataFrame:
    """One reviewer's finished review rounds, newest first (``reports.REVIEW_STATEMENT_COLUMNS``).

    Settled rounds show what was paid; pending ones are priced at the reviewer rate in
    force when they finished, with the payday they are due on. Rounds with no rate in force
    are unpaid and not listed. A worker sees only their own; a transcriber has none.
    """
    with wb.store.reading() as session:
        worker = _statement_owner(session, actor, username)
        settled = _settled_reviews_frame(pay_store.settled_reviews(session, user_id=worker.id))
        pending = _frame(pay_store.review_items(session, user_id=worker.id), engine.REVIEW_ITEM_COLUMNS)
        rates = _frame(pay_store.reviewer_rates(session), engine.RATE_COLUMNS)
    with _as_invalid_input():
        priced = engine.price_review_items(pending, rates)
    return reports.review_statement_frame(_settled_and_pending(settled, priced, "reviewed_at"))


def time_on_task(wb: "Workbench", actor: "Actor", *, username: str | None = None,
                 by: tuple[str, ...] = ("username", "role", "language")) -> pd.DataFrame:
    """Active work time against pay (``pay.time_on_task.time_on_task_report``) grouped ``by``:
    everyone's for an admin, or one worker's (``username``); a worker sees only their own.
    The minimum wage is ``wb.policy.minimum_wages``."""
    with wb.store.reading() as session:
        if username is None:
            access.require_admin(session, actor)
            user_id = None
        else:
            user_id = _statement_owner(session, actor, username).id
        times = _frame(pay_store.task_times(session, user_id=user_id), work_time.TIME_COLUMNS)
        settled = _settled_work_frame(pay_store.settled_work(session, user_id=user_id))
        pending = _frame(pay_store.work_items(session, user_id=user_id), engine.WORK_ITEM_COLUMNS)
        rates = _frame(pay_store.pay_rates(session), engine.RATE_COLUMNS)
        bonuses = _frame(pay_store.project_rates(session), engine.PROJECT_RATE_COLUMNS)
        settled_reviews = _settled_reviews_frame(pay_store.settled_reviews(session, user_id=user_id))
        rounds = _frame(pay_store.review_items(session, user_id=user_id), engine.REVIEW_ITEM_COLUMNS)
        reviewer_rates = _frame(pay_store.reviewer_rates(session), engine.RATE_COLUMNS)
    with _as_invalid_input():
        priced = engine.price_items(pending, rates, bonuses)
        priced_rounds = engine.price_review_items(rounds, reviewer_rates).set_index("review_id")["amount"]
    transcribed = pd.concat([settled[["user_id", "task_id", "source_ms", "amount"]],
                             priced[["user_id", "task_id", "source_ms", "amount"]]])
    # A round with no reviewer rate in force still counts its audio, at 0 won.
    pending_rounds = rounds.assign(
        audio_ms=[engine.duration_ms(seconds) for seconds in rounds["reviewed_seconds"]],
        amount=[int(priced_rounds.get(review_id, 0)) for review_id in rounds["review_id"]],
    )
    paid = pd.concat([
        transcribed.rename(columns={"source_ms": "audio_ms"}).assign(role="transcriber"),
        settled_reviews.rename(columns={"reviewed_ms": "audio_ms"})[["user_id", "task_id", "audio_ms", "amount"]]
        .assign(role="reviewer"),
        pending_rounds[["user_id", "task_id", "audio_ms", "amount"]].assign(role="reviewer"),
    ], ignore_index=True)
    with _as_invalid_input():
        return work_time.time_on_task_report(times, paid, minimum_wages=wb.policy.minimum_wages, by=by)


def statement_lines(wb: "Workbench", actor: "Actor", username: str) -> pd.DataFrame:
    """One worker's committed settlement lines as ``reports.worker_period_report`` rows."""
    with wb.store.reading() as session:
        worker = _statement_owner(session, actor, username)
        lines = _lines_frame(pay_store.settlement_lines(session, user_id=worker.id))
    return reports.worker_period_report(lines)


def export_statement(wb: "Workbench", actor: "Actor", username: str, path: Path) -> Path:
    """Write one worker's statement (same permissions as ``statement``); see ``write_statement``."""
    lines = statement_lines(wb, actor, username) if _is_workbook(path) else None
    return write_statement(lines, statement(wb, actor, username), path)


def write_statement(lines: pd.DataFrame | None, items: pd.DataFrame, path: Path) -> Path:
    """Write a statement from ``statement_lines`` and ``statement``: ``.xlsx`` gets
    ``settlements`` and ``items`` sheets, ``.csv`` the items (it needs no ``lines``)."""
    if not _is_workbook(path):
        return _write({"items": items}, path)
    if lines is None:
        raise ValueError("an .xlsx statement needs the settlement lines")
    return _write({"settlements": lines, "items": items}, path)


def period_report(wb: "Workbench", actor: "Actor") -> pd.DataFrame:
    """Every committed settlement per worker (``reports.WORKER_REPORT_COLUMNS``); admin only."""
    with wb.store.reading() as session:
        access.require_admin(session, actor)
        lines = _lines_frame(pay_store.settlement_lines(session))
    return reports.worker_period_report(lines)


def totals_report(wb: "Workbench", actor: "Actor") -> pd.DataFrame:
    """Totals per committed payday (``reports.PERIOD_TOTAL_COLUMNS``), a payday that paid
    nobody as a row of zeros; admin only."""
    with wb.store.reading() as session:
        access.require_admin(session, actor)
        lines = _lines_frame(pay_store.settlement_lines(session))
        paydays = pay_store.committed_paydays(session)
    return reports.period_totals(reports.worker_period_report(lines), paydays=paydays)


def language_report(wb: "Workbench", actor: "Actor") -> pd.DataFrame:
    """Committed work per payday per language (``reports.LANGUAGE_REPORT_COLUMNS``); admin only."""
    with wb.store.reading() as session:
        access.require_admin(session, actor)
        items = _settled_work_frame(pay_store.settled_work(session))
    return reports.language_period_report(items)


def export_report(wb: "Workbench", actor: "Actor", path: Path, *, table: str = "workers") -> Path:
    """Write the pay reports; admin only.

    ``.xlsx`` gets three sheets (workers, languages, totals); ``.csv`` the one ``table``.
    """
    if table not in REPORT_TABLES:
        raise InvalidInput(f"Unknown report {table!r}; choose one of {', '.join(REPORT_TABLES)}.")
    workers = period_report(wb, actor)
    wanted = REPORT_TABLES if _is_workbook(path) else (table,)
    tables = {
        "workers": lambda: workers,
        "languages": lambda: language_report(wb, actor),
        "totals": lambda: totals_report(wb, actor),
    }
    return _write({name: tables[name]() for name in wanted}, path)
