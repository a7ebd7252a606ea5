"""``bench/levels.py``: the held-out clips scaled and written as a file would be, each system
given the scaled file, "before" meaning the detectors hear it as recorded."""

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from workbench.audio.settings import PipelineSettings


@pytest.fixture
def levels(monkeypatch, tmp_path):
    """``bench/levels.py`` over one small clip, with each system's segmenter recorded."""
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "bench"))
    import levels
    import quality

    clip = tmp_path / "clip.wav"
    sf.write(clip, np.full(16000, 0.5, np.float32), 16000, subtype="FLOAT")
    spec = type("Spec", (), {"language": "ko", "snr_db": 12})()
    monkeypatch.setattr(levels, "held_out_clips", lambda: [(spec, clip, [(0.1, 0.9)])])
    heard = []

    def ours(path, language, scratch, settings):
        heard.append(("ours", language, settings.detector_level_db, float(sf.read(path)[0].max())))
        return {"segments": [(0.0, 1.0)]}

    def silero(path):
        heard.append(("silero", None, None, float(sf.read(path)[0].max())))
        return {"segments": [(0.0, 0.5), (0.5, 1.0)]}

    monkeypatch.setattr(quality, "run_ours", ours)
    monkeypatch.setattr(quality, "run_silero", silero)
    return levels, heard


def test_each_system_hears_the_clip_scaled_and_clipped_as_a_file_would_be(levels):
    module, heard = levels
    results = module.measure([-20.0, 10.0])
    quiet, loud = heard[:3], heard[3:]
    assert [(system, language, level) for system, language, level, _ in quiet] == [
        ("ours", "ko", PipelineSettings().detector_level_db), ("ours", "ko", 0.0), ("silero", None, None)]
    assert all(peak == pytest.approx(0.05) for *_, peak in quiet)
    assert all(peak == 1.0 for *_, peak in loud)  # 0.5 lifted 10 dB, clipped to full scale
    assert results[-20.0]["ours"]["sentences_whole"] == 1.0 and results[-20.0]["silero"]["sentences_whole"] == 0.0
    assert results[-20.0]["levels"][0] == pytest.approx(-26.0, abs=0.1)


def test_the_table_has_a_row_per_gain_and_a_column_per_system(levels):
    module, _ = levels
    lines = module.lines(module.measure([-10.0]))
    assert lines[2].count("whole / one each / no speech") == 3
    assert lines[4] == "| -10 dB | -16.0 to -16.0 | 1.000 / 1.000 / 0.000 | 1.000 / 1.000 / 0.000 | 0.000 / 1.000 / 0.000 |"
