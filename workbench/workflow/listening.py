"""Spans of a segment's audio in seconds: what was sent, what was heard, and how much.

Pure functions over ``(start, end)`` pairs of seconds into one segment. A list of spans
may overlap and come in any order; every function returns its result as disjoint spans in
time order. Nothing here knows about reviewers or the database (review.py does).

``reported_spans`` reads the ``[start, end]`` pairs a page reports (played intervals in
seconds, hearing.py; active spans in milliseconds, time_on_task.py), each caller with its
own bounds and words.

>>> union([(2.0, 3.0), (0.0, 1.0), (0.5, 2.0)])
[(0.0, 3.0)]
>>> intersect([(0.0, 4.0)], [(1.0, 2.0), (3.0, 5.0)])
[(1.0, 2.0), (3.0, 4.0)]
>>> subtract([(0.0, 4.0)], [(1.0, 2.0)])
[(0.0, 1.0), (2.0, 4.0)]
>>> take([(0.0, 1.0), (2.0, 4.0)], 2.0)
[(0.0, 1.0), (2.0, 3.0)]
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from workbench.workflow.errors import InvalidInput

Span = tuple[float, float]


@dataclass(frozen=True)
class SpanWords:
    """How a caller refuses reported spans: each a template for ``InvalidInput.worded``.
    ``too_many`` gets ``{count}``, ``out_of_bounds`` ``{start}``, ``{end}`` and the caller's
    params; ``empty`` None lets an empty report through."""

    not_a_list: str
    too_many: str
    not_numbers: str
    out_of_bounds: str
    empty: str | None = None


def reported_spans(reported: object, words: SpanWords, *, at_most: int, high: float = math.inf,
                   **params: object) -> list[Span]:
    """``reported`` (a page's list of ``[start, end]`` pairs) as spans of finite numbers with
    ``0 <= start <= end <= high``, at most ``at_most`` of them; else InvalidInput in the
    caller's ``words`` (``params`` fill its ``out_of_bounds``) and nothing is read further.

    >>> words = SpanWords("a list", "at most {count}", "two numbers", "[{start}, {end}] is out")
    >>> reported_spans([[0, 1.5]], words, at_most=2)
    [(0.0, 1.5)]
    >>> reported_spans([[2, 1]], words, at_most=2)
    Traceback (most recent call last):
    ...
    workbench.workflow.errors.InvalidInput: [2.0, 1.0] is out
    """
    if isinstance(reported, (str, bytes)) or not isinstance(reported, Iterable):
        raise InvalidInput.worded(words.not_a_list)
    pairs = list(reported)
    if not pairs and words.empty is not None:
        raise InvalidInput.worded(words.empty)
    if len(pairs) > at_most:
        raise InvalidInput.worded(words.too_many, count=at_most)
    spans = []
    for pair in pairs:
        try:
            start, end = (float(x) for x in pair)
        except (TypeError, ValueError):
            raise InvalidInput.worded(words.not_numbers) from None
        if not (math.isfinite(start) and math.isfinite(end) and 0 <= start <= end <= high):
            raise InvalidInput.worded(words.out_of_bounds, start=start, end=end, **params)
        spans.append((start, end))
    return spans


def union(spans: Iterable[Span]) -> list[Span]:
    """The time covered by any of ``spans``; empty spans vanish."""
    merged: list[Span] = []
    for start, end in sorted((a, b) for a, b in spans if b > a):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def intersect(spans: Iterable[Span], within: Iterable[Span]) -> list[Span]:
    """The time of ``spans`` that is also inside ``within``."""
    outer = union(within)
    return union((max(a, c), min(b, d)) for a, b in union(spans) for c, d in outer if min(b, d) > max(a, c))


def subtract(spans: Iterable[Span], taken: Iterable[Span]) -> list[Span]:
    """The time of ``spans`` not inside ``taken``."""
    left: list[Span] = []
    holes = union(taken)
    for start, end in union(spans):
        for hole_start, hole_end in holes:
            if hole_end <= start or hole_start >= end:
                continue
            if hole_start > start:
                left.append((start, hole_start))
            start = max(start, hole_end)
        if end > start:
            left.append((start, end))
    return left


def total(spans: Iterable[Span]) -> float:
    """Seconds covered, overlaps counted once."""
    return sum(end - start for start, end in union(spans))


def take(spans: Iterable[Span], seconds: float) -> list[Span]:
    """The first ``seconds`` of ``spans`` in time order (all of them if they are shorter)."""
    taken: list[Span] = []
    for start, end in union(spans):
        if seconds <= 0:
            break
        taken.append((start, min(end, start + seconds)))
        seconds -= end - start
    return taken
