"""The BIC oracle for Bayesian networks over discrete data, and the exact optimum.

BIC as bnlearn's ``score(type = "bic")`` defines it for discrete data (higher is better)::

    BIC(G) = sum_i [ LL_i(pa_i) - log(n) / 2 * (r_i - 1) * prod_{j in pa_i} r_j ]
    LL_i(P) = sum_{parent states j, values k} N_ijk * log(N_ijk / N_ij)   (natural log, 0 log 0 = 0)

The score decomposes over nodes, so one table of local scores, ``local[i, P]`` for every node ``i``
and every parent set ``P`` (a bit mask over the variables), scores any DAG by ``V`` lookups. With
``V`` variables that table has ``V * 2^V`` entries (2,048 for Asia) and is computed once from the
counts. The exact optimum over all DAGs is the dynamic programme over parent sets of Silander and
Myllymaki (2006): best parents of ``i`` within every candidate set, then best networks over every
variable subset by choosing its last (sink) variable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


class LocalScores:
    """Local BIC scores of every (node, parent set) pair of a discrete data set.

    Args:
        data: ``(n, V)`` integer states, column ``i`` in ``0..r_i - 1``.
        cardinality: ``r_i`` per variable (default: the largest state seen plus one).
    """

    def __init__(self, data: np.ndarray, cardinality: tuple[int, ...] | None = None) -> None:
        data = np.asarray(data, dtype=np.int64)
        if data.ndim != 2 or len(data) == 0:
            raise ValueError("the samples must be a non-empty (rows, variables) table")
        self.n, self.num_vars = data.shape
        card = tuple(int(c) for c in (cardinality or (data.max(0) + 1)))
        self.cardinality = card
        # Joint counts over all variables: one cell per full configuration.
        joint = np.ravel_multi_index(data.T, card)
        self._joint = np.bincount(joint, minlength=math.prod(card)).reshape(card)
        self.table = np.array(
            [
                [self._local(i, mask) for mask in range(1 << self.num_vars)]
                for i in range(self.num_vars)
            ]
        )  # (V, 2^V); entries whose mask holds i itself are never used

    def _local(self, i: int, mask: int) -> float:
        parents = [j for j in range(self.num_vars) if mask >> j & 1 and j != i]
        keep = [*parents, i]
        drop = tuple(j for j in range(self.num_vars) if j not in keep)
        counts = self._joint.sum(axis=drop) if drop else self._joint
        # Axes of ``counts`` are the kept variables in index order; move i last.
        kept_sorted = sorted(keep)
        counts = np.moveaxis(counts, kept_sorted.index(i), -1).reshape(-1, self.cardinality[i])
        totals = counts.sum(1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            ll = np.where(counts > 0, counts * np.log(counts / np.maximum(totals, 1)), 0.0).sum()
        free = (self.cardinality[i] - 1) * math.prod(self.cardinality[j] for j in parents)
        return float(ll - math.log(self.n) / 2 * free)

    def free_params(self, adj: np.ndarray) -> np.ndarray:
        """Free parameters of DAGs ``adj`` ``(M, V, V)`` (``adj[m, j, i] = 1``: edge j -> i)."""
        adj = np.asarray(adj).astype(bool)
        card = np.asarray(self.cardinality, dtype=np.float64)
        # prod over parents j of r_j = exp(sum_j adj[j, i] log r_j)
        parent_states = np.exp(np.einsum("mji,j->mi", adj, np.log(card)))
        return np.rint((card - 1) * parent_states).sum(1).astype(np.int64)

    def score(self, adj: np.ndarray) -> np.ndarray:
        """BIC of DAGs ``adj`` ``(M, V, V)``, ``(M,)`` float64 (acyclicity is not checked here)."""
        adj = np.asarray(adj).astype(np.int64)
        masks = np.einsum("mji,j->mi", adj, 1 << np.arange(self.num_vars))  # parent set per node
        return self.table[np.arange(self.num_vars), masks].sum(1)


@dataclass(frozen=True)
class Optimum:
    """The best DAG: its score and adjacency ``(V, V)`` (``adj[j, i] = 1``: edge j -> i)."""

    score: float
    adjacency: np.ndarray


def exact_optimum(local: LocalScores, variables: tuple[int, ...] | None = None) -> Optimum:
    """The highest-scoring DAG over ``variables`` (default all) by dynamic programming.

    Runs in ``O(V^2 2^V)`` table operations: for ``V = 8`` about 16,000.
    """
    vs = tuple(range(local.num_vars)) if variables is None else tuple(variables)
    k = len(vs)
    # best_in[i][c]: the best local score of vs[i] with parents within candidate subset c
    # (c over the other k - 1 variables, as a mask over positions in vs).
    full = [sum(1 << vs[b] for b in range(k) if c >> b & 1) for c in range(1 << k)]
    best_in = np.empty((k, 1 << k))
    best_set = np.zeros((k, 1 << k), dtype=np.int64)
    for i in range(k):
        for c in range(1 << k):
            if c >> i & 1:
                best_in[i, c] = -np.inf
                continue
            best_in[i, c], best_set[i, c] = local.table[vs[i], full[c]], c
            for b in range(k):  # the best over subsets: drop one candidate at a time
                if c >> b & 1 and best_in[i, c ^ (1 << b)] > best_in[i, c]:
                    best_in[i, c], best_set[i, c] = (
                        best_in[i, c ^ (1 << b)],
                        best_set[i, c ^ (1 << b)],
                    )
    best, sink = np.full(1 << k, -np.inf), np.zeros(1 << k, dtype=np.int64)
    best[0] = 0.0
    for s in range(1, 1 << k):
        for i in range(k):
            if s >> i & 1:
                value = best[s ^ (1 << i)] + best_in[i, s ^ (1 << i)]
                if value > best[s]:
                    best[s], sink[s] = value, i
    adj = np.zeros((local.num_vars, local.num_vars), dtype=np.int64)
    s = (1 << k) - 1
    while s:
        i = int(sink[s])
        parents = best_set[i, s ^ (1 << i)]
        for b in range(k):
            if parents >> b & 1:
                adj[vs[b], vs[i]] = 1
        s ^= 1 << i
    return Optimum(float(best[(1 << k) - 1]), adj)
