"""Gold work (workflow/gold.py): marking, mixing copies among ordinary tasks, scoring at the
first submit, the grade, pay and export, and what a worker must not learn."""

from __future__ import annotations

import shutil

import pytest

from tests.builders import TEXTS, processed_clip, take_through_review, transcribe
from workbench.workflow.errors import InvalidInput, NotFound, PermissionDenied
from workbench.workflow.gold import GoldSettings, gold_settings, score_text
from workbench.workflow.guidelines import GUIDELINES_DIR_ENV, guidelines_dir


def gold_table(projects: dict[str, dict]) -> str:
    return "[projects]\n" + "".join(
        f'[gold."{name}"]\n' + "".join(f"{key} = {value}\n" for key, value in table.items())
        for name, table in projects.items())


@pytest.fixture
def gold_rules(tmp_path, monkeypatch):
    """A copy of the guidelines whose projects.toml sets gold for ``acme`` (rate 0.5: every
    new ordinary task brings a copy); ``gold_rules(**tables)`` writes other settings."""
    folder = tmp_path / "guidelines"
    shutil.copytree(guidelines_dir(), folder)
    monkeypatch.setenv(GUIDELINES_DIR_ENV, str(folder))

    def write(**projects):
        (folder / "projects.toml").write_text(gold_table(projects), encoding="utf-8")

    write(acme={"rate": 0.5})
    return write


def audio_dir(tmp_path, name: str, seconds: float = 10.0):
    """A pipeline output folder with quiet noise as ``clean.flac`` and ``original.flac``."""
    import numpy as np
    import soundfile as sf

    out = tmp_path / "processed" / name
    out.mkdir(parents=True)
    noise = np.random.default_rng(len(name)).normal(0, 0.05, int(16000 * seconds)).astype(np.float32)
    for variant in ("clean", "original"):
        sf.write(str(out / f"{variant}.flac"), noise, 16000, subtype="PCM_16")
    return out


@pytest.fixture
def gold(wb, wb_people, gold_rules, tmp_path):
    """A ko clip taken through review by tina and rita and marked gold by the admin; then a
    new ordinary clip, which brought a gold copy. ``gold.source``/``host``/``copy``: task ids."""
    from types import SimpleNamespace

    source = processed_clip(wb, wb_people.admin, filename="source.wav", output_dir=audio_dir(tmp_path, "source"))
    take_through_review(wb, wb_people.tina, wb_people.rita, task_id=wb.claim_next(wb_people.tina).id)
    source_clip = wb.list_tasks(wb_people.admin)[0].clip_id
    assert wb.mark_gold(wb_people.admin, clip_id=source_clip) == 3
    host = processed_clip(wb, wb_people.admin, filename="host.wav", output_dir=audio_dir(tmp_path, "host"))
    (copy,) = [t.id for t in wb.list_tasks(wb_people.admin) if t.id not in (source, host)]
    return SimpleNamespace(source=source, source_clip=source_clip, host=host, copy=copy)


# --- scoring --------------------------------------------------------------------------

@pytest.mark.parametrize(("language", "reference", "text", "cer", "wer", "tags", "notation"), [
    ("ko", "안녕하세요 여러분.", "안녕하세요 여러분.", 0.0, None, True, True),
    ("ko", "안녕하세요 여러분.", "안녕 하세요여러분", 0.0, None, True, True),  # spacing and marks are not errors
    ("ko", "안녕하세요.", "안녕하세여.", 0.2, None, True, True),  # one syllable in five
    ("ko", "b/ 네 좋아요.", "네 좋아요.", 0.0, None, False, True),  # a missing tag fails by the tag rule
    ("ko", "(3시)/(세 시)에 만나요.", "(3시)/(세 시)에 만나요.", 0.0, None, True, True),
    ("ko", "(3시)/(세 시)에 만나요.", "세 시에 만나요.", 0.0, None, True, False),  # spoken right, notation wrong
    ("zh", "我们今天开会。", "我们今天开会", 0.0, None, True, True),
    ("zh", "我们今天开会。", "我门今天开会。", 1 / 6, None, True, True),
    ("ja", "今日は晴れです。", "今日は雨です。", 2 / 7, None, True, True),  # 晴れ -> 雨: 2 errors in 7
    ("en", "I want that one.", "i want that one", 0.0, 0.0, True, True),
    ("en", "I want that one.", "I want this one.", 2 / 15, 0.25, True, True),
    ("en", "[laugh] yes", "yes", 0.0, 0.0, False, True),
    ("en", "[noise]", "[noise]", 0.0, 0.0, True, True),  # tags only: nothing else to count
    ("en", "[noise]", "no", 1.0, 1.0, False, True),
])
def test_gold_text_is_scored_by_the_languages_rules(language, reference, text, cer, wer, tags, notation):
    figures = score_text(reference, text, language)
    assert figures.cer == pytest.approx(cer)
    assert figures.wer == (pytest.approx(wer) if wer is not None else None)
    assert (figures.tags_match, figures.notation_match) == (tags, notation)


