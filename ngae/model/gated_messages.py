"""D-VAE's gated messages ``sigmoid(W_g [h_u; id_u] + b) * (W_m [h_u; id_u])``.

``id_u`` is the one-hot index of the sending vertex, so its part of each product is a column
lookup. A message depends only on the sender's final state: it is computed once per vertex.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ngae.model.precision import FP32, Products


class MessageFn:
    """Gate and mapper weights fused into one matrix for the current forward pass.

    Built anew in each forward (it holds views of the module's parameters, so gradients flow).
    """

    def __init__(self, gate: nn.Linear, mapper: nn.Linear, hs: int, mm: Products = FP32) -> None:
        self.hs, self.mm = hs, mm
        self.weight = torch.cat([gate.weight[:, :hs], mapper.weight[:, :hs]], dim=0).t()  # (H, 2H)
        index_part = torch.cat([gate.weight[:, hs:], mapper.weight[:, hs:]], dim=0).t()  # (N, 2H)
        bias = torch.cat([gate.bias, torch.zeros_like(gate.bias)])
        self.index_bias = index_part + bias  # (N, 2H): row u is the bias for sender index u

    def __call__(self, h: Tensor, index: int) -> Tensor:
        """Message of senders with state ``h`` ``(..., H)`` at vertex ``index``."""
        gm = self.mm(h, self.weight) + self.index_bias[index]
        gate, mapped = gm.split(self.hs, dim=-1)
        return torch.sigmoid(gate) * mapped
