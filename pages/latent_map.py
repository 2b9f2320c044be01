"""Latent map: every architecture's latent code on a 2-D map; click to decode, interpolate."""

import json
import time

import numpy as np
import streamlit as st

from ngae.explorer import OP_NAMES, SEARCH_DEFAULTS, UserInputError, duration, step_diffs
from ngae.explorer import PROJECTION_LABELS as KINDS
from ngae.ui.cells import OP_COLOURS
from ngae.ui.figures import add_marks, aligned_figure, map_figure, op_histogram
from ngae.ui.forms import count, parse_number
from ngae.ui.layers import LAYERS, add_atlas, add_density, add_field, atlas_choices
from ngae.ui.selection import probe_grid, selected_points
from ngae.ui.tables import colour_choices, selection_exports, selection_frame, selection_stats
from ngae.ui.view_state import PARAMS, MapView, Offer, read_view, view_params, view_query_string
from pages import common

CHART = "map_chart"
QUERY_TRACE = "query matches"


def controls(tab):
    """Projection, colour and filters; returns (kind, colour column, label, shown indices).

    The filters do not depend on the colour: typed bounds on predicted and true accuracy
    (four decimals) and on exact parameters, and the splits.
    """
    c = st.columns([1.3, 1.6, 2.2])
    kind = c[0].radio(
        "Projection", list(KINDS), format_func=KINDS.get, horizontal=True, key="map_kind"
    )
    n = common.names()
    choices = colour_choices(tab, n)
    label = c[1].selectbox("Colour by", list(choices), key="map_colour")
    splits = sorted(tab.split.unique())
    chosen = c[2].multiselect(
        "Split",
        splits,
        default=None if "map_split" in st.session_state else splits,
        key="map_split",
        help="burn-in: the first 1,000 lines of the data set, which D-VAE's split leaves out",
    )
    mask = tab.split.isin(chosen).to_numpy()
    layer = layer_controls(kind, n)
    matched = structural_query()
    with st.expander(f"Filter by {n.perf} and size", expanded=False):
        f = st.columns(3)
        mask &= bounds(f[0], tab.pred_acc, n.pred_acc, "map_pred", n)
        mask &= bounds(f[1], tab.true_acc, n.true_acc, "map_true", n)
        mask &= size_bounds(f[2], tab.params, n)
    return kind, choices[label], label, np.flatnonzero(mask), layer, matched


QUERY_HELP = (
    "Conditions joined by ';' (all must hold): `op 1=conv3x3` (layer 1's op), `skip 0>3` / "
    "`noskip 0>3` (a skip from node 0, the input, into layer 3), `conv 2..4`, `sep ..1`, "
    "`pool 1..`, `skips 3..5`, `longest 6..` (counts of convolutions, separable convolutions, "
    "pools, skips; the longest path in edges)."
)


def structural_query():
    """The ENAS motif query box; returns the matching indices, or ``None`` without a query."""
    if common.space() != "enas6":
        return None
    with st.expander("Structural query", expanded=bool(st.session_state.get("map_query"))):
        text = st.text_input(
            "Motifs",
            key="map_query",
            placeholder="op 1=conv3x3; skip 0>3; pool ..1",
            help=QUERY_HELP,
        )
        if not text.strip():
            return None
        try:
            return np.flatnonzero(common.explorer().query(text))
        except UserInputError as err:
            st.error(f"Query not applied: {err}")
            return None


LAYER_NOTES = {
    "atlas": "The background shows the {prop} of what each cell of a 64 x 64 grid over the PCA "
    "map decodes to (greedy decoding of the cell centre's latent point); dark cells: the "
    "decoding changes at the next cell. Hover a cell for its value; click a faint cross to "
    "decode that position.",
    "field": "Arrows: where gradient search on f_perf - {lam:g} u f_cmplx moves from each point "
    "of a 14 x 14 grid, projected onto the PCA plane (longer: steeper).",
    "density": "Contours of the training codes' density on this map (Gaussian kernels).",
    "error": "Colour: predicted minus true accuracy of every data-set architecture.",
    "uncertainty": "Colour: standard deviation of five accuracy heads refitted on bootstrap "
    "samples of the training codes. Where they disagree, search follows a guess.",
}


