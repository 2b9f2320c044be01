"""The space's data set: every architecture with its validation accuracy on the default data set.

``data/nasbench_graph.jsonl`` (``scripts/make_nasbench_graph_data.py``; byte-identical on every
run): the 26,206 architectures in ascending benchmark hash, one JSON object per line,
``{"nbg_arch": "0 1 2 3 fc gat fc gin", "hash": 87072, "acc": 0.8193333333333334,
"params": 1736711}`` -- the canonical string (the key no other space uses), its benchmark hash,
the validation accuracy on :data:`DEFAULT_DATASET` as the table has it, and the parameter count
there (the table's millions times 10^6, an integer).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from ngae.files import DATA_DIR, atomic_write_bytes
from ngae.spaces.errors import ArchError, DataError
from ngae.spaces.graph_data import read_lines
from ngae.spaces.nasbench_graph.arch import GnnArch
from ngae.spaces.nasbench_graph.canonical import all_hashes, from_hash
from ngae.spaces.nasbench_graph.tables import light_table

DATASET = DATA_DIR / "nasbench_graph.jsonl"
DEFAULT_DATASET = "cora"
ARCH_KEY = "nbg_arch"


def parameter_counts(hashes: np.ndarray, dataset: str = DEFAULT_DATASET) -> np.ndarray:
    """Parameters of each architecture on ``dataset`` as a count, ``(M,)`` float64 (NaN: none)."""
    return np.round(light_table(dataset).params[np.asarray(hashes, dtype=np.int64)] * 1e6)


def dataset_lines(dataset: str = DEFAULT_DATASET) -> list[str]:
    """One JSON line per architecture (module docstring), ascending hash."""
    hashes = all_hashes()
    valid = light_table(dataset).valid[hashes]
    params = parameter_counts(hashes, dataset)
    lines = []
    for h, acc, count in zip(hashes.tolist(), valid.tolist(), params.tolist(), strict=True):
        arch = GnnArch(*from_hash(h))
        record = {ARCH_KEY: arch.to_string(), "hash": h, "acc": acc, "params": int(count)}
        lines.append(json.dumps(record))
    return lines


def write_dataset(path: Path = DATASET) -> None:
    """Write the data set (atomically)."""
    blob = ("\n".join(dataset_lines()) + "\n").encode("utf-8")
    atomic_write_bytes(Path(path), lambda f: f.write(blob))


def read_dataset(path: Path) -> tuple[list[GnnArch], np.ndarray]:
    """The architectures and accuracies of a data file; DataError names the line."""
    archs, accs = [], []
    for number, line in enumerate(read_lines(Path(path)), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            archs.append(GnnArch.from_string(str(record[ARCH_KEY])))
            acc = float(record["acc"])
            if not math.isfinite(acc):
                raise ValueError("acc must be a finite number")
            accs.append(acc)
        except (ValueError, TypeError, KeyError, ArchError) as err:
            raise DataError(f"{path}:{number}: {str(err)[:120]}") from None
    if not archs:
        raise DataError(f"{path}: no architectures in the file")
    return archs, np.array(accs)
