"""Fresh draws of the held-out material, read once: do the held-out figures hold?

    python3 bench/fresh.py            # build and run the 48 fresh clips (about 16 minutes with
                                      # the drafts extra), save and print them beside the held-out run
    python3 bench/fresh.py --print    # print again from the saved runs, running nothing

The held-out clips (``grid.py``) have been read after every change to the segmenter since
2026-12-01, and a few choices were kept or taken back by what they showed, so their figures
are no longer a clean test. The ``fresh`` split draws 48 more clips from the same held-out
sentences and voices (other seeds, the same noise kinds, SNRs and length). Each goes through
this project, with its drafts' re-cut where the drafting job re-cuts (``policy.recut_languages``),
and Silero VAD, scored as ``bench/run.py`` scores the held-out clips (``quality.evaluate``);
the results go to ``bench/out/fresh-results.json``.

Printed, down to 8 dB SNR (the issue's range) per language: the held-out run's figures (from
``bench/out/grid-results.json``, the latest ``bench/run.py`` quality run) beside the fresh
ones, each with its 95 % interval from resampling the clips, and the fresh less the held-out
(``metrics.between_draws``: each draw resampled on its own); then this project less Silero
on the fresh clips with a paired interval (``quality.interval_rows``).

Reading the fresh figures to choose a setting would make them one more tuning set: they
are for checking what was chosen, and README says when they were read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import metrics  # noqa: E402
import quality  # noqa: E402

GRID = HERE / "out" / "grid"
FRESH = HERE / "out" / "fresh-results.json"
HELD_OUT = HERE / "out" / "grid-results.json"
# The range: its targets hold down to 8 dB SNR.
MIN_SNR_DB = 8.0
SYSTEMS = ("ours", "silero")


def run() -> list[dict]:
    """Every fresh clip through this project (and its re-cut) and Silero; one row each, as
    ``bench/run.py`` keeps the held-out rows."""
    import grid

    from workbench.workflow.policy import Policy

    recut_languages = Policy.from_env().recut_languages
    drafter = quality.Drafter.load()
    return [quality.evaluate_grid_clip(spec, GRID, systems=SYSTEMS,
                                       drafter=drafter if spec.language in recut_languages else None)
            for spec in grid.specs("fresh")]


def in_range(rows: list[dict]) -> dict[str, list[dict]]:
    """The rows down to ``MIN_SNR_DB``, per language, and all of them together."""
    kept = [row for row in rows if row["spec"]["snr_db"] >= MIN_SNR_DB]
    languages = dict.fromkeys(row["spec"]["language"] for row in kept)
    return {**{language: [row for row in kept if row["spec"]["language"] == language] for language in languages},
            f"all ≥ {MIN_SNR_DB:g} dB": kept}


def scores_of(rows: list[dict], system: str) -> list[dict] | None:
    """``system``'s scores of every row, or None where it did not run on all of them (or there are none)."""
    scores = [row[system] for row in rows if system in row]
    return scores if scores and len(scores) == len(rows) else None


def figure(rows: list[dict], system: str, key: str) -> str:
    """``system``'s pooled ``key`` over ``rows`` with its 95 % interval, or a dash where it did not run."""
    scores = scores_of(rows, system)
    return metrics.interval_cell(scores, key) if scores else "—"


def comparison(held_out: list[dict], fresh: list[dict]) -> list[str]:
    """Per language down to 8 dB, a row per system: whole and one each on the held-out run
    and on the fresh clips, and the fresh less the held-out with an interval that resamples
    each draw on its own (``metrics.between_draws``; bold where it leaves out 0)."""
    held, new = in_range(held_out), in_range(fresh)
    systems = [system for system in ("ours", "recut", "silero")
               if any(system in row for row in fresh) or any(system in row for row in held_out)]
    lines = ["| group | system | clips: held-out / fresh | whole: held-out | whole: fresh | whole: fresh less held-out "
             "| one each: held-out | one each: fresh | one each: fresh less held-out |", "|" + "---|" * 9]
    for group in dict.fromkeys([*held, *new]):
        before, after = held.get(group, []), new.get(group, [])
        for system in systems:
            cells = [group, quality.LABELS[system], f"{len(before)} / {len(after)}"]
            for key in ("sentences_whole", "one_sentence_each"):
                cells += [figure(before, system, key), figure(after, system, key), shift(after, before, system, key)]
            lines.append("| " + " | ".join(cells) + " |")
    return lines


def shift(fresh: list[dict], held_out: list[dict], system: str, key: str) -> str:
    """``system``'s fresh figure less its held-out one, with its interval, or a dash."""
    scores, others = scores_of(fresh, system), scores_of(held_out, system)
    if not scores or not others:
        return "—"
    return metrics.marked_change_cell(*metrics.between_draws(scores, others, key))


def report(held_out: list[dict], fresh: list[dict]) -> list[str]:
    lines = [f"### Fresh draws of the held-out material, down to {MIN_SNR_DB:g} dB SNR, beside the held-out run", "",
             "Each cell: the pooled figure and its 95 % interval from resampling the clips "
             f"({metrics.RESAMPLES} resamples, seed {metrics.INTERVAL_SEED}).", ""]
    lines += comparison(held_out, fresh)
    lines += ["", "### The fresh clips: this project against Silero VAD (paired 95 % intervals; bold: the interval leaves out 0)", ""]
    groups = in_range(fresh)
    lines += quality.interval_rows(groups)
    if any("recut" in row for row in fresh):
        lines += ["", "The same after the drafts' re-cut:", ""]
        lines += quality.interval_rows({name: rows for name, rows in groups.items() if all("recut" in row for row in rows)},
                                       system="recut")
    return lines


def saved(path: Path, what: str, command: str) -> list[dict]:
    """The rows of a saved run (``held_out`` of a ``bench/run.py`` run, or the fresh run's list);
    SystemExit with a clear message where there are none."""
    if not path.is_file():
        raise SystemExit(f"{path} does not exist: run {command} first")
    try:
        content = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise SystemExit(f"{path} is not {what}: {error}") from None
    rows = content.get("held_out") if isinstance(content, dict) else content
    if not isinstance(rows, list) or not rows or not all(
            isinstance(row, dict) and isinstance(row.get("spec"), dict) and "snr_db" in row["spec"] and "language" in row["spec"]
            and all(system in row for system in SYSTEMS) for row in rows):
        raise SystemExit(f"{path} is not {what}: it holds no clips with their spec and both systems' figures")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--print", action="store_true", dest="print_only",
                        help="print from the saved runs instead of running the fresh clips")
    parser.add_argument("--fresh", type=Path, default=FRESH, help="the fresh run's results (default: %(default)s)")
    parser.add_argument("--held-out", type=Path, default=HELD_OUT,
                        help="a bench/run.py results file to compare with (default: %(default)s)")
    options = parser.parse_args()
    try:
        held_out = saved(options.held_out, "a bench/run.py results file", "python3 bench/run.py --no-speed")
        if options.print_only:
            fresh = saved(options.fresh, "a bench/fresh.py results file", "python3 bench/fresh.py")
        else:
            fresh = run()
            options.fresh.parent.mkdir(parents=True, exist_ok=True)
            temporary = options.fresh.with_suffix(".part")
            temporary.write_text(json.dumps(fresh))
            temporary.replace(options.fresh)
        lines = report(held_out, fresh)
    except SystemExit as error:
        parser.error(str(error))
    except (KeyError, TypeError, ValueError) as error:
        parser.error(f"a saved run is not what it should be: a clip lacks {error}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
