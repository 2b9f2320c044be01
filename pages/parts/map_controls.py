"""The latent map's controls: projection, colour, splits, layer, structural query, filters."""

from __future__ import annotations

import numpy as np
import streamlit as st

from ngae.explorer import PROJECTION_LABELS as KINDS
from ngae.explorer import UserInputError
from ngae.ui.forms import count, parse_number
from ngae.ui.layers import LAYERS, atlas_choices
from ngae.ui.tables import colour_choices
from pages.parts.cached import explorer, names


def controls(tab):
    """Projection, colour, filters and layer.

    Returns ``(kind, colour column, its label, shown indices, layer, query matches)``. The
    filters do not depend on the colour: typed bounds on predicted and true performance (in
    the space's precision) and on exact complexity, and the splits.
    """
    c = st.columns([1.3, 1.6, 2.2])
    kind = c[0].radio(
        "Projection", list(KINDS), format_func=KINDS.get, horizontal=True, key="map_kind"
    )
    n = names()
    choices = colour_choices(tab, n)
    layer_now = st.session_state.get("map_layer")
    if layer_now in LAYER_COLOURS:  # the layer colours the points: the box says so
        label = st.session_state.get("map_colour")
        label = label if label in choices else next(iter(choices))
        c[1].selectbox("Colour by", [LAYER_COLOURS[layer_now]], disabled=True,
                       key=f"layer_colours_{layer_now}",
                       help=f"set by the layer; with layer none the points are coloured by "
                       f"{label} again")  # fmt: skip
    else:
        label = c[1].selectbox("Colour by", list(choices), key="map_colour")
    splits = sorted(tab.split.unique())
    chosen = c[2].multiselect(
        "Split",
        splits,
        default=None if "map_split" in st.session_state else splits,
        key="map_split",
        help="burn-in: the first lines of the data set, which D-VAE's split leaves out",
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


def structural_query():
    """The space's query box (where it has a query language): matching indices, or ``None``."""
    ex = explorer()
    language = ex.space_info.queries
    if language is None:
        return None
    with st.expander("Structural query", expanded=bool(st.session_state.get("map_query"))):
        text = st.text_input(
            "Motifs", key="map_query", placeholder=language.placeholder, help=language.help
        )
        if not text.strip():
            return None
        try:
            return np.flatnonzero(ex.query(text))
        except UserInputError as err:
            st.error(f"Query not applied: {err}")
            return None


LAYER_COLOURS = {  # layers that colour the points themselves: what the colour is then
    "error": "predictor error (predicted - true)",
    "uncertainty": "predictor uncertainty (ensemble s.d.)",
}
LAYER_NOTES = {
    "atlas": "The background shows the {prop} of what each cell of a 64 x 64 grid over the PCA "
    "map decodes to (greedy decoding of the cell centre's latent point); dark cells: the "
    "decoding changes at the next cell. Hover a cell for its value; click a faint cross to "
    "decode that position. The atlas decodes the PCA plane through the codes' mean, where "
    "real codes do not lie: the plane holds {variance:.0%} of their variance, so a cell shows "
    "what the plane decodes to, not what the codes drawn over it decode to.",
    "field": "Arrows: where gradient search on f_perf - {lam:g} u f_cmplx moves from each point "
    "of a 14 x 14 grid, projected onto the PCA plane (longer: steeper).",
    "density": "Contours of the training codes' density on this map (Gaussian kernels).",
    "error": "Colour: predicted minus true {perf} of every data-set {item} (blue: predicted "
    "too low, red: too high, white: right).",
    "uncertainty": "Colour: standard deviation of five {perf} heads refitted on bootstrap "
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
    lam = float(explorer().space_info.search_defaults.lambda_cmplx)
    prop, prop_label = "first", ""
    if layer == "atlas":
        props = atlas_choices(n)
        prop = c[1].selectbox("Shade by", list(props), format_func=props.get, key="map_atlas_prop")
        prop_label = props[prop]
    if layer == "field":
        typed = c[1].number_input("lambda", value=lam, step=1.0, key="map_field_lambda")
        if typed is not None and 0.0 <= typed <= 1000.0:
            lam = typed
        else:
            c[1].error(f"lambda: must be from 0 to 1,000, got {typed:g}; drawn at {lam:g}")
    if layer in ("atlas", "field") and kind != "pca":
        st.info(f"The {LAYERS[layer]} is drawn on the PCA map, whose plane has an exact inverse.")
    elif layer in LAYER_NOTES:
        note = LAYER_NOTES[layer]
        variance = sum(explorer().pca_variance())
        st.caption(
            note.format(prop=prop_label, lam=lam, perf=n.perf, item=n.item, variance=variance)
        )
    return layer, prop, prop_label, float(lam)


def bounds(col, values, label, key, n):
    """Typed lower and upper bounds on a performance figure (blank: no bound); the rows kept.

    The inputs accept the range the space's figure can take (``names.perf_bounds``).
    """
    values = values.to_numpy(dtype=float)
    lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
    a, b = col.columns(2)
    fmt, step = n.perf_format, n.perf_step
    keep = np.ones(len(values), dtype=bool)
    for box, sign, edge, test in ((a, "≥", lo, np.greater_equal), (b, "≤", hi, np.less_equal)):
        name = f"{label} {sign}"
        value = box.number_input(name, None, None, None, step, fmt, key=f"{key}_{sign_key[sign]}",
                                 placeholder=fmt % edge)  # fmt: skip
        problem = out_of_range(value, n.perf_bounds, n)
        if problem:
            box.error(f"{name}: {problem}")
        elif value is not None:
            keep &= test(values, value)
    return keep


sign_key = {"≥": "lo", "≤": "hi"}


def out_of_range(value, edges, n):
    """Why a typed bound lies outside the range the figure can take (``''``: it does not)."""
    low, high = edges
    if value is None or ((low is None or value >= low) and (high is None or value <= high)):
        return ""
    span = f"from {n.perf_grouped(low)} to {n.perf_grouped(high)}"
    if low is None or high is None:
        span = (
            f"at least {n.perf_grouped(low)}" if high is None else f"at most {n.perf_grouped(high)}"
        )
    return f"must be {span}, got {value:g}"


def size_bounds(col, params, n):
    """Typed bounds on exact complexity (``1.5M``, ``900k``, ``1,200,000``); the rows kept."""
    params = params.to_numpy(dtype=float)
    a, b = col.columns(2)
    keep = np.ones(len(params), dtype=bool)
    for box, name, key, test in (
        (a, f"{n.cmplx_short} ≥", "map_params_lo", np.greater_equal),
        (b, f"{n.cmplx_short} ≤", "map_params_hi", np.less_equal),
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
