"""Train/dev/test splits by clip: reproducible from a seed and balanced per language.

A clip's segments all land in one split, so no recording is heard in two splits. Within
each language the clips are shuffled with a seeded generator and dealt, one at a time,
to the split furthest below its share of that language's audio.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from workbench.export.errors import ExportError

SPLIT_NAMES: tuple[str, ...] = ("train", "dev", "test")


@dataclass(frozen=True)
class SplitRatios:
    """Shares of audio for train, dev and test; they sum to 1.

    >>> SplitRatios.parse("0.8,0.1,0.1")
    SplitRatios(train=0.8, dev=0.1, test=0.1)
    """

    train: float = 0.8
    dev: float = 0.1
    test: float = 0.1

    def __post_init__(self) -> None:
        shares = self.as_tuple()
        if not all(math.isfinite(share) and share >= 0 for share in shares) or abs(sum(shares) - 1.0) > 1e-6:
            raise ExportError(f"split shares must be non-negative and sum to 1, got {shares}")

    @classmethod
    def parse(cls, text: str) -> "SplitRatios":
        parts = text.split(",")
        try:
            shares = [float(part) for part in parts]
        except ValueError:
            shares = []
        if len(shares) != 3:
            shown = f"; got {text!r}" if len(text) <= 64 else ""
            raise ExportError(f"--splits needs three numbers train,dev,test like 0.8,0.1,0.1{shown}")
        return cls(*shares)

    def as_tuple(self) -> tuple[float, float, float]:
        return (self.train, self.dev, self.test)


@dataclass(frozen=True)
class ClipForSplit:
    """What the split needs of a clip: its id, language and exported audio seconds."""

    clip_id: str
    language: str
    seconds: float


def assign_splits(clips: Iterable[ClipForSplit], ratios: SplitRatios, *, seed: int) -> dict[str, str]:
    """Map each clip id to ``"train"``, ``"dev"`` or ``"test"``.

    The result depends only on the clips (not their order), the ratios and the seed.
    """
    by_language: dict[str, list[ClipForSplit]] = defaultdict(list)
    for clip in sorted(clips, key=lambda c: c.clip_id):
        by_language[clip.language].append(clip)
    assignment: dict[str, str] = {}
    for language in sorted(by_language):
        members = by_language[language]
        random.Random(f"{seed}:{language}").shuffle(members)
        total = sum(clip.seconds for clip in members)
        filled = dict.fromkeys(SPLIT_NAMES, 0.0)
        for clip in members:
            # Deal to the split furthest below its target; ties go to the earlier split.
            target = max(SPLIT_NAMES, key=lambda name: _share(ratios, name) * total - filled[name])
            assignment[clip.clip_id] = target
            filled[target] += clip.seconds
    return assignment


def _share(ratios: SplitRatios, name: str) -> float:
    return ratios.as_tuple()[SPLIT_NAMES.index(name)]
