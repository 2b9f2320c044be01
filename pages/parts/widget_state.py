"""Widget values a person expects back after visiting another page, and what a switch drops.

Streamlit drops the state of widgets a run does not draw; writing a copy back on every page
keeps them. State that belongs to one checkpoint is dropped when the picker moves on.
"""

from __future__ import annotations

import streamlit as st

from pages.parts.checkpoints import KEY

KEPT_PREFIXES = ("map_kind", "map_colour", "map_split", "map_pred_", "map_true_", "map_params_",
                 "interp_a", "interp_b", "interp_steps", "arch_map_kind")  # fmt: skip
PER_CHECKPOINT = ("map_focus", "map_sel_sig", "decode_x", "decode_y", "interp", "interp_a",
                  "interp_b", "map_notice")  # fmt: skip


def keep_page_state() -> None:
    """Give back the kept widget values Streamlit dropped (call before a page's widgets).

    Streamlit drops the state of widgets a run does not draw, and after a fragment's rerun it
    can drop those outside the fragment at the next page change; a copy of each kept value
    (``_kept_<key>``, written by :func:`mirror_page_state`) survives both.
    """
    state = st.session_state
    for name in list(state.keys()):
        if isinstance(name, str) and name.startswith("_kept_") and name[6:] not in state:
            state[name[6:]] = state[name]


def mirror_page_state() -> None:
    """Copy the kept widget values (after a page's or a fragment's widgets are drawn)."""
    state = st.session_state
    for name in list(state.keys()):
        if isinstance(name, str) and name.startswith(KEPT_PREFIXES):
            state["_kept_" + name] = state[name]


def forget_on_checkpoint_switch() -> None:
    """Drop the focus, typed positions and interpolation of the previous checkpoint."""
    state = st.session_state
    current = state.get(KEY)
    if state.get("_checkpoint_seen", current) != current:
        for name in PER_CHECKPOINT:
            state.pop(name, None)
            state.pop("_kept_" + name, None)
    state["_checkpoint_seen"] = current
