"""The admin forms through the door the page uses (Gradio's queue, on the real app): a refusal
is said beside the form and leaves every other output as it was; dates are picked, read and
shown as Seoul time; the export form offers the CLI's options; a payday that paid nobody is
still a committed payday."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.builders import PASSWORD, SettableClock, add_admin, add_people, open_workbench, sign_in, take_through_review
from tests.gradio_calls import Event, dependencies, outputs, run
from workbench.pay.service import rate_history
from workbench.queue import RecordingQueue
from workbench.ui.server import create_app
from workbench.workflow.errors import WorkbenchError

SAMPLE_CLIP = Path(__file__).resolve().parent.parent / "sample_data" / "ko_call.mp3"
# After the cut-off of payday 2026-11-30 (00:00 Seoul time that day), before the next one.
NOW = datetime(2026, 12, 2, 3, 0, tzinfo=timezone.utc)


@pytest.fixture
def wb(tmp_path, gradio_cache):
    workbench = open_workbench(tmp_path / "data", queue=RecordingQueue(), clock=SettableClock(NOW))
    admin = add_admin(workbench)
    add_people(workbench, admin, {"tina": ({"transcriber"}, "ko"), "rita": ({"reviewer"}, "ko")})
    yield workbench
    workbench.close()


@pytest.fixture
def gradio_cache(tmp_path, monkeypatch):
    folder = tmp_path / "gradio-cache"
    folder.mkdir()
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(folder))
    return folder


@pytest.fixture
def http(wb):
    with TestClient(create_app(wb, secret=b"admin-forms-test-secret")) as client:
        yield sign_in(client, "admin")


def changes(wb) -> list[str]:
    """Rates set, settlements committed and exports written, from the audit log."""
    return [e.action for e in wb.audit_log(wb.actor("admin"), limit=1000)
            if e.action in ("rate.set", "settlement.commit", "export.written")]


def refused(values: list, message: str) -> None:
    """The form's message area says ``message`` as a refusal; every other output is untouched."""
    first, *rest = values
    assert "wb-form-error" in first["elem_classes"] and message in first["value"], first
    assert all(untouched(value) for value in rest), rest


def untouched(value) -> bool:
    """An output the handler left as it was: an update without a value (gr.HTML nests it in
    props), or a state, which never leaves the server."""
    return value is None or value["__type__"] == "update" and set(value) <= {"__type__", "props"} and set(value.get("props", {})) <= {
        "__type__"}


def inputs_of(http: TestClient, api_name: str) -> list[dict]:
    config = http.get("/config").json()
    components = {c["id"]: c for c in config["components"]}
    return [components[i] for i in dependencies(http)[api_name]["inputs"]]


def label_of(component: dict) -> str:
    """A component's label as written in the code: the message id of a translated one."""
    label = component["props"]["label"]
    if isinstance(label, str) and label.startswith("__i18n__"):  # how gr.I18nData travels
        return json.loads(label.removeprefix("__i18n__"))["key"]
    return label


# --- errors stay beside the form -----------------------------------------------------------------


def test_committing_without_ticking_the_box_is_said_beside_the_form_and_leaves_the_page_as_it_was(http, wb):
    refused(outputs(run(http, "settle_1", ["2026-11-30", False])), "Tick the box")
    assert changes(wb) == []


def test_a_bad_rate_date_clears_the_earlier_success_and_keeps_the_rate_history(http, wb):
    done = outputs(run(http, "set_rate", ["ko", 900, "2030-01-01 09:30:00"]))
    assert "wb-form-done" in done[0]["elem_classes"]
    assert done[0]["value"] == "New Korean rate of 900 won per minute from 2030-01-01 09:30 (Seoul time)."
    before = rate_history(wb, wb.actor("admin"))
    refused(outputs(run(http, "set_rate", ["ko", 950, "2030-02-30 09:00:00"])), "is not a date-time")
    assert rate_history(wb, wb.actor("admin")).equals(before)


def test_a_dry_run_then_a_bad_payday_keeps_the_dry_run_on_the_page(http):
    dry = outputs(run(http, "settle", ["2026-11-30", False]))
    assert dry[0]["value"] == "" and "Dry run for payday 2026-11-30" in dry[1]
    refused(outputs(run(http, "settle", ["2026-11-17", False])), "not a payday")


