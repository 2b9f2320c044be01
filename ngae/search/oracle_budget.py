"""Search methods measured on true scores at equal oracle budgets (a space with an oracle).

An oracle call is one true score of one distinct valid object that is not in the data set
(invalid decodings cost none; the data set's scores are known without asking).
Each method yields its true scores in the order it asks for them; :func:`best_after` turns
that into the best true score after ``k`` calls. Two methods live here (they need only the
model): NGAE's gradient search -- predictor-guided, the oracle scores what it returns, best
predicted first -- and random search -- prior samples decoded and scored. Latent Bayesian
optimisation (BoTorch) is in ``benchmarks/asia_search_methods.py``, beside them.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import torch

from ngae.model.inference import decode_many
from ngae.search.config import SearchConfig
from ngae.spaces.base import SearchSpace

BUDGETS = (10, 50, 200)


def best_after(scores: list[float], budgets: tuple[int, ...] = BUDGETS) -> list[float]:
    """The best of the first ``k`` scores for each ``k`` (NaN where fewer were made)."""
    best = np.maximum.accumulate(np.asarray(scores, dtype=np.float64)) if scores else []
    return [float(best[k - 1]) if len(best) >= k else float("nan") for k in budgets]


def random_search_scores(
    model: torch.nn.Module,
    space: SearchSpace,
    mu: np.ndarray,
    calls: int,
    seed: int,
    known: frozenset[str] = frozenset(),
    batch: int = 256,
    max_rounds: int = 100,
) -> list[float]:
    """True scores of distinct valid decodings of prior samples, in the order drawn.

    Samples ``N(0, I)`` rescaled to the training codes' mean and spread (as D-VAE samples its
    prior), decoded once each, until ``calls`` distinct valid objects not in ``known`` (the
    data set's strings) are scored.
    """
    gen = torch.Generator().manual_seed(seed)
    mean, std = torch.as_tensor(mu.mean(0)), torch.as_tensor(mu.std(0))
    seen: set[str] = set(known)
    order: list = []
    for _ in range(max_rounds):  # the prior rarely decodes to a valid network: draw on
        z = torch.randn(batch, mu.shape[1], generator=gen) * std + mean
        types, adj = decode_many(model, z, stochastic=True, generator=gen)
        for item in space.to_items(types, adj):
            if item is not None and item.to_string() not in seen:
                seen.add(item.to_string())
                order.append(item)
        if len(order) >= calls:
            break
    return space.true_scores(order[:calls]).tolist()


def gradient_search_scores(explorer, calls: int, seed: int, cfg: SearchConfig) -> list[float]:
    """True scores of what NGAE's search returns, best predicted first, at most ``calls``.

    The search never sees a true score: its predictor ranks the distinct novel results (those
    in the data set need no call) and the oracle scores them in that order (one call each).
    """
    # Twice as many samples as calls (within the search's limit): some end in the data set.
    result = explorer.search(replace(cfg, samples=min(2 * calls, 1000), seed=seed))
    ranked = sorted((r for r in result.results if r.novel), key=lambda r: -r.pred_acc)
    return [float(r.true_score) for r in ranked if r.true_score is not None][:calls]
