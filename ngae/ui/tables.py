"""Tables and downloads the pages show: colour choices, metrics, search results, jobs.

Pure functions of what the explorer returns (no Streamlit), so they run and are tested anywhere.
"""

from __future__ import annotations

import io
import json
import math
from dataclasses import asdict
from typing import Any

import numpy as np
import pandas as pd

from ngae.explorer import METHOD_LABELS, Job, MethodCurves, SearchResults
from ngae.ui.naming import Names, colour_by
from ngae.ui.numbers import whole

COLOUR_BY = {
    "predicted accuracy": "pred_acc",
    "predicted params": "pred_params",
    "true accuracy": "true_acc",
    "exact params": "params",
}
RESULT_COLUMNS = (
    "arch valid novel in_dataset true_acc params pred_acc pred_params pred_acc_latent "
    "decode_share start_arch"
).split()
EVAL_BOOKKEEPING = (
    "epoch",
    "prior_stats_graphs",
    "test_graphs",
    "train_graphs",
    "recon_decodes",
    "prior_samples",
    "prior_decodes",
    "seconds",
)
JOB_COLUMNS = "id status progress epoch output message created mode base".split()


FIGURE_COLUMNS = ("arch", "split", "true_acc", "params", "pred_acc", "pred_params", "pred_error")


def colour_choices(table: pd.DataFrame, names: Names | None = None) -> dict[str, str]:
    """Colour-by labels -> table columns.

    The four figures, then the space's own numeric columns (``SearchSpace.features``: op
    counts ``n_<op>``, the edge count, any other by its name) and the predictor's error.
    """
    extra = [
        c
        for c in table.columns
        if c not in FIGURE_COLUMNS and pd.api.types.is_numeric_dtype(table[c])
    ]
    ops = {f"count of {c[2:]}": c for c in extra if c.startswith("n_")}
    if "pred_error" in table.columns:
        ops["predictor error (predicted - true)"] = "pred_error"
    for c in extra:
        if not c.startswith("n_"):
            ops["number of edges" if c == "edges" else c.replace("_", " ")] = c
    return (COLOUR_BY if names is None else colour_by(names)) | ops


# ----- model card -----------------------------------------------------------------------------


def metrics_table(
    evaluation: dict[str, Any], published: dict[str, dict[str, float]]
) -> pd.DataFrame:
    """This model's evaluation beside the published anchors, one row per metric.

    Bookkeeping figures (epoch, sample counts, seconds) are left out: see :func:`eval_settings`.
    """
    numeric = {
        k: v
        for k, v in evaluation.items()
        if isinstance(v, int | float) and not isinstance(v, bool) and k not in EVAL_BOOKKEEPING
    }
    anchored = [k for figs in published.values() for k in figs]
    keys = list(dict.fromkeys(anchored + [k for k in numeric if k not in anchored]))
    rows = {"this model": [numeric.get(k) for k in keys]}
    for name, figs in published.items():
        rows[name] = [figs.get(k) for k in keys]
    return pd.DataFrame(rows, index=pd.Index(keys, name="metric"))


def eval_settings(evaluation: dict[str, Any]) -> str:
    """One line naming how an evaluation was made (epoch, sample counts, seconds)."""
    parts = [
        f"{k.replace('_', ' ')} {evaluation[k]:,.0f}"
        for k in EVAL_BOOKKEEPING
        if isinstance(evaluation.get(k), int | float)
    ]
    return ", ".join(parts)


LOWER_IS_BETTER = ("rmse", "mape")  # error metrics (any word of the key); others: higher is better


def lower_is_better(key: str) -> bool:
    """Whether a smaller value of evaluation metric ``key`` is better.

    True for errors, e.g. ``perf_rmse``, ``cmplx_mape_raw``.
    """
    return any(word in LOWER_IS_BETTER for word in key.split("_"))


