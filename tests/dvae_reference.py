"""D-VAE's own graph code, written out as the reference our interop is tested against."""

from __future__ import annotations

import igraph


def dvae_decode_enas_to_igraph(row):
    """D-VAE's ``decode_ENAS_to_igraph`` (util.py): an ENAS cell's rows as an igraph."""
    n = len(row)
    g = igraph.Graph(directed=True)
    g.add_vertices(n + 2)
    g.vs[0]["type"] = 0  # input node
    for i, node in enumerate(row):
        g.vs[i + 1]["type"] = node[0] + 2  # assign 2, 3, ... to other types
        g.add_edge(i, i + 1)  # always connect from last node
        for j, edge in enumerate(node[1:]):
            if edge == 1:
                g.add_edge(j, i + 1)
    g.vs[n + 1]["type"] = 1  # output node
    g.add_edge(n, n + 1)
    return g, n + 2
