"""The oracle's true figures on a picked source, as the pages show them (no Streamlit).

The latent map's table gets one column per true figure on the picked source, named (and so
labelled in Colour by) ``true <figure> (<source>)``; a colour chosen on one source follows the
pick to the same figure on another. The Architecture page's table of one object on every
source writes its ranks as ``12 of 26,206``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ngae.explorer import count_column, rank_column


def truth_label(metric: str, source: str) -> str:
    """The map table's column (and colour label) of true figure ``metric`` on ``source``."""
    return f"true {metric} ({source})"


def with_truth(
    table: pd.DataFrame, truth: pd.DataFrame, source: str, metrics: tuple[str, ...]
) -> pd.DataFrame:
    """``table`` with each true figure of ``truth`` (same rows) on ``source`` as a column."""
    extra = {truth_label(m, source): truth[m].to_numpy() for m in metrics}
    return table.assign(**extra)


def relabel(
    label: str | None, metrics: tuple[str, ...], sources: tuple[str, ...], source: str
) -> str | None:
    """The label of ``label``'s true figure on ``source``, where it names one on another source.

    ``None`` when ``label`` is no true figure's (or already ``source``'s).
    """
    for other in sources:
        for metric in metrics:
            if other != source and label == truth_label(metric, other):
                return truth_label(metric, source)
    return None


def missing_count(table: pd.DataFrame, column: str) -> int:
    """How many rows have no value in ``column`` (0 when there is no such column)."""
    return int(table[column].isna().sum()) if column in table else 0


def rank_text(rank: float, count: int) -> str:
    """``12 of 26,206``; ``-`` where there is no rank."""
    if rank is None or (isinstance(rank, float) and math.isnan(rank)):
        return "-"
    return f"{int(rank):,} of {int(count):,}"


def transfer_view(
    frame: pd.DataFrame, ranked: dict[str, str], metrics: tuple[str, ...]
) -> pd.DataFrame:
    """``Explorer.transfer``'s table for people: ranks as text, then figures and the note.

    Per ranked figure a ``<figure> rank`` column written ``12 of 26,206``.
    """
    view = pd.DataFrame({"data set": frame["source"]})
    for key, metric in ranked.items():
        view[f"{metric} rank"] = [
            rank_text(r, c)
            for r, c in zip(frame[rank_column(key)], frame[count_column(key)], strict=True)
        ]
    for metric in metrics:
        view[metric] = frame[metric].to_numpy(np.float64)
    view["note"] = frame["note"]
    return view


def curves_figure(curves: dict[str, np.ndarray], title: str = "", height: int = 360) -> go.Figure:
    """Per-epoch curves (one line each, epochs from 1); click a legend entry to hide one."""
    fig = go.Figure()
    for name, values in curves.items():
        values = np.asarray(values, np.float64)
        fig.add_trace(
            go.Scatter(x=np.arange(1, len(values) + 1), y=values, mode="lines", name=name)
        )
    fig.update_layout(
        height=height,
        title=title,
        xaxis_title="epoch",
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        hovermode="x unified",
    )
    return fig
