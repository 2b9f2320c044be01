"""Form input the pages read as text, and numbers written for people.

Numbers are read the ways people write them: ``3000000``, ``3,000,000``, ``3 000 000``,
``3_000_000``, ``3e6``, ``3M``, ``1.5 M``, ``250k``, ``2G``.
"""

from __future__ import annotations

import math
import re

from ngae.explorer import UserInputError

SUFFIXES = {"k": 1e3, "m": 1e6, "g": 1e9, "b": 1e9}
_NUMBER = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)\s*([kmgb]?)$", re.IGNORECASE)


def parse_number(text: str | None, label: str) -> float | None:
    """A number from a text box (see the module docstring), ``None`` when blank.

    Raises:
        UserInputError: naming the field by its ``label`` on the page.
    """
    raw = (text or "").strip()
    if not raw:
        return None
    compact = re.sub(r"(?<=\d)[,_ ](?=\d{3}(?!\d))", "", raw).replace(" ", "")
    match = _NUMBER.match(compact)
    if not match:
        raise UserInputError(
            f"{label}: {raw!r} is not a number (write e.g. 0.01, 1500000, 1,500,000, 1.5M or 250k)"
        )
    value = float(match.group(1)) * SUFFIXES.get(match.group(2).lower(), 1.0)
    if not math.isfinite(value):
        raise UserInputError(f"{label}: {raw!r} is too large")
    return value


def count(value: float, digits: int = 2) -> str:
    """A parameter count for people: ``908,448``, ``1.5 M``, ``11.79 M``."""
    value = float(value)
    if not math.isfinite(value):
        return "-"
    if abs(value) >= 1e6:
        return f"{value / 1e6:.{digits}f}".rstrip("0").rstrip(".") + " M"
    return f"{value:,.0f}"
