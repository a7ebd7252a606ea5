"""Spans of a segment's audio in seconds: what was sent, what was heard, and how much.

Pure functions over ``(start, end)`` pairs of seconds into one segment. A list of spans
may overlap and come in any order; every function returns its result as disjoint spans in
time order. Nothing here knows about reviewers or the database (review.py does).

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

from collections.abc import Iterable

Span = tuple[float, float]


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
