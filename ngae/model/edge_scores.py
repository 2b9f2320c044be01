"""The edge network ``w2 relu(W [h_u; h_new] + b1) + b2`` over all scored pairs, in bf16.

The decoder scores 28 pairs per graph: a ``(B, 28, 4H)`` hidden layer, the largest tensor of a
training step. In bf16 it stays bf16 from the first product to the output product (as under
autocast), so gathering, adding, the ReLU and their gradients move half the bytes of fp32, and
the whole network is one autograd node: the first layer's gradient is one ``(4H, 2H)`` tensor,
and the earlier vertices' gradient is gathered by one product with the pairs' 0/1 matrix
(sums in fp32) rather than a scatter. Scores and every parameter gradient come back as fp32.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

LOW = torch.bfloat16


def pair_matrix(earlier: Tensor, v: int) -> Tensor:
    """``(V, E)`` bf16 0/1: column ``e`` marks pair ``e``'s earlier vertex ``earlier[e]``."""
    pairs = torch.zeros(v, len(earlier), dtype=LOW, device=earlier.device)
    pairs[earlier, torch.arange(len(earlier), device=earlier.device)] = 1
    return pairs


def low_edge_scores(x_a: Tensor, x_b: Tensor, pairs: Tensor, net: nn.Sequential) -> Tensor:
    """Scores ``(B, E)`` of pairs ``(x_a[:, u_e], x_b[:, e])`` by ``net`` in bf16.

    ``x_a`` ``(B, V, H)`` are the earlier vertices' states, ``x_b`` ``(B, E, H)`` the new
    vertex's state at each pair, ``pairs`` the :func:`pair_matrix` of the pairs' earlier
    vertices ``u_e``, ``net`` is ``Linear(2H, 4H), ReLU, Linear(4H, 1)``.
    """
    first, last = net[0], net[2]
    return _LowEdgeScores.apply(
        x_a, x_b, pairs, first.weight, first.bias, last.weight, last.bias
    ).squeeze(-1)


class _LowEdgeScores(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x_a, x_b, pairs, w1, b1, w2, b2):  # noqa: D102
        k = x_a.shape[-1]
        w1_low, w2_low = w1.detach().to(LOW), w2.detach().to(LOW)
        xa, xb = x_a.to(LOW), x_b.to(LOW)
        pa = (xa @ w1_low[:, :k].t()).float().add_(b1.detach()).to(LOW)  # (B, V, 4H)
        # pb + pa[:, earlier], the gather done by the 0/1 matrix (exact: one term per sum)
        pre = (xb @ w1_low[:, k:].t()).baddbmm_(pairs.t().expand(len(xa), -1, -1), pa)
        hidden = pre.relu_()  # (B, E, 4H)
        scores = (hidden @ w2_low.t()).float().add_(b2.detach())  # (B, E, 1)
        ctx.save_for_backward(xa, xb, hidden, w1_low, w2_low, pairs)
        ctx.dtype = x_a.dtype
        return scores

    @staticmethod
    def backward(ctx, grad):  # noqa: D102
        xa, xb, hidden, w1_low, w2_low, pairs = ctx.saved_tensors
        k, dtype = xa.shape[-1], ctx.dtype
        g_low = grad.to(LOW)  # (B, E, 1)
        g_pre = torch.ops.aten.threshold_backward(g_low @ w2_low, hidden, 0)  # (B, E, 4H)
        g_pa = pairs @ g_pre  # (B, V, 4H): each earlier vertex's pairs summed in fp32
        grad_xa = (g_pa @ w1_low[:, :k]).to(dtype) if ctx.needs_input_grad[0] else None
        grad_xb = (g_pre @ w1_low[:, k:]).to(dtype) if ctx.needs_input_grad[1] else None
        grad_w1 = grad_b1 = grad_w2 = grad_b2 = None
        if ctx.needs_input_grad[3]:
            n = g_pre.shape[-1]
            grad_w1 = torch.empty(n, 2 * k, dtype=dtype, device=xa.device)
            grad_w1[:, :k] = g_pa.reshape(-1, n).t() @ xa.reshape(-1, k)
            grad_w1[:, k:] = g_pre.reshape(-1, n).t() @ xb.reshape(-1, k)
        if ctx.needs_input_grad[4]:
            grad_b1 = g_pa.sum((0, 1), dtype=dtype)
        if ctx.needs_input_grad[5]:
            grad_w2 = (g_low.reshape(1, -1) @ hidden.reshape(-1, hidden.shape[-1])).to(dtype)
        if ctx.needs_input_grad[6]:
            grad_b2 = grad.sum().reshape(1)
        return grad_xa, grad_xb, None, grad_w1, grad_b1, grad_w2, grad_b2
