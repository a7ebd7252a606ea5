"""What a machine draft tells the transcriber beyond its words: where the language's
guideline needs what Whisper does not write (guideline flags), and where the draft's
sentences say the segmentation is off (sentence hints). Pure functions over a draft's text
and word times; the rules come from ``guidelines/<language>.toml``, the same file the submit
check reads (workflow/guidelines.py).

Guideline flags never guess a fix; they point at the spot:

``dual-notation``   Korean: a word with digits or Latin letters needs ``(철자)/(발음)``
``digits``          a language written without digits: a word with digits is a number to
                    write as spoken
``noise-tag``       a caption Whisper writes for a sound (``(music)``, ``[音楽]``, ``♪``):
                    the guideline's noise tag goes there, or no-speech
``sound-no-words``  the engine wrote nothing, but the audio has sound

>>> [f.rule for f in guideline_flags("ko", "3시에 KTX 타요", ())]
['dual-notation', 'dual-notation']
>>> guideline_flags("en", "(music)", ())[0].message
'tag the noise: the guideline writes [noise] (or the tag that fits), or mark no speech'

Sentence hints: sentence-final punctuation inside one segment's draft suggests a split at
that word's time; a draft that ends mid-sentence before a short gap suggests a merge with
the next segment.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from workbench.drafts.model import DraftWord
from workbench.languages import text_joiner
from workbench.workflow.errors import message_id
from workbench.workflow.guidelines import RuleSet, load_rules, script_class

MERGE_GAP_S = 0.4
"""A draft ending mid-sentence before a gap shorter than this suggests a merge."""
MERGE_SILENCE_MAX_S = 0.5
"""In a script without letter case (``UNCASED``), no merge is suggested where the drafts'
words leave this much silence or more between them: the drafting job's re-cut cuts at such a
pause (``draft_recut.RECUT_LONG_PAUSE_S``), and the missing final mark the suggestion rests
on is all a garbled draft gives there."""
SPLIT_PAUSE_REACH_S = 0.3
SPLIT_PAUSE_MIN_S = 0.2
"""Where a segment's pauses are known, a split needs this much of one within the reach of
its cut: Whisper's word times are that loose, and a full stop it writes inside a sentence
seldom has a pause under it (chosen on the tuning clips, README "Re-cut by the drafts").
The split is then made in the middle of that pause: a cut between Whisper's word times can
fall 0.1 s inside a sentence's last syllable."""
SPLIT_PIECE_SPEECH_S = 0.1
"""Where a segment's pauses are known, each piece a split leaves must also hold this much
audio outside them. Whisper writes a sentence for a noise at a segment's edge (music heard
as "쏙요.", a stray syllable timed past the sentence's end) and the pause beside it passes the
test above, so without this the split leaves a piece with no speech in it for a transcriber
to open and mark (chosen on the tuning clips, README "Re-cut by the drafts")."""
SPLIT_DRAFT_LETTERS_MIN = 0.2
"""A draft in which fewer than this share of the characters (spaces aside) are letters is not
read for sentence ends: Whisper writing digits and signs over loud music ("5, 5, 5, 5," or
"-6 ,6 -7 ,6!") has heard no language, and its "!" is no sentence end. A sentence full of
figures ("2024년 3월 15일 오후 3시 30분.", "Call 555-1234 at 9.") is about a third letters."""
SOUND_DBFS = -35.0
"""Audio "has sound" when its loudest 100 ms is above this (dBFS, RMS)."""
UNCASED = ("ko", "zh", "ja")
"""Hangul, kana and hanzi have no letter case: a draft in them never says that the next
segment opens a new sentence, so every draft without a final mark looks like half of one."""

# What Whisper writes for a sound instead of words: a caption in brackets, parentheses or
# asterisks ("(music)", "[Applause]", "(박수)", "[音楽]", "*laughs*"), or music notes.
_CAPTION = re.compile(r"^[\(\[（【\*].*[\)\]）】\*][.,!?。、！？]*$|^[♪♫♬♩]+$")
_CAPTION_IN_TEXT = re.compile(r"[\(\[（【][^()\[\]（）【】]*[\)\]）】]|\*[^*\s][^*]*\*|[♪♫♬♩]+")
_DUAL_PAIR = re.compile(r"\([^()]+\)/\([^()]+\)")
_CLOSERS = "\"'”’»）)」』】]"


