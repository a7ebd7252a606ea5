"""The backend for an operator's OpenAI-compatible ``/v1/audio/transcriptions`` server,
against a tiny fake server on 127.0.0.1 started by the test (real HTTP, real multipart)."""

from __future__ import annotations

import asyncio
import io
import socket
import threading
import time

import numpy as np
import pytest
import soundfile as sf
import uvicorn
from fastapi import FastAPI, Form, Request, UploadFile
from fastapi.responses import JSONResponse, PlainTextResponse

from workbench.drafts import SAMPLE_RATE, DraftEngineError, DraftSegment
from workbench.drafts.openai_server import MAX_ANSWER_BYTES, OpenAIServerBackend

SLOW_SECONDS = 3.0


def fake_server_app(received: list[dict]) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/audio/transcriptions")
    async def transcribe(request: Request, file: UploadFile, model: str = Form(...),
                         language: str = Form(...), response_format: str = Form(...)):
        form = await request.form()
        audio, rate = sf.read(io.BytesIO(await file.read()), dtype="float32")
        received.append({"model": model, "language": language, "response_format": response_format,
                         "granularities": form.getlist("timestamp_granularities[]"),
                         "rate": rate, "samples": audio.size, "filename": file.filename,
                         "authorization": request.headers.get("authorization")})
        if model == "broken":
            return PlainTextResponse("CUDA out of memory", status_code=500)
        if model == "slow":
            await asyncio.sleep(SLOW_SECONDS)
        if model == "huge":
            return PlainTextResponse("x" * (MAX_ANSWER_BYTES + 1))
        if model == "confused":
            return JSONResponse({"words": "nope"})
        seconds = audio.size / rate
        words = [{"word": " hello", "start": 0.0, "end": seconds / 2, "probability": 0.97},
                 {"word": " world", "start": seconds / 2, "end": seconds + 0.5}]
        return {"text": " hello world", "language": language, "duration": seconds, "words": words}

    return app


@pytest.fixture(scope="module")
def server():
    """(base URL, list of received requests) of a fake server running in a thread."""
    received: list[dict] = []
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(fake_server_app(received), host="127.0.0.1", port=port, log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not instance.started:
        assert time.monotonic() < deadline, "the fake transcription server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", received
    instance.should_exit = True
    thread.join(timeout=10)


def one_second(name: str = "s1") -> DraftSegment:
    tone = 0.1 * np.sin(2 * np.pi * 440 * np.arange(SAMPLE_RATE) / SAMPLE_RATE)
    return DraftSegment(name, tone.astype(np.float32))


def test_each_segment_is_posted_as_wav_with_the_forced_language_and_word_timestamps(server):
    url, received = server
    received.clear()
    backend = OpenAIServerBackend(url=url, model="large-v3")
    drafts = backend.draft([one_second("a"), one_second("b")], "ko")
    assert received[0] == {"model": "large-v3", "language": "ko", "response_format": "verbose_json",
                           "granularities": ["word"], "rate": SAMPLE_RATE, "samples": SAMPLE_RATE,
                           "filename": "a.wav", "authorization": None}
    assert len(received) == 2
    draft = drafts[0]
    assert (draft.segment_id, draft.language, draft.text) == ("a", "ko", "hello world")
    # The server's probability is kept; a word without one says so; times stay in the segment.
    assert [(w.text, w.start, w.end, w.probability) for w in draft.words] == [
        ("hello", 0.0, 0.5, 0.97), ("world", 0.5, 1.0, None)]
    assert draft.engine == backend.engine_id and draft.engine.startswith("asr:large-v3@")


def test_the_api_key_comes_from_the_named_environment_variable(server, monkeypatch):
    url, received = server
    received.clear()
    monkeypatch.setenv("DRAFT_SERVER_KEY", "s3cret")
    OpenAIServerBackend(url=url, model="large-v3", api_key_env="DRAFT_SERVER_KEY").draft([one_second()], "en")
    assert received[-1]["authorization"] == "Bearer s3cret"
    monkeypatch.delenv("DRAFT_SERVER_KEY")
    with pytest.raises(DraftEngineError, match="API key variable DRAFT_SERVER_KEY is not set"):
        OpenAIServerBackend(url=url, model="large-v3", api_key_env="DRAFT_SERVER_KEY").draft([one_second()], "en")


def test_a_server_error_is_a_clear_error_naming_the_status_and_the_server_message(server):
    url, _ = server
    with pytest.raises(DraftEngineError, match=r"answered 500 for segment s1: CUDA out of memory"):
        OpenAIServerBackend(url=url, model="broken").draft([one_second()], "en")


def test_a_server_that_does_not_answer_in_time_is_a_clear_error(server):
    url, _ = server
    started = time.monotonic()
    with pytest.raises(DraftEngineError, match=r"did not answer within 0.5 s \(segment s1\)"):
        OpenAIServerBackend(url=url, model="slow", timeout=0.5).draft([one_second()], "en")
    assert time.monotonic() - started < SLOW_SECONDS


def test_an_answer_that_is_not_a_transcription_is_a_clear_error(server):
    url, _ = server
    with pytest.raises(DraftEngineError, match="not a verbose_json transcription"):
        OpenAIServerBackend(url=url, model="confused").draft([one_second()], "en")


def test_an_oversized_answer_is_refused_unread(server):
    url, _ = server
    with pytest.raises(DraftEngineError, match="sent more than 4 MiB for segment s1"):
        OpenAIServerBackend(url=url, model="huge").draft([one_second()], "en")


def test_a_server_that_cannot_be_reached_is_a_clear_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(DraftEngineError, match=f"draft server http://127.0.0.1:{port} cannot be reached"):
        OpenAIServerBackend(url=f"http://127.0.0.1:{port}", model="m", timeout=2).draft([one_second()], "en")


def test_the_engine_id_names_the_weights_when_the_operator_states_their_hash():
    backend = OpenAIServerBackend(url="http://gpu:8000", model="large-v3", weights_sha256="ab12" * 16)
    assert backend.engine_id == "asr:large-v3@ab12ab12ab12"
    assert OpenAIServerBackend(url="http://gpu:8000", model="large-v3").engine_id != \
        OpenAIServerBackend(url="http://other:8000", model="large-v3").engine_id
