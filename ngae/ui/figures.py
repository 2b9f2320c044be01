"""Plotly figures for the dashboard: the latent map, training curves, predictions, search.

Pure functions of DataFrames and arrays (no Streamlit), so they run and are tested anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ngae.explorer import METHOD_LABELS, FoundArch, MethodCurves, ParetoFront
from ngae.ui.naming import Names, names_for

DATA_TRACE = "architectures"

PROBE_TRACE = "decode anywhere"
SELECTION_TRACE = "selection"  # a box or lasso's members, outlined
TEXT_KEYS = ("text", "hovertext")  # trace keys that hold labels, never numbers

HIST_PANELS = (
    ("loss", ("loss", "recon")),
    ("KL", ("kl",)),
    ("predictor losses", ("perf", "cmplx")),
    ("learning rate", ("lr",)),
    ("test greedy reconstruction", ("test_recon_greedy",)),
    ("test RMSE of the heads", ("test_perf_rmse", "test_cmplx_rmse")),
    ("graphs / s", ("graphs_per_s",)),
)
HIST_COLS = 4
HIST_LOG_PANELS = (0, 2, 3, 5)  # losses, learning rate, RMSEs


SIGNED_COLUMNS = ("pred_error",)  # coloured on a diverging scale centred on 0
SIGNED_SCALE = "RdBu_r"  # blue below 0, white at 0, red above


def colour_scale(column: str) -> dict:
    """The marker colour settings for a column: diverging around 0 for a signed one."""
    if column in SIGNED_COLUMNS:
        return {"colorscale": SIGNED_SCALE, "cmid": 0.0}
    return {"colorscale": "Viridis"}


def map_figure(
    xy: np.ndarray,
    table: pd.DataFrame,
    shown: np.ndarray,
    colour: str,
    colour_label: str,
    probes: np.ndarray | None = None,
    height: int = 620,
    names: Names | None = None,
    hover: list[str] | None = None,
    axes: tuple[str, str] | None = None,
) -> go.Figure:
    """The latent map: one WebGL point per shown architecture, coloured by ``colour``.

    ``customdata`` rows are ``[index, pred_acc, params, true_acc]``; the hover shows the
    object (``hover``: one label per table row, e.g. ``Explorer.hover_text`` of each string;
    the strings themselves by default) and those figures, in the space's words (``names``;
    ENAS-6's by default). A second faint trace holds the decode-anywhere ``probes``. A signed
    colour (the predictor's error) gets a diverging scale centred on 0; ``axes`` titles the
    axes.
    """
    words = names or names_for(None)
    num = ":" + words.perf_format[1:]  # "%.4f" -> ":.4f"
    sub = table.iloc[shown]
    labels = sub.arch if hover is None else pd.Series(hover, dtype=object).iloc[shown]
    figures = [sub.pred_acc.round(4), sub.params, sub.true_acc.round(4)]
    # Object arrays while Plotly validates (it does not check 20,000 rows one by one: 0.05 s
    # instead of 0.7 s); :func:`plain_figure` then turns them into arrays orjson writes.
    custom = np.column_stack([shown, *figures]).astype(object)
    fig = go.Figure(
        go.Scattergl(
            x=xy[shown, 0],
            y=xy[shown, 1],
            mode="markers",
            name=DATA_TRACE,
            marker={
                "size": 4,
                "color": sub[colour].to_numpy(),
                **colour_scale(colour),
                "showscale": True,
                "colorbar": {"title": {"text": colour_label}, "thickness": 12},
            },
            customdata=custom,
            selected={"marker": {"size": 14, "color": "#E45756"}},
            unselected={"marker": {"opacity": 1.0}},  # a click keeps the map's colours
            text=labels.to_numpy(dtype=object),
            hovertemplate=(
                f"#%{{customdata[0]}}: %{{text}}<br>{words.short_pred} %{{customdata[1]{num}}} · "
                f"{words.short_true} %{{customdata[3]{num}}}<br>{words.params} "
                "%{customdata[2]:,}<extra></extra>"
            ),
        )
    )
    if probes is not None:
        fig.add_trace(
            go.Scattergl(
                x=probes[:, 0],
                y=probes[:, 1],
                mode="markers",
                name=PROBE_TRACE,
                marker={"size": 7, "color": "rgba(120,120,120,0.18)", "symbol": "cross"},
                selected={"marker": {"size": 16, "color": "#E45756"}},
                customdata=[[-1, x, y] for x, y in probes.tolist()],
                hovertemplate="decode (%{x:.2f}, %{y:.2f})<extra></extra>",
            )
        )
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        showlegend=False,
        dragmode="pan",
        hovermode="closest",
        uirevision="latent-map",
        clickmode="event+select",
        # a box or lasso shows as a thin outline: the points inside stay visible
        newselection={"line": {"color": "#333333", "width": 1, "dash": "dot"}},
        activeselection={"fillcolor": "rgba(0,0,0,0)", "opacity": 1},
    )
    if axes is not None:
        fig.update_layout(xaxis_title=axes[0], yaxis_title=axes[1])
    return plain_figure(fig)


def pca_axes(variance: tuple[float, float]) -> tuple[str, str]:
    """Axis titles of the PCA map: ``PC1 (23.4% of the variance)``."""
    return tuple(f"PC{k + 1} ({share:.1%} of the variance)" for k, share in enumerate(variance))


def shown_window(xy: np.ndarray, shown: np.ndarray, pad: float = 0.05) -> dict | None:
    """Axis ranges around the shown points (a margin of ``pad`` each side); ``None`` if none.

    A filtered map zooms to what it shows: ``fig.update_layout(**shown_window(xy, shown))``.
    """
    if len(shown) == 0:
        return None
    pts = np.asarray(xy)[np.asarray(shown, dtype=int)]
    lo, hi = np.nanmin(pts, 0), np.nanmax(pts, 0)
    span = np.maximum(hi - lo, 1e-6)
    lo, hi = lo - pad * span, hi + pad * span
    return {
        "xaxis_range": [float(lo[0]), float(hi[0])],
        "yaxis_range": [float(lo[1]), float(hi[1])],
    }


def plain_figure(fig: go.Figure) -> go.Figure:
    """The same figure, with arrays that serialise without Plotly's element-wise cleaning.

    ``st.plotly_chart`` serialises its figure on every rerun (a click on the map reruns it).
    Object arrays (numbers or strings) make orjson refuse the figure, and Plotly then cleans
    it element by element: 0.1-0.35 s for the 20,000-point map. Here numeric object arrays
    become float arrays (sent base64-encoded; a selection returns such a point's
    ``customdata`` as an index-keyed dict, which :func:`ngae.ui.selection.selected_points`
    reads), string arrays plain lists, and the figure is not validated again: 0.03 s a rerun.
    """
    spec = fig.to_dict()
    for trace in spec["data"]:
        for key, value in trace.items():
            if key in TEXT_KEYS and isinstance(value, np.ndarray):
                trace[key] = value.tolist()  # labels stay text: 64 digits are not a number
            elif isinstance(value, np.ndarray) and value.dtype == object:
                try:
                    trace[key] = value.astype(np.float64)
                except (TypeError, ValueError):
                    trace[key] = value.tolist()
    return go.Figure(spec, _validate=False)


def add_marks(
    fig: go.Figure,
    xy: np.ndarray,
    name: str,
    symbol: str = "star",
    colour: str = "#E45756",
    size: int = 16,
    line: bool = False,
    labels: list[str] | None = None,
) -> go.Figure:
    """Overlay marks (a decoded position, a path) that do not take part in selections.

    WebGL like the cloud, and added after it: WebGL traces are drawn above every SVG trace
    whatever their order, so an SVG mark would sit under 20,000 points.
    """
    xy = np.atleast_2d(np.asarray(xy, float))
    fig.add_trace(
        go.Scattergl(
            x=xy[:, 0],
            y=xy[:, 1],
            name=name,
            mode="lines+markers+text" if labels else ("lines+markers" if line else "markers"),
            text=labels,
            textposition="top center",
            marker={
                "symbol": symbol,
                "size": size,
                "color": colour,
                "line": {"width": 1, "color": "white"},
            },
            line={"color": colour, "width": 2},
            hoverinfo="skip",
        )
    )
    return fig


def add_selection(
    fig: go.Figure, xy: np.ndarray, values: np.ndarray, column: str, span: tuple[float, float]
) -> go.Figure:
    """A box or lasso's members drawn again over the cloud, outlined dark.

    A little larger, in their own colours (``values`` of ``column`` on the map's scale, ``span``
    its ends): rings would hide the colours of a dense selection; outlines keep them. WebGL,
    after the cloud (see :func:`add_marks`); no hover, no part in selections.
    """
    xy = np.atleast_2d(np.asarray(xy, float))
    fig.add_trace(
        go.Scattergl(
            x=xy[:, 0],
            y=xy[:, 1],
            name=SELECTION_TRACE,
            mode="markers",
            marker={
                "size": 6,
                "color": np.asarray(values, float),
                **colour_scale(column),
                "cmin": span[0],
                "cmax": span[1],
                "line": {"width": 1, "color": "rgba(0,0,0,0.85)"},
            },
            hoverinfo="skip",
        )
    )
    return fig


def history_figure(history: pd.DataFrame | list[dict], height: int = 480) -> go.Figure:
    """Training curves: losses, KL, predictor losses, learning rate, test metrics, speed."""
    df = pd.DataFrame(history)
    rows = -(-len(HIST_PANELS) // HIST_COLS)
    fig = make_subplots(
        rows=rows,
        cols=HIST_COLS,
        subplot_titles=[t for t, _ in HIST_PANELS],
        horizontal_spacing=0.06,
        vertical_spacing=0.16,
    )
    for k, (_, cols) in enumerate(HIST_PANELS):
        where = {"row": k // HIST_COLS + 1, "col": k % HIST_COLS + 1}
        for col in cols:
            if col in df and df[col].notna().any():
                part = df[["epoch", col]].dropna()
                mode = "lines+markers" if len(part) < 30 else "lines"
                fig.add_trace(go.Scatter(x=part.epoch, y=part[col], name=col, mode=mode), **where)
        if k in HIST_LOG_PANELS:
            # a few labelled powers of ten: a log axis over a narrow range otherwise labels
            # every minor tick and the labels run into each other (learning rates: decades only)
            decades = {"dtick": 1} if cols == ("lr",) else {}
            fig.update_yaxes(type="log", tickformat=".0e", nticks=4, **decades, **where)
    # whole epochs only (a 3-epoch run otherwise gets ticks at 1.5 and 2.5)
    epochs = int(df["epoch"].max()) if "epoch" in df and len(df) else 1
    fig.update_xaxes(tickformat="d", dtick=max(1, -(-epochs // 6)), title_text=None)
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        legend={"orientation": "h", "y": -0.12},
    )
    return fig


def prediction_figure(
    df: pd.DataFrame,
    pred: str,
    true: str,
    title: str,
    log: bool = False,
    hover: Callable[[str], str] = str,
) -> go.Figure:
    """Predicted against true on the test split, with the diagonal and the RMSE.

    ``hover`` turns an object string into its hover label (``Explorer.hover_text``).
    """
    rmse = float(np.sqrt(np.mean((df[pred] - df[true]) ** 2))) if len(df) else float("nan")
    lo = float(min(df[pred].min(), df[true].min())) if len(df) else 0.0
    hi = float(max(df[pred].max(), df[true].max())) if len(df) else 1.0
    fig = go.Figure(
        [
            go.Scattergl(
                x=df[true],
                y=df[pred],
                mode="markers",
                marker={"size": 4, "opacity": 0.6},
                text=[hover(a) for a in df.arch],
                hovertemplate="%{text}<br>true %{x:.4g}<br>pred %{y:.4g}<extra></extra>",
            ),
            go.Scatter(
                x=[lo, hi],
                y=[lo, hi],
                mode="lines",
                line={"dash": "dash", "color": "grey"},
                hoverinfo="skip",
            ),
        ]
    )
    axis = {"type": "log"} if log else {}
    fig.update_layout(
        title=f"{title} (test RMSE {rmse:.4g}, n={len(df)})",
        showlegend=False,
        height=380,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        xaxis={"title": f"true {title.lower()}", **axis},
        yaxis={"title": f"predicted {title.lower()}", **axis},
    )
    return fig


def cloud_figure(
    table: pd.DataFrame,
    pareto: ParetoFront,
    results: list[FoundArch],
    height: int = 460,
    highlight: int | None = None,
    names: Names | None = None,
    label_of: Callable[[str], str] = str,
) -> go.Figure:
    """Predicted performance against exact complexity: data set, found objects, Pareto front.

    Everything over the cloud is WebGL too (see :func:`add_marks`); ``highlight`` (a row of
    ``results``) is ringed in black. Axes and hovers in the space's words (``names``; the
    default space's when ``None``); ``label_of`` turns an object string into its hover label
    (``Explorer.hover_text``).
    """
    words = names or names_for(None)
    num = ":" + words.perf_format[1:]  # "%.4f" -> ":.4f"
    hover = f"%{{text}}<br>{words.cmplx_short} %{{x:,}}<br>{words.short_pred} %{{y{num}}}"
    fig = go.Figure(
        go.Scattergl(
            x=table.params,
            y=table.pred_acc,
            mode="markers",
            name="data set",
            marker={"size": 3, "color": "rgba(100,110,130,0.35)"},
            text=[label_of(a) for a in table.arch],
            hovertemplate=hover + "<extra></extra>",
        )
    )
    front = pd.DataFrame(asdict(pareto)).sort_values("params") if pareto.arch else None
    if front is not None:
        fig.add_trace(
            go.Scattergl(
                x=front.params,
                y=front.pred_acc,
                name="Pareto front",
                mode="lines+markers",
                line={"shape": "hv", "color": "#F58518"},
                text=[label_of(a) for a in front.arch],
                hovertemplate="%{text}<extra>front</extra>",
            )
        )
    if results:
        found = pd.DataFrame(
            {k: [getattr(r, k) for r in results] for k in ("params", "pred_acc", "arch")}
        )
        fig.add_trace(
            _stars(found, "found", size=13, outline=(1, "white")).update(
                text=[label_of(a) for a in found.arch],
                hovertemplate=hover + "<extra>found</extra>",
            )
        )
        if highlight is not None and 0 <= highlight < len(found):
            chosen = found.iloc[[highlight]]
            fig.add_trace(_stars(chosen, "selected", size=24, outline=(3, "black"), hover=False))
    fig.update_layout(
        height=height,
        xaxis={"title": words.params, "type": "log"},
        yaxis={"title": words.pred_acc},
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"},
    )
    return fig


def _stars(
    found: pd.DataFrame, name: str, size: int, outline: tuple[int, str], hover: bool = True
) -> go.Scattergl:
    """Red stars at ``found``'s (params, pred_acc), outlined ``(width, colour)``."""
    return go.Scattergl(
        x=found.params,
        y=found.pred_acc,
        name=name,
        mode="markers",
        marker={
            "symbol": "star",
            "size": size,
            "color": "#E45756",
            "line": {"width": outline[0], "color": outline[1]},
        },
        hoverinfo=None if hover else "skip",
    )


def trajectory_figure(
    xy: np.ndarray,
    colour: np.ndarray,
    paths: list[np.ndarray],
    height: int = 520,
    highlight: int | None = None,
) -> go.Figure:
    """Search trajectories (start circle, end star) over the PCA map of the data set.

    WebGL above the cloud (see :func:`add_marks`); the ``highlight`` path is drawn thick and
    last, the others thinner.
    """
    fig = go.Figure(
        go.Scattergl(
            x=xy[:, 0],
            y=xy[:, 1],
            mode="markers",
            name="data set",
            hoverinfo="skip",
            marker={"size": 3, "color": colour, "colorscale": "Viridis", "opacity": 0.35},
        )
    )
    order = [k for k in range(len(paths)) if k != highlight]
    order += [highlight] if highlight is not None and 0 <= highlight < len(paths) else []
    for k in order:
        path, chosen = paths[k], k == highlight
        fig.add_trace(
            go.Scattergl(
                x=path[:, 0],
                y=path[:, 1],
                mode="lines",
                name="selected" if chosen else f"result {k}",
                line={"width": 5 if chosen else 1.5, "color": "black" if chosen else None},
                opacity=1.0 if chosen or highlight is None else 0.5,
                hoverinfo="name",
            )
        )
        fig.add_trace(
            go.Scattergl(
                x=path[[0, -1], 0],
                y=path[[0, -1], 1],
                mode="markers",
                name="ends",
                marker={
                    "symbol": ["circle", "star"],
                    "size": [9, 20] if chosen else [7, 13],
                    "color": "#E45756",
                    "line": {"width": 2 if chosen else 0, "color": "black"},
                },
                hoverinfo="skip",
                showlegend=False,
            )
        )
    fig.update_layout(height=height, showlegend=False, margin={"l": 10, "r": 10, "t": 30, "b": 10})
    return fig


def methods_figure(curves: MethodCurves, names: Names | None = None) -> go.Figure:
    """Best true score against oracle calls: per method the mean over seeds and its range.

    Dashed lines: the exact optimum and the best training object. Words from ``names`` (the
    space's; the default space's when ``None``).
    """
    words = names or names_for(None)
    fig = go.Figure()
    palette = ("#E45756", "#4C78A8", "#72B7B2", "#F58518")
    for k, (name, runs) in enumerate(curves.curves.items()):
        calls = np.arange(1, runs.shape[1] + 1)
        colour = palette[k % len(palette)]
        lo, hi = np.nanmin(runs, 0), np.nanmax(runs, 0)
        fig.add_trace(go.Scatter(x=calls, y=hi, mode="lines", line={"width": 0},
                                 showlegend=False, hoverinfo="skip"))  # fmt: skip
        fig.add_trace(go.Scatter(x=calls, y=lo, mode="lines", line={"width": 0}, fill="tonexty",
                                 fillcolor=colour + "33", showlegend=False,
                                 hoverinfo="skip"))  # fmt: skip
        fig.add_trace(go.Scatter(x=calls, y=np.nanmean(runs, 0), mode="lines",
                                 name=METHOD_LABELS.get(name, name),
                                 line={"color": colour, "width": 2}))  # fmt: skip
    for value, text in (
        (curves.optimum, "exact optimum"),
        (curves.dataset_best, f"best training {words.item}"),
    ):
        fig.add_hline(y=value, line_dash="dash", line_color="#666",
                      annotation_text=text, annotation_position="bottom right")  # fmt: skip
    fig.update_layout(
        xaxis_title=f"oracle calls (true {words.perf} of distinct valid {words.items})",
        yaxis_title=f"best true {words.perf} so far",
        height=420,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "y": -0.25},
    )
    return fig


