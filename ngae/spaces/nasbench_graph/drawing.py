"""How NAS-Bench-Graph architectures are drawn: the input, four op nodes, the output."""

from __future__ import annotations

from ngae.spaces.base import Sketch
from ngae.spaces.nasbench_graph.arch import GnnArch

INPUT_COLOUR, OUTPUT_COLOUR = "#87CEEB", "#FFC0CB"  # as the ENAS cells: skyblue, pink
# One soft colour per op, in OPS order (gat gcn gin cheb sage arma graph fc skip).
OP_COLOURS = (
    "#FDE2E4", "#DCE7F7", "#D5F0D8", "#FFF1C1", "#E8DFF5", "#FAD2B5", "#E2ECE9", "#F1E3D3",
    "#F5F5F5",
)  # fmt: skip
OP_DESCRIPTIONS = (
    "GAT (graph attention, 2 heads)",
    "GCN (graph convolution)",
    "GIN (graph isomorphism network)",
    "ChebNet (Chebyshev spectral convolution)",
    "GraphSAGE",
    "ARMA (auto-regressive moving-average filters)",
    "k-GNN (GraphConv)",
    "fully connected (no message passing)",
    "skip (identity)",
)


def node_id(i: int) -> str:
    """The sketch id of computing node ``i`` (0-based): ``n1`` ... ``n4``."""
    return f"n{i + 1}"


def arch_sketch(arch: GnnArch) -> Sketch:
    """The input, ``n1`` ... ``n4`` (``1: gcn``, coloured by op) and the output.

    Edges: each node's one input, and the leaves' edges into the output.
    """
    nodes = [("in", "input", INPUT_COLOUR, "ellipse", "the graph's node features")]
    for i, op in enumerate(arch.ops):
        label = f"{i + 1}: {arch.op_names[i]}"
        nodes.append((node_id(i), label, OP_COLOURS[op], "box", OP_DESCRIPTIONS[op]))
    nodes.append(("out", "output", OUTPUT_COLOUR, "ellipse", "fed by every node without a child"))
    edges = [
        ("in" if p == 0 else node_id(p - 1), node_id(i), "main") for i, p in enumerate(arch.links)
    ]
    edges += [(node_id(i), "out", "main") for i in arch.leaves()]
    return Sketch(tuple(nodes), tuple(edges), "gnn")
