"""Durations and counts written for people, in job messages and on the pages."""

from __future__ import annotations


def duration(seconds: float) -> str:
    """``42 s``, ``1 min 05 s``, ``35 h 45 min``: whole seconds, truncated.

    No seconds past an hour: an estimate that long is not that precise.
    """
    m, s = divmod(int(seconds), 60)
    h, m = divmod(m, 60)
    if h:
        return f"{h} h {m:02d} min"
    return f"{m} min {s:02d} s" if m else f"{s} s"


def plural(n: int, word: str) -> str:
    """``1 epoch``, ``2 epochs``."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"
