"""D-VAE's ENAS text format: one architecture per line, ``[[o0], [o1, s10], ...], acc``."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from ngae.files import DATA_DIR, atomic_write_bytes
from ngae.spaces.complexity import ngae_proxy
from ngae.spaces.enas.arch import Arch
from ngae.spaces.enas.params import param_counts
from ngae.spaces.errors import ArchError, DataError
from ngae.spaces.graph_data import GraphData, read_lines

DEFAULT_DATA = DATA_DIR / "final_structures6.txt"
BURN_IN = 1000


def parse_enas_line(line: str) -> tuple[Arch, float]:
    """Parse one D-VAE line ``[[o0], [o1, s10], ...], acc`` without ``eval``.

    Raises:
        DataError: the line is not in the format (no file or line number in the message).
        ArchError: the lists do not form an architecture.
    """
    head, sep, tail = line.strip().rpartition("],")
    if not sep:
        raise DataError("expected '[[...], ...], accuracy'")
    try:
        rows = json.loads(head + "]")
        acc = float(tail)
    except (ValueError, RecursionError) as err:
        raise DataError(f"cannot parse: {str(err)[:80]}") from None
    if not isinstance(rows, list) or not all(
        isinstance(r, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in r)
        for r in rows
    ):
        raise DataError("architecture must be a list of integer lists")
    if not math.isfinite(acc) or not 0.0 <= acc <= 1.0:
        raise DataError(f"accuracy {tail.strip()!r} is not a number in [0, 1]")
    return Arch.from_rows(rows), acc


def read_enas_file(path: str | Path) -> tuple[list[Arch], np.ndarray]:
    """Read every line of a D-VAE ENAS file; a bad line raises :class:`DataError`."""
    path = Path(path)
    archs, accs = [], []
    for number, line in enumerate(read_lines(path), start=1):
        if not line.strip():
            continue
        try:
            arch, acc = parse_enas_line(line)
        except (ValueError, ArchError) as err:
            raise DataError(f"{path}:{number}: {err}") from None
        if archs and arch.num_layers != archs[0].num_layers:
            raise DataError(
                f"{path}:{number}: {arch.num_layers} layers, but the first line has "
                f"{archs[0].num_layers}"
            )
        archs.append(arch)
        accs.append(acc)
    if not archs:
        raise DataError(f"{path}: no architectures in the file")
    return archs, np.array(accs)


def enas_graph_data(archs: list[Arch], accs: np.ndarray, filters: int = 96) -> GraphData:
    """Dense tensors, exact parameter counts and the NGAE proxy for ENAS architectures."""
    dags = [a.to_dag() for a in archs]
    types = np.stack([d[0] for d in dags])
    adj = np.stack([d[1] for d in dags])
    return GraphData(
        types=types,
        adj=adj,
        acc=np.asarray(accs, dtype=np.float64),
        params=param_counts(archs, filters).astype(np.float64),
        proxy=ngae_proxy(types, adj),
        strings=tuple(a.to_string() for a in archs),
        archs=tuple(archs),
        num_types=int(max(types.max() + 1, 8)),
        space="enas6",
    )


def write_enas_file(path: str | Path, archs: list[Arch], accs: np.ndarray) -> None:
    """Write D-VAE's ENAS text format, ``[[o0], [o1, s10], ...], acc`` per line (atomically)."""
    lines = [f"{json.dumps(a.to_rows())}, {float(y)!r}\n" for a, y in zip(archs, accs, strict=True)]
    blob = "".join(lines).encode("utf-8")
    atomic_write_bytes(Path(path), lambda f: f.write(blob))
