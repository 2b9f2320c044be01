"""Model inputs and targets as tensors, built from a :class:`~ngae.data.GraphData`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from ngae.config import ModelConfig
from ngae.space.complexity import complexity_scale, normalise_complexity
from ngae.space.data import GraphData


@dataclass(frozen=True)
class GraphTensors:
    """Dense graphs and normalised targets on one device.

    ``types`` ``(M, N)``, ``adj`` ``(M, N, N)`` float, ``acc`` ``(M,)`` raw accuracy, ``cmplx``
    ``(M,)`` normalised complexity.
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
    """``cfg`` with the data set's vertex counts and one global complexity scale."""
    lo, hi = complexity_scale(raw_complexity(data, cfg.cmplx_target), cfg.cmplx_target)
    values = {**cfg.__dict__, "num_types": data.num_types, "max_n": data.max_n}
    return ModelConfig(**{**values, "cmplx_lo": lo, "cmplx_hi": hi})


def to_tensors(data: GraphData, cfg: ModelConfig, device: torch.device | str) -> GraphTensors:
    """Tensors for ``data`` on ``device``, complexity normalised with ``cfg``'s global scale."""
    kind = cfg.cmplx_target
    cmplx = normalise_complexity(raw_complexity(data, kind), kind, cfg.cmplx_lo, cfg.cmplx_hi)
    return GraphTensors(
        types=torch.as_tensor(data.types, dtype=torch.long, device=device),
        adj=torch.as_tensor(data.adj, dtype=torch.float32, device=device),
        acc=torch.as_tensor(data.acc, dtype=torch.float32, device=device),
        cmplx=torch.as_tensor(cmplx, dtype=torch.float32, device=device),
    )
