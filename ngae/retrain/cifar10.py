"""CIFAR-10 from a local ``cifar-10-batches-py`` directory (the python pickle version).

Nothing is downloaded: get ``cifar-10-python.tar.gz`` from https://www.cs.toronto.edu/~kriz/cifar.html
and unpack it. Each batch file is a pickled dict with ``b"data"``, a ``(n, 3072)`` uint8 array of
row-major RGB planes, and ``b"labels"``, ``n`` ints in ``0..9``. The pickles are read with an
unpickler that only resolves the numpy names such an array needs, so a hostile file cannot run code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ngae.errors import UserInputError
from ngae.spaces.errors import DataError
from ngae.spaces.safe_pickle import load_restricted

DIR_NAME = "cifar-10-batches-py"
TRAIN_FILES = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_FILE = "test_batch"
NUM_CLASSES = 10
IMAGE_SHAPE = (3, 32, 32)
EXPECTED = f"a CIFAR-10 '{DIR_NAME}' directory (data_batch_1..5, test_batch) or its parent"

_ALLOWED_GLOBALS = dict.fromkeys(
    [
        ("_codecs", "encode"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
    ]
)


@dataclass(frozen=True)
class Cifar10:
    """CIFAR-10 images and labels in memory.

    Attributes:
        train_x: ``(n_train, 3, 32, 32)`` uint8 images.
        train_y: ``(n_train,)`` int64 labels in ``0..9``.
        test_x: ``(n_test, 3, 32, 32)`` uint8 images.
        test_y: ``(n_test,)`` int64 labels.
    """

    train_x: np.ndarray
    train_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray


def find_cifar_dir(path: str | Path) -> Path:
    """The ``cifar-10-batches-py`` directory: ``path`` itself or its child of that name."""
    path = Path(path)
    if not path.is_dir():
        raise DataError(f"{path}: no such directory; expected {EXPECTED}")
    for candidate in (path, path / DIR_NAME):
        if (candidate / TEST_FILE).is_file() or (candidate / TRAIN_FILES[0]).is_file():
            missing = [f for f in (*TRAIN_FILES, TEST_FILE) if not (candidate / f).is_file()]
            if missing:
                raise DataError(f"{candidate}: missing {', '.join(missing)}; expected {EXPECTED}")
            return candidate
    raise DataError(f"{path}: no CIFAR-10 batch files found; expected {EXPECTED}")


def read_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """One batch file as ``(n, 3, 32, 32)`` uint8 images and ``(n,)`` int64 labels."""
    holds = "a CIFAR-10 batch holds only numpy arrays and plain containers"
    batch = load_restricted(path, _ALLOWED_GLOBALS, holds, encoding="bytes")
    if not isinstance(batch, dict) or b"data" not in batch or b"labels" not in batch:
        raise DataError(f"{path}: expected a pickled dict with b'data' and b'labels'")
    data, labels = batch[b"data"], batch[b"labels"]
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2:
        raise DataError(f"{path}: b'data' must be a 2-d uint8 array")
    if data.shape[1] != int(np.prod(IMAGE_SHAPE)):
        raise DataError(f"{path}: b'data' has {data.shape[1]} columns, expected 3072 (3x32x32)")
    try:
        y = np.asarray(labels, dtype=np.int64)
    except (TypeError, ValueError, OverflowError):
        raise DataError(f"{path}: b'labels' must be a list of integers") from None
    if y.shape != (data.shape[0],):
        raise DataError(f"{path}: {data.shape[0]} images but labels of shape {y.shape}")
    if y.size and (y.min() < 0 or y.max() >= NUM_CLASSES):
        raise DataError(f"{path}: labels must be in 0..{NUM_CLASSES - 1}")
    return data.reshape(-1, *IMAGE_SHAPE), y


def _read_files(paths: list[Path], limit: int | None) -> tuple[np.ndarray, np.ndarray]:
    xs, ys, n = [], [], 0
    for path in paths:
        if limit is not None and n >= limit:
            break
        x, y = read_batch(path)
        xs.append(x)
        ys.append(y)
        n += len(y)
    x, y = np.concatenate(xs), np.concatenate(ys)
    return (x, y) if limit is None else (x[:limit], y[:limit])


def load_cifar10(
    path: str | Path, max_train: int | None = None, max_test: int | None = None
) -> Cifar10:
    """Load CIFAR-10 from ``path`` (the batches directory or its parent).

    Args:
        path: ``cifar-10-batches-py`` or a directory containing it.
        max_train: keep only the first ``max_train`` training images (reads fewer files).
        max_test: keep only the first ``max_test`` test images.

    Raises:
        DataError: the directory or a file is missing or malformed.
        UserInputError: a limit below 1.
    """
    for name, limit in (("max_train", max_train), ("max_test", max_test)):
        if limit is not None and limit < 1:
            raise UserInputError(f"{name} must be at least 1, got {limit}")
    root = find_cifar_dir(path)
    train_x, train_y = _read_files([root / f for f in TRAIN_FILES], max_train)
    test_x, test_y = _read_files([root / TEST_FILE], max_test)
    if len(train_y) == 0 or len(test_y) == 0:
        raise DataError(f"{root}: the training or test batches hold no images")
    return Cifar10(train_x, train_y, test_x, test_y)
