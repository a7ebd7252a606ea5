"""process_file: the output directory's layout and promises, on the sample clips."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from workbench.audio import delivery, loudness
from workbench.audio.errors import AudioError
from workbench.audio.io import write_audio
from workbench.audio.pipeline import NO_SEGMENTS_NOTE, PipelineSettings, process_file

SAMPLES = Path(__file__).resolve().parent.parent / "sample_data"
CLIPS = json.loads((SAMPLES / "clips.json").read_text(encoding="utf-8"))
MANIFEST_KEYS = {"audio_filepath", "duration", "text", "id", "start", "end", "lang", "language"}
REPORT_KEYS = {"input", "output", "language", "loudness", "noise", "segments", "denoise", "settings", "timings"}


@pytest.fixture(scope="module")
def lesson(tmp_path_factory):
    """The English video sample, processed once, with every progress call recorded."""
    out = tmp_path_factory.mktemp("lesson") / "out"
    calls = []
    report = process_file(SAMPLES / "en_lesson.mp4", out, language="en", progress=lambda stage, fraction: calls.append((stage, fraction)))
    return report, out, calls


def test_output_directory_layout(lesson):
    _, out, _ = lesson
    assert {p.name for p in out.iterdir()} == {"manifest.jsonl", "segments", "clean.flac", "original.flac", "report.json"}
    assert not list(out.parent.glob(".*partial*"))


def test_manifest_is_nemo_jsonl_in_time_order_pointing_at_16k_mono_segments(lesson):
    report, out, _ = lesson
    lines = [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(lines) == len(report.segments) > 0
    assert all(set(line) == MANIFEST_KEYS and line["text"] == "" for line in lines)
    assert {(line["lang"], line["language"]) for line in lines} == {("en", "en")}  # NeMo reads `lang`
    starts = [line["start"] for line in lines]
    assert starts == sorted(starts)
    assert all(a["end"] <= b["start"] for a, b in zip(lines, lines[1:]))
    for line in lines:
        info = sf.info(out / line["audio_filepath"])
        assert (info.samplerate, info.channels) == (16000, 1)
        assert info.duration == pytest.approx(line["duration"], abs=0.002)
        assert line["duration"] == pytest.approx(line["end"] - line["start"], abs=0.002)


@pytest.mark.parametrize("name", sorted(CLIPS))
def test_each_sample_sentence_lies_whole_in_exactly_one_segment(tmp_path, name):
    report = process_file(SAMPLES / name, tmp_path / "out", language=CLIPS[name]["language"])
    segments = [(s.start, s.end) for s in report.segments]
    for sentence in CLIPS[name]["sentences"]:
        assert sum(a <= sentence["start"] + 0.05 and sentence["end"] - 0.05 <= b for a, b in segments) == 1, sentence
    assert len(segments) == len(CLIPS[name]["sentences"])  # knocks and beeps made no segments


def test_original_and_clean_cover_the_whole_clip_at_16k_mono(lesson):
    _, out, _ = lesson
    original, clean = sf.info(out / "original.flac"), sf.info(out / "clean.flac")
    assert (original.samplerate, original.channels, clean.samplerate, clean.channels) == (16000, 1, 16000, 1)
    assert original.frames == clean.frames
    assert original.duration == pytest.approx(CLIPS["en_lesson.mp4"]["duration"], abs=0.1)


def test_report_json_holds_what_other_parts_read(lesson):
    report, out, _ = lesson
    saved = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert saved == report.report
    assert REPORT_KEYS <= set(saved)
    assert set(saved["input"]) >= {"path", "format", "codec", "sample_rate", "channels", "duration"}
    assert saved["input"]["channels"] == 2 and saved["input"]["sample_rate"] == 48000
    assert set(saved["loudness"]) == {"before_lufs", "after_lufs", "true_peak_dbtp", "gain_db"}
    assert saved["loudness"]["after_lufs"] == pytest.approx(-23.0, abs=0.5)
    assert saved["loudness"]["true_peak_dbtp"] <= -1.0
    assert saved["noise"]["snr_db"] > 5 and saved["noise"]["floor_dbfs"] < -30
    assert saved["segments"]["count"] == len(report.segments) and saved["segments"]["speech_seconds"] > 5
    assert isinstance(saved["denoise"]["applied"], bool) and saved["denoise"]["reason"]
    assert saved["settings"] == asdict(PipelineSettings())
    stages = {"decode", "highpass", "segment", "denoise", "loudness", "split", "write"}
    assert set(saved["timings"]) == stages | {"total"}
    assert saved["timings"]["total"] == pytest.approx(sum(saved["timings"][stage] for stage in stages), abs=0.01)
    assert "note" not in saved


def test_progress_runs_through_every_stage_to_one(lesson):
    _, _, calls = lesson
    fractions = [fraction for _, fraction in calls]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and fractions[0] == 0.0
    assert list(dict.fromkeys(stage for stage, _ in calls)) == ["decode", "highpass", "segment", "denoise", "loudness", "split", "write"]


def test_settings_are_used_and_recorded(tmp_path):
    settings = replace(PipelineSettings(), target_lufs=-18.0, padding_s=0.05, denoise=False)
    report = process_file(SAMPLES / "ko_call.mp3", tmp_path / "out", language="ko", settings=settings)
    assert report.report["settings"]["target_lufs"] == -18.0
    assert report.report["loudness"]["after_lufs"] == pytest.approx(-18.0, abs=0.5)
    assert report.report["denoise"] == {**report.report["denoise"], "applied": False, "reason": "turned off in the settings"}


def delivered(out: Path) -> dict[str, bytes]:
    """Every file of an output directory but the report, by path."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file() and p.name != "report.json"}


