"""Double transcription (workflow/double.py): which clips are doubled, who may take which side,
the agreement measured at the second first submit, disputes a reviewer settles, and pay."""

from __future__ import annotations

import shutil
from types import SimpleNamespace

import pytest

from tests.builders import TEXTS, processed_clip, take_through_review, transcribe
from tests.listening import hear_dispute
from workbench.workflow.double import Double
from workbench.workflow.double_rules import DoubleSettings, agreement_cer, double_settings
from workbench.workflow.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied
from workbench.workflow.guidelines import GUIDELINES_DIR_ENV, guidelines_dir

OTHER = "오늘은 날씨가 좋네요."  # a text that agrees with none of TEXTS (CER above 0.5 against each)


class Always:
    """A stand-in for the system's randomness that always draws ``value``."""

    def __init__(self, value: float) -> None:
        self.value = value

    def random(self) -> float:
        return self.value


def projects_table(kind: str, projects: dict[str, dict]) -> str:
    return "[projects]\n" + "".join(
        f'[{kind}."{name}"]\n' + "".join(f"{key} = {value}\n" for key, value in table.items())
        for name, table in projects.items())


@pytest.fixture
def double_rules(tmp_path, monkeypatch):
    """Guidelines whose projects.toml doubles ``acme`` (share 0.5) and a draw that always
    doubles; ``double_rules(**tables)`` writes other settings."""
    folder = tmp_path / "guidelines"
    shutil.copytree(guidelines_dir(), folder)
    monkeypatch.setenv(GUIDELINES_DIR_ENV, str(folder))
    monkeypatch.setattr(Double, "double_random", Always(0.0))

    def write(**projects):
        (folder / "projects.toml").write_text(projects_table("double", projects), encoding="utf-8")

    write(acme={"share": 0.5})
    return write


@pytest.fixture
def pair(wb, wb_people, double_rules):
    """One ko clip of acme, doubled: ``pair.original`` and ``pair.copy`` task ids."""
    original = processed_clip(wb, wb_people.admin, filename="double.wav")
    (copy,) = [t.id for t in wb.list_tasks(wb_people.admin) if t.id != original]
    return SimpleNamespace(original=original, copy=copy)


# --- agreement --------------------------------------------------------------------------

@pytest.mark.parametrize(("language", "first", "second", "cer"), [
    ("ko", "안녕하세요 여러분.", "안녕하세요 여러분.", 0.0),
    ("ko", "안녕하세요 여러분.", "안녕 하세요여러분", 0.0),  # spacing and marks are not disagreement
    ("ko", "안녕하세요.", "안녕하세여.", 0.2),  # one syllable in five
    ("ko", "안녕하세요.", "안녕.", 0.6),  # three missing of the longer five
    ("ko", "(3시)/(세 시)에 만나요.", "세 시에 만나요.", 0.0),  # the pronunciation reading is compared
    ("zh", "我们今天开会。", "我门今天开会", 1 / 6),
    ("ja", "今日は晴れです。", "今日は雨です。", 2 / 7),
    ("en", "I want that one.", "i want that one", 0.0),
    ("en", "I want that one.", "I want this one.", 2 / 15),
    ("en", "[noise]", "[noise]", 0.0),  # only tags on both sides: nothing to disagree on
    ("en", "[noise]", "no", 1.0),
])
def test_agreement_is_a_symmetric_cer_by_the_languages_normalisation(language, first, second, cer):
    assert agreement_cer(first, second, language) == pytest.approx(cer)
    assert agreement_cer(second, first, language) == pytest.approx(cer)


@pytest.mark.parametrize(("first_no_speech", "second_no_speech", "cer"), [
    (True, True, 0.0), (True, False, 1.0), (False, True, 1.0),
])
def test_a_no_speech_mark_agrees_only_with_another_no_speech_mark(first_no_speech, second_no_speech, cer):
    assert agreement_cer("네.", "네.", "ko", first_no_speech=first_no_speech,
                         second_no_speech=second_no_speech) == cer


def test_double_settings_come_from_the_projects_file_and_default_to_off(double_rules):
    double_rules(acme={"share": 0.05, "dispute_cer": 0.3})
    assert double_settings("acme") == DoubleSettings(share=0.05, dispute_cer=0.3)
    assert double_settings("other") == DoubleSettings(share=0.0, dispute_cer=0.15)


@pytest.mark.parametrize("table", [{"share": 0.9}, {"share": -0.1}, {"share": '"often"'}, {"dispute_cer": 2},
                                   {"share": "true"}, {"share": 0.1, "rate": 0.2}])
def test_a_malformed_double_table_is_refused_with_the_reason(double_rules, table):
    double_rules(acme=table)
    with pytest.raises(ValueError, match="double"):
        double_settings("acme")


# --- doubling and claims ----------------------------------------------------------------

def test_a_doubled_clip_is_a_second_task_over_the_same_spans(wb, wb_people, pair):
    original, copy = (wb.open_task(wb_people.admin, t) for t in (pair.original, pair.copy))
    assert [(s.start, s.end) for s in original.segments] == [(s.start, s.end) for s in copy.segments]
    assert copy.task.state == "open" and copy.task.id == original.task.id + 1


def test_neither_side_of_a_pair_is_drafted_or_shows_a_draft(wb, wb_people, pair):
    """One machine draft under both texts would make them agree; and the copy alone undrafted
    would stand out."""
    from workbench.store.models import Task

    other = processed_clip(wb, wb_people.admin, filename="other.wav", project="other")
    with wb.store.reading() as session:
        sides = [session.get(Task, task_id) for task_id in (pair.original, pair.copy)]
        assert [wb.drafts_allowed(task, None) for task in sides] == [False, False]
        assert wb.drafts_allowed(session.get(Task, other), None)


