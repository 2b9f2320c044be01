"""The latent map's focus: what a click, a table row or a typed position picks, decoded."""

from __future__ import annotations

import json

import numpy as np
import streamlit as st

from ngae.explorer import USER_ERRORS, UserInputError
from ngae.ui.selection import selected_points
from pages.parts import cached
from pages.parts.checkpoints import KEY
from pages.parts.drawing import neighbours_table, show_cell, show_legend

CHART = "map_chart"
PICKED = "map_picked"  # a data-set index picked in the table or opened by index: starred
OPEN, OPEN_ERROR = "map_open_index", "map_open_error"


def track_clicks(shown):
    """Turn a new map selection into the focus and the last two clicked indices."""
    state = st.session_state
    picked = selected_points(state.get(CHART), shown)
    sig = json.dumps(picked)
    if sig == state.get("map_sel_sig"):
        return picked
    state["map_sel_sig"] = sig
    if not picked:
        return picked
    state["map_focus"] = picked[0]
    state.pop("map_notice", None)
    state.pop(PICKED, None)  # a click is highlighted by Plotly itself
    if len(picked) > 1:  # a box or lasso: the next figure puts the map back in pan mode
        state["map_drag_rev"] = state.get("map_drag_rev", 0) + 1
        members = [p[1] for p in picked if p[0] == "data"]
        if len(members) > 1:
            state["map_selection"] = members
    data = [p[1] for p in picked if p[0] == "data"]
    if len(picked) == 1 and data:
        state["interp_a"], state["interp_b"] = state.get("interp_b", data[0]), data[0]
    return picked


def top_table(tab, shown, spread=None, k=200):
    """The ``k`` best shown objects by predicted performance (the grid sorts further).

    ``spread`` (the head ensemble's, one per data-set object) becomes ``pred_sd``.
    """
    top = tab.iloc[shown].nlargest(k, "pred_acc")
    top = top.assign(index=top.index)
    columns = ["index", "true_acc", "pred_acc", "params", "split"]
    if spread is not None:
        top["pred_sd"] = spread[top.index.to_numpy()]
        columns.insert(3, "pred_sd")
    return top[columns]


def track_table(top):
    """A row picked in the top table becomes the map's focus (once per new pick)."""
    state = st.session_state
    rows = ((state.get("map_top_table") or {}).get("selection") or {}).get("rows") or []
    sig = json.dumps([int(top.iloc[r]["index"]) for r in rows if r < len(top)])
    if sig != state.get("map_top_sig"):
        state["map_top_sig"] = sig
        if rows and rows[0] < len(top):
            state[PICKED] = int(top.iloc[rows[0]]["index"])
            state["map_focus"] = ("data", state[PICKED])
            state.pop("map_notice", None)


def map_marks(rows):
    """What the map marks: ``(selection members, picked index)`` (see ``build_map``)."""
    state = st.session_state
    members = tuple(sorted({int(m) for m in state.get("map_selection") or () if 0 <= m < rows}))
    picked, focus = state.get(PICKED), state.get("map_focus")
    mark = picked if picked is not None and focus == ("data", picked) else None
    return members, mark


def open_index(ex):
    """Button callback: open the typed data-set index (the focus, starred on the map)."""
    state = st.session_state
    state.pop(OPEN_ERROR, None)
    value = state.get(OPEN)
    try:
        if value is None:
            raise UserInputError("type a data-set index first")
        i = ex.check_index(int(value))
    except USER_ERRORS as err:
        state[OPEN_ERROR] = (state.get(KEY), f"{open_label()}: {err}")  # this checkpoint's
        return
    state[PICKED] = i
    state["map_focus"] = ("data", i)
    state.pop("map_notice", None)


def open_label():
    return f"Open {cached.names().item} by index"


def open_box(ex, rows):
    """Type an index, press Open: that object becomes the focus (errors in one line)."""
    c = st.columns([3, 1], vertical_alignment="bottom")
    c[0].number_input(open_label(), value=None, step=1, key=OPEN, placeholder=f"0 to {rows - 1:,}")
    c[1].button("Open", key="map_open_go", on_click=open_index, args=(ex,))
    error = st.session_state.get(OPEN_ERROR)
    if error and error[0] == st.session_state.get(KEY):
        st.error(error[1])