def layer_controls(kind, n):
    """The layer under or over the points: ``(layer, atlas property, its label, lambda)``."""
    c = st.columns([2.6, 1.4, 1])
    layer = c[0].radio(
        "Layer",
        list(LAYERS),
        format_func=LAYERS.get,
        horizontal=True,
        key="map_layer",
        help="decoder atlas: what each cell of a grid decodes to; objective field: where "
        "gradient search goes; predictor uncertainty: spread of an ensemble of refitted heads",
    )
    prop, prop_label, lam = "first", "", float(SEARCH_DEFAULTS.lambda_cmplx)
    if layer == "atlas":
        props = atlas_choices(n)
        prop = c[1].selectbox("Shade by", list(props), format_func=props.get, key="map_atlas_prop")
        prop_label = props[prop]
    if layer == "field":
        lam = c[1].number_input("lambda", 0.0, 1000.0, lam, 1.0, key="map_field_lambda")
    if layer in ("atlas", "field") and kind != "pca":
        st.info(f"The {LAYERS[layer]} is drawn on the PCA map, whose plane has an exact inverse.")
    elif layer in LAYER_NOTES:
        st.caption(LAYER_NOTES[layer].format(prop=prop_label, lam=lam))
    return layer, prop, prop_label, float(lam)


def bounds(col, values, label, key, n):
    """Typed lower and upper bounds on an accuracy or score (blank: no bound); the rows kept."""
    values = values.to_numpy(dtype=float)
    lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
    a, b = col.columns(2)
    # Accuracies lie in [0, 1]; a score such as BIC has no fixed range.
    edges = (0.0, 1.0) if n.perf == "accuracy" else (None, None)
    fmt, step = n.perf_format, n.perf_step
    low = a.number_input(f"{label} ≥", *edges, None, step, fmt, key=f"{key}_lo",
                         placeholder=fmt % lo)  # fmt: skip
    high = b.number_input(f"{label} ≤", *edges, None, step, fmt, key=f"{key}_hi",
                          placeholder=fmt % hi)  # fmt: skip
    keep = np.ones(len(values), dtype=bool)
    if low is not None:
        keep &= values >= low
    if high is not None:
        keep &= values <= high
    return keep


def size_bounds(col, params, n):
    """Typed bounds on exact parameters (``1.5M``, ``900k``, ``1,200,000``); the rows kept."""
    params = params.to_numpy(dtype=float)
    a, b = col.columns(2)
    keep = np.ones(len(params), dtype=bool)
    short = "params" if n.perf == "accuracy" else n.cmplx
    for box, name, key, test in (
        (a, f"{short} ≥", "map_params_lo", np.greater_equal),
        (b, f"{short} ≤", "map_params_hi", np.less_equal),
    ):
        edge = params.min() if test is np.greater_equal else params.max()
        text = box.text_input(name, key=key, placeholder=count(edge))
        try:
            value = parse_number(text, name)
        except UserInputError as err:
            box.error(str(err))
            continue
        if value is not None:
            keep &= test(params, value)
    return keep


def pending(ex, key, kind):
    """A t-SNE/UMAP map that is not computed yet: a start button, then a progress poll."""
    status = ex.projection_status(kind)
    if status == "running":
        poll_projection(ex, key, kind)
        return
    if status.startswith("failed"):
        st.error(f"Computing the {KINDS[kind]} map failed ({status[8:]}). Try again, or use PCA.")
    st.info(
        f"The {KINDS[kind]} map of this checkpoint is not computed yet. It takes about a "
        "minute for 20,000 points and is then kept on disk for everyone."
    )
    if st.button(f"Compute the {KINDS[kind]} map", key=f"start_{kind}", type="primary"):
        common.projection_started()[(key, kind)] = time.time()
        ex.start_projection(kind)
        st.rerun()


