"""Interpolation on the latent map: two indices and steps, then the strip of decodings."""

from __future__ import annotations

import numpy as np
import streamlit as st

from ngae.explorer import USER_ERRORS
from ngae.ui.numbers import with_spread
from pages.parts import cached
from pages.parts.drawing import arch_link, draw_cell


def interpolation_section(ex, key, n):
    """Two indices (default: the last two clicks), steps and the button; the strip of
    decodings right under them."""
    items = cached.names().items
    st.markdown(f"**Interpolate between two {items}** (defaults: your last two clicks)")
    c = st.columns([1.2, 1.2, 1.4, 1], vertical_alignment="bottom")
    state = st.session_state
    for name in ("interp_a", "interp_b"):
        state.setdefault(name, 0 if name == "interp_a" else min(1, n - 1))
    a = c[0].number_input("From index", step=1, key="interp_a")
    b = c[1].number_input("To index", step=1, key="interp_b")
    state.setdefault("interp_steps", 6)
    steps = c[2].slider("Steps", 2, 16, key="interp_steps")
    problems = index_problems(ex, {"From index": a, "To index": b})
    for problem in problems:
        st.error(problem)
    if c[3].button("Interpolate", type="primary", key="interp_go") and not problems:
        cells = ex.interpolate(int(a), int(b), int(steps))
        state["interp"] = {"key": key, "a": int(a), "b": int(b), "cells": cells}
        st.rerun(scope="app")  # the map draws the path, the strip below shows the decodings
    result = current_interpolation(key)
    if result:
        interpolation_strip(ex, result)


def index_problems(ex, values):
    """One line per typed index that is not a data-set index (``label: reason``)."""
    problems = []
    for label, value in values.items():
        try:
            ex.check_index(int(value))
        except (*USER_ERRORS, TypeError, ValueError) as err:
            problems.append(f"{label}: {err}")
    return problems


def current_interpolation(key):
    """This session's last interpolation on checkpoint ``key``, or ``None``."""
    result = st.session_state.get("interp")
    return result if result and result["key"] == key else None


def interpolation_strip(ex, result, per_row=6):
    """Every step's decoding, drawn, with what changed from the step before (where the space
    says)."""
    cells, n = result["cells"], cached.names()
    st.markdown("**Interpolation**")
    st.caption(
        f"{len(cells)} decodings along the straight line from #{result['a']} to "
        f"#{result['b']} (the red path on the map)."
    )
    changes = [""] + ex.step_changes([None if d.cell is None else d.cell.arch for d in cells])
    # the spread at each decoding's own code (its prediction's), else at the step's point
    spread = ex.uncertainty(np.stack([d.z if d.cell is None else d.cell.z for d in cells]))
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
                    f"{n.short_pred} {with_spread(dec.cell.pred_acc, spread[start + k], n)}  \n"
                    f"{dec.cell.params:,} {n.params}"
                )
                st.markdown(f"[Architecture page]({arch_link(dec.cell.arch)})")
