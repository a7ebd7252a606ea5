"""How sure the quality figures are: 95 % intervals from resampling the clips of a saved run.

    python3 bench/intervals.py                       # the latest bench/run.py quality run
    python3 bench/intervals.py path/to/grid-results.json

``bench/run.py`` prints the same section at the end of its quality tables; this reads the
results it saved (``bench/out/grid-results.json``) so a past run can be read again without
running the clips. Each figure of a group pools that group's clips; the interval is a
percentile bootstrap over those clips (``metrics.interval``), and the difference between
this project and Silero VAD a paired one (``metrics.difference``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import quality  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("results", nargs="?", type=Path, default=HERE / "out" / "grid-results.json",
                        help="a bench/run.py results file (default: the latest quality run's)")
    options = parser.parse_args()
    if not options.results.is_file():
        parser.error(f"{options.results} does not exist: run python3 bench/run.py --no-speed first")
    try:
        results = json.loads(options.results.read_text())
    except (OSError, ValueError) as error:
        parser.error(f"{options.results} is not a bench/run.py results file: {error}")
    if not isinstance(results, dict) or not any(results.get(split) for split in ("held_out", "validation", "tune", "real")):
        parser.error(f"{options.results} holds no clip results (expected held_out, validation, tune or real)")
    try:
        lines = quality.interval_lines(results)
    except (KeyError, TypeError, ValueError) as error:
        parser.error(f"{options.results} is not a bench/run.py results file: a clip lacks {error}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
