"""``bench/channels.py``: each held-out clip written as a telephone line or a voice codec
delivers it, and every system given that file, not the clip it was made from."""

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from workbench.audio import io


@pytest.fixture
def channels(monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "bench"))
    import channels

    return channels


def tone_and_hiss(seconds: float = 3.0) -> np.ndarray:
    """A 1 kHz tone (inside the telephone band) plus a 6 kHz tone (outside it), 16 kHz."""
    t = np.arange(int(seconds * 16000)) / 16000
    return (0.3 * np.sin(2 * np.pi * 1000 * t) + 0.3 * np.sin(2 * np.pi * 6000 * t)).astype(np.float32)


def band_power(audio: np.ndarray, rate: int, low: float, high: float) -> float:
    spectrum = np.abs(np.fft.rfft(audio)) ** 2
    freqs = np.fft.rfftfreq(audio.size, 1 / rate)
    return float(spectrum[(freqs >= low) & (freqs < high)].sum())


def test_the_telephone_line_is_an_8_khz_mu_law_file_with_nothing_above_its_band(channels, tmp_path):
    path = channels.send(tone_and_hiss(), "telephone", tmp_path)
    info = sf.info(str(path))
    assert (info.samplerate, info.subtype) == (8000, "ULAW")
    heard, _ = io.read_audio(path)  # as the pipeline decodes it: 16 kHz again
    assert heard.size == pytest.approx(3 * 16000, abs=16)
    inside, outside = band_power(heard, 16000, 900, 1100), band_power(heard, 16000, 5000, 7000)
    assert outside < 1e-4 * inside


@pytest.mark.parametrize(("channel", "codec", "bitrate"), [("opus16", "opus", 16000), ("aac32", "aac", 32000)])
def test_the_voice_codecs_write_what_a_phone_would_send_at_their_bitrate(channels, tmp_path, channel, codec, bitrate):
    # Noise: on a pure tone Opus's variable bitrate spends more than it is asked to.
    noise = (0.1 * np.random.default_rng(0).standard_normal(10 * 16000)).astype(np.float32)
    path = channels.send(noise, channel, tmp_path)
    info = io.probe(path)
    assert info.codec == codec and info.channels == 1
    assert path.stat().st_size * 8 / 10.0 == pytest.approx(bitrate, rel=0.35)
    heard, _ = io.read_audio(path)
    assert heard.size == pytest.approx(10 * 16000, abs=1024)  # AAC pads its last frame of 1024


def test_as_built_is_the_clip_unchanged(channels, tmp_path):
    audio = tone_and_hiss()
    path = channels.send(audio, "as built", tmp_path)
    np.testing.assert_array_equal(sf.read(str(path), dtype="float32")[0], audio)


def test_an_unknown_channel_is_refused_by_name(channels, tmp_path):
    with pytest.raises(ValueError, match="unknown channel 'radio'"):
        channels.send(tone_and_hiss(), "radio", tmp_path)


def test_each_system_is_given_the_file_the_channel_wrote(channels, monkeypatch, tmp_path):
    import levels
    import quality

    clip = tmp_path / "source.wav"
    sf.write(clip, tone_and_hiss(), 16000, subtype="FLOAT")
    spec = type("Spec", (), {"language": "zh", "snr_db": 12})()
    monkeypatch.setattr(levels, "held_out_clips", lambda: [(spec, clip, [(0.5, 2.5)])])
    heard = []

    def ours(path, language, scratch, settings):
        heard.append(("ours", Path(path).name, language, sf.info(str(path)).samplerate))
        return {"segments": [(0.4, 2.6)]}

    def silero_segments(audio):
        heard.append(("silero", audio.size))
        return np.array([[0.4, 1.5], [1.5, 2.6]])

    monkeypatch.setattr(quality, "run_ours", ours)
    monkeypatch.setattr(channels.silero, "segments", silero_segments)
    results = channels.measure(["telephone"])
    assert heard[0] == ("ours", "clip-telephone.wav", "zh", 8000)
    assert heard[1][0] == "silero" and heard[1][1] == pytest.approx(3 * 16000, abs=16)  # decoded to 16 kHz
    assert results["telephone"]["ours"]["sentences_whole"] == 1.0
    assert results["telephone"]["silero"]["sentences_whole"] == 0.0
    lines = channels.lines(results)
    assert lines[4].startswith("| telephone | 300-3400 Hz, 8 kHz, G.711 mu-law WAV | 1.000 / 1.000 / 0.000 | 0.000 / ")


