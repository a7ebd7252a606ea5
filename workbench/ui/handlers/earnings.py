"""My earnings: a worker's pay per period and their statement, read through pay.service,
which lets a worker see only their own."""

from __future__ import annotations

import functools
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from workbench.languages import text_joiner
from workbench.pay.reports import WORKER_STATEMENT_COLUMNS as STATEMENT_COLUMNS
from workbench.ui import i18n

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


def my_earnings(wb: "Workbench", actor: "Actor", language: str = i18n.SOURCE) -> Earnings:
    """The actor's own earnings, its sentences in ``language`` (the tables keep their codes:
    ``for_reader`` puts them in the reader's words)."""
    from workbench.pay.plots import plot_periods
    from workbench.pay.service import review_statement, statement, statement_lines, time_on_task

    periods = statement_lines(wb, actor, actor.username)
    items = statement(wb, actor, actor.username)
    reviews = review_statement(wb, actor, actor.username)
    own_time = time_on_task(wb, actor, username=actor.username, by=("role", "language"))
    return Earnings(
        summary=earnings_summary(periods, items, reviews, language=language),
        periods=periods[list(PERIOD_COLUMNS)].iloc[::-1].reset_index(drop=True),
        statement=items.assign(accepted_at=items["accepted_at"].dt.strftime("%Y-%m-%d %H:%M"))[
            list(STATEMENT_COLUMNS)
        ],
        chart=plot_periods(periods, *chart_words(language)) if len(periods) else None,
        time_on_task=own_time[list(TIME_COLUMNS)],
        time_summary=time_summary(own_time, language=language),
        reviews=reviews.assign(reviewed_at=reviews["reviewed_at"].dt.strftime("%Y-%m-%d %H:%M"))[
            list(REVIEW_COLUMNS)
        ],
    )


# Fonts with Hangul, hanzi and kana (Debian's fonts-noto-cjk; matplotlib's own has none).
CJK_FONTS = ("Noto Sans CJK JP", "Noto Sans CJK KR", "Noto Sans CJK SC", "Noto Sans CJK TC")


@functools.cache
def cjk_font() -> str | None:
    """The first of ``CJK_FONTS`` this machine has, else None."""
    from matplotlib import font_manager

    for family in CJK_FONTS:
        try:
            font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
        except ValueError:
            continue
        return family
    return None


def chart_words(language: str) -> tuple[dict[str, str] | None, str | None]:
    """The earnings chart's words and font for ``language`` (Korean, Chinese and Japanese need
    a CJK font): English where this machine has none (a box per character is worse)."""
    if language == i18n.SOURCE or i18n.known(language) != language:
        return None, None
    font = cjk_font()
    if font is None:
        return None, None
    tr = i18n.translator(language)
    return {"minutes": tr("audio minutes"), "gross": tr("gross (won)"), "net": tr("net (won)"), "won": tr("won"),
            "payday": tr("payday"), "title": tr("Minutes and pay per period"), "empty": tr("No settlements yet")}, font


def joined(sentences: list[str], language: str) -> str:
    """Sentences follow one another after a space, except in Chinese and Japanese, whose full
    stop ends a sentence without one."""
    return text_joiner(language).join(sentences)


def no_paydays_note(language: str = i18n.SOURCE) -> str:
    tr = i18n.translator(language)
    return tr("Your paydays appear here once a settlement that pays you is committed.")


def column_names(language: str) -> dict[str, str]:
    """The earnings tables' column names as a reader of ``language`` reads them."""
    tr = i18n.translator(language)
    return {
        "payday": tr("payday"), "status": tr("status"), "clip": tr("clip"), "language": tr("language"),
        "project": tr("project"), "minutes": tr("minutes"), "rate": tr("rate"), "bonus_rate": tr("bonus rate"),
        "accepted_at": tr("accepted at"), "amount": tr("amount"), "penalties": tr("penalties"),
        "round": tr("round"), "segments": tr("segments"), "reviewed_at": tr("reviewed at"), "role": tr("role"),
        "tasks": tr("tasks"), "active_minutes": tr("active minutes"), "audio_minutes": tr("audio minutes"),
        "minutes_per_audio_minute": tr("minutes per audio minute"), "earned": tr("earned"),
        "won_per_hour": tr("won per hour"), "minimum_wage": tr("minimum wage"), "items": tr("items"),
        "gross": tr("gross"), "tax": tr("tax"), "net": tr("net"), "carried_out": tr("carried out"),
    }


