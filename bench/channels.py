"""Channels: the held-out clips as a telephone line, lossy voice codecs, a far microphone and a gain control deliver them.

    python3 bench/channels.py [--channels telephone,opus16,aac32]   # also sections of bench/run.py's output
    python3 bench/channels.py --segmentation [--split tune|validation|real] [--channels ...] [key=value ...]

The grid's clips are 16 kHz float WAV files with the full band up to 8 kHz. Much of what a
client sends has been through a channel first: call-centre recordings through a telephone
line (300-3400 Hz, 8 kHz, G.711 mu-law), voice messages through Opus at 16 kb/s or AAC at
32 kb/s. Here each held-out clip down to 8 dB SNR is sent through each channel and written
as the file a client would upload:

- ``as built``: the clip as the main tables use it;
- ``telephone``: band-passed to 300-3400 Hz (4th-order Butterworth), resampled to 8 kHz and
  written as a mu-law WAV;
- ``opus16``: Opus at 16 kb/s, mono 16 kHz, in Ogg;
- ``aac32``: AAC-LC at 32 kb/s, mono 16 kHz, in M4A;
- ``room``: the clip as a far microphone in a reverberant room hears it (RT60 0.8 s,
  direct-to-reverberant ratio 0 dB: a lecture hall or a meeting room; the grid's own rooms
  are 0.15-0.4 s at 4-10 dB), written as a 16 kHz WAV;
- ``agc``: the clip through the automatic gain control of a phone or a meeting app
  (``synth.with_automatic_gain``: each 10 ms brought toward -20 dBFS, the gain falling in
  10 ms and rising by up to 24 dB over a second), so the background swells in every pause;
  a 16-bit WAV.

With ``--segmentation``, the segmenter alone (``speech.find_speech``, scored by
``bench/tune.py``'s ``score``) is run instead on the clips of ``--split`` (``tune``, ``validation`` down to 8 dB,
or ``real``), sent through each channel and decoded as the pipeline decodes them, with any
``key=value`` settings: how ``narrowband_*`` and ``min_level_range_share`` were chosen on the
tuning clips and checked on the others.

This project is given the file (it decodes and resamples it as for any upload). Silero VAD
is given the same file decoded to 16 kHz mono by ``workbench.audio.io.read_audio``. The
figures are pooled over the clips: sentences whole, one sentence each, segments with no
speech. The truth is the clip's own: a channel delays nothing the scoring could see (Opus's
and AAC's encoder delay is removed by the decoder, the band-pass's group delay is under
2 ms, and a room only adds a tail after each sound). The recorded-speech clips
(``bench/real.py``) are sent the same way, in a table of their own. No setting was chosen
on the held-out clips.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import grid  # noqa: E402
import levels  # noqa: E402
import metrics  # noqa: E402
import quality  # noqa: E402
import silero  # noqa: E402

from workbench.audio import io, synth  # noqa: E402
from workbench.audio.settings import PipelineSettings  # noqa: E402

CHANNELS = ("as built", "telephone", "opus16", "aac32", "room", "agc")
ROOM = {"rt60": 0.8, "direct_to_reverb_db": 0.0}
SYSTEMS = ("ours", "silero")
LABELS = {"ours": "this project", "silero": "Silero VAD"}
DESCRIPTIONS = {
    "as built": "16 kHz float WAV, as in the main tables",
    "telephone": "300-3400 Hz, 8 kHz, G.711 mu-law WAV",
    "opus16": "Opus 16 kb/s, 16 kHz mono, Ogg",
    "aac32": "AAC-LC 32 kb/s, 16 kHz mono, M4A",
    "room": "a far microphone in a room: RT60 0.8 s, direct-to-reverberant 0 dB, 16 kHz WAV",
    "agc": "automatic gain control: -20 dBFS, up to +24 dB over 1 s, 16-bit WAV",
}


def send(audio: np.ndarray, channel: str, folder: Path) -> Path:
    """``audio`` (16 kHz mono float32) written as ``channel`` delivers it; the file's path."""
    if channel == "as built":
        path = folder / "clip.wav"
        sf.write(path, audio, grid.RATE, subtype="FLOAT")
    elif channel == "telephone":
        path = synth.write_telephone_line(folder / "clip-telephone.wav", audio, grid.RATE)
    elif channel == "opus16":
        path = io.write_audio(folder / "clip.ogg", audio, grid.RATE, bitrate=16000)
    elif channel == "aac32":
        path = io.write_audio(folder / "clip.m4a", audio, grid.RATE, bitrate=32000)
    elif channel == "room":
        path = folder / "clip-room.wav"
        sf.write(path, synth.in_a_room(audio, grid.RATE, **ROOM), grid.RATE, subtype="FLOAT")
    elif channel == "agc":
        path = folder / "clip-agc.wav"
        sf.write(path, synth.with_automatic_gain(audio, grid.RATE), grid.RATE, subtype="PCM_16")
    else:
        raise ValueError(f"unknown channel {channel!r}; known: {', '.join(CHANNELS)}")
    return path


