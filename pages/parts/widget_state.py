"""Widget values a person expects back after visiting another page, and per checkpoint.

Streamlit drops the state of widgets a run does not draw; writing a copy back on every page
keeps them. What describes one checkpoint's map is kept per checkpoint: picking another
checkpoint puts the old one's values aside and brings back the new one's (the first time: no
filter, no focus), so a switch and back shows what was there, and no filter, focus or selection
of one model is applied to another's (their splits, bounds and rows differ).
"""

from __future__ import annotations

import streamlit as st

from pages.parts import cached
from pages.parts.checkpoints import KEY

KEPT_PREFIXES = ("map_kind", "map_colour", "map_split", "map_pred_", "map_true_", "map_params_",
                 "interp_a", "interp_b", "interp_steps", "arch_map_kind")  # fmt: skip
# The map's filters: per checkpoint, none on a checkpoint's first visit (set, not dropped: the
# browser would send the old values back to widgets it still shows).
FILTERS = {"map_pred_lo": None, "map_pred_hi": None, "map_true_lo": None,
           "map_true_hi": None, "map_params_lo": "", "map_params_hi": "", "map_query": "",
           "map_second": None}  # fmt: skip
SPLIT = "map_split"  # a filter too: every split of the checkpoint's data set
# Per checkpoint where one was seen before, else carried over (the widgets check them).
VIEW = ("map_colour", "map_atlas_prop", "map_field_lambda", "decode_x", "decode_y")
# The pages' own values about one checkpoint's objects: per checkpoint, none at first.
OWN = ("map_focus", "map_selection", "map_sel_sig", "map_top_sig", "map_notice", "map_extent",
       "interp", "interp_a", "interp_b", "sel_cmp_a", "sel_cmp_b")  # fmt: skip
SEEN, SHELF = "_checkpoint_seen", "_per_checkpoint"


def keep_page_state() -> None:
    """Give back the kept widget values (call before a page's widgets).

    Streamlit drops the state of widgets a run does not draw, and after a fragment's rerun it
    can drop those outside the fragment at the next page change; a copy of each kept value
    (``_kept_<key>``, written by :func:`mirror_page_state`) survives both. Each is set again
    as a value of this run, so a widget that comes back under another identity (its page run
    another way) takes it too, instead of starting empty beside a value it does not see.
    """
    state = st.session_state
    for name in list(state.keys()):
        if isinstance(name, str) and name.startswith("_kept_"):
            key = name[6:]
            state[key] = state[key] if key in state else state[name]


def mirror_page_state() -> None:
    """Copy the kept widget values (after a page's or a fragment's widgets are drawn)."""
    state = st.session_state
    for name in list(state.keys()):
        if isinstance(name, str) and name.startswith(KEPT_PREFIXES):
            state["_kept_" + name] = state[name]


def switch_checkpoint_state(map_page: bool = False) -> None:
    """After a checkpoint switch: shelve the old checkpoint's values, bring back the new one's.

    Call after the checkpoint is settled and before any page's widgets are drawn;
    ``map_page``: this run draws the map's filters (their new values must be set, not dropped).
    """
    state = st.session_state
    current, before = state.get(KEY), state.get(SEEN)
    state[SEEN] = current
    if before is None or before == current:
        return
    names = [*FILTERS, SPLIT, *VIEW, *OWN]
    names += ["_kept_" + n for n in names]
    shelf = state.setdefault(SHELF, {})
    shelf[before] = {name: state[name] for name in names if name in state}
    back = shelf.pop(current, None)
    for name in names:
        if back is not None or not name.removeprefix("_kept_").startswith(VIEW):
            state.pop(name, None)
    if back is None:
        back = dict(FILTERS)
        if map_page:
            back[SPLIT] = sorted(set(cached.explorer().split))
    for name, value in back.items():
        state[name] = value
