"""Cells drawn by Graphviz on the server (pygraphviz, ``dot``) and the op colour legend.

A cell is laid out once per (architecture, orientation) and kept: the dashboard shows the SVG
inline, and the same drawing is offered as SVG, PNG and PDF (``ngae draw`` writes them too).
Colours are D-VAE's (``util.add_node``): input sky blue, output pink, one colour per op.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

import pygraphviz as pgv

from ngae.errors import UserInputError
from ngae.space.arch import OP_NAMES, Arch

INPUT_COLOUR, OUTPUT_COLOUR = "#87CEEB", "#FFC0CB"  # skyblue, pink
# yellow, orange, greenyellow, seagreen3, azure, beige: D-VAE's conv3 ... max3
OP_COLOURS = ("#FFFF00", "#FFA500", "#ADFF2F", "#43CD80", "#F0FFFF", "#F5F5DC")
DRAW_FORMATS = ("svg", "png", "pdf")
MIME_TYPES = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf"}
_SVG_START = re.compile(r"<svg\b")


def legend_html() -> str:
    """The op colours as one line of HTML badges (in op order), the colours of the drawn cells."""
    badges = [
        f'<span style="background:{OP_COLOURS[k]};color:black;border:1px solid #777;'
        f"border-radius:6px;padding:1px 8px;margin-right:4px;font-size:0.8em;"
        f'white-space:nowrap">{name}</span>'
        for k, name in enumerate(OP_NAMES)
    ]
    return '<div class="op-legend">' + "".join(badges) + "</div>"


def cell_graph(arch: Arch | str, vertical: bool = False) -> pgv.AGraph:
    """The cell as a Graphviz graph: input, one coloured box per layer, output; skips dashed.

    Vertex names follow D-VAE's vertex order (``in``, ``L1`` ... ``L6``, ``out``); layers are
    numbered from 1. Drawn left to right, or top to bottom with ``vertical`` (narrow columns).
    """
    arch = Arch.from_string(arch) if isinstance(arch, str) else arch
    g = pgv.AGraph(directed=True, strict=True, name="cell")
    g.graph_attr.update(rankdir="TB" if vertical else "LR", bgcolor="transparent", pad="0.05")
    g.node_attr.update(fontname="Helvetica", fontsize="11", style="filled", color="#555555")
    g.edge_attr.update(color="#444444", arrowsize="0.7")
    g.add_node("in", label="input", shape="ellipse", fillcolor=INPUT_COLOUR)
    names = ["in"]
    for i, op in enumerate(arch.ops):
        name = f"L{i + 1}"
        g.add_node(name, label=f"{i + 1}: {OP_NAMES[op]}", shape="box", style="rounded,filled")
        g.get_node(name).attr["fillcolor"] = OP_COLOURS[op]
        g.add_edge(names[-1], name, weight="10")
        for j, bit in enumerate(arch.skips[i]):
            if bit:
                g.add_edge(names[j], name, style="dashed", color="#888888", weight="0")
        names.append(name)
    g.add_node("out", label="output", shape="ellipse", fillcolor=OUTPUT_COLOUR)
    g.add_edge(names[-1], "out", weight="10")
    return g


@lru_cache(maxsize=4096)
def cell_file(arch: str, fmt: str = "svg", vertical: bool = False) -> bytes:
    """The drawing of the architecture string ``arch`` as SVG, PNG or PDF bytes (cached)."""
    if fmt not in DRAW_FORMATS:
        raise UserInputError(f"cannot draw as {fmt!r}: choose one of {', '.join(DRAW_FORMATS)}")
    return cell_graph(arch, vertical).draw(format=fmt, prog="dot")


def cell_svg(arch: Arch | str, vertical: bool = False) -> str:
    """The drawing as inline SVG markup (no XML prolog), scaled down to fit its column.

    Wrapped in ``<div class="ngae-cell" data-arch="...">`` so a page (or a test) can tell
    which architecture a drawing shows.
    """
    text = str(arch)
    svg = cell_file(text, "svg", vertical).decode("utf-8")
    svg = svg[_SVG_START.search(svg).start() :]
    svg = svg.replace("<svg ", '<svg style="max-width:100%;height:auto" ', 1)
    return f'<div class="ngae-cell" data-arch="{html.escape(text)}">{svg}</div>'


def file_stem(arch: Arch | str) -> str:
    """A file name for a drawing: ``cell-`` and the architecture's integers joined by ``-``."""
    return "cell-" + "-".join(str(arch).split())
