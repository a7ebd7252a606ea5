"""A reviewer settling a double transcription's dispute hears it first, through the raw HTTP
doors of the queue page's "Disputes" section (ui/double_api.py): the dispute's own audio
route ``/media/dispute/{id}.wav`` (the original clip over the span), its play reports and the
settlement. Only a user who may settle the dispute hears it, only while it is open; everyone
else (either side's transcriber, a reviewer of a side, another language, signed out, junk
ids, anyone once it is settled) is refused with no audio and no text in the answer; a
settlement before the span is heard is a 409 and writes nothing."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests import listening
from tests.builders import TEXTS, signed_in, take_through_review, transcribe
from tests.listening import JUNK_IDS, JUNK_INTERVALS, OWN_ORIGIN, junk_id_answers, raw_play_report
from tests.test_double import double_rules  # noqa: F401 (fixture)
from tests.test_double_settle import SLIP, doubled  # noqa: F401 (fixture)
from workbench.ui.server import create_app



@pytest.fixture
def world(wb, wb_people, doubled):
    """A doubled ko clip with audio: tina's original reviewed by rita, tom's copy one syllable
    off on the first span: one open dispute, which bo (a ko reviewer on neither side) may settle."""
    take_through_review(wb, wb_people.tina, wb_people.rita, task_id=doubled.original)
    transcribe(wb, wb_people.tom, wb.claim_next(wb_people.tom).id, SLIP)
    (dispute,) = wb.double_disputes(wb_people.bo)
    return SimpleNamespace(people=wb_people, dispute=dispute, audio=f"/media/dispute/{dispute.id}.wav",
                           play=f"/api/work/double/disputes/{dispute.id}/play",
                           settle=f"/api/work/double/disputes/{dispute.id}", original=doubled.original)


@pytest.fixture
def app(wb):
    return create_app(wb, secret=b"d" * 32)


def refused_without_leak(response, *statuses: int) -> None:
    listening.refused_without_leak(response, statuses, hidden=(*TEXTS, *SLIP))


def still_open(wb, world) -> None:
    (dispute,) = wb.double_disputes(world.people.admin)
    assert (dispute.id, dispute.resolution) == (world.dispute.id, None)
    assert not [e for e in wb.audit_log(world.people.admin) if e.action in ("double.resolved", "segment.dispute")]


def test_the_settler_hears_the_span_then_settles_and_the_audio_stops_there(app, wb, world):
    bo = signed_in(app, "bo")
    (listed,) = bo.get("/api/work/double/disputes").json()["disputes"]
    assert (listed["audio"], listed["heard"], listed["duration"]) == (world.audio, False, pytest.approx(2.0))
    unheard = bo.post(world.settle, headers=OWN_ORIGIN, json={"choice": "second"})
    assert unheard.status_code == 409 and "Play the span" in unheard.json()["detail"]
    still_open(wb, world)
    sound = bo.get(world.audio)
    assert sound.status_code == 200 and sound.content.startswith(b"fLaC")
    played = bo.post(world.play, headers=OWN_ORIGIN, json={"intervals": [[0.0, 2.0]]})
    assert played.status_code == 200 and played.json()["heard"] is True
    settled = bo.post(world.settle, headers=OWN_ORIGIN, json={"choice": "second"})
    assert settled.status_code == 200 and settled.json()["written"] is True
    refused_without_leak(bo.get(world.audio), 409)  # settled: no more audio
    refused_without_leak(bo.post(world.play, headers=OWN_ORIGIN, json={"intervals": [[0.0, 2.0]]}), 409)


def test_half_the_span_or_a_play_never_sent_does_not_unlock_settling(app, wb, world):
    bo = signed_in(app, "bo")
    never_sent = bo.post(world.play, headers=OWN_ORIGIN, json={"intervals": [[0.0, 2.0]]})
    assert never_sent.status_code == 409
    assert bo.get(world.audio).status_code == 200
    half = bo.post(world.play, headers=OWN_ORIGIN, json={"intervals": [[0.0, 1.0]]})
    assert half.json()["heard"] is False and half.json()["heard_share"] == pytest.approx(0.5)
    assert bo.post(world.settle, headers=OWN_ORIGIN, json={"choice": "first"}).status_code == 409
    still_open(wb, world)


@pytest.mark.parametrize("who", ["tina", "tom", "rita", "eve", "ed", None])
def test_nobody_who_may_not_settle_hears_the_dispute_or_reports_playing_it(app, wb, world, who):
    """tina and tom: the two sides' transcribers; rita: she reviewed the original; eve: a
    reviewer of another language; ed: a transcriber of another; None: signed out."""
    http = signed_in(app, who)
    refused_without_leak(http.get(world.audio), 401, 403, 404)
    refused_without_leak(http.post(world.play, headers=OWN_ORIGIN, json={"intervals": [[0.0, 2.0]]}), 401, 403, 404)
    refused_without_leak(http.post(world.settle, headers=OWN_ORIGIN, json={"choice": "first"}), 401, 403, 404)
    still_open(wb, world)
    assert wb.double_disputes(world.people.bo)[0].heard_share == 0.0


def test_the_span_is_not_heard_through_the_segment_route_by_the_settler(app, wb, world):
    """bo may settle, not review: the original's own segment audio stays refused to him."""
    segment = wb.open_task(world.people.admin, world.original).segments[0]
    refused_without_leak(signed_in(app, "bo").get(f"/media/segment/{segment.id}.wav"), 403)


