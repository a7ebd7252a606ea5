"""The draft holdback (workflow/holdback.py): in a project with drafts on, a share of the
ordinary tasks is served without drafts, so gold copies and double sides (never drafted) do
not stand out as the undrafted ones; and those held-back tasks are the control group of the
drafts' effort figures."""

from __future__ import annotations

import json
import random
import shutil

import pytest

from drafts_support import clip_with_audio, draft_now, fake_engines
from listening import hear
from tests.builders import TEXTS, processed_clip, signed_in, take_through_review
from tests.test_cli_admin import add_admin, cli  # noqa: F401 (the fixture)
from tests.test_gold import audio_dir
from tests.test_gold_attacks import shape
from workbench.drafts.evidence import DraftOutcome, draft_figures
from workbench.ui.server import create_app
from workbench.workflow.double import Double
from workbench.workflow.errors import PermissionDenied
from workbench.workflow.gold import Gold
from workbench.workflow.guidelines import GUIDELINES_DIR_ENV, guidelines_dir
from workbench.workflow.holdback import FLOOR, Holdback, holdback_share


class Drawn:
    """A stand-in for the system's randomness that draws ``values`` in turn (the last for ever)."""

    def __init__(self, *values: float) -> None:
        self.values = list(values)

    def random(self) -> float:
        return self.values.pop(0) if len(self.values) > 1 else self.values[0]

    def choice(self, items):
        return items[0]


HELD, NOT_HELD = 0.0, 1.0


@pytest.fixture
def projects(tmp_path, monkeypatch):
    """``projects(gold={...}, double={...}, holdback={...})`` writes ``guidelines/projects.toml``
    with those tables (project name → settings) in a copy of the guidelines."""
    folder = tmp_path / "guidelines"
    shutil.copytree(guidelines_dir(), folder)
    monkeypatch.setenv(GUIDELINES_DIR_ENV, str(folder))

    def write(**kinds):
        text = "[projects]\n" + "".join(
            f'[{kind}."{name}"]\n' + "".join(f"{key} = {value}\n" for key, value in table.items())
            for kind, tables in kinds.items() for name, table in tables.items())
        (folder / "projects.toml").write_text(text, encoding="utf-8")

    write()
    return write


def draw(monkeypatch, *values: float) -> None:
    monkeypatch.setattr(Holdback, "holdback_random", Drawn(*values))


# --- the share ----------------------------------------------------------------------------

@pytest.mark.parametrize(("tables", "share"), [
    ({}, FLOOR),  # no gold, no double: the floor
    ({"gold": {"acme": {"rate": 0.1}}, "double": {"acme": {"share": 0.05}}}, 0.15),  # gold + double
    ({"gold": {"acme": {"rate": 0.02}}}, FLOOR),  # never below the floor by default
    ({"gold": {"acme": {"rate": 0.4}}, "double": {"acme": {"share": 0.3}}}, 0.5),  # at most half
    ({"gold": {"acme": {"rate": 0.1}}, "holdback": {"acme": {"share": 0.2}}}, 0.2),  # set, above gold
    ({"holdback": {"acme": {"share": 0}}}, 0.0),  # no gold nor double: may be turned off
])
def test_the_holdback_share_is_at_least_gold_plus_double_with_a_floor_unless_set(projects, tables, share):
    projects(**tables)
    assert holdback_share("acme") == pytest.approx(share)


@pytest.mark.parametrize(("tables", "message"), [
    ({"holdback": {"acme": {"share": 0.9}}}, "holdback share of 'acme' must be a number from 0 to 0.5"),
    ({"holdback": {"acme": {"share": -0.1}}}, "must be a number from 0 to 0.5"),
    ({"holdback": {"acme": {"share": '"often"'}}}, "must be a number"),
    ({"holdback": {"acme": {"rate": 0.1}}}, r"\[holdback.'acme'\] takes share"),
    ({"gold": {"acme": {"rate": 0.1}}, "holdback": {"acme": {"share": 0.05}}},
     "below the project's gold rate plus double share"),
    ({"double": {"acme": {"share": 0.2}}, "holdback": {"acme": {"share": 0}}}, "would stand out"),
])
def test_a_malformed_or_too_small_holdback_share_is_refused_with_the_reason(projects, tables, message):
    projects(**tables)
    with pytest.raises(ValueError, match=message):
        holdback_share("acme")


