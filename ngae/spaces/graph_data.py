"""Data sets as dense graph tensors, the general DAG format and the D-VAE split.

Each space reads its own files (:meth:`ngae.spaces.base.SearchSpace.load`); files no space
claims are read in the general DAG format (JSON lines) for other search spaces, one object per line:
  ``{"types": [0, 3, 1], "edges": [[0, 1], [1, 2]], "acc": 0.9, "params": 1234}``
  with vertices in topological order, the input first (type 0) and the output last (type 1);
  ``score`` may stand for ``acc`` (any real number the performance head learns); ``params`` is
  optional (the edge count is used when it is missing). A space's own JSON lines (Asia's,
  :mod:`ngae.spaces.asia.data`) carry more and are read by that space.
"""

from __future__ import annotations

import json
import math
import operator
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ngae.files import atomic_write_bytes
from ngae.spaces.complexity import ngae_proxy
from ngae.spaces.errors import ArchError, DataError

GENERAL_BURN_IN = 1000  # D-VAE's default, kept for general DAG files
TRAIN_FRACTION = 0.9


@dataclass(frozen=True)
class GraphData:
    """A data set as dense tensors, the form the model consumes.

    Attributes:
        types: ``(M, N)`` int64 vertex types, vertices in topological order.
        adj: ``(M, N, N)`` int64 adjacency, ``adj[b, u, v] = 1`` for an edge u->v.
        acc: ``(M,)`` float64 accuracies.
        params: ``(M,)`` float64 exact complexity (parameter counts).
        proxy: ``(M,)`` float64 NGAE complexity proxy.
        strings: canonical string of each graph (for hashing, novelty and display).
        archs: the space's objects (ENAS architectures, Asia networks), or ``None`` for
            general DAGs.
        num_types: number of vertex types (including input and output).
        space: the search space's name (:mod:`ngae.spaces.registry`), ``""`` for general DAGs.
    """

    types: np.ndarray
    adj: np.ndarray
    acc: np.ndarray
    params: np.ndarray
    proxy: np.ndarray
    strings: tuple[str, ...]
    archs: tuple | None
    num_types: int
    space: str = ""

    def __len__(self) -> int:
        return len(self.strings)

    @property
    def max_n(self) -> int:
        """Number of vertices per graph."""
        return int(self.types.shape[1])

    def subset(self, index: np.ndarray | list[int]) -> GraphData:
        """The graphs at ``index``, in that order."""
        idx = np.asarray(index, dtype=np.int64)
        return GraphData(
            self.types[idx],
            self.adj[idx],
            self.acc[idx],
            self.params[idx],
            self.proxy[idx],
            tuple(self.strings[i] for i in idx),
            None if self.archs is None else tuple(self.archs[i] for i in idx),
            self.num_types,
            self.space,
        )


