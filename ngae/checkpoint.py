"""Checkpoint files: one file per run, plain dicts and tensors, written atomically.

Every checkpoint loads with ``torch.load(weights_only=True)`` and no flags: the model and
training configuration are stored as plain dicts beside the weights, the per-epoch history and
the evaluation results, and the SHA-256 of the data file the model was trained on.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import torch

from ngae.config import ModelConfig, TrainConfig, from_dict, to_dict
from ngae.errors import CheckpointError
from ngae.model import NGAE

FORMAT = "ngae-checkpoint/1"
# The project's checkpoint folder (the shipped default model lives here).
PROJECT_CHECKPOINTS = Path(__file__).resolve().parent.parent / "checkpoints"


def checkpoint_dir() -> Path:
    """The folder the dashboard may load checkpoints from and training jobs write to.

    ``NGAE_CHECKPOINT_DIR`` overrides it (tests, other installs); read at each call.
    """
    return Path(os.environ.get("NGAE_CHECKPOINT_DIR") or PROJECT_CHECKPOINTS).resolve()


def atomic_write_bytes(path: Path, writer: Any) -> None:
    """Call ``writer(file)`` on a temporary file beside ``path``, fsync it, then rename it over."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, 0o644)  # mkstemp makes files private; these are meant to be shared
        with os.fdopen(fd, "wb") as f:
            writer(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_checkpoint(path: str | Path, payload: dict[str, Any]) -> None:
    """Write a checkpoint dict atomically (a crash never leaves a half-written file)."""
    payload = {"format": FORMAT, **payload}
    atomic_write_bytes(Path(path), lambda f: torch.save(payload, f))


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    """Read and validate a checkpoint file; raises :class:`CheckpointError` with a clear reason."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: no such checkpoint file")
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # torch raises many types for corrupt or foreign files
        raise CheckpointError(
            f"{path}: not a readable checkpoint ({err.__class__.__name__})"
        ) from None
    if not isinstance(ckpt, dict) or ckpt.get("format") != FORMAT:
        raise CheckpointError(f"{path}: not an NGAE checkpoint (missing format {FORMAT!r})")
    for key in ("model_config", "state_dict"):
        if not isinstance(ckpt.get(key), dict):
            raise CheckpointError(f"{path}: checkpoint lacks {key!r} (a dict)")
    if not all(isinstance(v, torch.Tensor) for v in ckpt["state_dict"].values()):
        raise CheckpointError(f"{path}: checkpoint weights are not all tensors")
    return ckpt


def model_from_checkpoint(ckpt: dict[str, Any], device: str | torch.device = "cpu") -> NGAE:
    """Build the model from its stored config and load (validated) weights in float32."""
    try:
        cfg = from_dict(ModelConfig, ckpt["model_config"])
        model = NGAE(cfg)
    except (TypeError, ValueError, RuntimeError) as err:
        raise CheckpointError(f"invalid model config in checkpoint: {err}") from None
    state = {k: v.float() if v.is_floating_point() else v for k, v in ckpt["state_dict"].items()}
    expected = model.state_dict()
    missing = set(expected) - set(state)
    if missing or set(state) - set(expected):
        raise CheckpointError(f"weights do not match the config (missing {sorted(missing)[:3]})")
    for name, tensor in state.items():
        if tensor.shape != expected[name].shape:
            raise CheckpointError(
                f"weight {name} has shape {tuple(tensor.shape)}, config needs "
                f"{tuple(expected[name].shape)}"
            )
        if not torch.isfinite(tensor).all():
            raise CheckpointError(f"weight {name} contains NaN or infinity")
    model.load_state_dict(state)
    return model.to(device).eval()


def train_config_of(ckpt: dict[str, Any]) -> TrainConfig:
    """The training configuration stored in a checkpoint."""
    return from_dict(TrainConfig, ckpt.get("train_config", {}))


def export_checkpoint(src: str | Path, dst: str | Path, half: bool = True) -> None:
    """A compact copy for shipping: no optimizer state; big VAE weights in float16 if ``half``.

    The predictor heads stay float32 (their outputs are compared at the 1e-3 level).
    """
    ckpt = load_checkpoint(src)
    state = {}
    for name, tensor in ckpt["state_dict"].items():
        small = name.startswith(("perf_head", "cmplx_head")) or tensor.numel() < 4096
        state[name] = tensor if (small or not half) else tensor.half()
    keep = {k: v for k, v in ckpt.items() if k not in ("optimizer", "scheduler", "rng", "format")}
    save_checkpoint(dst, {**keep, "state_dict": state, "exported_from": str(src)})


def describe(ckpt: dict[str, Any]) -> dict[str, Any]:
    """A short summary for listings: epochs, config and last losses."""
    history = ckpt.get("history", [])
    return {
        "epoch": ckpt.get("epoch", 0),
        "model_config": ckpt["model_config"],
        "train_config": ckpt.get("train_config", {}),
        "last": history[-1] if history else {},
        "evaluation": ckpt.get("evaluation"),
    }


__all__ = [
    "PROJECT_CHECKPOINTS",
    "checkpoint_dir",
    "atomic_write_bytes",
    "describe",
    "export_checkpoint",
    "load_checkpoint",
    "model_from_checkpoint",
    "save_checkpoint",
    "to_dict",
    "train_config_of",
]
