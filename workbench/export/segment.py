"""What the export knows about one segment, and how its ids and texts are derived.

An ``ExportSegment`` is a plain, frozen record that ``workbench.export.run`` builds from
the store's rows; the writers never see a database row, a user name or a session. It is
*not* a workflow ``SegmentView``: it carries the final accepted text, the transcriber's
submitted text for the quality report, and nothing that identifies a person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from workbench.workflow.guidelines import spelling_and_pronunciation

TextMode = Literal["spelling", "pronunciation", "both"]
AudioVariant = Literal["clean", "original"]
TEXT_MODES: tuple[str, ...] = ("spelling", "pronunciation", "both")
AUDIO_VARIANTS: tuple[str, ...] = ("clean", "original")

_UNSAFE_ID_CHARS = re.compile(r"[^A-Za-z0-9_.]+")


@dataclass(frozen=True)
class ExportSegment:
    """One segment of a processed clip, as the export and the quality report see it.

    Times are seconds on the source clip's timeline. ``worker_key`` is an opaque, stable
    key for the transcriber (never a name or username). ``text`` is the final accepted
    text, empty for a no-speech segment; ``submitted_text`` is the transcriber's first
    submitted revision. ``return_count`` is how often review sent the segment back.

    >>> seg = ExportSegment(utterance_id("7", 1.5, 3.25), "7", "ko", "news", 1.5, 3.25,
    ...                     "안녕하세요.", "안녕 하세요.", Path("clean.flac"),
    ...                     Path("original.flac"), "w3f2a", 1, False)
    >>> seg.utterance_id, seg.duration
    ('clip-000007-00001500-00003250', 1.75)
    """

    utterance_id: str
    clip_id: str
    language: str
    project: str
    start: float
    end: float
    text: str
    submitted_text: str
    clean_audio: Path
    original_audio: Path
    worker_key: str
    return_count: int
    no_speech: bool
    # Why the transcriber marked it no speech (``workflow.guidelines.NO_SPEECH_REASONS``).
    no_speech_reason: str | None = None
    # The machine draft's text (None when not drafted), the characters the transcriber's
    # page counted as typed (None when a save did not say), and whether the first review
    # saw the draft untouched (``drafts.evidence``).
    draft_text: str | None = None
    typed_chars: int | None = None
    draft_untouched_at_review: bool = False
    # Whether its task was held back from drafts while drafts ran there (the drafts' control
    # group, workflow/holdback.py) and its share of the transcribers' active seconds on the task.
    held_back: bool = False
    active_s: float | None = None

    @property
    def draft_cer(self) -> float | None:
        from workbench.drafts.evidence import segment_draft_cer

        return segment_draft_cer(self.draft_text, self.text, self.language)

    @property
    def duration(self) -> float:
        return self.end - self.start

    @property
    def recording_id(self) -> str:
        """The Kaldi recording (and speaker) id: one per source clip."""
        return recording_id(self.clip_id)

    @property
    def exportable(self) -> bool:
        """Speech whose accepted text has words once tags are gone; the rest only reach the report."""
        return not self.no_speech and all(spelling_and_pronunciation(self.text))

    def source_audio(self, variant: AudioVariant) -> Path:
        return self.clean_audio if variant == "clean" else self.original_audio


def recording_id(clip_id: str) -> str:
    """A fixed-width, sort-safe id for a clip: ``"7"`` → ``"clip-000007"``.

    Fixed width keeps Kaldi's byte-order sort of recordings, speakers and utterances in step.
    """
    if clip_id.isdigit():
        return f"clip-{int(clip_id):06d}"
    return "clip-" + _UNSAFE_ID_CHARS.sub("_", clip_id)


def utterance_id(clip_id: str, start: float, end: float) -> str:
    """``<recording id>-<start ms>-<end ms>``: unique per clip, prefixed by its speaker id."""
    return f"{recording_id(clip_id)}-{round(start * 1000):08d}-{round(end * 1000):08d}"


def text_columns(text: str, mode: TextMode) -> dict[str, str]:
    """The text column(s) an export writes for ``mode``.

    ``"both"`` gives two columns, ``text`` (spelling) and ``text_pronunciation``; each is
    on one line, tags and Korean dual-notation brackets resolved.
    """
    spelling, pronunciation = spelling_and_pronunciation(text)
    if mode == "spelling":
        return {"text": spelling}
    if mode == "pronunciation":
        return {"text": pronunciation}
    return {"text": spelling, "text_pronunciation": pronunciation}
