"""The precision policy: bf16 matrix products in the encoder and decoder where fast, else fp32.

``fp32`` is the reference model. ``bf16`` rounds the two operands of each large matrix product of
the encoder and decoder to bf16 and accumulates in fp32 (oneDNN on the CPU, tensor cores on a
GPU); each result is rounded to bf16 (as under autocast) and converted back to fp32 at once, so
the GRU gates, the heads, the losses, the KL term, the weight gradients' sums and Adam all stay
fp32. ``auto`` picks bf16 only where a quick measurement shows bf16 products clearly faster
(CPUs without native bf16 run them at a tenth of fp32 speed, and the CPU capability string does
not tell the two kinds apart).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from ngae.errors import UserInputError

PRECISIONS = ("auto", "fp32", "bf16")
MIN_SPEEDUP = 1.5  # bf16 products must be at least this much faster than fp32 for auto to pick them
PROBE_SHAPE = (32, 512, 1536)  # the decoder's GRU hidden projection at batch 32 (M, K, N)


@dataclass(frozen=True)
class PrecisionChoice:
    """What a run computes in (``fp32`` or ``bf16``) and why (a sentence for the log)."""

    name: str
    reason: str


def choose_precision(
    requested: str, device: torch.device, speedup: Callable[[torch.device], float] | None = None
) -> PrecisionChoice:
    """Resolve ``auto|fp32|bf16`` for ``device``.

    ``auto`` measures bf16 against fp32 products (``speedup``, by default :func:`bf16_speedup`)
    and takes bf16 when it is at least :data:`MIN_SPEEDUP` times faster. An explicit ``bf16``
    where the device has no bf16 products at all is an error.
    """
    if requested not in PRECISIONS:
        raise UserInputError(f"precision must be one of {', '.join(PRECISIONS)}, got {requested!r}")
    if requested == "fp32":
        return PrecisionChoice("fp32", "fp32 as asked")
    if not bf16_available(device):
        if requested == "bf16":
            raise UserInputError(f"precision bf16: this {device.type} has no bf16 matrix products")
        return PrecisionChoice("fp32", f"fp32: this {device.type} has no bf16 matrix products")
    if requested == "bf16":
        return PrecisionChoice("bf16", "bf16 matrix products as asked")
    ratio = (speedup or bf16_speedup)(device)
    if ratio >= MIN_SPEEDUP:
        return PrecisionChoice("bf16", f"bf16: its matrix products run {ratio:.1f}x fp32 here")
    return PrecisionChoice(
        "fp32", f"fp32: bf16 matrix products run only {ratio:.1f}x fp32 here (need {MIN_SPEEDUP}x)"
    )


def bf16_available(device: torch.device) -> bool:
    """Whether ``device`` has bf16 matrix products (native or not)."""
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    return device.type == "cpu" and torch.ops.mkldnn._is_mkldnn_bf16_supported()


@functools.cache
def bf16_speedup(device: torch.device) -> float:
    """fp32 time over bf16 time of the model's typical product on ``device`` (about 50 ms)."""
    m, k, n = PROBE_SHAPE
    gen = torch.Generator(device=device).manual_seed(0)
    a = torch.randn(m, k, device=device, generator=gen)
    b = torch.randn(k, n, device=device, generator=gen)
    return _best_time(a, b) / _best_time(a.bfloat16(), b.bfloat16())


def _best_time(a: Tensor, b: Tensor, repeats: int = 5, inner: int = 8) -> float:
    a @ b  # warm-up: first calls pick kernels and allocate
    best = float("inf")
    for _ in range(repeats):
        if a.is_cuda:
            torch.cuda.synchronize()
        start = time.perf_counter()
        for _ in range(inner):
            a @ b
        if a.is_cuda:
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - start)
    return best


class Products:
    """The matrix products of one forward pass, at one precision.

    ``products(x, w)`` is ``x @ w`` for ``x`` ``(..., K)`` and a 2-D ``w`` ``(K, N)``. In bf16
    each weight is rounded once per forward pass (a weight used by all eight vertices is cast
    once, not eight times), results come back as fp32 tensors, and a weight's gradient is one
    product over all its uses, made once they have all run backward (:class:`_WeightToken`): 22 uses
    of a GRU weight at batch 32 give one ``704 x 501 x 1503`` product instead of 22 thin ones,
    22 conversions and 22 accumulations.
    """

    def __init__(self, precision: str = "fp32") -> None:
        if precision not in ("fp32", "bf16"):
            raise ValueError(f"a resolved precision is fp32 or bf16, got {precision!r}")
        self.precision = precision
        # key -> (the weight itself, so no other tensor can take its memory, and its state)
        self._shared: dict[tuple, tuple[Tensor, _SharedWeight, Tensor | None]] = {}

    def __call__(self, x: Tensor, w: Tensor) -> Tensor:
        """``x @ w`` at this precision."""
        if self.precision == "fp32":
            return x @ w
        _, shared, token = self._share(w)
        return _UseProduct.apply(x, token, shared)

    def halves(self, x_a: Tensor, x_b: Tensor, weight: Tensor) -> tuple[Tensor, Tensor]:
        """``(x_a @ W_a.T, x_b @ W_b.T)`` for a layer weight ``[W_a, W_b]`` split by columns.

        The split layer's gradient comes back as one tensor: autograd through two column
        slices would zero-fill the whole weight twice per step (4 ms for the edge network).
        """
        # One use per pass: its own rounding, no gradient token (it returns its own gradient).
        low = None if self.precision == "fp32" else weight.detach().to(torch.bfloat16)
        return _HalvesProduct.apply(x_a, x_b, weight, low)

    def linear(self, layer: nn.Linear, x: Tensor) -> Tensor:
        """``layer(x)`` with its product at this precision."""
        out = self(x, layer.weight.t())
        return out if layer.bias is None else out + layer.bias

    def _share(self, w: Tensor) -> tuple[Tensor, _SharedWeight, Tensor | None]:
        key = (w.data_ptr(), tuple(w.shape), w.stride(), w._version)
        entry = self._shared.get(key)
        if entry is None:
            shared = _SharedWeight(w.detach().to(torch.bfloat16))
            needs_grad = w.requires_grad and torch.is_grad_enabled()
            token = _WeightToken.apply(w, shared) if needs_grad else None
            entry = self._shared[key] = (w, shared, token)
        return entry


