"""D-VAE's gated messages ``sigmoid(W_g [h_u; id_u] + b) * (W_m [h_u; id_u])``.

``id_u`` is the one-hot index of the sending vertex, so its part of each product is a column
lookup. A message depends only on the sender's final state: it is computed once per vertex.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from ngae.model.products import FP32, Products


class MessageFn:
    """Gate and mapper of one or more passes (the encoder's two directions) as one product.

    Built anew in each forward (it holds views of the module's parameters, so gradients flow).
    """

    def __init__(
        self, pairs: Sequence[tuple[nn.Linear, nn.Linear]], hs: int, mm: Products = FP32
    ) -> None:
        self.hs = hs
        stacks = [[(g.weight, g.bias), (m.weight, m.bias)] for g, m in pairs]
        self.layers = mm.stacked(stacks, hs)

    def __call__(self, h: Tensor, index: int | Sequence[int]) -> Tensor:
        """Messages of senders with states ``h`` at vertex ``index``.

        With one pass, ``h`` is ``(..., H)`` and ``index`` an int; with ``D`` passes, ``h`` is
        ``(D, ..., H)`` and ``index`` one vertex index per pass.
        """
        if isinstance(index, int):
            return self(h.unsqueeze(0), [index]).squeeze(0)
        gate, mapped = self.layers(h, index).split(self.hs, dim=-1)
        return torch.sigmoid(gate) * mapped