@pytest.mark.parametrize("ceiling", [-8.0, -1.0], ids=["limited", "under the ceiling"])
def test_true_peak_found_beside_the_writing_delivers_what_it_would_before(tmp_path, monkeypatch, ceiling):
    # With no loudest blocks checked first, the whole true-peak search runs while the audio
    # is split and written; a clip it then finds over the ceiling is limited and written
    # again, so both ways deliver the same files, limited where the ceiling asks.
    settings = replace(PipelineSettings.for_language("ko"), true_peak_ceiling_dbtp=ceiling)
    first = process_file(SAMPLES / "ko_call.mp3", tmp_path / "first", language="ko", settings=settings)
    monkeypatch.setattr(delivery, "LOUDEST_PEAK_BLOCKS", 0)
    beside = process_file(SAMPLES / "ko_call.mp3", tmp_path / "beside", language="ko", settings=settings)
    assert delivered(tmp_path / "beside") == delivered(tmp_path / "first")
    assert {**beside.report, "timings": None} == {**first.report, "timings": None}
    clean = sf.read(tmp_path / "beside" / "clean.flac", dtype="float32")[0]
    assert loudness.true_peak_dbtp(clean, 16000) <= ceiling + 0.01
    assert (beside.report["loudness"]["true_peak_dbtp"] <= -8.0) == (ceiling == -8.0)
    for entry in beside.segments:  # each segment is its stretch of the limited clean audio
        piece = sf.read(tmp_path / "beside" / entry.audio_filepath, dtype="float32")[0]
        near = round(entry.start * 16000)  # the manifest's start is rounded to the millisecond
        assert any(np.array_equal(piece, clean[at : at + piece.size]) for at in range(max(near - 16, 0), near + 17))


def test_without_settings_a_clip_gets_its_language_s_defaults_and_given_settings_are_kept(tmp_path):
    clip = SAMPLES / "ja_podcast.ogg"
    assert process_file(clip, tmp_path / "ja", language="ja").report["settings"]["min_pause_s"] == 0.25
    assert process_file(clip, tmp_path / "en", language="en").report["settings"]["min_pause_s"] == 0.3
    given = process_file(clip, tmp_path / "given", language="ja", settings=PipelineSettings())
    assert given.report["settings"]["min_pause_s"] == 0.3


def test_language_defaults_lie_under_what_was_chosen():
    assert PipelineSettings.for_language("ja").min_pause_s == 0.25
    assert PipelineSettings.for_language("ja", min_pause_s=0.4, padding_s=0.1) == replace(
        PipelineSettings(), min_pause_s=0.4, padding_s=0.1, long_pause_split_s=0.35, long_pause_side_s=2.0)
    assert PipelineSettings.for_language("ko") == replace(PipelineSettings(), long_pause_split_s=0.4, long_pause_side_s=2.0)
    assert PipelineSettings.for_language("zh") == replace(PipelineSettings(), long_pause_split_s=0.5, long_pause_side_s=1.0)
    assert PipelineSettings.for_language("en") == PipelineSettings()


