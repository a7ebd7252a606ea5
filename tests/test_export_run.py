"""``run_export`` over a real store: clips taken through the whole workflow, then exported.

Every test runs on a SQLite file and on PostgreSQL. Most tests only read one store, built
once per module and backend (``store``); the people in it have distinctive names so a
leak of any of them into any export file is caught.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import soundfile as sf

from tests.builders import SettableClock, open_workbench
from tests.listening import hear
from workbench.export import NothingToExport, run_export
from workbench.workflow.domain import Actor
from workbench.workflow.errors import PermissionDenied

PASSWORD = "quiet-lantern-57"
RATE = 16000
SPANS = [(0.25, 2.25), (2.5, 4.5), (4.75, 5.75)]
CLIP_SECONDS = 6.0


@dataclass
class Team:
    admin: Actor
    transcriber: Actor
    reviewer: Actor
    en_transcriber: Actor
    en_reviewer: Actor

    def private_strings(self) -> list[str]:
        people = (self.admin, self.transcriber, self.reviewer, self.en_transcriber, self.en_reviewer)
        return [value for person in people for value in (person.username, person.name)]


def make_team(wb) -> Team:
    admin = wb.create_user(None, username="export_admin_qx", password=PASSWORD, name="Seoyeon Parkhurst",
                           roles={"admin"})

    def person(username: str, name: str, role: str, language: str) -> Actor:
        return wb.create_user(admin, username=username, password=PASSWORD, name=name, roles={role},
                              language=language)

    return Team(admin, person("minjunkwak77", "Minjun Kwakowski", "transcriber", "ko"),
                person("reviewer_hana_q", "Hana Quillfeather", "reviewer", "ko"),
                person("ellis_tx_9", "Ellis Thornbury", "transcriber", "en"),
                person("eve_rv_42", "Evangeline Rowntree", "reviewer", "en"))


@pytest.fixture
def team(wb) -> Team:
    """The people, on the fresh per-test store ``wb``."""
    return make_team(wb)


def processed_dir(root: Path, pitch: float) -> Path:
    """A pipeline-style output directory: clean.flac and original.flac (tones, 16 kHz)."""
    root.mkdir(parents=True)
    t = np.arange(int(RATE * CLIP_SECONDS)) / RATE
    for name, level in (("clean.flac", 0.3), ("original.flac", 0.1)):
        sf.write(root / name, (level * np.sin(2 * np.pi * pitch * t)).astype(np.float32), RATE)
    return root


def words_for(language: str, seconds: float) -> str:
    """A sentence with a plausible speaking rate for ``seconds`` of audio."""
    if language == "ko":
        return " ".join(["안녕하세요"] * max(1, round(seconds))) + "."
    return " ".join(["data"] * max(1, round(2 * seconds))) + "."


def take_through_review(wb, transcriber: Actor, reviewer: Actor, *, no_speech_last=False,
                        correct_first=False, return_second=False) -> None:
    """The transcriber types every segment and submits; the reviewer plays and decides.

    A returned segment is fixed and resubmitted, then accepted in the second round.
    """
    task = wb.claim_next(transcriber)
    view = wb.open_task(transcriber, task.id)
    for index, seg in enumerate(view.segments):
        if no_speech_last and index == len(view.segments) - 1:
            wb.mark_no_speech(transcriber, seg.id, "only a door closing", base_version=seg.version)
        else:
            wb.save_text(transcriber, seg.id, words_for(task.language, seg.duration), base_version=seg.version)
    wb.submit_task(transcriber, task.id)
    review = wb.start_review(reviewer, task.id)
    hear(wb, reviewer, review.segments, wb.clock)
    for index, seg in enumerate(review.segments):
        if return_second and index == 1:
            wb.return_segment(reviewer, seg.id, "the second word is wrong")
        elif correct_first and index == 0:
            wb.accept_segment(reviewer, seg.id, text=seg.text.replace(".", "!"))
        else:
            wb.accept_segment(reviewer, seg.id)
    if wb.finish_review(reviewer, task.id).state == "complete":
        return
    for seg in wb.open_task(transcriber, task.id).segments:
        if seg.status == "returned":
            wb.save_text(transcriber, seg.id, seg.text.replace(".", "?"), base_version=seg.version)
    wb.submit_task(transcriber, task.id)
    for seg in wb.start_review(reviewer, task.id).segments:
        if seg.status != "accepted":
            hear(wb, reviewer, [seg], wb.clock)
            wb.accept_segment(reviewer, seg.id)
    assert wb.finish_review(reviewer, task.id).state == "complete"


def accept_clips(wb, team: Team, tmp_path: Path) -> dict[str, list[int]]:
    """Two Korean and two English clips, all accepted; one more Korean clip left untouched."""
    clips: dict[str, list[int]] = {"ko": [], "en": []}
    for n, (language, project) in enumerate([("ko", "calls"), ("ko", "news"), ("en", "news"), ("en", "calls")]):
        clip = wb.register_processed_clip(
            team.admin, filename=f"c{n}.wav", language=language, project=project, duration=CLIP_SECONDS,
            segments=SPANS, output_dir=processed_dir(tmp_path / "processed" / str(n), 300 + 50 * n))
        clips[language].append(clip.id)
        transcriber, reviewer = ((team.transcriber, team.reviewer) if language == "ko"
                                 else (team.en_transcriber, team.en_reviewer))
        take_through_review(wb, transcriber, reviewer, no_speech_last=n == 0, correct_first=n == 1,
                            return_second=n == 2)
    wb.register_processed_clip(team.admin, filename="waiting.wav", language="ko", project="calls",
                               duration=CLIP_SECONDS, segments=SPANS,
                               output_dir=processed_dir(tmp_path / "processed" / "waiting", 900))
    return clips


@pytest.fixture(scope="module")
def store(module_database_url, tmp_path_factory):
    """One store per backend with the accepted clips of ``accept_clips``; tests only read it."""
    from workbench.queue import RecordingQueue

    root = tmp_path_factory.mktemp("store")
    wb = open_workbench(root / "data", database_url=module_database_url,
                        clock=SettableClock(datetime(2026, 3, 2, 5, 0, tzinfo=timezone.utc)), queue=RecordingQueue())
    team = make_team(wb)
    clips = accept_clips(wb, team, root)
    yield SimpleNamespace(wb=wb, team=team, clips=clips)
    wb.close()


def nothing_written(parent: Path) -> bool:
    """Neither the export directory nor a staging directory of it exists."""
    return not any(p.name == "out" or p.name.startswith(".out.") for p in parent.iterdir())


def every_output_byte(out: Path) -> bytes:
    """Every file of an export, audio and images included, as one byte string."""
    return b"\n".join(p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file())


@pytest.mark.parametrize("fmt", ["nemo", "hf", "kaldi", "csv"])
def test_accepted_segments_are_exported_and_no_person_appears(store, tmp_path, fmt):
    result = run_export(store.wb, store.team.admin, fmt=fmt, out_dir=tmp_path / "out", text="both", seed=3,
                        splits="0.5,0.5,0")
    # 4 clips × 3 segments, less the one marked no-speech; the untouched clip has nothing accepted.
    assert (result.segments, result.clips, result.skipped_no_speech) == (11, 4, 1)
    assert result.seconds == pytest.approx(11 * 2.0 - 3 * 1.0, abs=1e-6)
    written = every_output_byte(tmp_path / "out")
    assert b"clip-000001-" in written and "안녕하세요".encode() in written
    for private in [*store.team.private_strings(), "password"]:
        assert private.encode() not in written and private.encode("utf-16-le") not in written


def test_the_csv_and_report_carry_review_history_per_worker_key(store, tmp_path):
    import csv

    run_export(store.wb, store.team.admin, fmt="csv", out_dir=tmp_path / "out")
    with open(tmp_path / "out" / "segments.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    corrected = [r for r in rows if r["accepted_text"] != r["submitted_text"]]
    # The reviewer's correction (clip 1) and the rework after a return (clip 2) differ.
    assert len(corrected) == 2
    assert sorted(int(r["return_count"]) for r in rows) == [0] * 10 + [1]
    assert len({r["worker_key"] for r in rows}) == 2
    report = json.loads((tmp_path / "out" / "report" / "quality.json").read_text(encoding="utf-8"))
    workers = report["labels"]["workers"]
    assert sorted(w["returned"] for w in workers.values()) == [0, 1]
    assert all(w["cer"] is not None for w in workers.values())
    assert report["audio"]["segments_no_speech"] == 1
    assert report["audio"]["no_speech_reasons"] == {"only a door closing": 1}
    assert report["audio"]["clips"] == 5


@pytest.mark.parametrize("selection, segments", [
    ({"language": "ko"}, 5),
    ({"language": "en"}, 6),
    ({"project": "news"}, 6),
    ({"language": "en", "project": "calls"}, 3),
])
def test_language_and_project_select_clips(store, tmp_path, selection, segments):
    result = run_export(store.wb, store.team.admin, fmt="nemo", out_dir=tmp_path / "out", **selection)
    assert result.segments == segments
    summary = json.loads((tmp_path / "out" / "export.json").read_text(encoding="utf-8"))
    assert {key: summary["selection"][key] for key in selection} == selection


def test_clip_ids_select_clips(store, tmp_path):
    result = run_export(store.wb, store.team.admin, fmt="kaldi", out_dir=tmp_path / "out",
                        clip_ids=store.clips["en"][:1])
    assert (result.clips, result.segments) == (1, 3)


def test_only_an_admin_may_export(store, tmp_path):
    with pytest.raises(PermissionDenied):
        run_export(store.wb, store.team.reviewer, fmt="nemo", out_dir=tmp_path / "out")
    assert nothing_written(tmp_path)


def test_who_exported_what_goes_to_the_audit_log_and_a_refused_export_does_not(store, tmp_path):
    with pytest.raises(PermissionDenied):
        run_export(store.wb, store.team.reviewer, fmt="nemo", out_dir=tmp_path / "refused")
    clip_ids = store.clips["en"][:1]
    run_export(store.wb, store.team.admin, fmt="csv", out_dir=tmp_path / "out", clip_ids=clip_ids)
    entry = next(e for e in store.wb.audit_log(store.team.admin) if e.action == "export.written")
    assert (entry.actor, entry.entity) == (store.team.admin.username, "export")
    assert json.loads(entry.detail) == {"format": "csv", "segments": 3, "clip_ids": clip_ids,
                                        "language": None, "project": None}


@pytest.mark.parametrize("selection", [{"project": "nobody"}, {"clip_ids": []}, {"language": "zh"}])
def test_a_selection_with_nothing_accepted_writes_nothing(store, tmp_path, selection):
    with pytest.raises(NothingToExport, match="nothing to export"):
        run_export(store.wb, store.team.admin, fmt="hf", out_dir=tmp_path / "out", **selection)
    assert nothing_written(tmp_path)


def test_an_export_before_any_review_writes_nothing(wb, team, tmp_path):
    wb.register_processed_clip(team.admin, filename="c.wav", language="ko", project="calls",
                               duration=CLIP_SECONDS, segments=SPANS,
                               output_dir=processed_dir(tmp_path / "processed", 440))
    with pytest.raises(NothingToExport):
        run_export(wb, team.admin, fmt="kaldi", out_dir=tmp_path / "out")
    assert nothing_written(tmp_path)


def test_rerunning_from_the_store_gives_byte_identical_manifests(store, tmp_path):
    def manifests() -> dict[str, bytes]:
        out = tmp_path / "out"
        return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
                if p.is_file() and p.suffix not in {".flac", ".wav"}}

    run_export(store.wb, store.team.admin, fmt="hf", out_dir=tmp_path / "out", seed=9)
    first = manifests()
    run_export(store.wb, store.team.admin, fmt="hf", out_dir=tmp_path / "out", seed=9)
    assert manifests() == first


# --- the CLI ----------------------------------------------------------------------------

@pytest.fixture
def cli(store, monkeypatch):
    """Runs ``workbench ...`` against the shared store and its data directory."""
    from typer.testing import CliRunner

    from workbench.cli import app

    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(store.wb.data_dir))
    monkeypatch.setenv("WORKBENCH_DATABASE_URL", store.wb.store.engine.url.render_as_string(hide_password=False))
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


def test_cli_exports_and_says_what_it_wrote(cli, tmp_path):
    out = tmp_path / "kaldi"
    result = cli("export", "--format", "kaldi", "--out", str(out), "--language", "en", "--text", "both",
                 "--seed", "4", "--splits", "0.5,0.5,0", "--sample-rate", "original", "--audio", "original")
    assert result.exit_code == 0, result.output
    assert "exported 6 segments from 2 clips" in result.output
    assert "quality report:" in result.output and (out / "report" / "quality.html").is_file()
    options = json.loads((out / "export.json").read_text(encoding="utf-8"))["options"]
    assert options == {"fmt": "kaldi", "audio": "original", "sample_rate": None, "text": "both", "seed": 4,
                       "splits": {"train": 0.5, "dev": 0.5, "test": 0.0}}


def test_cli_warns_of_a_split_that_comes_out_empty(cli, tmp_path):
    result = cli("export", "--format", "csv", "--out", str(tmp_path / "csv"), "--language", "en",
                 "--splits", "0.4,0.3,0.3")
    assert result.exit_code == 0, result.output
    # Two clips for three splits: whole clips cannot fill all three.
    assert re.search(r"warning: The (dev|test) split is empty: splits go by whole clips, and 2 clip", result.output)


@pytest.mark.parametrize("args, message", [
    (["--format", "parquet"], "unknown export format"),
    (["--format", "nemo", "--splits", "0.9,0.9,0.1"], "sum to 1"),
    (["--format", "nemo", "--sample-rate", "fast"], "sample rate"),
    (["--format", "nemo", "--project", "nobody"], "nothing to export"),
    (["--format", "nemo", "--clip", "999"], "nothing to export"),
])
def test_cli_refuses_with_a_message_and_writes_nothing(cli, tmp_path, args, message):
    result = cli("export", "--out", str(tmp_path / "out"), *args)
    assert result.exit_code == 1
    assert message in result.output
    assert nothing_written(tmp_path)


# --- a clip through the real pipeline ------------------------------------------------------

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "en_meeting.flac"


def test_a_processed_upload_exports_at_its_own_rate_with_its_measured_quality(wb, team, tmp_path):
    clip = wb.import_clip(team.admin, filename=SAMPLE.name, source=SAMPLE, language="en", project="meetings")
    assert wb.process_clip(clip.id).status == "ready"
    take_through_review(wb, team.en_transcriber, team.en_reviewer)
    result = run_export(wb, team.admin, fmt="nemo", out_dir=tmp_path / "out", audio="original",
                        sample_rate="original", splits="1,0,0")
    assert result.segments == wb.clip(team.admin, clip.id).segment_count
    for line in (tmp_path / "out" / "train_manifest.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        info = sf.info(tmp_path / "out" / record["audio_filepath"])
        assert info.samplerate == 22050  # the upload's own rate, not the pipeline's 16 kHz
        assert record["duration"] == pytest.approx(info.frames / info.samplerate, abs=1e-6)
    audio = json.loads((tmp_path / "out" / "report" / "quality.json").read_text(encoding="utf-8"))["audio"]
    stored = wb.clip(team.admin, clip.id).report
    assert audio["per_clip"] == [{"clip_id": str(clip.id), "language": "en",
                                  "loudness_lufs": stored["loudness"]["before_lufs"],
                                  "snr_db": stored["noise"]["snr_db"]}]
    assert audio["snr_db"]["median"] > 10


def test_a_video_upload_exported_at_its_own_rate_keeps_the_rate_of_its_audio_track(wb, team, tmp_path):
    video = SAMPLE.parent / "en_lesson.mp4"  # AAC at 48 kHz, which libsndfile cannot read
    clip = wb.import_clip(team.admin, filename=video.name, source=video, language="en", project="lessons")
    assert wb.process_clip(clip.id).status == "ready"
    take_through_review(wb, team.en_transcriber, team.en_reviewer)
    run_export(wb, team.admin, fmt="nemo", out_dir=tmp_path / "out", audio="original", sample_rate="original", splits="1,0,0")
    lines = (tmp_path / "out" / "train_manifest.jsonl").read_text(encoding="utf-8").splitlines()
    assert lines
    for line in lines:
        assert sf.info(tmp_path / "out" / json.loads(line)["audio_filepath"]).samplerate == 48000



# --- worker keys: they lead back to no one outside this deployment --------


def worker_keys(out: Path) -> set[str]:
    import csv

    with open(out / "segments.csv", encoding="utf-8", newline="") as handle:
        return {row["worker_key"] for row in csv.DictReader(handle)}


def unsalted_keys(ids: range) -> dict[str, int]:
    """What anyone could compute without the deployment's secret, for every guessed id."""
    import hashlib

    guesses = {}
    for user_id in ids:
        for text in (f"workbench-worker:{user_id}", str(user_id)):
            digest = hashlib.sha256(text.encode()).hexdigest()
            guesses["w" + digest[:10]] = user_id
            guesses[digest[:10]] = user_id
    return guesses