def op_histogram(layer_ops: np.ndarray, op_names: tuple[str, ...], colours: tuple[str, ...]):
    """Stacked bars: how many selected cells use each op at each layer (layers from 1)."""
    layers = np.arange(1, layer_ops.shape[1] + 1)
    fig = go.Figure()
    for k, name in enumerate(op_names):
        fig.add_trace(
            go.Bar(
                x=layers,
                y=(layer_ops == k).sum(0),
                name=name,
                marker={"color": colours[k], "line": {"color": "#777777", "width": 0.5}},
                hovertemplate=f"layer %{{x}}: %{{y}} × {name}<extra></extra>",
            )
        )
    fig.update_layout(
        barmode="stack",
        height=260,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        title="ops per layer in the selection",
        xaxis={"title": "layer", "dtick": 1},
        yaxis={"title": "cells"},
        legend={"orientation": "h", "y": -0.3},
    )
    return fig


def aligned_figure(xy: np.ndarray, moved: np.ndarray, text: list[str], height: int = 520):
    """A second checkpoint's map turned onto the first, coloured by how far each point moved."""
    fig = go.Figure(
        go.Scattergl(
            x=xy[:, 0],
            y=xy[:, 1],
            mode="markers",
            name="aligned",
            text=text,
            marker={
                "size": 4,
                "color": moved,
                "colorscale": "Inferno",
                "showscale": True,
                "colorbar": {"title": {"text": "moved"}, "thickness": 12},
            },
            hovertemplate="%{text}<br>moved %{marker.color:.3f}<extra></extra>",
        )
    )
    fig.update_layout(
        height=height, margin={"l": 10, "r": 10, "t": 30, "b": 10}, dragmode="pan",
        title="second checkpoint, aligned to this map (orthogonal Procrustes)",
    )  # fmt: skip
    return plain_figure(fig)
