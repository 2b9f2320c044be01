"""ENAS validity on a batch of decoded graphs (D-VAE's ``is_valid_ENAS``, vectorised)."""

from __future__ import annotations

import torch
from torch import Tensor

from ngae.spaces.dense_graphs import INPUT_TYPE, OUTPUT_TYPE


def valid_mask(types: Tensor, adj: Tensor, strict: bool = False) -> Tensor:
    """D-VAE's ``is_valid_ENAS`` for a batch of decoded graphs, ``(B,)`` bool.

    ``types`` is ``(B, N)`` with ``-1`` after the last vertex, ``adj`` ``(B, N, N)`` bool with
    edges only to later vertices. ``strict`` also requires all ``N`` vertices.
    """
    b, n = types.shape
    real = types >= 0
    count = real.sum(1)
    idx = torch.arange(n, device=types.device)
    last = (count - 1).clamp(min=0)
    is_last = idx.unsqueeze(0) == last.unsqueeze(1)
    adj = adj.bool() & real.unsqueeze(2) & real.unsqueeze(1)
    indeg, outdeg = adj.sum(1), adj.sum(2)
    one_input = ((types == INPUT_TYPE) & real).sum(1) == 1
    one_output = ((types == OUTPUT_TYPE) & real).sum(1) == 1
    ends_right = (types[:, 0] == INPUT_TYPE) & (types.gather(1, last.unsqueeze(1))[:, 0] == 1)
    middle = real & (idx.unsqueeze(0) > 0) & ~is_last
    middle_ok = ~(middle & (types < 2)).any(1)
    need_in = real & (idx.unsqueeze(0) > 0)
    in_ok = ~(need_in & (indeg == 0)).any(1)
    out_ok = ~(real & ~is_last & (outdeg == 0)).any(1)
    chain = torch.diagonal(adj, offset=1, dim1=1, dim2=2)  # (B, N - 1): edge i -> i + 1
    chain_ok = ~((idx[:-1].unsqueeze(0) < last.unsqueeze(1)) & ~chain).any(1)
    out_indeg_ok = indeg.gather(1, last.unsqueeze(1))[:, 0] == 1
    ok = one_input & one_output & ends_right & middle_ok & in_ok & out_ok & chain_ok & out_indeg_ok
    ok &= count >= 2
    if strict:
        ok &= count == n
    return ok
