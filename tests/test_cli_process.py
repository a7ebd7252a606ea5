"""`workbench process`: every bad input gets a message, a non-zero exit and no output."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import soxr
from typer.testing import CliRunner

from workbench.audio.io import write_audio
from workbench.audio.synth import ESPEAK_RATE, pink_noise, speak
from workbench.cli import app

SAMPLES = Path(__file__).resolve().parent.parent / "sample_data"
runner = CliRunner()


def process(*args: str):
    return runner.invoke(app, ["process", *map(str, args)])


@pytest.fixture(scope="module")
def two_sentences() -> np.ndarray:
    """Two espeak-ng sentences with a pause and light noise, at 48 kHz."""
    gap = np.zeros(int(0.8 * ESPEAK_RATE), np.float32)
    speech = np.concatenate([gap, speak("The first sentence is short.", voice="en-us"), gap,
                             speak("And here comes the second one.", voice="en-gb"), gap])
    audio = soxr.resample(speech * 0.4, ESPEAK_RATE, 48000).astype(np.float32)
    return audio + 0.004 * pink_noise(audio.size, rng=np.random.default_rng(0))


def test_process_writes_the_output_directory(tmp_path):
    result = process(SAMPLES / "ko_interview.wav", "--language", "ko", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "6 segments" in result.output and "wrote" in result.output
    assert (tmp_path / "out" / "manifest.jsonl").read_text(encoding="utf-8").count("\n") == 6


def test_options_reach_the_pipeline_settings(tmp_path):
    result = process(SAMPLES / "ja_podcast.ogg", "--language", "ja", "--out", tmp_path / "out",
                     "--min-pause", "0.5", "--max-segment", "10", "--padding", "0.1", "--target-lufs", "-20",
                     "--max-gain", "12", "--true-peak", "-2", "--vad-aggressiveness", "2", "--no-denoise", "--no-enhance",
                     "--busy-denoiser", "gate")
    assert result.exit_code == 0, result.output
    settings = json.loads((tmp_path / "out" / "report.json").read_text())["settings"]
    assert (settings["min_pause_s"], settings["max_segment_s"], settings["padding_s"], settings["target_lufs"],
            settings["max_gain_db"], settings["true_peak_ceiling_dbtp"], settings["vad_aggressiveness"], settings["denoise"],
            settings["enhance"], settings["denoise_busy_method"]) == (0.5, 10.0, 0.1, -20.0, 12.0, -2.0, 2, False, False, "gate")
    assert "learnt enhancer: not used (denoising is off)" in result.output


@pytest.mark.parametrize(("language", "pause"), [("ja", 0.25), ("ko", 0.3), ("en", 0.3), ("zh", 0.3)])
def test_a_clip_gets_the_pause_length_of_its_language_unless_one_is_chosen(tmp_path, language, pause):
    result = process(SAMPLES / "ja_podcast.ogg", "--language", language, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "out" / "report.json").read_text())["settings"]["min_pause_s"] == pause


@pytest.mark.parametrize(("language", "chosen", "split"), [("ko", [], 0.4), ("ko", ["--long-pause", "0"], 0.0),
                                                        ("en", [], 0.0), ("en", ["--long-pause", "0.7"], 0.7)])
def test_the_long_pause_split_is_on_in_korean_by_default_and_chosen_with_long_pause(tmp_path, language, chosen, split):
    result = process(SAMPLES / "ko_call.mp3", "--language", language, "--out", tmp_path / "out", *chosen)
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["settings"]["long_pause_split_s"] == split
    assert ("cut at long pauses" in result.output) == (report["segments"]["long_pause_splits"] > 0)


@pytest.mark.parametrize(
    ("channels", "rate", "suffix"),
    [(8, 48000, ".wav"), (1, 8000, ".wav"), (2, 192000, ".flac")],
    ids=["8-channels", "8kHz-telephone", "192kHz"],
)
def test_unusual_channel_counts_and_rates_are_processed(tmp_path, two_sentences, channels, rate, suffix):
    audio = soxr.resample(two_sentences, 48000, rate).astype(np.float32)
    source = write_audio(tmp_path / f"clip{suffix}", np.stack([audio] * channels, axis=1) if channels > 1 else audio, rate)
    result = process(source, "--language", "en", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert (report["input"]["channels"], report["input"]["sample_rate"]) == (channels, rate)
    assert report["segments"]["count"] == 2
    assert sf.info(tmp_path / "out" / "clean.flac").samplerate == 16000


def test_all_silence_is_valid_and_says_so(tmp_path):
    source = write_audio(tmp_path / "quiet.wav", np.zeros(5 * 16000, np.float32), 16000)
    result = process(source, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "0 segments" in result.output and "No speech was found" in result.output
    assert "note" in json.loads((tmp_path / "out" / "report.json").read_text())


def not_audio(tmp: Path) -> Path:
    (tmp / "minutes.txt").write_text("Minutes of the meeting\n" * 40)
    return tmp / "minutes.txt"


def random_bytes(tmp: Path) -> Path:
    (tmp / "upload.m4a").write_bytes(np.random.default_rng(1).bytes(50000))
    return tmp / "upload.m4a"


def zero_length(tmp: Path) -> Path:
    (tmp / "empty.mp3").write_bytes(b"")
    return tmp / "empty.mp3"


def truncated(suffix: str):
    def make(tmp: Path) -> Path:
        t = np.arange(5 * 16000) / 16000
        path = write_audio(tmp / f"cut{suffix}", (0.3 * np.sin(2 * np.pi * 300 * t)).astype(np.float32), 16000)
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])
        return path

    return make


def too_short(tmp: Path) -> Path:
    return write_audio(tmp / "blip.wav", np.zeros(800, np.float32), 16000)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (not_audio, "not audio"),
        (random_bytes, "cannot be read as audio"),
        (zero_length, "empty"),
        (truncated(".wav"), "truncated"),
        (truncated(".m4a"), "truncated or corrupt"),
        (truncated(".flac"), "corrupt"),
        (too_short, "at least 0.5 s"),
        (lambda tmp: tmp / "nowhere.wav", "no such file"),
    ],
    ids=["not-audio", "random-bytes", "zero-length", "truncated-wav", "truncated-m4a", "corrupt-flac", "too-short", "missing"],
)
def test_bad_input_gets_a_message_a_failure_exit_and_no_output(tmp_path, make, message):
    source = make(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = process(source, "--language", "en", "--out", tmp_path / "out" / "clip")
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--language", "fr"], "unknown language"), (["--max-segment", "1"], "max_segment_s"),
     (["--busy-denoiser", "../../etc/passwd"], "denoise_busy_method must be 'wiener' or 'gate'"),
     (["--long-pause", "-1"], "long_pause_split_s must not be negative")],
)
def test_bad_options_get_a_message_and_no_output(tmp_path, args, message):
    result = process(SAMPLES / "ko_call.mp3", "--out", tmp_path / "out", *args)
    assert result.exit_code == 1 and message in result.output
    assert not (tmp_path / "out").exists()


def test_a_non_empty_output_directory_is_refused(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "other.txt").write_text("keep me")
    result = process(SAMPLES / "ko_call.mp3", "--out", tmp_path / "out")
    assert result.exit_code == 1 and "not empty" in result.output
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["other.txt"]


@pytest.mark.slow
def test_a_two_hour_clip_is_processed(tmp_path, two_sentences):
    """A minute (the two sentences, then quiet noise) tiled to two hours, as 8 kHz FLAC."""
    minute = np.zeros(8000 * 60, np.float32)
    speech = soxr.resample(two_sentences, 48000, 8000).astype(np.float32)
    minute[: speech.size] = speech
    minute += 0.002 * pink_noise(minute.size, rng=np.random.default_rng(2))
    source = tmp_path / "two_hours.flac"
    with sf.SoundFile(source, "w", 8000, 1, "PCM_16") as handle:
        for _ in range(120):
            handle.write(minute)
    result = process(source, "--language", "en", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["input"]["duration"] == pytest.approx(7200, abs=1)
    assert report["segments"]["count"] == 240
