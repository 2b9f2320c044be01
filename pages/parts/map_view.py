"""The latent map's view in the URL: restored from a link once, written back after each run,
and offered as a link to copy."""

from __future__ import annotations

import json

import streamlit as st

from ngae.explorer import PROJECTION_LABELS as KINDS
from ngae.explorer import list_checkpoints
from ngae.ui.layers import LAYERS, atlas_choices
from ngae.ui.tables import colour_choices
from ngae.ui.view_state import PARAMS, MapView, Offer, read_view, view_params, view_query_string
from pages.parts import cached
from pages.parts.checkpoints import KEY
from pages.parts.oracle import link_params


def url_signature(params) -> str:
    """The view's parameters as one comparable string."""
    return json.dumps({k: params.get(k) for k in PARAMS}, sort_keys=True)


def restore_view(ex, tab):
    """Apply a link's view once (before the widgets exist); notices for what was not usable."""
    state, params = st.session_state, {k: st.query_params.get(k) for k in st.query_params}
    sig = url_signature(params)
    if state.get("_view_sig") == sig or not any(k in params for k in PARAMS):
        state["_view_sig"] = sig
        return
    n = cached.names()
    choices = colour_choices(tab, n)
    offer = Offer(
        checkpoints=tuple(list_checkpoints()),
        projections=tuple(KINDS),
        colours=tuple(choices.values()),
        splits=tuple(sorted(tab.split.unique())),
        layers=tuple(LAYERS),
        shades=tuple(atlas_choices(n)),
        rows=len(tab),
        check_query=ex.query if ex.space_info.queries is not None else None,
        current=state.get(KEY),
    )
    # The link's checkpoint (``ckpt``) is already the one shown: the frame follows a link's
    # checkpoint before any page draws (pages.parts.checkpoints.choose_checkpoint).
    view, notices = read_view(params, offer)
    state["_view_sig"] = sig
    labels = {column: label for label, column in choices.items()}
    values = {
        "map_kind": view.projection,
        "map_colour": labels.get(view.colour),
        "map_split": list(view.splits) if view.splits is not None else None,
        "map_layer": view.layer,
        "map_atlas_prop": view.shade,
        "map_query": view.query,
        "map_focus": view.focus,
        "map_selection": list(view.selection) if view.selection else None,
        "map_second": view.second,
    }
    for name, value in values.items():
        if value is not None:
            state[name] = value
    state["map_view_notices"] = notices


def current_view(tab) -> MapView:
    """The view the widgets show now."""
    state = st.session_state
    choices = colour_choices(tab, cached.names())
    layer = state.get("map_layer")
    return MapView(
        checkpoint=state.get(KEY),
        projection=state.get("map_kind"),
        colour=choices.get(state.get("map_colour")),
        splits=tuple(state["map_split"]) if "map_split" in state else None,
        layer=layer if layer != "none" else None,
        shade=state.get("map_atlas_prop") if layer == "atlas" else None,
        query=(state.get("map_query") or "").strip() or None,
        focus=state.get("map_focus"),
        selection=tuple(sorted(state["map_selection"])) if state.get("map_selection") else None,
        second=state.get("map_second"),
    )


def write_view(tab):
    """Put the current view in the URL (after the page's own token); no rerun."""
    view = current_view(tab)
    wanted = view_params(view)
    for name in PARAMS:
        if name in wanted:
            if st.query_params.get(name) != wanted[name]:
                st.query_params[name] = wanted[name]
        elif name in st.query_params:
            del st.query_params[name]
    st.session_state["_view_sig"] = url_signature(wanted)


def share_box(tab):
    """The copy-link control: the view's URL in a code box (its copy button copies it)."""
    with st.expander("Share this view"), st.container(key="share_link"):
        query = view_query_string(current_view(tab), link_params())  # the picked data set
        base = (st.context.url or "").split("?")[0]
        if base:
            st.code(base + query, language=None)
            st.caption(
                "Copy the link with the button at its right; opening it in any browser "
                "restores this projection, colour, filters, layer, query, focus, selection "
                "and second checkpoint."
            )
        else:
            st.code(query, language=None)
            st.caption(
                "This server's address is not known here: add this to the page's "
                "address to share the view."
            )
