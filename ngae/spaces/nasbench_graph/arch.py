"""A NAS-Bench-Graph architecture: its string, its benchmark hash and its DAG.

Four computing nodes, each with exactly one input (``links[i]``: 0 the raw input, ``j`` the
``j``-th computing node, so ``links[i] <= i``) and one op of :data:`OPS`; every node without a
successor feeds the output. Written ``links ops``: ``0 1 2 1 gcn gin fc cheb``. An
:class:`GnnArch` is always in the benchmark's canonical form (:mod:`.canonical`), so isomorphic
variants and equivalent skip placements are one object, one string and one hash; the all-skip
network (the identity, not in the benchmark) is refused.

As a DAG (D-VAE's layout): vertex 0 the input (type 0), vertices 1-4 the computing nodes in
the canonical order (type ``op + 2``; the canonical links only point back, so this order is
topological), vertex 5 the output (type 1), fed by every computing node without a child.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ngae.spaces.dense_graphs import INPUT_TYPE, OUTPUT_TYPE
from ngae.spaces.errors import ArchError
from ngae.spaces.nasbench_graph.canonical import (
    NODES,
    OPS,
    SKIP,
    bench_hash,
    canonical,
    from_hash,
)

VERTICES = NODES + 2  # input, four computing nodes, output
OUTPUT = VERTICES - 1
FIRST_OP_TYPE = 2  # vertex type of op k is k + 2
FORMAT = "links ops, e.g. '0 1 2 1 gcn gin fc cheb', or a benchmark hash such as '87072'"


@dataclass(frozen=True)
class GnnArch:
    """One architecture of the space, canonical: ``links`` and ``ops`` (indices into OPS).

    Built from any valid ``(links, ops)``; stores the canonical form (module docstring).
    """

    links: tuple[int, ...]
    ops: tuple[int, ...]

    def __post_init__(self) -> None:
        links, ops = tuple(self.links), tuple(self.ops)
        if len(links) != NODES or len(ops) != NODES:
            raise ArchError(f"need {NODES} links and {NODES} ops, got {len(links)} and {len(ops)}")
        for i, parent in enumerate(links):
            if not 0 <= parent <= i:
                raise ArchError(
                    f"node {i + 1} reads node {parent}: its input must be 0 (the raw input) to {i}"
                )
        if any(not 0 <= op < len(OPS) for op in ops):
            raise ArchError(f"ops are indices 0..{len(OPS) - 1}, got {list(ops)}")
        if all(op == SKIP for op in ops):
            raise ArchError("all four ops are skip: the identity network is not in the benchmark")
        links, ops = canonical(links, ops)
        object.__setattr__(self, "links", links)
        object.__setattr__(self, "ops", ops)

    @classmethod
    def from_names(cls, links: list[int], ops: list[str]) -> GnnArch:
        """From links and op names (``gcn`` ...; case-insensitive)."""
        unknown = [op for op in ops if op.lower() not in OPS]
        if unknown:
            raise ArchError(f"unknown op {unknown[0]!r} (ops: {', '.join(OPS)})")
        return cls(tuple(links), tuple(OPS.index(op.lower()) for op in ops))

    @classmethod
    def from_hash(cls, value: int) -> GnnArch:
        """The architecture whose benchmark hash is ``value``."""
        try:
            arch = cls(*from_hash(value))
        except (ValueError, ArchError):
            arch = None
        if arch is None or arch.bench_hash != value:
            raise ArchError(f"{value} is not a benchmark hash (the key of an architecture)")
        return arch

    @classmethod
    def from_string(cls, text: str) -> GnnArch:
        """Parse ``links ops`` (commas allowed) or a benchmark hash (``87072`` or ``#87072``)."""
        tokens = text.replace(",", " ").split()
        if len(tokens) == 1 and tokens[0].lstrip("#").isdigit():
            return cls.from_hash(int(tokens[0].lstrip("#")))
        if len(tokens) != 2 * NODES:
            raise ArchError(f"need 8 words ({FORMAT}), got {len(tokens)}")
        if not all(t.isdigit() for t in tokens[:NODES]):
            raise ArchError(f"the first four words are the nodes' inputs (integers): {FORMAT}")
        return cls.from_names([int(t) for t in tokens[:NODES]], tokens[NODES:])

    def to_string(self) -> str:
        """``links ops``, canonical (``0 1 2 3 fc gat fc gin``)."""
        return " ".join([*(str(p) for p in self.links), *self.op_names])

    def __str__(self) -> str:
        return self.to_string()

    @property
    def op_names(self) -> tuple[str, ...]:
        """The four ops by name."""
        return tuple(OPS[op] for op in self.ops)

    @property
    def bench_hash(self) -> int:
        """The benchmark's key of this architecture (``Arch(links, ops).valid_hash()``)."""
        return bench_hash(self.links, self.ops)

    def children(self) -> list[list[int]]:
        """Per computing node (0-based), the computing nodes (0-based) it feeds."""
        return [[j for j in range(NODES) if self.links[j] == i + 1] for i in range(NODES)]

    def leaves(self) -> list[int]:
        """The computing nodes (0-based) without a child: they feed the output."""
        return [i for i, kids in enumerate(self.children()) if not kids]

    def to_dag(self) -> tuple[np.ndarray, np.ndarray]:
        """``types`` ``(6,)`` and ``adj`` ``(6, 6)`` int64 (module docstring)."""
        types = np.array([INPUT_TYPE, *(op + FIRST_OP_TYPE for op in self.ops), OUTPUT_TYPE])
        adj = np.zeros((VERTICES, VERTICES), dtype=np.int64)
        for i, parent in enumerate(self.links):
            adj[parent, i + 1] = 1
        for i in self.leaves():
            adj[i + 1, OUTPUT] = 1
        return types.astype(np.int64), adj

    @classmethod
    def from_dag(cls, types: np.ndarray, adj: np.ndarray) -> GnnArch:
        """The architecture of a dense graph; ArchError with the first broken rule otherwise.

        The rule (:func:`~ngae.spaces.nasbench_graph.validity.valid_mask` is its batched form):
        6 vertices, the input first and the output last, an op type on each of the four in
        between, edges only forward, exactly one input into each computing node, none from the
        input straight to the output, and an edge into the output from exactly the computing
        nodes without a child; not all four ops skip.
        """
        types, adj = np.asarray(types), np.asarray(adj).astype(bool)
        if types.shape != (VERTICES,) or adj.shape != (VERTICES, VERTICES):
            raise ArchError(f"a graph of this space has {VERTICES} vertices, got {types.shape}")
        if types[0] != INPUT_TYPE or types[OUTPUT] != OUTPUT_TYPE:
            raise ArchError("the input must be the first vertex and the output the last")
        inner = types[1:OUTPUT] - FIRST_OP_TYPE
        if np.any((inner < 0) | (inner >= len(OPS))):
            raise ArchError("vertices 1-4 must be computing nodes (an op type each)")
        if np.any(np.tril(adj)):
            raise ArchError("every edge must go to a later vertex")
        if adj[0, OUTPUT]:
            raise ArchError("the raw input cannot feed the output directly")
        compute = adj[:OUTPUT, 1:OUTPUT]  # (5, 4): edges into the computing nodes
        if np.any(compute.sum(0) != 1):
            bad = int(np.flatnonzero(compute.sum(0) != 1)[0]) + 1
            raise ArchError(f"node {bad} has {int(compute[:, bad - 1].sum())} inputs, not one")
        leaf = ~adj[1:OUTPUT, 1:OUTPUT].any(1)
        if np.any(adj[1:OUTPUT, OUTPUT] != leaf):
            raise ArchError("the output must be fed by exactly the nodes without a child")
        if np.all(inner == SKIP):
            raise ArchError("all four ops are skip: the identity network is not in the benchmark")
        links = tuple(int(np.argmax(compute[:, i])) for i in range(NODES))
        return cls(links, tuple(int(op) for op in inner))
