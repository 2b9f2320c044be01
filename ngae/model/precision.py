"""The precision policy: bf16 matrix products in the encoder and decoder where fast, else fp32.

``fp32`` is the reference model. ``bf16`` rounds the two operands of each large matrix product of
the encoder and decoder to bf16 and accumulates in fp32 (oneDNN on the CPU, tensor cores on a
GPU); each result is rounded to bf16 (as under autocast) and converted back to fp32 at once, so
the GRU gates, the heads, the losses, the KL term, the weight gradients' sums and Adam all stay
fp32. ``auto`` picks bf16 only where a quick measurement shows bf16 products clearly faster
(CPUs without native bf16 run them at a tenth of fp32 speed, and the CPU capability string does
not tell the two kinds apart). The products themselves are :mod:`ngae.model.products`; the
decoder's edge network in bf16 is :mod:`ngae.model.edge_scores`.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

from ngae.errors import UserInputError

PRECISIONS = ("auto", "fp32", "bf16")
MIN_SPEEDUP = 1.5  # bf16 products must be at least this much faster than fp32 for auto to pick them
PROBE_SHAPE = (32, 512, 1536)  # the decoder's GRU hidden projection at batch 32 (M, K, N)


@dataclass(frozen=True)
class PrecisionChoice:
    """What a run computes in (``fp32`` or ``bf16``) and why (a sentence for the log)."""

    name: str
    reason: str


def choose_precision(
    requested: str, device: torch.device, speedup: Callable[[torch.device], float] | None = None
) -> PrecisionChoice:
    """Resolve ``auto|fp32|bf16`` for ``device``.

    ``auto`` measures bf16 against fp32 products (``speedup``, by default :func:`bf16_speedup`)
    and takes bf16 when it is at least :data:`MIN_SPEEDUP` times faster. An explicit ``bf16``
    where the device has no bf16 products at all is an error.
    """
    if requested not in PRECISIONS:
        raise UserInputError(f"precision must be one of {', '.join(PRECISIONS)}, got {requested!r}")
    if requested == "fp32":
        return PrecisionChoice("fp32", "fp32 as asked")
    if not bf16_available(device):
        if requested == "bf16":
            raise UserInputError(f"precision bf16: this {device.type} has no bf16 matrix products")
        return PrecisionChoice("fp32", f"fp32: this {device.type} has no bf16 matrix products")
    if requested == "bf16":
        return PrecisionChoice("bf16", "bf16 matrix products as asked")
    ratio = (speedup or bf16_speedup)(device)
    if ratio >= MIN_SPEEDUP:
        return PrecisionChoice("bf16", f"bf16: its matrix products run {ratio:.1f}x fp32 here")
    return PrecisionChoice(
        "fp32", f"fp32: bf16 matrix products run only {ratio:.1f}x fp32 here (need {MIN_SPEEDUP}x)"
    )


def bf16_available(device: torch.device) -> bool:
    """Whether ``device`` has bf16 matrix products (native or not)."""
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    return device.type == "cpu" and torch.ops.mkldnn._is_mkldnn_bf16_supported()


@functools.cache
def bf16_speedup(device: torch.device) -> float:
    """fp32 time over bf16 time of the model's typical product on ``device`` (about 50 ms)."""
    m, k, n = PROBE_SHAPE
    gen = torch.Generator(device=device).manual_seed(0)
    a = torch.randn(m, k, device=device, generator=gen)
    b = torch.randn(k, n, device=device, generator=gen)
    return _best_time(a, b) / _best_time(a.bfloat16(), b.bfloat16())


def _best_time(a: Tensor, b: Tensor, repeats: int = 5, inner: int = 8) -> float:
    a @ b  # warm-up: first calls pick kernels and allocate
    best = float("inf")
    for _ in range(repeats):
        if a.is_cuda:
            torch.cuda.synchronize()
        start = time.perf_counter()
        for _ in range(inner):
            a @ b
        if a.is_cuda:
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - start)
    return best
