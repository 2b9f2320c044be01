"""Architecture: build or paste an object of the checkpoint's space (its editor says how); see
it drawn, its figures, its nearest neighbours and where it lands on the map."""

import numpy as np
import streamlit as st

from ngae.explorer import PROJECTION_LABELS
from ngae.ui.figures import add_marks, map_figure, pca_axes
from pages import common
from pages.parts import cached, oracle
from pages.parts.checkpoints import carried_value, explorer_key
from pages.parts.compare import compare
from pages.parts.drawing import cell_card, neighbours_table
from pages.parts.editors import REQUEST, editor
from pages.parts.map_figure import hover_labels
from pages.parts.truth import transfer_section


def show(ex, key, item):
    """The object's card and neighbours beside the map (a star where it lands)."""
    info = ex.describe(item)
    near = ex.neighbours(info.z, exclude=info.index)  # not the object itself
    n = cached.names()
    left, right = st.columns([1, 1])
    with left:
        where = "" if info.index is None else f"data set index {info.index}"
        cell_card(info, where)
        st.markdown(f"**Nearest data-set {n.items} in latent space**")
        neighbours_table(near)
    with right:
        kinds = ["pca"] + [k for k in ("tsne", "umap") if cached.ready_projection(k) is not None]
        kind = st.radio(
            "Map",
            kinds,
            horizontal=True,
            key="arch_map_kind",
            format_func=PROJECTION_LABELS.get,
        )
        xy = cached.ready_projection(kind)
        tab = cached.table(*key)
        axes = pca_axes(ex.pca_variance()) if kind == "pca" else None
        hover = hover_labels(*key, oracle.current())  # with the picked source's true figures
        fig = map_figure(xy, tab, np.arange(len(tab)), "pred_acc", n.pred_acc, height=520,
                         names=n, hover=hover, axes=axes)  # fmt: skip
        add_marks(fig, ex.place(info.z[None], kind), f"this {n.item}", size=20)
        fig.update_layout(title="Where it lands (star)", uirevision=kind)
        st.plotly_chart(fig, key="arch_map")
    if ex.space_info.can_diff:
        compare(ex, info, near)


def take_request(item):
    """An object another page sent (stamped with its checkpoint): opened on that one only."""
    state = st.session_state
    sent = state.get(REQUEST)
    if not isinstance(sent, dict):
        return
    notice = f"The {item} sent from another page belongs to **{{origin}}**, not to **{{here}}**."
    value = carried_value(sent, notice + " It is not opened here.")
    if value is None:
        state.pop(REQUEST)
    else:
        state[REQUEST] = value


def main():
    ex = cached.explorer()
    key = explorer_key()
    st.title(ex.space_info.item.capitalize())
    take_request(ex.space_info.item)
    item = editor(ex, cached.table(*key).arch.iloc[0])
    if item is not None:
        show(ex, key, item)
        transfer_section(ex, key, item.to_string())


common.page("Architecture", main)
