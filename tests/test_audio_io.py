"""Decoding every container to 16 kHz mono, reading spans, writing files, refusing bad files."""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest
import soundfile as sf

from workbench.audio.errors import AudioError
from workbench.audio.io import (TARGET_RATE, add_audio_stream, decode_chunks, gather, pcm16, probe, read_audio,
                                read_span, write_audio)
from workbench.audio.synth import write_video

SAMPLES = Path(__file__).resolve().parent.parent / "sample_data"
CLIPS = json.loads((SAMPLES / "clips.json").read_text(encoding="utf-8"))


def tone(seconds: float, rate: int, *, frequency: float = 440.0, channels: int = 1) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    wave = (0.3 * np.sin(2 * np.pi * frequency * t)).astype(np.float32)
    return wave if channels == 1 else np.stack([wave] * channels, axis=1)


@pytest.mark.parametrize("name", sorted(CLIPS))
def test_every_sample_clip_decodes_to_16k_mono_of_its_length(name):
    audio, info = read_audio(SAMPLES / name)
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert abs(audio.size / TARGET_RATE - CLIPS[name]["duration"]) < 0.1
    assert 0.05 < np.abs(audio).max() <= 1.0
    assert info.sample_rate > 0 and info.channels in (1, 2)


@pytest.mark.parametrize(
    ("suffix", "rate", "channels"),
    [
        (".wav", 8000, 1),  # telephone
        (".wav", 192000, 2),
        (".wav", 44100, 8),
        (".flac", 22050, 2),
        (".m4a", 44100, 2),
        (".mp3", 48000, 2),
        (".ogg", 48000, 1),
        (".webm", 24000, 1),
    ],
)
def test_any_rate_and_channel_count_becomes_16k_mono_with_the_tone_kept(tmp_path, suffix, rate, channels):
    path = write_audio(tmp_path / f"clip{suffix}", tone(2.0, rate, channels=channels), rate)
    audio, info = read_audio(path)
    assert info.channels == channels
    assert abs(audio.size - 2 * TARGET_RATE) < 0.06 * TARGET_RATE  # codecs may add priming
    spectrum = np.abs(np.fft.rfft(audio[4000:20000]))
    assert abs(np.argmax(spectrum) * TARGET_RATE / 16000 - 440) <= 2


@pytest.mark.parametrize("subtype", ["PCM_U8", "PCM_16", "PCM_24", "PCM_32", "FLOAT", "DOUBLE"])
def test_every_sample_format_is_scaled_to_the_same_level(tmp_path, subtype):
    path = tmp_path / "level.wav"
    sf.write(path, np.stack([tone(1.0, 16000)] * 2, axis=1), 16000, subtype=subtype)
    audio, _ = read_audio(path)
    assert np.abs(audio).max() == pytest.approx(0.3, abs=0.01)
    assert abs(float(audio.mean())) < 0.005


def test_channels_are_averaged(tmp_path):
    stereo = np.stack([tone(1.0, 16000), np.zeros(16000, np.float32)], axis=1)
    audio, _ = read_audio(write_audio(tmp_path / "half.wav", stereo, 16000))
    assert np.max(np.abs(audio)) == pytest.approx(0.15, abs=0.001)


@pytest.mark.parametrize("suffix", [".mp4", ".webm"])
def test_video_files_decode_their_audio_track(tmp_path, suffix):
    audio, info = read_audio(write_video(tmp_path / f"talk{suffix}", tone(1.5, 48000), 48000))
    assert abs(audio.size / TARGET_RATE - 1.5) < 0.1
    assert info.codec in ("aac", "opus")


def test_a_webm_whose_video_runs_longer_than_its_audio_is_not_called_truncated(tmp_path):
    # Matroska records one duration for the whole file, the longest track's; only a file
    # holding the audio alone says how long its audio is.
    path = write_video(tmp_path / "screen.webm", tone(3.0, 48000), 48000, video_seconds=8.0)
    audio, info = read_audio(path)
    assert info.duration > 7.0 and audio.size == 3 * TARGET_RATE


def test_read_span_reads_part_of_a_file_at_its_own_rate(tmp_path):
    ramp = np.linspace(-0.5, 0.5, 48000, dtype=np.float32)
    path = write_audio(tmp_path / "ramp.wav", ramp, 16000)
    part, rate = read_span(path, 1.0, 2.0)
    assert rate == 16000 and part.size == 16000
    np.testing.assert_allclose(part, ramp[16000:32000], atol=1e-4)


