"""Pure helpers for the dashboard pages: selections, tables, input parsing, a background task.

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

from ngae.errors import USER_ERRORS, UserInputError

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
    "test_graphs",
    "train_graphs",
    "recon_decodes",
    "prior_samples",
    "prior_decodes",
    "seconds",
)
JOB_COLUMNS = "id status progress epoch output message created mode base".split()


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
