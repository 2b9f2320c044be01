"""Numbers that say what they are: spreads, margins within the predictor's error, the model card's
sentences, the CLI command of a search, exports that name their model, legends that agree."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest

from ngae.explorer import (
    DataStats,
    FoundArch,
    ModelCard,
    SearchConfig,
    SearchResults,
    SearchSummary,
)
from ngae.explorer.card import lr_schedule
from ngae.spaces.registry import SPACES
from ngae.ui.card import epochs_line, heads_line, lr_line, rate
from ngae.ui.commands import search_command
from ngae.ui.naming import names_of
from ngae.ui.numbers import margin_text, spread_text, whole, with_spread, within_error
from ngae.ui.tables import (
    results_csv,
    results_frame,
    selection_exports,
    selection_frame,
    selection_stats,
)

ENAS, ASIA = names_of(SPACES["enas6"].naming), names_of(SPACES["asia"].naming)


# ----- spreads and margins ---------------------------------------------------------------------
def test_a_prediction_is_written_with_its_spread():
    assert with_spread(0.74761, 0.00123, ENAS) == "0.7476 ± 0.0012"
    assert with_spread(-11400.26, 85.24, ASIA) == "-11,400.3 ± 85.2"
    assert with_spread(0.7476, None, ENAS) == "0.7476"  # no spread known: the value alone
    assert with_spread(0.7476, float("nan"), ENAS) == "0.7476"
    assert spread_text(0.00003, ENAS) == "< 0.0001"  # never a spread of 0.0000


def test_a_margin_below_the_predictors_error_says_so():
    # the case: +0.0002 predicted against the head's test RMSE 0.0015
    text = margin_text(0.0002, 0.0015, ENAS, "vs data set best within cap")
    assert text == "+0.0002 vs data set best within cap, within the predictor's error (± 0.0015)"
    assert within_error(0.0002, 0.0015) and within_error(-0.001, 0.0015)
    assert margin_text(0.003, 0.0015, ENAS, "vs x") == "+0.0030 vs x (predictor's error ± 0.0015)"
    # Asia: +19.0 predicted BIC against an RMSE of 111.5
    assert margin_text(19.0, 111.5, ASIA, "vs data set best").endswith(
        "within the predictor's error (± 111.5)"
    )
    assert not within_error(0.002, float("nan"))
    assert margin_text(float("nan"), 0.0015, ENAS, "vs x") == "no margin vs x"


def test_counts_are_whole_numbers_with_separators():
    assert whole(1732000) == "1,732,000" and whole(5962501.4321) == "5,962,501"
    assert whole(float("nan")) == "-"


# ----- the model card -------------------------------------------------------------------------
def card(**changes) -> ModelCard:
    data = DataStats(10, 10, 8, 2, 0.7, 0.75, 0.72, 1, 2)
    base = dict(
        name="m.pt", epoch=100, model_config={}, train_config={"epochs": 300, "lr": 1e-4},
        history=pd.DataFrame(), evaluation={}, published={}, data=data,
    )  # fmt: skip
    return ModelCard(**(base | changes))


HISTORY = [{"epoch": e, "lr": 1e-3 if e <= 52 else 1e-4} for e in range(1, 101)]


def test_the_lr_schedule_is_read_from_the_history():
    assert lr_schedule(HISTORY) == ((1, 52, 1e-3), (53, 100, 1e-4))
    assert lr_schedule([{"epoch": 1, "lr": 5e-4}]) == ((1, 1, 5e-4),)
    assert lr_schedule([{"epoch": 1}, {"epoch": 2, "lr": 1e-3}]) == ((2, 2, 1e-3),)
    assert lr_schedule([]) == ()
    assert (rate(1e-3), rate(5e-4), rate(1e-4), rate(0.00015)) == (
        "1e-3",
        "5e-4",
        "1e-4",
        "0.00015",
    )


def test_the_card_says_epochs_done_of_planned_and_the_recorded_lr():
    shipped = card(lr_schedule=lr_schedule(HISTORY))
    assert shipped.planned == 300  # no recorded plan: the training config's
    line = epochs_line(shipped)
    assert line.startswith("Trained for **100 of 300 planned epochs**.")
    assert "the file's history ends at epoch 100" in line
    lr = lr_line(shipped)
    assert lr.startswith(
        "Learning rate, as the file's history records it: 1e-3 for epochs 1-52, then 1e-4 for "
        "epochs 53-100."
    )
    assert "names one rate, 1e-4: the history is the record of what ran" in lr
    done = card(epoch=52, epochs_planned=52, train_graphs=18000, train_config={"lr": 1e-3},
                lr_schedule=((1, 52, 1e-3),))  # fmt: skip
    assert epochs_line(done) == "Trained for 52 epochs (as planned) on 18,000 training graphs."
    assert lr_line(done) == "Learning rate, as the file's history records it: 1e-3 for epochs 1-52."
    partial = card(epoch=3, epochs_planned=10)
    assert "**3 of 10 planned epochs**" in epochs_line(partial)
    assert "**Partial:**" in epochs_line(partial)
    assert lr_line(card()) is None
    final = card(epoch=30, train_graphs=180000, stopped_at=34, train_config={"epochs": 34})
    assert epochs_line(final) == (
        "Trained for 30 epochs on 180,000 training graphs. "
        "(Its run planned 34 and was stopped here by choice.)"
    )


def test_the_card_names_the_refitted_heads():
    info = {"epochs": 100, "lr": 1e-3, "first_loss": 0.0010085, "last_loss": 0.0004759}
    line = heads_line(card(heads_refit=info))
    assert line.startswith("**Predictor heads refitted** after training")
    assert "(100 epochs, lr 1e-3, loss 0.00101 → 0.000476)" in line
    assert heads_line(card()) is None


# ----- a search's command line ------------------------------------------------------------------
def test_the_cli_command_gives_the_same_search():
    from dataclasses import asdict

    from ngae.cli import build_parser
    from ngae.commands.search import config_from

    cfg = SearchConfig(optimizer="sgd", strategy="optimal", samples=7, steps=30, lr=0.0123,
                       lambda_cmplx=2.5, max_params=1.5e6, decodes=12, project_every=5,
                       trust_radius=2.0, seed=3)  # fmt: skip
    command = search_command(asdict(cfg), "checkpoints/my model.pt")
    assert command.startswith("python -m ngae search --checkpoint 'checkpoints/my model.pt' ")
    assert "--max-params 1500000 " in command and "--search-lr 0.0123 " in command
    import shlex

    args = build_parser().parse_args(shlex.split(command)[3:])
    assert args.checkpoint == "checkpoints/my model.pt"
    assert config_from(args) == cfg
    # no cap: no flag (the CLI's default, no limit, for every shipped space)
    assert "--max-params" not in search_command(asdict(SearchConfig()), "x.pt")


# ----- exports that name their model -------------------------------------------------------------
ARCH = "1 4 0 5 0 0 0 1 1 1 2 1 1 1 1 3 0 0 0 0 1"


def found(k: int, acc: float) -> FoundArch:
    return FoundArch(
        sample=k, arch=ARCH, valid=True, novel=True, in_dataset=False, true_acc=None,
        params=9796512, pred_acc=acc, pred_params=9.8e6, pred_acc_latent=acc,
        pred_params_latent=9.7e6, decode_share=0.5, start_arch=ARCH, start_true_acc=0.74,
        trajectory=[[0.0, 1.0]],
    )  # fmt: skip


def search_result() -> SearchResults:
    summary = SearchSummary(2, 2, 2, 0.76, False, 0)
    return SearchResults([found(0, 0.75), found(1, 0.76)], 0.74, {"samples": 2, "lr": 0.01},
                         summary, 1.5, checkpoint="ngae_default.pt",
                         checkpoint_sha="caad170c40c2")  # fmt: skip


def test_search_exports_name_the_checkpoint_and_carry_the_spread():
    res = search_result()
    table = results_frame(res, np.array([0.001, 0.002]))
    assert list(table.columns[table.columns.get_loc("pred_acc") :][:2]) == [
        "pred_acc",
        "pred_acc_sd",
    ]
    csv = pd.read_csv(io.StringIO(results_csv(res, np.array([0.001, 0.002]))))
    assert set(csv.checkpoint) == {"ngae_default.pt"} and set(csv.checkpoint_sha) == {
        "caad170c40c2"
    }
    assert csv.pred_acc_sd.tolist() == [0.001, 0.002]
    from ngae.ui.tables import results_json

    doc = json.loads(results_json(res))
    assert (doc["checkpoint"], doc["checkpoint_sha"]) == ("ngae_default.pt", "caad170c40c2")


def selection_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "arch": ["a", "b", "c"],
            "split": ["train"] * 3,
            "true_acc": [0.7, 0.72, 0.74],
            "params": [1_000_000, 1_732_000, 2_464_000],
            "pred_acc": [0.71, 0.73, 0.75],
            "pred_params": [1_000_123.4567, 1_732_001.2345, 2_464_002.5],
        }
    )


def test_selection_figures_are_readable():
    stats = selection_stats(selection_table(), [0, 1, 2], ENAS).set_index("figure")
    assert stats.loc["exact params"].tolist() == ["1,732,000", "1,000,000", "2,464,000"]
    assert stats.loc["predicted params", "mean"] == "1,732,042"  # no four decimals
    assert stats.loc["true accuracy"].tolist() == ["0.7200", "0.7000", "0.7400"]
    asia = selection_stats(selection_table().assign(true_acc=[-11320.31, -11400.0, -11500.0]),
                           [0, 1], ASIA).set_index("figure")  # fmt: skip
    assert asia.loc["true BIC", "min"] == "-11,400.0"


def test_selection_exports_name_the_model_and_the_projection():
    xy = np.array([[0.5, 1.5], [2.0, -1.0], [3.0, 3.0]], dtype=np.float32)
    frame = selection_frame(selection_table(), [2, 0], xy, "pca")
    assert list(frame.columns[:3]) == ["index", "pca_x", "pca_y"]
    assert frame.pca_x.tolist() == [3.0, 0.5] and frame["index"].tolist() == [2, 0]
    model = {"checkpoint": "ngae_asia.pt", "checkpoint_sha": "8f0f9d8a8a1f", "projection": "pca"}
    files = selection_exports(frame, model)
    csv = pd.read_csv(io.BytesIO(files["csv"][0]))
    assert set(csv.checkpoint) == {"ngae_asia.pt"} and set(csv.projection) == {"pca"}
    parquet = pd.read_parquet(io.BytesIO(files["parquet"][0]))
    assert set(parquet.checkpoint_sha) == {"8f0f9d8a8a1f"}
    rows = json.loads(files["json"][0])
    assert all({k: r[k] for k in model} == model for r in rows)
    assert [r["index"] for r in rows] == [2, 0] and rows[0]["pca_y"] == 3.0


# ----- figures: hover labels, scales, axes, zoom ------------------------------------------------
def asia_table(n: int = 6) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    strings = ["".join(rng.choice(["0", "1"], 64, p=[0.9, 0.1])) for _ in range(n)]
    strings[0] = "1" + "0" * 5 + "1" + "0" * 57  # reads as a number: 1.000001e+63
    return pd.DataFrame(
        {
            "arch": strings,
            "pred_acc": rng.normal(-11500, 100, n),
            "true_acc": rng.normal(-11500, 100, n),
            "params": rng.integers(10, 200, n),
            "pred_error": rng.normal(0, 50, n),
        }
    )


def test_hover_labels_stay_text_and_signed_colours_diverge_around_zero():
    from ngae.ui.figures import map_figure, pca_axes

    table = asia_table()
    xy = np.random.default_rng(1).normal(size=(len(table), 2))
    shown = np.arange(len(table))
    fig = map_figure(xy, table, shown, "pred_acc", "x", names=ASIA)
    assert list(fig.data[0].text) == table.arch.tolist()  # 64 digits, never 1.000001e+63
    labels = [f"edges of {k}" for k in range(len(table))]
    fig = map_figure(xy, table, shown[2:], "pred_error", "predicted - true", names=ASIA,
                     hover=labels, axes=pca_axes((0.234, 0.05)))  # fmt: skip
    assert list(fig.data[0].text) == labels[2:]
    marker = fig.data[0].marker
    assert marker.cmid == 0 and marker.colorscale[0][1] == "rgb(5,48,97)"  # RdBu_r: blue at min
    assert fig.layout.xaxis.title.text == "PC1 (23.4% of the variance)"
    assert fig.layout.yaxis.title.text == "PC2 (5.0% of the variance)"
    plain = map_figure(xy, table, shown, "pred_acc", "x", names=ASIA)
    assert plain.data[0].marker.cmid is None


def test_a_filtered_map_zooms_to_what_it_shows():
    from ngae.ui.figures import shown_window

    xy = np.array([[0.0, 0.0], [10.0, 10.0], [1.0, 2.0], [3.0, 4.0]])
    window = shown_window(xy, np.array([2, 3]), pad=0.5)
    assert window == {"xaxis_range": [0.0, 4.0], "yaxis_range": [1.0, 5.0]}
    assert shown_window(xy, np.array([], dtype=int)) is None


def test_the_atlas_first_op_uses_the_legends_colours():
    from types import SimpleNamespace

    import plotly.graph_objects as go

    from ngae.ui.layers import NO_COLOUR, add_atlas, discrete_scale, type_colours

    enas = SPACES["enas6"]
    names = enas.type_names(8)
    colours = type_colours(names, tuple(enas.legend()))
    assert colours[:2] == [NO_COLOUR, NO_COLOUR]  # input, output
    assert colours[2:] == [c for c, _ in enas.legend()]  # conv3x3 ... in the legend's colours
    asia = SPACES["asia"]
    asia_colours = type_colours(asia.type_names(10), tuple(asia.legend()))
    assert asia_colours[2:] == [c for c, _ in asia.legend()]  # "A: visit to Asia" names A
    assert discrete_scale(["#111", "#222"]) == [[0, "#111"], [0.5, "#111"], [0.5, "#222"],
                                                [1.0, "#222"]]  # fmt: skip
    size = 2
    atlas = SimpleNamespace(
        size=size, xs=np.arange(size, dtype=float), ys=np.arange(size, dtype=float),
        values={"first": np.array([2.0, 3.0, 2.0, 7.0]), "complexity": np.arange(4.0)},
        border=np.zeros((size, size), dtype=bool),
    )  # fmt: skip
    fig = add_atlas(go.Figure(), atlas, "first", "first op", names, colours)
    heat = fig.data[0]
    assert (heat.zmin, heat.zmax, heat.showscale) == (-0.5, 7.5, False)
    scale = dict((round(a, 4), c) for a, c in heat.colorscale[1::2])
    assert scale[round(3 / 8, 4)] == colours[2]  # value 2 (conv3x3) in the legend's yellow
    numeric = add_atlas(go.Figure(), atlas, "complexity", "exact params", names, colours).data[0]
    assert numeric.showscale and numeric.colorbar.title.text == "exact params"


@pytest.mark.parametrize("space", ["enas6", "asia"])
def test_a_space_without_a_legend_colour_gets_the_neutral_one(space):
    from ngae.ui.layers import NO_COLOUR, type_colours

    assert type_colours(["input", "nothing"], tuple(SPACES[space].legend())) == [NO_COLOUR] * 2


def test_selection_members_keep_their_colours_on_the_maps_scale():
    import plotly.graph_objects as go

    from ngae.ui.figures import SELECTION_TRACE, add_selection

    fig = add_selection(go.Figure(), np.array([[0.0, 1.0], [2.0, 3.0]]), np.array([-0.01, 0.02]),
                        "pred_error", (-0.05, 0.05))  # fmt: skip
    trace = fig.data[0]
    assert trace.name == SELECTION_TRACE and list(trace.x) == [0.0, 2.0]
    assert (trace.marker.cmin, trace.marker.cmax, trace.marker.cmid) == (-0.05, 0.05, 0.0)
    assert list(trace.marker.color) == [-0.01, 0.02] and trace.hoverinfo == "skip"


def test_a_space_whose_legend_colours_no_type_shades_the_first_type_on_a_scale():
    from ngae.ui.layers import NO_COLOUR, atlas_colours

    shading = atlas_colours("first", "first op", [NO_COLOUR] * 5)
    assert shading["showscale"] and shading["colorbar"]["title"]["text"] == "first op"