@pytest.mark.parametrize(("reference_no_speech", "no_speech", "cer", "passed"), [
    (True, True, 0.0, True), (True, False, 1.0, False), (False, True, 1.0, False),
])
def test_a_no_speech_mark_is_scored_against_a_no_speech_reference(reference_no_speech, no_speech, cer, passed):
    figures = score_text("네.", "네.", "ko", reference_no_speech=reference_no_speech, no_speech=no_speech)
    assert (figures.cer, figures.passed(0.1)) == (cer, passed)


@pytest.mark.parametrize(("cer", "tags", "notation", "pass_cer", "passed"), [
    (0.10, True, True, 0.10, True), (0.11, True, True, 0.10, False), (0.0, False, True, 0.10, False),
    (0.0, True, False, 0.10, False), (0.3, True, True, 0.5, True),
])
def test_a_gold_segment_passes_at_or_below_its_projects_cer_with_tags_and_notation_right(cer, tags, notation,
                                                                                         pass_cer, passed):
    from workbench.workflow.gold import GoldFigures

    assert GoldFigures(cer, None, tags, notation).passed(pass_cer) is passed


# --- settings -------------------------------------------------------------------------

def test_gold_settings_come_from_the_projects_file_and_default_to_off(gold_rules):
    gold_rules(acme={"rate": 0.05, "pass_cer": 0.2})
    assert gold_settings("acme") == GoldSettings(rate=0.05, pass_cer=0.2)
    assert gold_settings("acme").copy_chance == pytest.approx(0.05 / 0.95)
    assert gold_settings("other") == GoldSettings(rate=0.0, pass_cer=0.1)


@pytest.mark.parametrize("table", [{"rate": 0.9}, {"rate": -0.1}, {"rate": '"often"'}, {"pass_cer": 2},
                                   {"rate": 0.1, "share": 0.2}])
def test_a_malformed_gold_table_is_refused_with_the_reason(gold_rules, table):
    gold_rules(acme=table)
    with pytest.raises(ValueError, match="gold"):
        gold_settings("acme")


# --- marking --------------------------------------------------------------------------

def test_marking_gold_is_for_admins_and_only_for_accepted_text(wb, wb_people, gold_rules):
    task_id = processed_clip(wb, wb_people.admin)
    clip_id = wb.list_tasks(wb_people.admin)[0].clip_id
    segment_ids = [s.id for s in wb.open_task(wb_people.admin, task_id).segments]
    with pytest.raises(InvalidInput, match="no accepted segment"):
        wb.mark_gold(wb_people.admin, clip_id=clip_id)
    with pytest.raises(InvalidInput, match="only accepted text"):
        wb.mark_gold(wb_people.admin, segment_ids=segment_ids[:1])
    take_through_review(wb, wb_people.tina, wb_people.rita)
    with pytest.raises(PermissionDenied):
        wb.mark_gold(wb_people.rita, segment_ids=segment_ids[:1])
    with pytest.raises(InvalidInput, match="either a clip or some segments"):
        wb.mark_gold(wb_people.admin)
    with pytest.raises(NotFound):
        wb.mark_gold(wb_people.admin, segment_ids=[10**6])
    assert wb.mark_gold(wb_people.admin, segment_ids=segment_ids[:2]) == 2
    assert wb.mark_gold(wb_people.admin, clip_id=clip_id) == 1  # the two already gold stay as they are
    marked = [e for e in wb.audit_log(wb_people.admin) if e.action == "gold.marked"]
    assert sorted(e.entity_id for e in marked) == segment_ids and {e.actor for e in marked} == {"admin"}


