"""High-pass, noise profile, spectral gating and the judgement that keeps it honest."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from workbench.audio import denoise
from workbench.audio.chunks import map_chunks
from workbench.audio.synth import hum, pink_noise
from tests.recorded_speech import recorded_sentences

RATE = 16000


def sine(frequency: float, seconds: float, amplitude: float = 0.3) -> np.ndarray:
    return (amplitude * np.sin(2 * np.pi * frequency * np.arange(int(seconds * RATE)) / RATE)).astype(np.float32)


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x.astype(np.float64) ** 2)))


@pytest.mark.parametrize(("frequency", "low", "high"), [(50.0, 0.0, 0.03), (1000.0, 0.99, 1.01), (300.0, 0.99, 1.01)])
def test_highpass_removes_hum_and_keeps_voice_frequencies(frequency, low, high):
    out = denoise.highpass(sine(frequency, 4.0), RATE, cutoff_hz=80.0)
    ratio = rms(out[RATE:-RATE]) / rms(sine(frequency, 2.0))
    assert low <= ratio <= high


def test_highpass_is_zero_phase_and_works_in_place():
    tone = sine(300.0, 3.0)
    copy = denoise.highpass(tone, RATE)
    np.testing.assert_allclose(copy[RATE:-RATE], tone[RATE:-RATE], atol=0.003)  # no phase shift
    denoise.highpass(tone, RATE, out=tone)
    np.testing.assert_array_equal(tone, copy)


def test_collect_noise_takes_the_longest_stretches_up_to_the_limit():
    audio = np.arange(10 * RATE, dtype=np.float32)
    profile = denoise.collect_noise(audio, RATE, np.array([[0.0, 1.0], [2.0, 5.0], [6.0, 8.0]]), max_seconds=4.0)
    assert profile.size == 4 * RATE
    assert profile[0] == 2 * RATE and profile[3 * RATE] == 6 * RATE
    assert denoise.collect_noise(audio, RATE, np.zeros((0, 2))).size == 0


def test_reduce_noise_lowers_noise_keeps_the_signal_and_attenuates_pauses():
    rng = np.random.default_rng(0)
    noise = 0.03 * pink_noise(10 * RATE, rng=rng)
    signal = np.zeros(10 * RATE, np.float32)
    signal[3 * RATE : 6 * RATE] = sine(440.0, 3.0)
    out = denoise.reduce_noise(signal + noise, RATE, noise=noise[: 2 * RATE], speech=np.array([[3.0, 6.0]]), prop_decrease=0.8)
    inside = slice(4 * RATE, 5 * RATE)
    assert rms(out[inside] - signal[inside]) < 0.6 * rms(noise[inside])
    assert rms(out[inside]) == pytest.approx(rms(signal[inside]), rel=0.05)
    assert rms(out[8 * RATE :]) == pytest.approx(0.2 * rms(noise[8 * RATE :]), rel=0.01)


def test_reduce_noise_inside_speech_is_exactly_noisereduces_stationary_gate():
    """The gate object built once gives what ``noisereduce.reduce_noise`` gives per call."""
    import noisereduce

    rng = np.random.default_rng(1)
    noise = 0.03 * pink_noise(12 * RATE, rng=rng)
    audio = noise.copy()
    audio[2 * RATE : 10 * RATE] += sine(300.0, 8.0)
    out = denoise.reduce_noise(audio, RATE, noise=noise[: 2 * RATE], speech=np.array([[0.0, 12.0]]), prop_decrease=0.8)
    expected = noisereduce.reduce_noise(
        y=audio, sr=RATE, y_noise=noise[: 2 * RATE], stationary=True, prop_decrease=0.8, n_std_thresh_stationary=1.5,
        chunk_size=audio.size + 1, padding=0, n_fft=denoise.N_FFT, hop_length=denoise.N_FFT // 2, freq_mask_smooth_hz=None, time_mask_smooth_ms=None,
    )
    # Away from the clip's ends (where the region's crossfade applies) the two agree.
    inside = slice(RATE, 11 * RATE)
    np.testing.assert_allclose(out[inside], expected[inside], atol=1e-5)


def test_the_gate_keeps_noisereduces_80_db_floor_under_a_loud_tone():
    # noisereduce's dB scale floors each bin at 80 dB under the loudest of its frequency in
    # the chunk, so beside a loud tone every bin near its frequency passes, even where the
    # tone has stopped and only a faint noise remains: the gate must pass it as well.
    rng = np.random.default_rng(4)
    faint = (1e-6 * rng.standard_normal(5 * RATE)).astype(np.float32)
    audio = faint.copy()
    audio[RATE // 2 : 2 * RATE] += sine(1000.0, 1.5) * 0.5
    profile = (1e-6 * rng.standard_normal(2 * RATE)).astype(np.float32)
    out = denoise.reduce_noise(audio, RATE, noise=profile, speech=np.array([[0.0, 5.0]]), prop_decrease=0.8)
    import noisereduce

    expected = noisereduce.reduce_noise(
        y=audio, sr=RATE, y_noise=profile, stationary=True, prop_decrease=0.8, n_std_thresh_stationary=1.5,
        chunk_size=audio.size + 1, padding=0, n_fft=denoise.N_FFT, hop_length=denoise.N_FFT // 2, freq_mask_smooth_hz=None, time_mask_smooth_ms=None,
    )
    after = slice(int(2.5 * RATE), int(4.5 * RATE))
    assert rms(out[after]) == pytest.approx(rms(expected[after]), rel=0.01)
    assert rms(out[after]) > 0.3 * rms(faint[after])  # the floor let much more than a fifth through


def test_the_gate_needs_half_a_second_of_noise_and_the_wiener_filter_a_third_of_a_second():
    audio = np.random.default_rng(3).standard_normal(2 * RATE).astype(np.float32) * 0.1
    quiet = audio * 0.1
    with pytest.raises(ValueError, match="gate's noise profile needs at least 0.5 s"):
        denoise.reduce_noise(audio, RATE, noise=quiet[: int(0.45 * RATE)], speech=np.array([[0.5, 1.5]]))
    with pytest.raises(ValueError, match="wiener's noise profile needs at least 0.3 s"):
        denoise.reduce_noise(audio, RATE, noise=quiet[: int(0.25 * RATE)], speech=np.array([[0.5, 1.5]]), method="wiener")
    # The filter needs only the noise's mean power, which 0.3 s of it gives.
    filtered = denoise.reduce_noise(audio, RATE, noise=quiet[: int(0.3 * RATE)], speech=np.array([[0.5, 1.5]]), method="wiener")
    assert filtered.shape == audio.shape and np.all(np.isfinite(filtered))


def test_measure_power_and_snr():
    audio = np.concatenate([np.full(RATE, 0.1, np.float32), np.full(RATE, 0.01, np.float32)])
    stats = denoise.measure_power(audio, RATE, speech=np.array([[0.0, 1.0]]), noise=np.array([[1.0, 2.0]]))
    assert stats.speech == pytest.approx(0.01) and stats.noise == pytest.approx(0.0001)
    assert stats.snr_db == pytest.approx(10 * np.log10(99))
    assert stats.noise_floor_dbfs == pytest.approx(-40.0)


@pytest.mark.parametrize(
    ("before", "after", "applied", "why"),
    [
        ((1.0, 0.1), (0.92, 0.01), True, "estimated SNR gain"),
        ((1.0, 0.1), (0.95, 0.09), False, "below"),  # barely any gain
        ((1.0, 0.1), (0.30, 0.001), False, "speech power"),  # the gate ate the speech
        ((1.0, 0.0), (0.5, 0.0), False, "no noise-only"),
    ],
)
def test_judge_denoising_refuses_what_does_not_help(before, after, applied, why):
    verdict, reason = denoise.judge_denoising(
        denoise.PowerStats(*before), denoise.PowerStats(*after), min_snr_gain_db=1.0, max_speech_loss_db=2.0
    )
    assert verdict is applied and why in reason


@pytest.mark.parametrize("chunk", [7, 64, 1000])
def test_map_chunks_matches_the_whole_array_transform_in_place_too(chunk):
    audio = np.random.default_rng(2).standard_normal(1000).astype(np.float32)

    def smooth(x: np.ndarray) -> np.ndarray:
        return np.convolve(x, np.ones(5, np.float32) / 5, mode="same")

    whole = smooth(audio)
    np.testing.assert_allclose(map_chunks(audio, smooth, context=4, chunk=chunk)[2:-2], whole[2:-2], atol=1e-6)
    map_chunks(audio, smooth, context=4, chunk=chunk, out=audio)
    np.testing.assert_allclose(audio[2:-2], whole[2:-2], atol=1e-6)


@pytest.mark.parametrize("chunk", [7, 64, 1000])
def test_map_chunks_on_two_threads_writes_what_one_thread_writes_in_place_too(chunk):
    audio = np.random.default_rng(3).standard_normal(1000).astype(np.float32)

    def smooth(x: np.ndarray) -> np.ndarray:
        return np.convolve(x, np.ones(5, np.float32) / 5, mode="same")

    serial = map_chunks(audio, smooth, context=4, chunk=chunk)
    np.testing.assert_array_equal(map_chunks(audio, smooth, context=4, chunk=chunk, workers=2), serial)
    map_chunks(audio, smooth, context=4, chunk=chunk, out=audio, workers=2)
    np.testing.assert_array_equal(audio, serial)


def test_map_chunks_with_two_workers_transforms_two_chunks_at_once():
    # The first two chunks each wait for the other: one at a time, the barrier times out.
    meeting, calls = threading.Barrier(2, timeout=10), []

    def meet(x: np.ndarray) -> np.ndarray:
        calls.append(1)
        if len(calls) <= 2:
            meeting.wait()
        return x

    audio = np.arange(100, dtype=np.float32)
    np.testing.assert_array_equal(map_chunks(audio, meet, context=2, chunk=10, workers=2), audio)


def test_map_chunks_raises_a_transforms_error_and_refuses_no_workers():
    def broken(x: np.ndarray) -> np.ndarray:
        raise RuntimeError("chunk failed")

    with pytest.raises(RuntimeError, match="chunk failed"):
        map_chunks(np.zeros(100, np.float32), broken, context=2, chunk=10, workers=2)
    with pytest.raises(ValueError, match="workers"):
        map_chunks(np.zeros(100, np.float32), lambda x: x, context=2, chunk=10, workers=0)


def test_highpass_on_two_threads_equals_one_thread_on_recorded_speech():
    speech = recorded_sentences()
    one = denoise.highpass(speech, RATE, workers=1)
    np.testing.assert_array_equal(denoise.highpass(speech, RATE, workers=2), one)


def test_hum_helper_is_mains_with_harmonics():
    spectrum = np.abs(np.fft.rfft(hum(RATE, RATE, frequency=50.0)))
    assert set(np.argsort(spectrum)[-3:]) == {50, 150, 250}


def test_between_is_what_lies_outside_the_segments_less_a_guard_at_each_edge():
    segments = np.array([(1.0, 2.0), (2.5, 4.0), (4.08, 6.0)])
    found = denoise.between(segments, 8.0, guard=0.05)
    np.testing.assert_allclose(found, [(0.05, 0.95), (2.05, 2.45), (6.05, 7.95)])
    np.testing.assert_allclose(denoise.between(np.zeros((0, 2)), 3.0), [(0.05, 2.95)])
    assert denoise.between(np.array([(0.0, 3.0)]), 3.0).shape == (0, 2)


@pytest.mark.parametrize(
    ("unfiltered", "highpassed", "kept"),
    [
        ((1.0, 0.1), (0.99, 0.05), True),  # it took hum from the pauses
        ((1.0, 0.1), (0.95, 0.1), False),  # it took only the voice's low band
        ((1.0, 0.0), (0.99, 0.0), False),  # no pause to tell by: left out, like the gate
    ],
)
def test_the_high_pass_alone_is_kept_only_where_it_raised_the_estimated_snr(unfiltered, highpassed, kept):
    assert denoise.highpass_helps(denoise.PowerStats(*unfiltered), denoise.PowerStats(*highpassed)) is kept
