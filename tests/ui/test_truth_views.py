"""The true figures as the pages show them: map columns and labels that follow the picked
source, ranks written for people, training curves."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ngae.ui.tables import colour_choices
from ngae.ui.truth import (
    curves_figure,
    missing_count,
    rank_text,
    relabel,
    transfer_view,
    truth_label,
    with_truth,
)

METRICS = ("valid accuracy", "latency (s)")
SOURCES = ("cora", "citeseer", "proteins")


def test_truth_columns_are_colour_choices_naming_the_source():
    table = pd.DataFrame({"arch": ["a", "b"], "split": ["train", "test"], "true_acc": [0.5, 0.6],
                          "params": [1, 2], "pred_acc": [0.4, 0.7], "pred_params": [1.0, 2.0],
                          "pred_error": [-0.1, 0.1]})  # fmt: skip
    truth = pd.DataFrame({"valid accuracy": [0.8, np.nan], "latency (s)": [0.01, np.nan]})
    shown = with_truth(table, truth, "citeseer", METRICS)
    assert list(table.columns) == list(shown.columns)[:7]  # the table itself is not changed
    choices = colour_choices(shown)
    assert choices["true valid accuracy (citeseer)"] == "true valid accuracy (citeseer)"
    assert choices["true latency (s) (citeseer)"] == "true latency (s) (citeseer)"
    assert missing_count(shown, "true valid accuracy (citeseer)") == 1
    assert missing_count(shown, "pred_acc") == 0 and missing_count(shown, "nothing") == 0


def test_a_colour_follows_the_picked_source():
    assert truth_label("valid accuracy", "cora") == "true valid accuracy (cora)"
    old = truth_label("latency (s)", "cora")
    assert relabel(old, METRICS, SOURCES, "proteins") == "true latency (s) (proteins)"
    assert relabel(old, METRICS, SOURCES, "cora") is None  # already this source's
    assert relabel("predicted accuracy", METRICS, SOURCES, "cora") is None
    assert relabel(None, METRICS, SOURCES, "cora") is None


def test_ranks_are_written_of_how_many_were_ranked():
    assert rank_text(12.0, 26_206) == "12 of 26,206"
    assert rank_text(float("nan"), 2_021) == "-"
    frame = pd.DataFrame({
        "source": ["cora", "proteins"], "valid accuracy": [0.8, np.nan],
        "latency (s)": [0.003, np.nan], "valid rank": [1.0, np.nan],
        "valid ranked": [26_206, 2_021], "note": ["", "not evaluated on proteins"],
    })  # fmt: skip
    view = transfer_view(frame, {"valid": "valid accuracy"}, METRICS)
    assert list(view.columns) == ["data set", "valid accuracy rank", *METRICS, "note"]
    assert list(view["valid accuracy rank"]) == ["1 of 26,206", "-"]
    assert view["note"][1] == "not evaluated on proteins"


def test_curves_figure_has_a_line_per_curve_from_epoch_one():
    fig = curves_figure({"train accuracy": np.array([0.5, 0.6]), "valid loss": [1.0, 0.9]}, "x")
    assert [t.name for t in fig.data] == ["train accuracy", "valid loss"]
    assert list(fig.data[0].x) == [1, 2] and fig.layout.title.text == "x"
