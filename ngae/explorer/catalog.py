"""The checkpoints the dashboard may open: names in ``checkpoints/``, never paths from a user."""

from __future__ import annotations

from pathlib import Path

from ngae.errors import UserInputError
from ngae.explorer.results import CheckpointSummary
from ngae.files import PROJECT_CHECKPOINTS
from ngae.model.checkpoint import checkpoint_dir, load_checkpoint

DEFAULT_CHECKPOINT = PROJECT_CHECKPOINTS / "ngae_default.pt"


def list_checkpoints(folder: Path | None = None) -> list[str]:
    """Checkpoint file names under ``checkpoints/`` (the only place the UI may load from)."""
    folder = folder or checkpoint_dir()
    return sorted(p.name for p in folder.glob("*.pt") if p.is_file())


def resolve_checkpoint(name: str, folder: Path | None = None) -> Path:
    """A checkpoint name from the UI as a path inside ``folder``; nothing can escape it."""
    folder = folder or checkpoint_dir()
    if not name or "/" in name or "\\" in name or name.startswith(".") or not name.endswith(".pt"):
        raise UserInputError(f"{name!r} is not a checkpoint name from the list")
    path = (folder / name).resolve()
    if path.parent != folder.resolve() or not path.is_file():
        raise UserInputError(f"{name!r} is not a checkpoint in {folder.name}/")
    return path


def checkpoint_summary(name: str) -> CheckpointSummary:
    """Epoch, history and numeric evaluation figures of a checkpoint in ``checkpoints/``."""
    ckpt = load_checkpoint(resolve_checkpoint(name))
    evaluation = ckpt.get("evaluation") or {}
    return CheckpointSummary(
        epoch=int(ckpt.get("epoch", 0)),
        history=list(ckpt.get("history", [])),
        evaluation={
            k: float(v)
            for k, v in evaluation.items()
            if isinstance(v, int | float) and not isinstance(v, bool)
        },
        epochs_planned=ckpt.get("epochs_planned"),
    )
