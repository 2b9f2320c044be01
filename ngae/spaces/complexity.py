"""Complexity targets of the model's head: NGAE's proxy and the global normalisation.

NGAE's proxy is computed from vertex types and in-degrees of any dense DAG; the exact
complexity of an object is its space's (:meth:`ngae.spaces.base.SearchSpace.complexity`).
"""

from __future__ import annotations

import numpy as np

# NGAE's per-type multiplier m(type) for the proxy 48 * sum_v m(type_v) * indeg(v).
PROXY_MULTIPLIER = {1: 48, 2: 10, 3: 10, 4: 26, 5: 26, 6: 1, 7: 1}


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