def test_an_imported_reference_clip_is_gold_and_never_offered(wb, wb_people, gold_rules, tmp_path):
    import numpy as np
    import soundfile as sf

    out = tmp_path / "reference"
    out.mkdir()
    sf.write(str(out / "clean.flac"), np.zeros(16000 * 6, dtype=np.float32), 16000)
    rows = [(0.0, 2.0, "안녕하세요."), (2.5, 5.0, "반갑습니다.")]
    with pytest.raises(InvalidInput):
        wb.import_gold_clip(wb_people.admin, filename="ref.wav", language="ko", project="acme", duration=6.0,
                            references=[(0.0, 2.0)], output_dir=out)
    with pytest.raises(PermissionDenied):
        wb.import_gold_clip(wb_people.tina, filename="ref.wav", language="ko", project="acme", duration=6.0,
                            references=rows, output_dir=out)
    clip = wb.import_gold_clip(wb_people.admin, filename="ref.wav", language="ko", project="acme", duration=6.0,
                               references=rows, output_dir=out)
    assert wb.open_task(wb_people.admin, clip.task_id).task.state == "complete"
    with pytest.raises(NotFound):
        wb.claim_next(wb_people.tina)
    processed_clip(wb, wb_people.admin, filename="host.wav")  # brings a copy of the imported clip
    copies = [t for t in wb.list_tasks(wb_people.admin) if t.clip_name == "ref.wav" and t.state == "open"]
    assert len(copies) == 1 and copies[0].segment_count == 2


# --- mixing ---------------------------------------------------------------------------

def test_a_gold_copy_is_an_open_task_of_the_hosts_project_with_the_sources_bounds_and_no_text(wb, wb_people, gold):
    source = wb.open_task(wb_people.admin, gold.source)
    copy = wb.open_task(wb_people.admin, gold.copy)
    assert copy.task.state == "open" and copy.task.project == "acme" and copy.task.clip_name == "source.wav"
    assert [(s.start, s.end) for s in copy.segments] == [(s.start, s.end) for s in source.segments]
    assert [s.text for s in copy.segments] == ["", "", ""] and copy.task.clip_id != gold.source_clip
    offered = [e for e in wb.audit_log(wb_people.admin) if e.action == "gold.copy_offered"]
    assert [e.entity_id for e in offered] == [gold.copy] and offered[0].task_id is None


def test_no_copy_is_made_in_a_project_without_gold_or_before_any_reference(wb, wb_people, gold_rules):
    processed_clip(wb, wb_people.admin, filename="a.wav")  # no reference yet
    take_through_review(wb, wb_people.tina, wb_people.rita)
    wb.mark_gold(wb_people.admin, clip_id=wb.list_tasks(wb_people.admin)[0].clip_id)
    processed_clip(wb, wb_people.admin, filename="b.wav", project="other")  # gold is off there
    assert len(wb.list_tasks(wb_people.admin)) == 2


def test_gold_work_is_neither_drafted_nor_shown_a_draft(wb, wb_people, gold):
    with wb.store.reading() as session:
        from workbench.store import repo

        for task_id, allowed in ((gold.copy, False), (gold.host, True)):
            task = repo.get_task(session, task_id)
            assert all(wb.drafts_allowed(task, s) is allowed for s in repo.live_segments(session, task_id))


