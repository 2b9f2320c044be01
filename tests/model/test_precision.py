"""The precision policy: the auto decision, bf16 products and gradients, the model in bf16."""

from __future__ import annotations

import pytest
import torch
from bf16_checks import assert_near, needs_bf16, rounded

from ngae.config import ModelConfig
from ngae.errors import UserInputError
from ngae.model import decoder as decoder_module
from ngae.model import precision
from ngae.model.graph_tensors import to_tensors, with_data_scale
from ngae.model.precision import choose_precision
from ngae.model.products import Products
from ngae.model.vae import NGAE
from ngae.spaces.registry import load_dataset

CPU = torch.device("cpu")


def test_explicit_choices_and_bad_names() -> None:
    assert choose_precision("fp32", CPU).name == "fp32"
    with pytest.raises(UserInputError, match="auto, fp32, bf16"):
        choose_precision("fp16", CPU)


def test_auto_follows_the_measured_speedup(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(precision, "bf16_available", lambda device: True)
    fast = choose_precision("auto", CPU, speedup=lambda device: 3.7)
    assert fast.name == "bf16" and "3.7x" in fast.reason
    slow = choose_precision("auto", CPU, speedup=lambda device: 0.1)
    assert slow.name == "fp32" and "0.1x" in slow.reason
    edge = choose_precision("auto", CPU, speedup=lambda device: precision.MIN_SPEEDUP)
    assert edge.name == "bf16"
    assert choose_precision("bf16", CPU, speedup=lambda device: 0.1).name == "bf16"  # as asked


def test_no_bf16_at_all(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(precision, "bf16_available", lambda device: False)
    assert choose_precision("auto", CPU, speedup=lambda device: 9.0).name == "fp32"
    with pytest.raises(UserInputError, match="no bf16 matrix products"):
        choose_precision("bf16", CPU)


@needs_bf16
def test_speedup_is_a_positive_ratio() -> None:
    assert precision.bf16_speedup(CPU) > 0


@needs_bf16
def test_bf16_product_rounds_operands_and_result_and_returns_fp32() -> None:
    gen = torch.Generator().manual_seed(0)
    x, w = torch.randn(5, 3, 16, generator=gen), torch.randn(16, 24, generator=gen)
    out = Products("bf16")(x, w)
    assert out.dtype == torch.float32
    want = rounded(rounded(x) @ rounded(w))  # bf16 operands, fp32 sums, a bf16 result
    torch.testing.assert_close(out, want, rtol=2**-7, atol=1e-6)  # one bf16 step at most
    assert (out == want).float().mean() > 0.9
    assert not torch.equal(out, x @ w)


@needs_bf16
def test_one_weight_gradient_over_all_uses_equals_the_sum_of_per_use_gradients() -> None:
    """Known answer: dW = sum_i x_i^T g_i over the uses, in bf16 operands (g_i: each use's
    output gradient, caught by a hook), made once after every use has run backward and
    rounded once.
    """
    gen = torch.Generator().manual_seed(1)
    w = torch.randn(16, 8, generator=gen, requires_grad=True)
    xs = [torch.randn(4, 16, generator=gen, requires_grad=True) for _ in range(3)]
    mm = Products("bf16")
    seen: list[torch.Tensor] = []
    h = torch.zeros(4, 8)
    for x in xs:  # three uses of one weight, chained as a recurrent network's steps are
        out = mm(x, w)
        out.register_hook(seen.append)
        h = torch.tanh(out + h)
    h.square().sum().backward()
    grads = seen[::-1]  # hooks fire in backward order: last use first
    want_w = sum(rounded(x.detach()).t() @ rounded(g) for x, g in zip(xs, grads, strict=True))
    torch.testing.assert_close(w.grad, rounded(want_w), rtol=2**-7, atol=1e-6)  # one rounding
    for x, g in zip(xs, grads, strict=True):
        want_x = rounded(rounded(g) @ rounded(w.detach()).t())
        torch.testing.assert_close(x.grad, want_x, rtol=2**-7, atol=1e-6)


@pytest.mark.parametrize("mode", ["fp32", pytest.param("bf16", marks=needs_bf16)])
def test_halves_equal_the_column_slices_and_one_gradient(mode: str) -> None:
    gen = torch.Generator().manual_seed(2)
    weight = torch.randn(12, 10, generator=gen, requires_grad=True)
    x_a = torch.randn(3, 4, 5, generator=gen, requires_grad=True)
    x_b = torch.randn(7, 5, generator=gen, requires_grad=True)
    a, b = Products(mode).halves(x_a, x_b, weight)
    (a.sin().sum() + b.cos().sum()).backward()
    got = weight.grad.clone(), x_a.grad.clone(), x_b.grad.clone()
    for t in (weight, x_a, x_b):
        t.grad = None
    cast = rounded if mode == "bf16" else (lambda t: t)
    want_a = cast(x_a) @ cast(weight)[:, :5].t()
    want_b = cast(x_b) @ cast(weight)[:, 5:].t()
    share = 0.01 if mode == "bf16" else 1e-6
    assert_near(a, want_a, share)
    assert_near(b, want_b, share)
    (want_a.sin().sum() + want_b.cos().sum()).backward()
    for g, t in zip(got, (weight, x_a, x_b), strict=True):
        assert_near(g, t.grad, share)


@pytest.fixture(scope="module")
def small_model_and_batch():
    data = load_dataset()
    torch.manual_seed(0)
    model = NGAE(with_data_scale(ModelConfig(hs=48, nz=8), data))
    batch = to_tensors(data.subset(range(48)), model.cfg, CPU).batch(torch.arange(48))
    return model, batch


def loss_and_grads(model: NGAE, batch, mode: str) -> tuple[float, torch.Tensor]:
    model.precision = mode
    model.zero_grad()
    torch.manual_seed(5)  # the same reparameterisation noise
    loss = model(*batch)["loss"]
    loss.backward()
    model.precision = "fp32"
    flat = torch.cat([p.grad.flatten() for p in model.parameters()])
    return float(loss.detach()), flat


def test_every_partial_state_projected_gives_the_selected_rows(
    small_model_and_batch, monkeypatch: pytest.MonkeyPatch
) -> None:
    """fp32 on the CPU projects each distinct partial state; the dense path (bf16, CUDA) all."""
    model, batch = small_model_and_batch
    selected = loss_and_grads(model, batch, "fp32")
    real_halves = Products.halves
    calls = []

    def dense_halves(self, x_a, x_b, weight):
        calls.append(x_b.shape)
        return real_halves(self, x_a, x_b, weight)

    monkeypatch.setattr(Products, "halves", dense_halves)
    monkeypatch.setattr(decoder_module, "_all_rows", lambda mm, partial: True)
    dense = loss_and_grads(model, batch, "fp32")
    assert calls and len(calls[0]) == 3  # (B, E, H): every row
    assert dense[0] == pytest.approx(selected[0], rel=1e-6)
    torch.testing.assert_close(dense[1], selected[1], rtol=1e-4, atol=1e-5)


@needs_bf16
def test_bf16_loss_and_gradient_follow_fp32(small_model_and_batch) -> None:
    model, batch = small_model_and_batch
    loss32, grad32 = loss_and_grads(model, batch, "fp32")
    loss16, grad16 = loss_and_grads(model, batch, "bf16")
    assert loss16 == pytest.approx(loss32, rel=0.01)
    cosine = torch.nn.functional.cosine_similarity(grad16, grad32, dim=0)
    assert cosine > 0.999
    assert model.precision == "fp32"


@needs_bf16
def test_products_outside_autograd_and_frozen_weights() -> None:
    w = torch.randn(6, 4, requires_grad=True)
    x = torch.randn(2, 6)
    with torch.no_grad():
        out = Products("bf16")(x, w)
    assert not out.requires_grad
    frozen = torch.randn(6, 4)
    x = torch.randn(2, 6, requires_grad=True)
    Products("bf16")(x, frozen).sum().backward()
    assert_near(x.grad, rounded(frozen).sum(1).expand(2, 6), 0.01)