def focus_details(ex, key, kind, xy):
    """Decode the focus (cached): (title, decoded, position, typed) or None."""
    focus = st.session_state.get("map_focus")
    if not focus:
        return None
    if focus[0] == "data":
        i = int(focus[1])
        dec = cached.decode_index(*key, i)
        item = cached.names().item.capitalize()
        return f"{item} #{i}, decoded from its latent mean", dec, xy[i], False
    x, y = focus[1]
    dec = cached.decode_position(*key, float(x), float(y))
    where = np.array([x, y]) if kind == "pca" else ex.place(dec.z[None], kind)[0]
    return f"Decoded at PCA position ({x:.2f}, {y:.2f})", dec, where, focus[0] == "typed"


def focus_typed():
    """Button callback (runs before the rerun, so the new focus is drawn at once).

    A position outside the region the codes occupy (the map's extent plus a margin) is moved
    to its edge, with a notice: far from every code the decoder's answer means nothing.
    """
    state = st.session_state
    x, y = float(state["decode_x"]), float(state["decode_y"])
    lo, hi = state.get("map_extent", ((-np.inf, -np.inf), (np.inf, np.inf)))
    cx, cy = float(np.clip(x, lo[0], hi[0])), float(np.clip(y, lo[1], hi[1]))
    state.pop("map_notice", None)
    if (cx, cy) != (x, y):
        state["map_notice"] = (
            f"({x:g}, {y:g}) is outside the region the latent codes occupy "
            f"(x {lo[0]:.2f} to {hi[0]:.2f}, y {lo[1]:.2f} to {hi[1]:.2f}): decoded at the "
            f"nearest point inside it, ({cx:.2f}, {cy:.2f})."
        )
        state["decode_x"], state["decode_y"] = cx, cy
    state["map_focus"] = ("typed", (cx, cy))


def atlas_note(key, details):
    """Under a decoded position on the atlas: the atlas cell's own (greedy) decoding."""
    focus = st.session_state.get("map_focus")
    if details is None or not focus or focus[0] == "data":
        return
    shown = cached.atlas_decoding(*key, *map(float, focus[1]))
    dec, item = details[1], cached.names().item
    where = "The atlas cell here (its centre decoded greedily)"
    if shown is None:
        st.caption(f"{where} shows no valid {item}.")
    elif dec.cell is not None and dec.cell.arch == shown:
        st.caption(f"{where} shows this same {item}.")
    else:
        st.caption(f"{where} shows `{shown}`, not the most common of the samples above.")


def focus_panel(ex, details, kind, xy, key=None, layer=None):
    """The legend, the decoded focus with its neighbours, and the decode-any-position box."""
    show_legend()
    if details is None:
        st.info(
            "Click a point to decode its cell. On the PCA map, click a faint cross to "
            "decode any position, or enter one below."
        )
    else:
        title, dec = details[:2]
        show_cell(dec, title)
        if layer and layer[0] == "atlas" and kind == "pca":
            atlas_note(key, details)
        focus = st.session_state.get("map_focus")
        own = int(focus[1]) if focus and focus[0] == "data" else None
        st.markdown(
            "**Nearest neighbours in latent space**"
            + (f" (other than #{own})" if own is not None else "")
        )
        neighbours_table(ex.neighbours(dec.z, exclude=own), height=240)
    if st.session_state.get("map_notice"):
        st.warning(st.session_state["map_notice"])
    if kind == "pca":
        with st.expander("Decode any position"):
            lo, hi = xy.min(0), xy.max(0)
            pad = 0.1 * (hi - lo)
            st.session_state["map_extent"] = (tuple(lo - pad), tuple(hi + pad))
            c = st.columns(2)
            c[0].number_input("x", value=float((lo[0] + hi[0]) / 2), format="%.3f", key="decode_x")
            c[1].number_input("y", value=float((lo[1] + hi[1]) / 2), format="%.3f", key="decode_y")
            st.button("Decode this position", key="decode_xy", on_click=focus_typed)
