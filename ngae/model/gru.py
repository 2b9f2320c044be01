"""A GRU cell split into its linear parts, so projections can be shared and summed.

``torch.nn.GRUCell`` computes (gate order r, z, n)::

    r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
    z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
    h' = (1 - z) * n + z * h

The hidden input enters only through ``W_h h`` and ``z * h``. When ``h`` is a sum of messages,
``W_h h`` is the sum of the projected messages, so each message is projected once and partial
sums are taken in the projected space (README, "The model"). With a one-hot
input, ``W_i x`` is a column lookup.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ngae.model.products import FP32, Products


def input_gates(cell: nn.GRUCell, types: Tensor) -> Tensor:
    """``W_i onehot(types) + b_i`` for integer ``types`` of any shape -> ``(*types.shape, 3H)``."""
    return cell.weight_ih.t()[types] + cell.bias_ih


def hidden_projection(cell: nn.GRUCell, h: Tensor, mm: Products = FP32) -> Tensor:
    """``W_h h`` without bias, ``(..., H) -> (..., 3H)``."""
    return mm(h, cell.weight_hh.t())


def gru_combine(cell: nn.GRUCell, gi: Tensor, gh_nobias: Tensor, h: Tensor) -> Tensor:
    """Finish a GRU step from input gates ``gi``, projected hidden ``W_h h`` and hidden ``h``."""
    return gate_math(gi, gh_nobias, h, cell.bias_hh)


def gate_math(gi: Tensor, gh_nobias: Tensor, h: Tensor, bias_hh: Tensor) -> Tensor:
    """:func:`gru_combine` with the hidden bias given (stacked cells pass one per cell)."""
    gh = gh_nobias + bias_hh
    i_r, i_z, i_n = gi.chunk(3, dim=-1)
    h_r, h_z, h_n = gh.chunk(3, dim=-1)
    r = torch.sigmoid(i_r + h_r)
    z = torch.sigmoid(i_z + h_z)
    n = torch.tanh(i_n + r * h_n)
    return n + z * (h - n)


def gru_step(cell: nn.GRUCell, types: Tensor, h: Tensor, mm: Products = FP32) -> Tensor:
    """One GRU step with one-hot input ``types`` ``(B,)`` and hidden ``h`` ``(B, H)``."""
    return gru_combine(cell, input_gates(cell, types), hidden_projection(cell, h, mm), h)