@dataclass(frozen=True)
class GuidelineFlag:
    """One spot of a draft the guideline needs the transcriber to handle: ``word`` (index
    ``index`` in the draft's words, or None when the flag is on the whole segment)."""

    rule: str
    index: int | None
    word: str
    message: str  # English; ``template`` (a gettext id) and ``params`` for other languages
    template: str = ""
    params: dict[str, str] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class HintSegment:
    """What a sentence hint needs of a segment: clip times, and the draft's words (times from
    the segment's start) only while its text is still the untouched draft (else empty).
    ``pauses`` (seconds from its start, ``audio.segment.pauses_within``), when the audio was
    heard: a split is then suggested only at a sentence end with a pause near it."""

    id: int
    start: float
    end: float
    words: tuple[DraftWord, ...] = ()
    pauses: tuple[tuple[float, float], ...] | None = None


@dataclass(frozen=True)
class SentenceHint:
    """``split`` at ``at`` (clip seconds) with ``texts`` for the two halves, or ``merge`` with
    the next segment."""

    segment_id: int
    kind: str
    message: str  # English; ``template`` (a gettext id) and ``params`` for other languages
    at: float | None = None
    texts: tuple[str, str] | None = None
    template: str = ""
    params: dict[str, str] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict:
        return {"segment_id": self.segment_id, "kind": self.kind, "message": self.message, "at": self.at}


# --- guideline flags -----------------------------------------------------------------------

def guideline_flags(language: str, text: str, words: Sequence[DraftWord], *,
                    sounding: bool = False) -> list[GuidelineFlag]:
    """The flags of one draft (``text`` and its ``words``), in word order. ``sounding``: the
    segment's audio has sound (``has_sound``), which matters only when the text is empty.
    ValueError for an unknown language."""
    rules = load_rules(language)
    pieces = [w.text.strip() for w in words] if words else text.split()
    if not text.strip():
        if not sounding:
            return []
        return [_flag("sound-no-words", None, "", message_id("the engine wrote nothing, but there is sound here: transcribe it, tag the noise ({tag}) or mark no speech"),
                      {"tag": _noise_tag(rules)})]
    flags = []
    for index, piece in enumerate(pieces):
        flag = _word_flag(rules, piece)
        if flag:
            flags.append(_flag(flag[0], index, piece, *flag[1:]))
    if not any(flag.rule == "noise-tag" for flag in flags):
        # A caption split over several words (zh and ja words are often single characters).
        outside = _DUAL_PAIR.sub(" ", text) if rules.dual_notation else text
        for caption in _CAPTION_IN_TEXT.findall(outside):
            if caption not in rules.allowed_tags:
                flags.append(_flag("noise-tag", None, caption, *_noise_message(rules)))
    return flags


def _flag(rule: str, index: int | None, word: str, template: str, params: dict[str, str]) -> GuidelineFlag:
    return GuidelineFlag(rule, index, word, template.format(**params), template, params)


def _word_flag(rules: RuleSet, piece: str) -> tuple[str, str, dict[str, str]] | None:
    if not piece or piece in rules.allowed_tags or (rules.dual_notation and _DUAL_PAIR.fullmatch(piece)):
        return None
    if _CAPTION.match(piece):
        return ("noise-tag", *_noise_message(rules))
    digits = any(c.isdigit() for c in piece)
    latin = any(script_class(c) == "latin" for c in piece)
    if rules.dual_notation and ("(" in piece or ")" in piece):
        return None  # a piece of a (spelling)/(pronunciation) pair already written
    if rules.dual_notation and (digits or (latin and "latin" not in rules.letters)):
        return ("dual-notation", message_id("numbers/foreign words need (spelling)/(pronunciation), e.g. (3시)/(세 시), (KTX)/(케이티엑스)"), {})
    if digits and not rules.digits_allowed:
        return ("digits", message_id("{language} transcripts write numbers as spoken, not in digits"),
                {"language": rules.name})
    return None


def _noise_message(rules: RuleSet) -> tuple[str, dict[str, str]]:
    return (message_id("tag the noise: the guideline writes {tag} (or the tag that fits), or mark no speech"),
            {"tag": _noise_tag(rules)})


def _noise_tag(rules: RuleSet) -> str:
    return next((tag for tag, meaning in rules.tags if meaning == "noise"), rules.tags[0][0])


