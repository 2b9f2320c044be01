"""The ENAS macro network: its parameter count equals the closed form, and it runs."""

from __future__ import annotations

import random

import pytest
import torch
from torch import nn

from ngae.spaces.enas.arch import Arch
from ngae.spaces.enas.data_file import DEFAULT_DATA, parse_enas_line
from ngae.spaces.enas.network import EnasNet, FactorizedReduction, make_op, num_parameters
from ngae.spaces.enas.params import param_count

DATA_FILE = DEFAULT_DATA
ALL_POOLS = Arch((4, 5, 4, 5, 4, 5), tuple((0,) * i for i in range(6)))


def _sample_archs(count: int = 20, seed: int = 0) -> list[Arch]:
    lines = [ln for ln in DATA_FILE.read_text(encoding="utf-8").splitlines() if ln.strip()]
    picked = random.Random(seed).sample(lines, count)
    return [parse_enas_line(line)[0] for line in picked]


SAMPLED = _sample_archs()


@pytest.mark.parametrize("separable", [False, True])
@pytest.mark.parametrize("arch", SAMPLED, ids=[a.to_string() for a in SAMPLED])
def test_closed_form_equals_numel(arch: Arch, separable: bool) -> None:
    for filters in (2, 8):
        net = EnasNet(arch, filters, separable)
        assert num_parameters(net) == param_count(arch, filters, separable)


@pytest.mark.parametrize(("line", "expected"), [(0, 9_796_512), (1, 7_556_256), (2, 5_804_064)])
def test_worked_examples_at_96_filters(line: int, expected: int) -> None:
    text = DATA_FILE.read_text(encoding="utf-8").splitlines()[line]
    arch = parse_enas_line(text)[0]
    assert param_count(arch, 96) == expected
    assert num_parameters(EnasNet(arch, 96)) == expected
    assert num_parameters(EnasNet(arch, 96, separable=True)) == param_count(arch, 96, True)


def test_count_by_hand_for_all_pools() -> None:
    # F = 4. stem 27*4 + 8 = 116; pools 0; joins (1 input) c*c + 2c at c = 4, 4, 8, 8, 16, 16
    # minus layer 0; reductions after layer 1 (3 stored, 4 -> 8): 3 * (4*8 + 2*8) = 144, after
    # layer 3 (5 stored, 8 -> 16): 5 * (8*16 + 2*16) = 800; classifier 16*10 = 160.
    joins = 24 + 80 + 80 + 288 + 288
    expected = 116 + joins + 144 + 800 + 160
    assert expected == 1980
    assert num_parameters(EnasNet(ALL_POOLS, 4)) == expected == param_count(ALL_POOLS, 4)


def test_pools_have_no_parameters() -> None:
    for op in (4, 5):
        assert num_parameters(make_op(op, 8)) == 0
    assert isinstance(make_op(4, 8), nn.AvgPool2d) and not make_op(4, 8).count_include_pad


def test_separable_builds_depthwise_then_pointwise() -> None:
    convs = [m for m in make_op(3, 8, separable=True).modules() if isinstance(m, nn.Conv2d)]
    assert [(c.kernel_size, c.groups) for c in convs] == [((1, 1), 1), ((5, 5), 8), ((1, 1), 1)]
    plain = [m for m in make_op(3, 8).modules() if isinstance(m, nn.Conv2d)]
    assert [(c.kernel_size, c.groups) for c in plain] == [((1, 1), 1), ((5, 5), 1)]


def test_factorized_reduction_sees_the_shifted_grid() -> None:
    red = FactorizedReduction(1, 2).eval()
    nn.init.ones_(red.path1.weight)
    nn.init.ones_(red.path2.weight)
    x = torch.zeros(1, 1, 4, 4)
    x[0, 0, 1, 1] = 1.0  # an odd pixel: invisible to path 1, path 2's (0, 0)
    y = red(x)  # (1, 2, 2, 2)
    assert y.shape == (1, 2, 2, 2)
    assert y[0, 0].abs().sum() == 0
    assert y[0, 1, 0, 0] > 0.99 and y[0, 1].abs().sum() == y[0, 1, 0, 0]


def test_forward_and_backward_at_small_width() -> None:
    torch.manual_seed(0)
    net = EnasNet(SAMPLED[0], filters=8, dropout=0.5)
    x = torch.randn(3, 3, 32, 32)
    logits = net(x)
    assert logits.shape == (3, 10)
    logits.logsumexp(1).mean().backward()
    assert net.stem[0].weight.grad is not None and net.classifier.weight.grad is not None
    grads = [p.grad for p in net.parameters() if p.grad is not None]
    assert all(torch.isfinite(g).all() for g in grads)
    net.eval()
    assert torch.equal(net(x), net(x))  # no dropout in eval mode


def test_skips_change_the_output() -> None:
    torch.manual_seed(0)
    chain = EnasNet(ALL_POOLS, filters=4).eval()
    skips = Arch(ALL_POOLS.ops, tuple((1,) * i for i in range(6)))
    assert num_parameters(EnasNet(skips, 4)) == param_count(skips, 4) > num_parameters(chain)
    assert chain(torch.randn(2, 3, 32, 32)).shape == (2, 10)
