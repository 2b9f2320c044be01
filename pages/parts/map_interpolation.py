"""Interpolation on the latent map: two indices and steps, then the strip of decodings."""

from __future__ import annotations

import streamlit as st

from pages.parts import cached
from pages.parts.drawing import arch_link, draw_cell


def interpolation_controls(ex, key, n):
    """Two index pickers (default: the last two clicks), steps and the button."""
    items = cached.names().items
    st.markdown(f"**Interpolate between two {items}** (defaults: your last two clicks)")
    c = st.columns([1.2, 1.2, 1.4, 1], vertical_alignment="bottom")
    state = st.session_state
    for name in ("interp_a", "interp_b"):
        state.setdefault(name, 0 if name == "interp_a" else min(1, n - 1))
        state[name] = int(min(max(int(state[name]), 0), n - 1))
    a = c[0].number_input("From index", 0, n - 1, key="interp_a")
    b = c[1].number_input("To index", 0, n - 1, key="interp_b")
    steps = c[2].slider("Steps", 2, 16, 6, key="interp_steps")
    if c[3].button("Interpolate", type="primary", key="interp_go"):
        cells = ex.interpolate(int(a), int(b), int(steps))
        state["interp"] = {"key": key, "a": int(a), "b": int(b), "cells": cells}
        st.rerun(scope="app")  # the strip below the fragment shows it


def current_interpolation(key):
    """This session's last interpolation on checkpoint ``key``, or ``None``."""
    result = st.session_state.get("interp")
    return result if result and result["key"] == key else None


def interpolation_strip(ex, result, per_row=6):
    """Every step's decoding, drawn, with what changed from the step before (where the space
    says)."""
    cells, n = result["cells"], cached.names()
    st.subheader("Interpolation")
    st.caption(
        f"{len(cells)} decodings along the straight line from #{result['a']} to "
        f"#{result['b']} (the red path on the map)."
    )
    changes = [""] + ex.step_changes([None if d.cell is None else d.cell.arch for d in cells])
    for start in range(0, len(cells), per_row):
        cols = st.columns(per_row)
        for k, dec in enumerate(cells[start : start + per_row]):
            with cols[k]:
                st.markdown(f"**step {start + k}**")
                if changes[start + k]:
                    st.caption(f"changed: {changes[start + k]}")
                if dec.cell is None:
                    st.warning(f"no valid {n.item}")
                    continue
                draw_cell(dec.cell.arch, f"strip{start + k}", vertical=True)
                st.caption(
                    f"{n.short_pred} {n.perf_text(dec.cell.pred_acc)}  \n"
                    f"{dec.cell.params:,} {n.params}"
                )
                st.markdown(f"[Architecture page]({arch_link(dec.cell.arch)})")
