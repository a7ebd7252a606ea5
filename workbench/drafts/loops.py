"""Drafts that repeat themselves: the engine fell into a loop, and its text is not a draft.

At temperature 0 with no fallback (drafts/whisper.py) Whisper sometimes writes one phrase
over and over until the window ends ("산묵, 산묵, 산묵, ..."). Such a text compresses far
better than language does. The test is Whisper's own for a failed decode: the UTF-8 text's
length over its zlib-compressed length above 2.4 (OpenAI's and faster-whisper's
``compression_ratio_threshold``).

The Whisper engine reads a looping segment once more with 3-grams forbidden
(drafts/whisper.py); the drafting job withholds whatever still loops, from any engine
(workflow/drafting.py). Measured by ``bench/draft_loops.py`` on the bench's Whisper base
first readings (1,642 segments of the tuning, held-out and recorded clips): 89 loop, all on
espeak clips (ko 61, ja 24, zh 4), none of the recorded speech's. Scored against the
clips' sentences their CER is 2.08 (ko), 1.79 (ja) and 6.88 (zh): deleting the loop costs
more than typing the sentence from nothing (CER 1.0), and cutting the text after the
loop's first occurrence still left 0.99, 0.97 and 1.18.

>>> repeats_itself("산묵, " * 20)
True
>>> repeats_itself("no, no, no, I said the blue one.")
False
>>> repeats_itself("")
False
"""

from __future__ import annotations

import zlib

LOOP_RATIO = 2.4
"""A text whose UTF-8 bytes are more than this many times its zlib-compressed size loops."""


def repeats_itself(text: str) -> bool:
    """Is ``text`` a decoding loop rather than a draft (``LOOP_RATIO``)?"""
    data = text.encode("utf-8")
    return bool(data) and len(data) / len(zlib.compress(data)) > LOOP_RATIO
