"""The decoder atlas: what every cell of a grid over the PCA map decodes to.

The PCA plane has an exact inverse into latent space (``Pca.inverse``), so each grid cell's
centre is a latent point; it is decoded greedily (the decoder's most likely architecture) in
batches, and the grid is shaded by a property of the decoding. Borders mark where neighbouring
cells decode to different architectures.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ngae.maps.grid import Window, grid_points
from ngae.model.inference import INFER_BATCH
from ngae.model.vae import NGAE
from ngae.spaces.base import SearchSpace

PROPERTIES = {
    "first": "type of the first vertex after the input",
    "edges": "number of edges",
    "complexity": "exact size (parameters, or free parameters)",
    "valid": "valid or not",
    "agreement": "share of stochastic decodes equal to the greedy one",
}


@dataclass(frozen=True)
class Atlas:
    """A grid's decodings: per cell (row-major, ``y`` outer) the greedy decoding and properties.

    ``types`` ``(C, N)`` and ``adj`` ``(C, N, N)`` are the decoded DAGs, ``keys`` their canonical
    keys, ``values[name]`` ``(C,)`` each property of :data:`PROPERTIES` (``nan`` where it does
    not apply, e.g. the size of an invalid decoding), ``border`` ``(size, size)`` where the cell
    differs from its right or upper neighbour.
    """

    window: Window
    size: int
    xs: np.ndarray
    ys: np.ndarray
    types: np.ndarray
    adj: np.ndarray
    keys: list[bytes]
    values: dict[str, np.ndarray]
    border: np.ndarray


def decode_grid(
    model: NGAE,
    latent: np.ndarray,
    space: SearchSpace,
    agreement_decodes: int = 0,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Greedy decodings of latent points ``(C, nz)`` and their properties (batched)."""
    z = torch.as_tensor(latent, dtype=torch.float32)
    types, adj, agree = [], [], []
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for start in range(0, len(z), INFER_BATCH):
            part = z[start : start + INFER_BATCH]
            t, a = model.decode(part, stochastic=False)
            types.append(t)
            adj.append(a)
            if agreement_decodes:
                same = torch.zeros(len(part))
                for _ in range(agreement_decodes):
                    ts, as_ = model.decode(part, stochastic=True, generator=gen)
                    same += ((ts == t).all(1) & (as_ == a).flatten(1).all(1)).float()
                agree.append(same / agreement_decodes)
    types_t, adj_t = torch.cat(types), torch.cat(adj)
    valid = space.valid_mask(types_t, adj_t).numpy()
    items = space.to_items(types_t, adj_t)
    size = np.full(len(z), np.nan)
    good = [i for i, item in enumerate(items) if item is not None and valid[i]]
    if good:
        size[good] = space.complexity([items[i] for i in good])
    values = {
        "first": types_t[:, 1].numpy().astype(float),
        "edges": adj_t.flatten(1).sum(1).numpy().astype(float),
        "complexity": size,
        "valid": valid.astype(float),
        "agreement": torch.cat(agree).numpy() if agree else np.full(len(z), np.nan),
    }
    return types_t.numpy(), adj_t.numpy(), values


def decoder_atlas(
    model: NGAE,
    pca,
    window: Window,
    size: int,
    space: SearchSpace,
    agreement_decodes: int = 0,
) -> Atlas:
    """Decode the centre of every cell of a ``size x size`` grid over ``window`` of the PCA map."""
    xs, ys, xy = grid_points(window, size)
    types, adj, values = decode_grid(model, pca.inverse(xy), space, agreement_decodes)
    keys = space.keys(types, adj)
    return Atlas(window, size, xs, ys, types, adj, keys, values, borders(keys, size))


def cell_at(atlas: Atlas, x: float, y: float) -> int | None:
    """The row-major index of the atlas cell holding ``(x, y)``; ``None`` outside its window."""
    w = atlas.window
    if not (w.x0 <= x <= w.x1 and w.y0 <= y <= w.y1):
        return None
    col = min(int((x - w.x0) / (w.x1 - w.x0) * atlas.size), atlas.size - 1)
    row = min(int((y - w.y0) / (w.y1 - w.y0) * atlas.size), atlas.size - 1)
    return row * atlas.size + col


def borders(keys: list[bytes], size: int) -> np.ndarray:
    """``(size, size)``: a cell whose decoding differs from its right or upper neighbour's."""
    codes = {k: i for i, k in enumerate(dict.fromkeys(keys))}
    ids = np.array([codes[k] for k in keys]).reshape(size, size)
    edge = np.zeros((size, size), dtype=bool)
    edge[:, :-1] |= ids[:, :-1] != ids[:, 1:]
    edge[:-1, :] |= ids[:-1, :] != ids[1:, :]
    return edge
