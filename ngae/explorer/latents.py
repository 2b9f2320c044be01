"""Latent codes and predictions for a whole data set, cached on disk per checkpoint.

The cache lives beside the checkpoint, in ``cache/<stem>-<first 12 hex of its SHA-256>/``, so a
retrained file never reuses stale codes; files are written atomically and a corrupt or
mismatched cache is recomputed, never trusted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ngae.files import file_sha256, load_arrays, save_arrays
from ngae.model.inference import encode_mu
from ngae.model.vae import NGAE
from ngae.space.complexity import denormalise_complexity
from ngae.space.data import GraphData


@dataclass(frozen=True)
class LatentTable:
    """Per-architecture latent means and predictions, aligned with the data set's order.

    Attributes:
        mu: ``(M, nz)`` float32 latent means.
        pred_acc: ``(M,)`` predicted accuracy (NaN without predictor heads).
        pred_params: ``(M,)`` predicted complexity in raw units (NaN without heads).
    """

    mu: np.ndarray
    pred_acc: np.ndarray
    pred_params: np.ndarray


def cache_dir_for(checkpoint: str | Path) -> Path:
    """The cache folder of one checkpoint file's exact bytes."""
    checkpoint = Path(checkpoint)
    return checkpoint.parent / "cache" / f"{checkpoint.stem}-{file_sha256(checkpoint)[:12]}"


@torch.no_grad()
def predict_latents(model: NGAE, mu: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """Predicted accuracy and raw complexity of latent points (NaN without heads)."""
    if not model.cfg.predictors:
        nan = np.full(len(mu), np.nan)
        return nan, nan.copy()
    acc, cmplx = model.predict(mu)
    cfg = model.cfg
    raw = denormalise_complexity(cmplx.cpu().numpy(), cfg.cmplx_target, cfg.cmplx_lo, cfg.cmplx_hi)
    return acc.cpu().numpy().astype(np.float64), raw


def compute_latents(model: NGAE, data: GraphData) -> LatentTable:
    """Encode every graph and apply the predictors."""
    device = next(model.parameters()).device
    types = torch.as_tensor(data.types, device=device)
    adj = torch.as_tensor(data.adj, dtype=torch.float32, device=device)
    mu = encode_mu(model, types, adj)
    acc, params = predict_latents(model, mu)
    return LatentTable(mu.cpu().numpy().astype(np.float32), acc, params)


def dataset_latents(checkpoint: str | Path, model: NGAE, data: GraphData) -> LatentTable:
    """The cached latent table of ``data`` under ``checkpoint``, computed once."""
    path = cache_dir_for(checkpoint) / "latents.npz"
    keys = ("mu", "pred_acc", "pred_params")
    cached = load_arrays(path, keys, len(data)) if path.is_file() else None
    if cached is not None and cached["mu"].shape[1] == model.cfg.nz:
        return LatentTable(**cached)
    table = compute_latents(model, data)
    save_arrays(path, mu=table.mu, pred_acc=table.pred_acc, pred_params=table.pred_params)
    return table