def test_a_refused_holdback_setting_makes_no_task(wb, wb_people, projects):
    projects(gold={"acme": {"rate": 0.2}}, holdback={"acme": {"share": 0.1}})
    with pytest.raises(ValueError, match="holdback"):
        processed_clip(wb, wb_people.admin)
    assert wb.list_tasks(wb_people.admin) == [] and wb.list_clips(wb_people.admin) == []


def test_the_share_of_held_back_tasks_is_respected_over_many_draws(wb, wb_people, projects, monkeypatch):
    """At share 0.25, from the system's randomness: over 200 ordinary tasks about 50 are held
    back (outside 20..80, five standard deviations, once in millions of runs), the draw is
    kept, and the gaps between them are not all alike."""
    projects(holdback={"acme": {"share": 0.25}})
    monkeypatch.setattr(Holdback, "holdback_random", random.SystemRandom())
    tasks = [processed_clip(wb, wb_people.admin, filename=f"c{n}.wav", spans=[(0.0, 1.0)]) for n in range(200)]
    held = wb.held_back_tasks(wb_people.admin)
    assert 20 <= len(held) <= 80 and set(held) <= set(tasks)
    assert len({b - a for a, b in zip(held, held[1:])}) > 1
    draw(monkeypatch, HELD)  # a later draw changes no task made before
    processed_clip(wb, wb_people.admin, filename="late.wav", spans=[(0.0, 1.0)])
    assert wb.held_back_tasks(wb_people.admin)[:-1] == held


def test_each_ordinary_task_is_drawn_once_when_it_is_made(wb, wb_people, projects, monkeypatch):
    draw(monkeypatch, NOT_HELD, HELD, NOT_HELD)
    _, second, _ = (processed_clip(wb, wb_people.admin, filename=f"{n}.wav") for n in range(3))
    assert wb.held_back_tasks(wb_people.admin) == [second]
    entries = [e for e in wb.audit_log(wb_people.admin) if e.action == "drafts.held_back"]
    assert [(e.entity_id, e.task_id) for e in entries] == [(second, None)]  # not in the task's own log


def test_a_doubled_task_is_not_drawn_and_neither_side_is_drafted(wb, wb_people, projects, monkeypatch):
    from workbench.store.models import Task

    projects(double={"acme": {"share": 0.5}})
    monkeypatch.setattr(Double, "double_random", Drawn(0.0))
    draw(monkeypatch, HELD)
    processed_clip(wb, wb_people.admin, filename="double.wav")
    assert len(wb.list_tasks(wb_people.admin)) == 2 and wb.held_back_tasks(wb_people.admin) == []
    with wb.store.reading() as session:
        assert not any(wb.drafts_allowed(task, None) for task in session.query(Task).all())


# --- no draft through any door ------------------------------------------------------------

@pytest.fixture
def held_back(wb, wb_people, projects, monkeypatch, tmp_path):
    """A ko task of acme held back and a drafted one, both put through the fake engine's
    drafting; tom holds the held-back one. ``held_back.task``/``drafted``: task ids."""
    from types import SimpleNamespace

    fake_engines(wb)
    draw(monkeypatch, HELD, NOT_HELD)
    held = clip_with_audio(wb, wb_people.admin, tmp_path, name="held.wav")
    drafted = clip_with_audio(wb, wb_people.admin, tmp_path, name="drafted.wav")
    views = [draft_now(wb, wb_people.admin, clip.id) for clip in (held, drafted)]
    assert [v.draft_state for v in views] == ["done", "done"]
    # The admin's clip list says why the held-back clip has no drafts; the other has none to say.
    assert views[0].draft_progress.startswith("done 3/3: held back from drafts, the control group")
    assert views[1].draft_progress == "done 3/3"
    assert wb.claim_next(wb_people.tom).id == held.task_id
    return SimpleNamespace(task=held.task_id, drafted=drafted.task_id, clip=held.id)


