"""Gradient search in latent space toward high predicted accuracy and low complexity (NGAE).

Ascend ``f_perf(z) - lambda * f_cmplx(z)`` from the encodings of the data set's best
architectures by true accuracy (``optimal``, the seed's), by predicted accuracy (``predicted``)
or from prior samples (``random``); with ``max_params`` the complexity becomes a constraint (a
steep penalty above the limit's normalised value). Each end point is decoded several times and
the most common valid decoding is kept (D-VAE meant this but took the first, an ``argmax`` over
``dict.values()`` bug); the figures reported for a found architecture come from re-encoding it,
so they describe a real architecture.

Plain ascent leaves the data manifold within a few steps: the predictors then promise far more
than any decodable architecture delivers. With ``project_every = k > 0`` (the default, 10) every
k steps each point is decoded greedily and replaced by the encoding of its decoding, and each
sample ends at the best architecture (by the objective of its re-encoding) it met on the way.
``project_every = 0`` is the seed's plain ascent.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import torch

from ngae.errors import UserInputError
from ngae.explorer.latents import LatentTable, predict_latents
from ngae.model.inference import decode_many, encode_mu, most_common_valid
from ngae.model.vae import NGAE
from ngae.pareto import pareto_front, smaller_than_all_better
from ngae.space.complexity import normalise_complexity, param_count
from ngae.space.data import GraphData
from ngae.space.dense_graphs import to_archs

STRATEGIES = ("optimal", "predicted", "random")
# Step sizes tuned on the shipped model (README, "Search"). The seed used sgd 1000 from the
# best architectures: with these predictors that leaves the data manifold in one step.
DEFAULT_LR = {"adam": 0.01, "sgd": 1.0}  # the same for every start strategy
CONSTRAINT_WEIGHT = 50.0


@dataclass(frozen=True)
class SearchConfig:
    """Search settings (defaults: the seed's ``--search-samples 10``, 100 steps)."""

    optimizer: str = "adam"
    strategy: str = "predicted"
    samples: int = 10
    steps: int = 100
    lr: float | None = None
    lambda_cmplx: float = 1.0
    max_params: float | None = None
    decodes: int = 50
    seed: int = 0
    trust_radius: float = 3.0
    project_every: int = 10

    def learning_rate(self) -> float:
        """The given learning rate, or the default for the optimizer."""
        return self.lr if self.lr is not None else DEFAULT_LR[self.optimizer]

    def validate(self) -> SearchConfig:
        """Raise :class:`UserInputError` for settings that cannot work; return self."""
        if self.optimizer not in DEFAULT_LR:
            raise UserInputError(f"optimizer must be sgd or adam, not {self.optimizer!r}")
        if self.strategy not in STRATEGIES:
            raise UserInputError(
                f"strategy must be one of {', '.join(STRATEGIES)}, not {self.strategy!r}"
            )
        _check_int("samples", self.samples, 1, 1000)
        _check_int("steps", self.steps, 0, 10000)
        _check_int("decodes", self.decodes, 1, 1000)
        _check_int("project-every", self.project_every, 0, 10000)
        _check_float("lr", self.learning_rate(), 0.0, 1e6, low_open=True)
        _check_float("lambda-cmplx", self.lambda_cmplx, 0.0, 1e3)
        _check_float("trust-radius", self.trust_radius, 0.0, 100.0)
        if self.max_params is not None:
            _check_float("max-params", self.max_params, 1.0, 1e12)
        return self


def _check_int(name: str, value: int, lo: int, hi: int) -> None:
    if not isinstance(value, int) or not lo <= value <= hi:
        raise UserInputError(f"{name} must be an integer in {lo}..{hi}, got {value}")


def _check_float(name: str, value: float, lo: float, hi: float, low_open: bool = False) -> None:
    ok = isinstance(value, int | float) and math.isfinite(value) and value <= hi
    ok = ok and (value > lo if low_open else value >= lo)
    if not ok:
        bound = f"({lo}, {hi}]" if low_open else f"[{lo}, {hi}]"
        raise UserInputError(f"{name} must be a finite number in {bound}, got {value}")


@dataclass(frozen=True)
class FoundArch:
    """One distinct valid architecture a search found; figures from its re-encoding.

    ``pred_acc``/``pred_params`` are the predictors on the re-encoded architecture,
    ``*_latent`` on the end point itself; ``decode_share`` is the share of the end point's
    decodings that gave it; ``trajectory`` is ``z`` per step, ``(steps + 1, nz)``.
    """

    sample: int
    arch: str
    valid: bool
    novel: bool
    in_dataset: bool
    true_acc: float | None
    params: int
    pred_acc: float
    pred_params: float
    pred_acc_latent: float
    pred_params_latent: float
    decode_share: float
    start_arch: str | None
    start_true_acc: float | None
    trajectory: list[list[float]] = field(repr=False)


@dataclass(frozen=True)
class SearchSummary:
    """Counts over a search's results."""

    samples: int
    distinct_valid: int
    novel: int
    best_pred_acc: float
    beats_dataset_best: bool
    smaller_than_all_better: int


@dataclass(frozen=True)
class SearchResults:
    """What a search returns; :meth:`to_dict` is the ``search --json`` document."""

    results: list[FoundArch]
    dataset_best_pred_acc: float
    config: dict[str, Any]
    summary: SearchSummary
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        """Plain dicts and lists with the documented keys (README, ``search --json``)."""
        return asdict(self)


@dataclass(frozen=True)
class ParetoFront:
    """The non-dominated points (higher predicted accuracy, fewer params), aligned lists."""

    arch: list[str]
    pred_acc: list[float]
    params: list[float]
    source: list[str]  # "dataset" or "found"


def start_points(
    cfg: SearchConfig, data: GraphData, latents: LatentTable, gen: torch.Generator
) -> tuple[torch.Tensor, list[int | None]]:
    """Starting latent points and the data index each starts from (``None`` for random)."""
    mu = torch.as_tensor(latents.mu, dtype=torch.float32)
    if cfg.strategy in ("optimal", "predicted"):
        score = data.acc if cfg.strategy == "optimal" else latents.pred_acc
        order = np.argsort(-score, kind="stable")
        _, first = np.unique(-score[order], return_index=True)
        picks = order[np.sort(first)][: cfg.samples].tolist()  # best distinct scores
        return mu[picks].clone(), picks
    z = torch.randn(cfg.samples, mu.shape[1], generator=gen)
    return z * mu.std(0) + mu.mean(0), [None] * cfg.samples


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
) -> tuple[torch.Tensor, torch.Tensor]:
    """Gradient ascent on the objective, differentiating with respect to the latent points only.

    The model's parameters are frozen (:func:`ngae.explorer.service.freeze`) and are never
    written; grad mode is switched on for this computation only, so callers under ``no_grad``
    (and other threads) are unaffected. Returns the trajectory ``(steps + 1, S, nz)`` and the
    end points ``(S, nz)``: the last point, or with ``project_every`` each sample's best
    re-encoded architecture on the way.
    """
    z = z0.clone().requires_grad_(True)
    step_z = LatentStepper(cfg.optimizer, cfg.learning_rate(), z)
    limit = _normalised_limit(model, cfg)
    best_z, best = z0.clone(), torch.full((len(z0),), -math.inf)
    path = [z.detach().clone()]
    for step in range(cfg.steps):
        # Gradient with respect to z only: the shared model's parameters are never touched.
        with torch.enable_grad():
            grad = torch.autograd.grad(-_objective(model, z, cfg, limit).sum(), z)[0]
        with torch.no_grad():
            step_z(grad)
            if cfg.trust_radius > 0:
                z.copy_(torch.maximum(torch.minimum(z, bounds[1]), bounds[0]))
            z.nan_to_num_(0.0)
            if cfg.project_every and (step + 1) % cfg.project_every == 0:
                mu, ok = reencode_decodings(model, z)
                score = torch.where(ok, _objective(model, mu, cfg, limit), -math.inf)
                better = score > best
                best_z[better], best[better] = mu[better], score[better]
                z[ok] = mu[ok]
        path.append(z.detach().clone())
        if progress is not None:
            progress(step + 1, cfg.steps)
    end = torch.where(torch.isfinite(best)[:, None], best_z, path[-1])
    return torch.stack(path), end