def has_sound(audio: np.ndarray, rate: int = 16000) -> bool:
    """Whether the loudest 100 ms of ``audio`` (float, full scale 1.0) is above ``SOUND_DBFS``."""
    frame = max(1, rate // 10)
    if audio.size == 0:
        return False
    usable = audio[: audio.size - audio.size % frame] if audio.size >= frame else audio
    frames = usable.reshape(-1, min(frame, usable.size)).astype(np.float64)
    loudest = float(np.sqrt((frames ** 2).mean(axis=1)).max())
    return loudest > 0 and 20 * np.log10(loudest) > SOUND_DBFS


def recut_pauses(audio: np.ndarray, rate: int = 16000) -> tuple[tuple[float, float], ...]:
    """Where one segment's audio pauses, as ``(start, end)`` seconds from its start: what the
    drafting job keeps with its drafts. Heard as the pipeline's split stage hears a segment
    (runs of ``audio.segment.HEARD_PAUSE_S`` or more), so the re-cut measures a long pause's
    sides as the stage did; a text split needs ``SPLIT_PAUSE_MIN_S`` of one near its cut."""
    from workbench.audio.segment import HEARD_PAUSE_S, pauses_within

    return pauses_within(audio, rate, min_seconds=HEARD_PAUSE_S)


# --- sentence hints ----------------------------------------------------------------------------

def sentence_hints(language: str, segments: Sequence[HintSegment], *,
                   min_piece: float = 0.1, max_gap: float = MERGE_GAP_S) -> list[SentenceHint]:
    """At most one hint per segment, in segment order (``segments`` sorted by time): a split
    after the first word that ends a sentence with more words after it, else a merge when the
    draft ends mid-sentence, the next segment starts less than ``max_gap`` seconds later and
    its draft (if any) does not open with a capital (in a script without case, also: the two
    drafts' words leave under ``MERGE_SILENCE_MAX_S`` between them). Segments without draft
    words get none. ValueError for an unknown language."""
    rules = load_rules(language)
    joiner = text_joiner(language)
    hints = []
    for n, segment in enumerate(segments):
        words = [w for w in segment.words if w.text.strip()]
        if not words:
            continue
        split = _split_hint(rules, segment, words, joiner, min_piece)
        if split:
            hints.append(split)
            continue
        following = segments[n + 1] if n + 1 < len(segments) else None
        if (following is not None and not _ends_sentence(rules, words[-1].text)
                and not _starts_sentence(following.words)
                and not (language in UNCASED and _silence_after(segment, words, following) >= MERGE_SILENCE_MAX_S - 1e-9)):
            gap = round(following.start - segment.end, 3)
            if gap < max_gap:
                template = message_id("the draft ends mid-sentence and the next segment follows {gap} s later: merge with the next")
                params = {"gap": f"{max(gap, 0.0):.2f}"}
                hints.append(SentenceHint(segment.id, "merge", template.format(**params),
                                          template=template, params=params))
    return hints


def _split_hint(rules: RuleSet, segment: HintSegment, words: list[DraftWord], joiner: str,
                min_piece: float) -> SentenceHint | None:
    characters = [c for w in words for c in w.text if not c.isspace()]
    if sum(c.isalpha() for c in characters) < SPLIT_DRAFT_LETTERS_MIN * len(characters):
        return None
    for i, word in enumerate(words[:-1]):
        if not _ends_sentence(rules, word.text):
            continue
        rest = words[i + 1:]
        if not any(c.isalnum() for w in rest for c in w.text):
            return None  # only punctuation after it: one sentence
        cut = (word.end + rest[0].start) / 2
        if segment.pauses is not None:
            pause = _pause_near(segment.pauses, cut)
            if pause is None:
                continue
            # The cut goes where the audio pauses, not where Whisper's loose word times put it.
            cut = (pause[0] + pause[1]) / 2
            if not _speech_on_both_sides(segment, cut):
                continue
        at = round(segment.start + cut, 3)
        if not segment.start + min_piece <= at <= segment.end - min_piece:
            continue
        before = joiner.join(w.text.strip() for w in words[: i + 1])
        after = joiner.join(w.text.strip() for w in rest)
        template, params = message_id("a sentence ends at “{word}”: split after it"), {"word": word.text.strip()}
        return SentenceHint(segment.id, "split", template.format(**params), at=at, texts=(before, after),
                            template=template, params=params)
    return None


def _silence_after(segment: HintSegment, words: list[DraftWord], following: HintSegment) -> float:
    """Seconds between ``segment``'s last draft word and ``following``'s first (0 when the
    next draft has no words)."""
    first = next((w for w in following.words if w.text.strip()), None)
    if first is None:
        return 0.0
    return (following.start + first.start) - (segment.start + words[-1].end)


def _pause_near(pauses: Sequence[tuple[float, float]], cut: float) -> tuple[float, float] | None:
    """The one of ``pauses`` with ``SPLIT_PAUSE_MIN_S`` of it within ``SPLIT_PAUSE_REACH_S`` of
    ``cut`` (seconds from the segment's start) whose middle is nearest the cut, or None."""
    low, high = cut - SPLIT_PAUSE_REACH_S, cut + SPLIT_PAUSE_REACH_S
    near = [(start, end) for start, end in pauses if min(end, high) - max(start, low) >= SPLIT_PAUSE_MIN_S - 1e-9]
    return min(near, key=lambda pause: abs((pause[0] + pause[1]) / 2 - cut), default=None)


def _speech_on_both_sides(segment: HintSegment, cut: float) -> bool:
    """Whether both pieces of ``segment`` cut at ``cut`` (seconds from its start) hold
    ``SPLIT_PIECE_SPEECH_S`` of audio outside its pauses."""
    from workbench.audio.segment import sound_between

    pieces = ((0.0, cut), (cut, segment.end - segment.start))
    return min(sound_between(segment.pauses, *piece) for piece in pieces) >= SPLIT_PIECE_SPEECH_S - 1e-9


def _starts_sentence(words: Sequence[DraftWord]) -> bool:
    """The next segment's draft opens with a capital (not "I"): in a script with letter case,
    Whisper's sign of a new sentence. Hangul, kana and hanzi have no case (``UNCASED``): never."""
    first = next((w.text.strip() for w in words if w.text.strip()), "")
    letter = next((c for c in first if c.isalpha()), "")
    return letter.isupper() and first.rstrip(".,!?") not in _PRONOUN_I


_PRONOUN_I = ("I", "I'm", "I'll", "I've", "I'd", "I’m", "I’ll", "I’ve", "I’d")


def _ends_sentence(rules: RuleSet, word: str) -> bool:
    word = word.strip().rstrip(_CLOSERS)
    if not word or word[-1] not in rules.sentence_final_marks:
        return False
    return not any(word.endswith(abbreviation) for abbreviation in rules.abbreviations)


# --- a task's guidance, as its page shows it ---------------------------------------------------

@dataclass(frozen=True)
class TaskGuidance:
    """The guideline flags (by segment id) and sentence hints (by segment id) of a task's
    segments whose text is still their untouched machine draft."""

    flags: dict[int, list[GuidelineFlag]]
    hints: dict[int, SentenceHint]

    def to_dict(self, say: Callable[[str, dict[str, str]], str] | None = None) -> dict:
        """The page's JSON; ``say(template, params)`` words each message (the reader's
        language; default: the English ``message``)."""
        def worded(item: GuidelineFlag | SentenceHint) -> dict:
            answer = item.to_dict()
            if say and item.template:
                answer["message"] = say(item.template, item.params)
            return answer
        return {"draft_flags": {str(k): [worded(f) for f in v] for k, v in self.flags.items()},
                "sentence_hints": {str(k): worded(h) for k, h in self.hints.items()}}


def task_guidance(language: str, segments: Sequence) -> TaskGuidance:
    """Guidance for ``segments`` (SegmentViews of one task, in order): only a segment whose
    text is still its untouched draft is flagged or hinted, since the words and their times
    describe that text and nothing a human typed since. A stored empty draft is one the
    engine left empty over sound (workflow/drafting.py stores no other)."""
    flags, shown = {}, []
    for segment in segments:
        draft = segment.draft
        untouched = draft is not None and draft.untouched and segment.editable
        if untouched:
            found = guideline_flags(language, draft.text, draft.words, sounding=not draft.text)
            if found:
                flags[segment.id] = found
        shown.append(HintSegment(segment.id, segment.start, segment.end,
                                 tuple(draft.words) if untouched else ()))
    hints = {hint.segment_id: hint for hint in sentence_hints(language, shown)}
    return TaskGuidance(flags, hints)
