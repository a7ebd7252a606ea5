"""The admin page's chart of minutes and pay per period (matplotlib, no pyplot state)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


HEADROOM = 1.3
# The chart's words; a page in another language passes its own (``plot_periods(words=...)``).
WORDS = {"minutes": "audio minutes", "gross": "gross (won)", "net": "net (won)", "won": "won", "payday": "payday",
         "title": "Minutes and pay per period", "empty": "No settlements yet"}


def _top(columns: pd.DataFrame) -> float | None:
    """The axis top: HEADROOM above the largest value, or matplotlib's own choice with no data."""
    peak = float(columns.to_numpy(dtype=float).max(initial=0))
    return HEADROOM * peak if peak > 0 else None


def plot_periods(totals: pd.DataFrame, words: Mapping[str, str] | None = None, font: str | None = None) -> Figure:
    """Bars of audio minutes and lines of gross and net pay (won) per payday.

    ``totals`` has ``payday``, ``minutes``, ``gross`` and ``net``, one row per payday
    (``reports.period_totals``) or per worker and payday (``reports.worker_period_report``):
    rows of one payday are added up. The figure is built without pyplot, so concurrent requests never
    share a current figure; it renders with the Agg canvas. ``words`` replace ``WORDS`` (by
    key); ``font`` is a font family tried first for its text (one that has the words' script).
    """
    missing = [column for column in ("payday", "minutes", "gross", "net") if column not in totals.columns]
    if missing:
        raise ValueError(f"period totals lack column(s) {', '.join(missing)}")
    totals = totals.groupby("payday", sort=True)[["minutes", "gross", "net"]].sum().reset_index()
    say = {**WORDS, **(words or {})}
    # The figure's text takes its family when it is made, so the context covers the building.
    with rc_context({"font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"]}):
        return _draw(totals, say)


def _draw(totals: pd.DataFrame, say: Mapping[str, str]) -> Figure:
    figure = Figure(figsize=(8, 4), layout="constrained")
    FigureCanvasAgg(figure)
    minutes_axis = figure.add_subplot()
    labels = [str(payday) for payday in totals["payday"]]
    positions = range(len(labels))
    minutes_axis.bar(positions, totals["minutes"], color="#9ecae1", label=say["minutes"])
    minutes_axis.set_ylabel(say["minutes"])
    minutes_axis.set_xticks(list(positions), labels, rotation=45, ha="right")
    minutes_axis.set_xlabel(say["payday"])
    pay_axis = minutes_axis.twinx()
    pay_axis.plot(positions, totals["gross"], marker="o", color="#08519c", label=say["gross"])
    pay_axis.plot(positions, totals["net"], marker="s", color="#e6550d", label=say["net"])
    pay_axis.set_ylabel(say["won"])
    # Headroom above the tallest bar and point, so markers are not cut by the frame and
    # the legend in the corner does not cover the data.
    minutes_axis.set_ylim(0, _top(totals[["minutes"]]))
    pay_axis.set_ylim(0, _top(totals[["gross", "net"]]))
    handles = minutes_axis.get_legend_handles_labels()[0] + pay_axis.get_legend_handles_labels()[0]
    minutes_axis.legend(handles, [h.get_label() for h in handles], loc="upper left")
    minutes_axis.set_title(say["title"] if labels else say["empty"])
    return figure
