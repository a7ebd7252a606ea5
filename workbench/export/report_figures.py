"""The quality report's PNG figures, one per section, drawn with matplotlib's Agg backend
(no display, no pyplot state); the same report gives the same bytes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path


def _new_figure(columns: int = 1):
    from matplotlib.figure import Figure

    # A fixed layout: constrained layout would double the rendering time of every export.
    figure = Figure(figsize=(4.2 * columns, 3.4))
    figure.subplots_adjust(left=0.75 / (4.2 * columns), right=0.98, bottom=0.16, top=0.9, wspace=0.4)
    return figure, figure.subplots(1, columns, squeeze=False)[0]


def _save(figure, path: Path) -> None:
    # No "Software" tag: the same report renders to the same bytes.
    figure.savefig(path, format="png", dpi=90, metadata={"Software": None})


def _bar(axis, values: Mapping[str, float], title: str, labels: Sequence[str] | None = None) -> None:
    names = list(values)
    heights = [values[name] for name in names]
    axis.bar(names, heights, color="#4c72b0")
    axis.set_title(title, fontsize=10)
    axis.set_ylim(bottom=0)
    for index, (height, label) in enumerate(zip(heights, labels or [f"{h:.3g}" for h in heights], strict=True)):
        axis.annotate(label, (index, height), ha="center", va="bottom", fontsize=8)


def _plot_balance(report: dict, path: Path) -> None:
    figure, axes = _new_figure(3)
    for axis, key in zip(axes, ("language", "project", "split"), strict=True):
        table = report["balance"][key]
        _bar(axis, {name: row["hours"] for name, row in table.items()}, f"hours per {key}",
             [f"{row['segments']} seg" for row in table.values()])
    _save(figure, path)


def _plot_durations(report: dict, path: Path) -> None:
    figure, (axis,) = _new_figure()
    data = report["durations"]
    axis.stairs(data["counts"], data["bin_edges"], fill=True, color="#4c72b0")
    axis.set_xlabel("segment duration (s)")
    axis.set_ylabel("segments")
    _save(figure, path)


def _plot_speed(report: dict, path: Path) -> None:
    figure, (axis,) = _new_figure()
    languages = list(report["speed"])
    axis.boxplot([report["speed"][lang]["chars_per_second"] for lang in languages], tick_labels=languages)
    for index, language in enumerate(languages, start=1):
        bounds = report["speed"][language]["bounds"]
        if bounds:
            axis.hlines([bounds["low"], bounds["high"]], index - 0.4, index + 0.4, colors="#c44e52",
                        linestyles="dashed")
    axis.set_ylabel("characters per second")
    _save(figure, path)


def _plot_labels(report: dict, path: Path) -> None:
    figure, axes = _new_figure(3)
    workers = report["labels"]["workers"]
    languages = report["labels"]["languages"]
    _bar(axes[0], {key: row["returned_share"] for key, row in workers.items()}, "share returned, per worker")
    _bar(axes[1], {key: row["cer"] or 0.0 for key, row in workers.items()}, "CER, per worker")
    _bar(axes[2], {lang: row["cer"] or 0.0 for lang, row in languages.items()}, "CER, per language")
    _save(figure, path)


def _plot_audio(report: dict, path: Path) -> None:
    figure, axes = _new_figure(2)
    per_clip = report["audio"]["per_clip"]
    measures = (("loudness_lufs", "loudness (LUFS)"), ("snr_db", "estimated SNR (dB)"))
    for axis, (field, label) in zip(axes, measures, strict=True):
        values = [clip[field] for clip in per_clip if clip[field] is not None]
        axis.hist(values, bins=10, color="#4c72b0")
        axis.set_xlabel(label)
        axis.set_ylabel("clips")
    _save(figure, path)


FIGURES = {
    "balance": _plot_balance,
    "durations": _plot_durations,
    "speed": _plot_speed,
    "labels": _plot_labels,
    "audio": _plot_audio,
}
