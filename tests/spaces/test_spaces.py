"""The search-space interface: both spaces round-trip, batch validity equals the per-graph rule,
keys identify networks whatever their vertex order, and the loader picks the space."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ngae.spaces.asia.data import DATASET, random_dags
from ngae.spaces.asia.network import BayesNet, is_valid_bn
from ngae.spaces.enas.data_file import DEFAULT_DATA
from ngae.spaces.errors import ArchError, DataError
from ngae.spaces.graph_data import GraphData
from ngae.spaces.registry import (
    SPACES,
    burn_in_of,
    load_dataset,
    space_for_data,
    space_named,
    space_of,
)

ASIA, ENAS = SPACES["asia"], SPACES["enas6"]


def test_the_registry_names_both_spaces_and_refuses_others():
    assert {"enas6", "asia"} <= set(SPACES)  # every registered space: tests/spaces/test_contract.py
    assert space_named("asia") is ASIA
    with pytest.raises(DataError, match="unknown search space 'nas101'"):
        space_named("nas101")


def test_data_files_are_read_by_their_space(tmp_path):
    assert space_for_data(DEFAULT_DATA) is ENAS
    assert space_for_data(DATASET) is ASIA
    general = tmp_path / "g.jsonl"
    general.write_text('{"types": [0, 2, 1], "edges": [[0, 1], [1, 2]], "score": -3.5}\n')
    assert space_for_data(general) is None
    data = load_dataset(general)  # the general format learns a score beside acc
    assert data.space == "" and data.acc.tolist() == [-3.5]
    with pytest.raises(DataError, match="general DAGs"):
        space_of(data)


def test_asia_loads_as_networks_with_exact_complexity():
    data = load_dataset(DATASET)
    assert data.space == "asia" and len(data) >= 20_000 and burn_in_of(data) == 0
    assert data.max_n == 10 and data.num_types == 10
    nets = list(data.archs[:50])
    np.testing.assert_array_equal(data.params[:50], ASIA.complexity(nets))
    np.testing.assert_allclose(data.acc[:50], ASIA.true_scores(nets), atol=1e-5)


def _decoded_like(rng, nets):
    """Dense graphs like the decoder's output: valid ones, and broken copies of them."""
    types, adj = ASIA.dense(nets)
    types, adj = types.clone(), adj.bool().clone()
    broken = rng.random(len(nets)) < 0.5
    for b in np.flatnonzero(broken):
        kind = rng.integers(3)
        if kind == 0:
            types[b, 3] = types[b, 4]  # a variable twice
        elif kind == 1:
            types[b, 5] = 1  # the output in the middle
        else:
            types[b, 9] = -1  # stopped early
            types[b, 8] = 1
    return types, adj


def test_batch_validity_equals_is_valid_bn(rng):
    nets = random_dags(300, seed=11)
    types, adj = _decoded_like(rng, nets)
    batch = ASIA.valid_mask(types, adj).numpy()
    one = [is_valid_bn(t.numpy(), a.numpy()) for t, a in zip(types, adj.long(), strict=True)]
    assert batch.tolist() == one and 0 < batch.sum() < len(nets)


def test_to_items_round_trips_and_drops_invalid(rng):
    nets = random_dags(100, seed=12)
    types, adj = _decoded_like(rng, nets)
    items = ASIA.to_items(types, adj)
    ok = ASIA.valid_mask(types, adj).numpy()
    assert [i is not None for i in items] == ok.tolist()
    assert all(item == net for item, net, good in zip(items, nets, ok, strict=True) if good)


def _reordered(net: BayesNet) -> tuple[np.ndarray, np.ndarray]:
    """The same network with its variables in another topological order (reverse of ready)."""
    order, adj = [], net.adjacency
    placed = np.zeros(8, dtype=bool)
    while len(order) < 8:
        ready = [v for v in range(8) if not placed[v] and not adj[~placed, v].any()]
        order.append(ready[-1])
        placed[ready[-1]] = True
    dag = np.zeros((10, 10), dtype=np.int64)
    dag[1:-1, 1:-1] = adj[np.ix_(order, order)]
    dag[0, 1:-1] = dag[1:-1, 1:-1].sum(0) == 0
    dag[1:-1, -1] = dag[1:-1, 1:-1].sum(1) == 0
    return np.array([0, *[2 + v for v in order], 1]), dag


def test_keys_identify_a_network_in_any_vertex_order():
    nets = [n for n in random_dags(200, seed=13) if n.num_edges() < 6][:20]
    a = [n.to_dag() for n in nets]
    b = [_reordered(n) for n in nets]
    assert any(not np.array_equal(x[0], y[0]) for x, y in zip(a, b, strict=True))
    keys_a = ASIA.keys(np.stack([t for t, _ in a]), np.stack([d for _, d in a]))
    keys_b = ASIA.keys(np.stack([t for t, _ in b]), np.stack([d for _, d in b]))
    assert keys_a == keys_b and len(set(keys_a)) == len(nets)
    for (t, d), net in zip(b, nets, strict=True):
        assert ASIA.from_dag(t, d) == net


def test_enas_space_wraps_the_architecture_type(enas_small: GraphData):
    arch = enas_small.archs[0]
    assert ENAS.parse(arch.to_string()) == arch
    types, adj = ENAS.dense(list(enas_small.archs[:5]))
    assert ENAS.to_items(types, adj.bool()) == list(enas_small.archs[:5])
    np.testing.assert_array_equal(ENAS.complexity([arch]), enas_small.params[:1])
    assert ENAS.vertex_names(arch)[0] == "input" and ENAS.vertex_names(arch)[-1] == "output"
    assert not ENAS.has_oracle and ENAS.optimum() is None
    with pytest.raises(NotImplementedError):
        ENAS.true_scores([arch])
    with pytest.raises(ArchError):
        ENAS.parse("1 2")


def test_asia_names_and_optimum():
    score, best = ASIA.optimum()
    assert ASIA.true_scores([best])[0] == pytest.approx(score)
    assert ASIA.vertex_names(best)[1:-1] == ["ASTLBEXD"[v] for v in best.order()]
    assert ASIA.edge_names(BayesNet.from_string("01" + "0" * 62)) == ["A->S"]
    assert torch.is_tensor(ASIA.dense([best])[0])
