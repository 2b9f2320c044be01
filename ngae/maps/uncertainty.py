"""How far to trust the accuracy head at any latent point: an ensemble of refitted heads.

``K`` copies of the accuracy head's architecture (Linear-Tanh-Linear-Sigmoid on the latent
mean) are fitted on bootstrap resamples of the training codes, each from its own random start;
where they disagree (the standard deviation of their predictions) the predictor is
extrapolating, and gradient search there follows a guess. Near the training codes they agree.
The heads are small: their weights are kept as plain arrays (``as_arrays`` / ``from_arrays``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

ENSEMBLE, EPOCHS, BATCH, LR = 5, 40, 256, 3e-3


@dataclass(frozen=True)
class HeadEnsemble:
    """Stacked weights of ``K`` heads; predictions in the head's units (normalised accuracy).

    ``w1`` ``(K, nz, H)``, ``b1`` ``(K, H)``, ``w2`` ``(K, H)``, ``b2`` ``(K,)``.
    """

    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray

    def predict(self, z: np.ndarray) -> np.ndarray:
        """``(K, M)`` predictions of every head at latent points ``(M, nz)``."""
        h = np.tanh(np.einsum("mn,knh->kmh", np.asarray(z, np.float64), self.w1) + self.b1[:, None])
        return 1 / (1 + np.exp(-(np.einsum("kmh,kh->km", h, self.w2) + self.b2[:, None])))

    def spread(self, z: np.ndarray) -> np.ndarray:
        """``(M,)`` standard deviation of the heads' predictions (the uncertainty)."""
        return self.predict(z).std(0)

    def as_arrays(self) -> dict[str, np.ndarray]:
        """The weights by name (for ``save_arrays``)."""
        return {"w1": self.w1, "b1": self.b1, "w2": self.w2, "b2": self.b2}


def fit_ensemble(
    mu: np.ndarray, target: np.ndarray, hidden: int, k: int = ENSEMBLE, seed: int = 0
) -> HeadEnsemble:
    """Fit ``k`` heads on bootstrap resamples of ``(mu, target)`` (targets in the head's units)."""
    x_all = torch.as_tensor(mu, dtype=torch.float32)
    y_all = torch.as_tensor(target, dtype=torch.float32)
    gen = torch.Generator().manual_seed(seed)
    parts: dict[str, list[np.ndarray]] = {"w1": [], "b1": [], "w2": [], "b2": []}
    for _ in range(k):
        torch.manual_seed(int(torch.randint(0, 2**31 - 1, (1,), generator=gen)))
        head = nn.Sequential(nn.Linear(x_all.shape[1], hidden), nn.Tanh(), nn.Linear(hidden, 1))
        sample = torch.randint(0, len(x_all), (len(x_all),), generator=gen)
        x, y = x_all[sample], y_all[sample]
        opt = torch.optim.Adam(head.parameters(), lr=LR)
        for _ in range(EPOCHS):
            order = torch.randperm(len(x), generator=gen)
            for start in range(0, len(x), BATCH):
                idx = order[start : start + BATCH]
                loss = ((torch.sigmoid(head(x[idx]).squeeze(-1)) - y[idx]) ** 2).mean()
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
        first, last = head[0], head[2]
        parts["w1"].append(first.weight.detach().numpy().T.astype(np.float64))
        parts["b1"].append(first.bias.detach().numpy().astype(np.float64))
        parts["w2"].append(last.weight.detach().numpy()[0].astype(np.float64))
        parts["b2"].append(last.bias.detach().numpy()[0].astype(np.float64))
    return HeadEnsemble(*(np.stack(parts[name]) for name in ("w1", "b1", "w2", "b2")))
