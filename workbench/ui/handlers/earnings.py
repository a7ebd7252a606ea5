"""My earnings: a worker's pay per period and their statement, read through pay.service,
which lets a worker see only their own."""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from workbench.pay.reports import WORKER_STATEMENT_COLUMNS as STATEMENT_COLUMNS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from workbench.pay.service import Coming, ComingPayday

    from workbench.workflow.domain import Actor
    from workbench.workflow.service import Workbench

REVIEW_COLUMNS = ("payday", "status", "clip", "language", "project", "round", "segments", "minutes", "rate",
                  "reviewed_at", "amount")
TIME_COLUMNS = ("role", "language", "tasks", "active_minutes", "audio_minutes", "minutes_per_audio_minute",
                "earned", "won_per_hour", "minimum_wage")
PERIOD_COLUMNS = ("payday", "items", "minutes", "gross", "penalties", "tax", "net", "carried_out", "status")


@dataclass(frozen=True)
class Earnings:
    summary: str
    periods: pd.DataFrame  # one row per committed payday (PERIOD_COLUMNS)
    statement: pd.DataFrame  # every item, newest first (STATEMENT_COLUMNS)
    chart: "Figure | None"  # minutes and pay per period; None before the first payday
    # Review rounds finished, newest first (REVIEW_COLUMNS).
    reviews: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(REVIEW_COLUMNS)))
    # Own active time against pay, per role and language (TIME_COLUMNS), and what it says.
    time_on_task: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(TIME_COLUMNS)))
    time_summary: str = ""


def my_earnings(wb: "Workbench", actor: "Actor") -> Earnings:
    from workbench.pay.plots import plot_periods
    from workbench.pay.service import review_statement, statement, statement_lines, time_on_task

    periods = statement_lines(wb, actor, actor.username)
    items = statement(wb, actor, actor.username)
    reviews = review_statement(wb, actor, actor.username)
    own_time = time_on_task(wb, actor, username=actor.username, by=("role", "language"))
    return Earnings(
        summary=earnings_summary(periods, items, reviews),
        periods=periods[list(PERIOD_COLUMNS)].iloc[::-1].reset_index(drop=True),
        statement=items.assign(accepted_at=items["accepted_at"].dt.strftime("%Y-%m-%d %H:%M"))[
            list(STATEMENT_COLUMNS)
        ],
        chart=plot_periods(periods) if len(periods) else None,
        time_on_task=own_time[list(TIME_COLUMNS)],
        time_summary=time_summary(own_time),
        reviews=reviews.assign(reviewed_at=reviews["reviewed_at"].dt.strftime("%Y-%m-%d %H:%M"))[
            list(REVIEW_COLUMNS)
        ],
    )


def time_summary(report: pd.DataFrame) -> str:
    """One sentence per role and language: the hourly pay the worker's active time earned,
    against the legal minimum wage."""
    if report.empty:
        return ("Once work you did in the task pages is paid, your active time on it and what it "
                "earned per hour show here.")
    sentences = []
    for row in report.to_dict("records"):
        verdict = "at or above" if row["meets_minimum"] else "below"
        sentences.append(
            f"{row['role'].title()} ({row['language']}): {row['active_minutes']:.0f} active minutes on "
            f"{row['audio_minutes']:.1f} audio minutes ({row['minutes_per_audio_minute']:.1f} per audio minute) "
            f"earned {int(row['earned']):,} won, {int(row['won_per_hour']):,} won an hour before tax, "
            f"{verdict} the minimum wage of {int(row['minimum_wage']):,} won an hour.")
    return " ".join(sentences)


def earnings_summary(periods: pd.DataFrame, items: pd.DataFrame, reviews: pd.DataFrame | None = None) -> str:
    """Two sentences a worker reads first: what is pending (tasks accepted and review rounds
    finished), and what was paid last."""
    pending = items[items["status"] == "pending"]
    reviewed = reviews[reviews["status"] == "pending"] if reviews is not None else reviews
    if reviewed is not None and len(reviewed):
        minutes = pending["minutes"].sum() + reviewed["minutes"].sum()
        due = min([*pending["payday"], *reviewed["payday"]])
        work = f"{len(pending)} task(s) and " if len(pending) else ""
        earned = (f"Accepted and not yet paid: {work}{len(reviewed)} review round(s), {minutes:.1f} minutes, "
                  f"{int(pending['amount'].sum() + reviewed['amount'].sum()):,} won before tax; "
                  f"the first is due on {due}.")
    elif len(pending):
        due = min(pending["payday"])
        earned = (f"Accepted and not yet paid: {len(pending)} task(s), {pending['minutes'].sum():.1f} minutes, "
                  f"{int(pending['amount'].sum()):,} won before tax; the first is due on {due}.")
    else:
        earned = "Nothing accepted is waiting to be paid."
    if len(periods):
        last = periods.iloc[-1]
        paid = (f"Last payday {last['payday']}: {int(last['net']):,} won net "
                f"({int(last['gross']):,} gross, {last['minutes']:.1f} minutes).")
    else:
        paid = "No payday has been settled for you yet."
    return f"{earned} {paid}"