def _normalised_limit(model: NGAE, cfg: SearchConfig) -> float | None:
    if cfg.max_params is None:
        return None
    c = model.cfg
    limit = np.array([cfg.max_params])
    return float(normalise_complexity(limit, c.cmplx_target, c.cmplx_lo, c.cmplx_hi)[0])


def _objective(
    model: NGAE, z: torch.Tensor, cfg: SearchConfig, limit: float | None
) -> torch.Tensor:
    """``f_perf - lambda f_cmplx`` (and the constraint penalty) per latent point."""
    acc, cmplx = model.predict(z)
    objective = acc - cfg.lambda_cmplx * cmplx
    if limit is not None:
        objective = objective - CONSTRAINT_WEIGHT * torch.relu(cmplx - limit) ** 2
    return objective


@torch.no_grad()
def reencode_decodings(model: NGAE, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Greedy decodings of ``z`` encoded again: ``(mu, valid)``; ``mu = z`` where invalid."""
    types, adj = decode_many(model, z.detach(), stochastic=False)
    valid = torch.tensor([a is not None for a in to_archs(types, adj)])
    mu = z.detach().clone()
    if valid.any():
        mu[valid] = encode_mu(model, types[valid], adj[valid].float())
    return mu, valid


def run_search(
    model: NGAE,
    data: GraphData,
    latents: LatentTable,
    cfg: SearchConfig,
    progress: Callable[[int, int], None] | None = None,
) -> SearchResults:
    """Run the whole search and report every found architecture honestly (see module doc)."""
    if data.archs is None:
        raise UserInputError("latent search needs ENAS architectures (an ENAS data set)")
    if not model.cfg.predictors:
        raise UserInputError("this checkpoint has no predictor heads (trained as DVAE)")
    cfg.validate()
    start = time.perf_counter()
    gen = torch.Generator().manual_seed(cfg.seed)
    z0, start_idx = start_points(cfg, data, latents, gen)
    mu = torch.as_tensor(latents.mu)
    radius = cfg.trust_radius * mu.std(0)
    path, end = ascend(model, z0, cfg, (mu.mean(0) - radius, mu.mean(0) + radius), progress)
    decoded = [(arch, share) for arch, share, _ in most_common_valid(model, end, cfg.decodes, gen)]
    latent_acc, latent_params = predict_latents(model, end)
    results = _describe_found(model, data, decoded, start_idx, path, latent_acc, latent_params)
    return SearchResults(
        results=results,
        dataset_best_pred_acc=float(np.nanmax(latents.pred_acc)),
        config=asdict(cfg) | {"lr": cfg.learning_rate()},
        summary=_summary(results, data, latents, cfg.samples),
        seconds=time.perf_counter() - start,
    )


def _describe_found(
    model: NGAE,
    data: GraphData,
    decoded: list,
    start_idx: list,
    path: torch.Tensor,
    latent_acc: np.ndarray,
    latent_params: np.ndarray,
) -> list[FoundArch]:
    index: dict[str, list[int]] = {}
    for i, s in enumerate(data.strings):
        index.setdefault(s, []).append(i)
    seen: set[str] = set()
    keep = []
    for i, (arch, share) in enumerate(decoded):
        if arch is not None and arch.to_string() not in seen:
            seen.add(arch.to_string())
            keep.append((i, arch, share))
    if not keep:
        return []
    dags = [a.to_dag() for _, a, _ in keep]
    types = torch.as_tensor(np.stack([d[0] for d in dags]))
    adj = torch.as_tensor(np.stack([d[1] for d in dags]), dtype=torch.float32)
    re_acc, re_params = predict_latents(model, encode_mu(model, types, adj))
    results = []
    for row, (i, arch, share) in enumerate(keep):
        hits = index.get(arch.to_string(), [])
        s = start_idx[i]
        results.append(
            FoundArch(
                sample=i,
                arch=arch.to_string(),
                valid=True,
                novel=not hits,
                in_dataset=bool(hits),
                true_acc=float(np.mean(data.acc[hits])) if hits else None,
                params=param_count(arch),
                pred_acc=float(re_acc[row]),
                pred_params=float(re_params[row]),
                pred_acc_latent=float(latent_acc[i]),
                pred_params_latent=float(latent_params[i]),
                decode_share=share,
                start_arch=data.strings[s] if s is not None else None,
                start_true_acc=float(data.acc[s]) if s is not None else None,
                trajectory=path[:, i].tolist(),
            )
        )
    return results


def _summary(
    results: list[FoundArch], data: GraphData, latents: LatentTable, samples: int
) -> SearchSummary:
    """Counts over the results, against the data set's predicted accuracies."""
    ref_acc, ref_params = latents.pred_acc, data.params
    best = max((r.pred_acc for r in results), default=float("nan"))
    return SearchSummary(
        samples=samples,
        distinct_valid=len(results),
        novel=sum(r.novel for r in results),
        best_pred_acc=best,
        beats_dataset_best=bool(results) and best > float(np.nanmax(ref_acc)),
        smaller_than_all_better=sum(
            smaller_than_all_better(r.pred_acc, r.params, ref_acc, ref_params) for r in results
        ),
    )


def pareto_points(data: GraphData, latents: LatentTable, results: list[FoundArch]) -> ParetoFront:
    """The Pareto front (predicted accuracy vs exact parameters) over data set + found."""
    acc = np.concatenate([latents.pred_acc, [r.pred_acc for r in results]])
    params = np.concatenate([data.params, [r.params for r in results]])
    labels = list(data.strings) + [r.arch for r in results]
    source = ["dataset"] * len(data) + ["found"] * len(results)
    front = pareto_front(acc, params)
    return ParetoFront(
        arch=[labels[i] for i in front],
        pred_acc=acc[front].tolist(),
        params=params[front].tolist(),
        source=[source[i] for i in front],
    )
