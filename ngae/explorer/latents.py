"""Latent codes and predictions for a whole data set, cached on disk per checkpoint.

The cache lives beside the checkpoint, in ``cache/<stem>-<first 12 hex of its SHA-256>/``, so a
retrained file never reuses stale codes; files are written atomically and a corrupt or
mismatched cache is recomputed, never trusted.
"""

from __future__ import annotations

from pathlib import Path

from ngae.files import file_sha256, load_arrays, save_arrays
from ngae.model.inference import LatentTable, compute_latents
from ngae.model.vae import NGAE
from ngae.spaces.graph_data import GraphData


def cache_dir_for(checkpoint: str | Path) -> Path:
    """The cache folder of one checkpoint file's exact bytes."""
    checkpoint = Path(checkpoint)
    return checkpoint.parent / "cache" / f"{checkpoint.stem}-{file_sha256(checkpoint)[:12]}"


def dataset_latents(cache_dir: Path, model: NGAE, data: GraphData) -> LatentTable:
    """The latent table of ``data`` cached in ``cache_dir`` (see :func:`cache_dir_for`)."""
    path = Path(cache_dir) / "latents.npz"
    keys = ("mu", "pred_acc", "pred_params")
    cached = load_arrays(path, keys, len(data)) if path.is_file() else None
    if cached is not None and cached["mu"].shape[1] == model.cfg.nz:
        return LatentTable(**cached)
    table = compute_latents(model, data)
    save_arrays(path, mu=table.mu, pred_acc=table.pred_acc, pred_params=table.pred_params)
    return table
