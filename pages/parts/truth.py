"""The oracle's true figures on the pages: the map's leaderboard on the picked data set, and an
object's figures and ranks on every data set (the Architecture page).

Only where the checkpoint's space offers sources (``Explorer.oracle_sources``); the picked one
is :func:`pages.parts.oracle.current`.
"""

from __future__ import annotations

import streamlit as st

from ngae.explorer import rank_column
from ngae.ui.truth import curves_figure, missing_count, transfer_view
from pages.parts import cached, oracle
from pages.parts.checkpoints import carry, open_page
from pages.parts.editors import REQUEST as ARCH_REQUEST

BOARD = "board_table"
RANK_FORMAT = "%d"
FIGURE_FORMAT = "%.4g"


def missing_note(tab, column, label):
    """Under the map: how many objects have no value of the colour (a source's table lacks
    them), where any lack it."""
    source, missing = oracle.current(), missing_count(tab, column)
    if source is not None and missing:
        st.caption(
            f"{missing:,} of the {len(tab):,} {cached.names().items} have no {label}: the "
            f"{source} table lacks them."
        )


def leaderboard(ex, key):
    """The data set's best objects on the picked source by a ranked true figure; a picked row
    opens on the Architecture page."""
    source, n = oracle.current(), cached.names()
    if source is None:
        return
    ranked = ex.ranked_metrics()
    with st.expander(f"Leaderboard: the data set's best {n.items} by their true figures"):
        c = st.columns([2, 1])
        by = c[0].radio("Rank by", list(ranked), format_func=ranked.get, horizontal=True,
                        key="board_by")  # fmt: skip
        k = c[1].number_input("Rows", min_value=1, max_value=1000, value=20, step=10,
                              key="board_k")  # fmt: skip
        board = cached.leaderboard(*key, source, by, int(k))
        st.markdown(
            f"**The {len(board)} best on {source} by {ranked[by]}** (ranks among the data "
            f"set's {n.items}, 1 the best; select a row to open it)"
        )
        st.dataframe(
            board,
            key=BOARD,
            on_select="rerun",
            selection_mode="single-row",
            hide_index=True,
            height=300,
            column_config=board_columns(ex, n),
        )
        rows = ((st.session_state.get(BOARD) or {}).get("selection") or {}).get("rows") or []
        if not rows or rows[0] >= len(board):
            return
        row = board.iloc[rows[0]]
        if st.button(f"Open #{row['index']} on the Architecture page", key="board_open"):
            st.session_state[ARCH_REQUEST] = carry(row["arch"])  # with its checkpoint
            open_page("pages/architecture.py")


def board_columns(ex, n):
    """The leaderboard's column titles and number formats."""
    num = st.column_config.NumberColumn
    columns = {
        "pred_acc": num(n.short_pred, format=n.perf_format, help=f"the model's {n.pred_acc}"),
    }
    for key, metric in ex.ranked_metrics().items():
        columns[rank_column(key)] = num(f"rank by {metric}", format=RANK_FORMAT)
    for metric in ex.truth_metrics():
        columns[metric] = num(metric, format=FIGURE_FORMAT)
    return columns


def transfer_section(ex, key, arch):
    """One object's true figures and ranks on every data set, side by side; its training
    curves on the picked one where the oracle has them (a full benchmark file)."""
    sources = ex.oracle_sources()
    if not sources:
        return
    n = cached.names()
    st.markdown(
        f"**This {n.item} on every data set of the benchmark** (true figures; ranks among the "
        f"data set's {n.items}, 1 the best)"
    )
    view = transfer_view(cached.transfer(*key, arch), ex.ranked_metrics(), ex.truth_metrics())
    num = st.column_config.NumberColumn
    st.dataframe(
        view,
        key="arch_transfer",
        hide_index=True,
        height=38 + 35 * len(view),
        column_config={
            **{m: num(m, format=FIGURE_FORMAT, width="small") for m in ex.truth_metrics()},
            "note": st.column_config.TextColumn("note", width="medium"),
        },
    )
    source = oracle.current()
    curves = cached.training_curves(*key, arch, source) if source else None
    if curves:
        st.plotly_chart(curves_figure(curves, f"Training curves on {source}"), key="arch_curves")
