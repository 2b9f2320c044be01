"""The latent map's layers drawn with Plotly: decoder atlas, objective field, density.

Pure functions of what the explorer returns (no Streamlit). Layers are added after the points
(the points stay trace 0); the atlas and the density are SVG traces, which Plotly draws under
every WebGL trace whatever the order, and the arrows are WebGL lines, over the points.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ngae.ui.naming import Names

LAYERS = {
    "none": "none",
    "atlas": "decoder atlas (PCA)",
    "field": "objective field (PCA)",
    "density": "density of training codes",
    "error": "predictor error",
    "uncertainty": "predictor uncertainty",
}
ATLAS_TRACE, BORDER_TRACE, FIELD_TRACE, DENSITY_TRACE = "atlas", "borders", "field", "density"
ATLAS_CELLS_TRACE = "atlas cells"


def atlas_choices(names: Names) -> dict[str, str]:
    """Atlas properties -> labels in the space's words."""
    return {
        "first": f"first {names.vertex}",
        "edges": "number of edges",
        "complexity": names.params,
        "valid": "valid decoding",
        "agreement": "agreement of stochastic decodes",
    }


NO_COLOUR = "#DDDDDD"  # a vertex type the legend does not colour (input, output)


def type_colours(type_names: list[str], legend: tuple[tuple[str, str], ...]) -> list[str]:
    """The legend's colour of each vertex type (:data:`NO_COLOUR` where it has none).

    A legend label names its type (``conv3x3``) or starts with it (``A: visit to Asia``).
    """
    colour_of = {}
    for colour, label in legend:
        colour_of.setdefault(label, colour)
        colour_of.setdefault(label.split(":", 1)[0].strip(), colour)
    return [colour_of.get(name, NO_COLOUR) for name in type_names]


def discrete_scale(colours: list[str]) -> list[list]:
    """A Plotly colour scale giving value ``k`` (0 .. len - 1) exactly ``colours[k]``.

    Use with ``zmin=-0.5, zmax=len(colours) - 0.5``: each colour holds one unit-wide band.
    """
    n = len(colours)
    scale = []
    for k, colour in enumerate(colours):
        scale += [[k / n, colour], [(k + 1) / n, colour]]
    return scale


def atlas_colours(prop: str, label: str, colours: list[str] | None) -> dict:
    """The atlas heat map's colour settings.

    The first vertex type in the legend's ``colours`` (no scale: the legend beside the map
    says them); any other property, and the first type of a space whose legend colours no
    type, on a colour scale titled ``label``.
    """
    if prop == "first" and colours and any(c != NO_COLOUR for c in colours):
        n = len(colours)
        return {"colorscale": discrete_scale(colours), "zmin": -0.5, "zmax": n - 0.5,
                "showscale": False}  # fmt: skip
    bar = {"title": {"text": label, "side": "right"}, "thickness": 10, "x": -0.08,
           "xanchor": "right", "len": 0.6}  # fmt: skip
    if prop == "valid":
        bar |= {"tickvals": [0, 1], "ticktext": ["invalid", "valid"]}
    scale = "Greys" if prop == "valid" else "Portland"
    return {"colorscale": scale, "showscale": True, "colorbar": bar}


