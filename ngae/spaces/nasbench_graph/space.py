"""NAS-Bench-Graph (Qin et al., NeurIPS 2022 Datasets and Benchmarks) as a search space.

Architectures: :mod:`.arch`; the tables and the data sets: :mod:`.tables`. The oracle reads
one data set's table (Cora by default, :meth:`NasBenchGraphSpace.with_oracle_source` for the
others or for a ``.bench`` file); the score searches maximise is its validation accuracy, and
an architecture a table lacks (proteins holds 2,021) has NaN figures, never an error.
Complexity is the parameter count on Cora whatever the oracle's data set: it is what the data
file and so the model's complexity head carry (a count, not millions).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from ngae.spaces.base import Difference, Editor, Naming, SearchDefaults, SearchSpace, Sketch
from ngae.spaces.dense_graphs import graph_keys
from ngae.spaces.errors import ArchError, DataError
from ngae.spaces.graph_data import GraphData, dag_graph_data
from ngae.spaces.nasbench_graph.arch import FORMAT, VERTICES, GnnArch
from ngae.spaces.nasbench_graph.canonical import OPS, all_hashes, from_hash
from ngae.spaces.nasbench_graph.data_file import (
    ARCH_KEY,
    DATASET,
    DEFAULT_DATASET,
    parameter_counts,
    read_dataset,
    write_dataset,
)
from ngae.spaces.nasbench_graph.drawing import OP_COLOURS, arch_sketch, node_id
from ngae.spaces.nasbench_graph.tables import (
    CURVE_COLUMNS,
    DATASETS,
    BenchTable,
    file_table,
    light_table,
)
from ngae.spaces.nasbench_graph.validity import valid_hashes, valid_mask

METRICS = ("valid accuracy", "test accuracy", "latency (s)", "params (M)")


class NasBenchGraphSpace(SearchSpace):
    """NAS-Bench-Graph's 26,206 GNN architectures with their true figures on nine data sets."""

    name = "nasbench-graph"
    title = "NAS-Bench-Graph GNN architectures"
    data_file = DATASET
    naming = Naming(
        item="architecture",
        items="architectures",
        perf="validation accuracy",
        perf_short="val acc",
        cmplx="parameters",
        cmplx_short="params",
        cmplx_column="params (Cora)",
        perf_key="acc",
        vertex="op",
        perf_format="%.4f",
        perf_step=0.0005,
        perf_bounds=(0.0, 1.0),
    )
    validity_rule = "one input per node, leaves into the output"
    burn_in = 0
    example = "0 1 1 2 gcn gin cheb fc"  # the authors' README example, canonical
    search_defaults = SearchDefaults(
        lambda_cmplx=0.0, reason="the benchmark ranks architectures by accuracy alone"
    )
    editor = Editor(kind="string", choices=OPS, help=f"{FORMAT}; ops: {', '.join(OPS)}")

    def __init__(self, dataset: str = DEFAULT_DATASET, bench_file: Path | None = None) -> None:
        self.dataset = dataset
        self.bench_file = bench_file

    @property
    def table(self) -> BenchTable:
        """The oracle's table (cached by :mod:`.tables`)."""
        return light_table(self.dataset) if self.bench_file is None else file_table(self.bench_file)

    # ----- objects and graphs -----------------------------------------------------------
    def claims(self, path: Path, first: dict | None) -> bool:
        """JSON lines whose records carry ``nbg_arch``."""
        return path.suffix == ".jsonl" and first is not None and ARCH_KEY in first

    def parse(self, text: str) -> GnnArch:
        """``links ops`` or a benchmark hash (:meth:`GnnArch.from_string`)."""
        return GnnArch.from_string(text)

    def check_text(self, text: str, vertices: int) -> None:
        """Every architecture has 6 vertices: a model of another size reads none."""
        if vertices != VERTICES:
            raise ArchError(f"this model has {vertices} vertices; an architecture has {VERTICES}")

    def from_dag(self, types: np.ndarray, adj: np.ndarray) -> GnnArch:
        """The architecture of a valid dense graph (ArchError with the broken rule otherwise)."""
        return GnnArch.from_dag(types, adj)

    def valid_mask(self, types: Tensor, adj: Tensor, strict: bool = False) -> Tensor:
        """One input per computing node, the leaves into the output (:mod:`.validity`).

        Every valid graph has all six vertices, so ``strict`` changes nothing.
        """
        return valid_mask(types, adj)

    def keys(self, types: np.ndarray | Tensor, adj: np.ndarray | Tensor) -> list[bytes]:
        """The benchmark hash for valid graphs, so isomorphic variants are one key.

        Other graphs keep their key as decoded (prefixed so the two kinds never collide).
        """
        t = torch.as_tensor(np.asarray(types.cpu() if isinstance(types, Tensor) else types))
        a = torch.as_tensor(np.asarray(adj.cpu() if isinstance(adj, Tensor) else adj))
        ok = valid_mask(t, a).numpy()
        hashes = iter(valid_hashes(t.numpy()[ok], a.numpy()[ok]).tolist())
        raw = graph_keys(t, a)
        return [
            b"h%d" % next(hashes) if good else b"g" + key for good, key in zip(ok, raw, strict=True)
        ]

    def complexity(self, items: list[GnnArch]) -> np.ndarray:
        """Parameters on Cora, a count (module docstring)."""
        return parameter_counts(np.array([a.bench_hash for a in items], dtype=np.int64))

    def vertex_names(self, item: GnnArch) -> list[str]:
        """``input``, ``1: gcn`` ... in the canonical node order, ``output``."""
        return ["input", *(f"{i + 1}: {op}" for i, op in enumerate(item.op_names)), "output"]

    def load(self, path: Path) -> GraphData:
        """Read the data file (made first when the shipped one is missing)."""
        path = Path(path)
        if path == DATASET and not path.exists():
            write_dataset(path)
        archs, accs = read_dataset(path)
        dags = [a.to_dag() for a in archs]
        return dag_graph_data(
            [d[0] for d in dags],
            [d[1] for d in dags],
            accs,
            self.complexity(archs),
            items=archs,
            space=self.name,
        )

    # ----- words, pictures, tables -----------------------------------------------------
    def type_names(self, num_types: int) -> list[str]:
        """Input, output and the nine ops."""
        return ["input", "output", *OPS]

    def legend(self) -> list[tuple[str, str]]:
        """One colour per op."""
        return list(zip(OP_COLOURS, OPS, strict=True))

    def sketch(self, item: GnnArch) -> Sketch:
        """Input, the four op nodes (named and coloured), output."""
        return arch_sketch(item)

    def file_stem(self, item: GnnArch) -> str:
        """``gnn-`` and the string's words joined by ``-``."""
        return "gnn-" + "-".join(str(item).split())

    def features(self, items: list[GnnArch]) -> dict[str, np.ndarray]:
        """How many nodes apply each op (``n_gat`` ...) and the benchmark hash."""
        ops = np.array([a.ops for a in items], dtype=np.int64).reshape(len(items), -1)
        columns = {f"n_{op}": (ops == k).sum(1) for k, op in enumerate(OPS)}
        columns["hash"] = np.array([a.bench_hash for a in items], dtype=np.int64)
        return columns

    def layer_ops(self, types: np.ndarray) -> np.ndarray:
        """Each computing node's op, nodes in the canonical order."""
        return np.asarray(types)[:, 1:-1] - 2

    def op_names(self) -> tuple[str, ...]:
        """The nine ops."""
        return OPS

    def difference(self, a: GnnArch, b: GnnArch) -> Difference:
        """Node by node in the canonical order: ops and inputs that differ."""
        parts, changed, own = [], [], []
        for i in range(len(a.ops)):
            if a.ops[i] != b.ops[i]:
                parts.append(f"node {i + 1}: {a.op_names[i]} -> {b.op_names[i]}")
            if a.links[i] != b.links[i]:
                parts.append(f"node {i + 1} input: {a.links[i]} -> {b.links[i]}")
                src = "in" if a.links[i] == 0 else node_id(a.links[i] - 1)
                own.append((src, node_id(i)))
            if a.ops[i] != b.ops[i] or a.links[i] != b.links[i]:
                changed.append(node_id(i))
        return Difference("; ".join(parts) or "no change", tuple(changed), tuple(own))

    # ----- the oracle -------------------------------------------------------------------
    @property
    def has_oracle(self) -> bool:
        """The benchmark's tables hold every architecture's figures."""
        return True

    def oracle_metrics(self) -> tuple[str, ...]:
        """Validation accuracy (the score), test accuracy, latency (s), parameters (millions)."""
        return METRICS

    def ranked_metrics(self) -> dict[str, str]:
        """Validation and test accuracy (latency and parameters are costs, not ranked)."""
        return {"valid": METRICS[0], "test": METRICS[1]}

    def reported_metric(self) -> str:
        """Test accuracy: searches select by validation accuracy, the benchmark reports test."""
        return METRICS[1]

    def true_scores(self, items: list[GnnArch]) -> np.ndarray:
        """Validation accuracy on the oracle's data set (NaN where the table lacks one)."""
        return self.table.valid[self._hashes(items)]

    def true_metrics(self, items: list[GnnArch]) -> dict[str, np.ndarray]:
        """Every figure of :data:`METRICS` from the table (NaN where it lacks the architecture)."""
        t, h = self.table, self._hashes(items)
        return dict(zip(METRICS, (t.valid[h], t.test[h], t.latency[h], t.params[h]), strict=True))

    def training_curves(self, item: GnnArch) -> dict[str, np.ndarray] | None:
        """Per-epoch figures by :data:`~.tables.CURVE_COLUMNS` name, from a full file only."""
        curve = self.table.curves.get(item.bench_hash)
        if curve is None:
            return None
        return {name: curve[:, k] for k, name in enumerate(CURVE_COLUMNS[: curve.shape[1]])}

    def optimum(self) -> tuple[float, GnnArch]:
        """The best validation accuracy and its architecture (ties: the smallest hash)."""
        return self._best(self.table.valid)

    def describe_optimum(self, item: GnnArch) -> str:
        """The architecture, its hash and its test accuracy; the best test accuracy."""
        figures = self.optimum_details(item)
        return (
            f"architecture {item} (hash {item.bench_hash}) on {self.dataset}\n"
            f"its test accuracy {figures['test_accuracy']:.6f}; the best test accuracy "
            f"{figures['best_test']['score']:.6f} ({figures['best_test']['arch']})"
        )

    def optimum_details(self, item: GnnArch) -> dict:
        """The data set, hash, the optimum's figures and the test-accuracy optimum."""
        figures = {k: float(v[0]) for k, v in self.true_metrics([item]).items()}
        test_score, test_best = self._best(self.table.test)
        return {
            "dataset": self.dataset,
            "hash": item.bench_hash,
            "test_accuracy": figures["test accuracy"],
            "latency": figures["latency (s)"],
            "params_millions": figures["params (M)"],
            "best_test": {
                "score": test_score,
                "arch": test_best.to_string(),
                "hash": test_best.bench_hash,
            },
        }

    def oracle_sources(self) -> tuple[str, ...]:
        """The nine data sets."""
        return DATASETS

    @property
    def oracle_source(self) -> str:
        """The data set the oracle reads (or the ``.bench`` file's name)."""
        return self.dataset if self.bench_file is None else Path(self.bench_file).name

    def with_oracle_source(self, source: str) -> NasBenchGraphSpace:
        """The space on another data set (one of the nine) or a ``.bench`` file's table."""
        if source in DATASETS:
            return NasBenchGraphSpace(source)
        path = Path(source)
        if path.suffix == ".bench" and path.is_file():
            file_table(path)  # read and checked now: a bad file fails here, in one line
            return NasBenchGraphSpace(path.stem, path)
        raise DataError(
            f"unknown data set {source!r} (one of: {', '.join(DATASETS)}; or a .bench file)"
        )

    def source_of_file(self, path: Path) -> str:
        """The data set a ``.bench`` file is named after (``cora0.bench`` -> ``cora``).

        The authors' full files are one per data set and seed (``cora0.bench`` ...
        ``cora2.bench``), the wheel's light ones one per data set (``cora.bench``).
        """
        path = Path(path)
        named = re.fullmatch(r"([a-z]+)\d*", path.stem)
        if path.suffix != ".bench" or named is None or named[1] not in DATASETS:
            raise DataError(
                f"{path.name}: not a benchmark file (a .bench file named after its data set, "
                "such as cora0.bench)"
            )
        return named[1]

    # ----- helpers ----------------------------------------------------------------------
    def _hashes(self, items: list[GnnArch]) -> np.ndarray:
        return np.array([a.bench_hash for a in items], dtype=np.int64)

    def _best(self, column: np.ndarray) -> tuple[float, GnnArch]:
        hashes = all_hashes()
        values = column[hashes]
        if np.all(np.isnan(values)):
            raise DataError(f"the {self.dataset} table holds no architecture of this space")
        k = int(np.nanargmax(values))  # the first maximum: the smallest hash
        return float(values[k]), GnnArch(*from_hash(int(hashes[k])))
