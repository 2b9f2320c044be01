"""What the bf16 tests share: the skip where a CPU has no bf16 products, rounding, a norm check."""

from __future__ import annotations

import pytest
import torch

from ngae.model import precision

needs_bf16 = pytest.mark.skipif(
    not precision.bf16_available(torch.device("cpu")),
    reason="this CPU has no bf16 matrix products",
)


def rounded(t: torch.Tensor) -> torch.Tensor:
    """``t`` rounded to bf16 and back (the gradient flows through)."""
    return t.bfloat16().float()


def assert_near(got: torch.Tensor, want: torch.Tensor, share: float) -> None:
    """``got`` is within ``share`` of ``want`` in norm (bf16 rounds each entry by ~0.4%)."""
    assert float((got - want).detach().norm()) <= share * float(want.detach().norm())
