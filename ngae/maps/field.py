"""The objective field: where gradient search would go from each point of the PCA map.

The search ascends ``f_perf(z) - lambda * u * f_cmplx(z)`` in latent space (``u``: the lambda
unit, :func:`ngae.search.ascent.lambda_unit`). On a coarse grid of the PCA plane this gives each
cell's latent point (``Pca.inverse``), the objective's gradient there, and that gradient
projected onto the two PCA axes (``grad @ components.T``): the arrow the map can show. The
part of the gradient off the plane is reported too (``off_plane``: the share of its length
the arrows cannot show).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ngae.maps.grid import Window, grid_points
from ngae.model.vae import NGAE


@dataclass(frozen=True)
class Field:
    """The objective and its projected gradient per grid cell (row-major).

    Centre ``xy`` ``(C, 2)``, objective ``(C,)``, the projected gradient ``uv`` ``(C, 2)`` and
    the share of the gradient's norm off the PCA plane.
    """

    window: Window
    size: int
    xy: np.ndarray
    objective: np.ndarray
    uv: np.ndarray
    off_plane: np.ndarray


def objective_and_gradient(
    model: NGAE, z: np.ndarray, lambda_cmplx: float, unit: float
) -> tuple[np.ndarray, np.ndarray]:
    """``f_perf - lambda u f_cmplx`` at latent points ``(C, nz)`` and its gradient ``(C, nz)``."""
    z_t = torch.as_tensor(z, dtype=torch.float32).requires_grad_()
    acc, cmplx = model.predict(z_t)
    objective = acc - lambda_cmplx * unit * cmplx
    (grad,) = torch.autograd.grad(objective.sum(), z_t)
    return objective.detach().numpy().astype(np.float64), grad.numpy().astype(np.float64)


def objective_field(
    model: NGAE, pca, window: Window, size: int, lambda_cmplx: float, unit: float
) -> Field:
    """The objective and its gradient projected onto the PCA plane on a ``size x size`` grid."""
    _, _, xy = grid_points(window, size)
    objective, grad = objective_and_gradient(model, pca.inverse(xy), lambda_cmplx, unit)
    uv = grad @ pca.components.T
    norm = np.linalg.norm(grad, axis=1)
    in_plane = np.linalg.norm(uv, axis=1)  # the components are orthonormal
    off = np.sqrt(np.clip(1 - (in_plane / np.maximum(norm, 1e-30)) ** 2, 0, 1))
    return Field(window, size, xy, objective, uv, off)
