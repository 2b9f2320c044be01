"""Cells drawn by Graphviz on the server (pygraphviz, ``dot``) and their colour legends.

A cell is laid out once per (object, orientation) and kept: the dashboard shows the SVG inline,
and the same drawing is offered as SVG, PNG and PDF (``ngae draw`` writes them too). ENAS cells
use D-VAE's colours (``util.add_node``): input sky blue, output pink, one colour per op. Asia
networks are drawn as Bayesian networks: one node per variable, named, edges between them (the
input and output vertices of the model's encoding are left out: they carry no information).
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

import pygraphviz as pgv

from ngae.errors import UserInputError
from ngae.space.arch import OP_NAMES, Arch
from ngae.space.asia import LONG_NAMES, NUM_VARS, VARIABLES, BayesNet

INPUT_COLOUR, OUTPUT_COLOUR = "#87CEEB", "#FFC0CB"  # skyblue, pink
# yellow, orange, greenyellow, seagreen3, azure, beige: D-VAE's conv3 ... max3
OP_COLOURS = ("#FFFF00", "#FFA500", "#ADFF2F", "#43CD80", "#F0FFFF", "#F5F5DC")
DRAW_FORMATS = ("svg", "png", "pdf")
MIME_TYPES = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf"}
_SVG_START = re.compile(r"<svg\b")
# One soft colour per Asia variable (A, S, T, L, B, E, X, D).
VARIABLE_COLOURS = (
    "#FDE2E4", "#E2ECE9", "#FFF1C1", "#DCE7F7", "#E8DFF5", "#FAD2B5", "#D5F0D8", "#F1E3D3"
)  # fmt: skip


def legend_html(space: str = "enas6") -> str:
    """The colours of the drawn cells as one line of HTML badges: ops (ENAS) or variables."""
    if space == "asia":
        pairs = [(VARIABLE_COLOURS[k], f"{v}: {LONG_NAMES[k]}") for k, v in enumerate(VARIABLES)]
    else:
        pairs = list(zip(OP_COLOURS, OP_NAMES, strict=True))
    badges = [
        f'<span style="background:{colour};color:black;border:1px solid #777;'
        f"border-radius:6px;padding:1px 8px;margin-right:4px;font-size:0.8em;"
        f'white-space:nowrap">{name}</span>'
        for colour, name in pairs
    ]
    return '<div class="op-legend">' + "".join(badges) + "</div>"


def network_graph(net: BayesNet | str, vertical: bool = True) -> pgv.AGraph:
    """An Asia network as Graphviz draws Bayesian networks: named variables, directed edges."""
    net = BayesNet.from_string(net) if isinstance(net, str) else net
    g = pgv.AGraph(directed=True, strict=True, name="network")
    g.graph_attr.update(rankdir="TB" if vertical else "LR", bgcolor="transparent", pad="0.05")
    g.node_attr.update(fontname="Helvetica", fontsize="11", style="filled", color="#555555")
    g.edge_attr.update(color="#444444", arrowsize="0.7")
    for k, v in enumerate(VARIABLES):
        g.add_node(v, label=v, tooltip=LONG_NAMES[k], shape="ellipse")
        g.get_node(v).attr["fillcolor"] = VARIABLE_COLOURS[k]
    adj = net.adjacency
    for i in range(NUM_VARS):
        for j in range(NUM_VARS):
            if adj[i, j]:
                g.add_edge(VARIABLES[i], VARIABLES[j])
    return g


def space_graph(item: str, vertical: bool, space: str) -> pgv.AGraph:
    """The drawing of ``item`` (its string) in ``space``.

    A cell (ENAS), a network (Asia), or for any other space its DAG with the space's vertex
    names.
    """
    if space == "enas6":
        return cell_graph(item, vertical)
    if space == "asia":
        return network_graph(item, vertical)
    return dag_graph(item, vertical, space)


def dag_graph(item: str, vertical: bool, space: str) -> pgv.AGraph:
    """Any space's object as its DAG: one node per vertex named by the space, every edge."""
    from ngae.space.registry import space_named  # the spaces import drawing-free modules only

    kind = space_named(space)
    obj = kind.parse(item)
    _, adj = obj.to_dag()
    g = pgv.AGraph(directed=True, strict=True, name="dag")
    g.graph_attr.update(rankdir="TB" if vertical else "LR", bgcolor="transparent", pad="0.05")
    g.node_attr.update(fontname="Helvetica", fontsize="11", shape="box", style="rounded")
    for k, name in enumerate(kind.vertex_names(obj)):
        g.add_node(f"v{k}", label=name)
    for u, v in zip(*adj.nonzero(), strict=True):
        g.add_edge(f"v{u}", f"v{v}")
    return g


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


