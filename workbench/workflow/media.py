"""Segment audio and spectrograms, permission-checked and cached under the data directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from workbench.workflow import access, rows
from workbench.workflow.context import Service
from workbench.workflow.domain import Actor
from workbench.workflow.errors import InvalidInput, NotFound, message_id
from workbench.workflow.files import write_through_temp

VARIANTS = ("clean", "original")
MISSING = {"clean": message_id("The clean audio of clip {clip} is missing."),
           "original": message_id("The original audio of clip {clip} is missing.")}


@dataclass(frozen=True)
class SegmentAudio:
    """A segment's audio file as served: the file, and the bounds (seconds on the clip) it
    was cut at, which is the audio version a reviewer's listening is tied to.
    ``reviewing``: the listener holds the task in review, so what reaches them counts
    (``record_audio_sent``)."""

    segment_id: int
    path: Path
    start: float
    end: float
    reviewing: bool = False

    @property
    def bounds(self) -> tuple[float, float]:
        return self.start, self.end

    def span_of_bytes(self, first: int, stop: int, size: int) -> tuple[float, float]:
        """The seconds into the segment that bytes ``[first, stop)`` of the ``size``-byte file
        carry: all of it for the whole file, else in proportion to the bytes (approximate:
        FLAC frames differ in size and the header counts as audio; browsers fetch short
        segments whole, so this matters only to a client that asks for less)."""
        duration = self.end - self.start
        if size <= 0 or stop <= first:
            return 0.0, 0.0
        if first <= 0 and stop >= size:
            return 0.0, duration
        return duration * max(0, first) / size, duration * min(stop, size) / size


def warm_up() -> None:
    """Import what the first segment cut and spectrogram need (soundfile, scipy.signal and
    matplotlib: about 2.5 s on the 2-core machine), so that the first transcriber after a
    start does not wait for it. The web app runs this in a background thread as it starts."""
    import workbench.audio.io  # noqa: F401
    import workbench.audio.spectrum  # noqa: F401


class Media(Service):
    """Needs only ``ctx``: the permission rules are ``access``'s, the rows ``rows``'."""

    def segment_audio(self, actor: Actor, segment_id: int, *, variant: str = "clean") -> SegmentAudio:
        """A FLAC of the segment's current span, cut from the clip's ``clean.flac`` (or
        ``original.flac``). Only the task's transcriber, a reviewer of its language or an
        admin may hear it (PermissionDenied otherwise). Whoever serves it tells
        ``record_audio_sent`` what reached the listener."""
        if variant not in VARIANTS:
            raise InvalidInput(f"Unknown audio variant {variant!r}; choose {' or '.join(VARIANTS)}.")
        with self.store.reading() as session:
            user = access.current(session, actor)
            found = rows.media_source(session, segment_id)  # one statement: segment, task, clip
            access.may_view(user, found, session)
        return cut_segment(self.ctx, found, variant, reviewing=access.holds(found, user))

    def segment_audio_path(self, actor: Actor, segment_id: int, *, variant: str = "clean") -> Path:
        """The file of ``segment_audio`` (for callers that only read it)."""
        return self.segment_audio(actor, segment_id, variant=variant).path

    def segment_spectrogram_path(self, actor: Actor, segment_id: int) -> Path:
        """A PNG spectrogram of the segment's current span of the clean audio."""
        source, start, end, cached, _ = self._media_source(actor, segment_id, "clean")
        target = cached.with_name(f"spectrogram-{_ms(start)}-{_ms(end)}.png")
        if not target.exists():
            from workbench.audio.io import read_span
            from workbench.audio.spectrum import render_spectrogram

            audio, rate = read_span(source, start, end)
            write_through_temp(target, lambda path: render_spectrogram(audio, rate, path=path))
        return target

    def _media_source(self, actor: Actor, segment_id: int, variant: str):
        with self.store.reading() as session:
            user = access.current(session, actor)
            found = rows.media_source(session, segment_id)  # one statement: segment, task, clip
            access.may_view(user, found, session)
        return _source(self.ctx, found, variant)


def cut_segment(ctx, found, variant: str = "clean", *, reviewing: bool = False) -> SegmentAudio:
    """The audio file of ``found`` (a ``rows.media_source`` row the caller has let the
    listener hear): the pipeline's cut of the clean audio while the bounds are the
    pipeline's, else a cut made now and kept under the data directory."""
    source, start, end, cached, pipeline_cut = _source(ctx, found, variant)
    if variant == "clean" and pipeline_cut is not None and pipeline_cut.exists():
        return SegmentAudio(found.segment_id, pipeline_cut, start, end, reviewing)
    target = cached.with_name(f"{variant}-{_ms(start)}-{_ms(end)}.flac")
    if not target.exists():
        from workbench.audio.io import read_span, write_audio

        audio, rate = read_span(source, start, end)
        write_through_temp(target, lambda path: write_audio(path, audio, rate))
    return SegmentAudio(found.segment_id, target, start, end, reviewing)


def _source(ctx, found, variant: str):
    rows.check_audible(found.clip_id, found.withdrawn_at, found.output_dir)
    source = ctx.path(found.output_dir) / f"{variant}.flac"
    if not source.exists():
        raise NotFound.worded(MISSING[variant], clip=found.clip_id)
    cut = ctx.path(found.audio_file) if found.audio_file else None
    cached = ctx.data_dir / "cache" / "segments" / str(found.segment_id) / "x"
    return source, found.start_s, found.end_s, cached, cut


def _ms(seconds: float) -> int:
    return int(round(seconds * 1000))
