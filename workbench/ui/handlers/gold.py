"""Gold tab handlers (workflow/gold.py): mark accepted work as gold or take the mark off, and
the scores table.

Each takes the Workbench and the acting user and returns plain values; the Workbench
refuses anyone who is not an admin, so calling these directly grants nothing.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

import pandas as pd

from workbench.domain.times import seoul_minute
from workbench.workflow.errors import InvalidInput

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor
    from workbench.workflow.service import Workbench

SCORE_COLUMNS = ("scored_at", "worker", "project", "language", "task", "segment", "reference", "text",
                 "CER", "WER", "tags", "notation", "passed")


def _segment_ids(text: str | None) -> list[int]:
    words = [word for word in re.split(r"[\s,]+", text or "") if word]
    if not all(word.isdigit() for word in words):
        raise InvalidInput("Segment ids are whole numbers, separated by commas or spaces.")
    return [int(word) for word in words]


def mark_gold(wb: "Workbench", actor: "Actor", clip_id: float | None, segment_ids: str) -> str:
    """Mark a clip (its accepted segments) or the listed segment ids gold; what was done."""
    ids = _segment_ids(segment_ids)
    if clip_id is not None and not (math.isfinite(clip_id) and clip_id == int(clip_id)):
        raise InvalidInput("A clip id is a whole number.")  # a number box can send NaN or infinity
    marked = wb.mark_gold(actor, clip_id=None if clip_id is None else int(clip_id), segment_ids=ids)
    return f"{marked} segment(s) made gold."


def unmark_gold(wb: "Workbench", actor: "Actor", segment_ids: str, reason: str) -> str:
    """Take the gold mark off the listed segments (their history and scores stay); what was done."""
    unmarked = wb.unmark_gold(actor, segment_ids=_segment_ids(segment_ids), reason=reason)
    return f"{unmarked} segment(s) no longer gold; their scores stay."


def gold_scores_table(wb: "Workbench", actor: "Actor") -> pd.DataFrame:
    """Every gold score, newest first, as the tab shows it (Seoul times)."""
    rows = [(seoul_minute(s.scored_at), s.username, s.project, s.language, s.task_id, s.segment_id, s.reference,
             s.text, round(s.cer, 3), None if s.wer is None else round(s.wer, 3),
             "ok" if s.tags_match else "wrong", "ok" if s.notation_match else "wrong",
             "passed" if s.passed else "failed")
            for s in wb.gold_scores(actor)]
    return pd.DataFrame(rows, columns=list(SCORE_COLUMNS))