def test_denoising_that_does_not_help_is_undone(tmp_path):
    settings = replace(PipelineSettings(), denoise_min_snr_gain_db=60.0, target_lufs=-20.0)
    report = process_file(SAMPLES / "ko_interview.wav", tmp_path / "out", language="ko", settings=settings)
    assert report.report["denoise"]["applied"] is False and "below" in report.report["denoise"]["reason"]
    plain = process_file(SAMPLES / "ko_interview.wav", tmp_path / "plain", language="ko", settings=replace(settings, denoise=False))
    np.testing.assert_allclose(sf.read(tmp_path / "out" / "clean.flac")[0], sf.read(tmp_path / "plain" / "clean.flac")[0], atol=1e-4)
    assert plain.report["loudness"] == report.report["loudness"]


def spoken_with_low_band(tmp_path, *, hum_in_pauses: bool, gap_s: float = 1.0, edges: bool = True) -> Path:
    """Two spoken sentences ``gap_s`` apart in quiet white noise (and as long before and after
    them with ``edges``), a 50 Hz tone under the speech and, with ``hum_in_pauses``, in the
    pauses too (mains hum) rather than only under the voice."""
    import soxr

    from workbench.audio.synth import ESPEAK_RATE, speak

    voice = soxr.resample(speak("The meeting starts at nine tomorrow morning.", voice="en-us"),
                          ESPEAK_RATE, 16000).astype(np.float32)
    voice *= 0.1 / np.sqrt(np.mean(voice**2))
    gap = np.zeros(int(gap_s * 16000), np.float32)
    audio = np.concatenate([gap, voice, gap, voice, gap] if edges else [voice, gap, voice])
    t = np.arange(audio.size) / 16000
    under_voice = np.convolve(np.abs(audio) > 0.01, np.ones(800) / 800, mode="same") > 0
    tone = 0.1 * np.sin(2 * np.pi * 50 * t) * (np.ones_like(t) if hum_in_pauses else under_voice)
    noise = np.random.default_rng(3).normal(0, 0.002, audio.size)
    return write_audio(tmp_path / f"low-band-{hum_in_pauses}.wav", (audio + tone + noise).astype(np.float32), 16000)


def assert_delivered_as_it_came(clip: Path, out: Path) -> None:
    """``out``'s clean audio is ``clip`` itself, only scaled (its loudness set)."""
    original, clean = sf.read(clip)[0], sf.read(out / "clean.flac")[0]
    np.testing.assert_allclose(clean, np.dot(clean, original) / np.dot(original, original) * original, atol=2e-4)


def test_when_nothing_helps_the_clip_goes_out_as_it_came_without_the_high_pass(tmp_path):
    # The gate is refused; the low band is speech's own (a tone only under the voice), so the
    # high-pass would lower the estimated SNR, and the clip is delivered unfiltered.
    clip = spoken_with_low_band(tmp_path, hum_in_pauses=False)
    settings = replace(PipelineSettings(), denoise_min_snr_gain_db=60.0)
    report = process_file(clip, tmp_path / "out", language="en", settings=settings)
    assert report.report["denoise"]["applied"] is False and report.report["denoise"]["highpass_kept"] is False
    assert_delivered_as_it_came(clip, tmp_path / "out")


def test_without_a_noise_profile_the_high_pass_is_judged_alone_too(tmp_path):
    # One short pause: too little noise for the gate's profile (as when babble fills every
    # gap), enough to tell that the low band is the voice's.
    clip = spoken_with_low_band(tmp_path, hum_in_pauses=False, gap_s=0.8, edges=False)
    report = process_file(clip, tmp_path / "out", language="en")
    assert "noise-only" in report.report["denoise"]["reason"] and report.report["denoise"]["highpass_kept"] is False
    assert_delivered_as_it_came(clip, tmp_path / "out")


def test_a_refused_gate_keeps_the_high_pass_where_it_takes_away_hum(tmp_path):
    clip = spoken_with_low_band(tmp_path, hum_in_pauses=True)
    settings = replace(PipelineSettings(), denoise_min_snr_gain_db=60.0)
    report = process_file(clip, tmp_path / "out", language="en", settings=settings)
    assert report.report["denoise"]["applied"] is False and report.report["denoise"]["highpass_kept"] is True

    def hum_share(audio):  # the 50 Hz bin against the whole signal
        return np.abs(np.fft.rfft(audio))[np.fft.rfftfreq(audio.size, 1 / 16000).searchsorted(50.0)] / np.linalg.norm(audio)

    assert hum_share(sf.read(tmp_path / "out" / "clean.flac")[0]) < 0.05 * hum_share(sf.read(clip)[0])


