"""ENAS-6 macro architectures as a :class:`~ngae.space.base.SearchSpace` (no oracle)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from torch import Tensor

from ngae.files import DATA_DIR
from ngae.space.arch import OP_NAMES, Arch
from ngae.space.base import Labels, SearchSpace
from ngae.space.complexity import param_counts
from ngae.space.data import BURN_IN, GraphData, enas_graph_data, read_enas_file
from ngae.space.dense_graphs import valid_mask


class EnasSpace(SearchSpace):
    """D-VAE's ENAS-6 space: 6 layers, 6 ops, skips; complexity is the exact parameter count."""

    name = "enas6"
    title = "ENAS-6 macro architectures"
    data_file = DATA_DIR / "final_structures6.txt"
    labels = Labels(item="architecture", perf="accuracy", cmplx="parameters", perf_key="acc")
    burn_in = BURN_IN
    example = "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0"

    def claims(self, path: Path, first: dict | None) -> bool:
        """D-VAE's ENAS text: any file that is not JSON lines."""
        return path.suffix != ".jsonl"

    def parse(self, text: str) -> Arch:
        """The canonical string of 21 integers."""
        return Arch.from_string(text)

    def from_dag(self, types: np.ndarray, adj: np.ndarray) -> Arch:
        """D-VAE's ENAS graph back to the architecture."""
        return Arch.from_dag(types, adj)

    def valid_mask(self, types: Tensor, adj: Tensor, strict: bool = False) -> Tensor:
        """D-VAE's ``is_valid_ENAS`` on a batch."""
        return valid_mask(types, adj, strict)

    def complexity(self, items: list[Arch]) -> np.ndarray:
        """Exact trainable parameters of the ENAS network (96 stem filters)."""
        return param_counts(items).astype(np.float64)

    def vertex_names(self, item: Arch) -> list[str]:
        """``input``, ``1: conv3x3`` ... (layers from 1), ``output``."""
        return ["input", *(f"{i + 1}: {OP_NAMES[op]}" for i, op in enumerate(item.ops)), "output"]

    def load(self, path: Path) -> GraphData:
        """Read D-VAE's ENAS text format."""
        archs, accs = read_enas_file(path)
        return enas_graph_data(archs, accs)
