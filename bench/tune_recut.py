"""How the drafts' re-cut was chosen: its variants on the tuning clips, then the check.

    python3 bench/tune_recut.py              # the tuning clips of grid.py, all four languages
    python3 bench/tune_recut.py --validate   # also the validation clips (held-out unread)
    python3 bench/tune_recut.py --confirm    # also the validation clips, the held-out clips
                                             # down to 8 dB SNR and the recorded clips
                                             # (tuning sources apart)
    python3 bench/tune_recut.py --pause-grid [--confirm]   # the long-pause split's grid
    python3 bench/tune_recut.py --page-merges [--confirm]  # merges the page suggests after it

Needs the drafts extra (``pip install -e .[drafts]``). Each clip goes through
``process_file`` (the segmenter, and the clean audio a task is cut from); Whisper base
drafts every segment as the drafting job does (``quality.Drafter``), and the drafts are
cached in ``bench/out/cache/recut/`` under the clip's name, its segments, the engine's
id (weights' hash) and its decoding options, so a second run only scores (a changed segmenter, model or decoding drafts again). Every variant is scored on the same
drafts:

- **segmenter**: no re-cut;
- **split anywhere**: the re-cut taking a split wherever a draft ends a sentence;
- **a piece may be all pause**: the default without its piece rule (``SPLIT_PIECE_SPEECH_S``
  set to 0; the letters rule kept): a split leaves pieces that need hold no audio outside
  the segment's pauses;
- **one split per segment**: the default taking one hint per segment (``again=False``), as
  it did until 2026-12-05 in every language and until 2026-12-06 in Korean and Mandarin;
- **no long-pause split**: the default without ``draft_recut.split_at_long_pauses``;
- **the default**: ``recut`` as the drafting job calls it, a split only at a pause (in its
  middle) and only where each piece holds ``draft_guidance.SPLIT_PIECE_SPEECH_S`` outside
  them; each piece a split left is split again; in ``draft_recut.PAUSE_SPLIT``'s
  languages every piece is then split at its long pauses;
- **+ merge passes**: the default's pieces re-cut again, merges only, until no hint fires
  (one merge per segment, so three segments of one sentence stay two pieces);
- **long-pause split in every language**: ``recut(..., long_pauses=True)`` for all four;
- **segmenter + long-pause split, no drafts**: the segmenter's segments split at their long
  pauses alone, in all four languages (what a split in the segmenter itself could give an
  install without the drafts extra; the workbench does not do this).

``--page-merges`` counts instead the merges the task page then suggests in Japanese, Korean
and Mandarin (``sentence_hints`` over the default's pieces), those joining two parts of one
sentence against those joining two sentences, with and without
``draft_guidance.MERGE_SILENCE_MAX_S``.

``--pause-grid`` scores the long-pause split's two settings instead, on the default's pieces
without it: the shortest pause (``RECUT_LONG_PAUSE_S``) against the audio each side must
hold (``RECUT_PAUSE_SIDE_S``).

Under the table, each variant's change against the default on the same clips, with paired
95 % intervals (``metrics.difference``), says which differences another draw of the group's
clips could undo. The rule for choosing is the segmenter's (``bench/tune.py``): on the tuning clips, the most
"one sentence each" that keeps "whole" at 0.98 or more; where the tuning clips score two
variants alike, the recorded tuning sources (``real.TUNING_SOURCES``) decide.
``--validate`` reads the validation clips (new draws of the tuning material) and
``--confirm`` the held-out and recorded clips too, to see whether the verdict carries over;
neither picks a value.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from pathlib import Path
from unittest import mock

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import grid  # noqa: E402
import metrics  # noqa: E402
import quality  # noqa: E402

from workbench.drafts import Draft  # noqa: E402
from workbench.workflow import draft_guidance, draft_recut  # noqa: E402

CACHE = HERE / "out" / "cache" / "recut"
VARIANTS = ("segmenter", "split anywhere", "a piece may be all pause", "one split per segment", "no long-pause split",
            "the default", "+ merge passes", "long-pause split in every language",
            "segmenter + long-pause split, no drafts")
LONG_PAUSES_S = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7)
SIDES_S = (0.5, 0.75, 1.0, 1.5, 2.0)
MAX_PASSES = 6
# The variant the others are measured against, with intervals, under the table.
BASELINE = "the default"


def clip_sets(confirm: bool, validate: bool = False) -> list[tuple[str, str, Path, list]]:
    """(group, language, clip folder, sentences) of every clip to score."""
    out = HERE / "out" / "grid"

    def listed(group: str, specs) -> list[tuple[str, str, Path, list]]:
        return [(group.format(language=spec.language), spec.language, out / spec.name, grid.build(spec, out)["sentences"])
                for spec in specs]

    found = listed("tune {language}", grid.specs("tune"))
    if validate or confirm:
        found += listed("validation {language}", grid.specs("validation"))
    if not confirm:
        return found
    found += listed("held-out {language} >= 8 dB", (spec for spec in grid.specs("held_out") if spec.snr_db >= 8))
    import real

    for folder, truth in real.clips(HERE / "out" / "real"):
        source = truth["spec"]["source"]
        kind = "recorded tuning" if source in real.TUNING_SOURCES else "recorded held-out"
        found.append((f"{kind} {source}", source.split("-")[0], folder, truth["sentences"]))
    return found


def drafted(folder: Path, language: str, drafter: quality.Drafter) -> tuple[list, list, object]:
    """The clip's segments, their drafts (cached per segmentation and engine) and its clean audio."""
    with tempfile.TemporaryDirectory() as scratch:
        result = quality.run_ours(folder / "clip.wav", language, Path(scratch))
    segments, clean = result["segments"], result["clean"]
    reading = [drafter.backend.engine_id, drafter.backend.decoding]
    key = hashlib.sha256(json.dumps([folder.name, language, segments, *reading]).encode()).hexdigest()[:16]
    path = CACHE / f"{folder.name}-{key}.json"
    if path.exists():
        drafts = [Draft.from_dict(one) for one in json.loads(path.read_text())]
    else:
        drafts = drafter.draft(clean, segments, language)
        CACHE.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".part")
        temporary.write_text(json.dumps([draft.to_dict() for draft in drafts]))
        temporary.replace(path)
    return segments, drafts, clean


