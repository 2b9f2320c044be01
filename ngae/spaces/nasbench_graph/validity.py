"""Which decoded graphs are NAS-Bench-Graph architectures, and their benchmark hashes, by batch.

The rule is :meth:`~ngae.spaces.nasbench_graph.arch.GnnArch.from_dag`'s, on dense tensors:
no per-graph Python loop.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from ngae.spaces.dense_graphs import INPUT_TYPE, OUTPUT_TYPE
from ngae.spaces.nasbench_graph.arch import FIRST_OP_TYPE, OUTPUT, VERTICES
from ngae.spaces.nasbench_graph.canonical import OPS, SKIP, hash_table, raw_codes


def valid_mask(types: Tensor, adj: Tensor) -> Tensor:
    """``(B,)`` bool: the graph is an architecture of the space.

    ``types`` ``(B, N)`` (``-1`` after the last vertex of a shorter decoding), ``adj``
    ``(B, N, N)``. Only ``N = 6`` graphs with all six vertices can be valid.
    """
    b, n = types.shape
    if n != VERTICES:
        return torch.zeros(b, dtype=torch.bool, device=types.device)
    a = adj.bool()
    inner = types[:, 1:OUTPUT] - FIRST_OP_TYPE  # (B, 4) op indices
    ends = (types[:, 0] == INPUT_TYPE) & (types[:, OUTPUT] == OUTPUT_TYPE)
    ops_ok = ((inner >= 0) & (inner < len(OPS))).all(1) & (inner != SKIP).any(1)
    lower = torch.ones(n, n, dtype=torch.bool, device=a.device).tril()
    forward = ~(a & lower).flatten(1).any(1)
    one_input = (a[:, :OUTPUT, 1:OUTPUT].sum(1) == 1).all(1)  # (B, 4) in-degrees
    leaf = ~a[:, 1:OUTPUT, 1:OUTPUT].any(2)  # (B, 4): no computing child
    outputs = (a[:, 1:OUTPUT, OUTPUT] == leaf).all(1) & ~a[:, 0, OUTPUT]
    return ends & ops_ok & forward & one_input & outputs


def valid_hashes(types: np.ndarray, adj: np.ndarray) -> np.ndarray:
    """Benchmark hash of each graph ``(M,)`` int64; the graphs must be valid (:func:`valid_mask`).

    Each computing node's input is its one in-edge, so links and ops read straight off the
    tensors and the hash is one look-up in :func:`~.canonical.hash_table`.
    """
    types, adj = np.asarray(types), np.asarray(adj).astype(bool)
    links = adj[:, :OUTPUT, 1:OUTPUT].argmax(1)  # (M, 4) the one input of each node
    ops = types[:, 1:OUTPUT] - FIRST_OP_TYPE
    return hash_table()[raw_codes(links, ops)].astype(np.int64)
