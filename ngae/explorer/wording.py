"""Durations and counts written for people, in job messages and on the pages."""

from __future__ import annotations


def duration(seconds: float) -> str:
    """``1 min 05 s`` style (``42 s`` under a minute; whole seconds, truncated)."""
    m, s = divmod(int(seconds), 60)
    return f"{m} min {s:02d} s" if m else f"{s} s"


def plural(n: int, word: str) -> str:
    """``1 epoch``, ``2 epochs``."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"
