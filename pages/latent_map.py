"""Latent map: every object's latent code on a 2-D map; click to decode, interpolate."""

import streamlit as st

from pages import common
from pages.parts import cached
from pages.parts.checkpoints import explorer_key
from pages.parts.map_controls import controls
from pages.parts.map_figure import pending
from pages.parts.map_second import second_checkpoint
from pages.parts.map_section import map_section
from pages.parts.map_view import restore_view
from pages.parts.truth import leaderboard, missing_note

SEEN = "_map_introduced"  # the introduction was shown open once this session


def main():
    st.title("Latent map")
    ex = cached.explorer()
    key = explorer_key()
    introduction(ex)
    restore_view(ex, cached.table(*key))
    for notice in st.session_state.pop("map_view_notices", []):
        st.warning(notice)
    kind, colour, label, shown, layer, matched = controls(cached.table(*key))
    if not len(shown):  # a blank map says why
        st.warning(f"No {cached.names().items} match the Split and the filters: widen them.")
    missing_note(cached.table(*key), colour, label)
    xy = cached.ready_projection(kind)
    if xy is None:
        pending(ex, key, kind)
    else:
        map_section(ex, key, kind, colour, label, shown, xy, layer, matched)
    leaderboard(ex, key)
    if xy is not None:
        second_checkpoint(key)


def introduction(ex):
    """What a point is and where to start: open until the session's first pick, then folded."""
    n, state = cached.names(), st.session_state
    if state.get("map_focus"):
        state[SEEN] = True
    pc1, pc2 = ex.pca_variance()
    with st.expander(
        f"What is this map? Each point is one {n.item} of the data set",
        expanded=not state.get(SEEN),
    ):
        st.markdown(
            f"Each point is one of the {len(cached.table(*explorer_key())):,} {n.items} of the "
            f"data set, placed by its latent code (the encoder's mean vector) "
            f"drawn in two dimensions. The PCA map is the plane of the codes' two largest "
            f"directions of variance ({pc1:.0%} and {pc2:.0%} of it); the t-SNE and UMAP maps "
            f"keep each code's nearest codes near it instead, and their axes mean nothing.\n\n"
            f"**Start here:** click a point to decode it and see its figures and neighbours; "
            f"colour the map by a figure; drag a box or lasso (the toolbar) to select a "
            f"region and search from it; or open one by its index on the right."
        )
    if ex.shown_note():  # a large data set is shown by a sample: say so where the map starts
        st.caption(ex.shown_note())


common.page("Latent map", main)
