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


LAYER_NOTES = {
    "atlas": "The background shows the {prop} of what each cell of a 64 x 64 grid over the PCA "
    "map decodes to (greedy decoding of the cell centre's latent point); dark cells: the "
    "decoding changes at the next cell. Hover a cell for its value; click a faint cross to "
    "decode that position.",
    "field": "Arrows: where gradient search on f_perf - {lam:g} u f_cmplx moves from each point "
    "of a 14 x 14 grid, projected onto the PCA plane (longer: steeper).",
    "density": "Contours of the training codes' density on this map (Gaussian kernels).",
    "error": "Colour: predicted minus true {perf} of every data-set {item}.",
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
        lam = c[1].number_input("lambda", 0.0, 1000.0, lam, 1.0, key="map_field_lambda")
    if layer in ("atlas", "field") and kind != "pca":
        st.info(f"The {LAYERS[layer]} is drawn on the PCA map, whose plane has an exact inverse.")
    elif layer in LAYER_NOTES:
        note = LAYER_NOTES[layer]
        st.caption(note.format(prop=prop_label, lam=lam, perf=n.perf, item=n.item))
    return layer, prop, prop_label, float(lam)


def bounds(col, values, label, key, n):
    """Typed lower and upper bounds on a performance figure (blank: no bound); the rows kept.

    The inputs accept the range the space's figure can take (``names.perf_bounds``).
    """
    values = values.to_numpy(dtype=float)
    lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
    a, b = col.columns(2)
    edges, fmt, step = n.perf_bounds, n.perf_format, n.perf_step
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
