"""Form input the pages read as text: numbers that may be left blank."""

from __future__ import annotations

from ngae.explorer import UserInputError


def parse_optional_float(text: str | None, name: str) -> float | None:
    """A number from a text box, or ``None`` when blank; :class:`UserInputError` otherwise."""
    text = (text or "").strip().replace("_", "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise UserInputError(f"{name} must be a number or left blank, not {text!r}") from None