def test_speech_without_pauses_is_not_denoised_for_want_of_a_noise_profile(tmp_path):
    import soxr

    from workbench.audio.synth import ESPEAK_RATE, speak

    # One spoken sentence (no comma), cut to its speech: not a frame of noise alone.
    voice = soxr.resample(speak("The meeting starts at nine tomorrow morning in the large room upstairs.", voice="en-us"),
                          ESPEAK_RATE, 16000).astype(np.float32)
    loud = np.flatnonzero(np.abs(voice) > 0.05 * np.abs(voice).max())
    speech = voice[loud[0] : loud[-1] + 1] * (0.1 / np.sqrt(np.mean(voice**2)))
    report = process_file(write_audio(tmp_path / "speech.wav", speech, 16000), tmp_path / "out", language="en")
    assert report.report["denoise"]["applied"] is False and "noise-only" in report.report["denoise"]["reason"]
    assert len(report.segments) == 1


def test_silence_is_valid_with_zero_segments_and_a_note(tmp_path):
    clip = write_audio(tmp_path / "silence.wav", np.zeros(3 * 16000, np.float32), 16000)
    report = process_file(clip, tmp_path / "out", language="ja")
    assert report.segments == () and report.report["note"] == NO_SEGMENTS_NOTE
    assert (tmp_path / "out" / "manifest.jsonl").read_text() == ""
    assert list((tmp_path / "out" / "segments").iterdir()) == []
    assert report.report["segments"]["count"] == 0


def test_an_existing_empty_directory_is_filled(tmp_path):
    (tmp_path / "out").mkdir()
    process_file(SAMPLES / "ja_podcast.ogg", tmp_path / "out", language="ja")
    assert (tmp_path / "out" / "report.json").exists()


