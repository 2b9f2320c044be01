"""A search space defined only here, in the tests: the proof that a new space is one folder.

Four computing nodes, each with one input chosen among the earlier nodes (0: the raw input)
and one of three ops; nodes without a successor feed the output. As a D-VAE DAG: input
(type 0), the four nodes in index order (type op + 2), output (type 1). Its string is
``links ops``, e.g. ``0 1 1 2 a b c a``. The oracle is a known formula (``score``), so the
exact optimum is found by enumerating all 24 x 81 = 1,944 objects.

Nothing outside this file knows the space: :func:`register_toy` adds it to the registry (in
the process that needs it) and :func:`write_toy_data` writes a data file only it claims.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from ngae.spaces.base import Naming, SearchSpace
from ngae.spaces.errors import ArchError, DataError
from ngae.spaces.graph_data import GraphData, dag_graph_data, read_lines

OPS = ("a", "b", "c")
NODES = 4
WEIGHTS = np.array([0.3, 0.7, 0.5])  # the oracle's value of each op


@dataclass(frozen=True)
class Toy:
    """One object: ``links[i]`` feeds node ``i + 1``, ``ops[i]`` its op."""

    links: tuple[int, ...]
    ops: tuple[int, ...]

    @classmethod
    def from_string(cls, text: str) -> Toy:
        parts = text.split()
        if len(parts) != 2 * NODES:
            raise ArchError(f"need {NODES} links and {NODES} ops, got {len(parts)} words")
        try:
            links = tuple(int(p) for p in parts[:NODES])
        except ValueError:
            raise ArchError("links must be integers") from None
        if any(not 0 <= link <= i for i, link in enumerate(links)):
            raise ArchError("node i (from 1) reads a node below it (0: the input)")
        if any(p not in OPS for p in parts[NODES:]):
            raise ArchError(f"ops are {', '.join(OPS)}")
        return cls(links, tuple(OPS.index(p) for p in parts[NODES:]))

    def to_string(self) -> str:
        return " ".join([*(str(k) for k in self.links), *(OPS[o] for o in self.ops)])

    def __str__(self) -> str:
        return self.to_string()

    def leaves(self) -> list[int]:
        """Nodes (1..4) nothing reads."""
        return [n for n in range(1, NODES + 1) if n not in self.links]

    def to_dag(self) -> tuple[np.ndarray, np.ndarray]:
        types = np.array([0, *(o + 2 for o in self.ops), 1], dtype=np.int64)
        adj = np.zeros((NODES + 2, NODES + 2), dtype=np.int64)
        for i, link in enumerate(self.links):
            adj[link, i + 1] = 1
        adj[self.leaves(), NODES + 1] = 1
        return types, adj

    def depth(self) -> int:
        """Edges on the longest path from the input to a node."""
        depth = [0] * (NODES + 1)
        for i, link in enumerate(self.links):
            depth[i + 1] = depth[link] + 1
        return max(depth)


def all_toys() -> list[Toy]:
    """Every object of the space (1,944)."""
    links = itertools.product(*(range(i + 1) for i in range(NODES)))
    return [Toy(lk, ops) for lk in links for ops in itertools.product(range(3), repeat=NODES)]


def score(toys: list[Toy]) -> np.ndarray:
    """The oracle: mean op value plus 0.05 per level of depth."""
    return np.array([WEIGHTS[list(t.ops)].mean() + 0.05 * t.depth() for t in toys])


class ToySpace(SearchSpace):
    """The test-only space (see the module docstring)."""

    name = "toy4"
    title = "Toy cells (4 nodes, 3 ops)"
    data_file = Path("toy.jsonl")  # set by write_toy_data
    naming = Naming(
        item="toy cell",
        items="toy cells",
        perf="goodness",
        perf_short="good",
        cmplx="ops",
        cmplx_short="ops",
        cmplx_column="op count",
        perf_key="goodness",
        vertex="op",
        perf_format="%.3f",
        perf_step=0.01,
    )
    example = "0 1 2 3 a b c a"

    def claims(self, path: Path, first: dict | None) -> bool:
        return path.suffix == ".jsonl" and first is not None and "toy" in first

    def parse(self, text: str) -> Toy:
        return Toy.from_string(text)

    def from_dag(self, types: np.ndarray, adj: np.ndarray) -> Toy:
        ok = self.valid_mask(torch.as_tensor(types)[None], torch.as_tensor(adj)[None], True)
        if not bool(ok[0]):
            raise ArchError("not a toy cell")
        links = tuple(int(np.flatnonzero(adj[:, i + 1])[0]) for i in range(NODES))
        return Toy(links, tuple(int(t) - 2 for t in types[1 : NODES + 1]))

    def valid_mask(self, types: Tensor, adj: Tensor, strict: bool = False) -> Tensor:
        b, n = types.shape
        if n != NODES + 2:
            return torch.zeros(b, dtype=torch.bool, device=types.device)
        a = adj.bool()
        ends = (types[:, 0] == 0) & (types[:, -1] == 1)
        middle = ((types[:, 1:-1] >= 2) & (types[:, 1:-1] <= 4)).all(1)
        one_input = (a[:, : NODES + 1, 1 : NODES + 1].sum(1) == 1).all(1)
        no_skip_out = ~a[:, 0, -1]
        reads = a[:, 1 : NODES + 1, 1 : NODES + 1].any(2)  # (B, 4): node read by another
        into_out = a[:, 1 : NODES + 1, -1]
        leaves_out = (into_out == ~reads).all(1)
        return ends & middle & one_input & no_skip_out & leaves_out

    def complexity(self, items: list[Toy]) -> np.ndarray:
        return np.array([sum(o != 2 for o in t.ops) for t in items], dtype=np.float64)

    def vertex_names(self, item: Toy) -> list[str]:
        return ["input", *(f"{i + 1}: {OPS[o]}" for i, o in enumerate(item.ops)), "output"]

    def load(self, path: Path) -> GraphData:
        toys, scores = [], []
        for number, line in enumerate(read_lines(Path(path)), start=1):
            if line.strip():
                try:
                    record = json.loads(line)
                    toys.append(Toy.from_string(record["toy"]))
                    scores.append(float(record["goodness"]))
                except (ValueError, KeyError) as err:
                    raise DataError(f"{path}:{number}: {err}") from None
        dags = [t.to_dag() for t in toys]
        return dag_graph_data(
            [d[0] for d in dags],
            [d[1] for d in dags],
            np.array(scores),
            self.complexity(toys),
            items=toys,
            space=self.name,
        )

    @property
    def has_oracle(self) -> bool:
        return True

    def true_scores(self, items: list[Toy]) -> np.ndarray:
        return score(items)

    def optimum(self) -> tuple[float, Toy]:
        return _optimum()


@lru_cache(maxsize=1)
def _optimum() -> tuple[float, Toy]:
    toys = all_toys()
    values = score(toys)
    best = int(np.argmax(values))
    return float(values[best]), toys[best]


def write_toy_data(path: Path) -> Path:
    """Every toy cell with its score, shuffled with a fixed seed, as the space's JSON lines."""
    toys = all_toys()
    order = np.random.default_rng(0).permutation(len(toys))
    values = score(toys)
    lines = [json.dumps({"toy": toys[i].to_string(), "goodness": float(values[i])}) for i in order]
    Path(path).write_text("\n".join(lines) + "\n")
    return Path(path)


def register_toy() -> ToySpace:
    """Add the toy space to the registry of this process (idempotent)."""
    from ngae.spaces.registry import register

    return register(ToySpace())
