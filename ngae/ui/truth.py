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

FIGURE_FORMAT = "%.4g"  # a true figure, in tables and hovers
MISSING = "-"  # where there is no figure or rank


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
        return MISSING
    return f"{int(rank):,} of {int(count):,}"


def figure_texts(values: np.ndarray, fmt: str = FIGURE_FORMAT) -> np.ndarray:
    """Each value written with ``fmt`` (``0.8027``), :data:`MISSING` where it is NaN.

    Vectorised (numpy's string operations): ``(M,)`` numbers -> ``(M,)`` strings.
    """
    values = np.asarray(values, np.float64)
    missing = np.isnan(values)
    return np.where(missing, MISSING, np.strings.mod(fmt, np.where(missing, 0.0, values)))


def grouped(values: np.ndarray) -> np.ndarray:
    """Whole numbers with thousands separators (``26,206``): Python's ``,`` format.

    26,206 of them in about 0.01 s, twice as fast as numpy's string operations here.
    """
    return np.array([f"{v:,}" for v in np.asarray(values, np.int64).tolist()], dtype=str)


def rank_suffixes(ranks: np.ndarray, count: int) -> np.ndarray:
    """`` (rank 12 of 26,206)`` per rank, ``""`` where there is none (vectorised)."""
    ranks = np.asarray(ranks, np.float64)
    text = np.strings.add(" (rank ", grouped(np.nan_to_num(ranks)))
    return np.where(np.isnan(ranks), "", np.strings.add(text, f" of {count:,})"))


def truth_hover(
    truth: pd.DataFrame,
    source: str,
    metrics: tuple[str, ...],
    ranked: dict[str, str],
    line_break: str = " · ",
) -> np.ndarray:
    """Each object's hover text of its true figures on ``source`` (``(M,)`` strings).

    ``cora: valid accuracy 0.8193 (rank 1 of 26,206) · test accuracy 0.8263 · ...``: every
    figure of ``truth`` (``Explorer.truth_table``) under its ``metrics`` name, ``-`` where
    missing, the first ranked figure with its rank among the objects that have one, then
    ``line_break`` (``<br>`` in a Plotly hover: two shorter lines); ``not evaluated on
    proteins`` where the table lacks the object (every figure missing). Built column by
    column (numpy's string operations; ranks by :func:`grouped`): 26,206 rows in about 0.15 s.
    """
    key, ranked_by = next(iter(ranked.items()))
    text = np.full(len(truth), f"{source}: ", dtype=object)
    after = ""  # what separates a figure from the one before it
    for metric in metrics:
        part = np.strings.add(f"{after}{metric} ", figure_texts(truth[metric]))
        if metric == ranked_by:
            count = int(truth[metric].notna().sum())
            part = np.strings.add(part, rank_suffixes(truth[rank_column(key)], count))
        text = text + part.astype(object)
        after = line_break if metric == ranked_by else " · "
    unknown = truth[list(metrics)].isna().all(axis=1).to_numpy()
    return np.where(unknown, f"not evaluated on {source}", text).astype(str)


def figures_as_text(
    frame: pd.DataFrame, columns: list[str], fmt: str = FIGURE_FORMAT
) -> pd.DataFrame:
    """``frame`` with each of ``columns`` (those it has) written as text, ``-`` where missing.

    For tables people read: Streamlit shows a missing number as ``None``.
    """
    return frame.assign(**{c: figure_texts(frame[c], fmt) for c in columns if c in frame})


def transfer_view(
    frame: pd.DataFrame, ranked: dict[str, str], metrics: tuple[str, ...]
) -> pd.DataFrame:
    """``Explorer.transfer``'s table for people: ranks as text, then figures and the note.

    Per ranked figure a ``<figure> rank`` column written ``12 of 26,206``; the figures as
    text (:data:`FIGURE_FORMAT`), ``-`` where the source's table lacks the object.
    """
    view = pd.DataFrame({"data set": frame["source"]})
    for key, metric in ranked.items():
        view[f"{metric} rank"] = [
            rank_text(r, c)
            for r, c in zip(frame[rank_column(key)], frame[count_column(key)], strict=True)
        ]
    for metric in metrics:
        view[metric] = figure_texts(frame[metric])
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
