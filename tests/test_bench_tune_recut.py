"""``bench/tune_recut.py``'s table of the drafts' re-cut variants ends with each variant's
change against the default on the same clips, with paired 95 % intervals."""

from pathlib import Path
from types import SimpleNamespace


def test_each_variant_is_shown_against_the_default_with_how_sure_the_change_is(monkeypatch, capsys):
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "bench"))
    import tune_recut

    sentences = [{"start": 1.0, "end": 2.0}, {"start": 3.0, "end": 4.0}]
    clips = [("tune en", "en", Path(f"tune-en-pink-7dB-s{seed}"), sentences) for seed in range(4)]
    monkeypatch.setattr(tune_recut.quality.Drafter, "load", staticmethod(lambda: SimpleNamespace()))
    monkeypatch.setattr(tune_recut, "clip_sets", lambda confirm, validate=False: clips)
    monkeypatch.setattr(tune_recut, "drafted", lambda folder, language, drafter: ([], [], None))
    apart, together = [(0.9, 2.1), (2.9, 4.1)], [(0.9, 4.1)]
    # Every variant cuts the two sentences apart, but for the segmenter, which leaves them in one segment.
    monkeypatch.setattr(tune_recut, "variants", lambda language, segments, drafts, clean: {
        variant: together if variant == "segmenter" else apart for variant in tune_recut.VARIANTS})
    monkeypatch.setattr("sys.argv", ["tune_recut.py"])

    tune_recut.main()

    printed = capsys.readouterr().out.splitlines()
    header = printed.index(next(line for line in printed if line.startswith("| clips | segmenter | split anywhere")))
    assert "the default" not in printed[header].split(" | ")[1:]
    row = printed[header + 2].split(" | ")
    # whole the same; one each 0.0 against 1.0 on every clip, so no draw of the clips changes it.
    assert row[0] == "| tune en" and row[1] == "+0.000 (+0.000 to +0.000); -1.000 (-1.000 to -1.000)"
    assert row[2].startswith("+0.000 (+0.000 to +0.000); +0.000")
