"""The latent map: projections, the PCA plane's layers, structural queries, two checkpoints."""

from __future__ import annotations

import threading

import numpy as np
import torch

from ngae.errors import UserInputError
from ngae.explorer import layers
from ngae.explorer.projections import (
    KINDS,
    compute_and_cache,
    load_projection,
    place_by_neighbours,
)
from ngae.explorer.results import AlignedMap
from ngae.maps.alignment import movement, procrustes
from ngae.maps.atlas import Atlas, cell_at
from ngae.maps.field import Field
from ngae.maps.grid import Window
from ngae.maps.uncertainty import HeadEnsemble
from ngae.model.graph_tensors import normalise_perf
from ngae.search.ascent import lambda_unit


class MapViews:
    """:class:`~ngae.explorer.service.Explorer`'s maps and their layers."""

    # ----- projections ------------------------------------------------------------------
    def projection(self, kind: str) -> np.ndarray | None:
        """The ``(M, 2)`` map for ``kind``, or ``None`` while it is being computed."""
        if kind == "pca":
            return self.pca.transform(self.latents.mu).astype(np.float32)
        if kind not in KINDS:
            raise UserInputError(f"unknown projection {kind!r}")
        return load_projection(self.cache_dir, kind, len(self.data))

    def projection_status(self, kind: str) -> str:
        """``ready``, ``running``, ``failed: ...`` or ``missing``."""
        if self.projection(kind) is not None:
            return "ready"
        with self._lock:
            return self._jobs.get(kind, "missing")

    def start_projection(self, kind: str) -> str:
        """Compute a projection in a background thread (once); returns its status."""
        with self._lock:
            if self._jobs.get(kind) == "running" or self.projection(kind) is not None:
                return self._jobs.get(kind, "ready")
            self._jobs[kind] = "running"

        def work() -> None:
            try:
                compute_and_cache(self.cache_dir, kind, self.latents.mu)
                status = "ready"
            except Exception as err:  # reported to the page as a message, never raised there
                status = f"failed: {err.__class__.__name__}: {err}"
            with self._lock:
                self._jobs[kind] = status

        threading.Thread(target=work, daemon=True, name=f"projection-{kind}").start()
        return "running"

    def place(self, z: np.ndarray, kind: str) -> np.ndarray:
        """Map positions of new latent points on the ``kind`` map."""
        if kind == "pca":
            return self.pca.transform(z)
        xy = self.projection(kind)
        if xy is None:
            raise UserInputError(f"the {kind} map is not ready yet")
        return place_by_neighbours(z, self.latents.mu, xy)

    def pca_variance(self) -> tuple[float, float]:
        """Share of the codes' total variance along the PCA map's two axes."""
        xy = self.pca.transform(self.latents.mu)
        total = float(np.var(self.latents.mu.astype(np.float64), axis=0).sum())
        first, second = np.var(xy, axis=0) / max(total, 1e-12)
        return float(first), float(second)

    # ----- layers of the PCA plane (ngae.explorer.layers) -------------------------------
    def map_window(self) -> Window:
        """The PCA map's extent: the codes' bounding box plus 5% on each side."""
        return Window.around(self.projection("pca"))

    def atlas(
        self, window: Window | None = None, size: int = layers.ATLAS_SIZE, agreement: int = 0
    ) -> Atlas:
        """What a ``size x size`` grid over ``window`` of the PCA map decodes to (cached).

        ``agreement`` stochastic decodes per cell measure how often they give the greedy one.
        """
        window = window or self.map_window()
        return layers.cached_atlas(
            self.cache_dir, self.model, self.pca, window, self.space, size, agreement
        )

    def atlas_decoding(self, x: float, y: float) -> str | None:
        """The string the whole-map atlas shows at ``(x, y)``: its cell's greedy decoding.

        ``None`` outside the map's window or where that decoding is not a valid object.
        """
        atlas = self.atlas()
        cell = cell_at(atlas, x, y)
        if cell is None:
            return None
        types = torch.as_tensor(atlas.types[cell : cell + 1])
        item = self.space.to_items(types, torch.as_tensor(atlas.adj[cell : cell + 1]))[0]
        return None if item is None else item.to_string()

    def objective_field(self, lambda_cmplx: float, window: Window | None = None) -> Field:
        """Gradient arrows of ``f_perf - lambda u f_cmplx`` on a coarse grid of the PCA map."""
        if not self.model.cfg.predictors:
            raise UserInputError("this model has no predictor heads: no objective to draw")
        unit = lambda_unit(self.model, self.latents)
        return layers.field(self.model, self.pca, window or self.map_window(), lambda_cmplx, unit)

    def density(self, kind: str) -> tuple[Window, np.ndarray]:
        """The training codes' density on map ``kind``: its window and the grid."""
        xy = self.projection(kind)
        if xy is None:
            raise UserInputError(f"the {kind} map is not ready yet")
        window = Window.around(xy)
        return window, layers.density(xy, self.split, window)

    def query(self, text: str) -> np.ndarray:
        """The data-set objects matching a structural query in the space's query language."""
        if self.space.queries is None:
            raise UserInputError(f"{self.space.title} have no structural queries")
        try:
            return self.space.query(text, self.data.types, self.data.adj)
        except ValueError as err:
            raise UserInputError(str(err)) from None

    # ----- the accuracy head's uncertainty ----------------------------------------------
    def data_uncertainty(self) -> np.ndarray:
        """:meth:`uncertainty` at every data-set object's latent mean ``(M,)``."""
        return self.uncertainty(self.latents.mu)

    def uncertainty(self, z: np.ndarray) -> np.ndarray:
        """The accuracy head's uncertainty at latent points (in the figure's units, ``(M,)``)."""
        heads = self._heads()
        scale = self.model.cfg.perf_hi - self.model.cfg.perf_lo
        return scale * heads.spread(np.atleast_2d(z))

    def _heads(self) -> HeadEnsemble:
        with self._heads_lock:  # not ``_lock``: a first fit must not hold up the projections
            if self._ensemble is None:
                target = normalise_perf(self.data.acc, self.model.cfg)  # the head's units
                self._ensemble = layers.cached_ensemble(
                    self.cache_dir, self.latents.mu, target, self.split
                )
            return self._ensemble

    # ----- two checkpoints --------------------------------------------------------------
    def aligned(self, other) -> AlignedMap:
        """``other``'s PCA map turned onto this one's over the objects both hold."""
        mine = {s: i for i, s in enumerate(self.data.strings)}
        pairs = [(mine[s], j) for j, s in enumerate(other.data.strings) if s in mine]
        if len(pairs) < 3:
            raise UserInputError("the two checkpoints share fewer than 3 architectures")
        here, there = (np.array(p) for p in zip(*pairs, strict=True))
        target = self.projection("pca")[here]
        moving = other.projection("pca")[there]
        fit = procrustes(moving, target)
        aligned = fit.apply(moving)
        return AlignedMap(here, there, aligned, movement(aligned, target), fit.rotation)
