"""ENAS-6 macro architectures: an immutable type, its canonical string and its DAG.

An architecture has ``L`` layers (6 in the ENAS macro space). Layer ``i`` applies op ``ops[i]``
(0 conv3x3, 1 sep-conv3x3, 2 conv5x5, 3 sep-conv5x5, 4 avg-pool3x3, 5 max-pool3x3) and
``skips[i][j] == 1`` adds a skip into layer ``i`` from node ``j`` (node 0 is the stem/input,
node ``j >= 1`` is layer ``j - 1``'s output). Layer ``i - 1`` always feeds layer ``i``.

As a DAG (D-VAE's ``decode_ENAS_to_igraph``) it has ``L + 2`` vertices in topological order:
vertex 0 is the input (type 0), vertex ``i + 1`` is layer ``i`` (type ``op + 2``) and vertex
``L + 1`` is the output (type 1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ngae.spaces.dense_graphs import INPUT_TYPE, OUTPUT_TYPE
from ngae.spaces.errors import ArchError
from ngae.spaces.graph_data import as_integer

OP_NAMES = ("conv3x3", "sep-conv3x3", "conv5x5", "sep-conv5x5", "avg-pool3x3", "max-pool3x3")
NUM_OPS = len(OP_NAMES)


@dataclass(frozen=True)
class Arch:
    """An ENAS macro architecture: one op per layer and the skip rows (row ``i`` has ``i`` bits)."""

    ops: tuple[int, ...]
    skips: tuple[tuple[int, ...], ...]

    def __post_init__(self) -> None:
        if len(self.ops) == 0:
            raise ArchError("an architecture needs at least one layer")
        if len(self.skips) != len(self.ops):
            raise ArchError(f"{len(self.ops)} ops but {len(self.skips)} skip rows")
        # Layers are counted from 1 in messages, as everywhere a person reads them.
        for i, op in enumerate(self.ops):
            if not 0 <= op < NUM_OPS:
                raise ArchError(f"layer {i + 1}: op {op} is not in 0..{NUM_OPS - 1}")
        for i, row in enumerate(self.skips):
            if len(row) != i:
                raise ArchError(f"layer {i + 1}: needs {i} skip bits, got {len(row)}")
            if any(bit not in (0, 1) for bit in row):
                raise ArchError(f"layer {i + 1}: skip bits must be 0 or 1, got {list(row)}")

    @property
    def num_layers(self) -> int:
        """Number of layers ``L``."""
        return len(self.ops)

    @classmethod
    def from_rows(cls, rows: list[list[int]]) -> Arch:
        """Build from D-VAE rows ``[[o0], [o1, s10], ...]``."""
        if not rows or any(len(row) == 0 for row in rows):
            raise ArchError("every layer row needs an op")
        ops = tuple(as_integer(r[0]) for r in rows)
        return cls(ops, tuple(tuple(as_integer(b) for b in r[1:]) for r in rows))

    def to_rows(self) -> list[list[int]]:
        """The D-VAE row form ``[[o0], [o1, s10], ...]``."""
        return [[op, *row] for op, row in zip(self.ops, self.skips, strict=True)]

    @classmethod
    def from_layers(cls, ops: list[int], skips: list[list[bool]]) -> Arch:
        """Build from per-layer ops and skip flags (layer ``i``: its op and ``i`` flags)."""
        return cls(
            tuple(as_integer(op) for op in ops),
            tuple(tuple(int(bool(b)) for b in row) for row in skips),
        )

    @classmethod
    def from_string(cls, text: str) -> Arch:
        """Parse the canonical flat string of integers (ops and skips row by row)."""
        tokens = text.replace(",", " ").split()
        try:
            values = [int(t) for t in tokens]
        except ValueError as err:
            raise ArchError(f"not a list of integers: {text.strip()[:60]!r}") from err
        n = len(values)
        layers = 0
        while layers * (layers + 1) // 2 < n:
            layers += 1
        if layers == 0 or layers * (layers + 1) // 2 != n:
            raise ArchError(f"{n} integers do not form an architecture (6 layers need 21)")
        rows, pos = [], 0
        for i in range(layers):
            rows.append(values[pos : pos + i + 1])
            pos += i + 1
        try:
            return cls.from_rows(rows)
        except ArchError as err:
            if layers == 6:
                raise
            raise ArchError(
                f"{err} ({n} integers read as {layers} layers; 6 layers need 21)"
            ) from None

    def to_string(self) -> str:
        """The canonical flat string, e.g. ``1 4 0 5 0 0 0 1 1 1 ...``."""
        return " ".join(str(v) for row in self.to_rows() for v in row)

    def __str__(self) -> str:
        return self.to_string()

    def to_dag(self) -> tuple[np.ndarray, np.ndarray]:
        """Vertex types ``(N,)`` and adjacency ``(N, N)`` (``adj[u, v] = 1`` for edge u->v)."""
        n = self.num_layers + 2
        types = np.empty(n, dtype=np.int64)
        adj = np.zeros((n, n), dtype=np.int64)
        types[0], types[-1] = INPUT_TYPE, OUTPUT_TYPE
        for i, (op, row) in enumerate(zip(self.ops, self.skips, strict=True)):
            types[i + 1] = op + 2
            adj[i, i + 1] = 1
            for j, bit in enumerate(row):
                if bit:
                    adj[j, i + 1] = 1
        adj[n - 2, n - 1] = 1
        return types, adj

    @classmethod
    def from_dag(cls, types: np.ndarray, adj: np.ndarray) -> Arch:
        """Invert :meth:`to_dag`: the DAG must be valid with all its vertices (any ``L``)."""
        types, adj = np.asarray(types), np.asarray(adj)
        if not is_valid_enas(types, adj, strict=True, layers=len(types) - 2):
            raise ArchError("the graph is not a complete valid ENAS architecture")
        layers = len(types) - 2
        ops = tuple(int(t) - 2 for t in types[1:-1])
        skips = tuple(tuple(int(adj[j, i + 1]) for j in range(i)) for i in range(layers))
        return cls(ops, skips)


def is_valid_enas(
    types: np.ndarray, adj: np.ndarray, strict: bool = False, layers: int = 6
) -> bool:
    """D-VAE's ``is_valid_ENAS`` on a dense graph whose vertices are in topological index order.

    Valid means: a DAG (edges only go to higher indices), exactly one input (type 0, first) and one
    output (type 1, last), every non-input vertex has in-degree > 0 and every non-output vertex
    out-degree > 0, the chain edges ``i -> i + 1`` all present and the output has in-degree 1.
    ``strict`` additionally requires all ``layers + 2`` vertices.
    """
    types, adj = np.asarray(types), np.asarray(adj)
    n = len(types)
    if n < 2 or adj.shape != (n, n):
        return False
    if strict and n != layers + 2:
        return False
    if np.any(np.tril(adj) != 0):
        return False
    if types[0] != INPUT_TYPE or types[-1] != OUTPUT_TYPE:
        return False
    if np.sum(types == INPUT_TYPE) != 1 or np.sum(types == OUTPUT_TYPE) != 1:
        return False
    if np.any(types[1:-1] < 2):
        return False
    indeg, outdeg = adj.sum(0), adj.sum(1)
    if np.any(indeg[1:] == 0) or np.any(outdeg[:-1] == 0):
        return False
    if not all(adj[i, i + 1] for i in range(n - 1)):
        return False
    return bool(indeg[-1] == 1)
