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
        self._stacked: dict[tuple, _LowStackedLayers] = {}

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

    def stacked(self, stacks: Sequence[Sequence[Rows]], k: int) -> StackedLayers:
        """``D`` independent layers on ``[x; onehot(index)]`` (``x`` has ``k`` features).

        ``stacks[d]`` lists row blocks ``(weight, bias or None)``, each ``weight`` ``(R_i, k +
        N)`` in ``nn.Linear`` layout; the blocks' outputs come side by side. The ``D`` layers run
        as one batched product (the encoder's two directions). In bf16 the weights are rounded
        once per pass and shared by every caller of the same stacks, with one gradient product.
        """
        if self.precision == "fp32":
            return StackedLayers(stacks, k)
        key = (k, *((w.data_ptr(), w._version) for blocks in stacks for w, _ in blocks))
        entry = self._stacked.get(key)
        if entry is None:
            entry = self._stacked[key] = _LowStackedLayers(stacks, k)
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


Rows = tuple[Tensor, Tensor | None]  # a row block of a layer: its weight and bias (or None)


class StackedLayers:
    """``D`` stacked layers on ``[x; onehot(index)]`` in fp32 (:meth:`Products.stacked`).

    The one-hot part of each product is a column lookup: ``W_x x + W[:, k + index] + b``.
    Built anew for each pass (it holds views of the parameters, so gradients flow).
    """

    def __init__(self, stacks: Sequence[Sequence[Rows]], k: int) -> None:
        full = torch.stack([torch.cat([w for w, _ in blocks]) for blocks in stacks])  # (D, R, k+N)
        self.weight = full[..., :k].transpose(1, 2)  # (D, k, R)
        self.index_part = full[..., k:].transpose(1, 2)  # (D, N, R)
        self.bias = _stacked_bias(stacks)  # (D, R) or None

    def __call__(self, x: Tensor, index: Sequence[int] | None = None) -> Tensor:
        """Outputs ``(D, ..., R)`` for inputs ``x`` ``(D, ..., k)``, one index per layer."""
        return _add_offsets(_batched(x, self.weight), self.index_part, self.bias, index)


class _LowStackedLayers:
    """:class:`StackedLayers` in bf16: rounded once, one gradient product over all uses.

    The gradient of each layer is ``[sum g^T x, per-index sums of g]`` in the parameters' own
    layout (no slice of a parameter goes through autograd, so nothing is zero-filled and added
    up); the index and bias parts are summed in fp32.
    """

    def __init__(self, stacks: Sequence[Sequence[Rows]], k: int) -> None:
        self.state = _StackState(stacks, k)
        params = [t for blocks in stacks for w, b in blocks for t in (w, b) if t is not None]
        needs_grad = torch.is_grad_enabled() and any(p.requires_grad for p in params)
        # The token's node holds the state, not this object: no reference cycle (which would
        # keep each step's rounded weights alive until a full garbage collection).
        self.token = _StackToken.apply(self.state, *params) if needs_grad else None

    def __call__(self, x: Tensor, index: Sequence[int] | None = None) -> Tensor:
        """Outputs ``(D, ..., R)`` for inputs ``x`` ``(D, ..., k)``, one index per layer."""
        return _StackUse.apply(x, self.token, self.state, None if index is None else tuple(index))


class _StackState:
    """The rounded stacked weights of one pass and the sums their uses' backward add up."""

    def __init__(self, stacks: Sequence[Sequence[Rows]], k: int) -> None:
        first = stacks[0][0][0]
        self.k, self.rows = k, [w.shape[0] for w, _ in stacks[0]]
        self.has_bias = [[b is not None for _, b in blocks] for blocks in stacks]
        r, n = sum(self.rows), first.shape[1] - k
        self.low = first.new_empty((len(stacks), r, k), dtype=torch.bfloat16)
        self.index_part = first.new_empty((len(stacks), n, r))  # (D, N, R) fp32
        for d, blocks in enumerate(stacks):
            full = torch.cat([w.detach() for w, _ in blocks])
            self.low[d].copy_(full[:, :k])
            self.index_part[d] = full[:, k:].t()
        bias = _stacked_bias(stacks)
        self.bias = None if bias is None else bias.detach()
        self.inputs: list[Tensor] = []
        self.grads: list[Tensor] = []
        self.index_grads = self.index_part.new_zeros(self.index_part.shape)
        self.bias_grads = self.low.new_zeros((len(stacks), r), dtype=torch.float32)


def _batched(x: Tensor, weight: Tensor) -> Tensor:
    """``x[d] @ weight[d]`` for ``x`` ``(D, ..., K)`` and ``weight`` ``(D, K, R)``."""
    d, k = x.shape[0], x.shape[-1]
    return torch.bmm(x.reshape(d, -1, k), weight).reshape(*x.shape[:-1], weight.shape[-1])