def test_read_span_decodes_other_containers_at_16k(tmp_path):
    path = write_audio(tmp_path / "x.m4a", tone(3.0, 44100), 44100)
    part, rate = read_span(path, 0.5, 1.5)
    assert rate == TARGET_RATE and part.size == TARGET_RATE


def test_read_span_refuses_an_end_before_the_start(tmp_path):
    with pytest.raises(AudioError, match="before its start"):
        read_span(write_audio(tmp_path / "x.wav", tone(1.0, 16000), 16000), 0.8, 0.2)


def test_write_audio_round_trips_flac_at_16_bits(tmp_path):
    wave = tone(0.5, 16000)
    path = write_audio(tmp_path / "x.flac", wave, 16000)
    back, rate = sf.read(path, dtype="float32")
    assert rate == 16000
    np.testing.assert_allclose(back, wave, atol=1 / 32000)


def test_write_audio_refuses_an_unknown_suffix(tmp_path):
    with pytest.raises(AudioError, match="cannot write"):
        write_audio(tmp_path / "x.xyz", tone(0.1, 16000), 16000)


def written(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def cut(path: Path) -> Path:
    """Keep the first third of a file, as an interrupted upload would."""
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])
    return path


def truncated_wav(tmp_path: Path) -> Path:
    path = write_audio(tmp_path / "cut.wav", tone(5.0, 16000), 16000)
    path.write_bytes(path.read_bytes()[: 44 + 2 * 16000])
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp / "missing.wav", "no such file"),
        (lambda tmp: written(tmp / "empty.wav", b""), "empty"),
        (lambda tmp: written(tmp / "notes.txt", b"not audio at all\n" * 50), "not audio"),
        (lambda tmp: written(tmp / "noise.mp3", np.random.default_rng(0).bytes(20000)), "cannot be read as audio"),
        (truncated_wav, "truncated"),
        (lambda tmp: cut(write_audio(tmp / "x.flac", tone(5.0, 16000), 16000)), "corrupt"),
        (lambda tmp: cut(write_audio(tmp / "x.m4a", tone(5.0, 16000), 16000)), "truncated or corrupt"),
        (lambda tmp: cut(write_audio(tmp / "x.mp3", tone(5.0, 16000), 16000)), "truncated"),
        (lambda tmp: cut(write_audio(tmp / "x.webm", tone(5.0, 16000), 16000)), "truncated: it declares 5.0 s"),
    ],
    ids=["missing", "zero-length", "text", "random-bytes", "truncated-wav", "truncated-flac", "truncated-m4a", "truncated-mp3",
         "truncated-webm"],
)
def test_bad_files_raise_audio_error_with_a_message(tmp_path, make, message):
    with pytest.raises(AudioError, match=message):
        read_audio(make(tmp_path))


def _quiet_then_loud(seconds_quiet: float, seconds_loud: float, rate: int = 48000) -> np.ndarray:
    loud = np.random.default_rng(0).normal(0, 0.3, int(seconds_loud * rate)).astype(np.float32)
    return np.concatenate([np.zeros(int(seconds_quiet * rate), np.float32), loud])


def _vbr_mp3_without_a_length_header(path: Path) -> Path:
    """12 s of MP3 at a variable bitrate with no Xing header: FFmpeg guesses its length from
    the first frames' bitrate, and the quiet start makes the guess twice the truth."""
    audio = _quiet_then_loud(8, 4)
    with av.open(str(path), "w", options={"write_xing": "0"}) as container:
        stream = container.add_stream("libmp3lame", rate=48000, layout="mono")
        stream.codec_context.qscale = 4
        stream.codec_context.flags |= av.codec.context.Flags.qscale
        frame = av.AudioFrame.from_ndarray(audio[None, :], format="fltp", layout="mono")
        frame.sample_rate = 48000
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            container.mux(packet)
    return path


def _adts(path: Path) -> Path:
    """12 s of raw AAC (ADTS), which records no length anywhere."""
    with av.open(str(path), "w", format="adts") as container:
        add_audio_stream(container, "aac", _quiet_then_loud(8, 4)[:, None], 48000, bitrate=128000)()
    return path


