"""Accuracy heads fitted on the fly to the objects a closed-loop search has queried."""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from ngae.model.vae import _head


class AccuracyHeads(nn.Module):
    """``count`` accuracy heads of the model's shape; predicts their mean plus ``kappa`` std."""

    def __init__(self, nz: int, hs: int, count: int = 1, kappa: float = 0.0) -> None:
        super().__init__()
        with torch.device("meta"):  # no draw from the global generator: fit() initialises
            heads = [_head(nz, hs) for _ in range(count)]
        self.heads = nn.ModuleList(h.to_empty(device="cpu") for h in heads)
        self.kappa = kappa
        gen = torch.Generator().manual_seed(0)
        for layer in self.modules():
            if isinstance(layer, nn.Linear):
                _reset(layer, gen)
        self.requires_grad_(False)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """``(B, 1)``: the optimistic prediction the ascent climbs and the round ranks by."""
        out = torch.cat([h(z) for h in self.heads], -1)  # (B, K)
        if self.kappa == 0 or len(self.heads) == 1:
            return out.mean(-1, keepdim=True)
        return (out.mean(-1) + self.kappa * out.std(-1, correction=0)).unsqueeze(-1)

    def fit(self, x: torch.Tensor, y: np.ndarray, seed: int, steps: int = 300) -> None:
        """Refit every head from scratch on codes ``x`` ``(n, nz)`` and scores ``y`` ``(n,)``.

        Full-batch Adam (lr 0.01, weight decay 1e-4); several heads each see a bootstrap
        sample. Initialised as ``nn.Linear`` is, from a generator seeded with ``seed`` (the
        same draws as ``torch.manual_seed(seed)`` then ``reset_parameters``).
        """
        gen = torch.Generator().manual_seed(seed)
        span = max(float(y.max() - y.min()), 1e-9)
        target = torch.as_tensor(0.1 + 0.8 * (y - y.min()) / span, dtype=torch.float32)
        with torch.enable_grad():
            self.requires_grad_(True)
            for head in self.heads:
                for layer in head:
                    if isinstance(layer, nn.Linear):
                        _reset(layer, gen)
                many = len(self.heads) > 1
                pick = (
                    torch.randint(len(x), (len(x),), generator=gen)
                    if many
                    else torch.arange(len(x))
                )
                opt = torch.optim.Adam(head.parameters(), lr=1e-2, weight_decay=1e-4)
                for _ in range(steps):
                    opt.zero_grad()
                    torch.mean((head(x[pick]).squeeze(-1) - target[pick]) ** 2).backward()
                    opt.step()
            self.requires_grad_(False)


@torch.no_grad()
def _reset(layer: nn.Linear, gen: torch.Generator) -> None:
    """``nn.Linear.reset_parameters`` drawing from ``gen``."""
    nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=gen)
    bound = 1 / math.sqrt(layer.in_features) if layer.in_features > 0 else 0
    nn.init.uniform_(layer.bias, -bound, bound, generator=gen)