ADDED, REMOVED = "#2CA02C", "#D62728"


def diff_graph(arch: str, other: str, vertical: bool, side: str) -> pgv.AGraph:
    """``arch`` drawn against ``other``, its differences highlighted.

    Layers whose op differs get a thick border, and skips only in this cell are drawn thick:
    green on the ``new`` side, red on the ``old`` side.
    """
    from ngae.maps.diff import cell_diff, skip_set

    colour = ADDED if side == "new" else REMOVED
    g = cell_graph(arch, vertical)
    for layer, _, _ in cell_diff(arch, other).ops:
        node = g.get_node(f"L{layer}")
        node.attr.update(color=colour, penwidth="3")
    mine, theirs = Arch.from_string(arch), Arch.from_string(other)
    for u, v in skip_set(mine) - skip_set(theirs):
        edge = g.get_edge("in" if u == 0 else f"L{u}", f"L{v}")
        edge.attr.update(color=colour, penwidth="2.5", style="solid")
    return g


@lru_cache(maxsize=1024)
def diff_svg(arch: str, other: str, side: str, vertical: bool = True) -> str:
    """:func:`diff_graph` as inline SVG (``side``: ``old`` for the first cell, ``new``)."""
    if side not in ("old", "new"):
        raise UserInputError(f"a diff side is old or new, not {side!r}")
    svg = diff_graph(arch, other, vertical, side).draw(format="svg", prog="dot").decode("utf-8")
    svg = svg[_SVG_START.search(svg).start() :]
    svg = svg.replace("<svg ", '<svg style="max-width:100%;height:auto" ', 1)
    return f'<div class="ngae-diff" data-arch="{html.escape(arch)}" data-side="{side}">{svg}</div>'


@lru_cache(maxsize=4096)
def cell_file(arch: str, fmt: str = "svg", vertical: bool = False, space: str = "enas6") -> bytes:
    """The drawing of the object string ``arch`` as SVG, PNG or PDF bytes (cached)."""
    if fmt not in DRAW_FORMATS:
        raise UserInputError(f"cannot draw as {fmt!r}: choose one of {', '.join(DRAW_FORMATS)}")
    return space_graph(arch, vertical, space).draw(format=fmt, prog="dot")


def cell_svg(arch: Arch | str, vertical: bool = False, space: str = "enas6") -> str:
    """The drawing as inline SVG markup (no XML prolog), scaled down to fit its column.

    Wrapped in ``<div class="ngae-cell" data-arch="...">`` so a page (or a test) can tell
    which architecture a drawing shows.
    """
    text = str(arch)
    svg = cell_file(text, "svg", vertical, space).decode("utf-8")
    svg = svg[_SVG_START.search(svg).start() :]
    svg = svg.replace("<svg ", '<svg style="max-width:100%;height:auto" ', 1)
    return f'<div class="ngae-cell" data-arch="{html.escape(text)}">{svg}</div>'


def file_stem(arch: Arch | str, space: str = "enas6") -> str:
    """A file name for a drawing.

    ``cell-`` and the architecture's integers joined by ``-``; for Asia ``network-`` and the
    adjacency's 64 bits in hexadecimal.
    """
    if space == "asia":
        return f"network-{int(str(arch), 2):016x}"
    return "cell-" + "-".join(str(arch).split())
