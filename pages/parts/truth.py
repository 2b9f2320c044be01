"""The oracle's true figures on the pages: the map's leaderboard on the picked data set, and an
object's figures and ranks on every data set (the Architecture page).

Only where the checkpoint's space offers sources (``Explorer.oracle_sources``); the picked one
is :func:`pages.parts.oracle.current`.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ngae.explorer import USER_ERRORS, rank_column
from ngae.ui.truth import FIGURE_FORMAT, curves_figure, missing_count, transfer_view
from pages.parts import cached, oracle
from pages.parts.checkpoints import carry, open_page
from pages.parts.editors import REQUEST as ARCH_REQUEST

BOARD = "board_table"
RANK_FORMAT = "%d"


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
    """One object's true figures and ranks on every data set, side by side (``-`` where a
    data set's table lacks it); its training curves on the picked one where the oracle has
    them (a full benchmark file given in the sidebar)."""
    sources = ex.oracle_sources()
    if not sources:
        return
    n = cached.names()
    st.markdown(
        f"**This {n.item} on every data set of the benchmark** (true figures; ranks among the "
        f"data set's {n.items}, 1 the best)"
    )
    view = transfer_view(cached.transfer(*key, arch), ex.ranked_metrics(), ex.truth_metrics())
    text = st.column_config.TextColumn
    st.dataframe(
        view,
        key="arch_transfer",
        hide_index=True,
        height=38 + 35 * len(view),
        column_config={
            **{m: text(m) for m in ex.truth_metrics()},  # "-" where a table lacks it
            "note": text("note", width="medium"),
        },
    )
    curves_section(key, arch, n)


def curves_section(key, arch, n):
    """The object's training curves on the picked source: from the full file given for it in
    the sidebar (a choice where several are, one per seed), else from the source itself."""
    source, given = oracle.current(), oracle.given_files()
    if source is None:
        return
    files = given.get(source, ())
    if len(files) > 1:
        files = (st.radio("Training curves from", files, format_func=lambda f: Path(f).name,
                          horizontal=True, key="arch_curves_file"),)  # fmt: skip
    where = files[0] if files else source
    name = Path(where).name if files else source
    try:
        with st.spinner(f"Reading {name} (a full benchmark file: the first time takes long)..."):
            curves = cached.training_curves(*key, arch, where)
    except USER_ERRORS as err:
        st.error(f"No training curves: {err}")
        return
    if curves:
        title = f"Training curves on {source}" + (f" ({name})" if files else "")
        st.plotly_chart(curves_figure(curves, title), key="arch_curves")
    elif files:
        st.caption(f"{name} holds no training curves of this {n.item}.")
    elif given:
        st.caption(
            f"No training curves on {source}: the full benchmark files given in the sidebar "
            f"are of {', '.join(given)}."
        )
