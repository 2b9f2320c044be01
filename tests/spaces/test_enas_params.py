"""Complexity: exact ENAS parameter counts, NGAE's proxy and the normalisation of both."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ngae.spaces.complexity import (
    MARGIN,
    complexity_scale,
    denormalise_complexity,
    ngae_proxy,
    normalise_complexity,
)
from ngae.spaces.enas.arch import Arch
from ngae.spaces.enas.data_file import DEFAULT_DATA, parse_enas_line
from ngae.spaces.enas.params import param_count, param_counts, reduction_layers

FIRST_LINES = DEFAULT_DATA.read_text().splitlines()[:3]
ALL_POOLS = Arch.from_string("5 5 0 5 0 0 5 0 0 0 5 0 0 0 0 5 0 0 0 0 0")


def test_known_counts_of_the_first_three_data_lines():
    archs = [parse_enas_line(line)[0] for line in FIRST_LINES]
    assert [param_count(a, 96) for a in archs] == [9_796_512, 7_556_256, 5_804_064]
    assert param_counts(archs).tolist() == [9_796_512, 7_556_256, 5_804_064]
    assert param_counts(archs).dtype == np.int64


def test_reduction_layers_of_the_six_layer_space():
    assert reduction_layers(6) == (1, 3)


def test_all_max_pools_without_skips_by_hand():
    """F = 4, six max-pool layers, no skips. Pools have no parameters.

    stem: 3x3 conv 3 -> 4 (3*3*3*4 = 108) + BN(4) (8)                           = 116
    layer 0 (C=4): no skip-concat conv for the first layer                       =   0
    layer 1 (C=4): skip-concat 1x1 conv (0+1)*4 -> 4 (16) + BN (8)               =  24
        reduction, C 4 -> 8: 3 stored outputs (stem, layer 0, layer 1), each
        2 x 1x1 conv 4 -> 4 (2*16) + BN(8) (16): 3 * 48                          = 144
    layer 2 (C=8): 1x1 conv 8 -> 8 (64) + BN (16)                                =  80
    layer 3 (C=8): the same                                                      =  80
        reduction, C 8 -> 16: 5 stored outputs, each 2 x 1x1 conv 8 -> 8 (2*64)
        + BN(16) (32): 5 * 160                                                   = 800
    layer 4 (C=16): 1x1 conv 16 -> 16 (256) + BN (32)                            = 288
    layer 5 (C=16): the same                                                     = 288
    classifier: bias-free Linear(16, 10)                                         = 160
    total: 116 + 24 + 144 + 80 + 80 + 800 + 288 + 288 + 160                      = 1980
    """
    assert param_count(ALL_POOLS, filters=4) == 1980


def test_convs_and_a_skip_by_hand():
    """As above, but layer 0 is conv3x3, layer 5 conv5x5 with a skip from the stem.

    layer 0 conv3x3 (C=4): 1x1 conv 16 + BN 8 + 3x3 conv 9*16 = 144 + BN 8       = 176
    layer 5 conv5x5 (C=16): 1x1 conv 256 + BN 32 + 5x5 conv 25*256 = 6400 + BN 32 = 6720
    layer 5 skip-concat now (1+1)*16 -> 16 (512) + BN (32) = 544 instead of 288  = +256
    total: 1980 + 176 + 6720 + 256                                               = 9132

    With ``separable`` a sep-conv3x3 in layer 0 has a depthwise 3x3 (9*4 = 36) and a
    pointwise 1x1 (16) instead of the 144 of a plain 3x3: 9132 - 144 + 52 = 9040.
    """
    arch = Arch.from_string("0 5 0 5 0 0 5 0 0 0 5 0 0 0 0 2 1 0 0 0 0")
    assert param_count(arch, filters=4) == 9132
    sep = Arch.from_string("1 5 0 5 0 0 5 0 0 0 5 0 0 0 0 2 1 0 0 0 0")
    assert param_count(sep, filters=4) == 9132  # ENAS's "sep" convs are plain convs
    assert param_count(sep, filters=4, separable=True) == 9040
    assert param_count(arch, filters=4, separable=True) == 9132  # op 0 is not separable


def _width_at(layer: int, filters: int) -> int:
    return filters * 2 ** sum(layer > r for r in reduction_layers(6))


@st.composite
def six_layer_archs(draw) -> Arch:
    ops = tuple(draw(st.lists(st.integers(0, 5), min_size=6, max_size=6)))
    skips = tuple(
        tuple(draw(st.lists(st.integers(0, 1), min_size=i, max_size=i))) for i in range(6)
    )
    return Arch(ops, skips)


@settings(max_examples=100, deadline=None)
@given(six_layer_archs(), st.integers(1, 5), st.data(), st.sampled_from([2, 4, 96]))
def test_each_skip_costs_exactly_c_squared(arch, layer, data, filters):
    """A skip into layer i widens its 1x1 concat conv by C_i input channels: C_i**2 weights."""
    j = data.draw(st.integers(0, layer - 1))
    rows = arch.to_rows()
    rows[layer][1 + j] = 0
    without = Arch.from_rows(rows)
    rows[layer][1 + j] = 1
    with_skip = Arch.from_rows(rows)
    c = _width_at(layer, filters)
    assert param_count(with_skip, filters) - param_count(without, filters) == c * c


@settings(max_examples=100, deadline=None)
@given(six_layer_archs(), st.integers(0, 5), st.integers(0, 3), st.sampled_from([2, 4, 96]))
def test_conv_op_costs_its_two_convs_and_two_batch_norms(arch, layer, op, filters):
    """Replacing a pool by conv op k adds 1x1 (C*C) + BN (2C) + kxk (k*k*C*C) + BN (2C)."""
    ops = list(arch.ops)
    ops[layer] = 5
    pooled = Arch(tuple(ops), arch.skips)
    ops[layer] = op
    conv = Arch(tuple(ops), arch.skips)
    c, k = _width_at(layer, filters), 3 if op < 2 else 5
    expected = c * c + 2 * c + k * k * c * c + 2 * c
    assert param_count(conv, filters) - param_count(pooled, filters) == expected


# ---------------------------------------------------------------- NGAE proxy


def test_proxy_of_line_1_by_hand():
    """Line 1: vertex types 0 3 6 7 2 4 5 1, in-degrees (v>0) 1 1 1 4 5 2 1.

    48 * (10*1 + 1*1 + 1*1 + 10*4 + 26*5 + 26*2 + 48*1) = 48 * 282 = 13536.
    """
    arch, _ = parse_enas_line(FIRST_LINES[0])
    types, adj = arch.to_dag()
    assert ngae_proxy(types[None], adj[None]).tolist() == [13536.0]


def test_proxy_of_padded_and_batched_graphs():
    types, adj = ALL_POOLS.to_dag()  # six type-7 vertices and the output, each in-degree 1
    padded_types = np.array([[0, 4, 2, 1, -1]])  # a 4-vertex graph padded to 5
    padded_adj = np.zeros((1, 5, 5), dtype=np.int64)
    padded_adj[0, [0, 0, 1, 2], [1, 2, 2, 3]] = 1
    padded_adj[0, 3, 4] = 1  # an edge into the padding counts for nothing
    assert ngae_proxy(types[None], adj[None]).tolist() == [48 * (6 * 1 + 48)]
    # vertex 1 (type 4, m=26) in-degree 1, vertex 2 (type 2, m=10) in-degree 2, output 1
    assert ngae_proxy(padded_types, padded_adj).tolist() == [48 * (26 + 20 + 48)]


@settings(max_examples=50, deadline=None)
@given(st.lists(six_layer_archs(), min_size=1, max_size=8))
def test_batched_proxy_equals_a_loop_over_edges(archs):
    m = {1: 48, 2: 10, 3: 10, 4: 26, 5: 26, 6: 1, 7: 1}
    dags = [a.to_dag() for a in archs]
    expected = [
        48 * sum(m[int(t[v])] for u, v in zip(*np.nonzero(a), strict=True)) for t, a in dags
    ]
    got = ngae_proxy(np.stack([t for t, _ in dags]), np.stack([a for _, a in dags]))
    assert got.tolist() == expected


# ---------------------------------------------------------------- normalisation


@pytest.mark.parametrize("kind", ["params", "proxy"])
def test_scale_maps_the_extremes_to_the_margins_and_round_trips(kind):
    values = np.array([1_000.0, 5_804_064.0, 9_796_512.0, 250_000.0])
    lo, hi = complexity_scale(values, kind)
    if kind == "params":
        assert (lo, hi) == (pytest.approx(np.log(1_000)), pytest.approx(np.log(9_796_512)))
    else:
        assert (lo, hi) == (1_000.0, 9_796_512.0)
    y = normalise_complexity(values, kind, lo, hi)
    assert y[0] == pytest.approx(MARGIN) and y[2] == pytest.approx(1 - MARGIN)
    assert np.all((y >= MARGIN - 1e-12) & (y <= 1 - MARGIN + 1e-12))
    np.testing.assert_allclose(denormalise_complexity(y, kind, lo, hi), values, rtol=1e-9)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.floats(1.0, 1e9), min_size=2, max_size=30),
    st.sampled_from(["params", "proxy"]),
    st.data(),
)
def test_one_global_scale_for_every_subset(values, kind, data):
    """Normalising a subset with the global scale gives the same numbers as in the full set."""
    values = np.array(values)
    lo, hi = complexity_scale(values, kind)
    full = normalise_complexity(values, kind, lo, hi)
    index = data.draw(st.lists(st.integers(0, len(values) - 1), min_size=1))
    np.testing.assert_array_equal(normalise_complexity(values[index], kind, lo, hi), full[index])
    assert np.all(np.isfinite(full))
    if hi > lo:
        back = denormalise_complexity(full, kind, lo, hi)
        np.testing.assert_allclose(back, values, rtol=1e-6, atol=1e-6 * (hi - lo))


def test_params_scale_stays_finite_with_zero_counts():
    """A JSON-lines data set may give ``params: 0``; log scale then starts at log(1) = 0."""
    values = np.array([0.0, 10.0, 100.0])
    lo, hi = complexity_scale(values, "params")
    assert (lo, hi) == (0.0, pytest.approx(np.log(100)))
    y = normalise_complexity(values, "params", lo, hi)
    assert np.all(np.isfinite(y)) and y[0] == pytest.approx(MARGIN)