def test_gold_copies_are_left_out_of_the_client_export(wb, wb_people, gold, tmp_path):
    from workbench.export.run import run_export

    for _ in range(2):  # the host and the copy, both accepted
        take_through_review(wb, wb_people.tom, wb_people.rita, task_id=wb.claim_next(wb_people.tom).id)
    assert {t.state for t in wb.list_tasks(wb_people.admin)} == {"complete"}
    result = run_export(wb, wb_people.admin, fmt="csv", out_dir=tmp_path / "export")
    assert (result.clips, result.segments) == (2, 6)  # the source and the host; not the copy


# --- scoring at submit, and the grade ---------------------------------------------------

def claim_copy(wb, worker, gold) -> int:
    """``worker`` claims tasks until they hold the copy (the host comes first)."""
    held = [wb.claim_next(worker).id for _ in range(2)]
    assert gold.copy in held
    return gold.copy


def test_a_gold_copy_is_scored_at_its_first_submit_and_the_admin_sees_the_score(wb, wb_people, gold):
    claim_copy(wb, wb_people.tom, gold)
    transcribe(wb, wb_people.tom, gold.copy, [TEXTS[0], "반갑습니다 여러분.", TEXTS[2]])
    scores = wb.gold_scores(wb_people.admin)
    assert [(s.username, s.reference, s.passed) for s in reversed(scores)] == [
        ("tom", TEXTS[0], True), ("tom", TEXTS[1], False), ("tom", TEXTS[2], True)]
    assert scores[1].cer == pytest.approx(3 / 5) and scores[1].to_dict()["project"] == "acme"
    audited = [e for e in wb.audit_log(wb_people.admin) if e.action == "gold.scored"]
    assert len(audited) == 3 and all(e.task_id is None and e.actor is None for e in audited)
    with pytest.raises(PermissionDenied):
        wb.gold_scores(wb_people.tom)


def test_a_gold_segment_is_scored_once_whatever_comes_after_the_first_submit(wb, wb_people, gold):
    claim_copy(wb, wb_people.tom, gold)
    transcribe(wb, wb_people.tom, gold.copy, ["틀렸어요."])
    review = wb.start_review(wb_people.rita, gold.copy)
    from tests.listening import hear

    hear(wb, wb_people.rita, review.segments, wb.clock)
    wb.return_segment(wb_people.rita, review.segments[0].id, comment="다시 들어 보세요.")
    wb.accept_all_played(wb_people.rita, gold.copy)
    wb.finish_review(wb_people.rita, gold.copy)
    transcribe(wb, wb_people.tom, gold.copy, TEXTS)
    assert [s.text for s in wb.gold_scores(wb_people.admin)] == ["틀렸어요."] * 3


def test_splitting_or_merging_a_gold_segment_scores_the_text_over_its_span(wb, wb_people, gold):
    claim_copy(wb, wb_people.tom, gold)
    first, second, third = wb.open_task(wb_people.tom, gold.copy).segments
    wb.split_segment(wb_people.tom, first.id, 1.0, texts=("안녕", "하세요."), base_version=first.version)
    wb.merge_with_next(wb_people.tom, second.id)  # the second and third become one
    task = wb.open_task(wb_people.tom, gold.copy)
    merged = [s for s in task.segments if s.id == second.id][0]
    wb.save_text(wb_people.tom, merged.id, "반갑습니다 네 좋아요.", base_version=merged.version)
    wb.submit_task(wb_people.tom, gold.copy)
    scores = {s.reference: s for s in wb.gold_scores(wb_people.admin)}
    assert scores[TEXTS[0]].text == "안녕 하세요." and scores[TEXTS[0]].passed
    assert scores[TEXTS[1]].text == scores[TEXTS[2]].text == "반갑습니다 네 좋아요."


def test_gold_scores_count_in_the_grade_before_any_review(wb, wb_people, gold):
    before = wb.worker_summary(wb_people.tom)
    claim_copy(wb, wb_people.tom, gold)
    transcribe(wb, wb_people.tom, gold.copy, [TEXTS[0], "아니에요.", TEXTS[2]])
    after = wb.worker_summary(wb_people.tom)
    assert (before.reviewed_segments, after.reviewed_segments) == (0, 3)
    assert after.return_rate == pytest.approx(1 / 3)
    listed = {w.username: w for w in wb.list_workers(wb_people.admin)}
    assert (listed["tom"].reviewed_segments, listed["tom"].return_rate) == (3, after.return_rate)