def test_a_project_without_double_settings_is_never_doubled(wb, wb_people, double_rules):
    processed_clip(wb, wb_people.admin, filename="other.wav", project="other")
    assert len(wb.list_tasks(wb_people.admin)) == 1


def test_nobody_is_offered_both_sides_of_a_pair(wb, wb_people, pair):
    assert wb.claim_next(wb_people.tina).id == pair.original
    with pytest.raises(NotFound):
        wb.claim_next(wb_people.tina)
    assert wb.claim_next(wb_people.tom).id == pair.copy


def test_a_side_released_after_a_claim_is_still_never_offered_the_other_side(wb, wb_people, pair):
    assert wb.claim_next(wb_people.tina).id == pair.original
    wb.release_task(wb_people.admin, pair.original, reason="left for the day")
    assert wb.claim_next(wb_people.tom).id == pair.original
    with pytest.raises(NotFound):
        wb.claim_next(wb_people.tina)  # the copy is the same audio she already had


# --- measuring and disputes -------------------------------------------------------------

@pytest.mark.parametrize(("first", "second", "threshold", "disputed"), [
    (TEXTS, TEXTS, 0.15, [False, False, False]),
    (TEXTS, ("안녕하세여.", "반갑습니다.", "네 좋아요."), 0.15, [True, False, False]),  # 0.2 > 0.15
    (TEXTS, ("안녕하세여.", "반갑습니다.", "네 좋아요."), 0.2, [False, False, False]),  # at the threshold
    (TEXTS, (OTHER,), 0.5, [True, True, True]),
])
def test_spans_that_disagree_above_the_projects_threshold_go_to_a_reviewer(wb, wb_people, pair, double_rules,
                                                                           first, second, threshold, disputed):
    double_rules(acme={"share": 0.5, "dispute_cer": threshold})
    transcribe(wb, wb_people.tina, wb.claim_next(wb_people.tina).id, first)
    assert wb.double_agreements(wb_people.admin) == []  # one side is not an agreement
    transcribe(wb, wb_people.tom, wb.claim_next(wb_people.tom).id, second)
    rows = sorted(wb.double_agreements(wb_people.admin), key=lambda r: r.id)
    assert [r.disputed for r in rows] == disputed
    assert [(r.first, r.second) for r in rows] == [("tina", "tom")] * 3
    assert len(wb.double_disputes(wb_people.rita)) == sum(disputed)


def test_the_first_submitted_texts_are_measured_not_later_corrections(wb, wb_people, pair):
    take_through_review(wb, wb_people.tina, wb_people.rita, task_id=wb.claim_next(wb_people.tina).id)
    transcribe(wb, wb_people.tom, wb.claim_next(wb_people.tom).id, (OTHER,))
    rows = wb.double_agreements(wb_people.admin)
    assert {r.first_text for r in rows} == set(TEXTS) and {r.second_text for r in rows} == {OTHER}


@pytest.fixture
def disputed(wb, wb_people, pair):
    transcribe(wb, wb_people.tina, wb.claim_next(wb_people.tina).id)
    slip = ("안녕하세여.", "반갑습니다.", "네 좋아요.")  # the first span one syllable in five apart
    transcribe(wb, wb_people.tom, wb.claim_next(wb_people.tom).id, slip)
    (dispute,) = wb.double_disputes(wb_people.rita)
    hear_dispute(wb, wb_people.rita, dispute, wb.clock)  # a settler hears the span first
    return dispute


@pytest.mark.parametrize(("choice", "text", "settled"), [
    ("first", None, "안녕하세요."), ("second", None, "안녕하세여."),
    ("third", "안녕하세요!", "안녕하세요!"),
])
def test_a_reviewer_settles_a_dispute_by_picking_a_text_or_writing_a_third(wb, wb_people, disputed, choice, text,
                                                                           settled):
    view = wb.resolve_double(wb_people.rita, disputed.id, choice=choice, text=text)
    assert (view.resolution, view.resolved_text) == (choice, settled)
    assert wb.double_disputes(wb_people.rita) == []
    with pytest.raises(InvalidTransition):
        wb.resolve_double(wb_people.rita, disputed.id, choice="first")
    (entry,) = [e for e in wb.audit_log(wb_people.admin) if e.action == "double.resolved"]
    assert entry.actor == "rita"


@pytest.mark.parametrize(("choice", "text"), [
    ("both", None), ("third", None), ("third", "   "), ("first", "my own"), ("third", "x" * 100_000), (1, None),
])
def test_a_bad_settlement_is_refused_and_changes_nothing(wb, wb_people, disputed, choice, text):
    with pytest.raises(InvalidInput):
        wb.resolve_double(wb_people.rita, disputed.id, choice=choice, text=text)
    assert [d.id for d in wb.double_disputes(wb_people.rita)] == [disputed.id]


def test_only_a_reviewer_who_worked_on_neither_side_settles(wb, wb_people, disputed):
    with pytest.raises(PermissionDenied):
        wb.double_disputes(wb_people.tina)  # a transcriber only
    assert wb.double_disputes(wb_people.eve) == []  # an en reviewer: none of ko
    assert wb.double_disputes(wb_people.admin)[0].id == disputed.id


def test_a_reviewer_who_transcribed_a_side_neither_sees_nor_settles_its_dispute(wb, wb_people, pair):
    transcribe(wb, wb_people.bo, wb.claim_next(wb_people.bo).id)
    transcribe(wb, wb_people.tom, wb.claim_next(wb_people.tom).id, (OTHER,))
    assert wb.double_disputes(wb_people.bo) == []
    some = wb.double_disputes(wb_people.rita)[0]
    with pytest.raises(NotFound):
        wb.resolve_double(wb_people.bo, some.id, choice="first")