@pytest.mark.parametrize("make", [_vbr_mp3_without_a_length_header, _adts], ids=["vbr-mp3-without-xing", "adts-aac"])
def test_a_length_ffmpeg_only_guessed_is_no_declaration(tmp_path, make):
    path = make(tmp_path / ("clip.mp3" if make is _vbr_mp3_without_a_length_header else "clip.aac"))
    with av.open(str(path)) as container:
        assert abs(container.duration / av.time_base - 12.0) > 5  # FFmpeg's guess
    audio, info = read_audio(path)  # was refused as truncated
    assert abs(audio.size / TARGET_RATE - 12.0) < 0.1
    assert info.duration == 0.0 and probe(path).duration == 0.0


def _written(path: Path, container_format: str, codec: str, audio: np.ndarray, rate: int) -> Path:
    with av.open(str(path), "w", format=container_format) as container:
        add_audio_stream(container, codec, audio, rate)()
    return path


@pytest.mark.parametrize(
    ("name", "container_format", "codec", "rate", "channels", "seconds"),
    [("adpcm.wav", "wav", "adpcm_ima_wav", 48000, 2, 10.0),  # its header's byte rate is a third of the truth
     ("pcm.avi", "avi", "pcm_s16le", 16000, 1, 200.0)],  # its header says 200.6 s
    ids=["ima-adpcm-wav", "pcm-avi"],
)
def test_a_complete_file_whose_header_counts_loosely_is_not_called_truncated(tmp_path, name, container_format, codec,
                                                                             rate, channels, seconds):
    audio = np.repeat(tone(seconds, rate)[:, None], channels, axis=1)
    audio_read, _ = read_audio(_written(tmp_path / name, container_format, codec, audio, rate))
    assert abs(audio_read.size / TARGET_RATE - seconds) < 0.1


def test_an_mp3_length_header_is_found_past_a_large_id3_tag(tmp_path):
    path = tmp_path / "tagged.mp3"
    with av.open(str(path), "w") as container:
        container.metadata["comment"] = "liner notes " * 2000  # a 24 kB ID3v2 tag before the first frame
        add_audio_stream(container, "libmp3lame", tone(5.0, 16000), 16000)()
    assert path.read_bytes()[:3] == b"ID3" and path.stat().st_size > 24000
    assert probe(path).duration == pytest.approx(5.0, abs=0.1)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])  # the tag and about half the audio
    with pytest.raises(AudioError, match="truncated: it declares 5.0 s"):
        read_audio(path)


@pytest.mark.parametrize("name", sorted(CLIPS))
def test_probe_describes_a_file_without_decoding_it(name):
    _, decoded = read_audio(SAMPLES / name)
    assert probe(SAMPLES / name) == decoded


def test_probe_refuses_what_is_not_audio(tmp_path):
    (tmp_path / "notes.txt").write_text("not audio", encoding="utf-8")
    with pytest.raises(AudioError, match="cannot be read as audio"):
        probe(tmp_path / "notes.txt")



# --- the length limit holds while decoding, whatever the header declares ---------------------


def flac_declaring(path: Path, seconds: float, *, declared_samples: int | None) -> Path:
    """A 16 kHz FLAC of ``seconds`` of silence (a few kilobytes, like a decompression bomb)
    whose STREAMINFO declares ``declared_samples`` (0: "unknown", which the format allows);
    ``None`` keeps the true count."""
    sf.write(path, np.zeros(int(seconds * 16000), np.float32), 16000, subtype="PCM_16")
    if declared_samples is not None:
        data = bytearray(path.read_bytes())
        # "fLaC", then the STREAMINFO block header (4 bytes); its total-samples field is the
        # low 4 bits of body byte 13 and the 4 bytes after it (36 bits, big-endian).
        assert data[:4] == b"fLaC" and data[4] & 0x7F == 0
        data[21] = (data[21] & 0xF0) | (declared_samples >> 32)
        data[22:26] = (declared_samples & 0xFFFFFFFF).to_bytes(4, "big")
        path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("declared_samples, says", [
    (0, "declares no length"),  # the length left out, as the format allows
    (16000, "declares 1.0 s"),  # a lie: one second
])
def test_decoding_stops_with_an_error_as_soon_as_the_audio_passes_the_limit(tmp_path, declared_samples, says):
    path = flac_declaring(tmp_path / "bomb.flac", 30, declared_samples=declared_samples)
    _, chunks = decode_chunks(path, max_seconds=5)
    yielded = 0
    with pytest.raises(AudioError, match=f"longer than the limit of 5.0 s: decoding stopped there .*{says}"):
        for chunk in chunks:
            yielded += chunk.size
    # Stopped at the limit, not after the 30 s.
    assert 4 * TARGET_RATE < yielded <= 5 * TARGET_RATE


