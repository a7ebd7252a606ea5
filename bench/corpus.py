"""What the synthetic clips say, in which voices, and a check that espeak-ng really says it.

Two disjoint sentence pools and two disjoint sets of voice variants per language: the
``tune`` ones (the sentences the segmenter was first tuned on) and the ``held_out`` ones,
which nothing was ever tuned on. Sentences carry commas, so pauses inside a sentence are
as common as they are in reading.

What espeak-ng (Debian's 1.51) makes of each language, checked with ``espeak-ng -q -x``:

- en, ko: spoken in the language's own voice.
- ja: kana only. The ``ja`` voice says "Chinese letter" in English for every kanji, so
  no sentence here holds one (``check_text`` refuses it).
- zh: hanzi, read by the ``cmn-latn-pinyin`` voice. The plain ``cmn`` voice switches to
  English for most hanzi and spells their pinyin with tone numbers ("(en)dZI55nw'055n" for
  今); ``cmn-latn-pinyin`` gives Mandarin phonemes with tones for the same text
  ("tS;'i55n"). Its prosody is still a synthesiser's, not a Mandarin speaker's.
"""

from __future__ import annotations

import functools
import subprocess

import scenario

SENTENCES = {
    # The sentences the project's own 10-minute clip says (bench/scenario.py), tuned on before.
    "tune": scenario.SENTENCES,
    "held_out": {
        "en": (
            "When the delivery arrives, put the boxes in the storage room.",
            "My sister, who lives in Busan, is visiting next week.",
            "We ran out of paper, so I ordered more.",
            "Honestly, I did not expect the test to be that hard.",
            "The old bridge is closed for repairs until March.",
            "Before you leave, please turn off the lights and lock the door.",
            "He forgot his keys, his wallet, and his phone.",
            "The results will be published on Friday.",
            "In my opinion, we should hire two more people.",
            "Turn left at the bank, then walk straight for five minutes.",
            "Nobody knew the answer.",
            "The children were playing in the garden, and the dog was asleep.",
        ),
        "ko": (
            "택배가 오면, 상자를 창고에 넣어 주세요.",
            "부산에 사는 언니가 다음 주에 놀러 옵니다.",
            "종이가 다 떨어져서, 새로 주문했습니다.",
            "솔직히 시험이 그렇게 어려울 줄 몰랐어요.",
            "오래된 다리는 삼월까지 공사 중입니다.",
            "나가기 전에, 불을 끄고 문을 잠가 주세요.",
            "그는 열쇠와 지갑과 휴대폰을 두고 왔습니다.",
            "결과는 금요일에 발표됩니다.",
            "제 생각에는, 두 사람을 더 뽑아야 합니다.",
            "은행에서 왼쪽으로 돌아서, 오 분쯤 걸어가세요.",
            "아무도 답을 알지 못했습니다.",
            "아이들은 마당에서 놀고, 강아지는 자고 있었어요.",
        ),
        "zh": (
            "快递到了以后，请把箱子放进仓库。",
            "我住在上海的姐姐下个星期来看我。",
            "纸用完了，所以我又订了一些。",
            "说实话，我没想到考试这么难。",
            "那座老桥三月以前一直在修理。",
            "走之前，请关灯，然后锁门。",
            "他忘了带钥匙、钱包和手机。",
            "结果星期五公布。",
            "我觉得，我们应该再招两个人。",
            "在银行那儿往左拐，再走五分钟。",
            "谁也不知道答案。",
            "孩子们在院子里玩，小狗在睡觉。",
        ),
        "ja": (
            "にもつがとどいたら、はこをそうこにいれてください。",
            "おおさかにすんでいるあねが、らいしゅうあそびにきます。",
            "かみがなくなったので、またちゅうもんしました。",
            "しょうじき、しけんがこんなにむずかしいとはおもいませんでした。",
            "ふるいはしは、さんがつまでこうじちゅうです。",
            "でかけるまえに、でんきをけして、かぎをかけてください。",
            "かれは、かぎとさいふとけいたいをわすれました。",
            "けっかは、きんようびにはっぴょうされます。",
            "わたしのかんがえでは、あとふたりやとうべきです。",
            "ぎんこうのかどをひだりにまがって、ごふんあるいてください。",
            "だれもこたえをしりませんでした。",
            "こどもたちはにわであそび、いぬはねていました。",
        ),
    },
}

# espeak-ng voice per language, and the variants (men's and women's voices) that make the
# speakers. Tuning and held-out clips use different variants.
BASE_VOICE = {"en": "en-us", "ko": "ko", "zh": "cmn-latn-pinyin", "ja": "ja"}
EN_ACCENTS = {"tune": ("en-us", "en-gb"), "held_out": ("en-us", "en-gb-scotland", "en-gb-x-rp")}
VARIANTS = {
    "tune": ("", "+f2", "+m3", "+f4"),
    "held_out": ("+m1", "+f1", "+m5", "+f3", "+m7", "+f5"),
}


def voices(language: str, split: str) -> tuple[str, ...]:
    bases = EN_ACCENTS[split] if language == "en" else (BASE_VOICE[language],)
    return tuple(base + variant for base in bases for variant in VARIANTS[split])


def _is_kanji(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


def check_text(language: str, text: str) -> None:
    """Refuse text espeak-ng cannot speak in ``language`` (kanji in Japanese)."""
    if language == "ja" and any(_is_kanji(c) for c in text):
        raise ValueError(f"Japanese text must be kana only (espeak-ng says 'Chinese letter' for kanji): {text}")


@functools.cache
def phonemes(text: str, voice: str) -> str:
    """What espeak-ng says for ``text``: its phoneme string (``espeak-ng -q -x``)."""
    return subprocess.run(["espeak-ng", "-v", voice, "-q", "-x", text], check=True, capture_output=True, text=True).stdout


def check_spoken(language: str, text: str) -> None:
    """Refuse a sentence espeak-ng would not speak in ``language``: one where it switches to
    another language's phonemes (``(en)`` in its phoneme output) on the way."""
    check_text(language, text)
    said = phonemes(text, BASE_VOICE[language])
    switches = [part for part in said.split("(")[1:] if not part.startswith(BASE_VOICE[language][:2])]
    if language != "en" and switches:
        raise ValueError(f"espeak-ng does not speak this as {language}: {text!r} -> {said.strip()!r}")