def segments_of(system: str, path: Path, language: str, scratch: Path) -> list:
    if system == "silero":
        return [tuple(s) for s in silero.segments(io.read_audio(path)[0]).tolist()]
    return quality.run_ours(path, language, scratch, PipelineSettings.for_language(language))["segments"]


GROUPS = {"held_out": "the {snr} dB and louder held-out clips", "recorded": "the recorded-speech clips"}


def clips_of(group: str) -> list[tuple[str, Path, list]]:
    """(language, clip path, truth) of each clip in ``group`` (``GROUPS``)."""
    if group == "held_out":
        return [(spec.language, path, truth) for spec, path, truth in levels.held_out_clips()]
    import real

    return [(truth["spec"]["language"], folder / "clip.wav", [(s["start"], s["end"]) for s in truth["sentences"]])
            for folder, truth in real.clips(HERE / "out" / "real")]


def measure(channels=CHANNELS, group: str = "held_out") -> dict:
    """Per channel: each system's pooled scores on ``group``'s clips."""
    clips = clips_of(group)
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        for channel in channels:
            scores = {system: [] for system in SYSTEMS}
            for language, path, truth in clips:
                sent = send(sf.read(str(path), dtype="float32")[0], channel, scratch)
                for system in SYSTEMS:
                    scores[system].append(metrics.segment_scores(truth, segments_of(system, sent, language, scratch)))
            results[channel] = {system: metrics.pooled(rows) for system, rows in scores.items()}
            print(f"channels: {group} {channel} done", file=sys.stderr, flush=True)
    return results


def segmentation(split: str, channels: list[str], arguments: list[str]) -> dict:
    """Per channel: the segmenter's scores per language (``tune.score``) on the ``split``
    clips sent through it, with ``key=value`` ``arguments`` over the defaults."""
    import tune

    from workbench.audio import denoise

    clips = tune.load_tuning_clips() if split == "tune" else [
        clip for clip in tune.load_clips(split) if "spec" not in clip or clip["spec"].snr_db >= levels.MIN_SNR_DB]
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        for channel in channels:
            sent = []
            for clip in clips:
                if channel != "as built":  # the clip's own audio is already high-passed
                    decoded = io.read_audio(send(clip["raw"], channel, Path(scratch)))[0][: clip["raw"].size]
                    clip = {**clip, "audio": denoise.highpass(decoded, grid.RATE, out=decoded)}
                sent.append(clip)
            results[channel] = tune.score(sent, arguments)
    return results


def lines(results: dict, group: str = "held_out") -> list[str]:
    rows = [([channel, DESCRIPTIONS[channel]], row) for channel, row in results.items()]
    return [f"Channels: {GROUPS[group].format(snr=levels.MIN_SNR_DB)} through a telephone line, voice codecs, "
            "a room and a gain control (bench/channels.py)", "", *levels.table(["channel", "what the file is"], LABELS, rows)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--channels", default=",".join(CHANNELS), help="comma-separated: " + ", ".join(CHANNELS))
    parser.add_argument("--segmentation", action="store_true", help="the segmenter alone on --split's clips")
    parser.add_argument("--split", default="tune", choices=("tune", "validation", "real"))
    parser.add_argument("settings", nargs="*", metavar="key=value", help="with --segmentation: settings over the defaults")
    args = parser.parse_args()
    chosen = [c.strip() for c in args.channels.split(",")]
    unknown = [c for c in chosen if c not in CHANNELS]
    if unknown:
        parser.error(f"unknown channel(s) {', '.join(unknown)}; known: {', '.join(CHANNELS)}")
    if args.settings and not args.segmentation:
        parser.error("key=value settings need --segmentation")
    if not args.segmentation:
        for group in GROUPS:
            print("\n".join(lines(measure(chosen, group), group)) + "\n")
        return
    for channel, result in segmentation(args.split, chosen, args.settings).items():
        print(f"{args.split} {channel}: " + "  ".join(
            f"{key} {row['sentences_whole']:.3f} / {row['one_sentence_each']:.3f} / {row['no_speech_share']:.3f}"
            for key, row in result.items() if isinstance(row, dict)))


if __name__ == "__main__":
    main()