def test_a_declared_length_over_the_limit_is_refused_before_decoding(tmp_path):
    path = flac_declaring(tmp_path / "long.flac", 30, declared_samples=None)
    with pytest.raises(AudioError, match="declares 30.0 s of audio; the limit is 5.0 s"):
        decode_chunks(path, max_seconds=5)


@pytest.mark.parametrize("declared_samples", [0, 16000, None])
def test_read_audio_holds_the_limit_and_keeps_what_is_within_it(tmp_path, declared_samples):
    path = flac_declaring(tmp_path / "clip.flac", 30, declared_samples=declared_samples)
    with pytest.raises(AudioError, match="limit"):
        read_audio(path, max_seconds=29)
    audio, _ = read_audio(path, max_seconds=30)
    assert audio.size == 30 * TARGET_RATE


def test_gather_never_grows_past_its_capacity():
    assert gather(iter([np.ones(10, np.float32)] * 2), capacity=25).tolist() == [1.0] * 20
    with pytest.raises(AudioError, match="longer than the 25 samples"):
        gather(iter([np.ones(10, np.float32)] * 3), capacity=25)


def test_a_stream_whose_channel_count_changes_midway_is_averaged_on_both_sides(tmp_path):
    """ADTS AAC may switch from mono to stereo between frames (two files joined end to end):
    the stereo part is averaged like any stereo file, not read as one of its channels."""
    wave = tone(1.0, 48000)

    def adts(audio: np.ndarray) -> bytes:
        path = tmp_path / f"{audio.ndim}.aac"
        with av.open(str(path), "w", format="adts") as container:
            add_audio_stream(container, "aac", audio, 48000)()
        return path.read_bytes()

    joined = tmp_path / "joined.aac"
    joined.write_bytes(adts(wave) + adts(np.stack([wave, np.zeros_like(wave)], axis=1)))
    audio, _ = read_audio(joined)

    def rms(start: float, end: float) -> float:
        return float(np.sqrt(np.mean(audio[int(start * TARGET_RATE) : int(end * TARGET_RATE)] ** 2)))

    assert abs(audio.size / TARGET_RATE - 2.0) < 0.1
    assert rms(0.2, 0.8) == pytest.approx(0.3 / np.sqrt(2), rel=0.05)  # mono: the tone as it is
    assert rms(1.3, 1.9) == pytest.approx(0.15 / np.sqrt(2), rel=0.05)  # stereo: tone and silence averaged


def test_pcm16_gives_the_samples_libsndfile_writes_for_floats(tmp_path):
    """Halves round to even, full scale is 32768, and anything past it clips: the FLAC files
    the pipeline writes from ``pcm16`` hold what libsndfile's own (slower) conversion did."""
    edges = np.array([0.5, 1.5, 2.5, -0.5, -2.5, 32766.5, 32767.0, 40000.0, -32768.0, -40000.0], np.float32) / 32768
    audio = np.concatenate([edges, np.random.default_rng(7).uniform(-1.1, 1.1, 48000).astype(np.float32)])
    sf.write(tmp_path / "floats.flac", audio, 16000, subtype="PCM_16")
    expected, _ = sf.read(tmp_path / "floats.flac", dtype="int16")
    assert pcm16(edges).tolist() == [0, 2, 2, 0, -2, 32766, 32767, 32767, -32768, -32768]
    assert np.array_equal(pcm16(audio), expected)


@pytest.mark.parametrize("suffix", [".wav", ".flac"])
def test_write_audio_rounds_to_the_nearest_step_in_every_format(tmp_path, suffix):
    """libsndfile would round a float down when writing WAV (100.6 steps → 100) and to the
    nearest when writing FLAC; write_audio hands it int16 from ``pcm16``, so both agree."""
    audio = np.array([100.4, 100.6, -100.4, -100.6, 0.5, 1.5], np.float32) / 32768
    written, _ = sf.read(write_audio(tmp_path / f"steps{suffix}", audio, 16000), dtype="int16")
    assert written.tolist() == [100, 101, -100, -101, 0, 2]
