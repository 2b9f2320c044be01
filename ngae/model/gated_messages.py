"""D-VAE's gated messages ``sigmoid(W_g [h_u; id_u] + b) * (W_m [h_u; id_u])``.

``id_u`` is the one-hot index of the sending vertex, so its part of each product is a column
lookup. A message depends only on the sender's final state: it is computed once per vertex.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ngae.model.products import FP32, Products


class MessageFn:
    """Gate and mapper as one stacked layer for the current forward pass.

    Built anew in each forward (it holds views of the module's parameters, so gradients flow).
    """

    def __init__(self, gate: nn.Linear, mapper: nn.Linear, hs: int, mm: Products = FP32) -> None:
        self.hs = hs
        self.layers = mm.onehot_layers([gate, mapper], hs)

    def __call__(self, h: Tensor, index: int) -> Tensor:
        """Message of senders with state ``h`` ``(..., H)`` at vertex ``index``."""
        gate, mapped = self.layers(h, index).split(self.hs, dim=-1)
        return torch.sigmoid(gate) * mapped
