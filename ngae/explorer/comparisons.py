"""Search methods compared on true scores, as the dashboard shows them.

The curves ``benchmarks/asia_search_methods.py`` writes, read back only for the checkpoint
they were measured on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ngae.files import PROJECT_ROOT

METHOD_CURVES = PROJECT_ROOT / "assets" / "asia_search_methods.json"
METHOD_LABELS = {
    "ngae": "NGAE gradient search",
    "bo": "latent Bayesian optimisation (BoTorch)",
    "random": "random search (prior samples)",
}


@dataclass(frozen=True)
class MethodCurves:
    """Best true score after each oracle call, per method and seed.

    Attributes:
        curves: method -> ``(seeds, calls)`` best-so-far true scores (NaN after a run's end).
        optimum: the exact optimum's score.
        dataset_best: the best training network's score.
        command: how the figures were made; ``machine``, ``date``: where and when.
    """

    curves: dict[str, np.ndarray]
    optimum: float
    dataset_best: float
    command: str
    machine: str
    date: str


def load_method_curves(checkpoint_sha: str, path: Path = METHOD_CURVES) -> MethodCurves | None:
    """The curves measured on the checkpoint whose SHA-256 starts with ``checkpoint_sha``.

    ``None`` when there is no file, it is unreadable, or it was measured on another checkpoint.
    """
    try:
        doc = json.loads(Path(path).read_text())
        if not str(checkpoint_sha).startswith(str(doc["checkpoint_sha"])):
            return None
        curves = {}
        for name, runs in doc["curves"].items():
            width = max(len(r) for r in runs)
            curves[name] = np.array([r + [np.nan] * (width - len(r)) for r in runs], dtype=float)
        return MethodCurves(
            curves=curves,
            optimum=float(doc["optimum"]),
            dataset_best=float(doc["dataset_best"]),
            command=str(doc["command"]),
            machine=str(doc.get("machine", "")),
            date=str(doc.get("date", "")),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
