"""The search-methods comparison: read back only for its checkpoint, tabled and drawn."""

from __future__ import annotations

import json

import numpy as np

from ngae.explorer.comparisons import load_method_curves
from ngae.ui.figures import methods_figure
from ngae.ui.tables import methods_table


def _write(tmp_path, sha="abc123def456"):
    doc = {
        "command": "python benchmarks/asia_search_methods.py --seeds 2 --calls 200",
        "checkpoint": "ngae_asia.pt",
        "checkpoint_sha": sha,
        "machine": "x86_64",
        "optimum": -100.0,
        "dataset_best": -120.0,
        "curves": {
            "ngae": [list(np.linspace(-130, -101, 200)), list(np.linspace(-125, -103, 200))],
            "random": [list(np.linspace(-150, -121, 200)), list(np.linspace(-140, -125, 150))],
        },
        "date": "2026-12-02",
    }
    path = tmp_path / "m.json"
    path.write_text(json.dumps(doc))
    return path


def test_curves_are_read_for_their_checkpoint_only(tmp_path):
    path = _write(tmp_path)
    assert load_method_curves("abc123def456" + "0" * 52, path) is not None
    assert load_method_curves("ffffff", path) is None
    path.write_text("{not json")
    assert load_method_curves("abc123def456", path) is None
    assert load_method_curves("abc123def456", tmp_path / "missing.json") is None


def test_the_table_reports_mean_spread_and_gap(tmp_path):
    curves = load_method_curves("abc123def456", _write(tmp_path))
    assert curves.curves["random"].shape == (2, 200)  # the short run padded with NaN
    table = methods_table(curves).set_index("method")
    ngae = table.loc["NGAE gradient search"]
    assert ngae["after 200"] == "-102.0 ± 1.0"
    assert ngae["gap to optimum"] == "2.00%" and ngae["calls made"] == "200"
    rnd = table.loc["random search (prior samples)"]
    assert rnd["after 200"] == "-121.0 ± 0.0"  # the seed that stopped at 150 calls is left out
    assert rnd["calls made"] == "150-200"
    assert rnd["best at the end"] == "-123.0 ± 2.0"  # -121 after 200, -125 after 150


def test_the_figure_has_a_line_and_band_per_method(tmp_path):
    fig = methods_figure(load_method_curves("abc123def456", _write(tmp_path)))
    names = [t.name for t in fig.data if t.showlegend is not False]
    assert names == ["NGAE gradient search", "random search (prior samples)"]
    assert len(fig.data) == 6 and len(fig.layout.shapes) == 2  # optimum, training best
