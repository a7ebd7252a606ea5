"""The benchmark clip: 10 minutes of espeak-ng speech in four languages with known boundaries.

Sentences are spoken one espeak-ng call each (voice, speed and pitch varied), laid on a
timeline with pauses drawn uniformly from 0.2–2.5 s, with a few long gaps holding knocks,
beeps and coughs. Pink noise whose SNR drifts between 8 and 20 dB, mains hum and a random
overall level go on top; the result is written as an MP4 (H.264 picture + AAC).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from workbench.audio.synth import ESPEAK_RATE, beep, cough, hum, knock, pink_noise, speak, write_video

SENTENCES = {
    "en": (
        "The meeting starts at nine, so please be on time.",
        "We reviewed the report, and the numbers look better than last year.",
        "Could you send me the slides after lunch?",
        "The train was late again this morning.",
        "If it rains tomorrow, we will move the event inside.",
        "She has worked here for almost ten years.",
        "Please check the settings before you record.",
        "After the break, we will talk about the budget, the schedule, and the new office.",
        "I think the second option is cheaper.",
        "Thank you all for coming today.",
        "The microphone picks up every sound in the room.",
        "Let me know when you are ready to start.",
    ),
    "ko": (
        "오늘 회의는 오후 세 시에 시작합니다.",
        "어제 보낸 자료를 확인해 주시겠어요?",
        "날씨가 추워서, 따뜻한 옷을 입고 나왔습니다.",
        "이번 프로젝트는 다음 달에 끝날 예정입니다.",
        "점심은 회사 근처 식당에서 먹었습니다.",
        "주말에는 가족과 함께 공원에 갔어요.",
        "새로운 제품이 생각보다 잘 팔리고 있습니다.",
        "질문이 있으시면, 언제든지 말씀해 주세요.",
        "버스가 늦게 와서 조금 늦었습니다.",
        "다음 주에 다시 만나서 이야기합시다.",
        "이 문서는 내일까지 제출해야 합니다.",
        "회의실 예약은 제가 하겠습니다.",
    ),
    "zh": (
        "今天的会议下午三点开始。",
        "请把昨天的报告发给我。",
        "天气很冷，所以我穿了厚衣服。",
        "这个项目下个月就要完成了。",
        "我们在公司附近的饭店吃了午饭。",
        "周末我和家人一起去了公园。",
        "新产品卖得比预想的好。",
        "如果有问题，请随时告诉我。",
        "公共汽车来晚了，所以我迟到了。",
        "下个星期我们再见面谈吧。",
        "这份文件明天之前必须交上去。",
        "会议室我来预订。",
    ),
    "ja": (
        "きょうのかいぎは、ごごさんじにはじまります。",
        "きのうのしりょうを、かくにんしてください。",
        "さむいので、あたたかいふくをきてきました。",
        "このプロジェクトは、らいげつおわるよていです。",
        "ひるごはんは、かいしゃのちかくでたべました。",
        "しゅうまつは、かぞくとこうえんにいきました。",
        "あたらしいせいひんが、よくうれています。",
        "しつもんがあれば、いつでもきいてください。",
        "バスがおくれて、すこしちこくしました。",
        "らいしゅう、またはなしましょう。",
        "このしょるいは、あしたまでにだしてください。",
        "かいぎしつは、わたしがよやくします。",
    ),
}
VOICES = {
    "en": ("en-us", "en-gb", "en-us+f3", "en-gb+f2", "en-us+m3", "en-gb-scotland"),
    "ko": ("ko", "ko+f2", "ko+m3", "ko+f4"),
    # cmn-latn-pinyin, not cmn: the plain cmn voice reads most hanzi as English letters
    # (see corpus.py); this one speaks them as Mandarin.
    "zh": ("cmn-latn-pinyin", "cmn-latn-pinyin+f2", "cmn-latn-pinyin+m3", "cmn-latn-pinyin+f4"),
    "ja": ("ja", "ja+f2", "ja+m3", "ja+f4"),
}
RATE = 48000


@dataclass(frozen=True)
class Scenario:
    seconds: float = 600.0
    seed: int = 7
    min_pause: float = 0.2
    max_pause: float = 2.5
    long_gaps: int = 8
    snr_range_db: tuple[float, float] = (8.0, 20.0)
    zh_voice: str = "cmn-latn-pinyin"  # recorded so clips made with the old cmn voice are rebuilt


def build_timeline(scenario: Scenario, rng: np.random.Generator) -> tuple[np.ndarray, list[dict], list[dict]]:
    """Clean speech at ESPEAK_RATE and its sentences (start, end, language, text, voice, speed)."""
    total = int(scenario.seconds * ESPEAK_RATE)
    clean = np.zeros(total, np.float32)
    sentences, events = [], []
    gap_every = scenario.seconds / (scenario.long_gaps + 1)
    cursor, next_gap = int(1.0 * ESPEAK_RATE), gap_every
    languages = tuple(SENTENCES)
    while True:
        if cursor / ESPEAK_RATE >= next_gap:
            length = rng.uniform(5.0, 10.0)
            for kind in rng.permutation(["knock", "beep", "cough"])[: rng.integers(1, 4)]:
                events.append({"kind": str(kind), "at": round(cursor / ESPEAK_RATE + rng.uniform(1.0, length - 1.5), 3)})
            cursor += int(length * ESPEAK_RATE)
            next_gap += gap_every
        language = str(rng.choice(languages))
        text = str(rng.choice(SENTENCES[language]))
        voice = str(rng.choice(VOICES[language]))
        speed = int(rng.integers(130, 200))
        speech = speak(text, voice=voice, speed=speed, pitch=int(rng.integers(35, 70)))
        speech *= 10 ** (rng.uniform(-4, 4) / 20) / max(np.abs(speech).max(), 1e-6) * 0.5
        if cursor + speech.size > total - ESPEAK_RATE:
            break
        clean[cursor : cursor + speech.size] = speech
        sentences.append({
            "start": round(cursor / ESPEAK_RATE, 4), "end": round((cursor + speech.size) / ESPEAK_RATE, 4),
            "language": language, "voice": voice, "speed": speed, "text": text,
        })
        cursor += speech.size + int(rng.uniform(scenario.min_pause, scenario.max_pause) * ESPEAK_RATE)
    return clean, sentences, events


def mix(clean: np.ndarray, sentences: list[dict], events: list[dict], scenario: Scenario, rng: np.random.Generator, *, snr_db: float | None = None) -> tuple[np.ndarray, dict]:
    """Noisy version of ``clean`` (both at ESPEAK_RATE) and what was put in."""
    speech_mask = np.zeros(clean.size, bool)
    for s in sentences:
        speech_mask[int(s["start"] * ESPEAK_RATE) : int(s["end"] * ESPEAK_RATE)] = True
    speech_rms = float(np.sqrt(np.mean(clean[speech_mask] ** 2)))
    if snr_db is None:
        # The SNR drifts slowly across the range: a smooth random curve through knots every 30 s.
        knots = rng.uniform(*scenario.snr_range_db, size=int(clean.size / ESPEAK_RATE / 30) + 2)
        snr_curve = np.interp(np.arange(clean.size) / ESPEAK_RATE / 30, np.arange(knots.size), knots)
    else:
        snr_curve = np.full(clean.size, snr_db)
    noise = pink_noise(clean.size, rng=rng) * speech_rms * 10 ** (-snr_curve / 20)
    mains = float(rng.choice([50.0, 60.0]))
    noisy = clean + noise.astype(np.float32) + hum(clean.size, ESPEAK_RATE, frequency=mains) * speech_rms * 10 ** (-30 / 20)
    for event in events:
        burst = {"knock": lambda: knock(ESPEAK_RATE, rng=rng), "beep": lambda: beep(ESPEAK_RATE, frequency=float(rng.choice([800, 1000, 1500]))), "cough": lambda: cough(ESPEAK_RATE, rng=rng)}[event["kind"]]()
        at = int(event["at"] * ESPEAK_RATE)
        noisy[at : at + burst.size] += burst[: noisy.size - at] * speech_rms * 2.0
    level_db = float(rng.uniform(-14, 6))
    gain = 10 ** (level_db / 20)
    peak = np.abs(noisy).max() * gain
    if peak > 0.99:
        gain *= 0.99 / peak
    gain = float(gain)
    return (noisy * gain).astype(np.float32), {"hum_hz": mains, "level_db": round(20 * np.log10(gain), 2), "gain": gain}


def generate(out_dir: Path, scenario: Scenario = Scenario()) -> dict:
    """Write ``clip.mp4`` (the input), ``clip.wav`` (the same audio for librosa.load),
    ``clean16k.wav`` (reference speech at 16 kHz, scaled like the input) and ``truth.json``.
    Skipped when ``truth.json`` for the same scenario exists."""
    truth_path = out_dir / "truth.json"
    recorded = scenario.__dict__ | {"snr_range_db": list(scenario.snr_range_db)}  # as JSON reads it back
    if truth_path.exists():
        truth = json.loads(truth_path.read_text())
        if truth["scenario"] == recorded:
            return truth
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(scenario.seed)
    clean, sentences, events = build_timeline(scenario, rng)
    noisy, mixing = mix(clean, sentences, events, scenario, rng)
    stereo = soxr.resample(noisy, ESPEAK_RATE, RATE)
    stereo = np.stack([stereo, stereo * 0.95], axis=1).astype(np.float32)
    write_video(out_dir / "clip.mp4", stereo, RATE, fps=1, bitrate=128000)
    sf.write(out_dir / "clip.wav", stereo, RATE, subtype="PCM_16")
    sf.write(out_dir / "clean16k.wav", soxr.resample(clean * mixing["gain"], ESPEAK_RATE, 16000), 16000, subtype="FLOAT")
    np.save(out_dir / "clean_espeak.npy", clean)
    truth = {
        "scenario": recorded,
        "sentences": sentences, "events": events, "mixing": mixing,
    }
    truth_path.write_text(json.dumps(truth, ensure_ascii=False, indent=1))
    return truth