def _rows_product(x_low: Tensor, rows: Tensor, dtype: torch.dtype) -> Tensor:
    """``x @ rows^T`` as ``dtype``, computed as ``(rows x^T)^T``.

    ``x`` is bf16 ``(..., K)`` with ``rows`` ``(N, K)``, or ``(D, ..., K)`` with ``(D, N, K)``.
    oneDNN's bf16 kernels run these thin products (32 rows) 20-40% faster this way round than
    with a transposed right operand; the conversion to ``dtype`` makes the result contiguous.
    """
    if rows.dim() == 2:
        flat = x_low.reshape(-1, x_low.shape[-1])
        out = (rows @ flat.t()).t()
    else:
        flat = x_low.reshape(len(x_low), -1, x_low.shape[-1])
        out = torch.bmm(rows, flat.transpose(1, 2)).transpose(1, 2)
    out = out.to(dtype, memory_format=torch.contiguous_format)
    return out.reshape(*x_low.shape[:-1], rows.shape[-2])


def _add_offsets(
    out: Tensor, index_part: Tensor, bias: Tensor | None, index: Sequence[int] | None
) -> Tensor:
    """``out`` ``(D, ..., R)`` plus each layer's index rows and bias, where there are any.

    Layer ``d`` adds row ``index[d]`` of ``index_part[d]`` (``(D, N, R)``). Python-int
    selections: no index tensor is copied from the host (CUDA-graph capture).
    """
    rows = bias
    if index is not None:
        picked = torch.stack([index_part[d, i] for d, i in enumerate(index)])
        rows = picked if rows is None else picked + rows
    if rows is None:
        return out
    return out + rows.reshape(len(rows), *[1] * (out.dim() - 2), -1)


def _stacked_bias(stacks: Sequence[Sequence[Rows]]) -> Tensor | None:
    """``(D, R)``: each layer's biases side by side (zeros for blocks without), or None."""
    if all(b is None for blocks in stacks for _, b in blocks):
        return None
    return torch.stack(
        [
            torch.cat([w.new_zeros(w.shape[0]) if b is None else b for w, b in blocks])
            for blocks in stacks
        ]
    )


class _StackToken(torch.autograd.Function):
    """The stacked layers' parameters in every use (as :class:`_WeightToken` for one weight)."""

    @staticmethod
    def forward(ctx, stacked: _StackState, *params: Tensor) -> Tensor:  # noqa: D102
        ctx.stacked, ctx.count = stacked, len(params)
        return params[0].new_zeros(())

    @staticmethod
    def backward(ctx, _: Tensor) -> tuple[Tensor | None, ...]:  # noqa: D102
        s = ctx.stacked
        if not s.inputs:
            return (None,) * (1 + ctx.count)
        x, g = torch.cat(s.inputs, dim=1), torch.cat(s.grads, dim=1)  # (D, M, k), (D, M, R)
        s.inputs.clear()
        s.grads.clear()
        d, n, r = s.index_part.shape
        grad = x.new_empty((d, r, s.k + n), dtype=torch.float32)
        grad[..., : s.k] = torch.bmm(g.transpose(1, 2), x)
        grad[..., s.k :] = s.index_grads.transpose(1, 2)
        bias = s.bias_grads
        out: list[Tensor] = []
        for layer, flags in enumerate(s.has_bias):
            blocks = zip(grad[layer].split(s.rows), bias[layer].split(s.rows), flags, strict=True)
            for w_grad, b_grad, has_bias in blocks:
                out += [w_grad, b_grad] if has_bias else [w_grad]
        return None, *out


class _StackUse(torch.autograd.Function):
    """One use of stacked bf16 layers (:class:`_StackState`): bf16 operands, fp32 results."""

    @staticmethod
    def forward(ctx, x, token, stacked: _StackState, index):  # noqa: D102
        x_low = x.to(torch.bfloat16)
        ctx.save_for_backward(x_low)
        ctx.stacked, ctx.index = stacked, index
        out = _rows_product(x_low, stacked.low, x.dtype)
        return _add_offsets(out, stacked.index_part, stacked.bias, index)

    @staticmethod
    def backward(ctx, grad: Tensor):  # noqa: D102
        (x_low,) = ctx.saved_tensors
        s = ctx.stacked
        g_low = grad.to(torch.bfloat16)
        grad_x = _batched(g_low, s.low).to(grad.dtype) if ctx.needs_input_grad[0] else None
        grad_token = None
        if ctx.needs_input_grad[1]:
            d = len(x_low)
            s.inputs.append(x_low.reshape(d, -1, s.k))
            s.grads.append(g_low.reshape(d, -1, g_low.shape[-1]))
            if ctx.index is not None or s.bias is not None:
                sums = grad.reshape(d, -1, grad.shape[-1]).sum(1)  # (D, R) in fp32
                s.bias_grads += sums
                for layer, i in enumerate(ctx.index or ()):
                    s.index_grads[layer, i] += sums[layer]
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
        w = shared.low
        if w.dim() == 2 and w.stride(0) == 1:  # a transposed view: its rows are contiguous
            return _rows_product(x_low, w.t(), x.dtype)
        return (x_low @ w).to(x.dtype)

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
