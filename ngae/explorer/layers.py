"""The latent map's layers for one checkpoint, cached on disk beside its codes.

Decoder atlas and objective field live on the PCA plane (the one map with an exact inverse);
the density of the training codes works on any map. An atlas is the
expensive one (a 64 x 64 grid is 4,096 decodes): each window and grid size is written once to
``cache/<checkpoint>/atlas-<size>-<window hash>.npz`` and read back by every later caller.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from ngae.files import load_arrays, save_arrays
from ngae.maps.atlas import PROPERTIES, Atlas, borders, decoder_atlas
from ngae.maps.density import kernel_density
from ngae.maps.field import Field, objective_field
from ngae.maps.grid import Window, grid_points
from ngae.maps.uncertainty import ENSEMBLE, HeadEnsemble, fit_ensemble
from ngae.model.vae import NGAE
from ngae.spaces.base import SearchSpace

ATLAS_SIZE, FIELD_SIZE, DENSITY_SIZE = 64, 14, 80
ENSEMBLE_HIDDEN = 128  # smaller than the model's head: five of them fit in seconds


def atlas_file(cache_dir: Path, window: Window, size: int, agreement: int) -> Path:
    """Where one window's atlas is kept (the window rounded to 1e-6 names it)."""
    spec = f"{window.x0:.6f},{window.x1:.6f},{window.y0:.6f},{window.y1:.6f},{agreement}"
    digest = hashlib.sha256(spec.encode()).hexdigest()[:12]
    return Path(cache_dir) / f"atlas-{size}-{digest}.npz"


def cached_atlas(
    cache_dir: Path,
    model: NGAE,
    pca,
    window: Window,
    space: SearchSpace,
    size: int = ATLAS_SIZE,
    agreement: int = 0,
) -> Atlas:
    """The atlas of ``window`` from the cache, or decoded now and cached."""
    path = atlas_file(cache_dir, window, size, agreement)
    names = ("types", "adj", "keys", *PROPERTIES)
    stored = load_arrays(path, names, size * size) if path.is_file() else None
    if stored is not None:
        keys = [bytes.fromhex(str(k)) for k in stored["keys"]]
        xs, ys, _ = grid_points(window, size)
        values = {k: stored[k] for k in PROPERTIES}
        return Atlas(window, size, xs, ys, stored["types"], stored["adj"], keys, values,
                     borders(keys, size))  # fmt: skip
    atlas = decoder_atlas(model, pca, window, size, space, agreement)
    save_arrays(
        path,
        types=atlas.types,
        adj=atlas.adj,
        keys=np.array([k.hex() for k in atlas.keys]),  # hex: numpy's bytes drop trailing zeros
        **atlas.values,
    )
    return atlas


def field(model: NGAE, pca, window: Window, lambda_cmplx: float, unit: float) -> Field:
    """The objective field on the coarse grid (cheap: one batched gradient)."""
    return objective_field(model, pca, window, FIELD_SIZE, lambda_cmplx, unit)


def density(xy: np.ndarray, split: np.ndarray, window: Window) -> np.ndarray:
    """``(DENSITY_SIZE, DENSITY_SIZE)`` density of the training codes on a map."""
    return kernel_density(xy[split == "train"], window, DENSITY_SIZE)


def cached_ensemble(
    cache_dir: Path, mu: np.ndarray, target: np.ndarray, split: np.ndarray
) -> HeadEnsemble:
    """The accuracy-head ensemble fitted on the training codes (cached: ~10 s to fit)."""
    path = Path(cache_dir) / "head_ensemble.npz"
    names = ("w1", "b1", "w2", "b2")
    stored = load_arrays(path, names, ENSEMBLE) if path.is_file() else None
    if stored is not None and stored["w1"].shape[1] == mu.shape[1]:
        return HeadEnsemble(**stored)
    train = split == "train"
    heads = fit_ensemble(mu[train], target[train], ENSEMBLE_HIDDEN)
    save_arrays(path, **heads.as_arrays())
    return heads
