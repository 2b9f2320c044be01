"""Arch <-> igraph as D-VAE builds it, and canonical keys that identify isomorphic DAGs."""

from __future__ import annotations

import igraph
import numpy as np
import pytest
from dvae_reference import dvae_decode_enas_to_igraph

from ngae.spaces.canonical_keys import canonical_key, canonical_keys, dag_to_igraph, igraph_to_dag
from ngae.spaces.enas.arch import Arch
from ngae.spaces.enas.igraph_cells import arch_to_igraph, igraph_to_arch
from ngae.spaces.errors import ArchError
from ngae.spaces.registry import load_dataset


def test_every_architecture_matches_d_vae_and_round_trips():
    data = load_dataset()
    assert len(data) == 20_020
    for arch in data.archs:
        ours = arch_to_igraph(arch)
        ref, n = dvae_decode_enas_to_igraph(arch.to_rows())
        assert ours.vcount() == n and ours.is_directed()
        assert ours.vs["type"] == ref.vs["type"]
        assert ours.get_edgelist() == ref.get_edgelist()  # same edges in the same order
        assert igraph_to_arch(ref) == arch


def test_dense_dag_round_trip_and_bad_graphs():
    arch = Arch.from_string("1 4 0 5 0 0 0 1 1 1 2 1 1 1 1 3 0 0 0 0 1")
    types, adj = arch.to_dag()
    back_types, back_adj = igraph_to_dag(dag_to_igraph(types, adj))
    assert np.array_equal(back_types, types) and np.array_equal(back_adj, adj)
    backwards = igraph.Graph(n=3, edges=[(1, 0), (1, 2)], directed=True)
    backwards.vs["type"] = [0, 2, 1]
    with pytest.raises(ArchError, match="topological order"):
        igraph_to_dag(backwards)
    untyped = igraph.Graph(n=2, edges=[(0, 1)], directed=True)
    with pytest.raises(ArchError, match="'type'"):
        igraph_to_dag(untyped)
    undirected = igraph.Graph(n=2, edges=[(0, 1)])
    with pytest.raises(ArchError, match="directed"):
        igraph_to_dag(undirected)
    bad_cell = dag_to_igraph(types[:-1], adj[:-1, :-1])  # no output vertex
    with pytest.raises(ArchError):
        igraph_to_arch(bad_cell)


def random_dag(rng, n, types_pool=4):
    """A random DAG in topological order: input 0 first, output 1 last, random inner types."""
    types = np.concatenate([[0], rng.integers(2, 2 + types_pool, n - 2), [1]])
    adj = np.triu(rng.random((n, n)) < 0.4, k=1).astype(np.int64)
    return types, adj


def topological_relabelling(rng, adj):
    """A random permutation of the vertices that keeps every edge pointing forward."""
    n = len(adj)
    remaining, order = set(range(n)), []
    indeg = adj.sum(0).copy()
    while remaining:
        ready = sorted(v for v in remaining if indeg[v] == 0)
        v = ready[rng.integers(len(ready))]
        order.append(v)
        remaining.remove(v)
        indeg -= adj[v]
    return np.array(order)  # order[k] = the old vertex placed at position k


def test_permuted_copies_share_a_canonical_key_and_distinct_dags_do_not():
    rng = np.random.default_rng(0)
    originals, copies = [], []
    for _ in range(60):
        types, adj = random_dag(rng, 8)
        originals.append((types, adj))
        for _ in range(3):
            order = topological_relabelling(rng, adj)
            t2, a2 = types[order], adj[np.ix_(order, order)]
            assert np.all(np.tril(a2) == 0)  # still a DAG in topological order
            copies.append((t2, a2, len(originals) - 1))
    for t2, a2, k in copies:
        assert canonical_key(t2, a2) == canonical_key(*originals[k])
    # Distinct keys exactly where igraph's isomorphism test (types as colours) says so.
    graphs = [dag_to_igraph(t, a) for t, a in originals]
    keys = [canonical_key(t, a) for t, a in originals]
    for i in range(len(graphs)):
        for j in range(i + 1, len(graphs)):
            same = graphs[i].isomorphic_vf2(
                graphs[j], color1=list(originals[i][0]), color2=list(originals[j][0])
            )
            assert (keys[i] == keys[j]) == same


def test_batch_keys_drop_padding_and_count_isomorphic_dags_once():
    rng = np.random.default_rng(1)
    types, adj = random_dag(rng, 6)
    order = topological_relabelling(rng, adj)
    padded_t = np.full((3, 8), -1)
    padded_a = np.zeros((3, 8, 8), dtype=np.int64)
    padded_t[0, :6], padded_a[0, :6, :6] = types, adj
    padded_t[1, :6], padded_a[1, :6, :6] = types[order], adj[np.ix_(order, order)]
    other_adj = adj.copy()
    other_adj[0, 5] = 1 - other_adj[0, 5]
    padded_t[2, :6], padded_a[2, :6, :6] = types, other_adj
    keys = canonical_keys(padded_t, padded_a)
    assert keys[0] == keys[1] == canonical_key(types, adj)
    assert keys[2] != keys[0]
    assert len(set(keys)) == 2


def test_the_general_format_counts_isomorphic_dags_once(tmp_path):
    """In a .jsonl data set, permuted copies are one graph for uniqueness and novelty."""
    import json

    from ngae.spaces.graph_data import read_jsonl_file
    from ngae.training.evaluation import dag_keys_for

    rng = np.random.default_rng(2)
    lines, distinct = [], 12
    for _ in range(distinct):
        types, adj = random_dag(rng, 7)
        adj[0, 1:], adj[:-1, -1] = 1, 1  # input feeds all, all feed the output: they stay put
        for _ in range(3):
            order = topological_relabelling(rng, adj)
            t2, a2 = types[order], adj[np.ix_(order, order)]
            edges = [[int(u), int(v)] for u, v in zip(*np.nonzero(a2), strict=True)]
            lines.append(json.dumps({"types": t2.tolist(), "edges": edges, "acc": 0.5}))
    path = tmp_path / "dags.jsonl"
    path.write_text("\n".join(lines) + "\n")
    data = read_jsonl_file(path)
    keys = dag_keys_for(data)(data.types, data.adj)
    assert len(set(keys)) == distinct  # 36 graphs, 12 up to isomorphism
    assert len(set(data.strings)) > distinct  # the plain strings tell the copies apart
    enas = load_dataset()
    assert dag_keys_for(enas) is not canonical_keys  # ENAS keeps its dense keys
