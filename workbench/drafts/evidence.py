"""Whether drafts help: draft CER against the accepted text, and the effort saved, per
language, project and worker. Pure: outcomes in, JSON-ready figures out (the export's
quality report and the admin page both use it).

- **Draft CER**: pooled over the drafted segments, accepted text as reference, scored per
  language (``scoring``: Korean without spacing, characters for zh and ja).
- **Effort**: characters the transcriber's page counted as typed, against the characters of
  the accepted text, for drafted and undrafted segments apart (``typed_per_final``: 1.0 is
  typing it all once; a good draft brings it towards 0). Only segments whose every save
  said how much was typed count.
- **Effort saved**: the control group is the segments of tasks held back from drafts while
  drafts ran there (workflow/holdback.py: a random share of ordinary tasks). Typing effort
  (``typed_per_final``) and active time per audio minute (``minutes_per_audio_minute``: the
  transcribers' active time on a task, shared among its segments by duration; only segments
  whose task has time counted) are given for drafted and held-back segments, and
  ``effort_saved`` is one minus drafted over held back (0.6: drafts saved 60 %; negative:
  drafts cost effort; None while either side has nothing measured).
- **Unread drafts**: segments handed in as the engine wrote them (the first review saw the
  untouched draft) whose accepted text differs from it: the transcriber did not check.

>>> figures = draft_figures([DraftOutcome("en", "news", "w1", "hello world", "hello word", 0, True)])
>>> figures["languages"]["en"]["draft_cer"], figures["workers"]["w1"]["unread_drafts"]
(0.090909, 1)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from workbench.drafts.scoring import cer, normalise


@dataclass(frozen=True)
class DraftOutcome:
    """One accepted segment: its language, project, worker (an opaque key or a username),
    accepted ``text``, the machine ``draft`` (None when undrafted), the characters typed for
    it (None when a save did not say) and whether the first review saw the untouched draft."""

    language: str
    project: str
    worker: str
    text: str
    draft: str | None
    typed_chars: int | None
    untouched_at_review: bool
    held_back: bool = False  # its task was held back from drafts while drafts ran there
    active_s: float | None = None  # its share of the transcribers' active seconds on its task
    audio_s: float = 0.0  # its duration

    @property
    def unread(self) -> bool:
        return (self.draft is not None and self.untouched_at_review
                and normalise(self.draft, self.language) != normalise(self.text, self.language))


def segment_draft_cer(draft: str | None, text: str, language: str) -> float | None:
    """One segment's draft CER (None without a draft or without accepted characters)."""
    if draft is None:
        return None
    try:
        return round(cer([text], [draft], language), 6)
    except ValueError:
        return None


def _pooled_cer(outcomes: Sequence[DraftOutcome]) -> float | None:
    by_language: dict[str, list[DraftOutcome]] = defaultdict(list)
    for outcome in outcomes:
        if outcome.draft is not None and normalise(outcome.text, outcome.language):
            by_language[outcome.language].append(outcome)
    if not by_language:
        return None
    # Each language scored its own way; pooled by reference characters.
    errors = characters = 0.0
    for language, group in by_language.items():
        length = sum(len(normalise(o.text, language)) for o in group)
        errors += cer([o.text for o in group], [o.draft for o in group], language) * length
        characters += length
    return round(errors / characters, 6)


def _effort(outcomes: Sequence[DraftOutcome]) -> dict:
    measured = [o for o in outcomes if o.typed_chars is not None]
    typed, final = sum(o.typed_chars for o in measured), sum(len(o.text) for o in measured)
    return {"segments": len(measured), "typed_chars": typed, "final_chars": final,
            "typed_per_final": round(typed / final, 6) if final else None}


def _time(outcomes: Sequence[DraftOutcome]) -> dict:
    measured = [o for o in outcomes if o.active_s is not None and o.audio_s > 0]
    active, audio = sum(o.active_s for o in measured), sum(o.audio_s for o in measured)
    return {"segments": len(measured), "active_minutes": round(active / 60, 6), "audio_minutes": round(audio / 60, 6),
            "minutes_per_audio_minute": round(active / audio, 6) if audio else None}


def _saved(drafted: float | None, held_back: float | None) -> float | None:
    """One minus drafted effort over held-back effort; None when either is missing or nothing."""
    if drafted is None or not held_back:
        return None
    return round(1 - drafted / held_back, 6)


def _group(outcomes: Sequence[DraftOutcome]) -> dict:
    drafted = [o for o in outcomes if o.draft is not None]
    held_back = [o for o in outcomes if o.held_back and o.draft is None]
    effort = {"drafted": _effort(drafted), "held_back": _effort(held_back)}
    time = {"drafted": _time(drafted), "held_back": _time(held_back)}
    return {
        "segments": len(outcomes),
        "drafted": len(drafted),
        "held_back": len(held_back),
        "draft_cer": _pooled_cer(drafted),
        "effort_drafted": effort["drafted"],
        "effort_undrafted": _effort([o for o in outcomes if o.draft is None]),
        "effort_held_back": effort["held_back"],
        "time_drafted": time["drafted"],
        "time_held_back": time["held_back"],
        "effort_saved": {
            "typing": _saved(effort["drafted"]["typed_per_final"], effort["held_back"]["typed_per_final"]),
            "time": _saved(time["drafted"]["minutes_per_audio_minute"], time["held_back"]["minutes_per_audio_minute"]),
        },
        "untouched_drafts": sum(o.untouched_at_review for o in drafted),
        "unread_drafts": sum(o.unread for o in drafted),
    }


def draft_figures(outcomes: Iterable[DraftOutcome]) -> dict:
    """The figures per language, project and worker, and in all."""
    outcomes = list(outcomes)
    tables: dict[str, dict[str, list[DraftOutcome]]] = {"languages": defaultdict(list),
                                                       "projects": defaultdict(list),
                                                       "workers": defaultdict(list)}
    for o in outcomes:
        tables["languages"][o.language].append(o)
        tables["projects"][o.project].append(o)
        tables["workers"][o.worker].append(o)
    return {"all": _group(outcomes),
            **{name: {key: _group(group) for key, group in sorted(table.items())} for name, table in tables.items()}}
