"""Complexity of ENAS architectures: exact parameter counts and NGAE's proxy.

The exact count is the number of trainable parameters of the fixed-architecture ENAS macro
network (:mod:`ngae.space.enas_net`), in closed form: convolutions have no bias, batch norms count
scale and shift only. Pool layers are the reduction points of ENAS's ``GeneralChild``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ngae.space.arch import Arch

KERNEL_SIZE = {0: 3, 1: 3, 2: 5, 3: 5}
NUM_CLASSES = 10

# NGAE's per-type multiplier m(type) for the proxy 48 * sum_v m(type_v) * indeg(v).
PROXY_MULTIPLIER = {1: 48, 2: 10, 3: 10, 4: 26, 5: 26, 6: 1, 7: 1}


def reduction_layers(num_layers: int) -> tuple[int, ...]:
    """Layers after which ENAS doubles the filters (``[1, 3]`` for 6 layers)."""
    distance = num_layers // 3
    return (distance - 1, 2 * distance - 1)


def param_count(arch: Arch, filters: int = 96, separable: bool = False) -> int:
    """Exact trainable parameters of the ENAS network for ``arch`` with ``filters`` stem filters.

    ``separable`` counts true depthwise-separable kxk convs for ops 1 and 3 (depthwise kxk
    plus pointwise 1x1) instead of ENAS's plain convs.
    """
    c = filters
    total = 3 * 3 * 3 * c + 2 * c  # stem conv + BN
    stored = 1
    reductions = reduction_layers(arch.num_layers)
    for i, (op, row) in enumerate(zip(arch.ops, arch.skips, strict=True)):
        if op in KERNEL_SIZE:
            k = KERNEL_SIZE[op]
            kxk = (k * k * c + c * c) if (separable and op in (1, 3)) else k * k * c * c
            total += c * c + 2 * c + kxk + 2 * c  # 1x1 conv + BN, kxk conv + BN
        if i > 0:
            total += (sum(row) + 1) * c * c + 2 * c  # skip-concat 1x1 conv + BN
        stored += 1
        if i in reductions:
            total += stored * (c * 2 * c + 2 * 2 * c)  # factorised reductions: 2 x (c -> c) + BN
            c *= 2
    return total + c * NUM_CLASSES


def param_counts(archs: Sequence[Arch], filters: int = 96, separable: bool = False) -> np.ndarray:
    """Exact parameter counts of many architectures, ``(M,)`` int64."""
    return np.array([param_count(a, filters, separable) for a in archs], dtype=np.int64)


def ngae_proxy(types: np.ndarray, adj: np.ndarray) -> np.ndarray:
    """NGAE's complexity proxy ``48 * sum_{v>0} m(type_v) * indeg(v)`` for dense graphs.

    Args:
        types: ``(M, N)`` vertex types.
        adj: ``(M, N, N)`` adjacency, ``adj[b, u, v] = 1`` for an edge u->v.

    Returns:
        ``(M,)`` float64 proxy values.
    """
    lookup = np.zeros(max(PROXY_MULTIPLIER) + 1)
    for t, m in PROXY_MULTIPLIER.items():
        lookup[t] = m
    indeg = adj.sum(axis=1)
    safe_types = np.clip(types, 0, len(lookup) - 1)
    return 48.0 * (lookup[safe_types] * indeg)[:, 1:].sum(axis=1)


# Normalised targets live in [MARGIN, 1 - MARGIN] so the sigmoid head can reach both ends.
MARGIN = 0.1


def complexity_scale(values: np.ndarray, kind: str) -> tuple[float, float]:
    """One global ``(lo, hi)`` for the whole data set (log for ``params``, linear for ``proxy``)."""
    x = np.log(np.maximum(values, 1.0)) if kind == "params" else np.asarray(values, np.float64)
    return float(x.min()), float(x.max())


def normalise_complexity(values: np.ndarray, kind: str, lo: float, hi: float) -> np.ndarray:
    """Map raw complexity to the head's target range with the global scale ``(lo, hi)``."""
    x = np.log(np.maximum(values, 1.0)) if kind == "params" else np.asarray(values, np.float64)
    return MARGIN + (1 - 2 * MARGIN) * (x - lo) / max(hi - lo, 1e-12)


def denormalise_complexity(y: np.ndarray, kind: str, lo: float, hi: float) -> np.ndarray:
    """Inverse of :func:`normalise_complexity`: head outputs back to raw complexity."""
    x = lo + (np.asarray(y, dtype=np.float64) - MARGIN) / (1 - 2 * MARGIN) * (hi - lo)
    return np.exp(x) if kind == "params" else x