def read_lines(path: Path) -> list[str]:
    """The file's lines (UTF-8, split at newlines only); unreadable files raise DataError."""
    try:
        # split("\n") after universal newlines, not splitlines(): that also splits at form
        # feeds, \x1c-\x1e, \x85 and \u2028, misnumbering lines or reading one line as two.
        return path.read_text(encoding="utf-8").split("\n")
    except FileNotFoundError:
        raise DataError(f"{path}: no such data file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise DataError(f"{path}: cannot read the file ({err.__class__.__name__})") from None


def read_jsonl_file(path: str | Path) -> GraphData:
    """Read a general DAG data set in the JSON-lines format described in the module docstring."""
    path = Path(path)
    records = []
    for number, line in enumerate(read_lines(path), start=1):
        if not line.strip():
            continue
        try:
            records.append(_parse_dag_record(json.loads(line)))
        except (ValueError, TypeError, KeyError, OverflowError, RecursionError) as err:
            raise DataError(f"{path}:{number}: {str(err)[:120]}") from None
    if not records:
        raise DataError(f"{path}: no graphs in the file")
    try:
        return dag_graph_data(
            [r[0] for r in records],
            [r[1] for r in records],
            np.array([r[2] for r in records]),
            np.array([r[3] for r in records], dtype=np.float64),
        )
    except ValueError as err:
        raise DataError(f"{path}: {err}") from None


def dag_graph_data(
    types: list[np.ndarray],
    adj: list[np.ndarray],
    acc: np.ndarray,
    params: np.ndarray | None = None,
    items: list | None = None,
    space: str = "",
) -> GraphData:
    """A general-DAG data set from per-graph types and adjacency (topological vertex order).

    ``params`` defaults to each graph's edge count. A space's loader passes its objects
    (``items``, which then name the graphs) and its name (``space``).

    Raises:
        ValueError: the graphs differ in size or are not input-first, output-last DAGs.
    """
    n = len(types[0])
    if any(len(t) != n for t in types):
        raise ValueError(f"every graph must have the same number of vertices ({n})")
    return dense_graph_data(np.stack(types), np.stack(adj), acc, params, items, space)


def dense_graph_data(
    types: np.ndarray,
    adj: np.ndarray,
    acc: np.ndarray,
    params: np.ndarray | None = None,
    items: list | None = None,
    space: str = "",
    strings: list[str] | tuple[str, ...] | None = None,
) -> GraphData:
    """:func:`dag_graph_data` for graphs already stacked, with their strings if known.

    Args:
        types: ``(M, N)`` vertex types, vertices in topological order.
        adj: ``(M, N, N)`` adjacency, ``adj[b, u, v] = 1`` for an edge u->v.
        acc: ``(M,)`` performance.
        params: ``(M,)`` complexity (default: the edge counts).
        items: the space's objects, one per graph.
        space: the search space's name.
        strings: the graphs' names when the caller has them already (they must equal the
            items' ``to_string()``); else made from the items or the graphs.

    Raises:
        ValueError: the graphs are not input-first, output-last DAGs.
    """
    n = types.shape[1]
    types_arr, adj_arr = types.astype(np.int64, copy=False), adj.astype(np.int64, copy=False)
    if n < 2 or np.any(types_arr[:, 0] != 0) or np.any(types_arr[:, -1] != 1):
        raise ValueError("every graph must start with the input (type 0), end with the output (1)")
    # np.tril's cells (the diagonal and below): edges that do not go forward
    rows, cols = np.tril_indices(adj_arr.shape[-2], m=adj_arr.shape[-1])
    if np.any(adj_arr[..., rows, cols]):
        raise ValueError("every edge must go forward in topological order")
    if strings is None:
        strings = _graph_strings(types_arr, adj_arr, items)
    return GraphData(
        types=types_arr,
        adj=adj_arr,
        acc=np.asarray(acc, dtype=np.float64),
        params=adj_arr.sum((1, 2)).astype(np.float64) if params is None else params,
        proxy=ngae_proxy(types_arr, adj_arr),
        strings=tuple(strings),
        archs=None if items is None else tuple(items),
        num_types=int(types_arr.max() + 1),
        space=space,
    )


def _graph_strings(types: np.ndarray, adj: np.ndarray, items: list | None) -> tuple[str, ...]:
    """The items' ``to_string()``, or the general-DAG string of each graph without items."""
    if items is None:
        return tuple(_dag_string(t, a) for t, a in zip(types, adj, strict=True))
    return tuple(item.to_string() for item in items)


def write_jsonl_file(path: str | Path, data: GraphData) -> None:
    """Write the general DAG format, one JSON object per line (atomically)."""
    lines = []
    for t, a, y, p in zip(data.types, data.adj, data.acc, data.params, strict=True):
        u, v = np.nonzero(a)
        record = {
            "types": t.tolist(),
            "edges": [[int(i), int(j)] for i, j in zip(u, v, strict=True)],
            "acc": float(y),
            "params": float(p),
        }
        lines.append(json.dumps(record) + "\n")
    blob = "".join(lines).encode("utf-8")
    atomic_write_bytes(Path(path), lambda f: f.write(blob))


def _parse_dag_record(obj: dict) -> tuple[np.ndarray, np.ndarray, float, float]:
    types = np.array([as_integer(t) for t in obj["types"]], dtype=np.int64)
    n = len(types)
    if n < 2 or types[0] != 0 or types[-1] != 1 or np.any(types < 0):
        raise ValueError("types must start with input 0, end with output 1, and be >= 0")
    adj = np.zeros((n, n), dtype=np.int64)
    for u, v in obj["edges"]:
        if not 0 <= as_integer(u) < as_integer(v) < n:
            raise ValueError(f"edge {u}->{v} is not forward in topological order")
        adj[u, v] = 1
    acc = float(obj["acc"] if "acc" in obj else obj["score"])
    if not math.isfinite(acc):
        raise ValueError("acc (or score) must be a finite number")
    params = float(obj.get("params", adj.sum()))
    if not math.isfinite(params) or params < 0:
        raise ValueError("params must be a finite number >= 0")
    return types, adj, acc, params


def _dag_string(types: np.ndarray, adj: np.ndarray) -> str:
    edges = ",".join(f"{u}-{v}" for u, v in zip(*np.nonzero(adj), strict=True))
    return " ".join(str(t) for t in types) + " | " + edges


def dvae_split(
    n: int, burn_in: int = GENERAL_BURN_IN, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """D-VAE's train/test split of ``n`` lines: drop ``burn_in``, shuffle, first 90% train.

    Uses ``random.Random(seed).shuffle`` on the remaining line indices exactly as D-VAE's
    ``load_ENAS_graphs``, so numbers compare with the published ones.
    """
    burn_in = burn_in if n > burn_in * 2 else 0
    index = list(range(burn_in, n))
    random.Random(seed).shuffle(index)
    cut = int(len(index) * TRAIN_FRACTION)
    return np.array(index[:cut], dtype=np.int64), np.array(index[cut:], dtype=np.int64)


def as_integer(value: object) -> int:
    """``value`` as an ``int``; floats, strings and booleans are errors, never truncated."""
    if isinstance(value, bool | np.bool_):
        raise ArchError(f"{value!r} is not an integer")
    try:
        return operator.index(value)
    except TypeError:
        raise ArchError(f"{value!r} is not an integer") from None