# --- the light earnings page (ui/earnings_page.py) ----------------------------------------

PAID_SHOWN = 6  # committed paydays listed on the light page; the full statement has them all
CACHED = 4_096  # answers kept per Workbench (per process): one per worker who looked lately


class ComingCache:
    """The light earnings page's answers, by worker and ``pay.service.coming_version``.

    Working pay out runs the engine (pandas), tens of ms; the version is one store read. An
    answer is reused only while the version is the same, i.e. while nothing its figures come
    from has changed, so a cache of one process never disagrees with another's: a miss just
    works it out again. Kept per Workbench (so never across stores), oldest dropped first."""

    _of: "weakref.WeakKeyDictionary[Workbench, ComingCache]" = weakref.WeakKeyDictionary()
    _lock = threading.Lock()

    def __init__(self) -> None:
        self.answers: OrderedDict[tuple, dict] = OrderedDict()

    @classmethod
    def of(cls, wb: "Workbench") -> "ComingCache":
        with cls._lock:
            return cls._of.setdefault(wb, cls())

    def get(self, version: tuple) -> dict | None:
        with self._lock:
            answer = self.answers.get(version)
            if answer is not None:
                self.answers.move_to_end(version)
            return answer

    def put(self, version: tuple, answer: dict) -> None:
        with self._lock:
            self.answers[version] = answer
            while len(self.answers) > CACHED:
                self.answers.popitem(last=False)


def coming_json(wb: "Workbench", actor: "Actor") -> dict:
    """The light earnings page's JSON: what is coming (``pay.service.coming``) and the last
    committed paydays, each with the sentence the page shows. Only the actor's own; reused
    while ``coming_version`` stays the same (``ComingCache``)."""
    from workbench.pay.service import coming_version

    version = coming_version(wb, actor, actor.username)
    cache = ComingCache.of(wb)
    answer = cache.get(version)
    if answer is None:
        answer = work_out_coming(wb, actor)
        cache.put(version, answer)
    return answer


def work_out_coming(wb: "Workbench", actor: "Actor") -> dict:
    from workbench.pay.service import coming, statement_lines

    ahead = coming(wb, actor, actor.username)
    paid = statement_lines(wb, actor, actor.username).tail(PAID_SHOWN).iloc[::-1]
    return {
        "today": ahead.today.isoformat(), "next_payday": ahead.next_payday.isoformat(),
        "minimum_payout": ahead.minimum_payout,
        "waiting": {"tasks": ahead.waiting_tasks, "minutes": round(ahead.waiting_minutes, 1),
                    "amount": ahead.waiting_amount, "text": waiting_sentence(ahead)},
        "paydays": [{**payday_figures(day), "text": payday_sentence(day, ahead.minimum_payout)}
                    for day in ahead.paydays],
        "nothing_due": "" if ahead.paydays else (
            f"Nothing accepted is waiting to be paid. Work accepted from today is due on {ahead.next_payday}."),
        "paid": [{"payday": str(row["payday"]), "net": int(row["net"]), "gross": int(row["gross"]),
                  "minutes": round(float(row["minutes"]), 1), "status": str(row["status"])}
                 for row in paid.to_dict("records")],
    }


def payday_figures(day: "ComingPayday") -> dict:
    return {"payday": day.payday.isoformat(), "tasks": day.tasks, "reviews": day.reviews,
            "minutes": round(day.minutes, 1), "gross": day.gross, "penalties": day.penalties,
            "carried_in": day.carried_in, "net": day.net, "carried_out": day.carried_out, "paid": day.paid}


def waiting_sentence(ahead: "Coming") -> str:
    if not ahead.waiting_tasks:
        return "Nothing of yours is waiting for review."
    return (f"Waiting for review: {ahead.waiting_tasks} task(s), {ahead.waiting_minutes:.1f} clip minutes, "
            f"{ahead.waiting_amount:,} won before tax if accepted at today's rates.")


def payday_sentence(day: "ComingPayday", minimum_payout: int) -> str:
    """What one coming payday pays, and plainly when it pays nothing because the balance is
    below the minimum payout (it carries over) or penalties exceed it."""
    work = [f"{day.tasks} task(s)" if day.tasks else "", f"{day.reviews} review round(s)" if day.reviews else ""]
    what = " and ".join(part for part in work if part) or "no new work"
    extras = []
    if day.carried_in:
        extras.append(f"{day.carried_in:,} won carried over")
    if day.penalties:
        extras.append(f"{day.penalties:,} won of penalties deducted")
    extra = f" ({'; '.join(extras)})" if extras else ""
    head = f"{day.payday}: {what}, {day.minutes:.1f} minutes, {day.gross:,} won before tax{extra}"
    if day.paid:
        return f"{head}: {day.net:,} won paid after tax."
    if day.carried_out < 0:
        return (f"{head}: nothing is paid that day; penalties exceed your pay, and {-day.carried_out:,} won "
                "is deducted from later pay.")
    return (f"{head}: below the minimum payout of {minimum_payout:,} won, so nothing is paid that day. "
            f"The {day.carried_out:,} won carries over and is paid on the first payday your balance "
            f"reaches {minimum_payout:,} won after tax.")
