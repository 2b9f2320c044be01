"""2-D projections of latent codes (PCA, t-SNE via openTSNE, UMAP), cached per checkpoint.

PCA is exact and invertible (so any map position can be decoded). t-SNE and UMAP are computed
once, in the background, and stored beside the latent cache. New points (search results, an
edited architecture) are placed on a t-SNE/UMAP map at the distance-weighted mean position of
their nearest data-set neighbours in latent space (the initialisation openTSNE's ``transform``
starts from), which is instant and needs no fitted object kept in memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ngae.files import load_arrays, save_arrays

KINDS = ("pca", "tsne", "umap")
PROJECTION_LABELS = {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP"}


@dataclass(frozen=True)
class Pca:
    """A fitted 2-D PCA: ``xy = (z - mean) @ components.T`` and back."""

    mean: np.ndarray
    components: np.ndarray  # (2, nz)

    @classmethod
    def fit(cls, mu: np.ndarray) -> Pca:
        """Fit on ``mu`` ``(M, nz)``; component signs fixed so the result is deterministic."""
        mean = mu.astype(np.float64).mean(0)
        centred = mu - mean
        # Top eigenvectors of the (nz, nz) scatter matrix: the SVD's right singular vectors
        # without computing its (M, nz) left factor (ms instead of ~1 s for 20,000 points).
        _, vecs = np.linalg.eigh(centred.T @ centred)
        vt = vecs[:, ::-1].T
        comps = vt[:2] * np.sign(vt[:2, :1] + 1e-12)
        return cls(mean.astype(np.float64), comps.astype(np.float64))

    def transform(self, z: np.ndarray) -> np.ndarray:
        """Latent points ``(K, nz)`` -> map positions ``(K, 2)``."""
        return (np.asarray(z, np.float64) - self.mean) @ self.components.T

    def inverse(self, xy: np.ndarray) -> np.ndarray:
        """Map positions ``(K, 2)`` -> latent points ``(K, nz)`` in the PCA plane."""
        return self.mean + np.asarray(xy, np.float64) @ self.components


def fit_projection(kind: str, mu: np.ndarray, seed: int = 0) -> np.ndarray:
    """Compute one projection of ``mu`` ``(M, nz)`` -> ``(M, 2)`` float32."""
    if kind == "pca":
        return Pca.fit(mu).transform(mu).astype(np.float32)
    if kind == "tsne":
        from openTSNE import TSNE

        emb = TSNE(n_components=2, perplexity=30, n_jobs=2, random_state=seed).fit(mu)
        return np.asarray(emb, dtype=np.float32)
    if kind == "umap":
        import umap

        reducer = umap.UMAP(n_components=2, random_state=seed, n_jobs=1)
        return reducer.fit_transform(mu).astype(np.float32)
    raise ValueError(f"unknown projection {kind!r} (use one of {', '.join(KINDS)})")


def place_by_neighbours(z: np.ndarray, mu: np.ndarray, xy: np.ndarray, k: int = 10) -> np.ndarray:
    """Place new latent points on an existing map by their ``k`` nearest data neighbours."""
    z = np.atleast_2d(np.asarray(z, np.float32))
    d2 = (z**2).sum(1)[:, None] - 2 * z @ mu.T + (mu**2).sum(1)[None, :]
    near = np.argpartition(d2, kth=min(k, len(mu) - 1), axis=1)[:, :k]
    w = 1.0 / (np.sqrt(np.maximum(np.take_along_axis(d2, near, 1), 0)) + 1e-6)
    return (xy[near] * w[..., None]).sum(1) / w.sum(1, keepdims=True)


def projection_path(cache_dir: Path, kind: str) -> Path:
    """Where a projection is cached."""
    return cache_dir / f"proj_{kind}.npz"


def load_projection(cache_dir: Path, kind: str, rows: int) -> np.ndarray | None:
    """A cached projection, or ``None`` when absent, corrupt or of the wrong size."""
    path = projection_path(cache_dir, kind)
    arrays = load_arrays(path, ("xy",), rows) if path.is_file() else None
    return None if arrays is None else arrays["xy"]


def compute_and_cache(cache_dir: Path, kind: str, mu: np.ndarray) -> np.ndarray:
    """Fit a projection and write it atomically."""
    xy = fit_projection(kind, mu)
    save_arrays(projection_path(cache_dir, kind), xy=xy)
    return xy
