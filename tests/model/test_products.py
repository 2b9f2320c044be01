"""bf16 products: stacked one-hot layers, the fused edge network, gradients in a weight's layout."""

from __future__ import annotations

import gc
import weakref

import pytest
import torch
from bf16_checks import assert_near, needs_bf16, rounded
from torch import nn

from ngae.model.decoder import edge_pairs
from ngae.model.edge_scores import low_edge_scores, pair_matrix
from ngae.model.products import Products, StackedLayers


def layers(k: int, n: int, gen: torch.Generator) -> list[nn.Linear]:
    """A gate with a bias and a mapper without, on ``k + n`` inputs (as the messages)."""
    gate, mapper = nn.Linear(k + n, 6), nn.Linear(k + n, 6, bias=False)
    for p in (*gate.parameters(), mapper.weight):
        p.data = torch.randn(p.shape, generator=gen)
    return [gate, mapper]


def rows(stack: list[nn.Linear]) -> list[tuple[torch.Tensor, torch.Tensor | None]]:
    return [(layer.weight, layer.bias) for layer in stack]


@pytest.mark.parametrize("mode", ["fp32", pytest.param("bf16", marks=needs_bf16)])
def test_stacked_layers_are_each_pass_own_layers_on_the_input_and_its_one_hot_index(
    mode: str,
) -> None:
    """Two stacks (the encoder's two directions), each on its own inputs and index."""
    gen = torch.Generator().manual_seed(0)
    stacks = [layers(5, 3, gen), layers(5, 3, gen)]
    x = torch.randn(2, 4, 5, generator=gen)
    f = Products(mode).stacked([rows(stack) for stack in stacks], 5)
    cast = rounded if mode == "bf16" else (lambda t: t)
    for index in ([0, 2], [1, 1]):
        got = f(x, index)
        assert got.shape == (2, 4, 12) and got.dtype == torch.float32
        for d, (gate, mapper) in enumerate(stacks):
            onehot = nn.functional.one_hot(torch.tensor([index[d]] * 4), 3).float()
            full = torch.cat([cast(x[d]), onehot], 1)
            want = torch.cat([gate(full), mapper(full)], 1)
            assert_near(got[d], want, 0.01 if mode == "bf16" else 1e-6)
    assert isinstance(Products("fp32").stacked([rows(stacks[0])], 5), StackedLayers)


@needs_bf16
def test_bf16_onehot_layers_known_gradient_over_all_uses() -> None:
    """Known answer: with each use's output gradient ``g_i`` (caught by a hook), the stacked
    weight's gradient is ``[sum_i g_i^T x_i (bf16 operands, rounded once), per-index fp32 sums
    of g_i]`` and the bias's is the fp32 sum of the gate part; values are bf16 products. One
    rounding serves every caller of the same layers in a pass.
    """
    gen = torch.Generator().manual_seed(1)
    gate, mapper = layers(16, 4, gen)
    xs = [torch.randn(3, 2, 16, generator=gen) for _ in range(4)]
    indices = [0, 1, 2, 0]
    mm = Products("bf16")
    f = mm.stacked([rows([gate, mapper])], 16)
    assert mm.stacked([rows([gate, mapper])], 16) is f
    stacked = torch.cat([gate.weight, mapper.weight]).detach()  # (12, 16 + 4)
    bias = torch.cat([gate.bias.detach(), torch.zeros(6)])
    seen: list[torch.Tensor] = []
    h = torch.zeros(3, 2, 12)
    for x, index in zip(xs, indices, strict=True):  # chained as a recurrent pass's steps are
        out = f(x.unsqueeze(0), [index]).squeeze(0)
        product = rounded(rounded(x) @ rounded(stacked[:, :16]).t())
        want = product + stacked[:, 16 + index] + bias  # the one-hot part and bias in fp32
        torch.testing.assert_close(out.detach(), want, rtol=2**-7, atol=1e-5)
        out.register_hook(seen.append)
        h = torch.tanh(out + h)
    h.square().sum().backward()
    grads = seen[::-1]  # backward order: last use first
    flat = [(rounded(x).reshape(-1, 16), g.reshape(-1, 12)) for x, g in zip(xs, grads, strict=True)]
    want_main = rounded(sum(rounded(g).t() @ x for x, g in flat))  # (12, 16)
    want_index = torch.zeros(12, 4)
    for (_, g), index in zip(flat, indices, strict=True):
        want_index[:, index] += g.sum(0)
    want_w = torch.cat([want_main, want_index], 1)
    torch.testing.assert_close(gate.weight.grad, want_w[:6], rtol=2**-7, atol=1e-5)
    torch.testing.assert_close(mapper.weight.grad, want_w[6:], rtol=2**-7, atol=1e-5)
    want_bias = sum(g.sum(0) for _, g in flat)[:6]
    torch.testing.assert_close(gate.bias.grad, want_bias, rtol=1e-5, atol=1e-5)
    assert gate.weight.grad.is_contiguous()


