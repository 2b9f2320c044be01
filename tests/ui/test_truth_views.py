"""The true figures as the pages show them: map columns and labels that follow the picked
source, ranks written for people, training curves."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ngae.ui.tables import colour_choices
from ngae.ui.truth import (
    curves_figure,
    figure_texts,
    figures_as_text,
    grouped,
    missing_count,
    rank_suffixes,
    rank_text,
    relabel,
    transfer_view,
    truth_hover,
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
    # A missing figure reads "-" (Streamlit would write a missing number "None").
    assert list(view["valid accuracy"]) == ["0.8", "-"]
    assert list(view["latency (s)"]) == ["0.003", "-"]


def test_figures_are_written_with_four_significant_digits_and_a_dash_for_none():
    values = [0.80271, np.nan, 123_456.0, 0.0032451, 0.0]
    assert figure_texts(values).tolist() == ["0.8027", "-", "1.235e+05", "0.003245", "0"]
    assert figure_texts(np.array([], np.float64)).tolist() == []
    frame = pd.DataFrame({"a": [0.5, np.nan], "b": [1.0, 2.0], "arch": ["x", "y"]})
    shown = figures_as_text(frame, ["a", "not there"])
    assert shown["a"].tolist() == ["0.5", "-"] and shown["b"].tolist() == [1.0, 2.0]
    assert frame["a"].isna().sum() == 1  # the frame itself is not changed


def test_whole_numbers_are_grouped_by_thousands():
    values = [0, 7, 999, 1_000, 26_206, 100_001, 1_234_567, 1_000_000_000]
    expected = ["0", "7", "999", "1,000", "26,206", "100,001", "1,234,567", "1,000,000,000"]
    assert grouped(values).tolist() == expected == [f"{v:,}" for v in values]
    assert rank_suffixes([851.0, np.nan], 26_206).tolist() == [" (rank 851 of 26,206)", ""]


def test_a_hover_line_per_object_with_its_rank_and_a_note_where_the_table_lacks_it():
    truth = pd.DataFrame({
        "valid accuracy": [0.80271, np.nan, 0.9, 0.5],
        "test accuracy": [0.8023, np.nan, 0.91, np.nan],
        "latency (s)": [0.0123, np.nan, 0.002, 0.001],
        "params (M)": [0.123, np.nan, 1.5, np.nan],
        "valid rank": [2.0, np.nan, 1.0, 3.0],
        "test rank": [2.0, np.nan, 1.0, np.nan],
    })  # fmt: skip
    metrics = ("valid accuracy", "test accuracy", "latency (s)", "params (M)")
    ranked = {"valid": "valid accuracy", "test": "test accuracy"}
    lines = truth_hover(truth, "cora", metrics, ranked).tolist()
    assert lines == [
        "cora: valid accuracy 0.8027 (rank 2 of 3) · test accuracy 0.8023 · latency (s) 0.0123"
        " · params (M) 0.123",
        "not evaluated on cora",
        "cora: valid accuracy 0.9 (rank 1 of 3) · test accuracy 0.91 · latency (s) 0.002"
        " · params (M) 1.5",
        "cora: valid accuracy 0.5 (rank 3 of 3) · test accuracy - · latency (s) 0.001"
        " · params (M) -",
    ]
    # Ranked by the first ranked figure, whichever column it is; a line break after it.
    by_test = truth_hover(truth, "x", metrics, {"test": "test accuracy"}, "<br>").tolist()
    assert by_test[0] == (
        "x: valid accuracy 0.8027 · test accuracy 0.8023 (rank 2 of 2)<br>latency (s) 0.0123"
        " · params (M) 0.123"
    )
    assert by_test[1] == "not evaluated on x"


def test_curves_figure_has_a_line_per_curve_from_epoch_one():
    fig = curves_figure({"train accuracy": np.array([0.5, 0.6]), "valid loss": [1.0, 0.9]}, "x")
    assert [t.name for t in fig.data] == ["train accuracy", "valid loss"]
    assert list(fig.data[0].x) == [1, 2] and fig.layout.title.text == "x"