def add_atlas(
    fig: go.Figure,
    atlas,
    prop: str,
    label: str,
    type_names: list[str],
    colours: list[str] | None = None,
) -> go.Figure:
    """Shade the map by ``atlas.values[prop]`` per grid cell, with borders where decodings change.

    ``type_names`` name vertex types (for the first-op property: its values are types) and
    ``colours`` give each type its legend colour (:func:`type_colours`), so the shading agrees
    with the legend beside the map; other properties get a colour scale titled ``label`` (on
    the left: the points' scale is on the right).
    """
    values = atlas.values[prop].reshape(atlas.size, atlas.size)
    text = None
    if prop == "first":
        text = np.vectorize(lambda t: type_names[int(t)] if t == t else "")(values)
    fig.add_trace(
        go.Heatmap(
            x=atlas.xs,
            y=atlas.ys,
            z=values,
            name=ATLAS_TRACE,
            opacity=0.35,
            hoverinfo="skip",  # Streamlit reports no clicks on a heat map: its cells below do
            **atlas_colours(prop, label, colours),
        )
    )
    # One invisible point per cell centre: hovering names the cell's value, a click decodes
    # the centre (the same ``[-1, x, y]`` customdata as the decode-anywhere crosses).
    gx, gy = (g.ravel() for g in np.meshgrid(atlas.xs, atlas.ys))
    value = "%{text}" if text is not None else "%{customdata[3]:,.3~g}"
    fig.add_trace(
        go.Scattergl(
            x=gx,
            y=gy,
            mode="markers",
            name=ATLAS_CELLS_TRACE,
            marker={"size": 6, "color": "rgba(0,0,0,0)"},
            selected={"marker": {"size": 12, "color": "#E45756"}},
            customdata=np.column_stack([np.full(len(gx), -1.0), gx, gy, values.ravel()]),
            text=None if text is None else text.ravel(),
            hovertemplate=f"{label}: {value}<br>(%{{x:.2f}}, %{{y:.2f}}) · click to decode"
            "<extra>decoder atlas</extra>",
        )
    )
    fig.add_trace(
        go.Heatmap(
            x=atlas.xs,
            y=atlas.ys,
            z=np.where(atlas.border, 1.0, np.nan),
            name=BORDER_TRACE,
            colorscale=[[0, "rgba(40,40,40,0.55)"], [1, "rgba(40,40,40,0.55)"]],
            showscale=False,
            hoverinfo="skip",
        )
    )
    return fig


def arrow_segments(xy: np.ndarray, uv: np.ndarray, length: float) -> np.ndarray:
    """Polyline points (``nan`` rows between arrows) for arrows of ``length`` along ``uv``.

    Each arrow is scaled by its gradient's size relative to the largest (at least 15% of
    ``length``, so a weak gradient still shows its direction), with a two-barb head.
    """
    norm = np.linalg.norm(uv, axis=1)
    top = norm.max() if len(norm) and norm.max() > 0 else 1.0
    unit = uv / np.maximum(norm, 1e-30)[:, None]
    size = length * np.clip(norm / top, 0.15, 1.0)
    tip = xy + unit * size[:, None]
    barbs = []
    for angle in (2.6, -2.6):  # about 150 degrees back from the direction
        c, s = np.cos(angle), np.sin(angle)
        turned = np.column_stack([c * unit[:, 0] - s * unit[:, 1], s * unit[:, 0] + c * unit[:, 1]])
        barbs.append(tip + turned * (0.35 * size)[:, None])
    gap = np.full_like(xy, np.nan)
    rows = np.stack([xy, tip, gap, barbs[0], tip, barbs[1], gap], axis=1)
    return rows.reshape(-1, 2)


def add_field(fig: go.Figure, field, colour: str = "#D62728") -> go.Figure:
    """Arrows of the objective's gradient projected onto the PCA plane."""
    w = field.window
    length = 0.8 * min(w.x1 - w.x0, w.y1 - w.y0) / field.size
    pts = arrow_segments(field.xy, field.uv, length)
    fig.add_trace(
        go.Scattergl(
            x=pts[:, 0],
            y=pts[:, 1],
            mode="lines",
            name=FIELD_TRACE,
            line={"color": colour, "width": 1.5},
            hoverinfo="skip",
        )
    )
    return fig


def add_density(fig: go.Figure, window, density: np.ndarray) -> go.Figure:
    """Contour lines of the training codes' density."""
    size = density.shape[0]
    xs = window.x0 + (np.arange(size) + 0.5) * (window.x1 - window.x0) / size
    ys = window.y0 + (np.arange(size) + 0.5) * (window.y1 - window.y0) / size
    fig.add_trace(
        go.Contour(
            x=xs,
            y=ys,
            z=density,
            name=DENSITY_TRACE,
            contours={"coloring": "lines"},
            ncontours=10,
            colorscale=[[0, "#555555"], [1, "#111111"]],
            line={"width": 1},
            showscale=False,
            hoverinfo="skip",
        )
    )
    return fig