def test_a_held_back_task_is_never_drafted_nor_shows_a_draft_through_any_door(wb, wb_people, wb_clock, held_back,
                                                                              tmp_path):
    import csv

    from workbench.export.run import run_export

    tom = signed_in(create_app(wb, secret=b"k" * 32), "tom")
    task = tom.get(f"/api/work/tasks/{held_back.task}").json()
    assert [(s["text"], s["version"], s["draft"]) for s in task["segments"]] == [("", 0, None)] * 3
    page = tom.get(f"/work/transcribe/{held_back.task}")
    assert page.status_code == 200 and "draft of" not in page.text
    assert all(h.kind != "draft" for s in task["segments"] for h in wb.segment_history(wb_people.admin, s["id"]))
    hint = tom.post(f"/api/work/segments/{task['segments'][0]['id']}/hint", json={"base_version": 0})
    assert hint.status_code == 409 and "draft of" not in hint.text  # no draft, so no sentence hint
    for segment, text in zip(task["segments"], TEXTS):
        assert tom.put(f"/api/work/segments/{segment['id']}/text",
                       json={"text": text, "base_version": 0}).json()["draft"] is None
    assert tom.post(f"/api/work/tasks/{held_back.task}/submit").status_code == 200
    rita = signed_in(create_app(wb, secret=b"k" * 32), "rita")
    review = rita.post(f"/api/work/review/{held_back.task}").json()
    assert [s["draft"] for s in review["segments"]] == [None] * 3
    assert "draft of" not in json.dumps(review)
    hear(wb, wb_people.rita, wb.start_review(wb_people.rita, held_back.task).segments, wb_clock)
    wb.accept_all_played(wb_people.rita, held_back.task)
    wb.finish_review(wb_people.rita, held_back.task)
    out = tmp_path / "export"
    run_export(wb, wb_people.admin, fmt="csv", out_dir=out)
    rows = list(csv.DictReader((out / "segments.csv").open(encoding="utf-8")))
    assert [(r["draft_text"], r["draft_cer"]) for r in rows] == [("", "")] * 3
    drafted = wb.open_task(wb_people.admin, held_back.drafted)
    assert [s.draft.text for s in drafted.segments] == [f"draft of {s.id}" for s in drafted.segments]  # drafts on


def test_a_held_back_task_has_the_json_of_a_gold_copy_and_of_a_drafted_task_with_its_drafts_empty(
        wb, wb_people, projects, monkeypatch, tmp_path):
    task_json = _three_tasks(wb, wb_people, projects, monkeypatch, tmp_path)
    held, copy, drafted = task_json["held"], task_json["copy"], task_json["drafted"]
    assert shape(held) == shape(copy)
    assert [s["draft"] for s in held["segments"]] == [s["draft"] for s in copy["segments"]] == [None] * 3
    assert all(s["draft"] is not None for s in drafted["segments"])
    # The drafts' fields: each segment's draft, and the task's guideline flags and sentence
    # hints of untouched drafts; a held-back task has them all, empty as a gold copy has them.
    assert drafted["draft_flags"] and held["draft_flags"] == copy["draft_flags"] == {}
    assert held["sentence_hints"] == copy["sentence_hints"] == {}
    # (The guideline problems follow the text in the box, a draft's or nothing: same keys.)
    emptied = {**drafted, "draft_flags": {}, "sentence_hints": {},
               "segments": [{**s, "draft": None, "problems": []} for s in drafted["segments"]]}
    unchecked = {**held, "segments": [{**s, "problems": []} for s in held["segments"]]}
    assert shape(unchecked) == shape(emptied)


def test_a_worker_cannot_tell_a_gold_copy_from_a_held_back_task_through_the_task_json(
        wb, wb_people, projects, monkeypatch, tmp_path):
    """The attack: in a project with drafts on, call every task without drafts gold. Without
    the holdback the ordinary task beside the gold copy was drafted and the rule picked out
    exactly the gold copy; now it cannot tell the copy from the held-back task."""
    task_json = _three_tasks(wb, wb_people, projects, monkeypatch, tmp_path)
    tom_holds = {name: task_json[name] for name in ("held", "copy")}

    def undrafted(task) -> bool:
        return all(s["draft"] is None for s in task["segments"])

    guessed_gold = {name for name, task in tom_holds.items() if undrafted(task)}
    assert guessed_gold != {"copy"}

    def stripped(task):  # what differs between any two tasks: ids, names, times
        different = {"id", "task_id", "clip_id", "clip_name", "created_at", "claimed_at", "start", "end",
                     "duration", "media_version", "position", "segment_id"}

        def strip(value):
            if isinstance(value, dict):
                return {k: strip(v) for k, v in value.items() if k not in different}
            if isinstance(value, list):
                return [strip(v) for v in value]
            return value
        return strip(task)

    assert stripped(tom_holds["held"]) == stripped(tom_holds["copy"])


