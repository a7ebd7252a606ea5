"""Each export format, read back by its consumer's own rules.

Real FLAC clips (tones with a different pitch per segment, so a mis-cut shows up) stand in
for processed clips; the database-free core ``write_export`` writes them.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from workbench.export.core import ExportOptions, parse_sample_rate, write_export
from workbench.export.errors import ExportError, NothingToExport
from workbench.export.segment import ExportSegment, recording_id, utterance_id
from workbench.export.splits import ClipForSplit, SplitRatios, assign_splits

RATE = 16000
CLIP_SECONDS = 6.0
SPANS = [(0.25, 1.75), (2.0, 3.5), (4.0, 5.9)]
TEXTS = {
    "ko": "(KTX)/(케이티엑스) 타고 가요.",
    "en": "[laugh] I want that.",
}
EVEN_SPLITS = SplitRatios(0.5, 0.25, 0.25)


def _tone_clip(path: Path, pitch: float, rate: int = RATE, seconds: float = CLIP_SECONDS) -> Path:
    t = np.arange(int(rate * seconds)) / rate
    sf.write(path, (0.2 * np.sin(2 * np.pi * pitch * t)).astype(np.float32), rate, subtype="PCM_16")
    return path


def make_segments(root: Path, *, clips_per_language: int = 4, original_rate: int = RATE) -> list[ExportSegment]:
    """Processed clips on disk and their segments: the last segment of every clip is no-speech."""
    segments = []
    for language in TEXTS:
        for n in range(clips_per_language):
            clip = f"{len(segments) // len(SPANS) + 1}"
            folder = root / "clips" / clip
            folder.mkdir(parents=True)
            clean = _tone_clip(folder / "clean.flac", 200 + 40 * int(clip))
            original = _tone_clip(folder / "original.flac", 1000 + 40 * int(clip), rate=original_rate)
            for position, (start, end) in enumerate(SPANS):
                no_speech = position == len(SPANS) - 1
                segments.append(ExportSegment(
                    utterance_id=utterance_id(clip, start, end), clip_id=clip, language=language,
                    project="news" if n % 2 else "calls", start=start, end=end,
                    text="" if no_speech else TEXTS[language], submitted_text=TEXTS[language],
                    clean_audio=clean, original_audio=original, worker_key=f"w{n % 2}",
                    return_count=n % 2, no_speech=no_speech,
                ))
    return segments


@pytest.fixture(scope="module")
def segments(tmp_path_factory) -> list[ExportSegment]:
    """Clips and segments shared by the module; tests that break a clip use ``own_segments``."""
    return make_segments(tmp_path_factory.mktemp("data"))


@pytest.fixture
def own_segments(tmp_path) -> list[ExportSegment]:
    return make_segments(tmp_path / "data")


def export(segments, out: Path, fmt: str, **options) -> Path:
    write_export(segments, out, ExportOptions(fmt=fmt, splits=options.pop("splits", EVEN_SPLITS), **options))
    return out


@pytest.fixture(scope="module")
def exported(segments, tmp_path_factory):
    """``exported(fmt, **options)``: the export of ``segments``, written once per module."""
    written: dict[tuple, Path] = {}

    def get(fmt: str, **options) -> Path:
        key = (fmt, *sorted(options.items()))
        if key not in written:
            written[key] = export(segments, tmp_path_factory.mktemp(fmt) / "out", fmt, **options)
        return written[key]

    return get


def speech(segments) -> list[ExportSegment]:
    return [seg for seg in segments if not seg.no_speech]


# --- NeMo ---------------------------------------------------------------------------------

def test_nemo_manifest_lines_parse_and_durations_match_the_audio(segments, exported):
    out = exported("nemo")
    records = []
    for manifest in sorted(out.glob("*_manifest.jsonl")):
        for line in manifest.read_text(encoding="utf-8").splitlines():
            records.append(json.loads(line))
            record = records[-1]
            audio = manifest.parent / record["audio_filepath"]
            info = sf.info(audio)
            assert info.samplerate == RATE and info.channels == 1
            assert record["duration"] == pytest.approx(info.frames / info.samplerate, abs=1e-6)
            assert record["duration"] == pytest.approx(record["clip_end"] - record["clip_start"], abs=2e-3)
            assert "offset" not in record
    assert sorted(r["utterance_id"] for r in records) == sorted(s.utterance_id for s in speech(segments))
    assert {r["text"] for r in records} == {"KTX 타고 가요.", "I want that."}
    assert {r["language"] for r in records} == {"ko", "en"}
    summary = json.loads((out / "export.json").read_text(encoding="utf-8"))
    assert summary["segments"] == len(records) and (out / summary["report"]).is_file()


def test_nemo_manifest_gives_the_language_under_lang_which_nemo_reads(segments, exported):
    out = exported("nemo")
    by_id = {seg.utterance_id: seg for seg in segments}
    records = [json.loads(line) for manifest in out.glob("*_manifest.jsonl")
               for line in manifest.read_text(encoding="utf-8").splitlines()]
    assert records and all(r["lang"] == r["language"] == by_id[r["utterance_id"]].language for r in records)


def test_segment_audio_is_cut_from_its_own_span(segments, exported):
    out = exported("nemo")
    seg = speech(segments)[1]
    written, rate = sf.read(out / "audio" / f"{seg.utterance_id}.flac", dtype="float32")
    source, _ = sf.read(seg.clean_audio, dtype="float32")
    first = round(seg.start * rate)
    np.testing.assert_allclose(written, source[first:first + written.size], atol=1e-4)


# --- Hugging Face audiofolder ---------------------------------------------------------------

def load_audiofolder(data_dir: Path, columns: list[str], cache_dir: Path):
    """``load_dataset("audiofolder")`` on the export, offline.

    `datasets` ≥ 4 encodes and decodes its Audio feature with torchcodec, which needs torch
    and FFmpeg's shared libraries; without them the builder runs with the file column kept
    as its string, and the test decodes each file itself.
    """
    import datasets

    try:
        import torchcodec  # noqa: F401
    except ImportError:
        features = datasets.Features({name: datasets.Value("string") for name in columns})
        return datasets.load_dataset("audiofolder", data_dir=str(data_dir), features=features,
                                     cache_dir=str(cache_dir)), "file_name"
    return datasets.load_dataset("audiofolder", data_dir=str(data_dir), cache_dir=str(cache_dir)), "audio"


@pytest.fixture
def offline_hf(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))


@pytest.mark.parametrize("text, columns", [
    ("spelling", {"transcription": "KTX 타고 가요."}),
    ("pronunciation", {"transcription": "케이티엑스 타고 가요."}),
    ("both", {"transcription": "KTX 타고 가요.", "transcription_pronunciation": "케이티엑스 타고 가요."}),
])
def test_hf_audiofolder_loads_with_datasets(segments, exported, tmp_path, offline_hf, text, columns):
    out = exported("hf", text=text)
    header = (out / "train" / "metadata.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    for name in ("file_name", "transcription", "language", "clip_id", "duration"):
        assert name in header
    dataset, audio_column = load_audiofolder(out, header, tmp_path / "hf-cache")
    assert set(dataset) == {"train", "validation", "test"}
    clips_by_split = defaultdict(set)
    loaded = 0
    for split, rows in dataset.items():
        for row in rows:
            loaded += 1
            clips_by_split[split].add(row["clip_id"])
            if audio_column == "audio":
                array, rate = row["audio"]["array"], row["audio"]["sampling_rate"]
            else:
                array, rate = sf.read(out / split / row["file_name"], dtype="float32")
            assert rate == RATE
            assert array.size / rate == pytest.approx(float(row["duration"]), abs=1e-6)
            if row["language"] == "ko":
                assert {name: row[name] for name in columns} == columns
            else:
                assert row["transcription"] == "I want that."
    assert loaded == len(speech(segments))
    splits = list(clips_by_split.values())
    assert all(not (a & b) for i, a in enumerate(splits) for b in splits[i + 1:])


# --- Kaldi --------------------------------------------------------------------------------

def read_table(path: Path) -> list[tuple[str, str]]:
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[-1] == "", f"{path.name} must end with a newline"
    return [tuple(line.split(" ", 1)) if " " in line else (line, "") for line in lines[:-1]]


def assert_sorted_and_unique_like_kaldi(path: Path) -> None:
    """validate_data_dir.sh: the first column, under LC_ALL=C, is sorted and unique."""
    keys = "".join(key + "\n" for key, _ in read_table(path))
    env = {**os.environ, "LC_ALL": "C"}
    resorted = subprocess.run(["sort", "-u"], input=keys.encode(), capture_output=True, env=env, check=True)
    assert resorted.stdout == keys.encode(), f"{path.name} is not sorted (LC_ALL=C) and unique"


def assert_kaldi_data_dir(data_dir: Path) -> None:
    for name in ("wav.scp", "segments", "text", "utt2spk", "spk2utt"):
        assert_sorted_and_unique_like_kaldi(data_dir / name)
    wav = dict(read_table(data_dir / "wav.scp"))
    utt2spk = dict(read_table(data_dir / "utt2spk"))
    spk2utt = {spk: utts.split(" ") for spk, utts in read_table(data_dir / "spk2utt")}
    text = dict(read_table(data_dir / "text"))
    # utils/utt2spk_to_spk2utt.pl gives exactly spk2utt, each speaker's list in utt2spk order.
    expected = defaultdict(list)
    for utt, spk in utt2spk.items():
        expected[spk].append(utt)
    assert spk2utt == dict(expected)
    assert set(text) == set(utt2spk)
    assert all(value.strip() for value in text.values())
    for utt, spk in utt2spk.items():
        assert utt.startswith(spk + "-"), "utterance ids start with their speaker id"
    durations = {}
    for rec, path in wav.items():
        assert Path(path).is_absolute() and Path(path).is_file()
        info = sf.info(path)
        assert info.format == "WAV" and info.samplerate == RATE
        durations[rec] = info.frames / info.samplerate
    segments = read_table(data_dir / "segments")
    assert {utt for utt, _ in segments} == set(utt2spk)
    for _, rest in segments:
        rec, start, end = rest.split(" ")
        assert rec in wav
        assert 0 <= float(start) < float(end) <= durations[rec]


def test_kaldi_data_dirs_follow_kaldis_rules(segments, exported):
    out = exported("kaldi")
    data_dirs = sorted(path.parent for path in out.glob("*/wav.scp"))
    assert [d.name for d in data_dirs] == ["dev", "test", "train"]
    for data_dir in data_dirs:
        assert_kaldi_data_dir(data_dir)
    recordings = [set(dict(read_table(d / "wav.scp"))) for d in data_dirs]
    assert sum(len(r) for r in recordings) == len(set().union(*recordings)), "a clip is in one split only"
    utterances = set().union(*(dict(read_table(d / "utt2spk")).keys() for d in data_dirs))
    assert utterances == {seg.utterance_id for seg in speech(segments)}


MIXED_RATES = (16000, 22050, 44100, 48000)


def test_kaldi_with_the_sources_own_rates_writes_every_recording_at_the_highest_one(tmp_path):
    segments = make_segments(tmp_path / "data", clips_per_language=2)
    rates = {}
    for index, clip in enumerate(sorted({seg.clip_id for seg in segments})):
        rates[clip] = MIXED_RATES[index]
        _tone_clip(tmp_path / "data" / "clips" / clip / "original.flac", 1000 + 40 * int(clip), rate=rates[clip])
    out = export(segments, tmp_path / "out", "kaldi", audio="original", sample_rate=None)
    written = {}
    for data_dir in sorted(path.parent for path in out.glob("*/wav.scp")):
        for rec, path in read_table(data_dir / "wav.scp"):
            audio, written[rec] = sf.read(path, dtype="float32")
            clip = next(seg.clip_id for seg in segments if seg.recording_id == rec)
            assert audio.size == round(CLIP_SECONDS * 48000)
            # Resampled, not relabelled: each clip's tone keeps its pitch.
            peak_hz = np.argmax(np.abs(np.fft.rfft(audio))) * written[rec] / audio.size
            assert peak_hz == pytest.approx(1000 + 40 * int(clip), abs=2)
    assert set(written.values()) == {48000} and len(written) == len(rates)
    assert json.loads((out / "export.json").read_text(encoding="utf-8"))["audio_sample_rate"] == 48000


def test_other_formats_keep_each_sources_own_rate(tmp_path):
    segments = make_segments(tmp_path / "data", clips_per_language=1)
    _tone_clip(tmp_path / "data" / "clips" / "2" / "original.flac", 1080, rate=44100)
    out = export(segments, tmp_path / "out", "nemo", audio="original", sample_rate=None,
                 splits=SplitRatios(1, 0, 0))
    rates = {json.loads(line)["clip_id"]: sf.info(out / json.loads(line)["audio_filepath"]).samplerate
             for line in (out / "train_manifest.jsonl").read_text(encoding="utf-8").splitlines()}
    assert rates == {"1": 16000, "2": 44100}
    assert json.loads((out / "export.json").read_text(encoding="utf-8"))["audio_sample_rate"] == "original"


def test_kaldi_writes_the_pronunciation_beside_the_spelling(exported):
    out = exported("kaldi", text="both")
    train = out / "train"
    spelling, pronunciation = dict(read_table(train / "text")), dict(read_table(train / "text_pronunciation"))
    assert spelling.keys() == pronunciation.keys()
    assert "KTX 타고 가요." in spelling.values() or "I want that." in spelling.values()
    assert_sorted_and_unique_like_kaldi(train / "text_pronunciation")


# --- CSV ----------------------------------------------------------------------------------

def test_csv_lists_every_exported_segment_with_everything_known(segments, exported):
    out = exported("csv", text="both")
    with open(out / "segments.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["utterance_id"] for row in rows] == sorted(seg.utterance_id for seg in speech(segments))
    by_id = {seg.utterance_id: seg for seg in segments}
    for row in rows:
        seg = by_id[row["utterance_id"]]
        assert (out / row["audio_file"]).is_file()
        assert row["accepted_text"] == seg.text and row["submitted_text"] == seg.submitted_text
        assert row["worker_key"] == seg.worker_key and int(row["return_count"]) == seg.return_count
        assert row["split"] in {"train", "dev", "test"}
        assert row["text_pronunciation"] in {"케이티엑스 타고 가요.", "I want that."}


# --- options ------------------------------------------------------------------------------

@pytest.mark.parametrize("sample_rate, expected_rate", [(16000, 16000), (None, 22050), (8000, 8000)])
def test_sample_rate_is_16k_by_default_or_the_sources_own(tmp_path, sample_rate, expected_rate):
    segments = make_segments(tmp_path / "data", clips_per_language=1, original_rate=22050)
    out = export(segments, tmp_path / "out", "nemo", audio="original", sample_rate=sample_rate,
                 splits=SplitRatios(1, 0, 0))
    for line in (out / "train_manifest.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        info = sf.info(out / record["audio_filepath"])
        assert info.samplerate == expected_rate
        assert record["duration"] == pytest.approx(info.frames / info.samplerate, abs=1e-6)


@pytest.mark.parametrize("audio, pitch_offset", [("clean", 200), ("original", 1000)])
def test_audio_option_picks_cleaned_or_original_audio(tmp_path, audio, pitch_offset):
    segments = make_segments(tmp_path / "data", clips_per_language=1)
    out = export(segments, tmp_path / "out", "nemo", audio=audio, splits=SplitRatios(1, 0, 0))
    seg = speech(segments)[0]
    written, rate = sf.read(out / "audio" / f"{seg.utterance_id}.flac", dtype="float32")
    peak_hz = np.argmax(np.abs(np.fft.rfft(written))) * rate / written.size
    assert peak_hz == pytest.approx(pitch_offset + 40 * int(seg.clip_id), abs=2)


@pytest.mark.parametrize("options, message", [
    ({"fmt": "parquet"}, "unknown export format"),
    ({"fmt": "nemo", "audio": "denoised"}, "clean or original"),
    ({"fmt": "nemo", "text": "romanized"}, "unknown text"),
    ({"fmt": "nemo", "sample_rate": 100}, "outside"),
])
def test_bad_options_are_refused_with_a_message(options, message):
    with pytest.raises(ExportError, match=message):
        ExportOptions(**options)


@pytest.mark.parametrize("text, message", [
    ("0.8,0.1", "three numbers"), ("a,b,c", "three numbers"),
    ("0.8,0.3,0.1", "sum to 1"), ("1.2,-0.1,-0.1", "sum to 1"),
])
def test_bad_split_shares_are_refused(text, message):
    with pytest.raises(ExportError, match=message):
        SplitRatios.parse(text)


@pytest.mark.parametrize("value, expected", [("16000", 16000), ("original", None), (None, None), (44100, 44100)])
def test_sample_rate_option_parses(value, expected):
    assert parse_sample_rate(value) == expected


# --- splits -------------------------------------------------------------------------------

def _clips(n_per_language: int, languages=("ko", "en", "ja")) -> list[ClipForSplit]:
    return [ClipForSplit(f"{lang}{i}", lang, 60.0 + 7 * i) for lang in languages for i in range(n_per_language)]


@pytest.mark.parametrize("seed", [0, 1, 42])
def test_splits_are_reproducible_and_independent_of_input_order(seed):
    clips = _clips(20)
    first = assign_splits(clips, SplitRatios(), seed=seed)
    assert assign_splits(list(reversed(clips)), SplitRatios(), seed=seed) == first
    assert set(first) == {clip.clip_id for clip in clips}


def test_different_seeds_give_different_splits():
    clips = _clips(20)
    assert assign_splits(clips, SplitRatios(), seed=0) != assign_splits(clips, SplitRatios(), seed=1)


@pytest.mark.parametrize("ratios", [SplitRatios(), SplitRatios(0.6, 0.2, 0.2), SplitRatios(1, 0, 0)])
def test_each_language_is_split_by_the_ratios(ratios):
    clips = _clips(30)
    assignment = assign_splits(clips, ratios, seed=3)
    longest = max(clip.seconds for clip in clips)
    for language in ("ko", "en", "ja"):
        members = [clip for clip in clips if clip.language == language]
        total = sum(clip.seconds for clip in members)
        for name, share in zip(("train", "dev", "test"), ratios.as_tuple(), strict=True):
            seconds = sum(clip.seconds for clip in members if assignment[clip.clip_id] == name)
            assert abs(seconds - share * total) <= longest


# --- ids ----------------------------------------------------------------------------------

@pytest.mark.parametrize("clip, start, end, expected", [
    ("7", 1.5, 3.25, "clip-000007-00001500-00003250"),
    ("123456", 0, 0.001, "clip-123456-00000000-00000001"),
    ("a b/c", 2, 3, "clip-a_b_c-00002000-00003000"),
])
def test_utterance_ids_are_fixed_width_and_start_with_the_recording(clip, start, end, expected):
    assert utterance_id(clip, start, end) == expected
    assert expected.startswith(recording_id(clip) + "-")


# --- whole-export guarantees ----------------------------------------------------------------

def manifest_bytes(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.suffix not in {".flac", ".wav", ".png"}}


@pytest.mark.parametrize("fmt", ["nemo", "hf", "kaldi", "csv"])
def test_rerunning_the_same_export_gives_byte_identical_manifests(segments, exported, fmt):
    out = exported(fmt)
    first = manifest_bytes(out)
    second = manifest_bytes(export(list(reversed(segments)), out, fmt))
    assert first and first == second


@pytest.mark.parametrize("fmt", ["nemo", "hf", "kaldi", "csv"])
def test_nothing_accepted_is_an_error_and_writes_no_files(segments, tmp_path, fmt):
    silent = [seg for seg in segments if seg.no_speech]
    with pytest.raises(NothingToExport, match="nothing to export"):
        export(silent, tmp_path / "out", fmt)
    assert list(tmp_path.iterdir()) == []


def test_a_failure_midway_leaves_nothing_behind(own_segments, tmp_path):
    broken = list(own_segments)
    missing = tmp_path / "data" / "clips" / broken[-1].clip_id / "clean.flac"
    missing.unlink()
    with pytest.raises(ExportError, match="cannot read processed audio"):
        export(broken, tmp_path / "out", "nemo")
    assert list(tmp_path.iterdir()) == [tmp_path / "data"]


def test_a_failed_rerun_keeps_the_earlier_export(own_segments, tmp_path):
    out = export(own_segments, tmp_path / "out", "csv")
    before = manifest_bytes(out)
    (tmp_path / "data" / "clips" / own_segments[0].clip_id / "clean.flac").unlink()
    with pytest.raises(ExportError):
        export(own_segments, out, "csv")
    assert manifest_bytes(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "out"]


def test_a_non_empty_directory_that_is_no_export_is_refused(segments, tmp_path):
    out = tmp_path / "home"
    out.mkdir()
    (out / "thesis.txt").write_text("mine")
    with pytest.raises(ExportError, match="not empty"):
        export(segments, out, "nemo")
    assert [p.name for p in out.iterdir()] == ["thesis.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]


def test_a_segment_outside_its_clip_is_refused(segments, tmp_path):
    seg = speech(segments)[0]
    beyond = replace(seg, utterance_id=utterance_id(seg.clip_id, 7, 8), start=7.0, end=8.0)
    with pytest.raises(ExportError, match="outside its clip"):
        export([*segments, beyond], tmp_path / "out", "nemo")
    assert list(tmp_path.iterdir()) == []


def test_segments_without_words_are_left_out_and_counted(segments, tmp_path):
    only_tags = replace(speech(segments)[0], text="[noise] b/")
    rest = [seg for seg in segments if seg.utterance_id != only_tags.utterance_id]
    result = write_export([*rest, only_tags], tmp_path / "out", ExportOptions(fmt="csv", splits=EVEN_SPLITS))
    assert (result.segments, result.skipped_no_speech, result.skipped_without_words) == (
        len(speech(segments)) - 1, len(segments) - len(speech(segments)), 1)
    assert result.summary().endswith("; left out 8 no-speech and 1 without words")
    assert only_tags.utterance_id not in (tmp_path / "out" / "segments.csv").read_text(encoding="utf-8")