@st.fragment(run_every=2)
@common.guarded
def poll_projection(ex, key, kind):
    status = ex.projection_status(kind)
    if status != "running":
        st.rerun()  # ready or failed: the whole page shows it
    started = common.projection_started().get((key, kind))
    seconds = time.time() - started if started else 0.0
    st.progress(
        min(seconds / 90.0, 0.95),
        text=f"Computing the {KINDS[kind]} map in the background: "
        f"{duration(seconds)} so far (usually about a minute).",
    )


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
    if len(picked) > 1:  # a box or lasso: the next figure puts the map back in pan mode
        state["map_drag_rev"] = state.get("map_drag_rev", 0) + 1
        members = [p[1] for p in picked if p[0] == "data"]
        if len(members) > 1:
            state["map_selection"] = members
    data = [p[1] for p in picked if p[0] == "data"]
    if len(picked) == 1 and data:
        state["interp_a"], state["interp_b"] = state.get("interp_b", data[0]), data[0]
    return picked


def top_table(tab, shown, k=200):
    """The ``k`` best shown architectures by predicted accuracy (the grid sorts further)."""
    top = tab.iloc[shown].nlargest(k, "pred_acc")
    return top.assign(index=top.index)[["index", "pred_acc", "true_acc", "params", "split"]]


def track_table(top):
    """A row picked in the top table becomes the map's focus (once per new pick)."""
    state = st.session_state
    rows = ((state.get("map_top_table") or {}).get("selection") or {}).get("rows") or []
    sig = json.dumps([int(top.iloc[r]["index"]) for r in rows if r < len(top)])
    if sig != state.get("map_top_sig"):
        state["map_top_sig"] = sig
        if rows and rows[0] < len(top):
            state["map_focus"] = ("data", int(top.iloc[rows[0]]["index"]))
            state.pop("map_notice", None)


def focus_details(ex, key, kind, xy):
    """Decode the focus (cached): (title, decoded, position, typed) or None."""
    focus = st.session_state.get("map_focus")
    if not focus:
        return None
    if focus[0] == "data":
        i = int(focus[1])
        dec = common.decode_index(*key, i)
        item = common.names().item.capitalize()
        return f"{item} #{i}, decoded from its latent mean", dec, xy[i], False
    x, y = focus[1]
    dec = common.decode_position(*key, float(x), float(y))
    where = np.array([x, y]) if kind == "pca" else ex.place(dec.z[None], kind)[0]
    return f"Decoded at PCA position ({x:.2f}, {y:.2f})", dec, where, focus[0] == "typed"


def interpolation_controls(ex, key, n):
    """Two index pickers (default: the last two clicks), steps and the button."""
    st.markdown("**Interpolate between two architectures** (defaults: your last two clicks)")
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
    result = st.session_state.get("interp")
    return result if result and result["key"] == key else None


def interpolation_strip(result, per_row=6):
    cells = result["cells"]
    st.subheader("Interpolation")
    st.caption(
        f"{len(cells)} decodings along the straight line from #{result['a']} to "
        f"#{result['b']} (the red path on the map)."
    )
    archs = [None if dec.cell is None else dec.cell.arch for dec in cells]
    changes = [""] + step_diffs(archs) if common.space() == "enas6" else [""] * len(cells)
    for start in range(0, len(cells), per_row):
        cols = st.columns(per_row)
        for k, dec in enumerate(cells[start : start + per_row]):
            with cols[k]:
                st.markdown(f"**step {start + k}**")
                if changes[start + k]:
                    st.caption(f"changed: {changes[start + k]}")
                if dec.cell is None:
                    st.warning("no valid cell")
                    continue
                common.draw_cell(dec.cell.arch, f"strip{start + k}", vertical=True)
                n = common.names()
                st.caption(
                    f"{n.short_pred} {n.perf_text(dec.cell.pred_acc)}  \n"
                    f"{dec.cell.params:,} {n.params}"
                )
                st.markdown(f"[Architecture page]({common.arch_link(dec.cell.arch)})")


MAX_STARTS = 100  # "Search from these" starts from the selection's best predicted


