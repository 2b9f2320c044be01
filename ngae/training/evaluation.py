"""``evaluate``: every published metric of a checkpoint, with the sample counts used."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ngae.model.checkpoint import (
    checkpoint_data_path,
    load_checkpoint,
    model_from_checkpoint,
    save_checkpoint,
)
from ngae.model.device import resolve_device
from ngae.model.graph_tensors import denormalise_perf, raw_complexity, to_tensors
from ngae.model.inference import encode_mu
from ngae.spaces.base import SearchSpace
from ngae.spaces.canonical_keys import canonical_keys
from ngae.spaces.complexity import denormalise_complexity, normalise_complexity
from ngae.spaces.graph_data import GraphData
from ngae.spaces.registry import SPACES, default_space, load_dataset
from ngae.training.fit import split_data
from ngae.training.metrics import prior_metrics, recon_accuracy, regression_metrics, top_k_metrics


# Published figures on final_structures6: D-VAE (Zhang et al., NeurIPS 2019), DIGGED
# and NGAE's accuracy-predictor RMSE after 300 epochs (README, "The shipped model").
@dataclass(frozen=True)
class EvalSettings:
    """Sample counts of the protocols (defaults: D-VAE's)."""

    recon_decodes: int = 100
    prior_samples: int = 1000
    prior_decodes: int = 10
    seed: int = 0
    device: str = "auto"
    # Training graphs encoded for the prior's rescaling (mean and std per latent dimension);
    # 0: all of them (D-VAE's). A seeded random subset makes quick evaluations quicker.
    prior_stats_graphs: int = 0

    def protocol(self) -> str:
        """``full`` (D-VAE's sample counts or more: comparable with the published figures).

        Anything less is ``quick``.
        """
        full = EvalSettings()
        counts = ("recon_decodes", "prior_samples", "prior_decodes")
        enough = all(getattr(self, k) >= getattr(full, k) for k in counts)
        return "full" if enough and self.prior_stats_graphs == 0 else "quick"


def evaluate_checkpoint(
    path: str | Path, settings: EvalSettings, data_path: str | None = None, store: bool = False
) -> dict[str, Any]:
    """Evaluate a checkpoint on its data set's D-VAE test split; optionally store the result."""
    start = time.perf_counter()
    ckpt = load_checkpoint(path)
    device = resolve_device(settings.device)
    model = model_from_checkpoint(ckpt, device)
    data = load_dataset(data_path or checkpoint_data_path(ckpt, path))
    train, test = split_data(data)
    stats = _prior_stats_graphs(train, settings)
    stats_t, test_t = to_tensors(stats, model.cfg, device), to_tensors(test, model.cfg, device)
    train_mu = encode_mu(model, stats_t.types, stats_t.adj)
    test_mu = encode_mu(model, test_t.types, test_t.adj)
    result: dict[str, Any] = {
        "checkpoint": str(path),
        "epoch": ckpt.get("epoch", 0),
        "protocol": settings.protocol(),
    }
    result["recon_acc"] = recon_accuracy(
        model, test_mu, test_t.types, test_t.adj, settings.recon_decodes, settings.seed
    )
    keys_of = dag_keys_for(train)
    space = space_rules_for(train)
    train_keys = set(keys_of(train.types, train.adj))
    result.update(
        prior_metrics(
            model,
            train_mu,
            train_keys,
            settings.prior_samples,
            settings.prior_decodes,
            settings.seed,
            keys_of,
            space.valid_mask,
        )
    )
    result["space"] = data.space
    result["validity_rule"] = space.validity_rule
    if model.cfg.predictors:
        result.update(predictor_report(model, test_mu, test))
    result.update(
        {
            "test_graphs": len(test),
            "train_graphs": len(train),
            "recon_decodes": settings.recon_decodes,
            "prior_samples": settings.prior_samples,
            "prior_stats_graphs": len(stats),
            "device": str(device),
            "seconds": time.perf_counter() - start,
        }
    )
    if store:
        save_checkpoint(
            path, {k: v for k, v in ckpt.items() if k != "format"} | {"evaluation": result}
        )
    return result


def dag_keys_for(data: GraphData) -> Callable[[np.ndarray, np.ndarray], list[bytes]]:
    """How graphs of ``data`` are told apart for uniqueness and novelty.

    As the data set's space tells (by vertex order in ENAS, where a cell's chain fixes it; by
    the network in Asia, whatever vertex order a decoding takes); up to isomorphism in the
    general DAG format, so isomorphic DAGs count once.
    """
    return SPACES[data.space].keys if data.space in SPACES else canonical_keys


def space_rules_for(data: GraphData) -> SearchSpace:
    """The space whose validity rule judges decodings of ``data``'s model.

    Its own; general DAGs keep the default space's, as the explorer does.
    """
    return SPACES.get(data.space, default_space())


def _prior_stats_graphs(train: GraphData, settings: EvalSettings) -> GraphData:
    """The training graphs whose codes rescale the prior: all, or a seeded random subset."""
    count = settings.prior_stats_graphs
    if count <= 0 or count >= len(train):
        return train
    generator = torch.Generator().manual_seed(settings.seed)
    chosen = torch.randperm(len(train), generator=generator)[:count].sort().values
    return train.subset(chosen.numpy())


def predictor_report(model: Any, mu: torch.Tensor, test: Any) -> dict[str, float]:
    """Accuracy-head and complexity-head figures on the test split (raw accuracy units)."""
    with torch.no_grad():
        acc, cmplx = (t.cpu().numpy().astype(np.float64) for t in model.predict(mu))
    cfg = model.cfg
    acc = denormalise_perf(acc, cfg)
    out = {f"perf_{k}": v for k, v in regression_metrics(acc, test.acc).items() if k != "r2"}
    out.update({f"perf_{k}": v for k, v in top_k_metrics(acc, test.acc).items()})
    raw = raw_complexity(test, cfg.cmplx_target)
    target = normalise_complexity(raw, cfg.cmplx_target, cfg.cmplx_lo, cfg.cmplx_hi)
    reg = regression_metrics(cmplx, target)
    out.update({"cmplx_rmse": reg["rmse"], "cmplx_r2": reg["r2"], "cmplx_kendall": reg["kendall"]})
    pred_raw = denormalise_complexity(cmplx, cfg.cmplx_target, cfg.cmplx_lo, cfg.cmplx_hi)
    out["cmplx_r2_raw"] = regression_metrics(pred_raw, raw)["r2"]
    # Relative to the true complexity, at least 1 (a space may have objects of complexity 0).
    out["cmplx_mape_raw"] = float(np.mean(np.abs(pred_raw - raw) / np.maximum(np.abs(raw), 1.0)))
    return out