@needs_bf16
def test_weight_gradient_comes_back_in_the_parameter_layout() -> None:
    gen = torch.Generator().manual_seed(2)
    layer = nn.Linear(16, 8)
    x = torch.randn(5, 16, generator=gen)
    mm = Products("bf16")
    out = mm(x, layer.weight.t()) + mm(x * 2, layer.weight.t())  # two uses of one transposed view
    out.sin().sum().backward()
    got = layer.weight.grad.clone()
    assert got.is_contiguous()
    layer.weight.grad = None
    low = layer.weight.bfloat16().float()  # rounded, with its gradient
    want_out = rounded(x) @ low.t() + rounded(x * 2) @ low.t()
    want_out.sin().sum().backward()
    assert_near(got, layer.weight.grad, 0.02)


@needs_bf16
def test_bf16_edge_scores_follow_the_fp32_edge_network() -> None:
    """The fused bf16 network against the plain one: scores and gradients within 1%."""
    gen = torch.Generator().manual_seed(3)
    h, n = 24, 5
    net = nn.Sequential(nn.Linear(2 * h, 4 * h), nn.ReLU(), nn.Linear(4 * h, 1))
    for p in net.parameters():
        p.data = torch.randn(p.shape, generator=gen) / 20
    # Hidden units far on (+3) or far off (-3): no ReLU input is near zero, where bf16 rounding
    # could flip its sign and change a gradient entry wholly; half the units pass no gradient.
    net[0].bias.data = torch.tensor([3.0, -3.0]).repeat(2 * h)
    earlier, new = edge_pairs(n)
    x_a = torch.randn(3, n - 1, h, generator=gen, requires_grad=True)
    x_b = torch.randn(3, len(earlier), h, generator=gen, requires_grad=True)
    weights = 1 + torch.rand(3, len(earlier), generator=gen)  # sums without cancellation

    def run(fused: bool) -> list[torch.Tensor]:
        for t in (x_a, x_b, *net.parameters()):
            t.grad = None
        if fused:
            scores = low_edge_scores(x_a, x_b, pair_matrix(earlier, n - 1), net)
        else:
            scores = net(torch.cat([x_a[:, earlier], x_b], -1)).squeeze(-1)
        (scores * weights).sum().backward()
        return [scores.detach(), x_a.grad, x_b.grad, *(p.grad for p in net.parameters())]

    got, want = run(fused=True), run(fused=False)
    assert got[0].dtype == torch.float32 and got[0].shape == (3, len(earlier))
    assert (got[4][1::2] == 0).all()  # the first layer's off units: no bias gradient
    for g, w in zip(got, want, strict=True):
        assert_near(g, w, 0.01)


@needs_bf16
def test_a_pass_frees_its_rounded_weights_without_the_garbage_collector() -> None:
    """No reference cycle through the gradient token: a step's rounded weights go with its
    graph (a cycle kept about 7 MB per training step alive until a full collection).
    """
    gen = torch.Generator().manual_seed(4)
    stack = layers(16, 4, gen)
    x = torch.randn(3, 16, generator=gen)
    gc.disable()
    try:
        mm = Products("bf16")
        f = mm.stacked([rows(stack)], 16)
        state = weakref.ref(f.state)
        f(x.unsqueeze(0), [1]).square().sum().backward()
        del mm, f
        assert state() is None
    finally:
        gc.enable()
