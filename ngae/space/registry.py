"""The search spaces by name, and which one a data file or a checkpoint belongs to."""

from __future__ import annotations

import json
from pathlib import Path

from ngae.space.asia_space import AsiaSpace
from ngae.space.base import SearchSpace
from ngae.space.data import DataError, GraphData
from ngae.space.enas_space import EnasSpace

SPACES: dict[str, SearchSpace] = {"enas6": EnasSpace(), "asia": AsiaSpace()}
DEFAULT_SPACE = "enas6"


def space_named(name: str) -> SearchSpace:
    """The space called ``name``; an unknown name raises DataError listing the known ones."""
    try:
        return SPACES[name]
    except KeyError:
        raise DataError(f"unknown search space {name!r} (known: {', '.join(SPACES)})") from None


def space_of(data: GraphData) -> SearchSpace:
    """The space a loaded data set belongs to; general DAGs (no space) raise DataError."""
    if data.space not in SPACES:
        raise DataError("this needs a data set of a search space (ENAS-6, Asia), not general DAGs")
    return SPACES[data.space]


def space_for_data(path: str | Path) -> SearchSpace | None:
    """The space of a data file.

    ENAS text for anything but ``.jsonl``; a ``.jsonl`` whose first record has an ``adjacency``
    is Asia; other ``.jsonl`` files are general DAGs (``None``).
    """
    path = Path(path)
    if path.suffix != ".jsonl":
        return SPACES["enas6"]
    try:
        with open(path, encoding="utf-8") as f:
            first = next((line for line in f if line.strip()), "")
        record = json.loads(first) if first else {}
    except (OSError, UnicodeDecodeError, ValueError):
        return None  # the loader reports what is wrong with the file
    return SPACES["asia"] if isinstance(record, dict) and "adjacency" in record else None
