"""The latent map's clickable parts: the decode-anywhere grid and what a selection picked."""

from __future__ import annotations

from typing import Any

import numpy as np


def probe_grid(xy: np.ndarray, n: int = 25) -> np.ndarray:
    """An ``(n * n, 2)`` grid of positions covering the map's extent (decode-anywhere probes)."""
    lo, hi = np.nanmin(xy, 0), np.nanmax(xy, 0)
    pad = 0.05 * (hi - lo)
    gx, gy = np.meshgrid(
        np.linspace(lo[0] - pad[0], hi[0] + pad[0], n),
        np.linspace(lo[1] - pad[1], hi[1] + pad[1], n),
    )
    return np.column_stack([gx.ravel(), gy.ravel()])


def selected_points(event: Any, shown: np.ndarray) -> list[tuple[str, Any]]:
    """What a map selection picked: ``("data", index)`` and ``("probe", (x, y))`` items.

    Reads Streamlit's selection state with item access (a plain dict in AppTest). Points carry
    their ``customdata`` (a list, or an index-keyed dict for a row of a typed array); without
    it ``point_indices`` are taken as rows of the data trace.
    """
    try:
        selection = event["selection"]
    except (KeyError, TypeError):
        return []
    points = list(selection.get("points") or [])
    picked: list[tuple[str, Any]] = []
    for p in points:
        custom = p.get("customdata")
        if isinstance(custom, dict):  # a row of a typed (base64-encoded) array: {"0": ...}
            custom = [custom[str(k)] for k in range(len(custom)) if str(k) in custom]
        if isinstance(custom, list | tuple) and custom:
            if custom[0] == -1 and len(custom) >= 3:
                picked.append(("probe", (float(custom[1]), float(custom[2]))))
            elif custom[0] >= 0:
                picked.append(("data", int(custom[0])))
    if not points:
        picked = [
            ("data", int(shown[i]))
            for i in selection.get("point_indices") or []
            if 0 <= i < len(shown)
        ]
    return picked