def test_the_segmenter_alone_hears_each_channel_decoded_with_the_settings_given(channels, monkeypatch):
    import tune

    from workbench.audio import speech

    audio = tone_and_hiss()
    clip = {"language": "ja", "audio": audio.copy(), "raw": audio, "truth": [(0.5, 2.5)]}
    monkeypatch.setattr(tune, "load_tuning_clips", lambda: [clip])
    heard = []

    def find_speech(audio, settings):
        heard.append((audio.size, band_power(audio, 16000, 5000, 7000) / band_power(audio, 16000, 900, 1100),
                      settings.narrowband_pause_agreement, settings.min_pause_s))
        return type("Found", (), {"padded": np.array([[0.4, 2.6]]), "opinion": type("Verdict", (), {"seconds_heard": 0.0})()})()

    monkeypatch.setattr(speech, "find_speech", find_speech)
    results = channels.segmentation("tune", ["as built", "telephone"], ["narrowband_pause_agreement=0.5"])
    (built_size, built_hiss, *built_settings), (line_size, line_hiss, *line_settings) = heard
    assert built_size == line_size == audio.size
    assert built_hiss > 0.5 and line_hiss < 1e-4  # the line took the 6 kHz tone away
    assert built_settings == line_settings == [0.5, 0.25]  # Japanese defaults, the given setting over them
    assert results["telephone"]["ja"]["sentences_whole"] == 1.0


def test_the_recorded_clips_are_sent_alike_and_tabled_apart(channels, monkeypatch, tmp_path):
    import quality
    import real

    folder = tmp_path / "real-ko"
    folder.mkdir()
    sf.write(folder / "clip.wav", tone_and_hiss(), 16000, subtype="FLOAT")
    truth = {"spec": {"language": "ko"}, "sentences": [{"start": 0.5, "end": 2.5}]}
    monkeypatch.setattr(real, "clips", lambda out: [(folder, truth)])
    heard = []
    monkeypatch.setattr(quality, "run_ours", lambda path, language, scratch, settings: heard.append((Path(path).name, language))
                        or {"segments": [(0.4, 2.6)]})
    monkeypatch.setattr(channels.silero, "segments", lambda audio: np.array([[0.4, 2.6]]))
    results = channels.measure(["opus16"], group="recorded")
    assert heard == [("clip.ogg", "ko")]
    lines = channels.lines(results, "recorded")
    assert lines[0].startswith("Channels: the recorded-speech clips through a telephone line")
    assert lines[4] == "| opus16 | Opus 16 kb/s, 16 kHz mono, Ogg | 1.000 / 1.000 / 0.000 | 1.000 / 1.000 / 0.000 |"


def test_the_room_is_a_wav_of_the_same_length_whose_sounds_ring_on(channels, tmp_path):
    click = np.zeros(3 * 16000, np.float32)
    click[16000] = 0.5
    path = channels.send(click, "room", tmp_path)
    heard = sf.read(str(path), dtype="float32")[0]
    assert heard.size == click.size and np.abs(heard).max() == pytest.approx(0.5)
    tail = heard[16000 + 160 : 16000 + 160 + int(0.3 * 16000)]
    assert np.sqrt(np.mean(tail**2)) > 1e-3  # 0.3 s after the click the room still rings


def test_the_gain_control_channel_is_a_16_bit_file_whose_pauses_swell(channels, tmp_path):
    rng = np.random.default_rng(3)
    talk_then_pause = np.concatenate([0.1 * rng.standard_normal(16000), 0.003 * rng.standard_normal(2 * 16000)])
    path = channels.send(talk_then_pause.astype(np.float32), "agc", tmp_path)
    assert sf.info(str(path)).subtype == "PCM_16"
    heard, _ = io.read_audio(path)
    assert heard.size == talk_then_pause.size

    def level(start: float, end: float) -> float:
        return float(10 * np.log10(np.mean(heard[int(start * 16000) : int(end * 16000)].astype(np.float64) ** 2)))

    assert level(2.5, 3.0) - level(1.0, 1.2) > 8  # the gain has climbed over the pause
