"""ENAS architectures: canonical string, DAG form and D-VAE's validity rule."""

from __future__ import annotations

import dataclasses
import itertools
from collections import deque

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from ngae.spaces.enas.arch import Arch, is_valid_enas
from ngae.spaces.enas.validity import valid_mask
from ngae.spaces.errors import ArchError

LINE_1 = "1 4 0 5 0 0 0 1 1 1 2 1 1 1 1 3 0 0 0 0 1"  # data/final_structures6.txt, line 1
LINE_1_ROWS = [[1], [4, 0], [5, 0, 0], [0, 1, 1, 1], [2, 1, 1, 1, 1], [3, 0, 0, 0, 0, 1]]


# ---------------------------------------------------------------- strategies and references


@st.composite
def archs(draw, min_layers: int = 6, max_layers: int = 6) -> Arch:
    layers = draw(st.integers(min_layers, max_layers))
    ops = draw(st.lists(st.integers(0, 5), min_size=layers, max_size=layers))
    skips = [draw(st.lists(st.integers(0, 1), min_size=i, max_size=i)) for i in range(layers)]
    return Arch(tuple(ops), tuple(tuple(row) for row in skips))


@st.composite
def dense_graphs(draw, min_n: int = 1, max_n: int = 8, backward: bool = True):
    """A random graph, biased so that roughly half of the draws are valid ENAS graphs."""
    n = draw(st.one_of(st.just(max_n), st.integers(min_n, max_n)))
    types = draw(st.lists(st.integers(0, 7), min_size=n, max_size=n))
    if draw(st.booleans()):  # put the input first, the output last, ops in between
        types = [0] + [t if t >= 2 else t + 2 for t in types[1:-1]] + [1] if n >= 2 else types
    adj = np.zeros((n, n), dtype=np.int64)
    rows, cols = np.triu_indices(n, k=1)
    bits = draw(st.integers(0, 2 ** len(rows) - 1))
    adj[rows, cols] = [(bits >> k) & 1 for k in range(len(rows))]
    if backward:  # occasionally a self-loop or an edge backwards
        vertex = st.integers(0, n - 1)
        for u, v in draw(st.lists(st.tuples(vertex, vertex), max_size=2)):
            adj[max(u, v), min(u, v)] = 1
    if draw(st.booleans()):  # all chain edges, nothing else into the output
        adj[np.arange(n - 1), np.arange(1, n)] = 1
        adj[: n - 2, n - 1] = 0
    return np.array(types, dtype=np.int64), adj


def reference_is_valid_enas(types: list[int], edges: set[tuple[int, int]]) -> bool:
    """D-VAE's ``is_valid_DAG`` + ``is_valid_ENAS`` (util.py), loops over an edge list."""
    n = len(types)
    indeg, outdeg = [0] * n, [0] * n
    for u, v in edges:
        outdeg[u] += 1
        indeg[v] += 1
    # is_dag: Kahn's algorithm removes every vertex exactly when there is no cycle.
    remaining, queue, removed = list(indeg), deque(v for v in range(n) if indeg[v] == 0), 0
    while queue:
        u = queue.popleft()
        removed += 1
        for a, b in edges:
            if a == u:
                remaining[b] -= 1
                if remaining[b] == 0:
                    queue.append(b)
    n_start = n_end = 0
    for v in range(n):
        if types[v] == 0:
            n_start += 1
        elif types[v] == 1:
            n_end += 1
        if indeg[v] == 0 and types[v] != 0:
            return False
        if outdeg[v] == 0 and types[v] != 1:
            return False
    if not (removed == n and n_start == 1 and n_end == 1):
        return False
    for i in range(n - 2):
        if (i, i + 1) not in edges:
            return False
    return indeg[n - 1] == 1


def edge_set(adj: np.ndarray) -> set[tuple[int, int]]:
    return {(int(u), int(v)) for u, v in zip(*np.nonzero(adj), strict=True)}


# ---------------------------------------------------------------- known answers


