"""Batched inference with a trained model: latent means, decodings, most common valid decoding.

Everything here runs under ``no_grad`` and only reads the model, so one model can serve many
threads (browser sessions) at once.
"""

from __future__ import annotations

from collections import Counter

import torch
from torch import Tensor

from ngae.model.vae import NGAE
from ngae.space.arch import Arch
from ngae.space.dense_graphs import to_archs

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


@torch.no_grad()
def most_common_valid(
    model: NGAE, z: Tensor, decodes: int, generator: torch.Generator | None = None
) -> list[tuple[Arch | None, float, float]]:
    """Decode each point of ``z`` ``(K, nz)`` ``decodes`` times stochastically.

    Returns per point ``(arch, share, valid_share)``: its most common strictly valid decoding
    (``None`` when no decoding was valid), that decoding's share and the share of valid
    decodings. Ties go to the decoding seen first (D-VAE meant the most common one but took
    the first key of a dict: an ``argmax`` over ``dict.values()`` bug).
    """
    types, adj = decode_many(model, z.repeat(decodes, 1), stochastic=True, generator=generator)
    archs = to_archs(types, adj)
    out: list[tuple[Arch | None, float, float]] = []
    for i in range(len(z)):
        mine = [a for a in archs[i :: len(z)] if a is not None]
        if not mine:
            out.append((None, 0.0, 0.0))
            continue
        arch, n = Counter(mine).most_common(1)[0]
        out.append((arch, n / decodes, len(mine) / decodes))
    return out
