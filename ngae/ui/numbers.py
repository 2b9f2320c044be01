"""Predicted figures written with how far to trust them, and counts written for people.

A prediction comes with two error bars: the accuracy head's test RMSE (the predictor's error,
one number per model: ``Explorer.perf_error``) and the spread of an ensemble of refitted heads
at that latent point (``Explorer.uncertainty``). A margin between two predictions smaller than
the predictor's error says nothing about which is better; these helpers say so in words.
Pure functions of :class:`~ngae.ui.naming.Names` (no Streamlit).
"""

from __future__ import annotations

import math
import re

from ngae.ui.naming import Names


def resolution(names: Names) -> float:
    """The smallest step the space's performance format shows (``%.4f``: 0.0001)."""
    digits = re.search(r"\.(\d+)", names.perf_format)
    return 10.0 ** -int(digits.group(1)) if digits else 1.0


def spread_text(spread: float, names: Names) -> str:
    """A spread in the space's precision; ``< 0.0001`` where the format would print zero."""
    step = resolution(names)
    if abs(spread) < step / 2:
        return f"< {names.perf_grouped(step)}"
    return names.perf_grouped(abs(spread))


def with_spread(value: float, spread: float | None, names: Names) -> str:
    """``0.7476 ± 0.0012``, ``-11,400.3 ± 85.2``; the value alone where no spread is known."""
    text = names.perf_grouped(value)
    if spread is None or not math.isfinite(spread):
        return text
    return f"{text} ± {spread_text(spread, names)}"


def within_error(margin: float, error: float) -> bool:
    """Whether a margin between two predictions is smaller than the predictor's error."""
    return math.isfinite(margin) and math.isfinite(error) and abs(margin) < error


def margin_text(margin: float, error: float, names: Names, against: str) -> str:
    """A predicted margin with what it is worth.

    ``+0.0002 vs data set best, within the predictor's error (± 0.0015)``, or
    ``+0.0030 vs data set best (predictor's error ± 0.0015)`` when it is larger.
    """
    if not math.isfinite(margin):
        return f"no margin {against}"
    text = f"{names.perf_grouped(margin, signed=True)} {against}"
    if not math.isfinite(error):
        return text
    err = spread_text(error, names)
    if within_error(margin, error):
        return f"{text}, within the predictor's error (± {err})"
    return f"{text} (predictor's error ± {err})"


def whole(value: float) -> str:
    """A count with thousands separators and no decimals: ``1,732,000``; ``-`` if not finite."""
    value = float(value)
    return f"{value:,.0f}" if math.isfinite(value) else "-"