def test_line_1_string_rows_and_dag():
    arch = Arch.from_string(LINE_1)
    assert arch.ops == (1, 4, 5, 0, 2, 3)
    assert arch.skips == ((), (0,), (0, 0), (1, 1, 1), (1, 1, 1, 1), (0, 0, 0, 0, 1))
    assert arch.to_rows() == LINE_1_ROWS
    assert str(arch) == arch.to_string() == LINE_1
    assert Arch.from_rows(LINE_1_ROWS) == arch

    types, adj = arch.to_dag()
    assert types.tolist() == [0, 3, 6, 7, 2, 4, 5, 1]
    chain = {(i, i + 1) for i in range(7)}
    # layer 3 (vertex 4) takes skips from vertices 0, 1, 2; layer 4 (vertex 5) from 0..3;
    # layer 5 (vertex 6) from vertex 4.
    skips = {(0, 4), (1, 4), (2, 4), (0, 5), (1, 5), (2, 5), (3, 5), (4, 6)}
    assert edge_set(adj) == chain | skips
    assert is_valid_enas(types, adj, strict=True)
    assert Arch.from_dag(types, adj) == arch


def test_string_accepts_commas_and_extra_whitespace():
    assert Arch.from_string(" 1,4, 0 5 0 0 0 1 1 1 2 1 1 1 1 3 0 0 0 0 1\n") == Arch.from_string(
        LINE_1
    )


def test_arch_is_immutable_and_hashable():
    arch = Arch.from_string(LINE_1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        arch.ops = (0,) * 6  # type: ignore[misc]
    assert len({arch, Arch.from_string(LINE_1), Arch.from_rows(LINE_1_ROWS)}) == 1


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1 4 0 5 0 0 0 1 1 1 2 1 1 1 1 3 0 0 0 0",  # 20 integers
        "1 4 0 5 0 0 0 1 1 1 2 1 1 1 1 3 0 0 0 0 1 0",  # 22 integers
        "6 4 0 5 0 0 0 1 1 1 2 1 1 1 1 3 0 0 0 0 1",  # op 6
        "-1 4 0 5 0 0 0 1 1 1 2 1 1 1 1 3 0 0 0 0 1",  # op -1
        "1 4 2 5 0 0 0 1 1 1 2 1 1 1 1 3 0 0 0 0 1",  # skip bit 2
        "1 4 0 5 0 0 0 1 1 1 2 1 1 1 1 3 0 0 0 0 1.0",
        "1 4 0 5 0 0 0 1 1 1 2 1 1 1 1 3 0 0 0 0 True",
        "[[1], [4, 0]]",
        "a b c",
    ],
)
def test_bad_strings_raise_arch_error(text):
    with pytest.raises(ArchError):
        Arch.from_string(text)


@pytest.mark.parametrize(
    ("ops", "skips"),
    [
        ((), ()),
        ((0, 1), ((),)),
        ((0, 1), ((), (0, 1))),
        ((0, 6), ((), (0,))),
        ((0, 1), ((), (-1,))),
    ],
)
def test_bad_fields_raise_arch_error(ops, skips):
    with pytest.raises(ArchError):
        Arch(ops, skips)


@pytest.mark.parametrize(
    "rows", [[], [[]], [[1.5]], [[1], [2, 0.0]], [[True]], [["3"]], [[1], [2, None]]]
)
def test_from_rows_rejects_non_integers_instead_of_truncating(rows):
    with pytest.raises(ArchError):
        Arch.from_rows(rows)


def test_from_rows_accepts_numpy_integers():
    rows = [np.array(r, dtype=np.int64) for r in LINE_1_ROWS]
    assert Arch.from_rows(rows).to_string() == LINE_1


def _line_1_dag():
    return Arch.from_string(LINE_1).to_dag()


def test_is_valid_enas_rejects_each_broken_rule():
    types, adj = _line_1_dag()
    assert is_valid_enas(types, adj) and is_valid_enas(types, adj, strict=True)

    def broken(edit):
        t, a = types.copy(), adj.copy()
        edit(t, a)
        return is_valid_enas(t, a)

    assert not broken(lambda t, a: a.__setitem__((2, 3), 0))  # chain edge missing
    assert not broken(lambda t, a: a.__setitem__((3, 7), 1))  # a skip into the output
    assert not broken(lambda t, a: a.__setitem__((3, 1), 1))  # an edge backwards (a cycle)
    assert not broken(lambda t, a: a.__setitem__((2, 2), 1))  # a self-loop
    assert not broken(lambda t, a: t.__setitem__(3, 0))  # a second input
    assert not broken(lambda t, a: t.__setitem__(3, 1))  # a second output
    assert not broken(lambda t, a: t.__setitem__(0, 2))  # no input
    assert not is_valid_enas(types[:1], adj[:1, :1])
    assert not is_valid_enas(types, adj[:7, :7])  # shapes disagree