def _three_tasks(wb, wb_people, projects, monkeypatch, tmp_path) -> dict:
    """In ko project acme with gold (rate 0.5) and drafts on: a held-back ordinary task with a
    gold copy beside it, both claimed by tom, and a drafted task claimed by bo; their task JSON."""
    projects(gold={"acme": {"rate": 0.5}})
    monkeypatch.setattr(Gold, "gold_random", Drawn(0.0))
    fake_engines(wb)
    draw(monkeypatch, NOT_HELD, HELD, NOT_HELD)
    source = processed_clip(wb, wb_people.admin, filename="source.wav", output_dir=audio_dir(tmp_path, "source"))
    take_through_review(wb, wb_people.tina, wb_people.rita, task_id=wb.claim_next(wb_people.tina).id)
    clip_of = {t.id: t.clip_id for t in wb.list_tasks(wb_people.admin)}
    wb.mark_gold(wb_people.admin, clip_id=clip_of[source])
    held = clip_with_audio(wb, wb_people.admin, tmp_path, name="held.wav")  # and a gold copy beside it
    projects()  # no more copies
    drafted = clip_with_audio(wb, wb_people.admin, tmp_path, name="drafted.wav")
    (copy,) = [t.id for t in wb.list_tasks(wb_people.admin) if t.id not in (source, held.task_id, drafted.task_id)]
    for clip_id in {t.clip_id for t in wb.list_tasks(wb_people.admin) if t.id != source}:
        draft_now(wb, wb_people.admin, clip_id)
    assert wb.held_back_tasks(wb_people.admin) == [held.task_id]
    app = create_app(wb, secret=b"k" * 32)
    tom, bo = signed_in(app, "tom"), signed_in(app, "bo")
    claimed = sorted(tom.post("/api/work/tasks/claim").json()["task_id"] for _ in range(2))
    assert claimed == sorted([held.task_id, copy])
    assert bo.post("/api/work/tasks/claim").json()["task_id"] == drafted.task_id
    pages = {name: tom.get(f"/work/transcribe/{task_id}").text.replace(f"Task {task_id}<", "Task N<")
             .replace(f'data-task="{task_id}"', 'data-task="N"') for name, task_id in (("held", held.task_id),
                                                                                     ("copy", copy))}
    assert pages["held"] == pages["copy"]  # the page, but for the task's id
    return {"held": tom.get(f"/api/work/tasks/{held.task_id}").json(),
            "copy": tom.get(f"/api/work/tasks/{copy}").json(),
            "drafted": bo.get(f"/api/work/tasks/{drafted.task_id}").json()}


# --- the effort saved ---------------------------------------------------------------------

def test_effort_saved_compares_drafted_segments_with_the_held_back_control_group():
    outcomes = [
        DraftOutcome("en", "news", "w1", "hello world", "hello word", 2, False, False, 30.0, 10.0),
        DraftOutcome("en", "news", "w1", "good morning", None, 12, False, True, 60.0, 10.0),
        DraftOutcome("en", "news", "w2", "gold text", None, 99, False, False, 500.0, 10.0),  # gold: not control
    ]
    figures = draft_figures(outcomes)["projects"]["news"]
    assert (figures["drafted"], figures["held_back"]) == (1, 1)
    assert figures["effort_held_back"]["typed_per_final"] == pytest.approx(1.0)
    assert figures["effort_saved"]["typing"] == pytest.approx(1 - (2 / 11) / 1.0, abs=1e-6)
    assert figures["time_drafted"]["minutes_per_audio_minute"] == pytest.approx(3.0)
    assert figures["time_held_back"]["minutes_per_audio_minute"] == pytest.approx(6.0)
    assert figures["effort_saved"]["time"] == pytest.approx(0.5)
    alone = draft_figures(outcomes[:1])["all"]
    assert alone["effort_saved"] == {"typing": None, "time": None}  # no control group, no claim


def _work(wb, people, clock, task_id, texts, typed, seconds):
    """ed types ``texts`` (``typed`` characters each, None: leave the segment) over ``seconds``
    of active time; eve hears and accepts everything."""
    task = wb.open_task(people.ed, task_id)
    for segment, text, chars in zip(task.segments, texts, typed):
        if chars is not None:
            wb.save_text(people.ed, segment.id, text, base_version=segment.version, typed_chars=chars)
    clock.advance(seconds=seconds + 1)
    assert wb.record_activity(people.ed, task_id, spans=[[0, seconds * 1000]]) == pytest.approx(seconds)
    wb.submit_task(people.ed, task_id)
    view = wb.start_review(people.eve, task_id)
    hear(wb, people.eve, view.segments, clock)
    wb.accept_all_played(people.eve, task_id)
    wb.finish_review(people.eve, task_id)


FINAL = ["hello their world", "the cat sat on the mat", "good morning everyone"]


