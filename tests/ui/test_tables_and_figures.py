"""Tables, downloads, form parsing and figures built from what the explorer returns."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ngae.explorer import (
    FoundArch,
    Job,
    ParetoFront,
    SearchResults,
    SearchSummary,
    UserInputError,
)
from ngae.ui import figures
from ngae.ui.figures import cloud_figure, history_figure
from ngae.ui.forms import count, parse_number
from ngae.ui.tables import (
    RESULT_COLUMNS,
    eval_settings,
    jobs_frame,
    metrics_table,
    results_frame,
    results_json,
)

ARCH = "1 4 0 5 0 0 0 1 1 1 2 1 1 1 1 3 0 0 0 0 1"


def found(k: int, acc: float = 0.75) -> FoundArch:
    return FoundArch(
        sample=k, arch=ARCH, valid=True, novel=True, in_dataset=False, true_acc=None,
        params=9796512, pred_acc=acc, pred_params=9.8e6, pred_acc_latent=acc + 0.01,
        pred_params_latent=9.7e6, decode_share=0.5, start_arch=None, start_true_acc=None,
        trajectory=[[0.0, 1.0], [0.5, 1.5]],
    )  # fmt: skip


def result(*items: FoundArch) -> SearchResults:
    summary = SearchSummary(2, len(items), len(items), float("nan"), False, 0)
    return SearchResults(list(items), 0.74, {"samples": 2, "lr": 0.01}, summary, 1.5)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3000000", 3e6),
        ("3,000,000", 3e6),
        ("3 000 000", 3e6),
        ("3_000_000", 3e6),
        ("3e6", 3e6),
        ("3M", 3e6),
        ("1.5 M", 1.5e6),
        ("250k", 2.5e5),
        (" 1_000.5 ", 1000.5),
        ("0.01", 0.01),
        ("2G", 2e9),
        ("-1", -1.0),
    ],
)
def test_numbers_are_read_the_ways_people_write_them(text, value):
    assert parse_number(text, "Max params") == pytest.approx(value)


@pytest.mark.parametrize("text", ["fast", "nan", "1,00", "3MM", "1e999", "1.2.3"])
def test_what_is_not_a_number_is_named_by_its_label(text):
    with pytest.raises(UserInputError, match="^Max params: "):
        parse_number(text, "Max params")
    assert parse_number("  ", "Max params") is None


def test_counts_for_people():
    assert count(908448) == "908,448"
    assert count(11787936) == "11.79 M" and count(1_500_000) == "1.5 M" and count(3e6) == "3 M"
    assert count(float("nan")) == "-"


def test_results_table_and_json_export():
    res = result(found(0), found(1, 0.76))
    table = results_frame(res)
    assert list(table.columns) == RESULT_COLUMNS and table.pred_acc.tolist() == [0.75, 0.76]
    assert list(results_frame(result()).columns) == RESULT_COLUMNS  # empty, same columns
    doc = json.loads(results_json(res))
    assert doc["summary"]["best_pred_acc"] is None  # NaN written as null
    assert doc["results"][1]["trajectory"] == [[0.0, 1.0], [0.5, 1.5]]
    assert doc == json.loads(json.dumps(res.to_dict(), default=float).replace("NaN", "null"))


def test_jobs_table():
    job = Job(
        3, "train", "running", 0.0, 1.0, 0.456, 2, 10, "epoch 3/10", "x.pt", [], {"mode": "new"}
    )
    row = jobs_frame([job]).iloc[0]
    assert (row.id, row.progress, row.epoch, row["mode"]) == (3, 46, "2/10", "new")
    assert row.created == "1970-01-01 00:00:00"


def test_metrics_table_and_settings_line():
    table = metrics_table(
        {"recon_acc": 0.99, "seconds": 5, "note": "x"}, {"D-VAE": {"recon_acc": 1.0}}
    )
    assert table.loc["recon_acc"].tolist() == [0.99, 1.0] and "note" not in table.index
    assert "seconds" not in table.index  # bookkeeping goes to the caption
    assert eval_settings({"recon_decodes": 100, "seconds": 5.4, "x": 1}) == (
        "recon decodes 100, seconds 5"
    )


def test_history_and_cloud_figures():
    fig = history_figure([{"epoch": 1, "loss": 3.0, "recon": 2.0, "kl": 1.0, "lr": 1e-4}])
    assert {t.name for t in fig.data} == {"loss", "recon", "kl", "lr"}
    lr_axis = fig.layout[f"yaxis{figures.HIST_PANELS.index(('learning rate', ('lr',))) + 1}"]
    assert lr_axis.type == "log"
    import pandas as pd

    table = pd.DataFrame({"params": [1e6, 2e6], "pred_acc": [0.7, 0.72], "arch": ["a", "b"]})
    front = ParetoFront(arch=["b", "a"], pred_acc=[0.72, 0.7], params=[2e6, 1e6], source=["d"] * 2)
    cloud = cloud_figure(table, front, [found(0)])
    names = [t.name for t in cloud.data]
    assert names == ["data set", "Pareto front", "found"]
    assert list(cloud.data[1].x) == [1e6, 2e6]  # the front sorted by params
    assert list(cloud.data[2].y) == [0.75]
    empty = cloud_figure(table, ParetoFront([], [], [], []), [])
    assert [t.name for t in empty.data] == ["data set"]
    assert np.isfinite(list(cloud.data[0].y)).all()


def test_map_figure_serialises_without_cleaning_and_keeps_its_values():
    import orjson
    import pandas as pd
    import plotly.io

    from ngae.ui.selection import probe_grid

    rng = np.random.default_rng(0)
    n = 500
    table = pd.DataFrame(
        {
            "arch": [f"{k} 0 1" for k in range(n)],
            "pred_acc": rng.random(n),
            "true_acc": rng.random(n),
            "params": rng.integers(10**5, 10**7, n),
        }
    )
    xy = rng.normal(size=(n, 2)).astype(np.float32)
    shown = np.arange(0, n, 2)
    fig = figures.map_figure(xy, table, shown, "pred_acc", "predicted accuracy", probe_grid(xy))
    # orjson takes the figure as it is: Plotly's element-wise cleaning (0.1-0.35 s) never runs
    orjson.dumps(fig.to_dict(), option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS)
    data, probes = fig.data
    custom = np.asarray(data.customdata)
    assert custom.dtype == np.float64 and custom.shape == (len(shown), 4)
    assert np.array_equal(custom[:, 0], shown)
    assert np.array_equal(custom[:, 2], table.params.to_numpy()[shown])
    assert list(data.text) == table.arch.iloc[shown].tolist()
    assert set(np.asarray(probes.customdata)[:, 0].tolist()) == {-1.0}
    spec = json.loads(plotly.io.to_json(fig, validate=False))
    assert spec["data"][0]["text"][:2] == ["0 0 1", "2 0 1"]
    assert spec["layout"]["clickmode"] == "event+select"


def test_a_typed_customdata_row_is_read_like_a_list():
    from ngae.ui.selection import selected_points

    event = {"selection": {"points": [{"customdata": {"0": 7.0, "1": 0.7, "2": 1e6, "3": 0.7}}]}}
    assert selected_points(event, np.arange(10)) == [("data", 7)]
    probe = {"selection": {"points": [{"customdata": {"0": -1.0, "1": 0.25, "2": -0.5}}]}}
    assert selected_points(probe, np.arange(10)) == [("probe", (0.25, -0.5))]


def test_compare_with_parent_flags_what_got_worse():
    from ngae.ui.tables import compare_with_parent

    parent = {"perf_pearson": 0.968, "perf_rmse": 0.0015, "recon_acc": 0.99, "epoch": 300}
    child = {"perf_pearson": 0.944, "perf_rmse": 0.0014, "recon_acc": 0.99, "epoch": 3}
    table = compare_with_parent(child, parent)
    assert table.loc["perf_pearson", "verdict"] == "worse"
    assert table.loc["perf_rmse", "verdict"] == "better"  # lower is better
    assert table.loc["recon_acc", "verdict"] == "same"
    assert table.loc["perf_pearson", "change"] == pytest.approx(-0.024)
    assert "epoch" not in table.index  # bookkeeping is not a figure


def test_compare_with_parent_errors_are_lower_is_better_and_protocols_must_match():
    from ngae.ui.tables import compare_with_parent

    parent = {"cmplx_mape_raw": 0.012, "cmplx_r2_raw": 0.99, "protocol": "full"}
    child = {"cmplx_mape_raw": 0.055, "cmplx_r2_raw": 0.95, "protocol": "full"}
    table = compare_with_parent(child, parent)
    assert table.loc["cmplx_mape_raw", "verdict"] == "worse"  # 4.6x the error
    assert table.loc["cmplx_r2_raw", "verdict"] == "worse"
    quick = compare_with_parent(child | {"protocol": "quick"}, parent)
    assert set(quick["verdict"]) == {"not comparable (other protocol)"}


def test_history_axes_tick_whole_epochs():
    fig = history_figure([{"epoch": e, "loss": 1.0 / e, "lr": 1e-4} for e in (1, 2, 3)])
    assert fig.layout.xaxis.tickformat == "d" and fig.layout.xaxis.dtick == 1
