"""The vectorised STFT inverse gives what scipy's gives, sample for sample."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import istft as scipy_istft
from scipy.signal import stft

from tests.recorded_speech import recorded_sentences
from workbench.audio import denoise
from workbench.audio import stft as inverse


@pytest.mark.parametrize(("nperseg", "hop"), [(denoise.N_FFT, denoise.N_FFT // 2), (denoise.WIENER_N_FFT, denoise.WIENER_HOP), (8, 2)])
@pytest.mark.parametrize("more", [0, 1, 7, 1000, 16000 * 3 + 37])
def test_istft_is_scipys_sample_for_sample(nperseg, hop, more):
    audio = np.random.default_rng(more).standard_normal(nperseg + more).astype(np.float32) * 0.1
    spectrum = stft(audio, nperseg=nperseg, noverlap=nperseg - hop)[2]
    spectrum *= np.random.default_rng(1).uniform(0.2, 1.0, spectrum.shape).astype(np.float32)  # a gain, as the denoisers apply
    expected = scipy_istft(spectrum, nperseg=nperseg, noverlap=nperseg - hop)[1]
    got = inverse.istft(spectrum, nperseg=nperseg, hop=hop)
    assert got.dtype == expected.dtype == np.float32
    np.testing.assert_array_equal(got, expected)


def test_istft_of_recorded_speech_gives_it_back():
    speech = recorded_sentences()
    for nperseg, hop in ((denoise.N_FFT, denoise.N_FFT // 2), (denoise.WIENER_N_FFT, denoise.WIENER_HOP)):
        spectrum = stft(speech, nperseg=nperseg, noverlap=nperseg - hop)[2]
        again = inverse.istft(spectrum, nperseg=nperseg, hop=hop)
        np.testing.assert_array_equal(again, scipy_istft(spectrum, nperseg=nperseg, noverlap=nperseg - hop)[1])
        np.testing.assert_allclose(again[: speech.size], speech, atol=1e-6)


@pytest.mark.parametrize(("shape", "hop", "message"), [((513, 4), 300, "must divide"), ((512, 4), 512, "one-sided"), ((513,), 512, "one-sided")])
def test_istft_refuses_what_it_was_not_made_for(shape, hop, message):
    with pytest.raises(ValueError, match=message):
        inverse.istft(np.zeros(shape, np.complex64), nperseg=1024, hop=hop)
