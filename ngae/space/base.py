"""One interface for a search space: what is specific to ENAS-6 or Asia sits behind it.

A space turns its own objects (an ENAS :class:`~ngae.space.arch.Arch`, an Asia
:class:`~ngae.space.asia.BayesNet`; each has ``to_string``, ``to_dag`` and is hashable) into the
dense DAGs the model reads and back, says which decoded graphs are valid, gives their exact
complexity, names vertex types for drawings, and may offer an oracle (the true score of any
object). Adding a space: one module ``ngae/space/<name>_space.py`` with a subclass (found by
:mod:`ngae.space.registry`) and a data file it claims (README, "Search spaces").
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from ngae.space.dense_graphs import graph_keys


@dataclass(frozen=True)
class Labels:
    """How a space's figures are named for people.

    Attributes:
        item: one object ("architecture", "network").
        perf: the predicted figure ("accuracy", "BIC").
        cmplx: the complexity ("parameters", "free parameters").
        perf_key: its key in data files and results ("acc", "score").
    """

    item: str
    perf: str
    cmplx: str
    perf_key: str


class SearchSpace(ABC):
    """A DAG search space (see the module docstring)."""

    name: str
    title: str
    data_file: Path
    labels: Labels
    burn_in: int = 0
    example: str = ""

    @abstractmethod
    def parse(self, text: str) -> Any:
        """An object from its canonical string; raises ArchError with the reason."""

    @abstractmethod
    def from_dag(self, types: np.ndarray, adj: np.ndarray) -> Any:
        """The object of a valid dense graph; raises ArchError otherwise."""

    @abstractmethod
    def valid_mask(self, types: Tensor, adj: Tensor, strict: bool = False) -> Tensor:
        """Which decoded graphs are valid, ``(B,)`` bool (``-1`` types after the last vertex)."""

    @abstractmethod
    def complexity(self, items: list[Any]) -> np.ndarray:
        """Exact complexity of each object, ``(M,)`` float64."""

    @abstractmethod
    def vertex_names(self, item: Any) -> list[str]:
        """A label per vertex of ``item.to_dag()`` (input and output included)."""

    @abstractmethod
    def load(self, path: Path) -> Any:
        """The data set in ``path`` as :class:`~ngae.space.data.GraphData`."""

    def claims(self, path: Path, first: dict | None) -> bool:
        """Whether the data file ``path`` is this space's (``first``: its first JSON record)."""
        return False

    def to_items(self, types: Tensor, adj: Tensor) -> list[Any | None]:
        """Objects of decoded graphs (``None`` where not strictly valid)."""
        ok = self.valid_mask(types, adj, strict=True).cpu().numpy()
        t, a = types.cpu().numpy(), adj.cpu().numpy().astype(np.int64)
        return [self.from_dag(t[i], a[i]) if ok[i] else None for i in range(len(ok))]

    def keys(self, types: np.ndarray | Tensor, adj: np.ndarray | Tensor) -> list[bytes]:
        """Hashable keys of dense graphs: equal for the same object (uniqueness, novelty)."""
        return graph_keys(types, adj)

    @property
    def has_oracle(self) -> bool:
        """Whether the space can compute the true score of any object."""
        return False

    def true_scores(self, items: list[Any]) -> np.ndarray:
        """The oracle's score of each object (only where :attr:`has_oracle`)."""
        raise NotImplementedError(f"the {self.name} space has no oracle")

    def optimum(self) -> tuple[float, Any] | None:
        """The best possible score and object, where the space can compute it."""
        return None

    def dense(self, items: list[Any]) -> tuple[Tensor, Tensor]:
        """``types`` ``(M, N)`` long and ``adj`` ``(M, N, N)`` float of objects."""
        dags = [item.to_dag() for item in items]
        types = torch.as_tensor(np.stack([d[0] for d in dags]))
        return types, torch.as_tensor(np.stack([d[1] for d in dags]), dtype=torch.float32)