def nothing_written(parent: Path, before: set[str]) -> bool:
    return {p.name for p in parent.iterdir()} == before


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"language": "fr"}, "unknown language"),
        ({"language": "ko", "settings": replace(PipelineSettings(), min_pause_s=0.0)}, "min_pause_s"),
        ({"language": "ko", "settings": replace(PipelineSettings(), max_segment_s=1.0)}, "max_segment_s"),
        ({"language": "ko", "settings": replace(PipelineSettings(), true_peak_ceiling_dbtp=1.0)}, "true_peak"),
        ({"language": "ko", "settings": replace(PipelineSettings(), max_duration_s=7 * 3600)}, "max_duration_s"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_written(tmp_path, kwargs, message):
    with pytest.raises(AudioError, match=message):
        process_file(SAMPLES / "ko_call.mp3", tmp_path / "new" / "out", **kwargs)
    assert list(tmp_path.iterdir()) == []


def test_a_non_empty_output_directory_is_refused_and_left_alone(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    with pytest.raises(AudioError, match="not empty"):
        process_file(SAMPLES / "ko_call.mp3", tmp_path / "out", language="ko")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["keep.txt"]


def test_a_failure_midway_leaves_no_directory_behind(tmp_path):
    clip = write_audio(tmp_path / "short.wav", np.zeros(1600, np.float32), 16000)
    before = {p.name for p in tmp_path.iterdir()}
    with pytest.raises(AudioError, match="at least 0.5 s"):
        process_file(clip, tmp_path / "deep" / "er" / "out", language="en")
    assert nothing_written(tmp_path, before)


@pytest.mark.parametrize("declared_samples", [0, 16000], ids=["no length", "one second"])
def test_a_clip_longer_than_the_limit_is_refused_while_decoding_whatever_its_header_says(tmp_path, declared_samples):
    from tests.test_audio_io import flac_declaring

    bomb = flac_declaring(tmp_path / "bomb.flac", 30, declared_samples=declared_samples)
    before = {p.name for p in tmp_path.iterdir()}
    with pytest.raises(AudioError, match="bomb.flac: longer than the limit of 10.0 s: decoding stopped there"):
        process_file(bomb, tmp_path / "out", language="en", settings=PipelineSettings(max_duration_s=10))
    assert nothing_written(tmp_path, before)


def test_a_split_cue_from_outside_the_segmenter_splits_a_segment(tmp_path):
    from workbench.audio.pipeline import process_file

    clip = Path(__file__).resolve().parent.parent / "sample_data" / "en_meeting.flac"
    plain = process_file(clip, tmp_path / "plain", language="en")
    first = plain.segments[0]
    middle = round((first.start + first.end) / 2, 2)

    def split_first(intervals):
        row = int(np.argmax(intervals[:, 1] > middle))
        return np.concatenate([intervals[:row], [[intervals[row, 0], middle], [middle, intervals[row, 1]]], intervals[row + 1 :]])

    cued = process_file(clip, tmp_path / "cued", language="en", cues=[split_first])
    assert len(cued.segments) == len(plain.segments) + 1
    assert cued.segments[0].end == pytest.approx(middle, abs=0.01) and cued.segments[1].start == pytest.approx(middle, abs=0.01)


def test_babble_filling_every_pause_is_denoised_with_a_profile_from_between_the_segments(tmp_path):
    import soxr

    from workbench.audio.synth import ESPEAK_RATE, speak

    def voice(text: str, name: str = "en-us") -> np.ndarray:
        audio = soxr.resample(speak(text, voice=name), ESPEAK_RATE, 16000).astype(np.float32)
        return audio * (0.1 / np.sqrt(np.mean(audio**2)))

    # Four sentences 1.5 s apart, and five other talkers 8 dB under them from the first
    # sample to the last: webrtcvad hears speech everywhere, so there is no noise-only pause.
    talkers = [voice(text, name) for text, name in (
        ("Please close the window before you go.", "en-gb"), ("We will meet again next week at noon.", "en-us"),
        ("Thank you all for waiting so patiently.", "en-gb-x-rp"), ("The train leaves from the second platform.", "en-gb-scotland"),
        ("Good morning, everyone, and welcome back.", "en-us"))]
    sentences = [voice(text) for text in ("The meeting starts at nine tomorrow morning.", "Lunch will be served at noon today.",
                                          "The report is due on Friday afternoon.", "Bring your own laptop to the workshop.")]
    gap = np.zeros(int(1.5 * 16000), np.float32)
    speech = np.concatenate([gap] + [part for s in sentences for part in (s, gap)])
    bed = np.concatenate([t for t in talkers] * 4)[: speech.size]
    babble = sum(np.roll(bed, 24_000 * k) for k in range(5))
    babble *= 0.1 * 10 ** (-8 / 20) / np.sqrt(np.mean(babble**2))
    report = process_file(write_audio(tmp_path / "babble.wav", speech + babble, 16000), tmp_path / "out", language="en")
    denoised = report.report["denoise"]
    assert denoised["noise_profile_from"] == "between segments" and denoised["noise_profile_seconds"] >= 0.5
    assert denoised["applied"] is True
    clean = sf.read(tmp_path / "out" / "clean.flac", dtype="float32")[0]

    def si_sdr(estimate: np.ndarray) -> float:
        scale = np.dot(estimate, speech) / np.dot(speech, speech)
        return float(10 * np.log10(np.sum((scale * speech) ** 2) / np.sum((estimate - scale * speech) ** 2)))

    assert si_sdr(clean[: speech.size]) > si_sdr(speech + babble) + 1.0


_LONG_CLIPS_IN_A_FRESH_PROCESS = """
import json, resource, sys
from pathlib import Path
import numpy as np
from workbench.audio import pipeline

def fresh_pages():
    # Page faults for allocating, filling and freeing a 3 MiB buffer (under the 4 MiB from
    # which numpy asks for huge pages), after one to warm up (mean of 20): about 768 when each
    # buffer gets its own mapping, about none when freed memory is used again.
    np.ones(3 << 18, np.float32)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(20):
        np.ones(3 << 18, np.float32)
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 20

clip, out = Path(sys.argv[1]), Path(sys.argv[2])
pipeline._LONG_CLIP_SAMPLES = 16000  # these clips stand in for long ones
seen = {}

def progress(stage, fraction):
    if stage == "highpass" and "running" not in seen:
        seen["running"] = fresh_pages()
    if stage == "segment" and "another_ended" not in seen:
        seen["another_ended"] = None
        pipeline.process_file(clip, out / "another", language="en")
        seen["another_ended"] = fresh_pages()

pipeline.process_file(clip, out / "first", language="en", progress=progress)
seen["all_ended"] = fresh_pages()
print(json.dumps(seen))
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the thresholds set are glibc's allocator's")
def test_a_long_clip_hands_freed_memory_back_while_it_runs_and_not_after(tmp_path):
    """Past an hour of audio every freed buffer goes back to the system at once (memory over
    speed) for as long as any such clip runs in the process; once the last one ends, a
    worker's next clip must not keep paying for fresh pages. In a fresh process: one that
    already holds freed memory serves a buffer from it whatever the thresholds say."""
    done = subprocess.run([sys.executable, "-c", _LONG_CLIPS_IN_A_FRESH_PROCESS, str(SAMPLES / "en_meeting.flac"),
                           str(tmp_path)], capture_output=True, text=True, timeout=300, check=True)
    seen = json.loads(done.stdout.splitlines()[-1])

    assert seen["running"] > 600
    assert seen["another_ended"] > 600  # another long clip ending leaves this one's setting alone
    assert seen["all_ended"] < 50
