"""ENAS-6 macro architectures as a :class:`~ngae.spaces.base.SearchSpace` (no oracle)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from torch import Tensor

from ngae.spaces.base import Difference, Editor, Naming, QueryLanguage, Reference, SearchSpace
from ngae.spaces.enas.arch import NUM_OPS, OP_NAMES, Arch
from ngae.spaces.enas.data_file import BURN_IN, DEFAULT_DATA, enas_graph_data, read_enas_file
from ngae.spaces.enas.diff import cell_diff, skip_set
from ngae.spaces.enas.drawing import OP_COLOURS, cell_sketch
from ngae.spaces.enas.params import param_counts
from ngae.spaces.enas.queries import QUERY_HELP, matches, parse_query
from ngae.spaces.enas.validity import valid_mask
from ngae.spaces.errors import ArchError
from ngae.spaces.graph_data import GraphData

LAYERS = 6


class EnasSpace(SearchSpace):
    """D-VAE's ENAS-6 space: 6 layers, 6 ops, skips; complexity is the exact parameter count."""

    name = "enas6"
    title = "ENAS-6 macro architectures"
    data_file = DEFAULT_DATA
    naming = Naming(
        item="architecture",
        items="architectures",
        perf="accuracy",
        perf_short="acc",
        cmplx="parameters",
        cmplx_short="params",
        cmplx_column="exact params",
        perf_key="acc",
        vertex="op",
        perf_format="%.4f",
        perf_step=0.0005,
        perf_bounds=(0.0, 1.0),
    )
    validity_rule = "is_valid_ENAS"
    burn_in = BURN_IN
    example = "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0"
    reference = Reference(
        figures={
            "D-VAE": {"recon_acc": 0.9996, "validity": 1.0, "uniqueness": 0.3726, "novelty": 1.0},
            "DIGGED (2025)": {
                "recon_acc": 1.0,
                "validity": 1.0,
                "uniqueness": 0.987,
                "novelty": 0.999,
            },
            "NGAE (300 epochs)": {"perf_rmse": 0.00219},
        },
        note="D-VAE's and NGAE's figures on this data set (final_structures6)",
    )
    editor = Editor(
        kind="layers",
        choices=OP_NAMES,
        slots=LAYERS,
        help="for each layer its op, then one skip bit per earlier node",
    )
    queries = QueryLanguage(help=QUERY_HELP, placeholder="op 1=conv3x3; skip 0>3; pool ..1")

    def claims(self, path: Path, first: dict | None) -> bool:
        """D-VAE's ENAS text: any file that is not JSON lines."""
        return path.suffix != ".jsonl"

    def parse(self, text: str) -> Arch:
        """The canonical string of 21 integers."""
        return Arch.from_string(text)

    def check_text(self, text: str, vertices: int) -> None:
        """A model of ``vertices`` vertices reads ``L (L + 1) / 2`` integers (21 for 6 layers)."""
        layers = vertices - 2
        need = layers * (layers + 1) // 2
        got = len(text.replace(",", " ").split())
        if got != need:
            raise ArchError(
                f"need {need} integers ({layers} layers: each layer's op, then one skip bit "
                f"per earlier node), got {got}"
            )

    def editor_value(self, item: Arch) -> tuple[list[int], list[list[bool]]]:
        """Each layer's op and its skips from earlier nodes."""
        return list(item.ops), [[bool(b) for b in row] for row in item.skips]

    def from_editor(self, value: tuple[list[int], list[list[bool]]]) -> str:
        """The architecture of ops and skips per layer."""
        ops, skips = value
        return Arch.from_layers(list(ops), [list(row) for row in skips]).to_string()

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

    def type_names(self, num_types: int) -> list[str]:
        """Input, output and the six ops."""
        return ["input", "output", *OP_NAMES]

    def legend(self) -> list[tuple[str, str]]:
        """One colour per op (D-VAE's)."""
        return list(zip(OP_COLOURS, OP_NAMES, strict=True))

    def sketch(self, item: Arch):
        """The cell: input, coloured layers, output; skips dashed."""
        return cell_sketch(item)

    def file_stem(self, item: Arch) -> str:
        """``cell-`` and the architecture's integers joined by ``-``."""
        return "cell-" + "-".join(str(item).split())

    def features(self, items: list[Arch]) -> dict[str, np.ndarray]:
        """How many layers apply each op (``n_conv3x3`` ...)."""
        ops = np.array([a.ops for a in items]).reshape(len(items), -1)
        return {f"n_{OP_NAMES[k]}": (ops == k).sum(1) for k in range(NUM_OPS)}

    def layer_ops(self, types: np.ndarray) -> np.ndarray:
        """Each layer's op (vertex type less 2)."""
        return np.asarray(types)[:, 1:-1] - 2

    def op_names(self) -> tuple[str, ...]:
        """The six ops."""
        return OP_NAMES

    def query(self, text: str, types: np.ndarray, adj: np.ndarray) -> np.ndarray:
        """Motif queries (:mod:`ngae.spaces.enas.queries`)."""
        return matches(parse_query(text, types.shape[1] - 2), types, adj)

    def difference(self, a: Arch, b: Arch) -> Difference:
        """Ops per layer and skips added or removed."""
        diff = cell_diff(a, b)
        own = sorted(skip_set(a) - skip_set(b))
        return Difference(
            text=diff.text(),
            changed_nodes=tuple(f"L{layer}" for layer, _, _ in diff.ops),
            own_edges=tuple(("in" if u == 0 else f"L{u}", f"L{v}") for u, v in own),
        )
