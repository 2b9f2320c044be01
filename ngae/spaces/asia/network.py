"""The Asia Bayesian network (Lauritzen and Spiegelhalter, 1988) and its DAG space.

Eight binary variables in bnlearn's column order, the true network's edges and CPTs, ancestral
sampling, and :class:`BayesNet`, one DAG over the variables with D-VAE's BN encoding:

* the 64-digit adjacency string ``a00 a01 ... a77`` (``a[i][j] = 1``: an edge from variable i
  to variable j), written without spaces;
* as a graph for the model: one vertex per variable with type ``2 + index``, the variables in a
  topological order (the smallest index first among those ready, so each DAG has one encoding),
  an input vertex (type 0) feeding the variables without parents and an output vertex (type 1)
  fed by those without children (D-VAE's ``decode_BN_to_igraph``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ngae.spaces.errors import ArchError

VARIABLES = ("A", "S", "T", "L", "B", "E", "X", "D")
LONG_NAMES = (
    "visit to Asia",
    "smoker",
    "tuberculosis",
    "lung cancer",
    "bronchitis",
    "tuberculosis or cancer",
    "positive x-ray",
    "dyspnoea",
)
NUM_VARS = len(VARIABLES)
TRUE_EDGES = (
    ("A", "T"),
    ("S", "L"),
    ("S", "B"),
    ("T", "E"),
    ("L", "E"),
    ("E", "X"),
    ("B", "D"),
    ("E", "D"),
)

# P(variable = yes | parents), parents' states as (yes?, ...) tuples in the order of TRUE_EDGES.
_P_YES = {
    "A": {(): 0.01},
    "S": {(): 0.5},
    "T": {(True,): 0.05, (False,): 0.01},
    "L": {(True,): 0.1, (False,): 0.01},
    "B": {(True,): 0.6, (False,): 0.3},
    "X": {(True,): 0.98, (False,): 0.05},
    "D": {(True, True): 0.9, (True, False): 0.8, (False, True): 0.7, (False, False): 0.1},
}
_PARENTS = {"T": ("A",), "L": ("S",), "B": ("S",), "E": ("T", "L"), "X": ("E",), "D": ("B", "E")}


def sample_asia(n: int, seed: int) -> np.ndarray:
    """``n`` rows drawn from the Asia network, ``(n, 8)`` bool (True = yes), columns VARIABLES.

    Ancestral sampling with one uniform draw per cell from ``numpy.random.default_rng(seed)``
    (``(n, 8)`` at once, so the rows depend only on ``n`` and ``seed``); E is deterministic
    (T or L) and uses no draw.
    """
    u = np.random.default_rng(seed).random((n, NUM_VARS))
    values: dict[str, np.ndarray] = {}
    for col, name in enumerate(VARIABLES):  # VARIABLES is a topological order of the network
        if name == "E":
            values[name] = values["T"] | values["L"]
            continue
        parents = _PARENTS.get(name, ())
        p = np.zeros(n)
        for states, prob in _P_YES[name].items():
            match = np.ones(n, dtype=bool)
            for parent, state in zip(parents, states, strict=True):
                match &= values[parent] == state
            p[match] = prob
        values[name] = u[:, col] < p
    return np.stack([values[v] for v in VARIABLES], 1)


def true_adjacency() -> np.ndarray:
    """The Asia network's adjacency ``(8, 8)`` (``[i, j] = 1``: edge i -> j)."""
    adj = np.zeros((NUM_VARS, NUM_VARS), dtype=np.int64)
    for u, v in TRUE_EDGES:
        adj[VARIABLES.index(u), VARIABLES.index(v)] = 1
    return adj


def has_cycle(adj: np.ndarray) -> bool:
    """Whether the directed graph ``adj`` ``(V, V)`` has a cycle (self-loops included)."""
    adj = np.asarray(adj).astype(bool)
    return _order(_parent_masks(adj.flatten().tolist(), len(adj))) is None


