"""Signing in checks an argon2 hash (about 150 ms of CPU at the recommended cost). It runs in
a small pool of its own (``ui/login.PASSWORD_THREADS``, one thread per core), not in the
threads every other route shares: a burst of sign-ins waits its turn there, and a signed-in
transcriber's save goes through meanwhile."""

from __future__ import annotations

import asyncio
import threading

import httpx

from tests.event_loop import run_in_fresh_loop
from workbench.ui import login
from workbench.ui.server import create_app
from workbench.workflow.policy import Policy

PASSWORD = "quiet-lantern-57"
OWN_ORIGIN = "http://testserver"
# More sign-ins than the threads the other routes share (anyio's 40), so that they would
# hold every one of them if they ran there.
BURST = 60


async def until(condition, what: str) -> None:
    for _ in range(6000):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{what} never happened")


class HeldSignIns:
    """``wb.authenticate`` that waits for ``release`` before checking the password, noting
    the thread each check ran in and how many ran at once."""

    def __init__(self, wb):
        self.check = wb.authenticate
        self.release = threading.Event()
        self.threads: list[str] = []
        self.running = self.most = 0
        self.lock = threading.Lock()
        wb.authenticate = self

    def __call__(self, username, password, *, client="unknown"):
        with self.lock:
            self.threads.append(threading.current_thread().name)
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            if not self.release.wait(timeout=60):
                raise RuntimeError("the sign-ins were never released")
            return self.check(username, password, client=client)
        finally:
            with self.lock:
                self.running -= 1


def test_the_recommended_argon2_cost_is_kept():
    policy = Policy()
    assert (policy.password_time_cost, policy.password_memory_kib) == (3, 65536)


def test_a_burst_of_sign_ins_waits_in_its_own_pool_while_a_save_goes_through(wb, wb_people, wb_clip):
    wb_clip()
    task_id = wb.claim_next(wb_people.tina).id
    segment = wb.open_task(wb_people.tina, task_id).segments[0]
    app = create_app(wb, secret=b"s" * 32)

    async def scenario():
        transport = httpx.ASGITransport(app=app, client=("10.0.0.1", 5000))
        async with httpx.AsyncClient(transport=transport, base_url=OWN_ORIGIN) as tina:
            assert (await tina.post("/login", data={"username": "tina", "password": PASSWORD})).status_code == 303
            held = HeldSignIns(wb)
            strangers = [httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(f"10.1.0.{n}", 5000)),
                                           base_url=OWN_ORIGIN) for n in range(BURST)]
            burst = [asyncio.create_task(client.post("/login", data={"username": "tom", "password": PASSWORD}))
                     for client in strangers]
            await until(lambda: len(held.threads) >= login.PASSWORD_THREADS, "the first sign-ins checking passwords")
            await asyncio.sleep(0.2)  # every sign-in of the burst has reached the app by now
            save = tina.put(f"/api/work/segments/{segment.id}/text", headers={"Origin": OWN_ORIGIN},
                            json={"text": "안녕하세요.", "base_version": segment.version})
            try:
                saved = await asyncio.wait_for(save, timeout=60)
                finished_first = sum(task.done() for task in burst)
            finally:
                held.release.set()
            answers = await asyncio.gather(*burst)
            for client in strangers:
                await client.aclose()
            return held, saved, finished_first, answers

    held, saved, finished_first, answers = run_in_fresh_loop(scenario)
    assert saved.status_code == 200 and saved.json()["text"] == "안녕하세요."
    assert finished_first == 0, "the save was answered only after sign-ins finished"
    assert {answer.status_code for answer in answers} <= {303, 429}
    assert len(held.threads) == BURST


def test_password_checks_run_only_in_the_sign_in_pool_a_few_at_a_time(wb, wb_people):
    app = create_app(wb, secret=b"s" * 32)
    sign_ins = login.PASSWORD_THREADS + 6

    async def scenario():
        held = HeldSignIns(wb)
        clients = [httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(f"10.2.0.{n}", 5000)),
                                     base_url=OWN_ORIGIN) for n in range(sign_ins)]
        burst = [asyncio.create_task(client.post("/login", data={"username": "tina", "password": PASSWORD}))
                 for client in clients]
        await until(lambda: len(held.threads) >= login.PASSWORD_THREADS, "the first sign-ins checking passwords")
        await asyncio.sleep(0.3)  # a bypassed pool would let the others in by now
        waiting_their_turn = len(burst) - len(held.threads)
        held.release.set()
        await asyncio.gather(*burst)
        for client in clients:
            await client.aclose()
        return held, waiting_their_turn

    held, waiting_their_turn = run_in_fresh_loop(scenario)
    assert waiting_their_turn == sign_ins - login.PASSWORD_THREADS
    assert held.most == login.PASSWORD_THREADS
    assert all(name.startswith(login.PASSWORD_THREAD_NAME) for name in held.threads), held.threads
