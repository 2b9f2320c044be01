"""D-VAE's evaluation protocols, batched.

Reconstruction, prior validity/uniqueness/novelty, and predictor quality (RMSE, correlations,
top-k precision).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import Tensor

from ngae.model.inference import decode_many
from ngae.model.vae import NGAE
from ngae.spaces.dense_graphs import exact_match, graph_keys


def greedy_recon_accuracy(model: NGAE, mu: Tensor, types: Tensor, adj: Tensor) -> float:
    """Share of graphs whose greedy decoding of ``mu`` reproduces them exactly."""
    dec_types, dec_adj = decode_many(model, mu, stochastic=False)
    return float(exact_match(dec_types, dec_adj, types, adj).float().mean())


def recon_accuracy(
    model: NGAE, mu: Tensor, types: Tensor, adj: Tensor, decodes: int, seed: int = 0
) -> float:
    """D-VAE's reconstruction accuracy: each ``mu`` decoded ``decodes`` times stochastically."""
    gen = torch.Generator(device=mu.device).manual_seed(seed)
    hits = 0
    for _ in range(decodes):
        dec_types, dec_adj = decode_many(model, mu, stochastic=True, generator=gen)
        hits += int(exact_match(dec_types, dec_adj, types, adj).sum())
    return hits / (len(mu) * decodes)


def prior_metrics(
    model: NGAE,
    train_mu: Tensor,
    train_keys: set[bytes],
    samples: int,
    decodes: int,
    seed: int = 0,
    keys_of: Callable[[np.ndarray, np.ndarray], list[bytes]] = graph_keys,
    valid_of: Callable[[Tensor, Tensor], Tensor] | None = None,
) -> dict[str, float]:
    """Validity, uniqueness and novelty of prior samples (D-VAE's protocol).

    ``samples`` points ``z ~ N(0, I)`` are rescaled per dimension to the training latent mean
    and std, each decoded ``decodes`` times. Valid: the space's batched rule ``valid_of``
    (:meth:`ngae.spaces.base.SearchSpace.valid_mask`: ``is_valid_ENAS``, ``is_valid_BN`` ...);
    uniqueness = distinct valid / valid, with ``keys_of`` telling objects apart; novelty = share
    of valid decodes (duplicates counted) not in training.
    """
    if valid_of is None:
        raise ValueError("prior_metrics needs the space's validity rule (valid_of)")
    gen = torch.Generator(device=train_mu.device).manual_seed(seed)
    z = torch.randn(samples, train_mu.shape[1], generator=gen, device=train_mu.device)
    z = z * train_mu.std(0) + train_mu.mean(0)
    types, adj = decode_many(model, z.repeat(decodes, 1), stochastic=True, generator=gen)
    valid = valid_of(types, adj)
    keep = valid.cpu().numpy()
    keys = keys_of(types.cpu().numpy()[keep], adj.cpu().numpy()[keep])
    n_valid = len(keys)
    return {
        "validity": n_valid / len(valid),
        "uniqueness": len(set(keys)) / max(n_valid, 1),
        "novelty": sum(k not in train_keys for k in keys) / max(n_valid, 1),
        "prior_decodes": len(valid),
    }


def regression_metrics(pred: np.ndarray, true: np.ndarray) -> dict[str, float]:
    """RMSE, Pearson, Spearman, Kendall and R2 of predictions."""
    from scipy import stats  # here, not at the top: 0.7 s of the dashboard's first page load

    pred, true = np.asarray(pred, np.float64), np.asarray(true, np.float64)
    err = pred - true
    ss_tot = float(np.sum((true - true.mean()) ** 2))
    return {
        "rmse": float(np.sqrt(np.mean(err**2))),
        "pearson": float(stats.pearsonr(pred, true)[0]),
        "spearman": float(stats.spearmanr(pred, true)[0]),
        "kendall": float(stats.kendalltau(pred, true)[0]),
        "r2": 1.0 - float(np.sum(err**2)) / ss_tot if ss_tot > 0 else float("nan"),
    }


def top_k_metrics(pred: np.ndarray, true: np.ndarray) -> dict[str, float]:
    """How well ``pred`` ranks the best: precision of the top 1% / 5%, Kendall on the top 10%.

    Precision@q = |predicted top q ∩ true top q| / |true top q|; Kendall tau is taken over the
    true top 10% (how well the predictor orders the architectures search cares about).
    """
    from scipy import stats

    n = len(true)
    out = {}
    for q, name in ((0.01, "top1_precision"), (0.05, "top5_precision")):
        k = max(1, int(round(n * q)))
        best_pred = set(np.argsort(-pred, kind="stable")[:k].tolist())
        best_true = set(np.argsort(-true, kind="stable")[:k].tolist())
        out[name] = len(best_pred & best_true) / k
    top = np.argsort(-true, kind="stable")[: max(2, n // 10)]
    out["top10_kendall"] = float(stats.kendalltau(pred[top], true[top])[0])
    return out
