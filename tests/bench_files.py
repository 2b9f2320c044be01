"""Small NAS-Bench-Graph files in the authors' full per-epoch format, written by the tests.

The authors' full files (``cora0.bench`` ..., one per data set and seed) are pickles of a dict
from the benchmark hash to an entry whose ``dur`` lists, per epoch, ``[train acc, valid acc,
test acc, train loss, valid loss, test loss, best acc]`` (their README); an entry may also
carry the light tables' ``valid_perf``, ``perf``, ``latency`` and ``para``. Nothing is
downloaded: these few-entry files stand in for them.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np

# The seven figures of one epoch of ``dur``, as their README names them.
EPOCH_FIELDS = ("train acc", "valid acc", "test acc", "train loss", "valid loss", "test loss",
                "best acc")  # fmt: skip


def full_curve(epochs: int = 3) -> list[list[float]]:
    """``epochs`` rows of ``dur``: train accuracy ``0.5 + epoch / 10``, the best validation
    accuracy (0.9, test 0.8) at epoch 1; numpy and plain floats mixed, as pickles hold them."""
    curve = [[np.float64(0.5 + e / 10), 0.6, 0.5, 1.0, 1.1, 1.2, 0.5] for e in range(epochs)]
    curve[1][1:3] = [np.float64(0.9), np.float64(0.8)]
    return curve


def write_full_bench(path: Path, entries: dict[int, dict]) -> Path:
    """Pickle ``entries`` (benchmark hash -> an entry as the authors write it) to ``path``."""
    path = Path(path)
    path.write_bytes(pickle.dumps(entries))
    return path


def write_curves_file(path: Path, hashes: list[int], epochs: int = 3) -> Path:
    """A full file holding only per-epoch curves (:func:`full_curve`) of each of ``hashes``."""
    return write_full_bench(path, {h: {"dur": full_curve(epochs)} for h in hashes})
