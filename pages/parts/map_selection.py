"""A box or lasso selection on the latent map: its figures, ops, members, exports, search."""

from __future__ import annotations

import streamlit as st

from ngae.ui.figures import op_histogram
from ngae.ui.tables import selection_exports, selection_frame, selection_stats
from ngae.ui.truth import figures_as_text, truth_label
from pages.parts import cached, oracle
from pages.parts.checkpoints import carry, open_page
from pages.parts.drawing import diff_view
from pages.parts.search_form import STARTS

MAX_STARTS = 100  # "Search from these" starts from the selection's best predicted
UNCOLOURED = "#BBBBBB"


def selection_panel(ex, tab, members, xy=None, kind=""):
    """Figures, ops per position, members, exports, search from them, compare two of them."""
    n, info = cached.names(), ex.space_info
    st.markdown(
        f"**Selection: {len(members):,} {n.items}** (ringed on the map; box or lasso; kept "
        "when the colour or the projection changes)"
    )
    st.dataframe(selection_stats(tab, members, n), hide_index=True)
    if info.op_names:  # a space with an op per position: how often each is used where
        colour_of = {label: colour for colour, label in info.legend}
        colours = tuple(colour_of.get(op, UNCOLOURED) for op in info.op_names)
        st.plotly_chart(op_histogram(ex.layer_ops(members), info.op_names, colours), key="sel_ops")
    frame = selection_frame(tab, members, xy, kind)
    shown = frame.head(500).assign(pred_params=frame.pred_params.head(500).round().astype("Int64"))
    st.dataframe(
        figures_as_text(shown, truth_columns(ex)),  # a figure a table lacks: "-", not "None"
        height=200,
        hide_index=True,
        key="sel_table",
        column_config=member_columns(n),
    )
    model = {"checkpoint": ex.path.name, "checkpoint_sha": ex.checkpoint_sha}
    if kind:
        model["projection"] = kind
    cols = st.columns(5)
    for i, (fmt, (data, mime)) in enumerate(selection_exports(frame, model).items()):
        cols[i].download_button(fmt.upper(), data, f"selection.{fmt}", mime, key=f"sel_{fmt}")
    if cols[3].button("Search from these", key="sel_search", type="primary"):
        best = frame.nlargest(MAX_STARTS, "pred_acc")["index"].astype(int).tolist()
        st.session_state[STARTS] = carry(best)
        open_page("pages/search.py")
    if cols[4].button("Clear", key="sel_clear"):
        st.session_state.pop("map_selection", None)
        st.rerun()
    if info.can_diff and len(members) > 1:
        compare_members(tab, members)


def truth_columns(ex):
    """The map table's columns of true figures on the picked source (none where none)."""
    source = oracle.current()
    return [truth_label(m, source) for m in ex.truth_metrics()] if source else []


def member_columns(n):
    """The members table's column labels and number formats, in the space's words."""
    num = st.column_config.NumberColumn
    perf = {"format": n.perf_format}
    return {
        "true_acc": num(n.short_true, **perf),
        "pred_acc": num(n.short_pred, **perf),
        "pred_error": num("predicted - true", **perf),
        "params": num(n.params, format="localized"),
        "pred_params": num(n.pred_params, format="localized"),
    }


def compare_members(tab, members):
    """Two members of the selection side by side, their differences highlighted."""
    c = st.columns(2)
    a = c[0].selectbox("Compare", members, index=0, key="sel_cmp_a")
    b = c[1].selectbox("with", members, index=1, key="sel_cmp_b")
    diff_view(tab.arch.iloc[a], tab.arch.iloc[b], f"#{a}", f"#{b}")