def again(language: str, pieces: list, clean, kind: str) -> list:
    """``pieces`` re-cut by their own drafts, hints of ``kind`` only, until none fires."""
    for _ in range(MAX_PASSES):
        cut = quality.recut_drafted(language, [(piece.start, piece.end) for piece in pieces], pieces, kinds=(kind,),
                                    clean=clean)
        if len(cut) == len(pieces):
            return cut
        pieces = cut
    return pieces


def variants(language: str, segments: list, drafts: list, clean) -> dict[str, list]:
    default = quality.recut_drafted(language, segments, drafts, clean=clean)
    cut = lambda **how: [(p.start, p.end) for p in quality.recut_drafted(language, segments, drafts, clean=clean, **how)]  # noqa: E731
    with mock.patch.object(draft_guidance, "SPLIT_PIECE_SPEECH_S", 0.0):
        bare = quality.recut_drafted(language, segments, drafts, clean=clean)
    kinds = draft_recut.recut_kinds(language)
    return {
        "segmenter": segments,
        "split anywhere": [(p.start, p.end) for p in quality.recut_drafted(language, segments, drafts)],
        "a piece may be all pause": [(p.start, p.end) for p in bare],
        "one split per segment": cut(again=False),
        "no long-pause split": cut(long_pauses=False),
        "the default": [(p.start, p.end) for p in default],
        "+ merge passes": [(p.start, p.end) for p in (again(language, default, clean, "merge")
                                                      if "merge" in kinds else default)],
        "long-pause split in every language": cut(long_pauses=True),
        "segmenter + long-pause split, no drafts": [
            (p.start, p.end) for heard in quality.hinted(segments, drafts, clean)
            for p in draft_recut.split_at_long_pauses(language, draft_recut.Piece(heard.start, heard.end, (heard.id,), "kept", "",
                                                                                   (), heard.pauses))],
    }


def pause_grid(language: str, segments: list, drafts: list, clean) -> dict[str, list]:
    """The default's pieces without the long-pause split, then split at each setting of it."""
    pieces = quality.recut_drafted(language, segments, drafts, clean=clean, long_pauses=False)
    return {f"{pause} s / {side} s": [(p.start, p.end) for piece in pieces
                                      for p in draft_recut.split_at_long_pauses(language, piece, long_pause=pause, side=side)]
            for pause in LONG_PAUSES_S for side in SIDES_S}


