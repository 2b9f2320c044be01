"""How ENAS cells are drawn: D-VAE's colours (``util.add_node``), skips dashed."""

from __future__ import annotations

from ngae.spaces.base import Sketch
from ngae.spaces.enas.arch import OP_NAMES, Arch

INPUT_COLOUR, OUTPUT_COLOUR = "#87CEEB", "#FFC0CB"  # skyblue, pink
# yellow, orange, greenyellow, seagreen3, azure, beige: D-VAE's conv3 ... max3
OP_COLOURS = ("#FFFF00", "#FFA500", "#ADFF2F", "#43CD80", "#F0FFFF", "#F5F5DC")


def cell_sketch(arch: Arch) -> Sketch:
    """Input, one coloured box per layer (``L1`` ...), output; the chain solid, skips dashed.

    Node ids follow D-VAE's vertex order (``in``, ``L1`` ... ``L6``, ``out``); layers are
    numbered from 1.
    """
    nodes = [("in", "input", INPUT_COLOUR, "ellipse", "")]
    edges = []
    names = ["in"]
    for i, op in enumerate(arch.ops):
        name = f"L{i + 1}"
        nodes.append((name, f"{i + 1}: {OP_NAMES[op]}", OP_COLOURS[op], "box", ""))
        edges.append((names[-1], name, "main"))
        edges += [(names[j], name, "side") for j, bit in enumerate(arch.skips[i]) if bit]
        names.append(name)
    nodes.append(("out", "output", OUTPUT_COLOUR, "ellipse", ""))
    edges.append((names[-1], "out", "main"))
    return Sketch(tuple(nodes), tuple(edges), "cell")