def selection_panel(ex, tab, members):
    """A box or lasso selection: figures, ops per layer, members, exports, search, compare."""
    n = common.names()
    st.markdown(
        f"**Selection: {len(members):,} {n.item}s** (box or lasso; kept when the colour or "
        "the projection changes)"
    )
    num = st.column_config.NumberColumn
    st.dataframe(
        selection_stats(tab, members, n),
        hide_index=True,
        column_config={c: num(format="%.4g") for c in ("mean", "min", "max")},
    )
    if common.space() == "enas6":
        st.plotly_chart(op_histogram(ex.layer_ops(members), OP_NAMES, OP_COLOURS), key="sel_ops")
    frame = selection_frame(tab, members)
    st.dataframe(frame.head(500), height=200, hide_index=True, key="sel_table")
    cols = st.columns(5)
    for i, (fmt, (data, mime)) in enumerate(selection_exports(frame).items()):
        cols[i].download_button(fmt.upper(), data, f"selection.{fmt}", mime, key=f"sel_{fmt}")
    if cols[3].button("Search from these", key="sel_search", type="primary"):
        best = frame.nlargest(MAX_STARTS, "pred_acc")["index"].astype(int).tolist()
        st.session_state["search_starts"] = best
        st.switch_page("pages/search.py")
    if cols[4].button("Clear", key="sel_clear"):
        st.session_state.pop("map_selection", None)
        st.rerun()
    if common.space() == "enas6" and len(members) > 1:
        compare_members(tab, members)


def compare_members(tab, members):
    """Two members of the selection side by side, their differences highlighted."""
    c = st.columns(2)
    a = c[0].selectbox("Compare", members, index=0, key="sel_cmp_a")
    b = c[1].selectbox("with", members, index=1, key="sel_cmp_b")
    common.diff_view(tab.arch.iloc[a], tab.arch.iloc[b], f"#{a}", f"#{b}")


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
    shown = common.atlas_decoding(*key, *map(float, focus[1]))
    dec = details[1]
    where = "The atlas cell here (its centre decoded greedily)"
    if shown is None:
        st.caption(f"{where} shows no valid {common.names().item}.")
    elif dec.cell is not None and dec.cell.arch == shown:
        st.caption(f"{where} shows this same {common.names().item}.")
    else:
        st.caption(f"{where} shows `{shown}`, not the most common of the samples above.")


def focus_panel(ex, details, kind, xy, key=None, layer=None):
    common.show_legend()
    if details is None:
        st.info(
            "Click a point to decode its cell. On the PCA map, click a faint cross to "
            "decode any position, or enter one below."
        )
    else:
        title, dec = details[:2]
        common.show_cell(dec, title)
        if layer and layer[0] == "atlas" and kind == "pca":
            atlas_note(key, details)
        st.markdown("**Nearest neighbours in latent space**")
        common.neighbours_table(ex.neighbours(dec.z), height=240)
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


def build_map(
    key, kind, colour, label, shown, path, rev=0, layer=None, matched=None, search_paths=None
):
    """The map figure; a click does not change it (Plotly highlights the selection), so the
    cached copy is reused and Streamlit sends it as a reference, not 2.6 MB again. A failure
    raises (and is not cached); the fragment's guard shows it."""
    xy, tab = common.projection(*key, kind), common.table(*key)
    probes = probe_grid(xy) if kind == "pca" else None
    name, prop, prop_label, lam = layer or ("none", "first", "", 0.0)
    if name == "error":
        colour, label = "pred_error", "predicted - true"
    if name == "uncertainty":
        tab["uncertainty"] = common.data_uncertainty(*key)
        colour, label = "uncertainty", "uncertainty (ensemble s.d.)"
    fig = map_figure(xy, tab, shown, colour, label, probes, names=common.names())
    if name == "atlas" and kind == "pca":
        atlas = common.atlas(*key, prop == "agreement")
        add_atlas(fig, atlas, prop, prop_label, common.explorer().type_names())
    if name == "field" and kind == "pca":
        add_field(fig, common.objective_field(*key, lam))
        for k, trace in enumerate(search_paths or ()):
            add_marks(fig, trace, f"search {k}", symbol="circle", colour="#1F77B4", size=4,
                      line=True)  # fmt: skip
    if name == "density":
        add_density(fig, *common.density(*key, kind))
    if matched is not None:
        hits = np.intersect1d(matched, shown)
        add_marks(fig, xy[hits], QUERY_TRACE, symbol="circle-open", colour="#E45756", size=9)
    # Zoom and the drawn selection are kept across reruns (their own revisions); the drag
    # mode follows ``rev``, raised after a box or lasso: back to pan, so a click picks again
    # (in select mode Plotly sends a click as an empty selection).
    fig.update_layout(
        uirevision=f"{kind}-{rev}",
        xaxis_uirevision=kind,
        yaxis_uirevision=kind,
        selectionrevision=kind,
        dragmode="pan",
        title=f"{len(shown):,} of {len(tab):,} {common.names().item}s · {KINDS[kind]}",
    )
    if path is not None:
        add_marks(
            fig,
            path,
            "interpolation",
            symbol="circle",
            size=9,
            line=True,
            labels=[str(k) for k in range(len(path))],
        )
    return fig