def _parent_masks(edges: list[int] | tuple[int, ...], n: int) -> list[int]:
    """Per vertex, its parents as a bit mask (``edges`` row-major, ``[i * n + j]``: i -> j)."""
    masks = [0] * n
    for k, e in enumerate(edges):
        if e:
            masks[k % n] |= 1 << (k // n)
    return masks


def _order(parents: list[int]) -> list[int] | None:
    """A topological order, the smallest index first among those ready; ``None`` on a cycle."""
    placed, out = 0, []
    while len(out) < len(parents):
        ready = next(
            (v for v in range(len(parents)) if not placed >> v & 1 and parents[v] & ~placed == 0),
            None,
        )
        if ready is None:
            return None
        out.append(ready)
        placed |= 1 << ready
    return out


def topological_orders(adj: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_order` for a batch of graphs at once, and which of them are DAGs.

    Args:
        adj: ``(M, V, V)``, nonzero ``[m, i, j]`` for an edge i -> j.

    Returns:
        ``(M, V)`` int64 orders, the smallest index first among those ready (meaningless for a
        graph with a cycle), and ``(M,)`` bool, False where a cycle or self-loop leaves no
        vertex ready.
    """
    m, v = adj.shape[:2]
    bit = 1 << np.arange(v, dtype=np.int64)  # (V,)
    parents = np.einsum("mij,i->mj", (adj != 0).astype(np.int64), bit)  # (M, V) parent masks
    placed = np.zeros(m, dtype=np.int64)  # (M,) mask of the vertices already in the order
    order = np.zeros((m, v), dtype=np.int64)
    acyclic = np.ones(m, dtype=bool)
    for step in range(v):
        free = placed[:, None]
        ready = ((free & bit) == 0) & ((parents & ~free) == 0)  # (M, V)
        acyclic &= ready.any(1)
        order[:, step] = ready.argmax(1)  # the smallest ready index
        placed |= bit[order[:, step]]
    return order, acyclic


def bn_graphs(adj: np.ndarray, order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:meth:`BayesNet.to_dag` for a batch: D-VAE's BN encoding of DAGs in the given orders.

    Args:
        adj: ``(M, V, V)`` 0/1 adjacency over the variables (``[m, i, j] = 1``: i -> j).
        order: ``(M, V)`` a topological order of each (:func:`topological_orders`).

    Returns:
        Types ``(M, V + 2)`` and adjacency ``(M, V + 2, V + 2)``, both int64, input first.
    """
    m, v = order.shape
    rows = np.arange(m)[:, None, None]
    inner = adj[rows, order[:, :, None], order[:, None, :]].astype(np.int64)  # (M, V, V)
    types = np.empty((m, v + 2), dtype=np.int64)
    types[:, 0], types[:, 1:-1], types[:, -1] = 0, 2 + order, 1
    dag = np.zeros((m, v + 2, v + 2), dtype=np.int64)
    dag[:, 1:-1, 1:-1] = inner
    dag[:, 0, 1:-1] = inner.sum(1) == 0  # input -> variables without parents
    dag[:, 1:-1, -1] = inner.sum(2) == 0  # variables without children -> output
    return types, dag


def looks_like_adjacency(text: str) -> bool:
    """Whether ``text`` is spelled as an adjacency string: 64 characters, each 0 or 1."""
    return len(text) == NUM_VARS * NUM_VARS and set(text) <= {"0", "1"}


@dataclass(frozen=True)
class BayesNet:
    """A DAG over the Asia variables: ``edges[i * 8 + j] = 1`` for an edge from i to j."""

    edges: tuple[int, ...]

    def __post_init__(self) -> None:
        if len(self.edges) != NUM_VARS * NUM_VARS:
            raise ArchError(
                f"an adjacency needs {NUM_VARS * NUM_VARS} digits, got {len(self.edges)}"
            )
        if any(e not in (0, 1) for e in self.edges):
            raise ArchError("adjacency digits must be 0 or 1")
        loops = [VARIABLES[i] for i in range(NUM_VARS) if self.edges[i * NUM_VARS + i]]
        if loops:
            raise ArchError(f"self-loop on {', '.join(loops)}")
        if _order(_parent_masks(self.edges, NUM_VARS)) is None:
            raise ArchError("the graph has a directed cycle (a Bayesian network must be a DAG)")

    @classmethod
    def trusted(cls, edges: tuple[int, ...]) -> BayesNet:
        """A network from edges already checked elsewhere, without checking them again.

        For loaders that check many networks at once (:func:`topological_orders`): ``edges``
        must be 64 ints, each 0 or 1, with no self-loop and no cycle; the result then equals
        ``BayesNet(edges)``.
        """
        net = object.__new__(cls)
        object.__setattr__(net, "edges", edges)
        return net

    @property
    def adjacency(self) -> np.ndarray:
        """``(8, 8)`` int64, ``[i, j] = 1`` for an edge from variable i to variable j."""
        return np.array(self.edges, dtype=np.int64).reshape(NUM_VARS, NUM_VARS)

    @classmethod
    def from_adjacency(cls, adj: np.ndarray) -> BayesNet:
        """Build from an ``(8, 8)`` 0/1 matrix."""
        adj = np.asarray(adj)
        if adj.shape != (NUM_VARS, NUM_VARS):
            raise ArchError(f"an adjacency matrix must be {NUM_VARS} x {NUM_VARS}")
        return cls(tuple(int(v) for v in adj.flatten()))

    @classmethod
    def from_string(cls, text: str) -> BayesNet:
        """Parse the 64-digit adjacency string (spaces and commas between digits allowed)."""
        digits = "".join(text.replace(",", " ").split())
        if not digits.isdigit():
            bad = next((c for c in digits if not c.isdigit()), "")
            raise ArchError(f"an adjacency string holds only the digits 0 and 1, not {bad!r}")
        if len(digits) != NUM_VARS * NUM_VARS:
            raise ArchError(
                f"an adjacency string needs {NUM_VARS * NUM_VARS} digits, got {len(digits)}"
            )
        return cls(tuple(int(c) for c in digits))

    def to_string(self) -> str:
        """The 64-digit adjacency string."""
        return "".join(str(e) for e in self.edges)

    def __str__(self) -> str:
        return self.to_string()

    def order(self) -> list[int]:
        """The variables in topological order, the smallest index first among those ready."""
        return _order(_parent_masks(self.edges, NUM_VARS))  # a DAG: never None

    def to_dag(self) -> tuple[np.ndarray, np.ndarray]:
        """Vertex types ``(10,)`` and adjacency ``(10, 10)`` in D-VAE's BN encoding."""
        order, adj = self.order(), self.adjacency
        n = NUM_VARS + 2
        types = np.array([0, *[2 + v for v in order], 1], dtype=np.int64)
        dag = np.zeros((n, n), dtype=np.int64)
        dag[1:-1, 1:-1] = adj[np.ix_(order, order)]
        dag[0, 1:-1] = dag[1:-1, 1:-1].sum(0) == 0  # input -> variables without parents
        dag[1:-1, -1] = dag[1:-1, 1:-1].sum(1) == 0  # variables without children -> output
        return types, dag

    @classmethod
    def from_dag(cls, types: np.ndarray, adj: np.ndarray) -> BayesNet:
        """Invert :meth:`to_dag` for any valid BN graph (``is_valid_bn``)."""
        types, adj = np.asarray(types), np.asarray(adj)
        if not is_valid_bn(types, adj):
            raise ArchError("the graph is not a valid Bayesian network over the Asia variables")
        var = types[1:-1] - 2
        out = np.zeros((NUM_VARS, NUM_VARS), dtype=np.int64)
        out[np.ix_(var, var)] = adj[1:-1, 1:-1]
        return cls.from_adjacency(out)

    def num_edges(self) -> int:
        """Number of edges between variables."""
        return int(sum(self.edges))


def is_valid_bn(types: np.ndarray, adj: np.ndarray) -> bool:
    """D-VAE's ``is_valid_BN`` for a dense graph in topological index order.

    A DAG (edges only forward) with exactly one input (first) and one output (last) and every
    variable exactly once: ``10`` vertices whose middle types are a permutation of ``2..9``.
    """
    types, adj = np.asarray(types), np.asarray(adj)
    n = NUM_VARS + 2
    if types.shape != (n,) or adj.shape != (n, n):
        return False
    if types[0] != 0 or types[-1] != 1 or np.any(np.tril(adj) != 0):
        return False
    return bool(np.array_equal(np.sort(types[1:-1]), np.arange(2, n)))