@pytest.mark.parametrize("junk", JUNK_IDS)
def test_junk_dispute_ids_are_refused_cleanly(app, wb, world, junk):
    for answer in junk_id_answers(signed_in(app, "bo"), f"/media/dispute/{junk}.wav", f"/api/work/double/disputes/{junk}/play"):
        refused_without_leak(answer, 404, 422)


@pytest.mark.parametrize("intervals", JUNK_INTERVALS)
def test_junk_play_reports_are_refused_and_credit_nothing(app, wb, world, intervals):
    bo = signed_in(app, "bo")
    assert bo.get(world.audio).status_code == 200
    answer = raw_play_report(bo, world.play, intervals)
    assert answer.status_code == 422
    assert wb.double_disputes(world.people.bo)[0].heard_share == 0.0


def test_a_span_the_transcriber_split_has_no_audio_to_hear_and_says_why_in_the_readers_language(
        app, wb, wb_people, double_rules, tmp_path):
    from tests.builders import processed_clip
    from tests.test_gold import audio_dir

    original = processed_clip(wb, wb_people.admin, filename="split.wav", output_dir=audio_dir(tmp_path, "split"))
    assert wb.claim_next(wb_people.tina).id == original
    segment = wb.open_task(wb_people.tina, original).segments[0]
    wb.split_segment(wb_people.tina, segment.id, (segment.start + segment.end) / 2)
    transcribe(wb, wb_people.tina, original)
    transcribe(wb, wb_people.tom, wb.claim_next(wb_people.tom).id, SLIP)
    bo = signed_in(app, "bo", headers={"Accept-Language": "ko"})
    (split,) = [d for d in bo.get("/api/work/double/disputes").json()["disputes"] if d["start"] == segment.start]
    assert split["audio"] is None and split["note"] == "전사자가 이 범위를 1, 2번 구간으로 나눴습니다"
    refused_without_leak(bo.get(f"/media/dispute/{split['id']}.wav"), 409)
    refused = bo.post(f"/api/work/double/disputes/{split['id']}", headers=OWN_ORIGIN, json={"choice": "first"})
    assert refused.status_code == 409 and refused.json()["detail"] == (
        f"불일치 {split['id']}번은 하나의 텍스트로 해결할 수 없습니다: 전사자가 이 범위를 1, 2번 구간으로 나눴습니다. "
        "텍스트는 그 작업의 검수에서 정해집니다.")


