"""The worker's light earnings page (ui/earnings_page.py, static/work/earnings.js) over HTTP,
through the real app, on both backends: it says what is coming (work waiting for review,
each payday ahead as the engine would settle it, and plainly when an amount carries over
below the minimum payout), only ever the signed-in worker's own, and each door an attacker
would try (no session, an unpaid role, another worker's name or id, junk) is shut."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest

from tests.builders import add_admin, add_people, processed_clip, signed_in, take_through_review, transcribe
from tests.listening import hear
from workbench.pay import service as pay
from workbench.pay.calendar import SEOUL
from workbench.ui.server import create_app
from workbench.workflow.errors import PermissionDenied

EARNINGS = "/api/work/earnings"
PAGE = "/work/earnings"
DECEMBER_15 = date(2026, 12, 15)
RATE = 1_000  # won per clip minute: a 9.36 s clip earns 156 won, a 10-minute one 10,000
SHORT, LONG = 9.36, 600.0


@pytest.fixture
def world(wb, wb_clock):
    """Korean transcribers tina and jisoo, reviewer rita, an admin, a base rate and a
    reviewer rate since November; the clock on 2026-12-01 in Seoul."""
    wb_clock.now = datetime(2026, 12, 1, 10, tzinfo=SEOUL).astimezone(timezone.utc)
    admin = add_admin(wb)
    people = add_people(wb, admin, {"tina": ({"transcriber"}, "ko"), "jisoo": ({"transcriber"}, "ko"),
                                    "rita": ({"reviewer"}, "ko")})
    pay.set_rate(wb, admin, "ko", RATE, datetime(2026, 11, 1, tzinfo=SEOUL))
    pay.set_reviewer_rate(wb, admin, "ko", 600, datetime(2026, 11, 1, tzinfo=SEOUL))
    return admin, people


def accepted_clip(wb, admin, people, seconds: float, name: str) -> int:
    processed_clip(wb, admin, filename=name, duration=seconds, priority=10)
    return take_through_review(wb, people["tina"], people["rita"])


def carried_out_of_november(wb, admin, people, wb_clock) -> None:
    """tina's 156 won accepted on 2026-11-20 and carried out of the committed November 30
    payday (below the minimum payout); the clock then on 2026-12-01."""
    wb_clock.now = datetime(2026, 11, 20, 10, tzinfo=SEOUL).astimezone(timezone.utc)
    accepted_clip(wb, admin, people, SHORT, "november.wav")
    wb_clock.now = datetime(2026, 12, 1, 10, tzinfo=SEOUL).astimezone(timezone.utc)
    pay.settle(wb, admin, date(2026, 11, 30), commit=True)


# --- what is coming -----------------------------------------------------------------------

def test_a_156_won_item_says_plainly_it_carries_over_below_the_minimum_payout(wb, world):
    admin, people = world
    accepted_clip(wb, admin, people, SHORT, "short.wav")
    earnings = signed_in(create_app(wb, secret=b"k" * 32), "tina").get(EARNINGS).json()
    [payday] = earnings["paydays"]
    assert (payday["payday"], payday["gross"], payday["net"], payday["carried_out"], payday["paid"]) == (
        "2026-12-15", 156, 0, 156, False)
    assert "below the minimum payout of 5,000 won, so nothing is paid that day" in payday["text"]
    assert "The 156 won carries over" in payday["text"] and "due on" not in payday["text"]
    assert earnings["minimum_payout"] == 5_000 and earnings["next_payday"] == "2026-12-15"


def test_enough_accepted_work_is_paid_on_its_payday_with_the_figures_of_a_settlement(wb, world):
    admin, people = world
    accepted_clip(wb, admin, people, LONG, "long.wav")
    accepted_clip(wb, admin, people, SHORT, "short.wav")
    [payday] = signed_in(create_app(wb, secret=b"k" * 32), "tina").get(EARNINGS).json()["paydays"]
    dry_run = pay.settle(wb, admin, DECEMBER_15).lines.set_index("username").loc["tina"]
    assert (payday["gross"], payday["net"], payday["paid"], payday["tasks"]) == (
        int(dry_run["gross"]), int(dry_run["net"]), True, 2)
    assert payday["gross"] == 10_156 and payday["net"] < payday["gross"]
    assert payday["text"].startswith("2026-12-15: 2 task(s), 10.2 minutes, 10,156 won before tax")
    assert payday["text"].endswith(f"{payday['net']:,} won paid after tax.")


def test_work_waiting_for_review_shows_with_what_it_earns_if_accepted(wb, world):
    admin, people = world
    processed_clip(wb, admin, filename="waiting.wav", duration=LONG, priority=10)
    transcribe(wb, people["tina"], wb.claim_next_id(people["tina"]))
    earnings = signed_in(create_app(wb, secret=b"k" * 32), "tina").get(EARNINGS).json()
    assert earnings["waiting"] == {
        "tasks": 1, "minutes": 10.0, "amount": 10_000,
        "text": "Waiting for review: 1 task(s), 10.0 clip minutes, 10,000 won before tax if accepted at today's rates."}
    assert earnings["paydays"] == [] and "Work accepted from today is due on 2026-12-15" in earnings["nothing_due"]


def test_a_balance_carried_out_of_a_committed_payday_joins_the_next_one(wb, world, wb_clock):
    admin, people = world
    carried_out_of_november(wb, admin, people, wb_clock)
    accepted_clip(wb, admin, people, LONG, "december.wav")
    earnings = signed_in(create_app(wb, secret=b"k" * 32), "tina").get(EARNINGS).json()
    [payday] = earnings["paydays"]
    assert (payday["payday"], payday["carried_in"], payday["gross"], payday["paid"]) == ("2026-12-15", 156, 10_000, True)
    assert "(156 won carried over)" in payday["text"]
    assert earnings["paid"] == [{"payday": "2026-11-30", "net": 0, "gross": 156, "minutes": 0.2,
                                 "status": "carried", "status_text": "carried over"}]


def test_a_reviewer_sees_their_finished_review_rounds_coming(wb, world):
    admin, people = world
    accepted_clip(wb, admin, people, SHORT, "short.wav")
    [payday] = signed_in(create_app(wb, secret=b"k" * 32), "rita").get(EARNINGS).json()["paydays"]
    assert (payday["reviews"], payday["tasks"], payday["paid"]) == (1, 0, False)
    assert payday["text"].startswith("2026-12-15: 1 review round(s)")


def test_the_page_is_linked_from_the_queue_and_every_asset_it_names_exists(wb, world):
    client = signed_in(create_app(wb, secret=b"k" * 32), "tina")
    assert 'href="/work/earnings"' in client.get("/work").text
    page = client.get(PAGE)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    urls = re.findall(r'(?:href|src)="(/ui-static/work/[^"]+)"', page.text)
    assert any("earnings.js" in url for url in urls)
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_a_task_a_reviewer_has_opened_is_still_waiting_for_review(wb, world):
    admin, people = world
    processed_clip(wb, admin, filename="waiting.wav", duration=LONG, priority=10)
    transcribe(wb, people["tina"], wb.claim_next_id(people["tina"]))
    wb.start_review(people["rita"], wb.review_queue(people["rita"])[0].id)
    client = signed_in(create_app(wb, secret=b"k" * 32), "tina")
    assert client.get(EARNINGS).json()["waiting"]["tasks"] == 1


def test_the_answer_follows_every_change_its_figures_come_from(wb, world, wb_clock):
    """The page's answers are reused while nothing they come from changed (ComingCache); each
    change below must show at the next read."""
    admin, people = world
    app = create_app(wb, secret=b"k" * 32)
    client = signed_in(app, "tina")
    read = lambda: client.get(EARNINGS).json()  # noqa: E731
    assert read()["paydays"] == [] and read()["waiting"]["tasks"] == 0
    processed_clip(wb, admin, filename="first.wav", duration=SHORT, priority=10)
    task_id = wb.claim_next_id(people["tina"])
    transcribe(wb, people["tina"], task_id)
    assert read()["waiting"]["tasks"] == 1
    hear(wb, people["rita"], wb.start_review(people["rita"], task_id).segments, wb_clock)
    wb.accept_all_played(people["rita"], task_id)
    wb.finish_review(people["rita"], task_id)
    assert [day["gross"] for day in read()["paydays"]] == [156] and read()["waiting"]["tasks"] == 0
    pay.set_rate(wb, admin, "ko", 2 * RATE, datetime(2026, 11, 2, tzinfo=SEOUL))
    assert [day["gross"] for day in read()["paydays"]] == [312]
    wb_clock.now = datetime(2026, 12, 16, 10, tzinfo=SEOUL).astimezone(timezone.utc)
    client = signed_in(app, "tina")  # the old session has expired meanwhile
    assert read()["today"] == "2026-12-16" and read()["next_payday"] == "2026-12-31"
    pay.settle(wb, admin, DECEMBER_15, commit=True, minimum_payout=0)
    after = read()
    assert after["paydays"] == [] and [row["payday"] for row in after["paid"]] == ["2026-12-15"]


# --- in the reader's language ------------------------------------------------------------

def english_left(texts) -> set[str]:
    return set(re.findall(r"[A-Za-z]{3,}", " ".join(texts)))


def test_a_korean_reader_is_told_what_is_coming_in_korean_with_the_same_figures(wb, world, wb_clock):
    """Every sentence of the answer, the carried-over payday's status too, in the reader's
    language (Accept-Language here; their own choice wins, tests/test_ui_i18n.py): pay that
    carries over or is due is what a worker must not misread."""
    admin, people = world
    carried_out_of_november(wb, admin, people, wb_clock)
    accepted_clip(wb, admin, people, SHORT, "december.wav")
    processed_clip(wb, admin, filename="waiting.wav", duration=LONG, priority=10)
    transcribe(wb, people["tina"], wb.claim_next_id(people["tina"]))
    client = signed_in(create_app(wb, secret=b"k" * 32), "tina")
    english = client.get(EARNINGS).json()
    korean = client.get(EARNINGS, headers={"Accept-Language": "ko-KR,ko;q=0.9"}).json()
    [day] = korean["paydays"]
    assert korean["waiting"]["text"] == "검수 대기 중: 작업 1건, 클립 10.0분, 오늘의 단가로 승인되면 세전 10,000원."
    assert day["text"] == ("2026-12-15: 작업 1건, 0.2분, 세전 156원(이월된 156원): 최소 지급액 5,000원에 못 미쳐 이날은 "
                           "지급되지 않습니다. 312원은 이월되어, 세후 잔액이 5,000원에 이르는 첫 지급일에 지급됩니다.")
    assert [row["status_text"] for row in korean["paid"]] == ["이월"]
    assert english_left([korean["waiting"]["text"], day["text"], *(row["status_text"] for row in korean["paid"])]) == set()
    # The figures are the same whatever the language; only the words differ.
    strip = lambda answer: {**answer, "waiting": {**answer["waiting"], "text": ""},  # noqa: E731
                            "paydays": [{**d, "text": ""} for d in answer["paydays"]],
                            "paid": [{**r, "status_text": ""} for r in answer["paid"]]}
    assert strip(korean) == strip(english) and english["paydays"][0]["text"].startswith("2026-12-15: 1 task(s)")


@pytest.mark.parametrize("language, nothing_due", [
    ("zh", "没有已通过、等待支付的工作。从今天起通过的工作将于 2026-12-15 支付。"),
    ("ja", "支払いを待っている承認済みの作業はありません。今日以降に承認された作業は 2026-12-15 に支払われます。"),
])
def test_a_reused_answer_is_never_given_in_another_readers_language(wb, world, language, nothing_due):
    """The answer is reused while its figures stand (ComingCache): the language is part of
    what it is reused for, so a switch of language shows at the next read."""
    client = signed_in(create_app(wb, secret=b"k" * 32), "tina")
    assert client.get(EARNINGS).json()["waiting"]["text"] == "Nothing of yours is waiting for review."
    answer = client.get(EARNINGS, headers={"Accept-Language": language}).json()
    assert answer["nothing_due"] == nothing_due and english_left([answer["waiting"]["text"]]) == set()
    assert client.get(EARNINGS, headers={"Accept-Language": "en"}).json()["waiting"]["text"].startswith("Nothing of")


# --- attacks ------------------------------------------------------------------------------

def test_without_a_session_the_earnings_answer_401_and_the_page_sends_to_sign_in(wb, world):
    anonymous = signed_in(create_app(wb, secret=b"k" * 32), None)
    assert anonymous.get(EARNINGS).status_code == 401
    page = anonymous.get(PAGE, headers={"Accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login"


def test_an_admin_who_is_not_paid_is_refused(wb, world):
    admin_client = signed_in(create_app(wb, secret=b"k" * 32), "admin")
    for path in (EARNINGS, PAGE):
        answer = admin_client.get(path)
        assert answer.status_code == 403 and "Only transcribers and reviewers are paid" in answer.json()["detail"]


@pytest.mark.parametrize("query", ["?username=tina", "?user_id={tina}", "?worker={tina}&username=tina&as=tina"])
def test_another_workers_earnings_cannot_be_asked_for_by_name_or_id(wb, world, query):
    admin, people = world
    accepted_clip(wb, admin, people, LONG, "long.wav")
    jisoo = signed_in(create_app(wb, secret=b"k" * 32), "jisoo")
    answer = jisoo.get(EARNINGS + query.format(tina=people["tina"].id))
    assert answer.status_code == 200 and answer.json()["paydays"] == [] and answer.json()["waiting"]["tasks"] == 0
    assert jisoo.get(f"{EARNINGS}/{people['tina'].id}").status_code == 404
    assert jisoo.get(f"{EARNINGS}/tina").status_code == 404
    with pytest.raises(PermissionDenied):
        pay.coming(wb, people["jisoo"], "tina")


@pytest.mark.parametrize("junk", ["?username=%00%ff", "?" + "x" * 5000, "?username[]=1&username[]=2"])
def test_junk_in_the_request_changes_nothing_and_is_never_a_500(wb, world, junk):
    admin, people = world
    accepted_clip(wb, admin, people, SHORT, "short.wav")
    client = signed_in(create_app(wb, secret=b"k" * 32), "tina")
    clean = client.get(EARNINGS).json()
    answer = client.get(EARNINGS + junk, headers={"If-None-Match": 'W/"junk", *'})
    assert answer.status_code == 200 and answer.json() == clean
    refused = client.post(EARNINGS, json={"username": "jisoo"}, headers={"Origin": "http://testserver"})
    assert refused.status_code in (404, 405)
    assert client.get(EARNINGS).json() == clean
