"""Whisper's repetition loops in the drafts: how many, what they are worth, what reading
them again gives, and what the re-cut makes of them.

    python3 bench/draft_loops.py

Needs the drafts extra. It reads the clips of ``tune_recut.py --confirm`` (tuning, held-out
down to 8 dB SNR, recorded) and their first-reading drafts (``tune_recut.drafted`` with
``loop_reread_ngram=0``: the bench's Whisper base as the drafting job reads, cached), reads
the looping ones again as the engine does (``WhisperBackend``'s second reading: every
3-gram of tokens forbidden) and prints:

- per language, the drafts that loop (``workbench.drafts.loops.repeats_itself``) and their
  CER against the clip's sentences (those whose middle falls in the segment): as written;
  cut after the loop's first occurrence (the first run of one to twelve words said three
  times, or twice when the run has four characters or more; nothing left when no run is
  found); withheld (an empty text, CER 1.0: typing the sentence from nothing); read again;
  and what the drafting job stores (read again, withheld where it still loops);
- per group and language, the re-cut's "whole / one each" on the first reading and on the
  engine's drafts (loops read again).

Scored on every clip at once: nothing here is tuned; the loop test is Whisper's own and the
3-gram rule is faster-whisper's ``no_repeat_ngram_size`` as README measured it earlier.
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
from workbench.drafts.whisper import LOOP_REREAD_NGRAM  # noqa: E402

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


def reread(drafter: quality.Drafter, clean, segments: list, drafts: list, language: str) -> list:
    """``drafts`` with each that loops replaced by the engine's second reading (every 3-gram
    of tokens forbidden), exactly as ``WhisperBackend.draft`` does it: the looping segments
    packed together and read once more."""
    looping = [int(draft.segment_id) for draft in drafts if repeats_itself(draft.text)]
    if not looping:
        return list(drafts)
    again = drafter.draft(clean, [segments[index] for index in looping], language)
    replaced = dict(zip(looping, again))
    return [replaced.get(index, draft) for index, draft in enumerate(drafts)]


def main() -> None:
    first = quality.Drafter.load(loop_reread_ngram=0)
    second = quality.Drafter.load(no_repeat_ngram_size=LOOP_REREAD_NGRAM, loop_reread_ngram=0)
    if first is None or second is None:
        raise SystemExit("needs the drafts extra: pip install -e .[drafts]")
    texts = defaultdict(lambda: defaultdict(lambda: ([], [])))  # language -> way -> (references, texts)
    counts = defaultdict(lambda: [0, 0, 0])  # group -> [loops, still looping when read again, drafts]
    recut = defaultdict(lambda: defaultdict(list))  # (group, language) -> way -> scores
    for group, language, folder, sentences in tune_recut.clip_sets(True):
        segments, drafts, clean = tune_recut.drafted(folder, language, first)
        again = reread(second, clean, segments, drafts, language)
        kind = group.split(" ")[0]
        truth = [(s["start"], s["end"]) for s in sentences]
        for (start, end), draft, other in zip(segments, drafts, again):
            looping = repeats_itself(draft.text)
            tally = counts[f"{kind} {language}"]
            tally[0] += looping
            tally[1] += looping and repeats_itself(other.text)
            tally[2] += 1
            if not looping:
                continue
            reference = " ".join(s["text"] for s in sentences if start <= (s["start"] + s["end"]) / 2 < end)
            given = "" if repeats_itself(other.text) else other.text
            for way, text in (("as written", draft.text), ("cut after the loop", cut_after_first_loop(draft)),
                              ("withheld", ""), ("read again", other.text), ("read again, then the job", given)):
                texts[language][way][0].append(reference)
                texts[language][way][1].append(text)
        for way, given in (("first reading", drafts), ("loops read again", again)):
            cut = quality.recut_drafted(language, segments, given, clean=clean)
            recut[(group, language)][way].append(metrics.segment_scores(truth, [(p.start, p.end) for p in cut]))

    print("drafts that loop at the first reading (still looping when read again), per clip kind and language")
    for name, (loops, still, total) in sorted(counts.items()):
        print(f"  {name:22s} {loops:4d} ({still:3d}) of {total:5d}")
    print("\nCER of those drafts against the clips' sentences (the job withholds what still loops)")
    print(f"  {'language':8s} {'drafts':>6s}  " + "  ".join(f"{way:>24s}" for way in texts[next(iter(texts))]))
    for language, ways in sorted(texts.items()):
        n = len(next(iter(ways.values()))[0])
        print(f"  {language:8s} {n:6d}  " + "  ".join(f"{cer(refs, hyps, language):24.3f}"
                                                     for refs, hyps in ways.values()))
    print("\nthe re-cut, whole / one each: first reading | loops read again (the engine's drafts)")
    for (group, language), ways in recut.items():
        cells = []
        for scores in ways.values():
            pooled = metrics.pooled(scores)
            cells.append(f"{pooled['sentences_whole']:.3f} / {pooled['one_sentence_each']:.3f}")
        print(f"  {group:32s} " + " | ".join(cells))


if __name__ == "__main__":
    main()
