"""Search methods compared on true scores, as the dashboard shows them.

The curves ``benchmarks/asia_search_methods.py`` writes, read back only for the checkpoint
they were measured on; and the figures at fixed oracle budgets that a space's budget benchmark
writes per data set (``benchmarks/nasbench_graph_methods.py``).
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


BENCHMARK_LABELS = {
    "random": "random search",
    "evolution": "regularized evolution",
    "bo": "latent Bayesian optimisation",
    "ngae": "NGAE closed loop",
}


@dataclass(frozen=True)
class BudgetFigures:
    """Search methods measured at fixed oracle budgets on one data set (a benchmark's JSON).

    Attributes:
        source: the data set (the oracle's source).
        methods: method -> budget -> ``(mean, std, seeds)`` of the reported figure: the held-out
            figure of the best-by-score object among the first ``budget`` queried.
        ceilings: a label -> the reported figure of the space's best-by-score object and the
            best reported figure (where the method would end, and where nothing can go).
        files: the assets read; ``note``: one line on what is missing (empty when nothing is).
    """

    source: str
    methods: dict[str, dict[int, tuple[float, float, int]]]
    ceilings: dict[str, float]
    files: tuple[str, ...]
    note: str = ""


def budget_file_names(space_name: str) -> tuple[str, str]:
    """The assets a space's budget benchmark writes: its methods and its baselines."""
    stem = space_name.replace("-", "_")
    return f"{stem}_methods.json", f"{stem}_baselines.json"


def load_budget_figures(
    space_name: str, source: str, ceiling_labels: tuple[str, str], folder: Path | None = None
) -> BudgetFigures:
    """The methods measured on ``source``, from the assets :func:`budget_file_names` names.

    The methods file first; the baselines file adds the budgets it lacks.

    JSON as ``benchmarks/nasbench_graph_methods.py`` writes it: ``{"datasets": {source:
    {"ceilings": {"best_valid_test", "best_test"}, "methods": {method: {budget: {"mean",
    "std", "seeds"}}}}}}``; ``ceiling_labels`` name its two ceilings. Missing or unreadable
    files and a data set they lack leave ``methods`` empty and say so in ``note``.
    """
    folder = Path(folder) if folder is not None else METHOD_CURVES.parent
    methods: dict[str, dict[int, tuple[float, float, int]]] = {}
    ceilings: dict[str, float] = {}
    read, missing = [], []
    for name in budget_file_names(space_name):
        try:
            entry = json.loads((folder / name).read_text())["datasets"][source]
            for method, by_budget in entry["methods"].items():
                kept = methods.setdefault(method, {})
                for budget, fig in by_budget.items():
                    figures = (float(fig["mean"]), float(fig["std"]), int(fig["seeds"]))
                    kept.setdefault(int(budget), figures)
            if not ceilings:
                c = entry["ceilings"]
                values = (float(c["best_valid_test"]), float(c["best_test"]))
                ceilings = dict(zip(ceiling_labels, values, strict=True))
            read.append(name)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            missing.append(name)
    methods = {m: dict(sorted(b.items())) for m, b in methods.items() if b}
    note = ""
    if not methods:
        main = budget_file_names(space_name)[0]
        there = (folder / main).is_file()
        note = (
            f"No benchmark figures for {source or 'this oracle'} in assets/{main}."
            if there
            else f"No benchmark figures to compare with: assets/{main} is missing."
        )
    return BudgetFigures(source, methods, ceilings, tuple(read), note)
