"""A whole search: starts, ascent, decoding the end points, honest figures, Pareto front.

Each end point is decoded several times and the most common valid decoding is kept (D-VAE
meant this but took the first, an ``argmax`` over ``dict.values()`` bug); the figures reported
for a found architecture come from re-encoding it, so they describe a real architecture.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict

import numpy as np
import torch

from ngae.errors import UserInputError
from ngae.model.inference import LatentTable, encode_mu, most_common_valid, predict_latents
from ngae.model.vae import NGAE
from ngae.search.ascent import ascend, start_points
from ngae.search.config import SearchConfig
from ngae.search.pareto import pareto_front, smaller_than_all_better
from ngae.search.results import FoundArch, ParetoFront, SearchResults, SearchSummary
from ngae.space.complexity import param_count
from ngae.space.data import GraphData


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
