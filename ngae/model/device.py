"""Where a model runs: ``auto`` picks CUDA when present, the CPU everywhere else."""

from __future__ import annotations

import torch

from ngae.errors import UserInputError


def resolve_device(name: str) -> torch.device:
    """``auto`` (CUDA when available, else CPU), ``cpu``, ``cuda`` or ``cuda:N``."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cpu":
        return torch.device("cpu")
    if name == "cuda" or name.startswith("cuda:"):
        if not torch.cuda.is_available():
            raise UserInputError(f"device {name!r}: CUDA is not available here (use auto or cpu)")
        try:
            return torch.device(name)
        except RuntimeError:
            raise UserInputError(f"not a CUDA device: {name!r}") from None
    raise UserInputError(f"device must be auto, cpu or cuda, got {name!r}")
