"""The search spaces by name, and which one a data file or a checkpoint belongs to.

Every module ``ngae/space/<name>_space.py`` is imported and each :class:`SearchSpace` subclass
it defines is registered under its ``name``: adding a space adds no line here.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from pathlib import Path

import ngae.space
from ngae.space.base import SearchSpace
from ngae.space.data import DataError, GraphData


def _discover() -> dict[str, SearchSpace]:
    spaces: dict[str, SearchSpace] = {}
    for info in sorted(pkgutil.iter_modules(ngae.space.__path__), key=lambda m: m.name):
        if not info.name.endswith("_space"):
            continue
        module = importlib.import_module(f"ngae.space.{info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, SearchSpace)
                and value is not SearchSpace
                and value.__module__ == module.__name__
            ):
                space = value()
                spaces[space.name] = space
    return dict(sorted(spaces.items(), key=lambda kv: kv[0] != DEFAULT_SPACE))


DEFAULT_SPACE = "enas6"
SPACES: dict[str, SearchSpace] = _discover()


def space_named(name: str) -> SearchSpace:
    """The space called ``name``; an unknown name raises DataError listing the known ones."""
    try:
        return SPACES[name]
    except KeyError:
        raise DataError(f"unknown search space {name!r} (known: {', '.join(SPACES)})") from None


def space_of(data: GraphData) -> SearchSpace:
    """The space a loaded data set belongs to; general DAGs (no space) raise DataError."""
    if data.space not in SPACES:
        raise DataError(
            "this needs the data set of a search space (ENAS-6, Asia), not general DAGs"
        )
    return SPACES[data.space]


def space_for_data(path: str | Path) -> SearchSpace | None:
    """The space that claims a data file (:meth:`SearchSpace.claims`), ``None`` for general DAGs.

    ENAS claims anything but ``.jsonl``; Asia the ``.jsonl`` files whose first record has an
    ``adjacency``; other ``.jsonl`` files are the general DAG format.
    """
    path = Path(path)
    first = None
    if path.suffix == ".jsonl":
        try:
            with open(path, encoding="utf-8") as f:
                line = next((line for line in f if line.strip()), "")
            first = json.loads(line) if line else None
        except (OSError, UnicodeDecodeError, ValueError):
            return None  # the loader reports what is wrong with the file
        first = first if isinstance(first, dict) else None
    return next((s for s in SPACES.values() if s.claims(path, first)), None)