def compare_with_parent(
    evaluation: dict[str, Any], parent: dict[str, Any], tolerance: float = 1e-4
) -> pd.DataFrame:
    """The metrics both evaluations have: parent, this model, change and better / worse.

    Evaluations made by different protocols (quick and full: other sample counts) are not
    judged: their verdict says so.
    """
    same_protocol = evaluation.get("protocol") == parent.get("protocol")
    rows = []
    for key, value in evaluation.items():
        before = parent.get(key)
        numbers = all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in (value, before)
        )
        if not numbers or key in EVAL_BOOKKEEPING or key in ("test_graphs", "prior_decodes"):
            continue
        change = float(value) - float(before)
        sign = -1.0 if lower_is_better(key) else 1.0
        verdict = "same" if abs(change) <= tolerance else (
            "better" if sign * change > 0 else "worse"
        )  # fmt: skip
        if not same_protocol:
            verdict = "not comparable (other protocol)"
        rows.append((key, float(before), float(value), change, verdict))
    columns = ["metric", "parent", "this model", "change", "verdict"]
    return pd.DataFrame(rows, columns=columns).set_index("metric")


# ----- search -----------------------------------------------------------------------------------
def results_frame(result: SearchResults, spread: np.ndarray | None = None) -> pd.DataFrame:
    """Search results as a table (trajectories left out); ``true_score`` in an oracle space.

    ``spread`` (one per result: the head ensemble's spread at its encoding) becomes the
    ``pred_acc_sd`` column after ``pred_acc``.
    """
    cols = list(RESULT_COLUMNS)
    if result.optimum_score is not None:
        cols = ["arch", "true_score", *[c for c in cols if c not in ("arch", "true_acc")]]
    df = pd.DataFrame([{c: getattr(r, c) for c in cols} for r in result.results])
    df = df[[c for c in cols if c in df]] if len(df) else pd.DataFrame(columns=cols)
    if spread is not None and len(spread) == len(df):
        df.insert(df.columns.get_loc("pred_acc") + 1, "pred_acc_sd", np.asarray(spread, float))
    return df


SETTING_LABELS = {
    "strategy": "start from",
    "optimizer": "optimizer",
    "lr": "learning rate",
    "samples": "samples",
    "steps": "steps",
    "lambda_cmplx": "λ",
    "max_params": "max params",
    "decodes": "decodes per end point",
    "project_every": "project every K steps",
    "trust_radius": "trust radius",
    "seed": "seed",
}


def truth_figures(result: SearchResults) -> dict[str, float] | None:
    """Found, data-set best and optimal true scores, and the gap (``None`` without an oracle).

    ``gap`` is the best found score's distance to the optimum as a share of the optimum's
    size (BIC is negative: -11,400 against -11,320 is 0.7% off).
    """
    if result.optimum_score is None:
        return None
    scores = [r.true_score for r in result.results if r.true_score is not None]
    best = max(scores) if scores else float("nan")
    opt = result.optimum_score
    return {
        "best_true": best,
        "dataset_best": float(result.dataset_best_true_score),
        "optimum": opt,
        "gap": (opt - best) / abs(opt) if scores else float("nan"),
        "beats_dataset": sum(s > result.dataset_best_true_score for s in scores),
    }


def search_settings(config: dict[str, Any]) -> dict[str, str]:
    """A search's settings as page labels -> values written for people."""
    out = {}
    for key, label in SETTING_LABELS.items():
        value = config.get(key)
        if key == "max_params":
            out[label] = "no limit" if value is None else f"{value:,.0f}"
        elif isinstance(value, float):
            out[label] = f"{value:g}"
        else:
            out[label] = str(value)
    return out


def results_csv(result: SearchResults, spread: np.ndarray | None = None) -> str:
    """The results table as CSV, naming the model and the settings in every row.

    ``checkpoint`` and ``checkpoint_sha`` name the model that found them, ``setting: ...``
    columns hold the search's settings.
    """
    table = results_frame(result, spread)
    table["checkpoint"], table["checkpoint_sha"] = result.checkpoint, result.checkpoint_sha
    for label, value in search_settings(result.config).items():
        table[f"setting: {label}"] = value
    return table.to_csv(index=False)