def test_a_reviewer_accepting_a_wrong_gold_segment_does_not_lift_the_gold_verdict(wb, wb_people, gold):
    claim_copy(wb, wb_people.tom, gold)
    take_through_review(wb, wb_people.tom, wb_people.rita, task_id=gold.copy, texts=["아니에요."])
    assert wb.worker_summary(wb_people.tom).return_rate == 1.0  # every gold segment failed, though accepted


def test_a_full_grade_window_is_still_cut_to_its_length():
    from workbench.store.gold_queries import with_gold_outcomes

    decisions = [(n, "accepted") for n in range(10, 0, -1)]
    merged = with_gold_outcomes(decisions, {11: False, 5: False}, limit=10)
    assert len(merged) == 10 and merged[0] == (11, "returned") and (5, "returned") in merged


# --- the CLI --------------------------------------------------------------------------

def test_the_cli_imports_a_reference_clip_marks_gold_and_prints_scores(wb, wb_people, gold_rules, tmp_path,
                                                                       monkeypatch, database_url):
    from typer.testing import CliRunner

    from workbench.cli import app

    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(wb.data_dir))
    monkeypatch.setenv("WORKBENCH_DATABASE_URL", database_url)

    def cli(*args):
        return CliRunner().invoke(app, ["gold", *args], catch_exceptions=False)

    out = audio_dir(tmp_path, "reference", seconds=6.0)
    bad = tmp_path / "bad.csv"
    bad.write_text("start,end,text\n0,x,네.\n", encoding="utf-8")
    refused = cli("import", str(out), "--references", str(bad), "--language", "ko", "--project", "acme")
    assert refused.exit_code == 1 and "bad.csv row 1" in refused.output
    good = tmp_path / "ref.csv"
    good.write_text("start,end,text\n0,2,안녕하세요.\n2.5,5,반갑습니다.\n", encoding="utf-8")
    imported = cli("import", str(out), "--references", str(good), "--language", "ko", "--project", "acme")
    assert imported.exit_code == 0 and "with 2 gold segment(s)" in imported.output
    task_id = processed_clip(wb, wb_people.admin, filename="done.wav")  # brings a copy of the reference
    assert wb.claim_next(wb_people.tina).id == task_id
    take_through_review(wb, wb_people.tina, wb_people.rita, task_id=task_id)
    clip_id = next(t.clip_id for t in wb.list_tasks(wb_people.admin) if t.id == task_id)
    assert cli("mark", "--clip", str(clip_id)).output == "3 segment(s) made gold\n"
    copy = next(t.id for t in wb.list_tasks(wb_people.admin) if t.clip_name == "reference" and t.state == "open")
    while wb.claim_next(wb_people.tom).id != copy:
        pass
    transcribe(wb, wb_people.tom, copy, ["안녕하세요.", "반갑습니다."])
    printed = cli("scores", "--user", "tom").output.splitlines()
    assert len(printed) == 2 and all(" tom acme ko " in line and line.endswith("passed") for line in printed)


# --- pay: a property ----------------------------------------------------------------------

