"""Checkpoint files: one file per run, plain dicts and tensors, written atomically.

Every checkpoint loads with ``torch.load(weights_only=True)`` and no flags: the model and
training configuration are stored as plain dicts beside the weights, the per-epoch history and
the evaluation results, and the SHA-256 of the data file the model was trained on.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

from ngae.config import ModelConfig, from_dict
from ngae.errors import CheckpointError
from ngae.files import PROJECT_CHECKPOINTS, PROJECT_ROOT, atomic_write_bytes, file_sha256
from ngae.model.vae import NGAE
from ngae.spaces.registry import default_space

FORMAT = "ngae-checkpoint/1"


def checkpoint_dir() -> Path:
    """The folder the dashboard may load checkpoints from and training jobs write to.

    ``NGAE_CHECKPOINT_DIR`` overrides it (tests, other installs); read at each call.
    """
    return Path(os.environ.get("NGAE_CHECKPOINT_DIR") or PROJECT_CHECKPOINTS).resolve()


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


def checkpoint_data_path(ckpt: dict[str, Any], checkpoint: str | Path | None = None) -> Path:
    """The data file a checkpoint was trained on: the one answer every caller uses.

    Training records the path relative to the project when the file is inside it, else
    absolute (:func:`ngae.files.project_relative`). It is looked for, in order: as recorded
    (an absolute path, or relative to the project, never to the working directory), then under
    the same name beside the checkpoint (a checkpoint moved with its data). A candidate whose
    SHA-256 matches the recorded ``data_hash`` wins over one that merely exists.
    """
    stored = (ckpt.get("train_config") or {}).get("data") or ckpt.get("data_path")
    if not stored:
        return default_space().data_file
    recorded = Path(str(stored))
    candidates = [recorded if recorded.is_absolute() else PROJECT_ROOT / recorded]
    if checkpoint is not None:
        candidates.append(Path(checkpoint).resolve().parent / recorded.name)
    found = list(dict.fromkeys(p for p in candidates if p.is_file()))
    if not found:
        raise CheckpointError(
            f"the checkpoint's data file {stored} is missing (looked in "
            + ", ".join(str(p.parent) for p in candidates)
            + "); `make data` makes the data sets too large for git"
        )
    digest = ckpt.get("data_hash")
    matching = [p for p in found if digest is None or file_sha256(p) == digest]
    return (matching or found)[0]
