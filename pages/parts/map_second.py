"""A second checkpoint's PCA map aligned onto this one, and the objects that moved most."""

from __future__ import annotations

import numpy as np
import streamlit as st

from ngae.explorer import list_checkpoints
from ngae.ui.figures import aligned_figure
from pages.parts import cached


def second_checkpoint(key, top=20):
    """The expander: pick another checkpoint, see its aligned map and the largest moves."""
    others = [name for name in list_checkpoints() if name != key[0]]
    state = st.session_state
    with st.expander("Align a second checkpoint's map", expanded=bool(state.get("map_second"))):
        if not others:
            st.info("Only one checkpoint here: train or fine-tune another one to compare maps.")
            return
        if state.get("map_second") not in (None, *others):
            state.pop("map_second")
        name = st.selectbox(
            "Second checkpoint",
            [None, *others],
            format_func=lambda n: "none" if n is None else n,
            key="map_second",
            help=f"its PCA map is rotated (and mirrored if that fits better) onto this one's "
            f"over the {cached.names().items} both data sets hold, then each is coloured by "
            "how far it moved",
        )
        if name is None:
            return
        with st.spinner(f"Opening {name} and aligning its map..."):
            other_mtime = cached.other_explorer(name).path.stat().st_mtime_ns
            result = cached.aligned(*key, name, other_mtime)
        moved_most(result, cached.table(*key), cached.table(name, other_mtime), top)


def moved_most(result, tab, other_tab, top):
    """The aligned map, how it was turned, and the ``top`` objects that moved most."""
    n = cached.names()
    hover = cached.explorer().hover_text
    text = [f"#{i}: {hover(tab.arch.iloc[i])}" for i in result.index]
    st.plotly_chart(aligned_figure(result.xy, result.moved, text), key="map_aligned")
    angle = np.degrees(np.arctan2(result.rotation[1, 0], result.rotation[0, 0]))
    mirrored = np.linalg.det(result.rotation) < 0
    st.caption(
        f"{len(result.index):,} shared {n.items}; rotation {angle:.1f}°"
        + (" with a mirror" if mirrored else "")
        + f"; median movement {np.median(result.moved):.3f}, largest "
        f"{result.moved.max():.3f} (this map's units)."
    )
    order = np.argsort(-result.moved)[:top]
    st.markdown(f"**The {len(order)} {n.items} that moved most**")
    st.dataframe(
        {
            "index": result.index[order],
            "arch": tab.arch.iloc[result.index[order]].to_numpy(),
            "moved": result.moved[order],
            f"{n.short_pred} here": tab.pred_acc.iloc[result.index[order]].to_numpy(),
            f"{n.short_pred} there": other_tab.pred_acc.iloc[result.other_index[order]].to_numpy(),
        },
        hide_index=True,
        key="map_moved",
    )
