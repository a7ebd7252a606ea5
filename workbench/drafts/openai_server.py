"""A backend for an operator's own OpenAI-compatible ``/v1/audio/transcriptions`` server,
where a bigger model on a GPU may live (e.g. speaches / faster-whisper-server, vLLM).

Each segment is posted as a 16-bit WAV in a multipart form with ``model``, ``language``
(always the task's), ``response_format=verbose_json`` and ``timestamp_granularities[]=word``.
Words come from the answer's ``words``; a word's ``probability`` is used when the server
sends one (faster-whisper based servers do), else None. The API key, if any, is read from
the environment variable the options name, so it is never stored with the settings.

The engine id is ``asr:<model>@<prefix>``: the prefix is ``weights_sha256`` when the
operator states the served weights' hash, else the sha256 of ``url`` and ``model`` — a
remote's weights cannot be hashed from here, so then the id names the endpoint, not the
weights.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Mapping, Sequence

import httpx
import soundfile as sf

from workbench.drafts.backend import check_request
from workbench.drafts.errors import DraftEngineError
from workbench.drafts.model import SAMPLE_RATE, Draft, DraftSegment, DraftWord

PATH = "/v1/audio/transcriptions"
ERROR_EXCERPT = 200
MAX_ANSWER_BYTES = 4 << 20
"""A transcription of one segment is a few kB; a bigger answer is refused unread."""


class OpenAIServerBackend:
    """``url`` is the server's base (``http://gpu-box:8000``); ``timeout`` is seconds per
    segment. Redirects are not followed."""

    def __init__(self, *, url: str, model: str, timeout: float = 60.0, api_key_env: str = "",
                 weights_sha256: str = "", transport: httpx.BaseTransport | None = None) -> None:
        if not url.startswith(("http://", "https://")):
            raise DraftEngineError(f"draft server URL must start with http:// or https://, got {url!r}")
        if not model:
            raise DraftEngineError("the draft server backend needs a model name")
        self.url = url.rstrip("/")
        self.model = model
        self.timeout = float(timeout)
        self.api_key_env = api_key_env
        prefix = (weights_sha256 or hashlib.sha256(f"{self.url}\n{model}".encode()).hexdigest())[:12]
        self._engine_id = f"asr:{model}@{prefix}"
        self._transport = transport

    @classmethod
    def from_options(cls, options: Mapping[str, object], data_dir) -> "OpenAIServerBackend":
        known = {"url", "model", "timeout", "api_key_env", "weights_sha256"}
        unknown = set(options) - known
        if unknown:
            raise DraftEngineError(f"unknown draft server option(s) {', '.join(sorted(unknown))}; "
                                   f"known: {', '.join(sorted(known))}")
        if "url" not in options or "model" not in options:
            raise DraftEngineError("the draft server backend needs a url and a model")
        return cls(**options)

    @property
    def engine_id(self) -> str:
        return self._engine_id

    def _headers(self) -> dict[str, str]:
        if not self.api_key_env:
            return {}
        key = os.environ.get(self.api_key_env)
        if not key:
            raise DraftEngineError(f"the draft server's API key variable {self.api_key_env} is not set")
        return {"Authorization": f"Bearer {key}"}

    def draft(self, segments: Sequence[DraftSegment], language: str) -> list[Draft]:
        check_request(segments, language)
        headers = self._headers()
        with httpx.Client(base_url=self.url, timeout=self.timeout, headers=headers,
                          follow_redirects=False, transport=self._transport) as client:
            return [self._draft(client, segment, language) for segment in segments]

    def _draft(self, client: httpx.Client, segment: DraftSegment, language: str) -> Draft:
        wav = io.BytesIO()
        sf.write(wav, segment.audio, SAMPLE_RATE, format="WAV", subtype="PCM_16")
        form = {"model": self.model, "language": language, "response_format": "verbose_json",
                "timestamp_granularities[]": "word"}
        where = f"draft server {self.url}"
        try:
            with client.stream("POST", PATH, data=form,
                               files={"file": (f"{segment.id}.wav", wav.getvalue(), "audio/wav")}) as response:
                answer = _read_limited(response, where, segment.id)
        except httpx.TimeoutException:
            raise DraftEngineError(f"{where} did not answer within {self.timeout:g} s "
                                   f"(segment {segment.id})") from None
        except httpx.HTTPError as exc:
            raise DraftEngineError(f"{where} cannot be reached: {exc}") from None
        if response.status_code != 200:
            raise DraftEngineError(f"{where} answered {response.status_code} for segment {segment.id}: "
                                   f"{answer[:ERROR_EXCERPT].decode('utf-8', 'replace')}")
        try:
            body = json.loads(answer)
            text = str(body["text"]).strip()
            words = tuple(_word(raw, segment.seconds) for raw in body.get("words") or ())
        except (ValueError, KeyError, TypeError) as exc:
            raise DraftEngineError(f"{where} sent an answer that is not a verbose_json transcription "
                                   f"for segment {segment.id}: {exc!r}") from None
        return Draft(segment_id=segment.id, language=language, text=text, words=words, engine=self.engine_id)


def _read_limited(response: httpx.Response, where: str, segment_id: str) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            raise DraftEngineError(f"{where} sent more than {MAX_ANSWER_BYTES >> 20} MiB for segment "
                                   f"{segment_id}; refusing the answer")
        chunks.append(chunk)
    return b"".join(chunks)


def _word(raw: Mapping, seconds: float) -> DraftWord:
    start = min(max(float(raw["start"]), 0.0), seconds)
    end = min(max(float(raw["end"]), start), seconds)
    probability = raw.get("probability")
    if probability is not None:
        probability = min(max(float(probability), 0.0), 1.0)
    return DraftWord(str(raw["word"]).strip(), round(start, 3), round(end, 3), probability)
