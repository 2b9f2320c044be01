"""The closed-loop search's figure and table: its best-so-far curve beside the benchmark's.

Pure functions of a :class:`~ngae.explorer.ClosedLoopResult` and the benchmark's
:class:`~ngae.explorer.BudgetFigures` (no Streamlit).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ngae.explorer import BENCHMARK_LABELS, BudgetFigures, ClosedLoopResult
from ngae.ui.naming import Names

PALETTE = ("#72B7B2", "#F58518", "#B279A2", "#4C78A8", "#9D755D")
THIS_RUN = "#E45756"


def loop_figure(result: ClosedLoopResult, bench: BudgetFigures | None, names: Names) -> go.Figure:
    """The reported figure of the best-by-score object after each query, this run's line.

    Grey dots: each query's own reported figure. The benchmark's methods: mean ± std over
    their seeds at each measured budget (dashed, with error bars); its ceilings as horizontal
    lines. Queries on a log scale: a run of 20 and the benchmark's 500 both show.
    """
    metric, score = result.reported, result.metric_names[0]
    queries = np.arange(1, len(result.queries) + 1)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=queries,
            y=[q.metrics[metric] for q in result.queries],
            mode="markers",
            name=f"each query's {metric}",
            marker={"color": "#BBBBBB", "size": 5},
            text=[q.item for q in result.queries],
            hovertemplate="query %{x}: %{text}<br>%{y:.4f}<extra></extra>",
        )
    )
    methods = bench.methods if bench else {}
    for k, (method, by_budget) in enumerate(methods.items()):
        budgets = list(by_budget)
        mean, std, seeds = (np.array([by_budget[b][i] for b in budgets]) for i in range(3))
        nudge = 1 + 0.025 * (k - (len(methods) - 1) / 2)  # side by side on the log axis
        fig.add_trace(
            go.Scatter(
                x=np.array(budgets) * nudge,
                y=mean,
                error_y={"type": "data", "array": std, "visible": True, "thickness": 1},
                mode="lines+markers",
                name=f"{BENCHMARK_LABELS.get(method, method)} (benchmark)",
                line={"color": PALETTE[k % len(PALETTE)], "dash": "dash", "width": 1.5},
                customdata=np.stack([budgets, seeds], axis=1).tolist(),
                hovertemplate="%{customdata[0]} queries: %{y:.4f} ± %{error_y.array:.4f} "
                "(%{customdata[1]} seeds)<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=queries,
            y=result.curve(metric),
            mode="lines",
            line={"color": THIS_RUN, "width": 3, "shape": "hv"},
            name=f"this search (seed {result.seed})",
            hovertemplate="after %{x} queries: %{y:.4f}<extra></extra>",
        )
    )
    ceilings = sorted((bench.ceilings if bench else {}).items(), key=lambda kv: kv[1])
    for k, (text, value) in enumerate(ceilings):  # the lower one labelled below its line
        where = "bottom right" if k == 0 else "top right"
        fig.add_hline(y=value, line_dash="dot", line_color="#555",
                      annotation_text=text, annotation_position=where)  # fmt: skip
    fig.update_layout(
        xaxis_title=f"queries (distinct {names.items} whose true figures were asked; log scale)",
        xaxis_type="log",
        yaxis_title=f"{metric} of the best-{score} {names.item} so far",
        height=460,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def loop_frame(result: ClosedLoopResult) -> pd.DataFrame:
    """One row per query, best score first (ties: the first asked).

    Columns: the string, every true figure, the rank in the pool, and when and how it was
    asked (``query``: its number, from 1; ``round``: 0 for the random start).
    """
    rows = [
        {
            "arch": q.item,
            **q.metrics,
            "rank": q.rank,
            "query": k + 1,
            "round": q.round,
            "chosen": q.origin,
        }
        for k, q in enumerate(result.queries)
    ]
    columns = ["arch", *result.metric_names, "rank", "query", "round", "chosen"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["rank", "query"], kind="stable").reset_index(drop=True)


def loop_summary(result: ClosedLoopResult, names: Names) -> dict[str, str]:
    """The headline figures of a run: label -> value, in the space's words."""
    best, metric = result.best, result.reported
    out = {
        f"best {result.metric_names[0]} found": names.perf_text(best.score),
        f"its rank of {result.pool_size:,}": f"{best.rank:,}",
    }
    if metric != result.metric_names[0]:
        out[f"its {metric}"] = names.perf_text(best.metrics[metric])
    out["queries"] = f"{len(result.queries)} / {result.budget}"
    out["screened"] = f"{result.screened}"
    return out