def test_the_admin_and_the_quality_report_show_the_effort_saved_against_held_back_tasks(
        wb, wb_people, wb_clock, projects, monkeypatch, tmp_path):
    from workbench.export.run import run_export
    from workbench.ui.admin.drafts import drafts_html

    fake_engines(wb, texts={"1": "hello there world", "2": "the cat sat on the mat", "3": "good morning everyone"})
    draw(monkeypatch, NOT_HELD, HELD)
    drafted = clip_with_audio(wb, wb_people.admin, tmp_path, language="en", project="news", name="drafted.wav")
    held = clip_with_audio(wb, wb_people.admin, tmp_path, language="en", project="news", name="held.wav")
    for clip in (drafted, held):
        draft_now(wb, wb_people.admin, clip.id)
    assert wb.claim_next(wb_people.ed).id == drafted.task_id
    _work(wb, wb_people, wb_clock, drafted.task_id, FINAL, [3, None, None], seconds=30)  # 7.5 s of audio
    assert wb.claim_next(wb_people.ed).id == held.task_id
    _work(wb, wb_people, wb_clock, held.task_id, FINAL, [len(t) for t in FINAL], seconds=60)

    figures = wb.draft_evidence(wb_people.admin).figures["projects"]["news"]
    assert (figures["drafted"], figures["held_back"]) == (3, 3)
    assert figures["effort_drafted"]["typed_per_final"] == pytest.approx(3 / 60, abs=1e-6)
    assert figures["effort_held_back"]["typed_per_final"] == pytest.approx(1.0)
    assert figures["effort_saved"]["typing"] == pytest.approx(0.95, abs=1e-6)
    assert figures["time_drafted"]["minutes_per_audio_minute"] == pytest.approx(30 / 7.5, abs=1e-4)
    assert figures["time_held_back"]["minutes_per_audio_minute"] == pytest.approx(60 / 7.5, abs=1e-4)
    assert figures["effort_saved"]["time"] == pytest.approx(0.5, abs=1e-4)
    page = drafts_html(wb.draft_evidence(wb_people.admin))
    assert "Effort saved, typing" in page and "<td>95.0%</td>" in page and "<td>50.0%</td>" in page

    out = tmp_path / "export"
    run_export(wb, wb_people.admin, fmt="csv", out_dir=out)
    report = json.loads(next(out.rglob("quality.json")).read_text())
    assert report["drafts"]["languages"]["en"]["effort_saved"] == pytest.approx({"typing": 0.95, "time": 0.5},
                                                                              abs=1e-4)
    assert "effort_saved typing" in next(out.rglob("quality.html")).read_text()


# --- what the admin is shown ----------------------------------------------------------------

def test_the_admin_sees_each_projects_effective_share_and_a_refused_table_with_its_reason(wb, wb_people, projects):
    projects(gold={"acme": {"rate": 0.1}}, double={"acme": {"share": 0.05}}, holdback={"calls": {"share": 0.2}})
    for project in ("news", "acme", "calls"):
        processed_clip(wb, wb_people.admin, filename=f"{project}.wav", project=project)
    shown = [(h.project, h.share, h.gold_rate, h.double_share, h.configured, h.refusal)
             for h in wb.holdback_shares(wb_people.admin)]
    assert shown == [("acme", pytest.approx(0.15), 0.1, 0.05, False, None), ("calls", 0.2, 0.0, 0.0, True, None),
                     ("news", FLOOR, 0.0, 0.0, False, None)]
    projects(gold={"acme": {"rate": 0.2}}, holdback={"acme": {"share": 0.1}})
    acme, calls, _ = wb.holdback_shares(wb_people.admin)
    assert acme.share is None and "below the project's gold rate plus double share" in acme.refusal
    assert (calls.share, calls.configured) == (FLOOR, False)
    with pytest.raises(PermissionDenied):
        wb.holdback_shares(wb_people.tina)


def test_drafts_show_prints_each_projects_holdback_share_once_there_is_an_admin(cli, projects):  # noqa: F811
    from workbench.cli.common import open_workbench

    projects(gold={"acme": {"rate": 0.1}}, double={"acme": {"share": 0.05}})
    alone = cli("drafts", "show")
    assert alone.exit_code == 0 and "holdback" not in alone.output  # no admin, so no clip and no project
    add_admin(cli)
    wb = open_workbench()
    try:
        processed_clip(wb, wb.first_admin(), project="acme")
    finally:
        wb.close()
    shown = cli("drafts", "show")
    assert shown.exit_code == 0 and shown.output.endswith(
        "# held back from drafts: the share of each project's ordinary tasks served without them\n"
        "holdback acme              15.0% (default, at least 5%; gold 10.0% + double 5.0%)\n")
