"""Batch operations on dense graphs: exact matches and hashable keys.

D-VAE's layout: the input (type 0) first, the output (type 1) last, ``-1`` types after the
last vertex of a shorter decoding.
"""

from __future__ import annotations

import numpy as np
from torch import Tensor

INPUT_TYPE = 0
OUTPUT_TYPE = 1


def exact_match(types: Tensor, adj: Tensor, true_types: Tensor, true_adj: Tensor) -> Tensor:
    """Same vertex types and in-neighbours at every index, ``(B,)`` bool."""
    same_types = (types == true_types).all(1)
    same_adj = (adj.bool() == true_adj.bool()).flatten(1).all(1)
    return same_types & same_adj


def graph_keys(types: Tensor | np.ndarray, adj: Tensor | np.ndarray) -> list[bytes]:
    """Hashable keys of dense graphs (for uniqueness and novelty by hash sets)."""
    t = np.asarray(types.cpu() if isinstance(types, Tensor) else types).astype(np.int8)
    a = np.asarray(adj.cpu() if isinstance(adj, Tensor) else adj).astype(bool)
    packed = np.packbits(a.reshape(len(a), int(np.prod(a.shape[1:]))), axis=1)
    return [ti.tobytes() + pi.tobytes() for ti, pi in zip(t, packed, strict=True)]
