"""A regular grid over a rectangle of the 2-D map."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ngae.errors import UserInputError

MAX_GRID = 256


@dataclass(frozen=True)
class Window:
    """The rectangle ``x0 <= x <= x1``, ``y0 <= y <= y1`` of a map."""

    x0: float
    x1: float
    y0: float
    y1: float

    def __post_init__(self) -> None:
        values = (self.x0, self.x1, self.y0, self.y1)
        if not all(np.isfinite(values)) or self.x1 <= self.x0 or self.y1 <= self.y0:
            raise UserInputError(f"a map window needs finite x0 < x1 and y0 < y1, got {values}")

    @classmethod
    def around(cls, xy: np.ndarray, margin: float = 0.05) -> Window:
        """The points' bounding box widened by ``margin`` of its size on each side."""
        lo, hi = xy.min(0), xy.max(0)
        pad = margin * np.maximum(hi - lo, 1e-9)
        return cls(float(lo[0] - pad[0]), float(hi[0] + pad[0]), float(lo[1] - pad[1]),
                   float(hi[1] + pad[1]))  # fmt: skip


def grid_points(window: Window, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cell centres of a ``size x size`` grid.

    Returns ``xs`` ``(size,)``, ``ys`` ``(size,)`` and the points ``(size * size, 2)`` row by row
    (``y`` outer, ``x`` inner), as a heat map lays them.
    """
    if not isinstance(size, int) or not 2 <= size <= MAX_GRID:
        raise UserInputError(f"a grid is 2 to {MAX_GRID} cells a side, got {size}")
    xs = window.x0 + (np.arange(size) + 0.5) * (window.x1 - window.x0) / size
    ys = window.y0 + (np.arange(size) + 0.5) * (window.y1 - window.y0) / size
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, np.column_stack([gx.ravel(), gy.ravel()])
