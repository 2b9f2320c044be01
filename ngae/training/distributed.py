"""Data-parallel training under ``torchrun`` (DistributedDataParallel; gloo on CPU, NCCL on GPU).

Without ``torchrun`` (``WORLD_SIZE`` unset or 1) everything here is a no-op, so one code path
serves a laptop, one GPU and many.
"""

from __future__ import annotations

import os

import torch
import torch.distributed as dist


def world() -> tuple[int, int]:
    """``(rank, world_size)`` from torchrun's environment."""
    return int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1))


def setup(device: torch.device) -> torch.device:
    """Join the process group when launched by torchrun; returns this rank's device."""
    rank, size = world()
    if size <= 1 or dist.is_initialized():
        return device
    if device.type == "cuda":
        local = int(os.environ.get("LOCAL_RANK", 0))
        torch.cuda.set_device(local)
        device = torch.device("cuda", local)
    dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return device


def wrap(model: torch.nn.Module) -> torch.nn.Module:
    """The model wrapped in DDP when distributed (its ``forward`` is the loss)."""
    if not dist.is_initialized():
        return model
    device_ids = [model.encoder.fc1.weight.device.index] if torch.cuda.is_available() else None
    return torch.nn.parallel.DistributedDataParallel(model, device_ids=device_ids)


def shard(order: torch.Tensor) -> torch.Tensor:
    """This rank's equal share of a permutation (the tail that does not divide is dropped)."""
    rank, size = world()
    if size <= 1:
        return order
    per = len(order) // size
    return order[rank * per : (rank + 1) * per]


def all_sum(values: dict[str, float], device: torch.device) -> dict[str, float]:
    """Sum per-rank floats over all ranks (identity when not distributed)."""
    if not dist.is_initialized():
        return values
    t = torch.tensor(list(values.values()), dtype=torch.float64, device=device)
    dist.all_reduce(t)
    return dict(zip(values, t.tolist(), strict=True))


def is_main() -> bool:
    """Rank 0 (or not distributed): the process that saves and reports."""
    return world()[0] == 0


def barrier() -> None:
    """Wait for every rank (no-op when not distributed)."""
    if dist.is_initialized():
        dist.barrier()


def teardown() -> None:
    """Leave the process group."""
    if dist.is_initialized():
        dist.destroy_process_group()
