"""NAS-Bench-Graph's tables: read safely, checked, and held as arrays indexed by benchmark hash.

The ``nas-bench-graph`` wheel (1.4.0) ships ``nas_bench_graph/light/<data set>.bench`` for
nine node-classification data sets: pickles of a ``dict`` from the benchmark hash to
``{"valid_perf", "perf" (test), "latency" (seconds), "para" (millions of parameters)}``, the
means over three seeds. Pickles can run code, so they are read by a restricted unpickler
(:mod:`ngae.spaces.safe_pickle`) that builds only plain containers and numpy numbers (scalars,
dtypes, arrays) and refuses any other global before anything is called. The package's own
code is never imported.

The authors' full files (``cora0.bench`` ..., one per seed, from figshare) may be given by
path. Their README documents per-architecture dicts whose ``dur`` lists, per epoch,
``[train acc, valid acc, test acc, train loss, valid loss, test loss, best acc]``. Such a file
is read the same way; an entry without the light fields gets its valid accuracy as the best
epoch's validation accuracy, its test accuracy at that epoch (the first such epoch), and no
latency or parameters (NaN); the curves are kept (:attr:`BenchTable.curves`).
"""

from __future__ import annotations

import functools
import importlib.util
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ngae.spaces.errors import DataError
from ngae.spaces.nasbench_graph.canonical import HASH_LIMIT
from ngae.spaces.safe_pickle import load_restricted

DATASETS = (
    "cora",
    "citeseer",
    "pubmed",
    "cs",
    "physics",
    "photo",
    "computers",
    "arxiv",
    "proteins",
)
METRICS = ("valid_perf", "perf", "latency", "para")
CURVE_COLUMNS = (
    "train accuracy",
    "valid accuracy",
    "test accuracy",
    "train loss",
    "valid loss",
    "test loss",
    "best accuracy",
)
_NUMPY_GLOBALS = {
    ("numpy", "dtype"): np.dtype,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy.core.multiarray", "scalar"): np._core.multiarray.scalar,
    ("numpy._core.multiarray", "scalar"): np._core.multiarray.scalar,
    ("numpy.core.multiarray", "_reconstruct"): np._core.multiarray._reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): np._core.multiarray._reconstruct,
}


def read_pickle(path: Path) -> object:
    """The object a ``.bench`` file holds, through the restricted unpickler.

    Numpy numbers and plain containers only (:mod:`ngae.spaces.safe_pickle`). Raises
    DataError (one line naming the file) for a missing, refused or broken file.
    """
    return load_restricted(path, _NUMPY_GLOBALS, "a benchmark table holds only numbers")


@dataclass(frozen=True)
class BenchTable:
    """One data set's figures, ``(90000,)`` float64 arrays indexed by benchmark hash.

    NaN where the table has no entry (proteins has 2,021 of the 26,206 architectures).
    ``valid`` and ``test`` are accuracies (fractions), ``latency`` seconds, ``params``
    millions of parameters, as in the table. ``curves``: per hash, ``(epochs, k)`` columns of
    :data:`CURVE_COLUMNS` (full files only, else empty).
    """

    name: str
    valid: np.ndarray
    test: np.ndarray
    latency: np.ndarray
    params: np.ndarray
    curves: dict[int, np.ndarray] = field(default_factory=dict)

    @property
    def present(self) -> np.ndarray:
        """``(90000,)`` bool: the hashes the table has."""
        return ~np.isnan(self.valid)

    def __len__(self) -> int:
        return int(self.present.sum())


def table_from_dict(name: str, bench: object, path: Path) -> BenchTable:
    """Check a loaded table and turn it into a :class:`BenchTable` (DataError names ``path``)."""
    if not isinstance(bench, dict) or not bench:
        raise DataError(f"{path}: not a benchmark table (expected a non-empty dict by hash)")
    columns = {m: np.full(HASH_LIMIT, np.nan) for m in METRICS}
    curves: dict[int, np.ndarray] = {}
    for key, entry in bench.items():
        try:
            key = _hash_key(key)
            figures, curve = _entry_figures(entry)
        except (ValueError, TypeError, KeyError) as err:
            raise DataError(f"{path}: entry {str(key)[:20]}: {str(err)[:100]}") from None
        for metric, value in zip(METRICS, figures, strict=True):
            columns[metric][key] = value
        if curve is not None:
            curves[key] = curve
    return BenchTable(name, *(columns[m] for m in METRICS), curves=curves)


def _hash_key(key: object) -> int:
    if isinstance(key, bool) or not isinstance(key, int | np.integer):
        raise ValueError("keys must be benchmark hashes (integers)")
    if not 0 <= int(key) < HASH_LIMIT:
        raise ValueError(f"hash {int(key)} is outside 0..{HASH_LIMIT - 1}")
    return int(key)


def _number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{what} is not a number")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{what} is not finite")
    return number


def _entry_figures(entry: object) -> tuple[tuple[float, ...], np.ndarray | None]:
    """``(valid, test, latency, params)`` and the curves (or ``None``) of one entry."""
    if not isinstance(entry, dict):
        raise ValueError("an entry must be a dict of figures")
    curve = None
    if "dur" in entry:
        rows = entry["dur"]
        if not isinstance(rows, list | tuple | np.ndarray) or len(rows) == 0:
            raise ValueError("dur must be a list of epochs")
        width = {len(r) if isinstance(r, list | tuple | np.ndarray) else 0 for r in rows}
        if len(width) != 1 or not 3 <= min(width) <= len(CURVE_COLUMNS):
            raise ValueError("each epoch of dur must list 3 to 7 numbers, all alike")
        curve = np.array([[_number(v, "a dur value") for v in r] for r in rows], dtype=np.float64)
    if "valid_perf" in entry:
        valid, test = _number(entry["valid_perf"], "valid_perf"), _number(entry["perf"], "perf")
    elif curve is not None:
        best = int(np.argmax(curve[:, 1]))  # the first epoch of best validation accuracy
        valid, test = float(curve[best, 1]), float(curve[best, 2])
    else:
        raise ValueError("an entry needs valid_perf and perf, or dur")
    extra = [_number(entry[m], m) if m in entry else math.nan for m in ("latency", "para")]
    return (valid, test, *extra), curve


def light_file(name: str) -> Path:
    """The wheel's ``light/<name>.bench`` (found without importing the package)."""
    if name not in DATASETS:
        raise DataError(f"unknown data set {name!r} (one of: {', '.join(DATASETS)})")
    spec = importlib.util.find_spec("nas_bench_graph")
    if spec is None or not spec.submodule_search_locations:
        raise DataError(
            "the nas-bench-graph package is missing: pip install nas-bench-graph==1.4.0"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "light" / f"{name}.bench"


@functools.lru_cache(maxsize=len(DATASETS))
def light_table(name: str) -> BenchTable:
    """The shipped table of data set ``name`` (cached; an unknown name lists the nine)."""
    path = light_file(name)
    return table_from_dict(name, read_pickle(path), path)


def file_table(path: str | Path) -> BenchTable:
    """A table from a ``.bench`` file, light or full (module docstring); cached per file state."""
    path = Path(path).resolve()
    try:
        stat = path.stat()
    except OSError:
        raise DataError(f"{path}: no such benchmark file") from None
    return _file_table(str(path), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _file_table(path: str, size: int, mtime_ns: int) -> BenchTable:
    return table_from_dict(Path(path).stem, read_pickle(Path(path)), Path(path))