@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_segment_is_never_both_gold_and_paid_twice(database_url, gold_rules):
    """Whatever is marked, mixed in and completed: every paid task is paid once, a gold
    reference's own task once (to its own worker), a copy once (to the worker who did it);
    and no segment belongs to two paid tasks."""
    import tempfile
    from datetime import datetime, timezone
    from pathlib import Path

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from tests.builders import SettableClock, add_admin, add_people, open_workbench
    from workbench.queue import RecordingQueue
    from workbench.store import pay_store, repo

    @settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(hosts=st.integers(1, 3), by_clip=st.booleans(), finish=st.lists(st.booleans(), min_size=3, max_size=3))
    def check(hosts, by_clip, finish):
        with tempfile.TemporaryDirectory() as folder:
            wb = open_workbench(Path(folder), clock=SettableClock(datetime(2026, 3, 2, 5, tzinfo=timezone.utc)),
                                queue=RecordingQueue())
            try:
                admin = add_admin(wb)
                # A worker per offered task: nobody is offered the same gold audio twice.
                people = add_people(wb, admin, {"tina": ({"transcriber"}, "ko"), "rita": ({"reviewer"}, "ko"),
                                                **{f"w{n}": ({"transcriber"}, "ko") for n in range(6)}})
                source = processed_clip(wb, admin, filename="source.wav")
                take_through_review(wb, people["tina"], people["rita"])
                source_view = wb.open_task(admin, source)
                if by_clip:
                    wb.mark_gold(admin, clip_id=source_view.task.clip_id)
                else:
                    wb.mark_gold(admin, segment_ids=[source_view.segments[0].id])
                for n in range(hosts):
                    processed_clip(wb, admin, filename=f"host-{n}.wav")
                offered = sorted(t.id for t in wb.list_tasks(admin, state="open"))
                worker_of = {}
                for n, (task_id, done) in enumerate(zip(offered, finish + [True] * len(offered))):
                    worker_of[task_id] = f"w{n}"
                    assert wb.claim_next(people[f"w{n}"]).id == task_id
                    if done:
                        take_through_review(wb, people[f"w{n}"], people["rita"], task_id=task_id)
                    else:  # submitted, waiting for review: not paid yet
                        transcribe(wb, people[f"w{n}"], task_id)
                with wb.store.reading() as session:
                    paid = pay_store.work_items(session)
                    tasks = [item.task_id for item in paid]
                    assert len(tasks) == len(set(tasks))
                    assert [i.username for i in paid if i.task_id == source] == ["tina"]
                    segments = [s.id for t in tasks for s in repo.live_segments(session, t)]
                    assert len(segments) == len(set(segments))
                    copies = {t.id for t in wb.list_tasks(admin) if t.clip_name == "source.wav"} - {source}
                    assert all(i.username == worker_of[i.task_id] for i in paid if i.task_id in copies)
            finally:
                wb.close()

    check()


# --- the admin tab's handlers ----------------------------------------------------------

@pytest.mark.parametrize(("clip_id", "segment_ids", "message"), [
    (None, "12, x", "whole numbers"), (1.5, "", "whole number"), (None, "", "either a clip or some segments"),
])
def test_the_gold_tab_refuses_bad_ids_with_a_message(wb, wb_people, clip_id, segment_ids, message):
    from workbench.ui.handlers import gold as handlers

    with pytest.raises(InvalidInput, match=message):
        handlers.mark_gold(wb, wb_people.admin, clip_id, segment_ids)


def test_the_gold_tab_marks_and_lists_scores_for_an_admin_only(wb, wb_people, gold):
    from workbench.ui.handlers import gold as handlers

    with pytest.raises(PermissionDenied):
        handlers.gold_scores_table(wb, wb_people.tina)
    with pytest.raises(PermissionDenied):
        handlers.mark_gold(wb, wb_people.tina, gold.source_clip, "")
    assert handlers.mark_gold(wb, wb_people.admin, gold.source_clip, "") == "0 segment(s) made gold."
    claim_copy(wb, wb_people.tom, gold)
    transcribe(wb, wb_people.tom, gold.copy)
    table = handlers.gold_scores_table(wb, wb_people.admin)
    assert list(table["worker"]) == ["tom"] * 3 and set(table["passed"]) == {"passed"}


def test_an_admin_offers_a_copy_only_of_a_clip_with_gold(wb, wb_people, gold):
    with pytest.raises(InvalidInput, match="no gold reference"):
        wb.offer_gold_copy(wb_people.admin, clip_id=wb.open_task(wb_people.admin, gold.host).task.clip_id,
                           project="acme")
    with pytest.raises(PermissionDenied):
        wb.offer_gold_copy(wb_people.tina, clip_id=gold.source_clip, project="acme")
    task_id = wb.offer_gold_copy(wb_people.admin, clip_id=gold.source_clip, project="acme", priority=5)
    assert wb.gold_copies(wb_people.admin) == {gold.copy: gold.source_clip, task_id: gold.source_clip}


