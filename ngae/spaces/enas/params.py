"""Exact parameter counts of ENAS architectures.

The exact count is the number of trainable parameters of the fixed-architecture ENAS macro
network (:mod:`ngae.spaces.enas.network`), in closed form: convolutions have no bias, batch norms
count scale and shift only. Pool layers are the reduction points of ENAS's ``GeneralChild``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ngae.spaces.enas.arch import Arch

KERNEL_SIZE = {0: 3, 1: 3, 2: 5, 3: 5}
NUM_CLASSES = 10


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
