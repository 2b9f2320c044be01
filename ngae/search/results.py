"""What searches return: found architectures, counts, the Pareto front; closed-loop queries."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from ngae.spaces.registry import DEFAULT_SPACE


@dataclass(frozen=True)
class FoundArch:
    """One distinct valid architecture a search found; figures from its re-encoding.

    ``pred_acc``/``pred_params`` are the predictors on the re-encoded architecture,
    ``*_latent`` on the end point itself; ``decode_share`` is the share of the end point's
    decodings that gave it; ``trajectory`` is ``z`` per step, ``(steps + 1, nz)``. In a space
    with an oracle (Asia), ``true_score`` is the oracle's score of the found object (BIC) and
    ``adjacency`` its 64-digit string (both ``None`` elsewhere); ``pred_acc`` is then the score
    head's prediction (BIC, not an accuracy).
    """

    sample: int
    arch: str
    valid: bool
    novel: bool
    in_dataset: bool
    true_acc: float | None
    params: int
    pred_acc: float
    pred_params: float
    pred_acc_latent: float
    pred_params_latent: float
    decode_share: float
    start_arch: str | None
    start_true_acc: float | None
    trajectory: list[list[float]] = field(repr=False)
    true_score: float | None = None
    adjacency: str | None = None


@dataclass(frozen=True)
class SearchSummary:
    """Counts over a search's results.

    ``beats_dataset_best`` compares with the best predicted data-set architecture within the
    cap (``max_params``; ``dataset_under_cap`` of them). Of the ``samples``, ``none_found``
    found no valid architecture (within the cap) and ``duplicates`` ended at one another
    sample had found; ``note`` says so in words ('' when every sample gave a distinct one).
    """

    samples: int
    distinct_valid: int
    novel: int
    best_pred_acc: float
    beats_dataset_best: bool
    smaller_than_all_better: int
    max_params: float | None = None
    dataset_under_cap: int = 0
    none_found: int = 0
    duplicates: int = 0
    note: str = ""


@dataclass(frozen=True)
class SearchResults:
    """What a search returns; :meth:`to_dict` is the ``search --json`` document.

    ``dataset_best_true_score`` (the best true score over the training split, within the cap)
    and ``optimum_score`` (the exact optimum over the space) where the space has an oracle;
    ``checkpoint`` and ``checkpoint_sha`` (the first 12 hex digits of its SHA-256) name the
    model that found them.
    """

    results: list[FoundArch]
    dataset_best_pred_acc: float
    config: dict[str, Any]
    summary: SearchSummary
    seconds: float
    space: str = DEFAULT_SPACE
    dataset_best_true_score: float | None = None
    optimum_score: float | None = None
    checkpoint: str = ""
    checkpoint_sha: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain dicts and lists with the documented keys (README, ``search --json``)."""
        return asdict(self)


@dataclass(frozen=True)
class ParetoFront:
    """The non-dominated points (higher predicted accuracy, fewer params), aligned lists."""

    arch: list[str]
    pred_acc: list[float]
    params: list[float]
    source: list[str]  # "dataset" or "found"


@dataclass(frozen=True)
class Query:
    """One queried object: its string, true figures, when and how it was chosen.

    ``round`` 0 is the random start; ``origin`` ``random``, ``decoded`` (met by an ascent) or
    ``screened`` (ranked high by the fitted heads); ``rank`` its score's rank in the pool (1:
    the best).
    """

    item: str
    score: float
    metrics: dict[str, float]
    round: int
    origin: str
    rank: int


@dataclass(frozen=True)
class ClosedLoopResult:
    """A closed-loop search: every query in order and the best by score after each.

    Attributes:
        queries: the distinct queried objects in the order asked.
        best_so_far: ``[k - 1]`` the index (into ``queries``) of the best by score among the
            first ``k`` (ties: the first queried).
        metric_names: the space's ``oracle_metrics`` (the first is the score).
        reported: the figure a benchmark reports of the best (the space's ``reported_metric``).
        pool_size: objects in the pool (the ranks' denominator).
        budget: queries asked for; ``rounds``: rounds after the random start.
        seconds: wall time; ``source``, ``seed``, ``checkpoint``: what it ran on.
    """

    queries: tuple[Query, ...]
    best_so_far: tuple[int, ...]
    metric_names: tuple[str, ...]
    reported: str
    pool_size: int
    budget: int
    rounds: int
    seconds: float
    source: str = ""
    seed: int | None = None
    checkpoint: str = ""

    @property
    def best(self) -> Query:
        """The best queried object by score."""
        return self.queries[self.best_so_far[-1]]

    @property
    def screened(self) -> int:
        """Queries the heads picked from the pool (not met by decoding)."""
        return sum(q.origin == "screened" for q in self.queries)

    def curve(self, metric: str | None = None) -> np.ndarray:
        """``(len(queries),)``: figure ``metric`` (the score when ``None``) of the best so far."""
        best = [self.queries[k] for k in self.best_so_far]
        if metric is None:
            return np.array([q.score for q in best])
        return np.array([q.metrics[metric] for q in best])
