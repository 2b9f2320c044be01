"""Decoding latent points: clicks, data points, interpolations, paths."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import torch

from ngae.errors import UserInputError
from ngae.explorer.results import Decoded
from ngae.model.inference import most_common_valid
from ngae.search import SearchConfig


class DecodingViews:
    """:class:`~ngae.explorer.service.Explorer`'s decodings of latent points."""

    def decode(self, z: np.ndarray, decodes: int = 20, seed: int = 0) -> list[Decoded]:
        """Decode latent points ``(K, nz)``; each keeps its most common valid decoding."""
        z_t = torch.as_tensor(np.atleast_2d(z), dtype=torch.float32)
        if z_t.ndim != 2 or z_t.shape[1] != self.model.cfg.nz or not torch.isfinite(z_t).all():
            raise UserInputError("latent points must be finite and of the model's size")
        gen = torch.Generator().manual_seed(seed)
        found = most_common_valid(self.model, z_t, decodes, gen, self.space)
        return [
            Decoded(z_t[i].numpy(), share, valid, None if arch is None else self.describe(arch))
            for i, (arch, share, valid) in enumerate(found)
        ]

    def warm_up(self) -> None:
        """Pay the one-off first-call costs (first decode, first autograd pass) now, once.

        Without it the first click and the first search of a server each take seconds longer.
        Last, the head ensemble behind every prediction's error bar is read (or, for a new
        checkpoint, fitted once and kept on disk).
        """
        with self._lock:
            if self._warmed:
                return
            self._warmed = True
        self.decode_index(0, decodes=2)
        self.search(SearchConfig(samples=1, steps=1, decodes=1))
        if self.model.cfg.predictors:
            self._heads()

    def check_index(self, i: int) -> int:
        """``i`` when it is a data-set index; :class:`UserInputError` otherwise."""
        if not 0 <= i < len(self.data):
            raise UserInputError(
                f"no {self.space.naming.item} with index {i} (0..{len(self.data) - 1})"
            )
        return i

    def decode_index(self, i: int, decodes: int = 20) -> Decoded:
        """Decode data point ``i``'s latent mean; ``reproduced`` says if it gave the original."""
        self.check_index(i)
        dec = self.decode(self.latents.mu[i : i + 1], decodes)[0]
        same = dec.cell is not None and dec.cell.arch == self.data.strings[i]
        return replace(dec, reproduced=same)

    def decode_map_position(self, x: float, y: float, decodes: int = 20) -> Decoded:
        """Decode any position of the PCA map (its latent point in the PCA plane)."""
        return self.decode(self.pca.inverse(np.array([[x, y]])), decodes)[0]

    def interpolate(self, i: int, j: int, steps: int = 8, decodes: int = 10) -> list[Decoded]:
        """Decodings along the straight line between data points ``i`` and ``j``."""
        if steps < 2 or steps > 50:
            raise UserInputError("interpolation needs 2..50 steps")
        for k in (i, j):
            self.check_index(k)
        a, b = self.latents.mu[i], self.latents.mu[j]
        t = np.linspace(0, 1, steps)[:, None]
        return self.decode((1 - t) * a + t * b, decodes)

    def path_cells(self, path: np.ndarray, every: int = 10) -> list[tuple[int, str | None]]:
        """Greedy decodings along a latent path ``(steps + 1, nz)``, where they change.

        Decodes every ``every`` steps and the last; returns ``(step, item string or None)``.
        """
        path = np.asarray(path, dtype=np.float32)
        steps = sorted({*range(0, len(path), max(1, every)), len(path) - 1})
        with torch.no_grad():
            types, adj = self.model.decode(torch.as_tensor(path[steps]), stochastic=False)
        valid = self.space.valid_mask(types, adj).numpy()
        items = self.space.to_items(types, adj)
        out: list[tuple[int, str | None]] = []
        for step, ok, item in zip(steps, valid, items, strict=True):
            text = str(item) if ok and item is not None else None
            if not out or out[-1][1] != text:
                out.append((step, text))
        return out

    def step_changes(self, items: list[str | None]) -> list[str]:
        """What changed at each step of a path of object strings (the space's ``step_changes``)."""
        return self.space.step_changes(items)

    def layer_ops(self, indices: np.ndarray) -> np.ndarray:
        """``(K, L)`` op of every position of the given data-set objects."""
        ops = self.space.layer_ops(self.data.types[np.asarray(indices, dtype=int)])
        if ops is None:
            raise UserInputError(f"{self.space.title} have no ops per position")
        return ops

    def type_names(self) -> list[str]:
        """A name per vertex type of this model (the space's)."""
        return self.space.type_names(self.model.cfg.num_types)
