"""Pareto fronts of (accuracy up, parameters down)."""

from __future__ import annotations

import numpy as np


def pareto_front(acc: np.ndarray, params: np.ndarray) -> np.ndarray:
    """Indices of non-dominated points, by increasing parameters.

    A point is dominated when another has at least its accuracy with no more parameters, and is
    strictly better in one of the two. O(n log n): sort by parameters (ties: best accuracy
    first) and keep each point that beats the best accuracy seen so far.
    """
    acc, params = np.asarray(acc, np.float64), np.asarray(params, np.float64)
    order = np.lexsort((-acc, params))
    best_before = np.maximum.accumulate(np.concatenate([[-np.inf], acc[order][:-1]]))
    return order[acc[order] > best_before]


def smaller_than_all_better(
    acc: float, params: float, ref_acc: np.ndarray, ref_params: np.ndarray
) -> bool:
    """True when ``params`` is below every reference point with accuracy >= ``acc``."""
    better = ref_params[ref_acc >= acc]
    return bool(len(better) == 0 or params < better.min())
