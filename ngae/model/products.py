"""The matrix products of one forward pass at one precision (:mod:`ngae.model.precision`).

In ``bf16`` the two operands of each product are rounded to bf16, oneDNN (or a GPU's tensor
cores) sums in fp32, and each result is rounded to bf16 and converted back to fp32 at once.
A weight is rounded once per pass however often it is used, and its gradient is one product
over all its uses (:class:`_WeightToken`). ``fp32`` is plain autograd: the reference model.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn


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
        self._stacked: dict[tuple, _LowOneHotLayers] = {}

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

    def onehot_layers(self, layers: Sequence[nn.Linear], k: int) -> OneHotLayers:
        """Layers on ``[x; onehot(index)]`` (``x`` has ``k`` features), outputs side by side.

        In bf16 the layers are rounded once per pass and shared by every caller of the same
        layers (the encoder's and the decoder's forward messages), with one gradient product.
        """
        if self.precision == "fp32":
            return OneHotLayers(layers, k)
        key = tuple((layer.weight.data_ptr(), layer.weight._version) for layer in layers)
        entry = self._stacked.get(key)
        if entry is None:
            entry = self._stacked[key] = _LowOneHotLayers(layers, k)
        return entry

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


class OneHotLayers:
    """Linear layers on ``[x; onehot(index)]`` in fp32, their outputs side by side.

    The one-hot part of each product is a column lookup: ``W_x x + W[:, k + index] + b``.
    Built anew for each pass (it holds views of the layers' parameters, so gradients flow).
    """

    def __init__(self, layers: Sequence[nn.Linear], k: int) -> None:
        self.weight = torch.cat([layer.weight[:, :k] for layer in layers]).t()  # (k, R)
        index_part = torch.cat([layer.weight[:, k:] for layer in layers]).t()  # (N, R)
        self.index_bias = index_part + _stacked_bias(layers)  # row u: the bias for index u

    def __call__(self, x: Tensor, index: int) -> Tensor:
        """The layers' outputs ``(..., R)`` for inputs ``x`` ``(..., k)`` with one-hot ``index``."""
        return x @ self.weight + self.index_bias[index]


class _LowOneHotLayers:
    """:class:`OneHotLayers` in bf16: the layers rounded once, one gradient over all uses.

    The weights' gradient is ``[sum g^T x, per-index sums of g]`` in the layers' own layout
    (no slice of a parameter goes through autograd, so nothing is zero-filled and added up),
    and the index and bias parts are summed in fp32.
    """

    def __init__(self, layers: Sequence[nn.Linear], k: int) -> None:
        params = [p for layer in layers for p in (layer.weight, layer.bias) if p is not None]
        full = torch.cat([layer.weight.detach() for layer in layers])  # (R, k + N)
        self.k, self.rows = k, [layer.weight.shape[0] for layer in layers]
        self.has_bias = [layer.bias is not None for layer in layers]
        self.low = full[:, :k].to(torch.bfloat16)  # (R, k)
        self.index_bias = full[:, k:].t() + _stacked_bias(layers).detach()  # (N, R) fp32
        self.inputs: list[Tensor] = []
        self.grads: list[Tensor] = []
        self.index_sums: dict[int, Tensor] = {}
        needs_grad = torch.is_grad_enabled() and any(p.requires_grad for p in params)
        self.token = _OneHotToken.apply(self, *params) if needs_grad else None

    def __call__(self, x: Tensor, index: int) -> Tensor:
        """The layers' outputs ``(..., R)`` for inputs ``x`` ``(..., k)`` with one-hot ``index``."""
        return _OneHotUse.apply(x, self.token, self, index)


def _stacked_bias(layers: Sequence[nn.Linear]) -> Tensor:
    return torch.cat(
        [
            layer.weight.new_zeros(layer.weight.shape[0]) if layer.bias is None else layer.bias
            for layer in layers
        ]
    )


class _OneHotToken(torch.autograd.Function):
    """The stacked layers' parameters in every use (as :class:`_WeightToken` for one weight)."""

    @staticmethod
    def forward(ctx, stacked: _LowOneHotLayers, *params: Tensor) -> Tensor:  # noqa: D102
        ctx.stacked = stacked
        return params[0].new_zeros(())

    @staticmethod
    def backward(ctx, _: Tensor) -> tuple[Tensor | None, ...]:  # noqa: D102
        s = ctx.stacked
        count = len(s.rows) + sum(s.has_bias)
        if not s.inputs:
            return (None,) * (1 + count)
        x, g = torch.cat(s.inputs), torch.cat(s.grads)
        s.inputs.clear()
        s.grads.clear()
        r, n = g.shape[1], s.index_bias.shape[0]
        grad = x.new_zeros(r, s.k + n, dtype=torch.float32)
        grad[:, : s.k] = g.t() @ x
        for index, total in s.index_sums.items():
            grad[:, s.k + index] = total
        bias = torch.stack(list(s.index_sums.values())).sum(0)
        s.index_sums.clear()
        out: list[Tensor] = []
        for w_grad, b_grad, has_bias in zip(
            grad.split(s.rows), bias.split(s.rows), s.has_bias, strict=True
        ):
            out += [w_grad, b_grad] if has_bias else [w_grad]
        return None, *out


class _OneHotUse(torch.autograd.Function):
    """One use of :class:`_LowOneHotLayers`: bf16 operands, fp32 result and lookups."""

    @staticmethod
    def forward(  # noqa: D102
        ctx, x: Tensor, token: Tensor | None, stacked: _LowOneHotLayers, index: int
    ) -> Tensor:
        x_low = x.to(torch.bfloat16)
        ctx.save_for_backward(x_low)
        ctx.stacked, ctx.index = stacked, index
        return (x_low @ stacked.low.t()).to(x.dtype) + stacked.index_bias[index]

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, Tensor | None, None, None]:  # noqa: D102
        (x_low,) = ctx.saved_tensors
        s = ctx.stacked
        g_low = grad.to(torch.bfloat16)
        grad_x = (g_low @ s.low).to(grad.dtype) if ctx.needs_input_grad[0] else None
        grad_token = None
        if ctx.needs_input_grad[1]:
            s.inputs.append(x_low.reshape(-1, s.k))
            s.grads.append(g_low.reshape(-1, g_low.shape[-1]))
            total = grad.reshape(-1, grad.shape[-1]).sum(0)
            previous = s.index_sums.get(ctx.index)
            s.index_sums[ctx.index] = total if previous is None else previous + total
            grad_token = grad.new_zeros(())
        return grad_x, grad_token, None, None


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
        # A transposed view of a parameter (``layer.weight.t()``) gets its gradient in the
        # parameter's own layout, so autograd need not copy it across (1 ms per GRU weight).
        ctx.transposed = w.dim() == 2 and w.stride(0) == 1 and w.shape[1] > 1
        return w.new_zeros(())

    @staticmethod
    def backward(ctx, _: Tensor) -> tuple[Tensor | None, None]:  # noqa: D102
        shared = ctx.shared
        if not shared.inputs:
            return None, None
        x, g = torch.cat(shared.inputs), torch.cat(shared.grads)
        shared.inputs.clear()
        shared.grads.clear()
        grad = (g.t() @ x).t() if ctx.transposed else x.t() @ g
        return grad.to(ctx.dtype), None


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