def results_json(result: SearchResults) -> str:
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

    return json.dumps(clean(asdict(result)), indent=1)


def jobs_frame(jobs: list[Job]) -> pd.DataFrame:
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


def methods_table(curves: MethodCurves, budgets: tuple[int, ...] = (10, 50, 200)) -> pd.DataFrame:
    """Search methods on true scores, one row each.

    The best after each budget (mean ± std over the seeds that got that far), the calls each
    run made, its best at the end and that best's gap to the optimum.
    """
    rows = []
    for name, runs in curves.curves.items():
        row: dict[str, Any] = {"method": METHOD_LABELS.get(name, name), "seeds": len(runs)}
        for b in budgets:
            vals = runs[:, b - 1] if runs.shape[1] >= b else np.array([])
            vals = vals[np.isfinite(vals)]
            row[f"after {b}"] = f"{vals.mean():,.1f} ± {vals.std():,.1f}" if len(vals) else "-"
        calls = np.isfinite(runs).sum(1)
        ends = np.array([r[np.isfinite(r)][-1] for r in runs if np.isfinite(r).any()])
        row["calls made"] = (
            f"{calls.min()}" if calls.min() == calls.max() else (f"{calls.min()}-{calls.max()}")
        )
        row["best at the end"] = f"{ends.mean():,.1f} ± {ends.std():,.1f}"
        row["gap to optimum"] = f"{(curves.optimum - ends.mean()) / abs(curves.optimum):.2%}"
        rows.append(row)
    return pd.DataFrame(rows)


# ----- map selections -------------------------------------------------------------------------
def selection_stats(table: pd.DataFrame, members: list[int], names: Names) -> pd.DataFrame:
    """Mean, min and max of the selected rows' figures, written for people (rows: figures).

    Performance in the space's precision with thousands separators (``-11,320.3``),
    complexity as whole numbers (``1,732,000``).
    """
    sub = table.iloc[members]
    figures = {
        names.pred_acc: ("pred_acc", names.perf_grouped),
        names.true_acc: ("true_acc", names.perf_grouped),
        names.params: ("params", whole),
        names.pred_params: ("pred_params", whole),
    }
    rows = []
    for label, (column, text) in figures.items():
        values = sub[column].astype(float)
        row = {"figure": label}
        for stat in ("mean", "min", "max"):
            value = float(getattr(values, stat)()) if len(values) else float("nan")
            row[stat] = text(value) if value == value else "-"
        rows.append(row)
    return pd.DataFrame(rows, columns=["figure", "mean", "min", "max"])


def selection_frame(
    table: pd.DataFrame, members: list[int], xy: np.ndarray | None = None, kind: str = ""
) -> pd.DataFrame:
    """The selected rows with their data-set index first (for the members table and exports).

    With ``xy`` (the map's coordinates), ``<kind>_x`` and ``<kind>_y`` columns follow the index.
    """
    sub = table.iloc[members]
    frame = sub.assign(index=sub.index)[["index", *[c for c in sub.columns if c != "index"]]]
    if xy is not None and kind:
        frame.insert(1, f"{kind}_x", np.asarray(xy)[members, 0].astype(float))
        frame.insert(2, f"{kind}_y", np.asarray(xy)[members, 1].astype(float))
    return frame


def selection_exports(
    frame: pd.DataFrame, model: dict[str, str] | None = None
) -> dict[str, tuple[bytes, str]]:
    """The members as files: ``{format: (bytes, mime type)}`` for CSV, Parquet and JSON.

    ``model`` (``checkpoint``, ``checkpoint_sha``, ``projection``) names the model and the map
    the rows come from: the same columns in every format (each JSON record carries them).
    """
    named = frame.assign(**dict(model or {}))
    buf = io.BytesIO()
    named.to_parquet(buf, index=False)
    return {
        "csv": (named.to_csv(index=False).encode(), "text/csv"),
        "parquet": (buf.getvalue(), "application/vnd.apache.parquet"),
        "json": (named.to_json(orient="records", indent=1).encode(), "application/json"),
    }
