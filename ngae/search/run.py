"""A whole search: starts, ascent, decoding the end points, honest figures, Pareto front.

Each end point is decoded several times and the most common valid decoding is kept (D-VAE
meant this but took the first, an ``argmax`` over ``dict.values()`` bug); the figures reported
for a found architecture come from re-encoding it, so they describe a real architecture.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import numpy as np
import torch

from ngae.errors import UserInputError
from ngae.model.inference import LatentTable, encode_mu, most_common_valid, predict_latents
from ngae.model.vae import NGAE
from ngae.search.ascent import ascend, lambda_unit, optimal_starts, start_points, within_cap
from ngae.search.config import SearchConfig
from ngae.search.pareto import pareto_front, smaller_than_all_better
from ngae.search.results import FoundArch, ParetoFront, SearchResults, SearchSummary
from ngae.spaces.base import SearchSpace
from ngae.spaces.graph_data import GraphData, dvae_split
from ngae.spaces.registry import burn_in_of, space_of


def run_search(
    model: NGAE,
    data: GraphData,
    latents: LatentTable,
    cfg: SearchConfig,
    progress: Callable[[int, int], None] | None = None,
    reference: GraphData | None = None,
) -> SearchResults:
    """Run the whole search and report every found architecture honestly (see module doc).

    ``latents`` are ``data``'s (the start points come from them); ``reference`` is the whole
    data set when ``data`` is a sample of it (novelty and the data set's best are its).
    """
    reference = data if reference is None else reference
    if data.archs is None:
        raise UserInputError("latent search needs the data set of a search space, not general DAGs")
    space = space_of(data)
    if not model.cfg.predictors:
        raise UserInputError("this checkpoint has no predictor heads (trained as DVAE)")
    cfg.validate()
    start = time.perf_counter()
    gen = torch.Generator().manual_seed(cfg.seed)
    if _whole_data_starts(cfg, data, reference):
        origin, (z0, start_idx) = reference, optimal_starts(model, reference, cfg)
    else:
        origin, (z0, start_idx) = data, start_points(cfg, data, latents, gen)
    mu = torch.as_tensor(latents.mu)
    radius = cfg.trust_radius * mu.std(0)
    start_archs = [None if i is None else origin.archs[i] for i in start_idx]
    bounds = (mu.mean(0) - radius, mu.mean(0) + radius)
    unit = lambda_unit(model, latents)
    path, end, met = ascend(model, z0, cfg, bounds, progress, start_archs, unit, space)
    decoded = _final_decodings(model, end, met, cfg, gen, space)
    latent_acc, latent_params = predict_latents(model, end)
    starts = [None if i is None else origin.strings[i] for i in start_idx]
    results = _describe_found(
        model, reference, decoded, starts, path, latent_acc, latent_params, space
    )
    truth = _truth(space, reference, within_cap(reference.params, cfg.max_params))
    return SearchResults(
        results=results,
        dataset_best_pred_acc=_best(latents.pred_acc[within_cap(data.params, cfg.max_params)]),
        config=asdict(cfg) | {"lr": cfg.learning_rate(), "lambda_unit": unit},
        summary=_summary(results, data, latents, cfg, decoded),
        seconds=time.perf_counter() - start,
        space=space.name,
        **truth,
    )


def _whole_data_starts(cfg: SearchConfig, data: GraphData, reference: GraphData) -> bool:
    """Whether ``optimal`` starts come from the whole data set (``data`` is a sample of it)."""
    return cfg.strategy == "optimal" and not cfg.starts and reference is not data


def _truth(space: SearchSpace, data: GraphData, under: np.ndarray) -> dict[str, float | None]:
    """The truth where the space has an oracle.

    The best true score of the training split (within the cap) and the exact optimum.
    """
    if not space.has_oracle:
        return {"dataset_best_true_score": None, "optimum_score": None}
    train_idx, _ = dvae_split(len(data), burn_in_of(data))
    train = np.zeros(len(data), dtype=bool)
    train[train_idx] = True
    optimum = space.optimum()
    return {
        "dataset_best_true_score": _best(data.acc[train & under]),
        "optimum_score": None if optimum is None else optimum[0],
    }


def _best(values: np.ndarray) -> float:
    """The largest value (NaN for none)."""
    return float(np.nanmax(values)) if len(values) else float("nan")


def _final_decodings(
    model: NGAE,
    end: torch.Tensor,
    met: list,
    cfg: SearchConfig,
    gen: torch.Generator,
    space: SearchSpace,
) -> list[tuple[Any | None, float]]:
    """Each end point's most common valid decoding within the cap, with its share.

    Where no stochastic decoding fits the cap, the best architecture within the cap met on
    the way (its greedy decoding during the ascent, or the data-set start) stands in, with the
    share of the end point's decodings that gave it (often 0). ``None``: nothing within the
    cap was found for that sample.
    """
    cap = cfg.max_params
    fits = None if cap is None else (lambda a: space.complexity([a])[0] <= cap)
    found = most_common_valid(model, end, cfg.decodes, gen, space, allowed=fits)
    out = []
    for (arch, share, _), fallback in zip(found, met, strict=True):
        if arch is None and cap is not None and fallback is not None:
            arch, share = fallback, 0.0
        out.append((arch, share))
    return out


def _describe_found(
    model: NGAE,
    data: GraphData,
    decoded: list,
    starts: list[str | None],
    path: torch.Tensor,
    latent_acc: np.ndarray,
    latent_params: np.ndarray,
    space: SearchSpace,
) -> list[FoundArch]:
    """One record per distinct valid decoding; ``data`` says which are new and their truth."""
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
    items = [a for _, a, _ in keep]
    types, adj = space.dense(items)
    re_acc, re_params = predict_latents(model, encode_mu(model, types, adj))
    params = space.complexity(items)
    true = space.true_scores(items) if space.has_oracle else [None] * len(items)
    results = []
    for row, (i, arch, share) in enumerate(keep):
        hits = index.get(arch.to_string(), [])
        start = starts[i]
        results.append(
            FoundArch(
                sample=i,
                arch=arch.to_string(),
                valid=True,
                novel=not hits,
                in_dataset=bool(hits),
                true_acc=_mean_acc(data, index, arch.to_string()),
                params=int(params[row]),
                pred_acc=float(re_acc[row]),
                pred_params=float(re_params[row]),
                pred_acc_latent=float(latent_acc[i]),
                pred_params_latent=float(latent_params[i]),
                decode_share=share,
                start_arch=start,
                start_true_acc=None if start is None else _mean_acc(data, index, start),
                trajectory=path[:, i].tolist(),
                true_score=None if true[row] is None else float(true[row]),
                adjacency=arch.to_string() if space.exports_adjacency else None,
            )
        )
    return results


def _mean_acc(data: GraphData, index: dict[str, list[int]], text: str) -> float | None:
    """The data set's figure of an object (the mean over its copies), ``None`` if absent."""
    hits = index.get(text)
    return float(np.mean(data.acc[hits])) if hits else None


def _summary(
    results: list[FoundArch],
    data: GraphData,
    latents: LatentTable,
    cfg: SearchConfig,
    decoded: list[tuple[Any | None, float]],
) -> SearchSummary:
    """Counts over the results, against the data set's predicted accuracies (within the cap)."""
    ref_acc, ref_params = latents.pred_acc, data.params
    under = within_cap(ref_params, cfg.max_params)
    best = max((r.pred_acc for r in results), default=float("nan"))
    none_found = sum(arch is None for arch, _ in decoded)
    duplicates = cfg.samples - none_found - len(results)
    return SearchSummary(
        samples=cfg.samples,
        distinct_valid=len(results),
        novel=sum(r.novel for r in results),
        best_pred_acc=best,
        beats_dataset_best=bool(results) and best > _best(ref_acc[under]),
        smaller_than_all_better=sum(
            smaller_than_all_better(r.pred_acc, r.params, ref_acc, ref_params) for r in results
        ),
        max_params=cfg.max_params,
        dataset_under_cap=int(under.sum()),
        none_found=none_found,
        duplicates=duplicates,
        note=_note(cfg, len(results), none_found, duplicates),
    )


def _note(cfg: SearchConfig, found: int, none_found: int, duplicates: int) -> str:
    """Why fewer distinct architectures came back than samples were asked for ('' if none)."""
    if found == cfg.samples:
        return ""
    why = []
    if none_found:
        what = (
            "valid architecture"
            if cfg.max_params is None
            else (f"valid architecture with at most {cfg.max_params:,.0f} parameters")
        )
        why.append(f"{none_found} found no {what}")
    if duplicates:
        why.append(f"{duplicates} ended at an architecture another sample had found")
    return f"{found} distinct of {cfg.samples} samples: " + "; ".join(why) + "."


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