@pytest.mark.parametrize("api_name, data, message", [
    ("decide", [None, "no reason"], "Choose an application"),
    ("change_account", [None, "left"], "Choose the account"),
    ("retry", [None, []], "Choose a failed clip"),
    ("mark", [None, "twelve"], "whole numbers"),
    ("restart_drafts", [None, "why"], ""),
    ("show_task", [-3], "task"),
    ("export", ["csv", "ko", "", "", "spelling", "clean", "16000", "0.8,0.1,0.1", 0], "nothing to export"),
])
def test_every_admin_form_says_a_refusal_beside_itself(http, api_name, data, message):
    refused(outputs(run(http, api_name, data)), message)


# --- dates and times: pickers, Seoul time ----------------------------------------------------------


def test_rate_dates_and_the_payday_are_date_pickers_not_free_text(http):
    pickers = {api: [c for c in inputs_of(http, api) if c["type"] == "datetime"]
               for api in ("set_rate", "set_reviewer_rate", "set_bonus", "settle")}
    assert {api: len(found) for api, found in pickers.items()} == dict.fromkeys(pickers, 1)
    assert [p["props"]["include_time"] for p in pickers["set_rate"] + pickers["settle"]] == [True, False]
    assert pickers["settle"][0]["props"]["value"] == "2026-12-15"  # the next payday on the Workbench's clock


def test_a_picked_rate_time_is_seoul_time_and_stored_in_utc(http, wb):
    outputs(run(http, "set_rate", ["ko", 900, "2030-01-01 09:30:00"]))
    rates = rate_history(wb, wb.actor("admin"))
    assert rates.loc[rates["won_per_minute"] == 900, "effective_at"].item() == datetime(2030, 1, 1, 0, 30, tzinfo=timezone.utc)


def test_the_audit_log_view_shows_every_time_in_seoul_time(http):
    outputs(run(http, "set_rate", ["ko", 900, "2030-01-01 09:30:00"]))
    [rate_set] = [row for row in outputs(run(http, "show_audit", [0]))[0]["data"] if row[2] == "rate.set"]
    assert rate_set[0] == "2026-12-02 12:00"
    assert "effective at: 2030-01-01 09:30 (Seoul time)" in rate_set[4] and "+00:00" not in rate_set[4]


def test_a_rate_inside_a_settled_period_is_refused_in_seoul_time(http, wb):
    outputs(run(http, "settle_1", ["2026-11-30", True]))
    refused(outputs(run(http, "set_rate", ["ko", 900, "2026-11-20 00:00:00"])),
            "Work up to 2026-11-30 00:00 (Seoul time) is already settled")


@pytest.mark.parametrize("junk", ["now", "now-3x", "2026-13-45 99:99:99", "x" * 200_000, 12345, ["2030-01-01"]])
def test_junk_dates_are_refused_beside_the_form_and_change_nothing(http, wb, junk):
    refused(outputs(run(http, "set_rate", ["ko", 900, junk])), "date-time")
    refused(outputs(run(http, "settle_1", [junk, True])), "date")
    assert changes(wb) == []
    assert "x" * 100 not in run(http, "set_rate", ["ko", 900, "x" * 200_000]).stream  # never echoed


# --- committed paydays -----------------------------------------------------------------------------


def test_a_committed_payday_that_paid_nobody_is_listed_among_the_committed_paydays(http):
    committed = outputs(run(http, "settle_1", ["2026-11-30", True]))
    assert "Committed the settlement for payday 2026-11-30" in committed[1]
    totals = outputs(run(http, "refresh_settlements", []))[1]["value"]
    assert totals["data"] == [["2026-11-30", 0, 0, 0, 0, 0, 0, 0, 0, 0]]


# --- export options --------------------------------------------------------------------------------


def test_the_export_form_offers_every_option_of_the_cli(http):
    choices = {label_of(c): [value for _, value in c["props"].get("choices") or []]
               for c in inputs_of(http, "export")}
    assert choices["Text"] == ["spelling", "pronunciation", "both"]
    assert choices["Audio"] == ["clean", "original"]
    assert {"16000", "original"} <= set(choices["Sample rate"])
    assert {"Format", "Language", "Project (empty: all)", "Clip ids (empty: all)", "Split seed"} <= set(choices)
    assert any(label.startswith("Splits") for label in choices)