def search_paths(ex, key, kind, layer):
    """This session's last search trajectories on the PCA map (drawn over the field), or None."""
    done = common.last_search(key)
    if not done or kind != "pca" or not layer or layer[0] != "field":
        return None
    return tuple(ex.place(np.array(f.trajectory), "pca") for f in done["result"].found)


def second_checkpoint(key, top=20):
    """Another checkpoint's PCA map aligned onto this one, and the architectures that moved most."""
    others = [name for name in common.list_checkpoints() if name != key[0]]
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
            help="its PCA map is rotated (and mirrored if that fits better) onto this one's "
            "over the architectures both data sets hold, then each is coloured by how far it "
            "moved",
        )
        if name is None:
            return
        with st.spinner(f"Opening {name} and aligning its map..."):
            other_mtime = common.other_explorer(name).path.stat().st_mtime_ns
            result = common.aligned(*key, name, other_mtime)
        tab = common.table(*key)
        other_tab = common.table(name, other_mtime)
        text = [f"#{i}: {tab.arch.iloc[i]}" for i in result.index]
        st.plotly_chart(aligned_figure(result.xy, result.moved, text), key="map_aligned")
        angle = np.degrees(np.arctan2(result.rotation[1, 0], result.rotation[0, 0]))
        mirrored = np.linalg.det(result.rotation) < 0
        st.caption(
            f"{len(result.index):,} shared architectures; rotation {angle:.1f}°"
            + (" with a mirror" if mirrored else "")
            + f"; median movement {np.median(result.moved):.3f}, largest "
            f"{result.moved.max():.3f} (this map's units)."
        )
        order = np.argsort(-result.moved)[:top]
        st.markdown(f"**The {len(order)} architectures that moved most**")
        st.dataframe(
            {
                "index": result.index[order],
                "arch": tab.arch.iloc[result.index[order]].to_numpy(),
                "moved": result.moved[order],
                "pred acc here": tab.pred_acc.iloc[result.index[order]].to_numpy(),
                "pred acc there": other_tab.pred_acc.iloc[result.other_index[order]].to_numpy(),
            },
            hide_index=True,
            key="map_moved",
        )


def layer_wait(layer):
    """What the spinner says while a layer is computed (the first time for a checkpoint)."""
    name = layer[0] if layer else "none"
    if name == "atlas":
        return "Decoding a 64 x 64 grid for the decoder atlas (a few seconds, then kept on disk)..."
    if name == "uncertainty":
        return "Fitting five accuracy heads for the uncertainty (about 10 s, then kept on disk)..."
    return "Drawing the map..."


cached_map = st.cache_resource(max_entries=12, show_spinner=False)(build_map)


