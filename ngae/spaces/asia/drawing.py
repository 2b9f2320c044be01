"""How Asia networks are drawn: one named, coloured node per variable and their edges.

The input and output vertices of the model's encoding are left out: they carry no information.
"""

from __future__ import annotations

from ngae.spaces.asia.network import LONG_NAMES, NUM_VARS, VARIABLES, BayesNet
from ngae.spaces.base import Sketch

# One soft colour per Asia variable (A, S, T, L, B, E, X, D).
VARIABLE_COLOURS = (
    "#FDE2E4", "#E2ECE9", "#FFF1C1", "#DCE7F7", "#E8DFF5", "#FAD2B5", "#D5F0D8", "#F1E3D3"
)  # fmt: skip


def network_sketch(net: BayesNet) -> Sketch:
    """Nodes ``A`` ... ``D`` (ellipses, long names as tooltips) and the network's edges."""
    nodes = tuple(
        (v, v, VARIABLE_COLOURS[k], "ellipse", LONG_NAMES[k]) for k, v in enumerate(VARIABLES)
    )
    adj = net.adjacency
    edges = tuple(
        (VARIABLES[i], VARIABLES[j], "main")
        for i in range(NUM_VARS)
        for j in range(NUM_VARS)
        if adj[i, j]
    )
    return Sketch(nodes, edges, "network")
