"""Pure helpers for the dashboard pages: figures, tables, input parsing, a background task.

Nothing here imports Streamlit, so every helper runs (and is tested) without a browser. The
pages turn what the service returns (DataFrames, dicts, DOT strings) into Plotly figures and
tables with these functions and keep only layout and widgets to themselves.
"""

from __future__ import annotations

import json
import math
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ngae.errors import USER_ERRORS, UserInputError

COLOUR_BY = {
    "predicted accuracy": "pred_acc",
    "predicted params": "pred_params",
    "true accuracy": "true_acc",
    "exact params": "params",
}
PROBE_TRACE = "decode anywhere"
RESULT_COLUMNS = (
    "arch valid novel in_dataset true_acc params pred_acc pred_params pred_acc_latent "
    "decode_share start_arch"
).split()
JOB_COLUMNS = "id status progress epoch output message created mode base".split()
DATA_TRACE = "architectures"
HIST_PANELS = (
    ("loss", ("loss", "recon")),
    ("KL", ("kl",)),
    ("predictor losses", ("perf", "cmplx")),
    ("test metrics", ("test_recon_greedy", "test_perf_rmse", "test_cmplx_rmse")),
    ("learning rate", ("lr",)),
    ("graphs / s", ("graphs_per_s",)),
)


def colour_choices(table: pd.DataFrame) -> dict[str, str]:
    """Colour-by labels -> table columns: the four figures, then one per op count."""
    ops = {f"count of {c[2:]}": c for c in table.columns if c.startswith("n_")}
    return COLOUR_BY | ops


# ----- the latent map ------------------------------------------------------------------------
def probe_grid(xy: np.ndarray, n: int = 25) -> np.ndarray:
    """An ``(n * n, 2)`` grid of positions covering the map's extent (decode-anywhere probes)."""
    lo, hi = np.nanmin(xy, 0), np.nanmax(xy, 0)
    pad = 0.05 * (hi - lo)
    gx, gy = np.meshgrid(
        np.linspace(lo[0] - pad[0], hi[0] + pad[0], n),
        np.linspace(lo[1] - pad[1], hi[1] + pad[1], n),
    )
    return np.column_stack([gx.ravel(), gy.ravel()])


