"""Builders for the worlds tests act in: one place for the cheap password policy, a store
with an admin and the people of a language, a processed clip, "take a task through review",
and a signed-in HTTP client.

>>> wb = open_workbench(tmp_path)                                    # doctest: +SKIP
>>> admin = add_admin(wb)                                            # doctest: +SKIP
>>> people = add_people(wb, admin, {"tina": ({"transcriber"}, "ko"), "rita": ({"reviewer"}, "ko")})  # doctest: +SKIP
>>> processed_clip(wb, admin)                                        # doctest: +SKIP
>>> take_through_review(wb, people["tina"], people["rita"])          # doctest: +SKIP

A builder sets up through the Workbench's public calls only, so a world is always one the
app itself could have reached; it is not a place for assertions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.listening import hear

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from workbench.workflow.domain import Actor
    from workbench.workflow.policy import Policy
    from workbench.workflow.service import Workbench

PASSWORD = "quiet-lantern-57"
# argon2 at its cheapest: a test signs in hundreds of times.
CHEAP_HASHING = {"password_time_cost": 1, "password_memory_kib": 1024}
TEXTS = ("안녕하세요.", "반갑습니다.", "네 좋아요.")  # Korean sentences inside the guidelines
SPANS = ((0.0, 2.0), (2.5, 5.0), (6.0, 9.0))


class SettableClock:
    """The Workbench's injectable clock: returns ``now`` (aware UTC) until moved."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta)


def cheap_policy(**rules: Any) -> "Policy":
    """The default policy with cheap password hashing; ``rules`` override either."""
    from workbench.workflow.policy import Policy

    return Policy(**(CHEAP_HASHING | rules))


def open_workbench(data_dir: Path, *, database_url: str | None = None, policy: "Policy | None" = None,
                   **options: Any) -> "Workbench":
    """A Workbench over ``database_url`` (a SQLite file in ``data_dir`` by default) with cheap
    hashing; ``options`` (``queue``, ``clock``) go to ``Workbench.open``. Without a ``queue``
    it produces jobs on the huey queue of its settings, as the web app does."""
    from workbench.worker import open_queued
    from workbench.workflow.service import Workbench

    data_dir = Path(data_dir)
    database_url = database_url or f"sqlite:///{data_dir / 'workbench.db'}"
    common = dict(database_url=database_url, data_dir=data_dir, policy=policy or cheap_policy())
    queue = options.pop("queue", None)
    if queue is None:
        return open_queued(**common, **options)
    return Workbench.open(queue=queue, **common, **options)


def seed_transcribers_with_tasks(data_dir: Path, count: int) -> None:
    """A SQLite store in ``data_dir``: an admin, ``count`` Korean transcribers
    (``scribe0``…) and as many open two-segment tasks, for tests that serve it from other
    processes (the Workbench is closed again)."""
    from workbench.queue import RecordingQueue

    wb = open_workbench(data_dir, queue=RecordingQueue())
    admin = add_admin(wb)
    for n in range(count):
        wb.create_user(admin, username=f"scribe{n}", password=PASSWORD, name=f"Scribe {n}",
                       roles={"transcriber"}, language="ko")
        wb.register_processed_clip(admin, filename=f"clip{n}.wav", language="ko", project="p", duration=4.0,
                                   segments=[(0.0, 1.5), (2.0, 3.5)])
    wb.close()


def open_processing_workbench(data_dir: Path, *, database_url: str | None = None,
                              policy: "Policy | None" = None, **options: Any) -> "Workbench":
    """``open_workbench``, but an import is processed (and drafted) before it returns
    (``workbench.worker.open_immediate``)."""
    from workbench.worker import open_immediate

    data_dir = Path(data_dir)
    database_url = database_url or f"sqlite:///{data_dir / 'workbench.db'}"
    return open_immediate(database_url=database_url, data_dir=data_dir, policy=policy or cheap_policy(), **options)


def add_admin(wb: "Workbench", username: str = "admin", *, password: str = PASSWORD) -> "Actor":
    """The first account, an admin (no one needs to create it)."""
    return wb.create_user(None, username=username, password=password, name=username.title(), roles={"admin"})


def add_people(wb: "Workbench", admin: "Actor", people: Mapping[str, tuple[Iterable[str], str | None]], *,
               password: str = PASSWORD) -> dict[str, "Actor"]:
    """``people`` maps a username to (roles, language); each is created by ``admin``."""
    return {username: wb.create_user(admin, username=username, password=password, name=username.title(),
                                     roles=set(roles), language=language)
            for username, (roles, language) in people.items()}


def processed_clip(wb: "Workbench", admin: "Actor", *, filename: str = "clip.wav", language: str = "ko",
                   project: str = "acme", spans: Iterable[tuple[float, float]] = SPANS, **options: Any) -> int:
    """A clip registered as processed (no audio unless ``output_dir`` is given); its task id."""
    spans = list(spans)
    options.setdefault("duration", max(end for _, end in spans) + 1)
    clip = wb.register_processed_clip(admin, filename=filename, language=language, project=project,
                                      segments=spans, **options)
    return clip.task_id