@st.fragment
@common.guarded
def map_section(ex, key, kind, colour, label, shown, xy, layer=None, matched=None):
    """Map, decoded focus and interpolation pickers: a click reruns only this part."""
    tab = common.table(*key)
    track_clicks(shown)
    rev = st.session_state.get("map_drag_rev", 0)
    top = top_table(tab, shown)
    track_table(top)
    details = focus_details(ex, key, kind, xy)
    interp = current_interpolation(key)
    path = ex.place(np.array([c.z for c in interp["cells"]]), kind) if interp else None
    searches = search_paths(ex, key, kind, layer)
    if details is not None and details[3]:  # a typed position: mark it (a fresh figure)
        fig = build_map(key, kind, colour, label, shown, path, rev, layer, matched, searches)
        fig = add_marks(fig, details[2], "focus")
    else:
        with st.spinner(layer_wait(layer)):
            fig = cached_map(key, kind, colour, label, shown, path, rev, layer, matched, searches)
    left, right = st.columns([3, 2])
    if matched is not None:
        hits = len(np.intersect1d(matched, shown))
        left.markdown(
            f"**{hits:,}** of the {len(shown):,} shown {common.names().item}s match the query "
            f"({len(matched):,} in the whole data set), ringed in red."
        )
    with left:
        st.plotly_chart(
            fig,
            key=CHART,
            on_select="rerun",
            selection_mode=("points", "box", "lasso"),
            config={"scrollZoom": True, "displaylogo": False},
        )
        members = st.session_state.get("map_selection")
        if members:
            selection_panel(ex, tab, [m for m in members if m < len(tab)])
        interpolation_controls(ex, key, len(tab))
        st.markdown(
            f"**The {len(top)} shown {common.names().item}s predicted best** (click a row to "
            "decode it; click a column title to sort)"
        )
        num, n = st.column_config.NumberColumn, common.names()
        st.dataframe(
            top,
            key="map_top_table",
            on_select="rerun",
            selection_mode="single-row",
            hide_index=True,
            height=240,
            column_config={
                "pred_acc": num(n.short_pred, format=n.perf_format),
                "true_acc": num(n.short_true, format=n.perf_format),
                "params": num(n.params, format="localized"),
            },
        )
    with right:
        focus_panel(ex, details, kind, xy, key, layer)
        share_box(tab)
    write_view(tab)
    common.mirror_page_state()  # this fragment's reruns change kept values too


# ----- the view in the URL ----------------------------------------------------------------------
def url_signature(params) -> str:
    return json.dumps({k: params.get(k) for k in PARAMS}, sort_keys=True)


def restore_view(ex, tab):
    """Apply a link's view once (before the widgets exist); notices for what was not usable."""
    state, params = st.session_state, {k: st.query_params.get(k) for k in st.query_params}
    sig = url_signature(params)
    if state.get("_view_sig") == sig or not any(k in params for k in PARAMS):
        state["_view_sig"] = sig
        return
    choices = colour_choices(tab, common.names())
    offer = Offer(
        checkpoints=tuple(common.list_checkpoints()),
        projections=tuple(KINDS),
        colours=tuple(choices.values()),
        splits=tuple(sorted(tab.split.unique())),
        layers=tuple(LAYERS),
        shades=tuple(atlas_choices(common.names())),
        rows=len(tab),
        check_query=ex.query if common.space() == "enas6" else None,
        current=state.get(common.KEY),
    )
    view, notices = read_view(params, offer)
    if view.checkpoint and view.checkpoint != state.get(common.KEY):
        state[common.REQUEST] = view.checkpoint  # the picker switches; the rest applies then
        st.rerun()
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
    state = st.session_state
    choices = colour_choices(tab, common.names())
    layer = state.get("map_layer")
    return MapView(
        checkpoint=state.get(common.KEY),
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
        query = view_query_string(current_view(tab))
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


def main():
    st.title("Latent map")
    ex = common.explorer()
    key = common.explorer_key()
    restore_view(ex, common.table(*key))
    for notice in st.session_state.pop("map_view_notices", []):
        st.warning(notice)
    kind, colour, label, shown, layer, matched = controls(common.table(*key))
    xy = common.ready_projection(kind)
    if xy is None:
        pending(ex, key, kind)
        return
    map_section(ex, key, kind, colour, label, shown, xy, layer, matched)
    interp = current_interpolation(key)
    if interp:
        interpolation_strip(interp)
    second_checkpoint(key)


common.page("Latent map", main)
