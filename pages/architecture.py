"""Architecture: build or paste an object of the checkpoint's space (its editor says how); see
it drawn, its figures, its nearest neighbours and where it lands on the map."""

import numpy as np
import streamlit as st

from ngae.explorer import PROJECTION_LABELS
from ngae.ui.figures import add_marks, map_figure
from pages import common
from pages.parts import cached
from pages.parts.checkpoints import explorer_key
from pages.parts.compare import compare
from pages.parts.drawing import cell_card, neighbours_table
from pages.parts.editors import editor


def show(ex, key, item):
    """The object's card and neighbours beside the map (a star where it lands)."""
    info = ex.describe(item)
    near = ex.neighbours(info.z)
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
        fig = map_figure(xy, tab, np.arange(len(tab)), "pred_acc", n.pred_acc, height=520, names=n)
        add_marks(fig, ex.place(info.z[None], kind), f"this {n.item}", size=20)
        fig.update_layout(title="Where it lands (star)", uirevision=kind)
        st.plotly_chart(fig, key="arch_map")
    if ex.space_info.can_diff:
        compare(ex, info, near)


def main():
    ex = cached.explorer()
    key = explorer_key()
    st.title(ex.space_info.item.capitalize())
    item = editor(ex, cached.table(*key).arch.iloc[0])
    if item is not None:
        show(ex, key, item)


common.page("Architecture", main)