def map_figure(
    xy: np.ndarray,
    table: pd.DataFrame,
    shown: np.ndarray,
    colour: str,
    colour_label: str,
    probes: np.ndarray | None = None,
    height: int = 620,
) -> go.Figure:
    """The latent map: one WebGL point per shown architecture, coloured by ``colour``.

    ``customdata`` rows are ``[index, pred_acc, params, true_acc]``; the hover shows the arch
    string and those figures. A second faint trace holds the decode-anywhere ``probes``.
    """
    sub = table.iloc[shown]
    figures = [sub.pred_acc.round(4), sub.params, sub.true_acc.round(4)]  # short JSON
    # Object arrays: serialised as JSON lists like ``.tolist()`` (a float array would go out
    # base64-encoded and come back from a selection as a dict), but Plotly does not validate
    # 20,000 rows one by one (0.05 s instead of 0.7 s).
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
                "colorscale": "Viridis",
                "showscale": True,
                "colorbar": {"title": {"text": colour_label}, "thickness": 12},
            },
            customdata=custom,
            selected={"marker": {"size": 14, "color": "#E45756"}},
            unselected={"marker": {"opacity": 0.45}},
            text=sub.arch.to_numpy(dtype=object),
            hovertemplate=(
                "#%{customdata[0]}: %{text}<br>pred acc %{customdata[1]:.4f} · "
                "true acc %{customdata[3]:.4f}<br>params %{customdata[2]:,}<extra></extra>"
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
    )
    return fig


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
    """Overlay marks (a decoded position, a path) that do not take part in selections."""
    xy = np.atleast_2d(np.asarray(xy, float))
    fig.add_trace(
        go.Scatter(
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


def selected_points(event: Any, shown: np.ndarray) -> list[tuple[str, Any]]:
    """What a map selection picked: ``("data", index)`` and ``("probe", (x, y))`` items.

    Reads Streamlit's selection state with item access (a plain dict in AppTest). Points carry
    their ``customdata``; without it ``point_indices`` are taken as rows of the data trace.
    """
    try:
        selection = event["selection"]
    except (KeyError, TypeError):
        return []
    points = list(selection.get("points") or [])
    picked: list[tuple[str, Any]] = []
    for p in points:
        custom = p.get("customdata")
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


def dot_vertical(dot: str) -> str:
    """A DOT cell drawn top to bottom (for narrow columns)."""
    return dot.replace("rankdir=LR", "rankdir=TB", 1)


# ----- model card -----------------------------------------------------------------------------
def history_figure(history: pd.DataFrame | list[dict], height: int = 480) -> go.Figure:
    """Training curves: losses, KL, predictor losses, test metrics, learning rate, speed."""
    df = pd.DataFrame(history)
    fig = make_subplots(
        rows=2,
        cols=3,
        subplot_titles=[t for t, _ in HIST_PANELS],
        horizontal_spacing=0.07,
        vertical_spacing=0.16,
    )
    for k, (_, cols) in enumerate(HIST_PANELS):
        for col in cols:
            if col in df and df[col].notna().any():
                part = df[["epoch", col]].dropna()
                fig.add_trace(
                    go.Scatter(
                        x=part.epoch,
                        y=part[col],
                        name=col,
                        mode="lines+markers" if len(part) < 30 else "lines",
                    ),
                    row=k // 3 + 1,
                    col=k % 3 + 1,
                )
    fig.update_yaxes(type="log", tickformat=".0e", row=2, col=2)
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        legend={"orientation": "h", "y": -0.12},
    )
    return fig


def metrics_table(
    evaluation: dict[str, Any], published: dict[str, dict[str, float]]
) -> pd.DataFrame:
    """This model's evaluation beside the published anchors, one row per metric."""
    numeric = {
        k: v
        for k, v in evaluation.items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    }
    anchored = [k for figs in published.values() for k in figs]
    keys = list(dict.fromkeys(anchored + [k for k in numeric if k not in anchored]))
    rows = {"this model": [numeric.get(k) for k in keys]}
    for name, figs in published.items():
        rows[name] = [figs.get(k) for k in keys]
    return pd.DataFrame(rows, index=pd.Index(keys, name="metric"))


def prediction_figure(
    df: pd.DataFrame, pred: str, true: str, title: str, log: bool = False
) -> go.Figure:
    """Predicted against true on the test split, with the diagonal and the RMSE."""
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
                text=df.arch,
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


# ----- search -----------------------------------------------------------------------------------
def parse_optional_float(text: str | None, name: str) -> float | None:
    """A number from a text box, or ``None`` when blank; :class:`UserInputError` otherwise."""
    text = (text or "").strip().replace("_", "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise UserInputError(f"{name} must be a number or left blank, not {text!r}") from None


def results_frame(results: list[dict[str, Any]]) -> pd.DataFrame:
    """Search results as a table (trajectories left out)."""
    cols = RESULT_COLUMNS
    df = pd.DataFrame(results)
    return df[[c for c in cols if c in df]] if len(df) else pd.DataFrame(columns=cols)


def results_json(result: dict[str, Any]) -> str:
    """The whole search result as JSON (NaN written as null)."""

    def clean(value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [clean(v) for v in value]
        if isinstance(value, np.generic):
            return clean(value.item())
        return value

    return json.dumps(clean(result), indent=1)


def cloud_figure(
    table: pd.DataFrame, pareto: dict[str, list], results: list[dict[str, Any]], height: int = 460
) -> go.Figure:
    """Predicted accuracy against exact params: data set, found architectures, Pareto front."""
    fig = go.Figure(
        go.Scattergl(
            x=table.params,
            y=table.pred_acc,
            mode="markers",
            name="data set",
            marker={"size": 3, "color": "rgba(100,110,130,0.35)"},
            text=table.arch.to_numpy(dtype=object),
            hovertemplate="%{text}<br>params %{x:,}<br>pred acc %{y:.4f}<extra></extra>",
        )
    )
    front = pd.DataFrame(pareto).sort_values("params") if pareto.get("arch") else None
    if front is not None:
        fig.add_trace(
            go.Scatter(
                x=front.params,
                y=front.pred_acc,
                name="Pareto front",
                mode="lines+markers",
                line={"shape": "hv", "color": "#F58518"},
                text=front.arch,
                hovertemplate="%{text}<extra>front</extra>",
            )
        )
    if results:
        found = pd.DataFrame(results)
        fig.add_trace(
            go.Scatter(
                x=found.params,
                y=found.pred_acc,
                name="found",
                mode="markers",
                text=found.arch,
                marker={
                    "symbol": "star",
                    "size": 13,
                    "color": "#E45756",
                    "line": {"width": 1, "color": "white"},
                },
                hovertemplate="%{text}<br>params %{x:,}<br>pred acc %{y:.4f}<extra>found</extra>",
            )
        )
    fig.update_layout(
        height=height,
        xaxis={"title": "exact params", "type": "log"},
        yaxis={"title": "predicted accuracy"},
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"},
    )
    return fig


def trajectory_figure(
    xy: np.ndarray, colour: np.ndarray, paths: list[np.ndarray], height: int = 520
) -> go.Figure:
    """Search trajectories (start circle, end star) over the PCA map of the data set."""
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
    for k, path in enumerate(paths):
        fig.add_trace(
            go.Scatter(
                x=path[:, 0],
                y=path[:, 1],
                mode="lines",
                name=f"sample {k}",
                line={"width": 2},
                hoverinfo="name",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=path[[0, -1], 0],
                y=path[[0, -1], 1],
                mode="markers",
                marker={"symbol": ["circle", "star"], "size": [7, 13], "color": "#E45756"},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    fig.update_layout(height=height, showlegend=False, margin={"l": 10, "r": 10, "t": 30, "b": 10})
    return fig


class BackgroundTask:
    """A function run in a daemon thread with thread-safe progress (never touches Streamlit).

    ``fn(progress)`` gets a ``progress(step, total)`` callback; the page polls :meth:`snapshot`.
    User errors become a one-line message; anything else a message naming the exception (the
    traceback is kept in :attr:`details` for logs, never shown).
    """

    def __init__(self, fn: Callable[[Callable[[int, int], None]], Any]) -> None:
        self._fn, self._lock = fn, threading.Lock()
        self.step = self.total = 0
        self.started, self.finished = time.time(), None
        self.result: Any = None
        self.error: str | None = None
        self.details = ""
        self._thread = threading.Thread(target=self._run, daemon=True, name="ngae-ui-task")

    def start(self) -> BackgroundTask:
        """Start the thread; returns self."""
        self._thread.start()
        return self

    def progress(self, step: int, total: int) -> None:
        """The callback handed to ``fn``."""
        with self._lock:
            self.step, self.total = int(step), int(total)

    def _run(self) -> None:
        try:
            result, error = self._fn(self.progress), None
        except USER_ERRORS as err:
            result, error = None, str(err)
        except Exception as err:  # reported on the page as a message, never raised there
            result, error = None, f"the task failed ({err.__class__.__name__}: {err})"
            self.details = traceback.format_exc()
        with self._lock:
            self.result, self.error, self.finished = result, error, time.time()

    def snapshot(self) -> dict[str, Any]:
        """A consistent copy: done, step, total, elapsed seconds, result, error."""
        with self._lock:
            end = self.finished or time.time()
            return {
                "done": self.finished is not None,
                "step": self.step,
                "total": self.total,
                "elapsed": end - self.started,
                "result": self.result,
                "error": self.error,
            }


# ----- architectures ----------------------------------------------------------------------------
def arch_string(ops: list[int], skips: list[list[bool]]) -> str:
    """The canonical flat string from per-layer ops and skip bits (layer ``i``: op, ``i`` bits)."""
    parts: list[int] = []
    for op, row in zip(ops, skips, strict=True):
        parts += [int(op), *(int(bool(b)) for b in row)]
    return " ".join(map(str, parts))


def jobs_frame(jobs: list[Any]) -> pd.DataFrame:
    """Training jobs as a table, newest first."""
    rows = [
        {
            "id": j.id,
            "status": j.status,
            "progress": round(100 * j.progress),
            "epoch": f"{j.epoch}/{j.epochs}",
            "output": j.output,
            "message": j.message,
            "created": pd.Timestamp(j.created, unit="s").strftime("%Y-%m-%d %H:%M:%S"),
            "mode": j.request.get("mode"),
            "base": j.request.get("base"),
        }
        for j in jobs
    ]
    return pd.DataFrame(rows, columns=JOB_COLUMNS)


def stored_evaluation(path: Any) -> pd.DataFrame:
    """The numeric evaluation figures stored in a checkpoint file (empty when not evaluated).

    Reads the file only (no data set, no latent codes), for pages that list finished runs.
    """
    from ngae.checkpoint import load_checkpoint

    evaluation = load_checkpoint(path).get("evaluation") or {}
    figures = {
        k: float(v)
        for k, v in evaluation.items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    }
    return pd.DataFrame({"value": figures}).rename_axis("metric")
