"""A checkpoint's latent space written for other tools: TensorBoard's projector, Parquet, CSV.

``tensorboard`` writes what the projector opens (``tensors.tsv``: one row per architecture, one
column per latent dimension, no header; ``metadata.tsv``: a header row, then index, arch,
split, true and predicted accuracy, params; ``projector_config.pbtxt`` naming both).
``parquet`` and ``csv`` write one table, ``latents.parquet`` / ``latents.csv``: the metadata,
the codes ``z0 ... z{nz-1}`` and the 2-D coordinates of every map computed so far
(``pca_x, pca_y`` always; ``tsne_*`` and ``umap_*`` once cached).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from ngae.errors import UserInputError
from ngae.explorer.projections import KINDS
from ngae.explorer.service import Explorer
from ngae.files import atomic_write_bytes

EXPORT_FORMATS = ("tensorboard", "parquet", "csv")
METADATA = ["index", "arch", "split", "true_acc", "pred_acc", "params"]


def export_table(ex: Explorer) -> pd.DataFrame:
    """One row per data-set architecture: metadata, latent means, cached map coordinates."""
    table = ex.table()
    frame = pd.DataFrame({"index": np.arange(len(table))})
    for column in METADATA[1:] + ["pred_params"]:
        frame[column] = table[column].to_numpy()
    mu = ex.latents.mu
    codes = pd.DataFrame(mu.astype(np.float64), columns=[f"z{k}" for k in range(mu.shape[1])])
    maps = {}
    for kind in KINDS:
        xy = ex.projection(kind)
        if xy is not None:
            maps[f"{kind}_x"], maps[f"{kind}_y"] = xy[:, 0], xy[:, 1]
    return pd.concat([frame, codes, pd.DataFrame(maps)], axis=1)


def write_export(ex: Explorer, fmt: str, out_dir: str | Path) -> list[Path]:
    """Write the export in ``fmt`` into ``out_dir`` (created); returns the files written."""
    if fmt not in EXPORT_FORMATS:
        raise UserInputError(f"unknown export format {fmt!r} (use {', '.join(EXPORT_FORMATS)})")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UserInputError(f"{out} is a file, not a folder")
    table = export_table(ex)
    if fmt == "tensorboard":
        return _tensorboard(ex, table, out)
    path = out / f"latents.{fmt}"
    buffer = io.BytesIO()
    if fmt == "csv":
        table.to_csv(buffer, index=False)
    else:
        table.to_parquet(buffer, index=False)
    _write(path, buffer.getvalue())
    return [path]


def _tensorboard(ex: Explorer, table: pd.DataFrame, out: Path) -> list[Path]:
    codes = io.BytesIO()
    np.savetxt(codes, ex.latents.mu, fmt="%.7g", delimiter="\t")
    meta = table[METADATA].to_csv(sep="\t", index=False, lineterminator="\n")
    config = (
        "embeddings {\n"
        f'  tensor_name: "{ex.path.stem} latent means"\n'
        '  tensor_path: "tensors.tsv"\n'
        '  metadata_path: "metadata.tsv"\n'
        "}\n"
    )
    files = {
        "tensors.tsv": codes.getvalue(),
        "metadata.tsv": meta.encode("utf-8"),
        "projector_config.pbtxt": config.encode("utf-8"),
    }
    for name, blob in files.items():
        _write(out / name, blob)
    return [out / name for name in files]


def _write(path: Path, blob: bytes) -> None:
    atomic_write_bytes(path, lambda f: f.write(blob))
