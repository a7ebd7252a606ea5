"""The re-cut a drafting job takes for the transcriber (workflow/recutting.py stores it): a
task's segments after the sentence hints of their drafts (workflow/draft_guidance.py), pure,
over the drafts' words and times and the pauses heard in each segment.

A split divides a segment's words at the cut (the second half's times move to its new
start) and its pauses with them; a merge joins two drafts. A piece a split left is read
again, so a segment whose draft holds three sentences becomes three. In Japanese, Korean and
Mandarin a piece is then split at every long pause it holds, whatever its draft says
(``PAUSE_SPLIT``).

>>> from workbench.drafts.model import DraftWord
>>> words = tuple(DraftWord(t, s, s + 0.4, 0.9) for t, s in (("One", 0.0), ("here.", 0.5), ("Two", 1.2),
...               ("there.", 1.7), ("Three", 2.4), ("more.", 2.9)))
>>> [(p.start, p.end, p.text) for p in recut("en", [HintSegment(1, 0.0, 3.5, words)], ["One here. Two there. Three more."])]
[(0.0, 1.05, 'One here.'), (1.05, 2.25, 'Two there.'), (2.25, 3.5, 'Three more.')]
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from workbench.drafts.model import DraftWord
from workbench.languages import text_joiner
from workbench.workflow.draft_guidance import UNCASED, HintSegment, SentenceHint, sentence_hints

RECUT_MIN_PIECE_S = 0.8
"""No piece ``recut`` leaves is shorter (a transcriber's own split may leave 0.1 s): Whisper
writes a sentence for a word it mishears at a pause inside a sentence ("어, 네." for the "오늘"
of "오늘 회의는 …"), seldom a sentence (tuning clips, README "Re-cut by the drafts")."""

PAUSE_SPLIT = ("ja", "ko", "zh")
"""Languages whose pieces are also split in the middle of every long pause they hold
(``split_at_long_pauses``), with or without a draft: Whisper base under babble writes nothing,
or no full stop, for two sentences a second apart that the segmenter left in one segment.
On the tuning clips it raised "one sentence each" in all three (Korean 0.897 -> 0.922,
Mandarin 0.948 -> 0.959, Japanese 0.908 -> 0.910) and kept every sentence whole; English
tied (its drafts' full stops already split there) and lost sentences at shorter pauses
(README "Re-cut by the drafts"). The pipeline's split stage now cuts these languages at
their own pause and sides (``PipelineSettings.long_pause_split_s``), so here it fires where
those left a pause this split takes (the stage needs 2.0 s each side in Japanese and Korean,
this split 1.5 s), after a text split, or on clips processed before the stage."""
RECUT_LONG_PAUSE_S = 0.5
"""A pause (``Piece.pauses``: 6 dB under the segment's loud level) at least this long ends a
sentence: commas and hesitations last under half a second. Shorter ones kept the tuning
sentences whole only with the longest ``RECUT_PAUSE_SIDE_S`` tried; from 0.5 s every side
length kept them."""
RECUT_PAUSE_SIDE_S = 1.5
"""Each side of a long-pause split holds at least this much audio outside the pauses: with
1.0 s, music and babble heard beside a pause made Japanese pieces with no speech in them."""

Pauses = tuple[tuple[float, float], ...] | None


@dataclass(frozen=True)
class Piece:
    """One segment of a re-cut (``recut``): clip times, the ids of the segments it was made
    from (one when kept or split, two when merged), how (``kept``, ``split``, ``merged``) and
    its draft: ``text`` and ``words`` timed from ``start``; ``pauses`` heard in it (seconds
    from ``start``; None where the audio was not heard, and for a merged piece)."""

    start: float
    end: float
    sources: tuple[int, ...]
    change: str
    text: str
    words: tuple[DraftWord, ...]
    pauses: Pauses = None


def recut_kinds(language: str) -> tuple[str, ...]:
    """The hints a re-cut takes without asking anyone: splits in every language, merges only in
    a script with letter case. Without case the merge hint rests on the missing final mark
    alone, and taken wholesale it joined sentences: one sentence each on recorded Japanese
    0.800 -> 0.674, Korean 0.820 -> 0.674 (README, "Re-cut by the drafts")."""
    return ("split",) if language in UNCASED else ("split", "merge")


def recut(language: str, segments: Sequence[HintSegment], texts: Sequence[str], *,
          min_piece: float = RECUT_MIN_PIECE_S, kinds: Collection[str] | None = None,
          again: bool = True, long_pauses: bool | None = None) -> list[Piece]:
    """``segments`` (in time order, with their drafts' ``texts``) after every sentence hint,
    applied as a transcriber taking each in turn would: one pass in segment order, so a
    merged segment takes no further hint, and a merge takes its neighbour's hint with it.
    Only hints of ``kinds`` are taken (default: ``recut_kinds(language)``); no split leaves a
    piece shorter than ``min_piece`` seconds. With ``again`` (the default), each piece a split
    left is split again until no hint fires: on the tuning clips it kept every sentence whole
    and raised "one sentence each" in English, Japanese and Korean, and changed nothing in
    Mandarin (README "Re-cut by the drafts"). With ``long_pauses`` (default: the language is
    in ``PAUSE_SPLIT``), every piece is then split at its long pauses
    (``split_at_long_pauses``). ValueError for an unknown language."""
    if len(texts) != len(segments):
        raise ValueError("recut needs one draft text per segment")
    kinds = recut_kinds(language) if kinds is None else kinds
    hints = {hint.segment_id: hint for hint in sentence_hints(language, segments, min_piece=min_piece)
             if hint.kind in kinds}
    joiner = text_joiner(language)
    pieces, n = [], 0
    while n < len(segments):
        segment, hint = segments[n], hints.get(segments[n].id)
        whole = Piece(segment.start, segment.end, (segment.id,), "kept", texts[n], segment.words, segment.pauses)
        if hint is not None and hint.kind == "split":
            pieces += _halves(whole, hint)
        elif hint is not None and hint.kind == "merge":
            following = segments[n + 1]
            offset = following.start - segment.start
            text = joiner.join(t for t in (texts[n], texts[n + 1]) if t)
            pieces.append(Piece(segment.start, following.end, (segment.id, following.id), "merged", text,
                                segment.words + tuple(_shifted(w, offset) for w in following.words)))
            n += 1
        else:
            pieces.append(whole)
        n += 1
    if again:
        pieces = [last for piece in pieces for last in (_split_again(language, piece, min_piece)
                                                         if piece.change == "split" else [piece])]
    if language in PAUSE_SPLIT if long_pauses is None else long_pauses:
        pieces = [last for piece in pieces for last in split_at_long_pauses(language, piece)]
    return pieces


def split_at_long_pauses(language: str, piece: Piece, *, long_pause: float = RECUT_LONG_PAUSE_S,
                         side: float = RECUT_PAUSE_SIDE_S) -> list[Piece]:
    """``piece`` cut in the middle of each of its pauses of ``long_pause`` seconds or more
    where both sides (up to the cut before, and to the piece's end) hold ``side`` seconds of
    audio outside its pauses; the draft's words go to the side their middle is on. A piece
    whose pauses were not heard (None, or a merged piece) stays as it is.

    >>> heard = Piece(0.0, 5.0, (1,), "kept", "", (), ((1.9, 2.6), (2.8, 3.0)))
    >>> [(p.start, p.end, p.change, p.pauses) for p in split_at_long_pauses("ko", heard)]
    [(0.0, 2.25, 'split', ((1.9, 2.25),)), (2.25, 5.0, 'split', ((0.0, 0.35), (0.55, 0.75)))]
    """
    if not piece.pauses:
        return [piece]
    from workbench.audio.segment import long_pause_cuts

    joiner, out, rest = text_joiner(language), [], piece
    for cut in long_pause_cuts(piece.pauses, piece.end - piece.start, long_pause=long_pause, side=side):
        first, rest = _cut(rest, round(piece.start + cut, 3), joiner)
        out.append(first)
    return [*out, rest]


def _split_again(language: str, piece: Piece, min_piece: float) -> list[Piece]:
    hint = next((h for h in sentence_hints(language, [HintSegment(0, piece.start, piece.end, piece.words, piece.pauses)],
                                           min_piece=min_piece) if h.kind == "split"), None)
    if hint is None:
        return [piece]
    return [last for half in _halves(piece, hint) for last in _split_again(language, half, min_piece)]


def _halves(piece: Piece, hint: SentenceHint) -> list[Piece]:
    """``piece`` split at ``hint``: the words, the texts and the pauses divided at the cut."""
    return list(_cut(piece, hint.at, texts=hint.texts))


def _cut(piece: Piece, at: float, joiner: str = "", texts: tuple[str, str] | None = None) -> tuple[Piece, Piece]:
    """``piece`` cut at ``at`` (clip seconds): words and pauses divided, ``texts`` the halves'
    drafts (default: each half's words joined by ``joiner``)."""
    cut = at - piece.start
    first = tuple(w for w in piece.words if (w.start + w.end) / 2 < cut)
    second = tuple(_shifted(w, -cut) for w in piece.words if (w.start + w.end) / 2 >= cut)
    before = after = None
    if piece.pauses is not None:
        before = _moved(tuple((s, min(e, cut)) for s, e in piece.pauses if s < cut), 0.0)
        after = _moved(tuple((max(s, cut), e) for s, e in piece.pauses if e > cut), -cut)
    if texts is None:
        texts = (joiner.join(w.text for w in first), joiner.join(w.text for w in second))
    return (Piece(piece.start, at, piece.sources, "split", texts[0], first, before),
            Piece(at, piece.end, piece.sources, "split", texts[1], second, after))


def _moved(pauses: tuple[tuple[float, float], ...], by: float) -> tuple[tuple[float, float], ...]:
    return tuple((round(s + by, 3), round(e + by, 3)) for s, e in pauses)


def _shifted(word: DraftWord, by: float) -> DraftWord:
    return DraftWord(word.text, round(max(0.0, word.start + by), 3), round(max(0.0, word.end + by), 3),
                     word.probability)
