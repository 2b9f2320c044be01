"""Model inputs and targets as tensors, built from a :class:`~ngae.data.GraphData`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from ngae.config import ModelConfig
from ngae.spaces.complexity import MARGIN, complexity_scale, normalise_complexity
from ngae.spaces.graph_data import GraphData


@dataclass(frozen=True)
class GraphTensors:
    """Dense graphs and normalised targets on one device.

    ``types`` ``(M, N)``, ``adj`` ``(M, N, N)`` float, ``acc`` ``(M,)`` performance in the head's
    units (:func:`normalise_perf`: raw accuracy for ENAS), ``cmplx`` ``(M,)`` normalised
    complexity.
    """

    types: Tensor
    adj: Tensor
    acc: Tensor
    cmplx: Tensor

    def __len__(self) -> int:
        return len(self.types)

    def batch(self, index: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """The graphs at ``index``."""
        return self.types[index], self.adj[index], self.acc[index], self.cmplx[index]

    def head(self, count: int) -> GraphTensors:
        """The first ``count`` graphs (all of them when there are fewer)."""
        return GraphTensors(*(t[:count] for t in (self.types, self.adj, self.acc, self.cmplx)))


def raw_complexity(data: GraphData, kind: str) -> np.ndarray:
    """The complexity values the head predicts, before normalisation."""
    if kind not in ("params", "proxy"):
        raise ValueError(f"unknown complexity target {kind!r} (use 'params' or 'proxy')")
    return data.params if kind == "params" else data.proxy


def with_data_scale(cfg: ModelConfig, data: GraphData) -> ModelConfig:
    """``cfg`` with the data set's vertex counts and global complexity and performance scales.

    Performance targets within [0, 1] (accuracies) stay as they are; others (a score such as
    BIC) are mapped linearly so the data set spans [MARGIN, 1 - MARGIN] of the sigmoid head.
    """
    lo, hi = complexity_scale(raw_complexity(data, cfg.cmplx_target), cfg.cmplx_target)
    values = {**cfg.__dict__, "num_types": data.num_types, "max_n": data.max_n}
    perf_lo, perf_hi = 0.0, 1.0
    y_lo, y_hi = float(np.min(data.acc)), float(np.max(data.acc))
    if y_lo < 0.0 or y_hi > 1.0:
        pad = (y_hi - y_lo) * MARGIN / (1 - 2 * MARGIN)
        perf_lo, perf_hi = y_lo - pad, y_hi + pad
    scales = {"cmplx_lo": lo, "cmplx_hi": hi, "perf_lo": perf_lo, "perf_hi": perf_hi}
    return ModelConfig(**{**values, **scales})


def normalise_perf(values: np.ndarray, cfg: ModelConfig) -> np.ndarray:
    """Raw performance (accuracy, BIC) to the head's units."""
    return (np.asarray(values, dtype=np.float64) - cfg.perf_lo) / (cfg.perf_hi - cfg.perf_lo)


def denormalise_perf(y: np.ndarray, cfg: ModelConfig) -> np.ndarray:
    """The head's outputs back to raw performance."""
    return cfg.perf_lo + np.asarray(y, dtype=np.float64) * (cfg.perf_hi - cfg.perf_lo)


def to_tensors(data: GraphData, cfg: ModelConfig, device: torch.device | str) -> GraphTensors:
    """Tensors for ``data`` on ``device``, complexity normalised with ``cfg``'s global scale."""
    kind = cfg.cmplx_target
    cmplx = normalise_complexity(raw_complexity(data, kind), kind, cfg.cmplx_lo, cfg.cmplx_hi)
    return GraphTensors(
        types=torch.as_tensor(data.types, dtype=torch.long, device=device),
        adj=torch.as_tensor(data.adj, dtype=torch.float32, device=device),
        acc=torch.as_tensor(normalise_perf(data.acc, cfg), dtype=torch.float32, device=device),
        cmplx=torch.as_tensor(cmplx, dtype=torch.float32, device=device),
    )
