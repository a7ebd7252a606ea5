"""Spectrogram pictures."""

from __future__ import annotations

import subprocess
import sys

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


def test_a_tone_draws_one_bright_band_at_its_frequency(tmp_path):
    # 4 kHz of an 8 kHz axis: the brightest rows of the plot sit halfway up the axes.
    t = np.arange(16000) / 16000
    path = render_spectrogram((0.3 * np.sin(2 * np.pi * 4000 * t)).astype(np.float32), 16000, path=tmp_path / "s.png")
    with Image.open(path) as image:
        brightness = np.asarray(image.convert("L"), dtype=float)
    top, bottom = round(300 * (1 - 0.95)), round(300 * (1 - 0.15))  # the axes' rows (add_axes)
    rows = brightness[top:bottom, 100:800].mean(axis=1)
    assert abs(int(rows.argmax()) - (bottom - top) / 2) <= 3


def test_rendering_loads_no_jit_compiler():
    # The web process draws one on a reviewer's click. librosa.stft compiled numba's kernels
    # on first use: 34 s on a fresh install, longer than the browser waits for the image.
    code = ("import sys, pathlib, tempfile, numpy as np\n"
            "from workbench.audio.spectrum import render_spectrogram\n"
            "render_spectrogram(np.ones(4000, np.float32), 16000, path=pathlib.Path(tempfile.mkdtemp()) / 's.png')\n"
            "print(sorted(m for m in ('numba', 'llvmlite', 'librosa') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert loaded.stdout.strip() == "[]"
