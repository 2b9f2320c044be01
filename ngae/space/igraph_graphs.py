"""Graphs as D-VAE keeps them (``igraph.Graph``, a vertex attribute ``type``) and canonical forms.

D-VAE's ``decode_ENAS_to_igraph`` builds an ENAS cell with vertex 0 the input (type 0), vertex
``i + 1`` layer ``i`` (type ``op + 2``) and the last vertex the output (type 1); edges are added
layer by layer, the chain edge ``i -> i + 1`` first, then the skips in source order, and the
output's edge last. :func:`arch_to_igraph` builds exactly that graph (same vertices, same edge
list), so graphs pass between this project and D-VAE code unchanged.

:func:`canonical_keys` identifies DAGs up to isomorphism: igraph's canonical permutation
(bliss) with the vertex types as colours, so two relabellings of one DAG share a key.
"""

from __future__ import annotations

import igraph
import numpy as np

from ngae.space.arch import Arch, ArchError


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


def igraph_to_dag(g: igraph.Graph) -> tuple[np.ndarray, np.ndarray]:
    """Vertex types ``(N,)`` and adjacency ``(N, N)`` of a graph, vertices in topological order.

    Raises:
        ArchError: not a directed graph with an integer ``type`` on every vertex, or an edge
            that runs backwards (vertices not in topological order) or repeats.
    """
    if not isinstance(g, igraph.Graph) or not g.is_directed():
        raise ArchError("expected a directed igraph.Graph")
    if "type" not in g.vs.attributes():
        raise ArchError("the graph's vertices have no 'type' attribute")
    try:
        types = np.array([int(t) for t in g.vs["type"]], dtype=np.int64)
    except (TypeError, ValueError):
        raise ArchError("vertex types must be integers") from None
    if len(types) == 0 or np.any(types < 0):
        raise ArchError("vertex types must be integers >= 0")
    edges = np.array(g.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    if np.any(edges[:, 0] >= edges[:, 1]):
        raise ArchError("an edge runs backwards: vertices must be in topological order")
    adj = np.zeros((len(types), len(types)), dtype=np.int64)
    np.add.at(adj, (edges[:, 0], edges[:, 1]), 1)
    if np.any(adj > 1):
        raise ArchError("the graph repeats an edge")
    return types, adj


def dag_to_igraph(types: np.ndarray, adj: np.ndarray) -> igraph.Graph:
    """An igraph of a dense DAG (``adj[u, v] = 1`` for u -> v), edges in row-major order."""
    u, v = np.nonzero(np.asarray(adj))
    g = igraph.Graph(
        n=len(types), edges=list(zip(u.tolist(), v.tolist(), strict=True)), directed=True
    )
    g.vs["type"] = [int(t) for t in types]
    return g


def canonical_key(types: np.ndarray, adj: np.ndarray) -> bytes:
    """A key shared by exactly the DAGs isomorphic to this one (vertex types must match)."""
    types = np.asarray(types, dtype=np.int64)
    g = dag_to_igraph(types, adj)
    # permute_vertices and canonical_permutation agree on what a permutation means in every
    # igraph version (the C library's meaning changed in 0.10): let igraph apply it.
    canon = g.permute_vertices(g.canonical_permutation(color=types.tolist()))
    canon_adj = np.zeros((len(types), len(types)), dtype=bool)
    edges = np.array(canon.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    canon_adj[edges[:, 0], edges[:, 1]] = True
    canon_types = np.array(canon.vs["type"], dtype=np.int8)
    return canon_types.tobytes() + np.packbits(canon_adj).tobytes()


def canonical_keys(types: np.ndarray, adj: np.ndarray) -> list[bytes]:
    """:func:`canonical_key` of each graph of a batch; type ``-1`` marks padding (dropped)."""
    types, adj = np.asarray(types), np.asarray(adj)
    keys = []
    for t, a in zip(types, adj, strict=True):
        real = t >= 0
        keys.append(canonical_key(t[real], a[np.ix_(real, real)]))
    return keys