def test_worker_keys_are_stable_within_a_deployment(store, tmp_path):
    run_export(store.wb, store.team.admin, fmt="csv", out_dir=tmp_path / "first")
    run_export(store.wb, store.team.admin, fmt="csv", out_dir=tmp_path / "second")
    assert worker_keys(tmp_path / "first") == worker_keys(tmp_path / "second")
    assert len(worker_keys(tmp_path / "first")) == 2


def test_hashing_every_account_id_without_the_secret_finds_no_worker_key(store, tmp_path):
    run_export(store.wb, store.team.admin, fmt="csv", out_dir=tmp_path / "out")
    keys = worker_keys(tmp_path / "out")
    guesses = unsalted_keys(range(1, 5001))
    assert store.team.transcriber.id in guesses.values()  # the brute force covers the real ids
    assert {key: guesses[key] for key in keys if key in guesses} == {}


def test_the_same_accounts_get_other_worker_keys_in_another_deployment(store, module_database_url, tmp_path):
    """Another deployment (its own data directory, so its own secret) over the very same
    accounts: no key carries over, so keys from two deployments cannot be joined."""
    from workbench.queue import RecordingQueue
    from workbench.workflow.service import Workbench

    other = Workbench.open(database_url=module_database_url, data_dir=tmp_path / "other-data",
                           queue=RecordingQueue())
    try:
        run_export(other, store.team.admin, fmt="csv", out_dir=tmp_path / "there")
    finally:
        other.close()
    run_export(store.wb, store.team.admin, fmt="csv", out_dir=tmp_path / "here")
    here, there = worker_keys(tmp_path / "here"), worker_keys(tmp_path / "there")
    assert len(here) == len(there) == 2
    assert here.isdisjoint(there)


def test_the_worker_key_secret_is_owner_only_and_kept(store, tmp_path):
    from workbench.export.workers import SECRET_FILE

    run_export(store.wb, store.team.admin, fmt="csv", out_dir=tmp_path / "first")
    secret = Path(store.wb.data_dir) / SECRET_FILE
    kept = secret.read_bytes()
    run_export(store.wb, store.team.admin, fmt="csv", out_dir=tmp_path / "second")
    assert secret.stat().st_mode & 0o777 == 0o600
    assert len(kept) >= 32 and secret.read_bytes() == kept


def test_a_damaged_worker_key_secret_is_refused_rather_than_used(wb, team, tmp_path):
    from workbench.export import ExportError
    from workbench.export.workers import SECRET_FILE

    (Path(wb.data_dir) / SECRET_FILE).write_bytes(b"")
    accept_clips(wb, team, tmp_path)
    with pytest.raises(ExportError, match="not a 32-byte secret"):
        run_export(wb, team.admin, fmt="csv", out_dir=tmp_path / "out")
    assert nothing_written(tmp_path)