# --- un-marking -----------------------------------------------------------------------

def test_an_admin_unmarks_gold_history_kept_scores_kept_and_no_new_copy_is_scored(wb, wb_people, gold, gold_rules,
                                                                                   tmp_path):
    """tom's copy was scored before the mark came off: his score stays and counts; from then
    on the source is not copied, and a copy already offered is scored no more."""
    assert {wb.claim_next(wb_people.tom).id for _ in range(2)} == {gold.host, gold.copy}
    transcribe(wb, wb_people.tom, gold.copy)
    assert len(wb.gold_scores(wb_people.admin)) == 3
    late = wb.offer_gold_copy(wb_people.admin, clip_id=gold.source_clip, project="acme")
    references = [s.id for s in wb.open_task(wb_people.admin, gold.source).segments]
    assert wb.unmark_gold(wb_people.admin, segment_ids=references, reason="the speaker's accent was misheard") == 3
    assert wb.unmark_gold(wb_people.admin, segment_ids=references, reason="again") == 0  # already off
    entries = [e for e in wb.audit_log(wb_people.admin) if e.action == "gold.unmarked"]
    assert len(entries) == 3 and "misheard" in entries[0].detail and entries[0].actor == "admin"
    with pytest.raises(InvalidInput):
        wb.offer_gold_copy(wb_people.admin, clip_id=gold.source_clip, project="acme")
    after = processed_clip(wb, wb_people.admin, filename="after.wav", output_dir=audio_dir(tmp_path, "after"))
    assert max(t.id for t in wb.list_tasks(wb_people.admin)) == after  # no copy came with it
    assert {wb.claim_next(wb_people.bo).id for _ in range(2)} == {late, after}
    transcribe(wb, wb_people.bo, late)
    assert len(wb.gold_scores(wb_people.admin)) == 3  # scores given stay; the late copy is scored no more
    assert wb.worker_summary(wb_people.admin, "tom").reviewed_segments == 3  # and still count in the grade
    assert wb.mark_gold(wb_people.admin, segment_ids=references) == 3  # marked again: gold again
    assert wb.offer_gold_copy(wb_people.admin, clip_id=gold.source_clip, project="acme") > 0


@pytest.mark.parametrize(("segments", "reason"), [
    ([], "why"), (["x"], "why"), ([10 ** 12], "why"), (None, "why"), ("ALL", "why"),
])
def test_unmarking_junk_or_segments_that_are_not_gold_is_refused_and_changes_nothing(wb, wb_people, gold, segments,
                                                                                     reason):
    with pytest.raises(InvalidInput):
        wb.unmark_gold(wb_people.admin, segment_ids=segments, reason=reason)
    assert not [e for e in wb.audit_log(wb_people.admin) if e.action == "gold.unmarked"]


def test_unmarking_needs_a_reason_and_an_admin(wb, wb_people, gold):
    references = [s.id for s in wb.open_task(wb_people.admin, gold.source).segments]
    with pytest.raises(InvalidInput):
        wb.unmark_gold(wb_people.admin, segment_ids=references, reason="  ")
    with pytest.raises(PermissionDenied):
        wb.unmark_gold(wb_people.rita, segment_ids=references, reason="I disagree")
    assert wb.offer_gold_copy(wb_people.admin, clip_id=gold.source_clip, project="acme") > 0


def test_the_gold_tab_unmarks_for_an_admin_only_and_refuses_junk_ids(wb, wb_people, gold):
    from workbench.ui.handlers import gold as handlers

    references = ", ".join(str(s.id) for s in wb.open_task(wb_people.admin, gold.source).segments)
    with pytest.raises(InvalidInput, match="whole numbers"):
        handlers.unmark_gold(wb, wb_people.admin, "12; DROP TABLE", "why")
    with pytest.raises(PermissionDenied):
        handlers.unmark_gold(wb, wb_people.tina, references, "why")
    assert handlers.unmark_gold(wb, wb_people.admin, references, "wrong reference") == (
        "3 segment(s) no longer gold; their scores stay.")
