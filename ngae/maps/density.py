"""The density of the training codes on the map: a Gaussian kernel density on a grid."""

from __future__ import annotations

import numpy as np

from ngae.maps.grid import Window, grid_points

CHUNK = 4096


def kernel_density(points: np.ndarray, window: Window, size: int) -> np.ndarray:
    """``(size, size)`` density (per unit area, integrating to about 1 over the points' range).

    A Gaussian kernel per point with Scott's bandwidth per axis (``sigma * n ** (-1/6)`` in 2-D);
    rows are ``y``, columns ``x``, as :func:`ngae.maps.grid.grid_points` lays them.
    """
    pts = np.asarray(points, dtype=np.float64)
    n = len(pts)
    bw = np.maximum(pts.std(0), 1e-12) * n ** (-1.0 / 6.0)
    xs, ys, _ = grid_points(window, size)
    # Separable kernel: exp(-dx^2/2bx^2) * exp(-dy^2/2by^2), summed over points as a product.
    total = np.zeros((size, size))
    for start in range(0, n, CHUNK):
        p = pts[start : start + CHUNK]
        kx = np.exp(-0.5 * ((xs[None, :] - p[:, :1]) / bw[0]) ** 2)  # (P, size)
        ky = np.exp(-0.5 * ((ys[None, :] - p[:, 1:]) / bw[1]) ** 2)
        total += ky.T @ kx
    return total / (n * 2 * np.pi * bw[0] * bw[1])
