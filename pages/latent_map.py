"""Latent map: every object's latent code on a 2-D map; click to decode, interpolate."""

import streamlit as st

from pages import common
from pages.parts import cached
from pages.parts.checkpoints import explorer_key
from pages.parts.map_controls import controls
from pages.parts.map_figure import pending
from pages.parts.map_interpolation import current_interpolation, interpolation_strip
from pages.parts.map_second import second_checkpoint
from pages.parts.map_section import map_section
from pages.parts.map_view import restore_view


def main():
    st.title("Latent map")
    ex = cached.explorer()
    key = explorer_key()
    restore_view(ex, cached.table(*key))
    for notice in st.session_state.pop("map_view_notices", []):
        st.warning(notice)
    kind, colour, label, shown, layer, matched = controls(cached.table(*key))
    xy = cached.ready_projection(kind)
    if xy is None:
        pending(ex, key, kind)
        return
    map_section(ex, key, kind, colour, label, shown, xy, layer, matched)
    interp = current_interpolation(key)
    if interp:
        interpolation_strip(ex, interp)
    second_checkpoint(key)


common.page("Latent map", main)
