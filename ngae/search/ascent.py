"""Gradient ascent on latent points: starts, the objective, steps and projections.

Ascend ``f_perf(z) - lambda * u * f_cmplx(z)`` (with ``max_params``, minus a steep penalty above
the limit's normalised value). ``f_cmplx`` is the complexity head's output, log-parameters
scaled to 0..1 over the data set, so its range dwarfs the accuracy head's (about 0.05 on
ENAS-6): ``u`` (:func:`lambda_unit`) is the data set's predicted-accuracy range over its
predicted-complexity range, which gives ``lambda`` a unit -- at ``lambda = 1`` going from the
data set's largest to its smallest architecture is worth as much as going from its least to
its most accurate one. Plain ascent leaves the data manifold within a few steps: the
predictors then promise far more than any decodable architecture delivers. With
``project_every = k > 0`` (the default, 10) every k steps each point is decoded greedily and
replaced by the encoding of its decoding, and each sample ends at the best architecture (by
the objective of its re-encoding) it met on the way. ``project_every = 0`` is the seed's plain
ascent.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from ngae.errors import UserInputError
from ngae.model.graph_tensors import normalise_perf
from ngae.model.inference import LatentTable, decode_many, encode_mu
from ngae.model.vae import NGAE
from ngae.search.config import CONSTRAINT_WEIGHT, SearchConfig
from ngae.spaces.base import SearchSpace
from ngae.spaces.complexity import normalise_complexity
from ngae.spaces.graph_data import GraphData
from ngae.spaces.registry import default_space


def start_points(
    cfg: SearchConfig, data: GraphData, latents: LatentTable, gen: torch.Generator
) -> tuple[torch.Tensor, list[int | None]]:
    """Starting latent points and the data index each starts from (``None`` for random)."""
    mu = torch.as_tensor(latents.mu, dtype=torch.float32)
    if cfg.starts:
        picks = list(cfg.starts)
        if max(picks) >= len(mu):
            raise UserInputError(f"start index {max(picks)} is beyond the {len(mu):,} data rows")
        over = [i for i in picks if not within_cap(data.params[[i]], cfg.max_params)[0]]
        if over:
            raise UserInputError(
                f"{len(over)} of the {len(picks)} starts have more than "
                f"{cfg.max_params:,.0f} parameters (e.g. #{over[0]}): raise the limit or "
                "select smaller architectures"
            )
        return mu[picks].clone(), picks
    if cfg.strategy in ("optimal", "predicted"):
        score = data.acc if cfg.strategy == "optimal" else latents.pred_acc
        picks = best_rows(score, data.params, cfg)
        return mu[picks].clone(), picks
    z = torch.randn(cfg.samples, mu.shape[1], generator=gen)
    return z * mu.std(0) + mu.mean(0), [None] * cfg.samples


def best_rows(score: np.ndarray, params: np.ndarray, cfg: SearchConfig) -> list[int]:
    """The rows of the ``cfg.samples`` best distinct ``score`` values within the cap."""
    allowed = np.flatnonzero(within_cap(params, cfg.max_params))
    if len(allowed) == 0:
        raise UserInputError(
            f"no data-set architecture has at most {cfg.max_params:,.0f} parameters "
            f"(the smallest has {params.min():,.0f}): raise the limit"
        )
    order = allowed[np.argsort(-score[allowed], kind="stable")]
    _, first = np.unique(-score[order], return_index=True)
    return order[np.sort(first)][: cfg.samples].tolist()  # best distinct scores


def optimal_starts(model: NGAE, data: GraphData, cfg: SearchConfig) -> tuple[torch.Tensor, list]:
    """The encodings of ``data``'s best true figures (``optimal`` starts) and their rows.

    For a data set too large to keep every code (the explorer shows a sample): the starts are
    the whole data set's best, encoded here.
    """
    picks = best_rows(data.acc, data.params, cfg)
    rows = torch.as_tensor(picks, dtype=torch.long)
    types, adj = torch.as_tensor(data.types)[rows], torch.as_tensor(data.adj)[rows]
    return encode_mu(model, types, adj).float(), picks


class LatentStepper:
    """Plain SGD or Adam on the latent points, with ``torch.optim``'s update rules.

    Written out because creating the first ``torch.optim`` optimizer in a process imports
    ``torch._dynamo`` (about 3 s here), which a user would wait for on the first search.
    """

    def __init__(
        self,
        kind: str,
        lr: float,
        z: torch.Tensor,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        self.kind, self.lr, self.z, self.betas, self.eps, self.t = kind, lr, z, betas, eps, 0
        self.m = torch.zeros_like(z)
        self.v = torch.zeros_like(z)

    def __call__(self, grad: torch.Tensor) -> None:
        """Move ``z`` in place against ``grad`` (call under ``no_grad``)."""
        if self.kind == "sgd":
            self.z.sub_(self.lr * grad)
            return
        self.t += 1
        b1, b2 = self.betas
        self.m.lerp_(grad, 1 - b1)
        self.v.mul_(b2).addcmul_(grad, grad, value=1 - b2)
        m_hat = self.m / (1 - b1**self.t)
        v_hat = self.v / (1 - b2**self.t)
        self.z.sub_(self.lr * m_hat / (v_hat.sqrt() + self.eps))


def ascend(
    model: NGAE,
    z0: torch.Tensor,
    cfg: SearchConfig,
    bounds: tuple[torch.Tensor, ...],
    progress: Callable[[int, int], None] | None = None,
    start_archs: list[Any | None] | None = None,
    unit: float = 1.0,
    space: SearchSpace | None = None,
) -> tuple[torch.Tensor, torch.Tensor, list[Any | None]]:
    """Gradient ascent on the objective, differentiating with respect to the latent points only.

    The model's parameters are frozen (:func:`ngae.explorer.service.freeze`) and are never
    written; grad mode is switched on for this computation only, so callers under ``no_grad``
    (and other threads) are unaffected. Returns the trajectory ``(steps + 1, S, nz)``, the
    end points ``(S, nz)`` -- the last point, or with ``project_every`` each sample's best
    re-encoded architecture on the way -- and that best architecture per sample (``None``
    where none was met). With ``max_params`` only architectures whose exact parameter count
    is within the cap are candidates; ``start_archs`` (the data-set architectures the samples
    start from, already within the cap) are candidates from the start. Decodings are objects
    of ``space`` (the default space's when ``None``); their exact complexity is the space's.
    """
    space = space or default_space()
    start_archs = start_archs if start_archs is not None else [None] * len(z0)
    z = z0.clone().requires_grad_(True)
    step_z = LatentStepper(cfg.optimizer, cfg.learning_rate(), z)
    limit = _normalised_limit(model, cfg)
    best_z, best = z0.clone(), torch.full((len(z0),), -math.inf)
    best_arch: list[Any | None] = list(start_archs)
    with torch.no_grad():  # a start at a data-set architecture under the cap is a candidate
        known = torch.tensor([a is not None for a in start_archs], dtype=torch.bool)
        best[known] = _objective(model, z0[known], cfg, limit, unit)
    path = [z.detach().clone()]
    for step in range(cfg.steps):
        # Gradient with respect to z only: the shared model's parameters are never touched.
        with torch.enable_grad():
            grad = torch.autograd.grad(-_objective(model, z, cfg, limit, unit).sum(), z)[0]
        with torch.no_grad():
            step_z(grad)
            if cfg.trust_radius > 0:
                z.copy_(torch.maximum(torch.minimum(z, bounds[1]), bounds[0]))
            z.nan_to_num_(0.0)
            if cfg.project_every and (step + 1) % cfg.project_every == 0:
                mu, archs = reencode_decodings(model, z, space)
                ok = torch.tensor([a is not None for a in archs], dtype=torch.bool)
                fits = ok & torch.as_tensor(within_cap(_params(archs, space), cfg.max_params))
                score = torch.where(fits, _objective(model, mu, cfg, limit, unit), -math.inf)
                better = score > best
                best_z[better], best[better] = mu[better], score[better]
                for i in better.nonzero().flatten().tolist():
                    best_arch[i] = archs[i]
                z[ok] = mu[ok]
        path.append(z.detach().clone())
        if progress is not None:
            progress(step + 1, cfg.steps)
    end = torch.where(torch.isfinite(best)[:, None], best_z, path[-1])
    return torch.stack(path), end, best_arch


def within_cap(params: np.ndarray, cap: float | None) -> np.ndarray:
    """Which exact parameter counts are at most ``cap`` (all of them without a cap)."""
    params = np.asarray(params, dtype=np.float64)
    return np.ones(len(params), dtype=bool) if cap is None else params <= cap


def _params(archs: list[Any | None], space: SearchSpace) -> np.ndarray:
    """Exact complexity (parameter counts); infinite where there is no architecture."""
    out = np.full(len(archs), math.inf)
    real = [i for i, a in enumerate(archs) if a is not None]
    if real:
        out[real] = space.complexity([archs[i] for i in real])
    return out


def _normalised_limit(model: NGAE, cfg: SearchConfig) -> float | None:
    if cfg.max_params is None:
        return None
    c = model.cfg
    limit = np.array([cfg.max_params])
    return float(normalise_complexity(limit, c.cmplx_target, c.cmplx_lo, c.cmplx_hi)[0])


def lambda_unit(model: NGAE, latents: LatentTable) -> float:
    """The data set's predicted-performance range over its predicted-complexity range.

    Both in the heads' units, the units of the objective.
    """
    c = model.cfg
    acc = normalise_perf(latents.pred_acc[np.isfinite(latents.pred_acc)], c)
    cmplx = normalise_complexity(latents.pred_params, c.cmplx_target, c.cmplx_lo, c.cmplx_hi)
    cmplx = cmplx[np.isfinite(cmplx)]
    if len(acc) < 2 or len(cmplx) < 2 or np.ptp(cmplx) <= 0:
        return 1.0
    return float(np.ptp(acc) / np.ptp(cmplx))


def _objective(
    model: NGAE, z: torch.Tensor, cfg: SearchConfig, limit: float | None, unit: float = 1.0
) -> torch.Tensor:
    """``f_perf - lambda u f_cmplx`` (and the constraint penalty) per latent point."""
    acc, cmplx = model.predict(z)
    objective = acc - cfg.lambda_cmplx * unit * cmplx
    if limit is not None:
        objective = objective - CONSTRAINT_WEIGHT * torch.relu(cmplx - limit) ** 2
    return objective


@torch.no_grad()
def reencode_decodings(
    model: NGAE, z: torch.Tensor, space: SearchSpace
) -> tuple[torch.Tensor, list[Any | None]]:
    """Greedy decodings of ``z`` encoded again: ``(mu, archs)``; ``mu = z`` where invalid."""
    types, adj = decode_many(model, z.detach(), stochastic=False)
    archs = space.to_items(types, adj)
    valid = torch.tensor([a is not None for a in archs], dtype=torch.bool)
    mu = z.detach().clone()
    if valid.any():
        mu[valid] = encode_mu(model, types[valid], adj[valid].float())
    return mu, archs
