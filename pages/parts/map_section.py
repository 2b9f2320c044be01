"""The latent map's interactive part: the map, the decoded focus, the selection and the best
table, in one fragment (a click reruns only this part)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from ngae.ui.figures import add_marks
from pages.parts import cached, oracle
from pages.parts.guard import guarded
from pages.parts.map_figure import build_map, cached_map, layer_wait, search_paths
from pages.parts.map_focus import (
    CHART,
    focus_details,
    focus_panel,
    map_marks,
    open_box,
    top_table,
    track_clicks,
    track_table,
)
from pages.parts.map_interpolation import current_interpolation, interpolation_section
from pages.parts.map_selection import selection_panel
from pages.parts.map_view import share_box, write_view
from pages.parts.widget_state import mirror_page_state


@st.fragment
@guarded
def map_section(ex, key, kind, colour, label, shown, xy, layer=None, matched=None):
    """Map, decoded focus and interpolation: a click reruns only this part."""
    tab, n = cached.table(*key), cached.names()
    track_clicks(shown)
    rev = st.session_state.get("map_drag_rev", 0)
    with st.spinner(f"Fitting five {n.perf} heads for the error bars (once per checkpoint)..."):
        top = top_table(tab, shown, cached.data_uncertainty(*key))
    track_table(top)
    details = focus_details(ex, key, kind, xy)
    interp = current_interpolation(key)
    path = ex.place(np.array([c.z for c in interp["cells"]]), kind) if interp else None
    searches = search_paths(ex, key, kind, layer)
    marks = map_marks(len(tab))
    source = oracle.current()  # the hover's true figures
    args = (key, kind, colour, label, shown, path, rev, layer, matched, searches, marks, source)
    if details is not None and details[3]:  # a typed position: mark it (a fresh figure)
        fig = add_marks(build_map(*args), details[2], "focus")
    else:
        with st.spinner(layer_wait(layer)):
            fig = cached_map(*args)
    left, right = st.columns([3, 2])
    if matched is not None:
        hits = len(np.intersect1d(matched, shown))
        left.markdown(
            f"**{hits:,}** of the {len(shown):,} shown {n.items} match the query "
            f"({len(matched):,} in the whole data set), ringed in red."
        )
    with left:
        st.plotly_chart(
            fig,
            key=CHART,
            on_select="rerun",
            selection_mode=("points", "box", "lasso"),
            config={"scrollZoom": True, "displaylogo": False},
        )
        if marks[0]:
            selection_panel(ex, tab, list(marks[0]), xy, kind)
        best_table(top, n)
    with right:
        open_box(ex, len(tab))
        focus_panel(ex, details, kind, xy, key, layer)
        share_box(tab)
    interpolation_section(ex, key, len(tab))
    write_view(tab)
    mirror_page_state()  # this fragment's reruns change kept values too


def best_table(top, n):
    """The shown objects predicted best; a picked row becomes the focus."""
    st.markdown(
        f"**The {len(top)} shown {n.items} predicted best** (click a row to "
        "decode it and star it on the map; click a column title to sort)"
    )
    num = st.column_config.NumberColumn
    st.dataframe(
        top,
        key="map_top_table",
        on_select="rerun",
        selection_mode="single-row",
        hide_index=True,
        height=240,
        column_config={
            "pred_acc": num(n.short_pred, format=n.perf_format),
            "pred_sd": num(
                "± spread",
                format=n.perf_format,
                help="spread of five heads refitted on the training codes",
            ),
            "true_acc": num(n.short_true, format=n.perf_format),
            "params": num(n.params, format="localized"),
        },
    )
