"""Structural queries over ENAS cells: motifs combined with AND, vectorised over a data set.

A query is a tuple of conditions, each true or false per architecture:

- ``op L=NAME``: layer ``L`` (1-based) applies op ``NAME`` (``conv3x3`` ... ``max-pool3x3``);
- ``skip U>L`` / ``noskip U>L``: a skip into layer ``L`` from node ``U`` (0: the input, ``U >= 1``:
  layer ``U``'s output; a skip jumps at least one layer, so ``U <= L - 2``) is present / absent;
- ``conv``, ``sep``, ``pool``, ``skips``, ``longest`` with bounds ``LO..HI`` (either may be
  left out): the number of convolutions (3x3 and 5x5), separable convolutions, pools, skips,
  and the longest input-to-output path in edges.

Its text form, ``op 1=conv3x3; skip 0>3; conv 2..4; longest 5..``, is what the URL keeps.
Everything is computed on the dense DAG arrays (``types`` ``(M, N)``, ``adj`` ``(M, N, N)``):
vertex 0 is the input, vertex ``L`` layer ``L``, the last vertex the output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ngae.errors import UserInputError
from ngae.spaces.enas.arch import OP_NAMES

COUNTS = {
    "conv": "convolutions",
    "sep": "separable convolutions",
    "pool": "pools",
    "skips": "skips",
    "longest": "longest path (edges)",
}
QUERY_HELP = (
    "Conditions joined by ';' (all must hold): `op 1=conv3x3` (layer 1's op), `skip 0>3` / "
    "`noskip 0>3` (a skip from node 0, the input, into layer 3), `conv 2..4`, `sep ..1`, "
    "`pool 1..`, `skips 3..5`, `longest 6..` (counts of convolutions, separable convolutions, "
    "pools, skips; the longest path in edges)."
)
OP_GROUPS = {"conv": (0, 2), "sep": (1, 3), "pool": (4, 5)}


@dataclass(frozen=True)
class Condition:
    """One condition: ``kind`` is ``op``, ``skip``, ``noskip`` or a :data:`COUNTS` name."""

    kind: str
    a: int | None = None  # op: layer; skip: from node; count: low bound
    b: int | None = None  # op: op index; skip: into layer; count: high bound

    def text(self) -> str:
        """The condition in the query language."""
        if self.kind == "op":
            return f"op {self.a}={OP_NAMES[self.b]}"
        if self.kind in ("skip", "noskip"):
            return f"{self.kind} {self.a}>{self.b}"
        lo = "" if self.a is None else str(self.a)
        hi = "" if self.b is None else str(self.b)
        return f"{self.kind} {lo}..{hi}"


@dataclass(frozen=True)
class Query:
    """Conditions combined with AND (an empty query matches everything)."""

    conditions: tuple[Condition, ...] = ()

    def text(self) -> str:
        """The query in its text form (what :func:`parse_query` reads back)."""
        return "; ".join(c.text() for c in self.conditions)


def parse_query(text: str, layers: int = 6) -> Query:
    """Read a query's text form; a bad condition is a :class:`UserInputError` naming it."""
    conditions = []
    for part in filter(None, (p.strip() for p in (text or "").split(";"))):
        conditions.append(_parse_condition(part, layers))
    return Query(tuple(conditions))


def _parse_condition(part: str, layers: int) -> Condition:
    words = part.split(None, 1)
    kind, rest = words[0].lower(), (words[1] if len(words) > 1 else "").replace(" ", "")
    if kind == "op":
        m = re.fullmatch(r"(\d+)=([\w-]+)", rest)
        if not m or m.group(2) not in OP_NAMES or not 1 <= int(m.group(1)) <= layers:
            raise UserInputError(
                f"{part!r}: write op LAYER=NAME, LAYER 1..{layers}, NAME one of "
                + ", ".join(OP_NAMES)
            )
        return Condition("op", int(m.group(1)), OP_NAMES.index(m.group(2)))
    if kind in ("skip", "noskip"):
        m = re.fullmatch(r"(\d+)>(\d+)", rest)
        if not m or not 0 <= int(m.group(1)) <= int(m.group(2)) - 2 or int(m.group(2)) > layers:
            raise UserInputError(
                f"{part!r}: write {kind} FROM>LAYER with 0 <= FROM <= LAYER - 2, LAYER <= {layers}"
            )
        return Condition(kind, int(m.group(1)), int(m.group(2)))
    if kind in COUNTS:
        m = re.fullmatch(r"(\d*)\.\.(\d*)|(\d+)", rest)
        if not m or rest in ("", ".."):
            raise UserInputError(
                f"{part!r}: write {kind} LO..HI, {kind} LO.., {kind} ..HI or {kind} N"
            )
        if m.group(3) is not None:
            return Condition(kind, int(m.group(3)), int(m.group(3)))
        lo = int(m.group(1)) if m.group(1) else None
        hi = int(m.group(2)) if m.group(2) else None
        if lo is not None and hi is not None and lo > hi:
            raise UserInputError(f"{part!r}: the low bound is above the high bound")
        return Condition(kind, lo, hi)
    raise UserInputError(
        f"{part!r}: a condition starts with op, skip, noskip or one of " + ", ".join(COUNTS)
    )


def features(types: np.ndarray, adj: np.ndarray) -> dict[str, np.ndarray]:
    """Per architecture: op counts by group, skips and longest path (each ``(M,)``)."""
    ops = types[:, 1:-1] - 2  # (M, L)
    n = types.shape[1]
    edges = adj.astype(bool)
    layer_edges = edges[:, : n - 1, : n - 1]  # among input and layers (not into the output)
    chain = np.eye(n - 1, k=1, dtype=bool)
    out = {g: np.isin(ops, members).sum(1) for g, members in OP_GROUPS.items()}
    out["skips"] = (layer_edges & ~chain).sum((1, 2))
    out["longest"] = longest_paths(edges)
    return out


def longest_paths(adj: np.ndarray) -> np.ndarray:
    """Edges on the longest path from the first to the last vertex, per DAG.

    ``adj`` ``(M, N, N)`` in topological order; ``-1`` where the last vertex cannot be reached.
    """
    m, n, _ = adj.shape
    dist = np.full((m, n), -1, dtype=np.int64)
    dist[:, 0] = 0
    for v in range(1, n):
        reach = adj[:, :v, v].astype(bool) & (dist[:, :v] >= 0)
        best = np.where(reach, dist[:, :v] + 1, -1).max(1)
        dist[:, v] = best
    return dist[:, -1]


def matches(query: Query, types: np.ndarray, adj: np.ndarray) -> np.ndarray:
    """``(M,)`` bool: the architectures meeting every condition of ``query``."""
    keep = np.ones(len(types), dtype=bool)
    feats = None
    for c in query.conditions:
        if c.kind == "op":
            keep &= types[:, c.a] - 2 == c.b
        elif c.kind in ("skip", "noskip"):
            present = adj[:, c.a, c.b].astype(bool)
            keep &= present if c.kind == "skip" else ~present
        else:
            feats = feats if feats is not None else features(types, adj)
            values = feats[c.kind]
            if c.a is not None:
                keep &= values >= c.a
            if c.b is not None:
                keep &= values <= c.b
    return keep