def tone_clip(folder: Path, *, seconds: float = 9.0, levels: Iterable[float] = (0.3,), hz: float = 330.0,
              rate: int = 16000) -> Path:
    """``folder`` made a processed clip's audio (``clean.flac`` and ``original.flac``): a tone
    whose level steps through ``levels`` in equal spans, so each span sounds (and draws)
    differently and the player really plays."""
    import numpy as np
    import soundfile as sf

    folder = Path(folder)
    folder.mkdir(parents=True)
    levels = np.asarray(list(levels), dtype=np.float64)
    t = np.arange(int(rate * seconds)) / rate
    level = levels[np.minimum((t / (seconds / levels.size)).astype(int), levels.size - 1)]
    audio = (level * np.sin(2 * np.pi * hz * t)).astype(np.float32)
    for name in ("clean.flac", "original.flac"):
        sf.write(folder / name, audio, rate)
    return folder


def fake_drafted_task(wb: "Workbench", admin: "Actor", transcriber: "Actor", folder: Path, *, project: str,
                      spans: list[tuple[float, float]], drafts: Mapping[int, str], priority: int = 0,
                      probabilities: Mapping[str, float] | None = None,
                      duration: float | None = None) -> tuple[int, list[int]]:
    """A tone clip of ``spans`` in ``transcriber``'s language, claimed by ``transcriber`` and
    then drafted by the fake engine (``drafts`` maps a segment's index to its draft;
    ``probabilities`` marks words uncertain): (task id, segment ids). Claimed first, it keeps
    its spans (the drafting job re-cuts only a task nobody has claimed), so its sentence
    hints stay suggestions. ``wb`` must draft at once (``open_immediate``)."""
    from workbench.drafts.registry import BackendChoice, DraftConfig
    from workbench.workflow.drafting import DraftEngines

    duration = duration or spans[-1][1]
    clip = wb.register_processed_clip(admin, filename=f"{project}.wav", language=transcriber.language,
                                      project=project, duration=duration, segments=spans,
                                      output_dir=tone_clip(folder, seconds=duration), priority=priority)
    ids = [s.id for s in wb.open_task(admin, clip.task_id).segments]
    options: dict = {"texts": {str(ids[n]): text for n, text in drafts.items()}}
    if probabilities:
        options["probabilities"] = dict(probabilities)
    engines = {project: {transcriber.language: BackendChoice("fake", options)}}
    wb.draft_engines = DraftEngines(wb.data_dir, config=DraftConfig(projects=engines))
    assert wb.claim_next(transcriber).id == clip.task_id
    wb.redraft_clip(admin, clip.id)  # the immediate queue drafts it here and now
    return clip.task_id, ids


def loud_then_quiet(folder: Path) -> Path:
    """Three 3-second spans of a tone: loud, quiet, medium (``tone_clip``)."""
    return tone_clip(folder, levels=(0.6, 0.1, 0.35))


def transcribe(wb: "Workbench", transcriber: "Actor", task_id: int, texts: Iterable[str] = TEXTS) -> int:
    """``transcriber`` types ``texts`` (repeated as needed) into the task's segments and submits it."""
    texts = list(texts)
    for n, segment in enumerate(wb.open_task(transcriber, task_id).segments):
        text = texts[n % len(texts)]
        if segment.status != "accepted" and segment.text != text:
            wb.save_text(transcriber, segment.id, text, base_version=segment.version)
    wb.submit_task(transcriber, task_id)
    return task_id


def take_through_review(wb: "Workbench", transcriber: "Actor", reviewer: "Actor", *, task_id: int | None = None,
                        texts: Iterable[str] = TEXTS) -> int:
    """The next task of ``transcriber`` (or ``task_id``, already theirs) typed, submitted, heard
    to the end by ``reviewer`` on ``wb.clock``, every segment accepted: a complete task's id."""
    if task_id is None:
        task_id = wb.claim_next(transcriber).id
    transcribe(wb, transcriber, task_id, texts)
    hear(wb, reviewer, wb.start_review(reviewer, task_id).segments, wb.clock)
    wb.accept_all_played(reviewer, task_id)
    wb.finish_review(reviewer, task_id)
    return task_id


def sign_in(http: "TestClient", username: str | None, *, password: str = PASSWORD) -> "TestClient":
    """``http`` signed out, then in through the login form as ``username`` (None: stays out)."""
    http.cookies.clear()
    if username is not None:
        response = http.post("/login", data={"username": username, "password": password}, follow_redirects=False)
        assert response.status_code == 303, f"{username} could not sign in: {response.status_code}"
    return http


def signed_in(app: Any, username: str | None, *, password: str = PASSWORD, **client: Any) -> "TestClient":
    """An HTTP client of its own on ``app`` signed in as ``username`` (anonymous for None);
    ``client`` options go to ``TestClient``."""
    from fastapi.testclient import TestClient

    return sign_in(TestClient(app, **client), username, password=password)
