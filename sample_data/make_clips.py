"""Generate the sample clips in this directory (run from the repository root).

    python3 sample_data/make_clips.py

Each clip is espeak-ng speech, sentence by sentence with pauses between, over pink
noise, some with a knock, a beep or mains hum, written with PyAV in its own container.
The sentence timings are written to ``clips.json`` (the ground truth the tests and the
demo may use). The output is deterministic for a given espeak-ng version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from workbench.audio.io import write_audio
from workbench.audio.synth import ESPEAK_RATE, beep, hum, knock, pink_noise, speak, write_video

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class ClipPlan:
    name: str
    language: str
    voices: tuple[str, ...]
    sentences: tuple[str, ...]
    sample_rate: int
    channels: int
    snr_db: float
    extras: tuple[str, ...] = field(default=())


PLANS = (
    ClipPlan(
        "ko_interview.wav", "ko", ("ko", "ko+f2"),
        (
            "안녕하세요, 오늘 인터뷰에 와 주셔서 감사합니다.",
            "먼저 자기소개를 부탁드립니다.",
            "저는 서울에서 데이터 분석 일을 하고 있습니다.",
            "요즘 가장 관심 있는 주제는 무엇인가요?",
            "음성 인식 기술이 생활을 어떻게 바꾸는지 궁금합니다.",
            "좋은 말씀 감사합니다.",
        ),
        16000, 1, 20.0, ("knock",),
    ),
    ClipPlan(
        "en_meeting.flac", "en", ("en-us", "en-gb+f3"),
        (
            "Good morning everyone, let's get started.",
            "The first item on the agenda is the budget for next quarter.",
            "We spent less than planned on travel, which helps.",
            "Can someone share the latest numbers from the sales team?",
            "I will send them right after this meeting.",
            "Great, then let's move on to hiring.",
        ),
        22050, 1, 18.0, ("beep",),
    ),
    ClipPlan(
        "zh_lecture.m4a", "zh", ("cmn", "cmn+f2"),
        (
            "同学们好，今天我们学习声音的基本知识。",
            "声音是由物体振动产生的。",
            "振动的频率决定了音调的高低。",
            "请大家想一想，生活中有哪些例子？",
            "下课以前，我们做一个小实验。",
        ),
        44100, 2, 16.0, ("hum",),
    ),
    ClipPlan(
        "ja_podcast.ogg", "ja", ("ja", "ja+f3"),
        (
            "みなさん、こんにちは。",
            "きょうは、りょこうのはなしをします。",
            "せんしゅう、きょうとへいきました。",
            "おてらがとてもきれいでした。",
            "またらいしゅう、おあいしましょう。",
        ),
        48000, 2, 20.0, (),
    ),
    ClipPlan(
        "ko_call.mp3", "ko", ("ko+m3",),
        (
            "여보세요, 고객센터입니다.",
            "주문하신 상품이 오늘 발송되었습니다.",
            "배송은 이틀 정도 걸릴 예정입니다.",
            "다른 문의 사항이 있으신가요?",
        ),
        44100, 2, 14.0, (),
    ),
    ClipPlan(
        "en_lesson.mp4", "en", ("en-us+m3", "en-gb"),
        (
            "Welcome back to the course.",
            "Today we look at how microphones turn sound into electricity.",
            "A moving coil sits inside a magnet, and it produces a small current.",
            "Keep the microphone close to the speaker to avoid room noise.",
            "That is all for this lesson, thank you for watching.",
        ),
        48000, 2, 15.0, ("knock", "beep"),
    ),
)


def build_clip(plan: ClipPlan, rng: np.random.Generator) -> tuple[np.ndarray, list[dict]]:
    """Mix one clip at ESPEAK_RATE; returns ``(audio (n,), sentences with start/end/text)``."""
    rate = ESPEAK_RATE
    pieces: list[np.ndarray] = [np.zeros(int(0.6 * rate), np.float32)]
    sentences = []
    cursor = pieces[0].size
    for index, text in enumerate(plan.sentences):
        voice = plan.voices[index % len(plan.voices)]
        speech = speak(text, voice=voice, speed=int(rng.integers(140, 180)))
        sentences.append({"start": round(cursor / rate, 3), "end": round((cursor + speech.size) / rate, 3), "text": text})
        pause = np.zeros(int(rng.uniform(0.5, 1.3) * rate), np.float32)
        pieces += [speech, pause]
        cursor += speech.size + pause.size
    pieces.append(np.zeros(int(0.6 * rate), np.float32))
    clean = np.concatenate(pieces) * 0.3
    speech_rms = np.sqrt(np.mean(np.concatenate([clean[int(s["start"] * rate) : int(s["end"] * rate)] for s in sentences]) ** 2))
    noisy = clean + pink_noise(clean.size, rng=rng) * speech_rms * 10 ** (-plan.snr_db / 20)
    gaps = [(a["end"], b["start"]) for a, b in zip(sentences, sentences[1:])]
    for extra, (gap_start, gap_end) in zip(plan.extras, sorted(gaps, key=lambda g: g[0] - g[1])):
        burst = knock(rate, rng=rng) if extra == "knock" else beep(rate) if extra == "beep" else None
        if burst is None:
            noisy += 0.02 * hum(noisy.size, rate)
            continue
        at = int(((gap_start + gap_end) / 2) * rate) - burst.size // 2
        noisy[at : at + burst.size] += 0.25 * burst
    return noisy.astype(np.float32), sentences


def main() -> None:
    import soxr

    rng = np.random.default_rng(2)
    truth = {}
    for plan in PLANS:
        audio, sentences = build_clip(plan, rng)
        audio = soxr.resample(audio, ESPEAK_RATE, plan.sample_rate).astype(np.float32)
        if plan.channels == 2:
            audio = np.stack([audio, 0.9 * audio], axis=1)
        path = HERE / plan.name
        if path.suffix == ".mp4":
            write_video(path, audio, plan.sample_rate)
        else:
            write_audio(path, audio, plan.sample_rate, bitrate=48000)
        truth[plan.name] = {"language": plan.language, "duration": round(len(audio) / plan.sample_rate, 3), "sentences": sentences}
        print(f"{plan.name}: {len(audio) / plan.sample_rate:.1f} s, {path.stat().st_size // 1024} KiB")
    (HERE / "clips.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
