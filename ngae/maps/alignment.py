"""Two checkpoints' maps in one frame: orthogonal Procrustes on the shared architectures."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ngae.errors import UserInputError


@dataclass(frozen=True)
class Alignment:
    """``aligned = (moving - moving_mean) @ rotation + target_mean``.

    ``rotation`` is orthogonal: a rotation, or a rotation and a reflection (a PCA axis's sign
    is arbitrary).
    """

    rotation: np.ndarray
    moving_mean: np.ndarray
    target_mean: np.ndarray

    def apply(self, xy: np.ndarray) -> np.ndarray:
        """Move points of the moving map into the target's frame."""
        return (np.asarray(xy, np.float64) - self.moving_mean) @ self.rotation + self.target_mean


def procrustes(moving: np.ndarray, target: np.ndarray) -> Alignment:
    """The orthogonal map (no scaling) that best fits ``moving`` ``(M, d)`` onto ``target``.

    Least squares over rotations and reflections after centring both: ``R = U V^T`` from the
    SVD ``moving_c^T target_c = U S V^T`` (Schoenemann 1966).
    """
    a, b = np.asarray(moving, np.float64), np.asarray(target, np.float64)
    if a.shape != b.shape or a.ndim != 2 or len(a) < a.shape[1] + 1:
        raise UserInputError("aligning two maps needs the same shared points in both (3 or more)")
    ma, mb = a.mean(0), b.mean(0)
    u, _, vt = np.linalg.svd((a - ma).T @ (b - mb))
    return Alignment(u @ vt, ma, mb)


def movement(aligned: np.ndarray, target: np.ndarray) -> np.ndarray:
    """How far each shared point moved between the maps (Euclidean, in the target's units)."""
    return np.linalg.norm(np.asarray(aligned) - np.asarray(target), axis=1)
