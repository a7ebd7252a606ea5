"""Spectrogram pictures."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from workbench.audio.spectrum import render_spectrogram


def test_render_spectrogram_writes_a_png_of_the_requested_size(tmp_path):
    t = np.arange(16000) / 16000
    path = render_spectrogram((0.3 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32), 16000, path=tmp_path / "s.png")
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size == (900, 300)
        assert len(image.convert("L").getcolors(maxcolors=256)) > 10  # a picture, not a blank


def test_render_spectrogram_draws_a_segment_shorter_than_one_frame(tmp_path):
    assert render_spectrogram(np.full(100, 0.1, np.float32), 16000, path=tmp_path / "s.png").stat().st_size > 0


def test_render_spectrogram_refuses_empty_audio(tmp_path):
    with pytest.raises(ValueError):
        render_spectrogram(np.zeros(0, np.float32), 16000, path=tmp_path / "s.png")
