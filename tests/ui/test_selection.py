"""What a click on the latent map picked, and the decode-anywhere grid."""

from __future__ import annotations

import numpy as np

from ngae.ui.selection import probe_grid, selected_points


def test_selected_points_reads_points_probes_and_indices():
    shown = np.array([10, 20, 30])
    probe = {"customdata": [-1, 0.5, -2.0]}
    event = {"selection": {"points": [{"customdata": [20, 0.7, 1e6, 0.72]}, probe]}}
    assert selected_points(event, shown) == [("data", 20), ("probe", (0.5, -2.0))]
    assert selected_points({"selection": {"points": [], "point_indices": [2, 7]}}, shown) == [
        ("data", 30)
    ]
    assert selected_points(None, shown) == [] and selected_points({"x": 1}, shown) == []


def test_probe_grid_covers_the_map_with_a_margin():
    xy = np.array([[0.0, 0.0], [2.0, 1.0]])
    grid = probe_grid(xy, n=5)
    assert grid.shape == (25, 2)
    np.testing.assert_allclose(grid.min(0), [-0.1, -0.05])
    np.testing.assert_allclose(grid.max(0), [2.1, 1.05])