def test_an_export_with_the_clis_options_warns_of_its_empty_splits(http, wb):
    admin = wb.actor("admin")
    clip = wb.import_clip(admin, filename="call.mp3", source=SAMPLE_CLIP, language="ko", project="acme")
    wb.process_clip(clip.id)
    take_through_review(wb, wb.actor("tina"), wb.actor("rita"))
    event = run(http, "export", ["csv", "ko", "acme", str(clip.id), "both", "original", "original",
                                 "0.8,0.1,0.1", 7])
    message, archive, _ = outputs(event)
    assert message["value"].startswith("Exported ") and "wb-form-done" in message["elem_classes"]
    assert "**Warning:** The dev split is empty" in message["value"]
    assert "**Warning:** The test split is empty" in message["value"]
    with zipfile.ZipFile(io.BytesIO(http.get(archive["url"]).content)) as zipped:
        options = json.loads(zipped.read("export.json"))["options"]
        manifest = next(name for name in zipped.namelist() if name.endswith(".csv") and "report" not in name)
        header = zipped.read(manifest).decode("utf-8").splitlines()[0]
    assert (options["text"], options["audio"], options["sample_rate"], options["seed"]) == ("both", "original",
                                                                                              None, 7)
    assert "text_pronunciation" in header


@pytest.mark.parametrize("field, value, message", [
    (3, "1, two", "Clip ids are whole numbers"), (3, " ".join(["1"] * 1001), "at most 1,000"),
    (3, "99999999999", "clip id is a whole number"), (7, "nan,0.5,0.5", "sum to 1"),
    (7, "0.8;0.1;0.1", "three numbers"), (7, "1" * 100, "Choose the sample rate and the splits"),
])
def test_bad_export_options_typed_into_the_form_are_refused_beside_it(http, gradio_cache, wb, field, value, message):
    data = ["csv", "ko", "", "", "spelling", "clean", "16000", "0.8,0.1,0.1", 0]
    data[field] = value
    refused(outputs(run(http, "export", data)), message)
    assert changes(wb) == [] and list(gradio_cache.rglob("*.zip")) == []


@pytest.mark.parametrize("option, message", [
    (dict(text="shouting"), "unknown text"), (dict(audio="remastered"), "unknown audio"),
    (dict(sample_rate="1"), "sample rate"), (dict(sample_rate="fast"), "sample rate"),
    (dict(seed=-1), "seed"), (dict(seed=float("nan")), "seed"), (dict(fmt="tar"), "format"),
])
def test_export_options_the_form_cannot_send_are_refused_by_the_same_core(wb, option, message):
    from workbench.ui.handlers import export

    with pytest.raises(WorkbenchError, match=message):
        export.export_dataset(wb, wb.actor("admin"), **{"fmt": "csv", **option})


# --- the wrong role ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["tina", None])
@pytest.mark.parametrize("api_name, data", [
    ("set_rate", ["ko", 900, "2030-01-01 00:00:00"]), ("settle_1", ["2026-11-30", True]),
    ("export", ["csv", "", "", "", "both", "original", "original", "1,0,0", 0]),
])
def test_no_other_role_reaches_the_admin_forms(http, wb, who, api_name, data):
    index = dependencies(http)[api_name]["id"]
    sign_in(http, who, password=PASSWORD)
    if who is not None:
        assert api_name not in dependencies(http)  # a transcriber's app has no admin handler at all
    event = Event(http, index, data)  # the admin's handler number, in the caller's app
    assert event.joined.status_code in (200, 401, 403, 404) and not (who is None and event.succeeded)
    assert changes(wb) == []


# --- one way to show a time ----------------------------------------------------------------------


def test_the_applications_table_says_when_each_person_applied_in_seoul_time(wb):
    from workbench.ui.admin.applications import applications_html
    from workbench.ui.handlers.admin import pending_applications

    wb.submit_application(username="applicant", password=PASSWORD, name="Kim Minji", language="ko",
                          document_name="id.pdf", document=b"%PDF-1.4 id", bank_holder="KIM MINJI")
    html = applications_html(pending_applications(wb, wb.actor("admin")))
    assert "<td>2026-12-02 12:00</td>" in html and "UTC" not in html and "Applied (Seoul)" in html


def test_an_instant_without_a_time_zone_is_refused_rather_than_shown_as_seoul_time():
    from workbench.domain.times import seoul_minute

    assert seoul_minute(NOW) == "2026-12-02 12:00"
    with pytest.raises(ValueError, match="no time zone"):
        seoul_minute(NOW.replace(tzinfo=None))
