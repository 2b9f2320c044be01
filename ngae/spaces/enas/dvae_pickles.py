"""D-VAE's files: its data pickles (read safely, and written) and its latent ``.mat`` files.

A D-VAE data pickle is ``(train_data, test_data, graph_args)`` as its ``train.py`` dumps it:
lists of ``(igraph.Graph, y)`` items and an ``argparse.Namespace`` (``num_vertex_type``,
``max_n``, ``START_TYPE``, ``END_TYPE``). Pickles can run code when loaded, so they are read by
a restricted unpickler that builds igraph graphs, namespaces, numbers and plain containers and
refuses anything else before it runs.

A D-VAE latent file is what its ``save_latent_representations`` writes with ``scipy.io``:
``Z_train``, ``Y_train``, ``Z_test``, ``Y_test`` (the codes' means and the targets), read by its
Bayesian-optimisation scripts.
"""

from __future__ import annotations

import argparse
import io
import pickle
from dataclasses import dataclass
from pathlib import Path

import igraph
import numpy as np
import scipy.io

from ngae.files import atomic_write_bytes
from ngae.spaces.canonical_keys import dag_to_igraph, igraph_to_dag
from ngae.spaces.enas.arch import Arch
from ngae.spaces.enas.data_file import enas_graph_data
from ngae.spaces.enas.igraph_cells import arch_to_igraph
from ngae.spaces.errors import ArchError, DataError
from ngae.spaces.graph_data import GraphData, dag_graph_data
from ngae.spaces.safe_pickle import load_restricted

# What a D-VAE data pickle may name (module, attribute); everything else is refused.
ALLOWED_GLOBALS = dict.fromkeys(
    [
        ("igraph", "Graph"),
        ("argparse", "Namespace"),
        ("copyreg", "_reconstructor"),  # how protocol 0-1 pickles rebuild a Namespace
        ("builtins", "object"),
        ("numpy", "dtype"),  # numpy scalars as targets (np.float64)
        ("numpy.core.multiarray", "scalar"),
        ("numpy._core.multiarray", "scalar"),
    ]
)


@dataclass(frozen=True)
class DvaePickle:
    """A D-VAE data pickle read back: the two splits and the graph arguments."""

    train: GraphData
    test: GraphData
    graph_args: dict[str, object]


def load_dvae_pickle(path: str | Path) -> DvaePickle:
    """Read a D-VAE data pickle without running anything it does not admit.

    ENAS cells (every graph a complete valid cell of the same size) come back with their
    architectures; any other DAGs as the general DAG format (targets as ``acc``).

    Raises:
        DataError: the file is missing, not a pickle, asks for anything but igraph graphs,
            namespaces, numbers and plain containers, or does not hold D-VAE's layout.
    """
    path = Path(path)
    holds = "a D-VAE data pickle holds only igraph graphs, numbers and plain containers"
    obj = load_restricted(path, ALLOWED_GLOBALS, holds)
    if not (isinstance(obj, tuple) and len(obj) == 3):
        raise DataError(f"{path}: expected (train_data, test_data, graph_args)")
    train, test, args = obj
    graph_args = vars(args) if isinstance(args, argparse.Namespace) else args
    if not isinstance(graph_args, dict):
        raise DataError(f"{path}: graph_args is not a namespace")
    both = _graph_data(path, [*_items(path, train, "train"), *_items(path, test, "test")])
    n_train = len(train)
    return DvaePickle(
        both.subset(np.arange(n_train)), both.subset(np.arange(n_train, len(both))), graph_args
    )


def _items(path: Path, items: object, split: str) -> list[tuple[igraph.Graph, float]]:
    if not isinstance(items, list):
        raise DataError(f"{path}: {split}_data is not a list")
    out = []
    for k, item in enumerate(items):
        ok = isinstance(item, tuple | list) and len(item) == 2
        if not ok or not isinstance(item[0], igraph.Graph):
            raise DataError(f"{path}: {split}_data[{k}] is not a (graph, y) pair")
        try:
            out.append((item[0], float(item[1])))
        except (TypeError, ValueError):
            raise DataError(f"{path}: {split}_data[{k}]: y is not a number") from None
    return out


def _graph_data(path: Path, items: list[tuple[igraph.Graph, float]]) -> GraphData:
    if not items:
        raise DataError(f"{path}: no graphs in the file")
    dags = []
    for k, (g, _) in enumerate(items):
        try:
            dags.append(igraph_to_dag(g))
        except ArchError as err:
            raise DataError(f"{path}: graph {k}: {err}") from None
    y = np.array([acc for _, acc in items])
    try:
        archs = [Arch.from_dag(t, a) for t, a in dags]
    except ArchError:
        archs = None
    if archs is not None and len({a.num_layers for a in archs}) == 1:
        return enas_graph_data(archs, y)
    try:
        return dag_graph_data([t for t, _ in dags], [a for _, a in dags], y)
    except ValueError as err:
        raise DataError(f"{path}: {err}") from None


def save_dvae_pickle(path: str | Path, train: GraphData, test: GraphData) -> None:
    """Write ``(train_data, test_data, graph_args)`` as D-VAE's ``train.py`` does."""
    args = argparse.Namespace(
        num_vertex_type=int(train.num_types),
        max_n=int(train.max_n),
        START_TYPE=0,
        END_TYPE=1,
    )
    blob = pickle.dumps((_to_items(train), _to_items(test), args))
    atomic_write_bytes(Path(path), lambda f: f.write(blob))


def _to_items(data: GraphData) -> list[tuple[igraph.Graph, float]]:
    if data.archs is not None:
        graphs = [arch_to_igraph(a) for a in data.archs]
    else:
        graphs = [dag_to_igraph(t, a) for t, a in zip(data.types, data.adj, strict=True)]
    return [(g, float(y)) for g, y in zip(graphs, data.acc, strict=True)]


def save_latent_mat(
    path: str | Path,
    z_train: np.ndarray,
    y_train: np.ndarray,
    z_test: np.ndarray,
    y_test: np.ndarray,
) -> None:
    """Write D-VAE's latent file (``scipy.io.savemat`` of the four arrays, as D-VAE names them)."""
    buffer = io.BytesIO()
    scipy.io.savemat(
        buffer,
        {
            "Z_train": np.asarray(z_train, dtype=np.float32),
            "Y_train": np.asarray(y_train, dtype=np.float64),
            "Z_test": np.asarray(z_test, dtype=np.float32),
            "Y_test": np.asarray(y_test, dtype=np.float64),
        },
    )
    atomic_write_bytes(Path(path), lambda f: f.write(buffer.getvalue()))