def cell_words(language: str) -> dict[str, dict[str, str]]:
    """The words in the earnings tables' cells (a status, a role, a language), by column."""
    tr = i18n.translator(language)
    return {
        "status": {"pending": tr("pending"), "settled": tr("settled"), "paid": tr("paid"), "carried": tr("carried over")},
        "role": {"transcriber": tr("transcriber"), "reviewer": tr("reviewer")},
        "language": i18n.language_names(language),
    }


def for_reader(frame: pd.DataFrame, language: str) -> pd.DataFrame:
    """An earnings table as its reader reads it: their words for the column names and for the
    statuses, roles and languages in the cells; figures and dates as they are."""
    words = cell_words(language)
    shown = frame.copy()
    for column, names in words.items():
        if column in shown.columns:
            shown[column] = shown[column].map(lambda value, names=names: names.get(value, value))
    names = column_names(language)
    return shown.rename(columns=lambda column: names.get(str(column), str(column).replace("_", " ")))


def time_summary(report: pd.DataFrame, *, language: str = i18n.SOURCE) -> str:
    """One sentence per role and language: the hourly pay the worker's active time earned,
    against the legal minimum wage."""
    tr = i18n.translator(language)
    if report.empty:
        return tr("Once work you did in the task pages is paid, your active time on it and what it "
                  "earned per hour show here.")
    words = cell_words(language)
    sentences = []
    for row in report.to_dict("records"):
        figures = {
            "role": words["role"].get(row["role"], row["role"]), "language": words["language"].get(row["language"], row["language"]),
            "active": f"{row['active_minutes']:.0f}", "audio": f"{row['audio_minutes']:.1f}",
            "per_minute": f"{row['minutes_per_audio_minute']:.1f}", "earned": f"{int(row['earned']):,}",
            "hourly": f"{int(row['won_per_hour']):,}", "minimum": f"{int(row['minimum_wage']):,}",
        }
        if row["meets_minimum"]:
            sentence = tr("{role} ({language}): {active} active minutes on {audio} audio minutes ({per_minute} per audio "
                          "minute) earned {earned} won, {hourly} won an hour before tax, at or above the minimum wage "
                          "of {minimum} won an hour.", **figures)
        else:
            sentence = tr("{role} ({language}): {active} active minutes on {audio} audio minutes ({per_minute} per audio "
                          "minute) earned {earned} won, {hourly} won an hour before tax, below the minimum wage of "
                          "{minimum} won an hour.", **figures)
        sentences.append(sentence[:1].upper() + sentence[1:])
    return joined(sentences, language)


def earnings_summary(periods: pd.DataFrame, items: pd.DataFrame, reviews: pd.DataFrame | None = None, *,
                     language: str = i18n.SOURCE) -> str:
    """Two sentences a worker reads first: what is pending (tasks accepted and review rounds
    finished), and what was paid last."""
    tr = i18n.translator(language)
    pending = items[items["status"] == "pending"]
    reviewed = reviews[reviews["status"] == "pending"] if reviews is not None else reviews
    if reviewed is not None and len(reviewed):
        figures = {"tasks": len(pending), "rounds": len(reviewed),
                   "minutes": f"{pending['minutes'].sum() + reviewed['minutes'].sum():.1f}",
                   "amount": f"{int(pending['amount'].sum() + reviewed['amount'].sum()):,}",
                   "due": min([*pending["payday"], *reviewed["payday"]])}
        if len(pending):
            earned = tr("Accepted and not yet paid: {tasks} task(s) and {rounds} review round(s), {minutes} minutes, "
                        "{amount} won before tax; the first is due on {due}.", **figures)
        else:
            earned = tr("Accepted and not yet paid: {rounds} review round(s), {minutes} minutes, {amount} won before "
                        "tax; the first is due on {due}.", **figures)
    elif len(pending):
        earned = tr("Accepted and not yet paid: {tasks} task(s), {minutes} minutes, {amount} won before tax; the "
                    "first is due on {due}.", tasks=len(pending), minutes=f"{pending['minutes'].sum():.1f}",
                    amount=f"{int(pending['amount'].sum()):,}", due=min(pending["payday"]))
    else:
        earned = tr("Nothing accepted is waiting to be paid.")
    if len(periods):
        last = periods.iloc[-1]
        paid = tr("Last payday {payday}: {net} won net ({gross} gross, {minutes} minutes).", payday=last["payday"],
                  net=f"{int(last['net']):,}", gross=f"{int(last['gross']):,}", minutes=f"{last['minutes']:.1f}")
    else:
        paid = tr("No payday has been settled for you yet.")
    return joined([earned, paid], language)


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


