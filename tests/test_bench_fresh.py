"""``bench/fresh.py``: the held-out figures beside fresh draws of the same material.

The held-out clips have been read after every change, so the benchmark keeps a second draw
of their sentences and voices to check them on. Printing the comparison again from saved
runs must give each language's pooled figures with intervals, and a file that is not a run
must be refused with a clear message, not a traceback.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


def counts(whole: int, sentences: int, one: int, with_speech: int) -> dict:
    return {"n_whole": whole, "n_sentences": sentences, "n_one": one, "n_with_speech": with_speech,
            "n_no_speech": 0, "segments": with_speech}


def row(split: str, language: str, snr: float, ours: int, silero: int, recut: int | None = None) -> dict:
    out = {"spec": {"split": split, "language": language, "snr_db": snr, "name": f"{split}-{language}-{snr:g}"},
           "ours": counts(ours, 20, 8, 10), "silero": counts(silero, 20, 6, 10)}
    if recut is not None:
        out["recut"] = counts(recut, 20, 9, 10)
    return out


def run_fresh(*args: Path | str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BENCH / "fresh.py"), *map(str, args)], capture_output=True, text=True,
                          timeout=120)


def test_the_saved_runs_are_printed_side_by_side_per_language_down_to_8_db(tmp_path):
    held_out = {"held_out": [row("held_out", "en", 8, 19, 20, 20), row("held_out", "en", 12, 18, 20, 19),
                             row("held_out", "en", 5, 3, 20, 3)]}
    fresh = [row("fresh", "en", 8, 20, 20, 20), row("fresh", "en", 20, 17, 19, 18), row("fresh", "en", 5, 0, 20, 0)]
    (tmp_path / "held.json").write_text(json.dumps(held_out))
    (tmp_path / "fresh.json").write_text(json.dumps(fresh))

    done = run_fresh("--print", "--held-out", tmp_path / "held.json", "--fresh", tmp_path / "fresh.json")

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    # The 5 dB clips are outside the range: held-out en pools 37 of 40 sentences, fresh 37 too;
    # after the re-cut 39 and 38.
    rows = {tuple(line.split(" | ")[:3]): line.split(" | ")[3:] for line in lines if line.startswith("| en | ")}
    # Each system: whole held-out, fresh, fresh less held-out; then the same for one each.
    ours = rows["| en", "this project", "2 / 2"]
    assert [ours[i][:5] for i in (0, 1, 3, 4)] == ["0.925", "0.925", "0.800", "0.800"]
    assert ours[2].startswith("+0.000 (") and ours[5].startswith("+0.000 (")
    recut = rows["| en", "this project, re-cut by its drafts", "2 / 2"]
    assert [recut[i][:5] for i in (0, 1, 3, 4)] == ["0.975", "0.950", "0.900", "0.900"]
    assert recut[2].startswith("-0.025 (")
    silero = rows["| en", "Silero VAD", "2 / 2"]
    assert [silero[i][:5] for i in (0, 1, 3, 4)] == ["1.000", "0.975", "0.600", "0.600"]
    # Below it, the fresh clips' paired differences against Silero, before and after the re-cut.
    assert sum(line.startswith("| en | 2 | ") for line in lines) == 2


@pytest.mark.parametrize("held, fresh, says", [
    (None, "[]", "does not exist"),
    ('{"held_out": []}', "[]", "holds no clips"),
    ("not json", "[]", "is not a bench/run.py results file"),
    ('{"held_out": [{"spec": {"snr_db": 8, "language": "en"}, "ours": {}}]}', "[]", "holds no clips"),
    ("GOOD", None, "does not exist"),
    ("GOOD", '{"held_out": 3}', "is not a bench/fresh.py results file"),
    ("GOOD", '[{"spec": {"snr_db": 8, "language": "en"}, "ours": 1, "silero": 2}]', "a clip lacks"),
])
def test_the_printing_refuses_what_is_not_a_saved_run(tmp_path, held, fresh, says):
    good = json.dumps({"held_out": [row("held_out", "en", 8, 19, 20)]})
    for name, content in (("held.json", held), ("fresh.json", fresh)):
        if content is not None:
            (tmp_path / name).write_text(good if content == "GOOD" else content)

    done = run_fresh("--print", "--held-out", tmp_path / "held.json", "--fresh", tmp_path / "fresh.json")

    assert done.returncode == 2
    assert says in done.stderr and "Traceback" not in done.stderr