def test_strict_needs_all_eight_vertices():
    arch = Arch((0, 5, 2), ((), (1,), (0, 1)))
    types, adj = arch.to_dag()
    assert len(types) == 5
    assert is_valid_enas(types, adj)
    assert not is_valid_enas(types, adj, strict=True)
    assert is_valid_enas(types, adj, strict=True, layers=3)


def test_from_dag_rejects_invalid_graphs():
    types, adj = _line_1_dag()
    adj[0, 7] = 1
    with pytest.raises(ArchError):
        Arch.from_dag(types, adj)
    with pytest.raises(ArchError):  # two vertices: valid, but no layer
        Arch.from_dag(np.array([0, 1]), np.array([[0, 1], [0, 0]]))


def test_exhaustive_small_graphs_have_the_known_number_of_valid_ones():
    """Types from {0, 1, 2, 3}, every adjacency on 2..4 vertices (upper triangle).

    Valid graphs are exactly ENAS architectures with L = n - 2 layers and ops in {0, 1}:
    2**L op choices times 2**(L(L-1)/2) skip choices, so 1, 2 and 8 of them.
    """
    for n, expected in [(2, 1), (3, 2), (4, 8)]:
        pairs = [(u, v) for u in range(n) for v in range(u + 1, n)]
        found = 0
        for types in itertools.product(range(4), repeat=n):
            for bits in itertools.product((0, 1), repeat=len(pairs)):
                edges = {p for p, b in zip(pairs, bits, strict=True) if b}
                adj = np.zeros((n, n), dtype=np.int64)
                for u, v in edges:
                    adj[u, v] = 1
                ours = is_valid_enas(np.array(types), adj)
                assert ours == reference_is_valid_enas(list(types), edges), (types, edges)
                found += ours
        assert found == expected


# ---------------------------------------------------------------- properties


@settings(max_examples=150, deadline=None)
@given(archs(min_layers=1, max_layers=8))
def test_arch_round_trips_through_string_rows_and_dag(arch):
    assert Arch.from_string(arch.to_string()) == arch
    assert Arch.from_rows(arch.to_rows()) == arch
    assert len(arch.to_string().split()) == arch.num_layers * (arch.num_layers + 1) // 2
    types, adj = arch.to_dag()
    assert is_valid_enas(types, adj, strict=True, layers=arch.num_layers)
    assert Arch.from_dag(types, adj) == arch


@settings(max_examples=100, deadline=None)
@given(archs())
def test_six_layer_dags_are_strictly_valid_and_have_the_right_edge_count(arch):
    types, adj = arch.to_dag()
    assert types.shape == (8,) and adj.shape == (8, 8)
    assert is_valid_enas(types, adj, strict=True)
    assert adj.sum() == 7 + sum(map(sum, arch.skips))
    assert types[1:-1].tolist() == [op + 2 for op in arch.ops]


@settings(max_examples=200, deadline=None)
@given(dense_graphs())
def test_is_valid_enas_agrees_with_dvae_loops(graph):
    types, adj = graph
    expected = reference_is_valid_enas(types.tolist(), edge_set(adj))
    assert is_valid_enas(types, adj) == expected
    assert is_valid_enas(types, adj, strict=True) == (expected and len(types) == 8)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(dense_graphs(min_n=2, backward=False), min_size=1, max_size=12), st.integers(0, 2**32)
)
def test_valid_mask_agrees_with_is_valid_enas_on_padded_batches(graphs, seed):
    """Pad to 8 vertices with type -1; random edges in the padding must be ignored."""
    b = len(graphs)
    types = torch.full((b, 8), -1, dtype=torch.long)
    upper = torch.triu(torch.ones(8, 8, dtype=torch.bool), diagonal=1)
    noise = torch.rand(b, 8, 8, generator=torch.Generator().manual_seed(seed)) < 0.5
    adj = noise & upper
    for i, (t, a) in enumerate(graphs):
        n = len(t)
        types[i, :n] = torch.from_numpy(t)
        adj[i, :n, :n] = torch.from_numpy(a.astype(bool))
    expected = [is_valid_enas(t, a) for t, a in graphs]
    assert valid_mask(types, adj).tolist() == expected
    strict = [e and len(t) == 8 for e, (t, _) in zip(expected, graphs, strict=True)]
    assert valid_mask(types, adj, strict=True).tolist() == strict