def page_merges(language: str, segments: list, drafts: list, clean, truth: list,
                rules: dict | None = None) -> dict:
    """[merges joining one sentence, merges joining two] the page suggests over the default's
    pieces, under each of ``rules`` ({name: (``MERGE_SILENCE_MAX_S``, ``max_gap``)}; by default
    with the silence rule and without it)."""
    if rules is None:
        rules = {"with the silence rule": (draft_guidance.MERGE_SILENCE_MAX_S, draft_guidance.MERGE_GAP_S),
                 "without it": (float("inf"), draft_guidance.MERGE_GAP_S)}
    pieces = quality.recut_drafted(language, segments, drafts, clean=clean)
    page = [draft_guidance.HintSegment(n, p.start, p.end, p.words) for n, p in enumerate(pieces)]
    held = [{i for i, t in enumerate(truth) if metrics.overlap((p.start, p.end), t) >= metrics.HOLDS_MIN_OVERLAP_S}
            for p in pieces]
    out = {}
    for name, (limit, gap) in rules.items():
        with mock.patch.object(draft_guidance, "MERGE_SILENCE_MAX_S", limit):
            merges = [h.segment_id for h in draft_guidance.sentence_hints(language, page, max_gap=gap)
                      if h.kind == "merge"]
        one = sum(bool(held[n] & held[n + 1]) for n in merges)
        out[name] = [one, len(merges) - one]
    return out


def main() -> None:
    confirm, grid_only, validate = "--confirm" in sys.argv[1:], "--pause-grid" in sys.argv[1:], "--validate" in sys.argv[1:]
    if "--page-merges" in sys.argv[1:]:
        return print_page_merges(confirm, validate)
    drafter = quality.Drafter.load()
    if drafter is None:
        sys.exit("tune_recut needs the drafts extra: pip install -e .[drafts]")
    scores: dict[str, dict[str, list]] = {}
    for group, language, folder, sentences in clip_sets(confirm, validate):
        truth = [(s["start"], s["end"]) for s in sentences]
        segments, drafts, clean = drafted(folder, language, drafter)
        for variant, cut in (pause_grid if grid_only else variants)(language, segments, drafts, clean).items():
            scores.setdefault(group, {}).setdefault(variant, []).append(metrics.segment_scores(truth, cut))
        print(f"scored {folder.name}", file=sys.stderr, flush=True)
    if grid_only:
        for group, by_variant in scores.items():
            print(f"\n{group} ({len(next(iter(by_variant.values())))} clips), by the shortest long pause (rows) and "
                  "the audio each side holds (columns)\n")
            print("| pause | " + " | ".join(f"{side} s" for side in SIDES_S) + " |\n|---|" + "---|" * len(SIDES_S))
            for pause in LONG_PAUSES_S:
                print(f"| {pause} s | " + " | ".join(cell(by_variant[f"{pause} s / {side} s"]) for side in SIDES_S) + " |")
        return
    print("| clips | n | " + " | ".join(VARIANTS) + " |")
    print("|---|---|" + "---|" * len(VARIANTS))
    for group, by_variant in scores.items():
        print(f"| {group} | {len(by_variant['segmenter'])} | " + " | ".join(cell(by_variant[v]) for v in VARIANTS) + " |")
    print("\n(each cell: sentences whole / one sentence each / segments with no speech; merges are taken only in en, "
          "the one script with letter case)")
    print(f"\nEach variant against {BASELINE!r} on the same clips, whole and one each, with paired 95 % intervals "
          "(resampling the group's clips)\n")
    others = [variant for variant in VARIANTS if variant != BASELINE]
    print("| clips | " + " | ".join(others) + " |\n|---|" + "---|" * len(others))
    for group, by_variant in scores.items():
        print(f"| {group} | " + " | ".join(change(by_variant[BASELINE], by_variant[v]) for v in others) + " |")


def change(baseline: list[dict], variant: list[dict]) -> str:
    """``variant`` less ``baseline`` on the same clips: whole; one each, each with its paired
    95 % interval (``metrics.difference``)."""
    return "; ".join(metrics.difference_cell(variant, baseline, key) for key in ("sentences_whole", "one_sentence_each"))


def print_page_merges(confirm: bool, validate: bool = False) -> None:
    drafter = quality.Drafter.load()
    if drafter is None:
        sys.exit("tune_recut needs the drafts extra: pip install -e .[drafts]")
    counts: dict[str, dict[str, list[int]]] = {}
    for group, language, folder, sentences in clip_sets(confirm, validate):
        if language in draft_guidance.UNCASED:
            truth = [(s["start"], s["end"]) for s in sentences]
            for name, (one, two) in page_merges(language, *drafted(folder, language, drafter), truth).items():
                total = counts.setdefault(group, {}).setdefault(name, [0, 0])
                total[0], total[1] = total[0] + one, total[1] + two
    print("| clips | merges suggested, with the silence rule: one sentence / two | without it |\n|---|---|---|")
    for group, by in counts.items():
        print(f"| {group} | " + " | ".join(f"{by[name][0]} / {by[name][1]}" for name in ("with the silence rule", "without it")) + " |")


def cell(scores: list[dict]) -> str:
    return metrics.score_cell(metrics.pooled(scores))


if __name__ == "__main__":
    main()
