"""Graphs as D-VAE keeps them (``igraph.Graph``, a vertex attribute ``type``) and canonical forms.

:func:`canonical_keys` identifies DAGs up to isomorphism: igraph's canonical permutation
(bliss) with the vertex types as colours, so two relabellings of one DAG share a key.
"""

from __future__ import annotations

import igraph
import numpy as np

from ngae.spaces.errors import ArchError


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