def test_every_refusal_of_the_dispute_doors_reaches_a_korean_reviewer_in_korean(app, wb, world):
    """The settle, audio and play doors refuse in the reader's language (ui/errors.refusal
    words the workflow's worded refusals), whatever the refusal: unheard, never sent, junk
    play, a third text missing, too long, unstorable or against the guidelines, a text with
    another choice, settled already, not a reviewer, not theirs to settle, signed out."""
    bo = signed_in(app, "bo", headers={"Accept-Language": "ko"})
    def say(response) -> tuple[int, str | None]:
        return response.status_code, response.json().get("detail")

    def settle(http, body) -> tuple[int, str | None]:
        return say(http.post(world.settle, headers=OWN_ORIGIN, json=body))

    def play(intervals) -> tuple[int, str | None]:
        return say(bo.post(world.play, headers=OWN_ORIGIN, json={"intervals": intervals}))

    needed = f"{wb.policy.heard_share:.0%}"
    assert settle(bo, {"choice": "second"}) == (
        409, f"해결하기 전에 이 범위를 끝까지 재생하세요. 들은 비율: 0%, 필요한 비율: {needed}.")
    assert play([[0.0, 2.0]]) == (409, "1번 구간의 오디오를 아직 받지 않았습니다. 먼저 여기에서 재생하세요.")
    assert play([[0.0, 99.0]]) == (422, "범위 [0.0, 99.0]가 구간의 길이 2.00초를 벗어납니다.")
    assert play([]) == (422, "재생한 범위 [start, end]를 하나 이상 보내세요.")
    assert bo.get(world.audio).status_code == 200 and play([[0.0, 2.0]])[0] == 200
    assert settle(bo, {"choice": "third", "text": "   "}) == (422, "세 번째 텍스트를 쓰세요.")
    assert settle(bo, {"choice": "first", "text": "제 글"}) == (422, "텍스트는 세 번째(third)를 선택할 때만 쓸 수 있습니다.")
    assert settle(bo, {"choice": "third", "text": "가" * 2001}) == (
        422, "세 번째 텍스트: 2,001자입니다. 최대 2,000자까지 쓸 수 있습니다.")
    assert settle(bo, {"choice": "third", "text": "안녕\x07"}) == (
        422, "세 번째 텍스트에 저장할 수 없는 제어 문자(U+0007)가 있습니다.")
    status, detail = settle(bo, {"choice": "third", "text": "3시에 만나요."})  # a digit: refused
    assert status == 422 and detail.startswith("세 번째 텍스트가 가이드라인에 맞지 않습니다: ")
    assert "block the submit" not in detail and "numbers/foreign words" not in detail
    still_open(wb, world)
    assert settle(bo, {"choice": "second"})[0] == 200
    settled = f"불일치 {world.dispute.id}번은 이미 해결되었습니다."
    assert settle(bo, {"choice": "first"}) == (409, settled)
    assert say(bo.get(world.audio)) == (409, settled)
    tina = signed_in(app, "tina", headers={"Accept-Language": "ko"})
    assert settle(tina, {"choice": "first"}) == (403, "검수자만 할 수 있습니다.")
    rita = signed_in(app, "rita", headers={"Accept-Language": "ko"})
    assert settle(rita, {"choice": "first"}) == (404, f"해결할 수 있는 불일치 {world.dispute.id}번이 없습니다.")
    signed_out = signed_in(app, None, headers={"Accept-Language": "ko"})
    assert settle(signed_out, {"choice": "first"}) == (401, "로그인되어 있지 않습니다")


def test_a_dispute_whose_audio_is_gone_says_so_in_the_readers_language(app, world, tmp_path):
    (tmp_path / "processed" / "talk" / "clean.flac").unlink()
    bo = signed_in(app, "bo", headers={"Accept-Language": "ja"})
    missing = bo.get(world.audio)
    assert missing.status_code == 404 and missing.json()["detail"].endswith("のクリーン音声がありません。")


@pytest.mark.parametrize(("language", "refusal"), [
    ("zh", "请先把这一段播放完再解决分歧"), ("ja", "解決する前にこの範囲を最後まで再生してください"),
    ("en", "Play the span to the end before settling: you have heard 0% of it"),
])
def test_the_unheard_refusal_follows_the_readers_language(app, world, language, refusal):
    answer = signed_in(app, "bo", headers={"Accept-Language": language}).post(
        world.settle, headers=OWN_ORIGIN, json={"choice": "first"})
    assert answer.status_code == 409 and answer.json()["detail"].startswith(refusal)
