"""A Gradio handler called through the door a browser uses: the page's ``/config`` names the
handlers, ``/gradio_api/queue/join`` starts an event and ``/gradio_api/queue/data`` streams
its outcome."""

from __future__ import annotations

import json
import secrets

from fastapi.testclient import TestClient


def dependencies(http: TestClient) -> dict[str, dict]:
    """The signed-in user's Gradio handlers by api name, from the config their page loads."""
    config = http.get("/config")
    assert config.status_code == 200
    return {dep["api_name"]: dep for dep in config.json()["dependencies"]}


class Event:
    """A handler called the way the page calls it: join the queue, then read the stream."""

    def __init__(self, http: TestClient, fn_index: int, data: list, session_hash: str | None = None):
        self.session_hash = session_hash or secrets.token_hex(8)
        self.joined = http.post("/gradio_api/queue/join", json={
            "data": data, "fn_index": fn_index, "session_hash": self.session_hash,
            "event_data": None, "trigger_id": None,
        })
        self.stream = ""
        if self.joined.status_code == 200:
            self.stream = http.get("/gradio_api/queue/data", params={"session_hash": self.session_hash}).text

    @property
    def messages(self) -> list[dict]:
        return [json.loads(line[6:]) for line in self.stream.splitlines() if line.startswith("data: ")]

    @property
    def succeeded(self) -> bool:
        return any(m.get("msg") == "process_completed" and m.get("success") for m in self.messages)

    @property
    def text(self) -> str:
        return self.joined.text + self.stream


def run(http: TestClient, api_name: str, data: list) -> Event:
    return Event(http, dependencies(http)[api_name]["id"], data)


def outputs(event: Event) -> list:
    """The values a completed event sent to its outputs (``{"__type__": "update"}`` alone: left as they were)."""
    [done] = [m for m in event.messages if m.get("msg") == "process_completed"]
    assert done["success"], done
    return done["output"]["data"]
