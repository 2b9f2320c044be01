"""The latent map's figure: points, the chosen layer, query matches, paths; and a map that is
still being computed (a start button, then a progress poll)."""

from __future__ import annotations

import hashlib
import time

import numpy as np
import pandas as pd
import streamlit as st

from ngae.explorer import PROJECTION_LABELS as KINDS
from ngae.explorer import duration
from ngae.ui.figures import add_marks, add_selection, map_figure, pca_axes, shown_window
from ngae.ui.layers import add_atlas, add_density, add_field, type_colours
from ngae.ui.selection import probe_grid
from ngae.ui.truth import truth_hover
from pages.parts import cached
from pages.parts.guard import guarded
from pages.parts.memory import last_search

QUERY_TRACE, PICKED_TRACE = "query matches", "picked"


def build_map(
    key,
    kind,
    colour,
    label,
    shown,
    path,
    rev=0,
    layer=None,
    matched=None,
    search_paths=None,
    marks=((), None),
    source=None,
):
    """The map figure; a click does not change it (Plotly highlights the selection), so the
    cached copy is reused and Streamlit sends it as a reference, not 2.6 MB again. A failure
    raises (and is not cached); the fragment's guard shows it.

    ``source``: the oracle's picked source (``None``: none), whose true figures each point's
    hover adds; part of the cache's key, so a new pick draws new hovers.

    ``marks`` is ``(selection members, picked index)``: a box or lasso's members ringed, the
    row picked in the table (or an index opened) starred. A filtered map zooms to what it shows.
    """
    xy, tab, n, ex = (
        cached.projection(*key, kind),
        cached.table(*key),
        cached.names(),
        cached.explorer(),
    )
    probes = probe_grid(xy) if kind == "pca" else None
    name, prop, prop_label, lam = layer or ("none", "first", "", 0.0)
    if name == "error":
        colour, label = "pred_error", "predicted - true"
    if name == "uncertainty":
        tab["uncertainty"] = cached.data_uncertainty(*key)
        colour, label = "uncertainty", "uncertainty (ensemble s.d.)"
    axes = (
        pca_axes(ex.pca_variance()) if kind == "pca" else (f"{KINDS[kind]} 1", f"{KINDS[kind]} 2")
    )
    fig = map_figure(
        xy, tab, shown, colour, label, probes, names=n, hover=hover_labels(*key, source), axes=axes
    )
    if name == "atlas" and kind == "pca":
        atlas = cached.atlas(*key, prop == "agreement")
        names = ex.type_names()
        add_atlas(fig, atlas, prop, prop_label, names, type_colours(names, ex.space_info.legend))
    if name == "field" and kind == "pca":
        add_field(fig, cached.objective_field(*key, lam))
        for k, trace in enumerate(search_paths or ()):
            add_marks(fig, trace, f"search {k}", symbol="circle", colour="#1F77B4", size=4,
                      line=True)  # fmt: skip
    if name == "density":
        add_density(fig, *cached.density(*key, kind))
    if matched is not None:
        hits = np.intersect1d(matched, shown)
        add_marks(fig, xy[hits], QUERY_TRACE, symbol="circle-open", colour="#E45756", size=9)
    members, picked = marks
    if members:
        values, scale = tab[colour].to_numpy(float), tab[colour].iloc[shown].to_numpy(float)
        span = (float(np.nanmin(scale)), float(np.nanmax(scale))) if len(shown) else (0.0, 1.0)
        add_selection(fig, xy[list(members)], values[list(members)], colour, span)
    if picked is not None and 0 <= picked < len(xy):
        add_marks(fig, xy[picked], PICKED_TRACE, symbol="star", colour="#E45756", size=18)
    # Zoom and the drawn selection are kept across reruns (their own revisions); the drag
    # mode follows ``rev``, raised after a box or lasso: back to pan, so a click picks again
    # (in select mode Plotly sends a click as an empty selection). A new filter zooms anew.
    filtered = len(shown) < len(tab)
    zoom = (
        f"{kind}-{hashlib.md5(np.asarray(shown).tobytes()).hexdigest()[:10]}" if filtered else kind
    )
    fig.update_layout(
        uirevision=f"{kind}-{rev}",
        xaxis_uirevision=zoom,
        yaxis_uirevision=zoom,
        selectionrevision=kind,
        dragmode="pan",
        title=f"{len(shown):,} of {len(tab):,} {n.items} · {KINDS[kind]}",
    )
    if filtered and len(shown):
        fig.update_layout(**shown_window(xy, shown))
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


@st.cache_resource(max_entries=4, show_spinner=False)
def object_labels(name, mtime_ns):
    """Each data-set object's hover label (``Explorer.hover_text``: edges, not 64 digits)."""
    ex = cached.other_explorer(name)
    return [ex.hover_text(a) for a in cached.table(name, mtime_ns).arch]


@st.cache_resource(max_entries=12, show_spinner=False)
def hover_labels(name, mtime_ns, source=None):
    """Each object's hover label and, where a source is picked, its true figures and rank
    there on two more lines (``ngae.ui.truth.truth_hover``); once per checkpoint and source."""
    labels = object_labels(name, mtime_ns)
    if source is None:
        return labels
    ex = cached.other_explorer(name)
    truth = cached.truth_table(name, mtime_ns, source)
    lines = truth_hover(truth, source, ex.truth_metrics(), ex.ranked_metrics(), "<br>")
    return (pd.Series(labels, dtype=object) + "<br>" + lines).tolist()


cached_map = st.cache_resource(max_entries=12, show_spinner=False)(build_map)


def search_paths(ex, key, kind, layer):
    """This session's last search trajectories on the PCA map (drawn over the field), or None."""
    done = last_search(key)
    if not done or kind != "pca" or not layer or layer[0] != "field":
        return None
    return tuple(ex.place(np.array(f.trajectory), "pca") for f in done["result"].found)


def layer_wait(layer):
    """What the spinner says while a layer is computed (the first time for a checkpoint)."""
    name = layer[0] if layer else "none"
    if name == "atlas":
        return "Decoding a 64 x 64 grid for the decoder atlas (a few seconds, then kept on disk)..."
    if name == "uncertainty":
        return (
            f"Fitting five {cached.names().perf} heads for the uncertainty (about 10 s, then "
            "kept on disk)..."
        )
    return "Drawing the map..."


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
        cached.projection_started()[(key, kind)] = time.time()
        ex.start_projection(kind)
        st.rerun()


@st.fragment(run_every=2)
@guarded
def poll_projection(ex, key, kind):
    """The background projection's progress, every two seconds (the page shows it when done)."""
    status = ex.projection_status(kind)
    if status != "running":
        st.rerun()  # ready or failed: the whole page shows it
    started = cached.projection_started().get((key, kind))
    seconds = time.time() - started if started else 0.0
    st.progress(
        min(seconds / 90.0, 0.95),
        text=f"Computing the {KINDS[kind]} map in the background: "
        f"{duration(seconds)} so far (usually about a minute).",
    )
