"""Objects drawn by Graphviz on the server (pygraphviz, ``dot``) and their colour legends.

A space says what a drawing holds (:meth:`ngae.spaces.base.SearchSpace.sketch`: nodes with
labels, colours and shapes, main and side edges); this module lays it out, once per (object,
orientation), and keeps it: the dashboard shows the SVG inline, and the same drawing is offered
as SVG, PNG and PDF (``ngae draw`` writes them too). ENAS cells come in D-VAE's colours, Asia
networks as Bayesian networks, any other space as its DAG with named vertices.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

import pygraphviz as pgv

from ngae.errors import UserInputError
from ngae.spaces.base import Sketch
from ngae.spaces.registry import DEFAULT_SPACE, space_named

DRAW_FORMATS = ("svg", "png", "pdf")
MIME_TYPES = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf"}
ADDED, REMOVED = "#2CA02C", "#D62728"
_SVG_START = re.compile(r"<svg\b")


def legend_html(space: str = DEFAULT_SPACE) -> str:
    """The colours of the space's drawings as one line of HTML badges ("" without a legend)."""
    return legend_badges(space_named(space).legend())


def legend_badges(pairs: list[tuple[str, str]] | tuple[tuple[str, str], ...]) -> str:
    """``(colour, label)`` pairs (``SpaceInfo.legend``) as one line of HTML badges ("" if none)."""
    if not pairs:
        return ""
    badges = [
        f'<span style="background:{html.escape(colour)};color:black;border:1px solid #777;'
        f"border-radius:6px;padding:1px 8px;margin-right:4px;font-size:0.8em;"
        f'white-space:nowrap">{html.escape(name)}</span>'
        for colour, name in pairs
    ]
    return '<div class="op-legend">' + "".join(badges) + "</div>"


def sketch_graph(sketch: Sketch, vertical: bool) -> pgv.AGraph:
    """Graphviz's graph of a sketch: filled nodes, main edges solid, side edges dashed."""
    g = pgv.AGraph(directed=True, strict=True, name=sketch.name)
    g.graph_attr.update(rankdir="TB" if vertical else "LR", bgcolor="transparent", pad="0.05")
    g.node_attr.update(fontname="Helvetica", fontsize="11", style="filled", color="#555555")
    g.edge_attr.update(color="#444444", arrowsize="0.7")
    for node_id, label, colour, shape, tooltip in sketch.nodes:
        style = "rounded,filled" if shape == "box" else "filled"
        g.add_node(node_id, label=label, shape=shape, style=style, fillcolor=colour)
        if tooltip:
            g.get_node(node_id).attr["tooltip"] = tooltip
    for u, v, kind in sketch.edges:
        if kind == "side":
            g.add_edge(u, v, style="dashed", color="#888888", weight="0")
        else:
            g.add_edge(u, v, weight="10")
    return g


def space_graph(item: str, vertical: bool, space: str) -> pgv.AGraph:
    """The drawing of ``item`` (its string) in ``space`` (a registered space's name)."""
    kind = space_named(space)
    return sketch_graph(kind.sketch(kind.parse(item)), vertical)


def diff_graph(arch: str, other: str, vertical: bool, side: str, space: str) -> pgv.AGraph:
    """``arch`` drawn against ``other``, its differences highlighted.

    Nodes whose type differs get a thick border, and edges only in this object are drawn
    thick: green on the ``new`` side, red on the ``old`` side.
    """
    kind = space_named(space)
    mine = kind.parse(arch)
    diff = kind.difference(mine, kind.parse(other))
    g = sketch_graph(kind.sketch(mine), vertical)
    if diff is None:
        return g
    colour = ADDED if side == "new" else REMOVED
    for node in diff.changed_nodes:
        g.get_node(node).attr.update(color=colour, penwidth="3")
    for u, v in diff.own_edges:
        g.get_edge(u, v).attr.update(color=colour, penwidth="2.5", style="solid")
    return g


def _inline(svg: bytes | str) -> str:
    svg = svg.decode("utf-8") if isinstance(svg, bytes) else svg
    svg = svg[_SVG_START.search(svg).start() :]
    return svg.replace("<svg ", '<svg style="max-width:100%;height:auto" ', 1)


@lru_cache(maxsize=1024)
def diff_svg(
    arch: str, other: str, side: str, vertical: bool = True, space: str = DEFAULT_SPACE
) -> str:
    """:func:`diff_graph` as inline SVG (``side``: ``old`` for the first object, ``new``)."""
    if side not in ("old", "new"):
        raise UserInputError(f"a diff side is old or new, not {side!r}")
    svg = _inline(diff_graph(arch, other, vertical, side, space).draw(format="svg", prog="dot"))
    return f'<div class="ngae-diff" data-arch="{html.escape(arch)}" data-side="{side}">{svg}</div>'


@lru_cache(maxsize=4096)
def cell_file(
    arch: str, fmt: str = "svg", vertical: bool = False, space: str = DEFAULT_SPACE
) -> bytes:
    """The drawing of the object string ``arch`` as SVG, PNG or PDF bytes (cached)."""
    if fmt not in DRAW_FORMATS:
        raise UserInputError(f"cannot draw as {fmt!r}: choose one of {', '.join(DRAW_FORMATS)}")
    return space_graph(arch, vertical, space).draw(format=fmt, prog="dot")


def cell_svg(arch: object, vertical: bool = False, space: str = DEFAULT_SPACE) -> str:
    """The drawing as inline SVG markup (no XML prolog), scaled down to fit its column.

    Wrapped in ``<div class="ngae-cell" data-arch="...">`` so a page (or a test) can tell
    which object a drawing shows.
    """
    text = str(arch)
    svg = _inline(cell_file(text, "svg", vertical, space))
    return f'<div class="ngae-cell" data-arch="{html.escape(text)}">{svg}</div>'


def file_stem(arch: object, space: str = DEFAULT_SPACE) -> str:
    """A file name (no extension) for a drawing, as the space names it."""
    kind = space_named(space)
    return kind.file_stem(kind.parse(str(arch)))
