"""Whether the drafts' re-cut could read more from its evidence than it does.

    python3 bench/recut_evidence.py             # the tuning clips of grid.py
    python3 bench/recut_evidence.py --confirm   # also the held-out clips down to 8 dB SNR and
                                                # the recorded clips

Two questions, on the drafts ``tune_recut.py`` caches (the same clips, segments and Whisper
base readings, so a second run only scores):

1. **The text splits the re-cut takes** (its long-pause split apart): does the draft's own
   confidence, or the pause under the cut, tell the splits that fall between two sentences
   from those that fall inside one? For each split: the mean probability of the draft's
   words, the lower of the two halves' mean, the probability of the word that ends the
   sentence and of the word after it, and the length of the pause the split was made in.
   Printed: the splits right and wrong per group, each cue's median on either side, and its
   AUC (0.5 a coin, 1.0 a perfect separation; over 0.5 when right splits score higher).
2. **The merges the page suggests** in Japanese, Korean and Mandarin (no letter case: the
   hint rests on a missing final mark): how many join two parts of one sentence against two
   sentences, at each limit of the silence between the drafts' words
   (``draft_guidance.MERGE_SILENCE_MAX_S``, 0.5 s) and of the gap between the segments
   (``max_gap``, ``MERGE_GAP_S`` 0.4 s).

Like every study here, it never picks a value: the tuning clips would have to show a cue
worth a rule before the held-out and recorded clips are read for it (README, "Re-cut by the
drafts").
"""

from __future__ import annotations

import sys
from pathlib import Path
from statistics import median

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import metrics  # noqa: E402
import quality  # noqa: E402
import tune_recut  # noqa: E402

from workbench.workflow import draft_guidance  # noqa: E402

CUES = ("draft's mean probability", "lower half's mean probability", "last word's probability",
        "next word's probability", "pause under the cut (s)")
SILENCE_LIMITS_S = (0.1, 0.2, 0.3, 0.5, float("inf"))
GAPS_S = (0.2, 0.4)


def group_of(name: str) -> str:
    """``tune ko`` -> ``tune``, ``held-out ko >= 8 dB`` -> ``held-out``, ``recorded tuning en-call``
    -> ``recorded tuning``."""
    words = name.split()
    return " ".join(words[:2]) if words[0] == "recorded" else words[0]


def text_splits(language: str, segments: list, drafts: list, clean, truth: list) -> list[dict]:
    """Each text split of the default re-cut (no long-pause split): right or not, and its cues."""
    pieces = quality.recut_drafted(language, segments, drafts, clean=clean, long_pauses=False)
    found = []
    for first, second in zip(pieces, pieces[1:]):
        if first.change != "split" or second.change != "split" or first.sources != second.sources:
            continue
        at = first.end
        mean = lambda words: sum(w.probability for w in words) / len(words) if words else 1.0  # noqa: E731
        before = [w for w in first.words if w.probability is not None]
        after = [w for w in second.words if w.probability is not None]
        drafted = [w for w in drafts[first.sources[0]].words if w.probability is not None]
        pause = (first.end - first.start - first.pauses[-1][0] if first.pauses else 0.0) + \
            (second.pauses[0][1] if second.pauses and second.pauses[0][0] < 0.01 else 0.0)
        found.append({"right": not any(s + metrics.WHOLE_TOLERANCE_S < at < e - metrics.WHOLE_TOLERANCE_S
                                       for s, e in truth),
                      "cues": (mean(drafted), min(mean(before), mean(after)),
                               before[-1].probability if before else 1.0, after[0].probability if after else 1.0,
                               pause)})
    return found


def auc(right: list[float], wrong: list[float]) -> float:
    """The chance that a right split's cue is higher than a wrong one's (ties count half)."""
    if not right or not wrong:
        return float("nan")
    wins = sum((r > w) + 0.5 * (r == w) for r in right for w in wrong)
    return wins / (len(right) * len(wrong))


def main() -> None:
    confirm = "--confirm" in sys.argv[1:]
    drafter = quality.Drafter.load()
    if drafter is None:
        sys.exit("recut_evidence needs the drafts extra: pip install -e .[drafts]")
    splits: dict[str, list[dict]] = {}
    merges: dict[str, dict[tuple, list[int]]] = {}
    for name, language, folder, sentences in tune_recut.clip_sets(confirm):
        truth = [(s["start"], s["end"]) for s in sentences]
        drafted = tune_recut.drafted(folder, language, drafter)
        splits.setdefault(group_of(name), []).extend(text_splits(language, *drafted, truth))
        if language in draft_guidance.UNCASED:
            grid = {(limit, gap): (limit, gap) for limit in SILENCE_LIMITS_S for gap in GAPS_S}
            for key, (one, two) in tune_recut.page_merges(language, *drafted, truth, rules=grid).items():
                total = merges.setdefault(f"{group_of(name)} {language}", {}).setdefault(key, [0, 0])
                total[0], total[1] = total[0] + one, total[1] + two
        print(f"scored {folder.name}", file=sys.stderr, flush=True)
    print_splits(splits)
    print_merges(merges)


def print_splits(splits: dict[str, list[dict]]) -> None:
    print("Text splits the re-cut takes (all four languages): right (between sentences) / wrong (inside one);"
          " each cue: median right / median wrong, AUC\n")
    print("| clips | right / wrong | " + " | ".join(CUES) + " |\n|---|---|" + "---|" * len(CUES))
    for group, found in splits.items():
        right, wrong = [s for s in found if s["right"]], [s for s in found if not s["right"]]
        cells = []
        for n in range(len(CUES)):
            r, w = [s["cues"][n] for s in right], [s["cues"][n] for s in wrong]
            middle = lambda values: f"{median(values):.2f}" if values else "-"  # noqa: E731
            cells.append(f"{middle(r)} / {middle(w)}, {auc(r, w):.2f}")
        print(f"| {group} | {len(right)} / {len(wrong)} | " + " | ".join(cells) + " |")


def print_merges(merges: dict[str, dict[tuple, list[int]]]) -> None:
    keys = [(limit, gap) for limit in SILENCE_LIMITS_S for gap in GAPS_S]
    name = lambda limit, gap: f"silence < {'any' if limit == float('inf') else f'{limit} s'}, gap < {gap} s"  # noqa: E731
    print("\nMerges the page suggests in ja, ko and zh after the re-cut: joining one sentence / two\n")
    print("| clips | " + " | ".join(name(*key) for key in keys) + " |\n|---|" + "---|" * len(keys))
    for group, by in merges.items():
        print(f"| {group} | " + " | ".join(f"{by[key][0]} / {by[key][1]}" for key in keys) + " |")


if __name__ == "__main__":
    main()
