"""Files on disk: the project's folders, atomic writes, content hashes and ``.npz`` arrays.

Everything the package writes (checkpoints, caches, search output, job results) goes through
:func:`atomic_write_bytes`, so a crash never leaves a half-written file; a damaged ``.npz`` reads
as missing (:func:`load_arrays` returns ``None``) and is recomputed, never trusted.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import numpy as np

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
PROJECT_CHECKPOINTS = PROJECT_ROOT / "checkpoints"
RUNS_DIR = PROJECT_ROOT / "runs"


def atomic_write_bytes(path: Path, writer: Callable[[BinaryIO], object]) -> None:
    """Call ``writer(file)`` on a temporary file beside ``path``, fsync it, then rename it over."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, 0o644)  # mkstemp makes files private; these are meant to be shared
        with os.fdopen(fd, "wb") as f:
            writer(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes (hex), read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def save_arrays(path: Path, **arrays: np.ndarray) -> None:
    """Write an ``.npz`` atomically."""
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    atomic_write_bytes(path, lambda f: f.write(buf.getvalue()))


def load_arrays(path: Path, keys: tuple[str, ...], rows: int) -> dict[str, np.ndarray] | None:
    """Read an ``.npz`` if it is complete and has ``rows`` rows per array, else ``None``."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            out = {k: npz[k] for k in keys}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    return out if all(len(v) == rows for v in out.values()) else None


def project_relative(path: str | Path) -> str:
    """``path`` as recorded in files: relative to the project when inside it, else absolute."""
    resolved = Path(path).resolve()
    try:
        return str(resolved.relative_to(PROJECT_ROOT))
    except ValueError:
        return str(resolved)