FP32 = Products("fp32")


class _SharedWeight:
    """A weight rounded to bf16, and the ``(input, output gradient)`` pairs of its uses so far."""

    def __init__(self, low: Tensor) -> None:
        self.low = low
        self.inputs: list[Tensor] = []
        self.grads: list[Tensor] = []


class _WeightToken(torch.autograd.Function):
    """A 0-d tensor standing for a weight in every use of it.

    Autograd runs this node's backward only after every use that reached the loss has run its
    own: then the weight's whole gradient is one product, in fp32.
    """

    @staticmethod
    def forward(ctx, w: Tensor, shared: _SharedWeight) -> Tensor:  # noqa: D102
        ctx.shared, ctx.dtype = shared, w.dtype
        return w.new_zeros(())

    @staticmethod
    def backward(ctx, _: Tensor) -> tuple[Tensor | None, None]:  # noqa: D102
        shared = ctx.shared
        if not shared.inputs:
            return None, None
        x, g = torch.cat(shared.inputs), torch.cat(shared.grads)
        shared.inputs.clear()
        shared.grads.clear()
        return (x.t() @ g).to(ctx.dtype), None


class _UseProduct(torch.autograd.Function):
    """``x @ w`` with bf16 operands, returned as fp32; ``w``'s gradient is left to its token."""

    @staticmethod
    def forward(ctx, x: Tensor, token: Tensor | None, shared: _SharedWeight) -> Tensor:  # noqa: D102
        x_low = x.to(torch.bfloat16)
        ctx.save_for_backward(x_low)
        ctx.shared = shared
        return (x_low @ shared.low).to(x.dtype)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, Tensor | None, None]:  # noqa: D102
        (x_low,) = ctx.saved_tensors
        shared = ctx.shared
        g_low = grad.to(torch.bfloat16)
        grad_x = (g_low @ shared.low.t()).to(grad.dtype) if ctx.needs_input_grad[0] else None
        grad_token = None
        if ctx.needs_input_grad[1]:
            shared.inputs.append(x_low.reshape(-1, x_low.shape[-1]))
            shared.grads.append(g_low.reshape(-1, g_low.shape[-1]))
            grad_token = grad.new_zeros(())
        return grad_x, grad_token, None


class _HalvesProduct(torch.autograd.Function):
    """Both halves of a column-split layer's product, one gradient for the whole weight.

    ``low`` is the weight rounded to bf16 (operands then bf16, results fp32) or ``None`` (fp32).
    """

    @staticmethod
    def forward(ctx, x_a: Tensor, x_b: Tensor, weight: Tensor, low: Tensor | None):  # noqa: D102
        w = weight if low is None else low
        xa, xb = x_a.to(w.dtype), x_b.to(w.dtype)
        ctx.save_for_backward(xa, xb, w)
        k = x_a.shape[-1]
        out_a = (xa @ w[:, :k].t()).to(x_a.dtype)
        out_b = (xb @ w[:, k:].t()).to(x_b.dtype)
        return out_a, out_b

    @staticmethod
    def backward(ctx, grad_a: Tensor, grad_b: Tensor):  # noqa: D102
        xa, xb, w = ctx.saved_tensors
        k = xa.shape[-1]
        ga, gb = grad_a.to(w.dtype), grad_b.to(w.dtype)
        grad_xa = (ga @ w[:, :k]).to(grad_a.dtype) if ctx.needs_input_grad[0] else None
        grad_xb = (gb @ w[:, k:]).to(grad_b.dtype) if ctx.needs_input_grad[1] else None
        grad_w = None
        if ctx.needs_input_grad[2]:
            n = w.shape[0]
            grad_w = torch.cat(
                [
                    ga.reshape(-1, n).t() @ xa.reshape(-1, k),
                    gb.reshape(-1, n).t() @ xb.reshape(-1, xb.shape[-1]),
                ],
                dim=1,
            ).to(grad_a.dtype)
        return grad_xa, grad_xb, grad_w, None
