"""Whisper's repetition loops in the drafts: how many, what they are worth, and whether the
re-cut should read them.

    python3 bench/draft_loops.py

Needs the drafts extra. It reads the clips of ``tune_recut.py --confirm`` (tuning, held-out
down to 8 dB SNR, recorded) and their cached drafts (``tune_recut.drafted``: the bench's
Whisper base, as the drafting job drafts), and prints:

- per language, the drafts that loop (``workbench.drafts.loops.repeats_itself``) and their
  CER against the clip's sentences (those whose middle falls in the segment) three ways:
  as written, cut after the loop's first occurrence (the first run of one to twelve words
  said three times, or twice when the run has four characters or more; nothing left when
  no run is found) and withheld (an empty text, CER 1.0: typing the sentence from nothing);
- per group and language, the re-cut's "whole / one each" with the loops read and with them
  dropped before the re-cut.

Scored on every clip at once: nothing here is tuned, the threshold is Whisper's own.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import metrics  # noqa: E402
import quality  # noqa: E402
import tune_recut  # noqa: E402

from workbench.drafts import Draft  # noqa: E402
from workbench.drafts.loops import repeats_itself  # noqa: E402
from workbench.drafts.scoring import cer  # noqa: E402

SPACED = ("en", "ko")
NOT_A_LETTER = re.compile(r"[\W_]+")


def _key(word) -> str:
    return NOT_A_LETTER.sub("", word.text.casefold())


def cut_after_first_loop(draft: Draft) -> str:
    """The draft's text up to the end of the first occurrence of its first repeated run."""
    keys, words = [_key(word) for word in draft.words], draft.words
    for start in range(len(keys)):
        for size in range(1, 13):
            run = keys[start:start + size]
            if start + 2 * size > len(keys):
                break
            if not "".join(run):
                continue
            times = 1
            while keys[start + times * size:start + (times + 1) * size] == run:
                times += 1
            if times >= 3 or (times == 2 and len("".join(run)) >= 4):
                kept = words[:start + size]
                glue = " " if draft.language in SPACED else ""
                return glue.join(word.text for word in kept).strip()
    return ""


def main() -> None:
    drafter = quality.Drafter.load()
    if drafter is None:
        raise SystemExit("needs the drafts extra: pip install -e .[drafts]")
    texts = defaultdict(lambda: defaultdict(lambda: ([], [])))  # language -> way -> (references, texts)
    counts = defaultdict(lambda: [0, 0])  # group -> [loops, drafts]
    recut = defaultdict(lambda: defaultdict(list))  # (group, language) -> way -> scores
    for group, language, folder, sentences in tune_recut.clip_sets(True):
        segments, drafts, clean = tune_recut.drafted(folder, language, drafter)
        kind = group.split(" ")[0]
        truth = [(s["start"], s["end"]) for s in sentences]
        for (start, end), draft in zip(segments, drafts):
            looping = repeats_itself(draft.text)
            counts[f"{kind} {language}"][0] += looping
            counts[f"{kind} {language}"][1] += 1
            if not looping:
                continue
            reference = " ".join(s["text"] for s in sentences if start <= (s["start"] + s["end"]) / 2 < end)
            for way, text in (("as written", draft.text), ("cut after the first loop", cut_after_first_loop(draft)),
                              ("withheld", "")):
                texts[language][way][0].append(reference)
                texts[language][way][1].append(text)
        dropped = [Draft(d.segment_id, d.language, "", (), d.engine) if repeats_itself(d.text) else d for d in drafts]
        for way, given in (("loops read", drafts), ("loops dropped", dropped)):
            cut = quality.recut_drafted(language, segments, given, clean=clean)
            recut[(group, language)][way].append(metrics.segment_scores(truth, [(p.start, p.end) for p in cut]))

    print("drafts that loop, per clip kind and language")
    for name, (loops, total) in sorted(counts.items()):
        print(f"  {name:22s} {loops:4d} of {total:5d}")
    print("\nCER of the looping drafts against the clips' sentences")
    print(f"  {'language':8s} {'drafts':>6s}  " + "  ".join(f"{way:>24s}" for way in texts[next(iter(texts))]))
    for language, ways in sorted(texts.items()):
        n = len(next(iter(ways.values()))[0])
        print(f"  {language:8s} {n:6d}  " + "  ".join(f"{cer(refs, hyps, language):24.3f}"
                                                     for refs, hyps in ways.values()))
    print("\nthe re-cut, whole / one each: loops read | loops dropped before it")
    for (group, language), ways in recut.items():
        cells = []
        for scores in ways.values():
            pooled = metrics.pooled(scores)
            cells.append(f"{pooled['sentences_whole']:.3f} / {pooled['one_sentence_each']:.3f}")
        print(f"  {group:32s} " + " | ".join(cells))


if __name__ == "__main__":
    main()