def coming_json(wb: "Workbench", actor: "Actor", language: str = i18n.SOURCE) -> dict:
    """The light earnings page's JSON: what is coming (``pay.service.coming``) and the last
    committed paydays, each with the sentence the page shows in ``language``. Only the
    actor's own; reused while ``coming_version`` stays the same (``ComingCache``)."""
    from workbench.pay.service import coming_version

    version = (*coming_version(wb, actor, actor.username), language)
    cache = ComingCache.of(wb)
    answer = cache.get(version)
    if answer is None:
        answer = work_out_coming(wb, actor, language)
        cache.put(version, answer)
    return answer


def work_out_coming(wb: "Workbench", actor: "Actor", language: str = i18n.SOURCE) -> dict:
    from workbench.pay.service import coming, statement_lines

    tr = i18n.translator(language)
    statuses = cell_words(language)["status"]
    ahead = coming(wb, actor, actor.username)
    paid = statement_lines(wb, actor, actor.username).tail(PAID_SHOWN).iloc[::-1]
    return {
        "today": ahead.today.isoformat(), "next_payday": ahead.next_payday.isoformat(),
        "minimum_payout": ahead.minimum_payout,
        "waiting": {"tasks": ahead.waiting_tasks, "minutes": round(ahead.waiting_minutes, 1),
                    "amount": ahead.waiting_amount, "text": waiting_sentence(ahead, language)},
        "paydays": [{**payday_figures(day), "text": payday_sentence(day, ahead.minimum_payout, language)}
                    for day in ahead.paydays],
        "nothing_due": "" if ahead.paydays else tr(
            "Nothing accepted is waiting to be paid. Work accepted from today is due on {payday}.",
            payday=ahead.next_payday.isoformat()),
        "paid": [{"payday": str(row["payday"]), "net": int(row["net"]), "gross": int(row["gross"]),
                  "minutes": round(float(row["minutes"]), 1), "status": str(row["status"]),
                  "status_text": statuses.get(str(row["status"]), str(row["status"]))}
                 for row in paid.to_dict("records")],
    }


def payday_figures(day: "ComingPayday") -> dict:
    return {"payday": day.payday.isoformat(), "tasks": day.tasks, "reviews": day.reviews,
            "minutes": round(day.minutes, 1), "gross": day.gross, "penalties": day.penalties,
            "carried_in": day.carried_in, "net": day.net, "carried_out": day.carried_out, "paid": day.paid}


def waiting_sentence(ahead: "Coming", language: str = i18n.SOURCE) -> str:
    tr = i18n.translator(language)
    if not ahead.waiting_tasks:
        return tr("Nothing of yours is waiting for review.")
    return tr("Waiting for review: {tasks} task(s), {minutes} clip minutes, {amount} won before tax if accepted at "
              "today's rates.", tasks=ahead.waiting_tasks, minutes=f"{ahead.waiting_minutes:.1f}",
              amount=f"{ahead.waiting_amount:,}")


def payday_sentence(day: "ComingPayday", minimum_payout: int, language: str = i18n.SOURCE) -> str:
    """What one coming payday pays, and plainly when it pays nothing because the balance is
    below the minimum payout (it carries over) or penalties exceed it."""
    tr = i18n.translator(language)
    if day.tasks and day.reviews:
        what = tr("{tasks} task(s) and {rounds} review round(s)", tasks=day.tasks, rounds=day.reviews)
    elif day.tasks:
        what = tr("{tasks} task(s)", tasks=day.tasks)
    elif day.reviews:
        what = tr("{rounds} review round(s)", rounds=day.reviews)
    else:
        what = tr("no new work")
    extras = []
    if day.carried_in:
        extras.append(tr("{amount} won carried over", amount=f"{day.carried_in:,}"))
    if day.penalties:
        extras.append(tr("{amount} won of penalties deducted", amount=f"{day.penalties:,}"))
    head = tr("{payday}: {work}, {minutes} minutes, {gross} won before tax", payday=day.payday.isoformat(), work=what,
              minutes=f"{day.minutes:.1f}", gross=f"{day.gross:,}")
    if extras:
        head = tr("{sentence} ({details})", sentence=head, details="; ".join(extras))
    if day.paid:
        return tr("{head}: {net} won paid after tax.", head=head, net=f"{day.net:,}")
    if day.carried_out < 0:
        return tr("{head}: nothing is paid that day; penalties exceed your pay, and {owed} won is deducted from later "
                  "pay.", head=head, owed=f"{-day.carried_out:,}")
    return tr("{head}: below the minimum payout of {minimum} won, so nothing is paid that day. The {carried} won "
              "carries over and is paid on the first payday your balance reaches {minimum} won after tax.",
              head=head, minimum=f"{minimum_payout:,}", carried=f"{day.carried_out:,}")
