"""Pay over the store: the engine's DataFrames filled from the database, and back.

Every function takes the ``Workbench`` and the acting user first and asks
``workflow.access`` (the one permission entry point) inside its transaction: settling, reports and rate changes are admin-only; a worker may read their own
statement (an admin anyone's) and the rate history.

>>> settlement = settle(wb, admin, date(2026, 11, 30))               # doctest: +SKIP
>>> settlement.lines[["username", "gross", "net", "status"]]         # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from workbench.pay import engine, reports
from workbench.pay import time_on_task as work_time
from workbench.pay.calendar import PayPeriod, pay_period, payday_for, seoul_datetime, seoul_minute
from workbench.pay.engine import DEFAULT_MINIMUM_PAYOUT, PayInputError
from workbench.store import audit, pay_store, repo
from workbench.workflow import access
from workbench.workflow.limits import check_language
from workbench.workflow.errors import InvalidInput, NotFound
from workbench.workflow.limits import DB_INT_MAX, NAME, checked_text

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor
    from workbench.workflow.service import Workbench

RATE_HISTORY_COLUMNS = ("language", "won_per_minute", "effective_at", "set_by", "created_at")
PROJECT_RATE_HISTORY_COLUMNS = ("project", "won_per_minute", "basis", "effective_at", "set_by", "created_at")
REPORT_TABLES = ("workers", "languages", "totals")


@dataclass(frozen=True, eq=False)
class Settlement:
    """One payday's settlement, committed or a dry run.

    ``lines`` has ``engine.LINE_COLUMNS`` (one row per worker); ``items`` the work items
    paid (``engine.ITEM_OUTPUT_COLUMNS`` plus ``payday``); ``penalties`` those deducted
    (``engine.PENALTY_COLUMNS``); ``reviews`` the review rounds paid
    (``engine.REVIEW_OUTPUT_COLUMNS`` plus ``payday``). ``committed`` says the database holds it; ``created`` that
    this very call recorded it (False for a dry run and for a payday already committed,
    whose stored settlement is returned unchanged).
    """

    period: PayPeriod
    minimum_payout: int
    lines: pd.DataFrame
    items: pd.DataFrame
    penalties: pd.DataFrame
    committed: bool
    created: bool
    committed_at: datetime | None = None
    committed_by: str | None = None
    reviews: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(engine.REVIEW_OUTPUT_COLUMNS) + ["payday"]))

    @property
    def payday(self) -> date:
        return self.period.payday

    @property
    def total_net(self) -> int:
        return int(self.lines["net"].sum())

    def summary(self, *, dry_run_hint: str = "") -> str:
        """What happened, the period and the totals, in the words the CLI and the admin page share.

        ``dry_run_hint`` follows the dry-run sentence (the CLI names its ``--commit`` flag)."""
        return " ".join(self._summary_lines(dry_run_hint))

    def describe(self) -> str:
        """The settlement as the CLI prints it: the summary, with one row per worker before the totals."""
        state, period, totals = self._summary_lines(" (add --commit to record it)")
        table = reports.worker_period_report(self.lines).drop(columns="payday")
        return "\n".join([state, period, reports.format_table(table), totals])

    def _summary_lines(self, dry_run_hint: str) -> tuple[str, str, str]:
        if self.created:
            state = f"Committed the settlement for payday {self.payday}"
        elif self.committed:
            state = (f"Payday {self.payday} was already committed at {seoul_minute(self.committed_at)} by "
                     f"{self.committed_by}; nothing new was recorded")
        else:
            state = f"Dry run for payday {self.payday}: nothing recorded{dry_run_hint}"
        period = (f"Work accepted {seoul_minute(self.period.start)} – {seoul_minute(self.period.cutoff)} "
                  f"(Asia/Seoul), minimum payout {self.minimum_payout:,} won: less carries over to the next payday")
        paid = int((self.lines["status"] == "paid").sum())
        reviewed = f" and {len(self.reviews)} review round(s)" if len(self.reviews) else ""
        totals = (f"{len(self.items)} item(s){reviewed}; {paid} of {len(self.lines)} worker(s) paid, "
                  f"{self.total_net:,} won net.")
        return f"{state}.", f"{period}.", totals


def settle(wb: "Workbench", actor: "Actor", payday: date, *, commit: bool = False,
           minimum_payout: int = DEFAULT_MINIMUM_PAYOUT) -> Settlement:
    """Settle ``payday``: a dry run by default; ``commit=True`` records it.

    Once committed, a payday is never settled again: a second call (even a concurrent
    one) returns the stored settlement with ``created=False`` and records nothing new.
    Committing needs the period to be over (its cut-off passed by ``wb``'s clock) and no
    later payday committed, so carry-overs chain in payday order.
    """
    try:
        period = pay_period(payday)
    except ValueError as error:
        raise InvalidInput(str(error)) from None
    if isinstance(minimum_payout, bool) or not isinstance(minimum_payout, int) or minimum_payout < 0:
        raise InvalidInput(f"The minimum payout must be a whole number of won, 0 or more, not {minimum_payout!r}.")
    with wb.store.session() as session:
        admin = access.require_admin(session, actor)
        if commit:
            pay_store.lock_settlements(session)
        stored = pay_store.settlement(session, payday)
        if stored is not None:
            return _stored_settlement(session, stored)
        now = wb.now()
        if commit:
            _check_committable(session, period, now)
        work, rates, bonuses, unsettled_penalties, carry_over = _settlement_inputs(session)
        review_work = _frame(pay_store.review_items(session), engine.REVIEW_ITEM_COLUMNS)
        reviewer_rates = _frame(pay_store.reviewer_rates(session), engine.RATE_COLUMNS)
        with _as_invalid_input():
            items = engine.settle_items(work, rates, bonuses, period=period)
            reviews = engine.settle_review_items(review_work, reviewer_rates, period=period)
            penalties = engine.due_penalties(unsettled_penalties, period=period)
            lines = engine.settle_lines(items, penalties, carry_over, period=period, minimum_payout=minimum_payout,
                                        reviews=reviews)
        items, reviews = items.assign(payday=payday), reviews.assign(payday=payday)
        if commit:
            settlement_id = pay_store.insert_settlement(
                session, payday=payday, period_start=period.start, cutoff=period.cutoff,
                minimum_payout=minimum_payout, committed_by_id=admin.id, committed_at=now,
                lines=_records(lines), work=_records(items), penalties=_records(penalties),
                reviews=_records(reviews),
            )
            audit.record(session, at=now, actor_id=admin.id, action="settlement.commit", entity="settlement",
                         entity_id=settlement_id, detail={"payday": payday.isoformat(), "workers": len(lines),
                                                          "items": len(items), "reviews": len(reviews),
                                                          "net": int(lines["net"].sum())})
        return Settlement(period=period, minimum_payout=minimum_payout, lines=lines, items=items,
                          penalties=penalties, reviews=reviews, committed=commit, created=commit,
                          committed_at=now if commit else None,
                          committed_by=admin.username if commit else None)


def parse_payday(text: str) -> date:
    """``YYYY-MM-DD`` to a date; ``InvalidInput`` otherwise (payday checks come in ``settle``)."""
    if not isinstance(text, str):
        raise InvalidInput("Give the payday as a date like 2026-11-30.")
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date like 2026-11-30.") from None


def parse_effective_at(text: str) -> datetime:
    """An ISO date-time for a rate; Seoul time unless it carries an offset."""
    if not isinstance(text, str):
        raise InvalidInput("Give the time as a date-time like 2026-12-01T14:00.")
    try:
        return seoul_datetime(text)
    except ValueError as error:
        raise InvalidInput(str(error)) from None


def _check_committable(session, period: PayPeriod, now: datetime) -> None:
    if now < period.cutoff:
        raise InvalidInput(
            f"The period paid on {period.payday} is still open until {period.cutoff.isoformat()}; "
            "commit it after the cut-off (a dry run works any time)."
        )
    latest = pay_store.latest_settlement(session)
    if latest is not None and latest["payday"] > period.payday:
        raise InvalidInput(
            f"{latest['payday']} is already committed; an earlier payday ({period.payday}) can no longer be. "
            "Work it did not cover is paid by the next payday."
        )


def _settlement_inputs(session) -> tuple[pd.DataFrame, ...]:
    return (
        _frame(pay_store.work_items(session), engine.WORK_ITEM_COLUMNS),
        _frame(pay_store.pay_rates(session), engine.RATE_COLUMNS),
        _frame(pay_store.project_rates(session), engine.PROJECT_RATE_COLUMNS),
        _frame(pay_store.unsettled_penalties(session), engine.PENALTY_COLUMNS),
        _frame(pay_store.carry_over(session), engine.CARRY_OVER_COLUMNS),
    )


def _stored_settlement(session, stored: dict) -> Settlement:
    payday = stored["payday"]
    period = PayPeriod(payday=payday, start=stored["period_start"], cutoff=stored["cutoff"])
    lines = _frame(pay_store.settlement_lines(session, payday=payday), engine.LINE_COLUMNS)
    items = _frame(pay_store.settled_work(session, payday=payday), engine.ITEM_OUTPUT_COLUMNS + ("payday",))
    penalties = _frame(pay_store.settled_penalties(session, payday=payday), engine.PENALTY_COLUMNS)
    reviews = _frame(pay_store.settled_reviews(session, payday=payday), engine.REVIEW_OUTPUT_COLUMNS + ("payday",))
    return Settlement(period=period, minimum_payout=stored["minimum_payout"], lines=lines, items=items,
                      penalties=penalties, reviews=reviews, committed=True, created=False,
                      committed_at=stored["committed_at"], committed_by=stored["committed_by"])


def statement(wb: "Workbench", actor: "Actor", username: str) -> pd.DataFrame:
    """One worker's items, newest first (``reports.STATEMENT_COLUMNS``).

    Settled items show what was paid; pending ones are priced at the rates in force when
    they were accepted and show the payday they are due on. A worker sees only their own.
    """
    with wb.store.reading() as session:
        worker = _statement_owner(session, actor, username)
        settled = _frame(pay_store.settled_work(session, user_id=worker["id"]),
                         engine.ITEM_OUTPUT_COLUMNS + ("payday",))
        pending = _frame(pay_store.work_items(session, user_id=worker["id"]), engine.WORK_ITEM_COLUMNS)
        rates = _frame(pay_store.pay_rates(session), engine.RATE_COLUMNS)
        bonuses = _frame(pay_store.project_rates(session), engine.PROJECT_RATE_COLUMNS)
        penalties = pd.DataFrame([(p.task_id, p.amount_won) for p in repo.penalties_of(session, worker["id"])],
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
        settled = _frame(pay_store.settled_reviews(session, user_id=worker["id"]),
                         engine.REVIEW_OUTPUT_COLUMNS + ("payday",))
        pending = _frame(pay_store.review_items(session, user_id=worker["id"]), engine.REVIEW_ITEM_COLUMNS)
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
            user_id = _statement_owner(session, actor, username)["id"]
        times = _frame(pay_store.task_times(session, user_id=user_id), work_time.TIME_COLUMNS)
        settled = _frame(pay_store.settled_work(session, user_id=user_id), engine.ITEM_OUTPUT_COLUMNS + ("payday",))
        pending = _frame(pay_store.work_items(session, user_id=user_id), engine.WORK_ITEM_COLUMNS)
        rates = _frame(pay_store.pay_rates(session), engine.RATE_COLUMNS)
        bonuses = _frame(pay_store.project_rates(session), engine.PROJECT_RATE_COLUMNS)
        settled_reviews = _frame(pay_store.settled_reviews(session, user_id=user_id),
                                 engine.REVIEW_OUTPUT_COLUMNS + ("payday",))
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
        lines = _frame(pay_store.settlement_lines(session, user_id=worker["id"]), engine.LINE_COLUMNS)
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
        lines = _frame(pay_store.settlement_lines(session), engine.LINE_COLUMNS)
    return reports.worker_period_report(lines)


def language_report(wb: "Workbench", actor: "Actor") -> pd.DataFrame:
    """Committed work per payday per language (``reports.LANGUAGE_REPORT_COLUMNS``); admin only."""
    with wb.store.reading() as session:
        access.require_admin(session, actor)
        items = _frame(pay_store.settled_work(session), engine.ITEM_OUTPUT_COLUMNS + ("payday",))
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
        "totals": lambda: reports.period_totals(workers),
    }
    return _write({name: tables[name]() for name in wanted}, path)


def _is_workbook(path: Path) -> bool:
    return Path(path).suffix.lower() == ".xlsx"


def _write(sheets: dict[str, pd.DataFrame], path: Path) -> Path:
    from workbench.pay.report_files import write_report

    try:
        return write_report(sheets, Path(path))
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
        if latest is not None and effective_at < latest["cutoff"]:
            raise InvalidInput(
                f"Work up to {latest['cutoff'].isoformat()} is already settled (payday {latest['payday']}); "
                "a new rate must take effect after that."
            )
        if exists(session, effective_at):
            raise InvalidInput(f"A {what} already takes effect at {effective_at.isoformat()}.")
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


def _statement_owner(session, actor: "Actor", username: str) -> dict:
    """The worker whose statement ``actor`` asks for: themselves, or anyone for an admin."""
    viewer = access.current(session, actor)
    worker = pay_store.user_by_username(session, username)
    if worker is None:
        raise NotFound(f"No user {username!r}.")
    access.may_see_account(viewer, worker["id"], refusal="You can only see your own statement.")
    return worker


def _settled_and_pending(settled: pd.DataFrame, priced: pd.DataFrame, at: str) -> pd.DataFrame:
    """A statement's rows: what was settled, then what is pending, each pending row with the
    payday its moment ``at`` falls due on."""
    priced = priced.assign(payday=[payday_for(moment) for moment in priced[at]], settled=False)
    frames = [frame for frame in (settled.assign(settled=True), priced) if len(frame)]
    return pd.concat(frames, ignore_index=True) if frames else priced


def _frame(rows: list[dict], columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(columns))


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain Python values (pandas timestamps become datetimes) for the store."""
    return [
        {key: value.to_pydatetime() if isinstance(value, pd.Timestamp) else value for key, value in row.items()}
        for row in frame.to_dict("records")
    ]


@contextmanager
def _as_invalid_input() -> Iterator[None]:
    """Turn the engine's complaints about stored data into a message for the user."""
    try:
        yield
    except PayInputError as error:
        raise InvalidInput(f"Pay cannot be worked out: {error}.") from error
