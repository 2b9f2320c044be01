"""Bayesian networks over Asia as a :class:`~ngae.spaces.base.SearchSpace`, with the BIC oracle."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from ngae.spaces.asia.bic import exact_optimum
from ngae.spaces.asia.data import DATASET, SAMPLES, local_scores
from ngae.spaces.asia.drawing import VARIABLE_COLOURS, network_sketch
from ngae.spaces.asia.loading import read_networks
from ngae.spaces.asia.network import LONG_NAMES, NUM_VARS, VARIABLES, BayesNet, bn_graphs
from ngae.spaces.base import (
    Difference,
    Editor,
    Naming,
    Reference,
    SearchDefaults,
    SearchSpace,
    Sketch,
)
from ngae.spaces.dense_graphs import graph_keys
from ngae.spaces.errors import DataError
from ngae.spaces.graph_data import GraphData, dense_graph_data


class AsiaSpace(SearchSpace):
    """DAGs over the 8 Asia variables, scored by BIC on a samples file (the oracle)."""

    name = "asia"
    title = "Bayesian networks on Asia (8 variables)"
    data_file = DATASET
    naming = Naming(
        item="network",
        items="networks",
        perf="BIC",
        perf_short="BIC",
        cmplx="free parameters",
        cmplx_short="free parameters",
        cmplx_column="free parameters",
        perf_key="score",
        vertex="variable",
        perf_format="%.1f",
        perf_step=1.0,
    )
    validity_rule = "is_valid_BN"
    exports_adjacency = True
    burn_in = 0
    example = "0" * (NUM_VARS * NUM_VARS)
    reference = Reference(
        figures={
            "D-VAE (asia_200k)": {
                "recon_acc": 0.9994,
                "validity": 0.9884,
                "uniqueness": 0.3898,
                "novelty": 0.9801,
            },
            "DIGGED (2025)": {
                "recon_acc": 1.0,
                "validity": 1.0,
                "uniqueness": 0.976,
                "novelty": 1.0,
            },
        },
        note="published on D-VAE's 200,000 random Asia networks (ours: 200,000 made the same way)",
    )
    search_defaults = SearchDefaults(
        lambda_cmplx=0.0,
        reason="BIC already charges for complexity (its free parameters); searches start from "
        "the data set's best true BIC (its labels are exact, its score head is not)",
        strategy="optimal",
    )
    editor = Editor(
        kind="grid",
        choices=VARIABLES,
        help="tick an edge from the row's variable to the column's; the network must be a DAG",
        descriptions=LONG_NAMES,
    )

    def __init__(self, samples: Path = SAMPLES) -> None:
        self.samples = Path(samples)

    def claims(self, path: Path, first: dict | None) -> bool:
        """JSON lines whose records carry an Asia ``adjacency`` string."""
        return path.suffix == ".jsonl" and first is not None and "adjacency" in first

    def parse(self, text: str) -> BayesNet:
        """The 64-digit adjacency string."""
        return BayesNet.from_string(text)

    def from_dag(self, types: np.ndarray, adj: np.ndarray) -> BayesNet:
        """D-VAE's BN graph back to the network."""
        return BayesNet.from_dag(types, adj)

    def valid_mask(self, types: Tensor, adj: Tensor, strict: bool = False) -> Tensor:
        """D-VAE's ``is_valid_BN`` on a batch.

        10 vertices, input first, output last, each variable exactly once (decoded edges only
        go forward, so the graph is a DAG).
        """
        b, n = types.shape
        if n != NUM_VARS + 2:
            return torch.zeros(b, dtype=torch.bool, device=types.device)
        middle = types[:, 1:-1]
        counts = torch.stack([(middle == 2 + v).sum(1) for v in range(NUM_VARS)], 1)
        ends = (types[:, 0] == 0) & (types[:, -1] == 1)
        return ends & (counts == 1).all(1)

    def complexity(self, items: list[BayesNet]) -> np.ndarray:
        """Free parameters: ``sum_i (r_i - 1) prod_{parents} r_j``, all variables binary."""
        return self._free_params(_adjacencies(items))

    def vertex_names(self, item: BayesNet) -> list[str]:
        """``input``, the variables in the drawing's vertex order, ``output``."""
        return ["input", *(VARIABLES[v] for v in item.order()), "output"]

    def editor_value(self, item: BayesNet) -> list[list[bool]]:
        """The adjacency matrix (row: parent, column: child)."""
        return item.adjacency.astype(bool).tolist()

    def from_editor(self, value: list[list[bool]]) -> str:
        """The 64-digit string of an adjacency matrix (the diagonal ignored)."""
        adj = np.array(value, dtype=bool)
        np.fill_diagonal(adj, False)
        return "".join("1" if b else "0" for b in adj.reshape(-1))

    def type_names(self, num_types: int) -> list[str]:
        """Input, output and the eight variables."""
        return ["input", "output", *VARIABLES]

    def legend(self) -> list[tuple[str, str]]:
        """One colour per variable, with its long name."""
        return [(VARIABLE_COLOURS[k], f"{v}: {LONG_NAMES[k]}") for k, v in enumerate(VARIABLES)]

    def sketch(self, item: BayesNet) -> Sketch:
        """The Bayesian network: named variables, directed edges (no input and output)."""
        return network_sketch(item)

    def file_stem(self, item: BayesNet) -> str:
        """``network-`` and the adjacency's 64 bits in hexadecimal."""
        return f"network-{int(str(item), 2):016x}"

    def hover_text(self, text: str) -> str:
        """The network's edges (``S->L, L->E``), not its 64 digits."""
        try:
            return ", ".join(self.edge_names(self.parse(text))) or "no edges"
        except ValueError:
            return text

    def difference(self, a: BayesNet, b: BayesNet) -> Difference:
        """Edges only in ``b`` (``+``) and only in ``a`` (``-``)."""
        ea, eb = set(self.edge_names(a)), set(self.edge_names(b))
        parts = [f"+{e}" for e in sorted(eb - ea)] + [f"-{e}" for e in sorted(ea - eb)]
        own = tuple(tuple(e.split("->")) for e in sorted(ea - eb))
        return Difference(text="; ".join(parts) or "no change", own_edges=own)

    def describe_optimum(self, item: BayesNet) -> str:
        """Its adjacency and its edges."""
        edges = ", ".join(self.edge_names(item)) or "no edges"
        return f"adjacency {item}\nedges {edges}"

    def with_oracle_source(self, source: str) -> AsiaSpace:
        """BIC computed on another samples file (CSV of the 8 variables)."""
        path = Path(source)
        if not path.is_file():
            raise DataError(f"{path}: no such samples file")
        return AsiaSpace(path)

    def edge_names(self, item: BayesNet) -> list[str]:
        """Each edge as ``"S->L"``, sources in variable order."""
        adj = item.adjacency
        return [f"{VARIABLES[i]}->{VARIABLES[j]}" for i, j in zip(*np.nonzero(adj), strict=True)]

    def keys(self, types: np.ndarray | Tensor, adj: np.ndarray | Tensor) -> list[bytes]:
        """The network's adjacency for valid graphs, whatever their vertex order.

        Other graphs keep their key as decoded (prefixed so the two kinds never collide).
        """
        t = np.asarray(types.cpu() if isinstance(types, Tensor) else types)
        a = np.asarray(adj.cpu() if isinstance(adj, Tensor) else adj).astype(np.int8)
        ok = self.valid_mask(torch.as_tensor(t), torch.as_tensor(a)).numpy()
        raw = graph_keys(t, a)
        # Every valid graph's network at once: net[b, var_i, var_j] = adj[b, 1 + i, 1 + j].
        var = np.clip(t[ok, 1:-1] - 2, 0, NUM_VARS - 1)  # (V, 8), a permutation per row
        net = np.zeros((len(var), NUM_VARS, NUM_VARS), dtype=np.int8)
        rows = np.arange(len(var))[:, None, None]
        net[rows, var[:, :, None], var[:, None, :]] = a[ok, 1:-1, 1:-1]
        packed = iter(np.packbits(net.reshape(len(var), NUM_VARS * NUM_VARS), axis=1))
        return [
            b"n" + next(packed).tobytes() if good else b"g" + key
            for good, key in zip(ok, raw, strict=True)
        ]

    @property
    def has_oracle(self) -> bool:
        """BIC is computed exactly from the samples."""
        return True

    def true_scores(self, items: list[BayesNet]) -> np.ndarray:
        """BIC of each network on the samples file."""
        return local_scores(self.samples).score(_adjacencies(items))

    def optimum(self) -> tuple[float, BayesNet]:
        """The best BIC over all DAGs (dynamic programming) and a network that reaches it."""
        best = exact_optimum(local_scores(self.samples))
        return best.score, BayesNet.from_adjacency(best.adjacency)

    def load(self, path: Path) -> GraphData:
        """Read the data set's JSON lines (``adjacency``, ``score``; ``params`` recomputed).

        All networks at once (:func:`~ngae.spaces.asia.loading.read_networks`): the same data
        and the same ``path:line`` errors as reading and encoding them one by one.
        """
        nets = read_networks(path)
        types, adj = bn_graphs(nets.adjacency, nets.order)
        return dense_graph_data(
            types,
            adj,
            nets.scores,
            self._free_params(nets.adjacency),
            items=nets.nets,
            space=self.name,
            strings=nets.strings,
        )

    def _free_params(self, adj: np.ndarray) -> np.ndarray:
        """Free parameters of networks ``(M, 8, 8)`` as float64 (see :meth:`complexity`)."""
        return local_scores(self.samples).free_params(adj).astype(np.float64)


def _adjacencies(items: list[BayesNet]) -> np.ndarray:
    """The networks' adjacency matrices ``(M, 8, 8)`` int64, in one array."""
    return np.array([n.edges for n in items], dtype=np.int64).reshape(-1, NUM_VARS, NUM_VARS)
