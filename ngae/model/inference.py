"""Batched inference with a trained model: codes, predictions, decodings.

Latent means of many graphs, the predictors on latent points, batched decoding and the most
common valid decoding of a point.

Everything here runs under ``no_grad`` and only reads the model, so one model can serve many
threads (browser sessions) at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor

from ngae.model.graph_tensors import denormalise_perf
from ngae.model.vae import NGAE
from ngae.spaces.base import SearchSpace
from ngae.spaces.complexity import denormalise_complexity
from ngae.spaces.graph_data import GraphData

INFER_BATCH = 1024


@torch.no_grad()
def encode_mu(model: NGAE, types: Tensor, adj: Tensor, batch: int = INFER_BATCH) -> Tensor:
    """Latent means of many graphs, ``(M, nz)``."""
    dtype = next(model.parameters()).dtype
    out = [
        model.encode(types[i : i + batch], adj[i : i + batch].to(dtype))[0]
        for i in range(0, len(types), batch)
    ]
    return torch.cat(out) if out else torch.zeros(0, model.cfg.nz)


@torch.no_grad()
def decode_many(
    model: NGAE,
    z: Tensor,
    stochastic: bool = True,
    generator: torch.Generator | None = None,
    batch: int = INFER_BATCH,
) -> tuple[Tensor, Tensor]:
    """Decode many latent points in batches -> ``types`` ``(M, N)``, ``adj`` ``(M, N, N)``."""
    parts = [model.decode(z[i : i + batch], stochastic, generator) for i in range(0, len(z), batch)]
    return torch.cat([p[0] for p in parts]), torch.cat([p[1] for p in parts])


class GraphedDecoder:
    """Decoding of batches of ``batch`` points, captured once in a CUDA graph and replayed.

    Uses the decoder's static path (``NGAE.decode(static=True)``: no data-dependent shapes or
    host decisions) and the device's default random generator, which a replay advances as an
    eager call would. Points are copied into the graph's input buffer ``batch`` at a time; the
    last chunk is padded with zeros and its padding dropped. With ``capture=False`` (any
    device) the same buffers and chunking run eagerly: the CPU test of this class.
    """

    WARMUP = 2  # eager calls on a side stream before capture

    def __init__(
        self, model: NGAE, batch: int = INFER_BATCH, stochastic: bool = True, capture: bool = True
    ) -> None:
        device = next(model.parameters()).device
        self.model, self.batch, self.stochastic = model, batch, stochastic
        self.z = torch.zeros(batch, model.cfg.nz, device=device)
        self.graph: torch.cuda.CUDAGraph | None = None
        if not capture:
            return
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            for _ in range(self.WARMUP):
                self._decode()
        torch.cuda.current_stream().wait_stream(side)
        self.graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(self.graph):
            self.types, self.adj = self._decode()

    def _decode(self) -> tuple[Tensor, Tensor]:
        return self.model.decode(self.z, self.stochastic, static=True)

    def __call__(self, z: Tensor) -> tuple[Tensor, Tensor]:
        """Decode ``z`` ``(M, nz)`` -> ``types`` ``(M, N)``, ``adj`` ``(M, N, N)``."""
        parts = []
        for i in range(0, len(z), self.batch):
            chunk = z[i : i + self.batch]
            self.z[: len(chunk)].copy_(chunk)
            self.z[len(chunk) :].zero_()
            if self.graph is None:
                types, adj = self._decode()
            else:
                self.graph.replay()
                types, adj = self.types, self.adj
            parts.append((types[: len(chunk)].clone(), adj[: len(chunk)].clone()))
        if not parts:
            n, device = self.model.cfg.max_n, self.z.device
            types = torch.zeros(0, n, dtype=torch.long, device=device)
            return types, torch.zeros(0, n, n, dtype=torch.bool, device=device)
        return torch.cat([p[0] for p in parts]), torch.cat([p[1] for p in parts])


@torch.no_grad()
def most_common_valid(
    model: NGAE,
    z: Tensor,
    decodes: int,
    generator: torch.Generator | None,
    space: SearchSpace,
    allowed: Callable[[Any], bool] | None = None,
) -> list[tuple[Any | None, float, float]]:
    """Decode each point of ``z`` ``(K, nz)`` ``decodes`` times stochastically.

    Returns per point ``(arch, share, valid_share)``: its most common strictly valid decoding
    (``None`` when no decoding was valid), that decoding's share and the share of valid
    decodings. Ties go to the decoding seen first (D-VAE meant the most common one but took
    the first key of a dict: an ``argmax`` over ``dict.values()`` bug). With ``allowed``,
    the most common valid decoding for which it is true (shares still over all decodes).
    Decodings are objects of ``space``.
    """
    types, adj = decode_many(model, z.repeat(decodes, 1), stochastic=True, generator=generator)
    archs = space.to_items(types, adj)
    out: list[tuple[Any | None, float, float]] = []
    for i in range(len(z)):
        mine = [a for a in archs[i :: len(z)] if a is not None]
        counts = Counter(mine).most_common()
        if allowed is not None:
            counts = [(a, n) for a, n in counts if allowed(a)]
        if not counts:
            out.append((None, 0.0, len(mine) / decodes))
            continue
        arch, n = counts[0]
        out.append((arch, n / decodes, len(mine) / decodes))
    return out


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


@torch.no_grad()
def predict_latents(model: NGAE, mu: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """Predicted performance and complexity of latent points in raw units (NaN without heads)."""
    if not model.cfg.predictors:
        nan = np.full(len(mu), np.nan)
        return nan, nan.copy()
    acc, cmplx = model.predict(mu)
    cfg = model.cfg
    raw = denormalise_complexity(cmplx.cpu().numpy(), cfg.cmplx_target, cfg.cmplx_lo, cfg.cmplx_hi)
    return denormalise_perf(acc.cpu().numpy(), cfg), raw


def compute_latents(model: NGAE, data: GraphData) -> LatentTable:
    """Encode every graph and apply the predictors."""
    device = next(model.parameters()).device
    types = torch.as_tensor(data.types, device=device)
    adj = torch.as_tensor(data.adj, dtype=torch.float32, device=device)
    mu = encode_mu(model, types, adj)
    acc, params = predict_latents(model, mu)
    return LatentTable(mu.cpu().numpy().astype(np.float32), acc, params)
