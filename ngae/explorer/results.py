"""What the explorer hands to its callers (pages, CLI): one frozen dataclass per concept.

Search results (:class:`ngae.search.SearchResults`) and training jobs
(:class:`ngae.explorer.jobs.Job`) are defined beside the code that makes them and re-exported
by :mod:`ngae.explorer`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ngae.spaces.base import Editor, Naming, QueryLanguage, Reference, SearchDefaults


@dataclass(frozen=True)
class CellInfo:
    """One architecture described: exact params, predictions of its encoding, drawing.

    Attributes:
        arch: canonical architecture string.
        params: exact parameter count of its ENAS network.
        pred_acc: predicted accuracy of its latent mean.
        pred_params: predicted parameter count of its latent mean.
        true_acc: its accuracy in the data set, ``None`` when it is not in it.
        index: its first index in the data set, ``None`` when it is not in it.
        z: its latent mean, ``(nz,)``.
        true_score: the oracle's score (BIC) where the space has one, else ``None``.

    In a space whose performance is a score (Asia), ``pred_acc`` and ``true_acc`` are that score
    (:class:`SpaceInfo` names it) and ``params`` its complexity (free parameters).
    """

    arch: str
    params: int
    pred_acc: float
    pred_params: float
    true_acc: float | None
    index: int | None
    z: np.ndarray = field(repr=False)
    true_score: float | None = None


@dataclass(frozen=True)
class SpaceInfo:
    """The search space of a checkpoint, as pages name, draw, edit and search it.

    Everything here comes from the space (:class:`ngae.spaces.base.SearchSpace`): pages decide
    by these fields, never by the space's name or words.

    Attributes:
        name: the registry name (for keys and URLs, never for decisions).
        title: for headings.
        naming: the words and number formats of its figures.
        has_oracle: whether every object's true score can be computed.
        oracle_metrics: names of the oracle's true figures (empty without one).
        optimum_score: the exact best score over the space (``None`` where not computed).
        optimum: an object reaching it (its string).
        dataset_best: the best true score over the training split.
        example: a valid object string (for editors).
        reference: published figures to compare a model with.
        search_defaults: the search's default trade-off and cap.
        editor: how a person edits an object.
        queries: its structural query language, ``None`` without one.
        legend: ``(colour, label)`` of the drawings' colours.
        op_names: names of per-position ops (empty where positions have none).
        can_diff: whether two objects can be compared (what changed).
    """

    name: str
    title: str
    naming: Naming
    has_oracle: bool
    optimum_score: float | None
    optimum: str | None
    dataset_best: float
    example: str
    reference: Reference = Reference()
    search_defaults: SearchDefaults = SearchDefaults(lambda_cmplx=0.0)
    editor: Editor = Editor()
    queries: QueryLanguage | None = None
    legend: tuple[tuple[str, str], ...] = ()
    op_names: tuple[str, ...] = ()
    oracle_metrics: tuple[str, ...] = ()
    can_diff: bool = False

    @property
    def item(self) -> str:
        """One object ("architecture", "network")."""
        return self.naming.item

    @property
    def perf(self) -> str:
        """The predicted figure ("accuracy", "BIC")."""
        return self.naming.perf

    @property
    def cmplx(self) -> str:
        """The complexity ("parameters", "free parameters")."""
        return self.naming.cmplx


@dataclass(frozen=True)
class Decoded:
    """What decoding one latent point gave.

    Attributes:
        z: the latent point, ``(nz,)``.
        share: share of the decodings that gave ``cell`` (its most common valid decoding).
        valid_share: share of the decodings that were valid architectures.
        cell: the most common valid decoding, ``None`` when every decoding was invalid.
        reproduced: for a data point's latent mean, whether ``cell`` is that architecture.
    """

    z: np.ndarray = field(repr=False)
    share: float
    valid_share: float
    cell: CellInfo | None
    reproduced: bool | None = None


@dataclass(frozen=True)
class DataStats:
    """The data set behind a checkpoint, in numbers."""

    architectures: int
    distinct: int
    train: int
    test: int
    acc_min: float
    acc_max: float
    acc_mean: float
    params_min: int
    params_max: int


@dataclass(frozen=True)
class ModelCard:
    """A checkpoint's card: configuration, training history, evaluation and its data.

    ``train_graphs`` is how many graphs it was trained on (``None`` for files that predate
    the record), ``epochs_planned`` how many epochs its run asked for (fewer done: partial),
    ``stopped_at`` the plan of a run stopped where it is by choice (the file then claims no
    plan: ``scripts/export_default.py --final``; ``None`` otherwise),
    ``lineage`` its parent for a fine-tuned model (``parent``, ``parent_epoch``,
    ``parent_evaluation``; empty otherwise). ``heads_refit`` records the predictor heads'
    refit after training (``epochs``, ``lr``, ``first_loss``, ``last_loss``; empty when the heads
    are as trained) and ``lr_schedule`` the learning rate the history records, as
    ``(first epoch, last epoch, lr)`` runs.
    """

    name: str
    epoch: int
    model_config: dict[str, Any]
    train_config: dict[str, Any]
    history: pd.DataFrame = field(repr=False)
    evaluation: dict[str, Any]
    published: dict[str, dict[str, float]]
    data: DataStats
    train_graphs: int | None = None
    epochs_planned: int | None = None
    lineage: dict[str, Any] = field(default_factory=dict)
    heads_refit: dict[str, Any] = field(default_factory=dict)
    lr_schedule: tuple[tuple[int, int, float], ...] = ()
    stopped_at: int | None = None

    @property
    def partial(self) -> bool:
        """Fewer epochs done than its run asked for (a run still going, or cancelled)."""
        return self.epochs_planned is not None and self.epoch < self.epochs_planned

    @property
    def planned(self) -> int | None:
        """The epochs its run asked for: the recorded plan, else its training config's.

        None for a run stopped by choice (what it did is the plan) or without a plan.
        """
        if self.epochs_planned is not None:
            return int(self.epochs_planned)
        if self.stopped_at is not None:
            return None
        epochs = self.train_config.get("epochs")
        return int(epochs) if isinstance(epochs, int | float) and epochs > 0 else None


@dataclass(frozen=True)
class CheckpointSummary:
    """What a checkpoint file says about itself, read without loading its data."""

    epoch: int
    history: list[dict[str, Any]]
    evaluation: dict[str, float]
    epochs_planned: int | None = None

    @property
    def partial(self) -> bool:
        """Fewer epochs done than its run asked for (a run still going, or cancelled)."""
        return self.epochs_planned is not None and self.epoch < self.epochs_planned


@dataclass(frozen=True)
class AlignedMap:
    """A second checkpoint's PCA map turned onto the first's (orthogonal Procrustes).

    ``index`` are the first checkpoint's rows of the architectures both hold (``other_index``
    the second's), ``xy`` where the second map puts them after alignment, ``moved`` how far each
    is from its place on the first map (in the first map's units), ``rotation`` the 2 x 2
    orthogonal matrix used.
    """

    index: np.ndarray
    other_index: np.ndarray
    xy: np.ndarray
    moved: np.ndarray
    rotation: np.ndarray
