"""ENAS cells as D-VAE's igraphs.

D-VAE's ``decode_ENAS_to_igraph`` builds an ENAS cell with vertex 0 the input (type 0), vertex
``i + 1`` layer ``i`` (type ``op + 2``) and the last vertex the output (type 1); edges are added
layer by layer, the chain edge ``i -> i + 1`` first, then the skips in source order, and the
output's edge last. :func:`arch_to_igraph` builds exactly that graph (same vertices, same edge
list), so graphs pass between this project and D-VAE code unchanged.
"""

from __future__ import annotations

import igraph

from ngae.spaces.canonical_keys import igraph_to_dag
from ngae.spaces.enas.arch import Arch


def arch_to_igraph(arch: Arch) -> igraph.Graph:
    """The D-VAE igraph of an architecture (``decode_ENAS_to_igraph`` of its rows)."""
    n = arch.num_layers
    edges: list[tuple[int, int]] = []
    for i, row in enumerate(arch.skips):
        edges.append((i, i + 1))
        edges += [(j, i + 1) for j, bit in enumerate(row) if bit]
    edges.append((n, n + 1))
    g = igraph.Graph(n=n + 2, edges=edges, directed=True)
    g.vs["type"] = [0, *(op + 2 for op in arch.ops), 1]
    return g


def igraph_to_arch(g: igraph.Graph) -> Arch:
    """The architecture of a D-VAE ENAS igraph (vertices in D-VAE's order).

    Raises:
        ArchError: the graph is not a complete, valid ENAS cell in that order.
    """
    types, adj = igraph_to_dag(g)
    return Arch.from_dag(types, adj)
