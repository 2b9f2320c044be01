"""The search spaces by name, and which one a data file or a checkpoint belongs to.

Every sub-package ``ngae/spaces/<folder>/`` with a ``space`` module is imported and each
:class:`SearchSpace` subclass that module defines is registered under its ``name``: adding a
space adds a folder and no line here. :func:`register` adds a space defined elsewhere (a
plug-in, or a test's own space).
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import pkgutil
from pathlib import Path

import ngae.spaces
from ngae.spaces.base import SearchSpace
from ngae.spaces.errors import ArchError, DataError
from ngae.spaces.graph_data import GENERAL_BURN_IN, GraphData, read_jsonl_file

DEFAULT_SPACE = "enas6"


def _discover() -> dict[str, SearchSpace]:
    spaces: dict[str, SearchSpace] = {}
    for info in sorted(pkgutil.iter_modules(ngae.spaces.__path__), key=lambda m: m.name):
        if not info.ispkg or importlib.util.find_spec(f"ngae.spaces.{info.name}.space") is None:
            continue  # a folder without a ``space`` module is not a space
        module = importlib.import_module(f"ngae.spaces.{info.name}.space")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, SearchSpace)
                and not getattr(value, "__abstractmethods__", None)
                and value.__module__ == module.__name__
            ):
                space = value()
                spaces[space.name] = space
    return dict(sorted(spaces.items(), key=lambda kv: kv[0] != DEFAULT_SPACE))


SPACES: dict[str, SearchSpace] = _discover()


def register(space: SearchSpace) -> SearchSpace:
    """Add ``space`` under its name (replacing one of that name); returns it."""
    SPACES[space.name] = space
    return space


def unregister(name: str) -> None:
    """Remove the space called ``name`` (no error when there is none)."""
    SPACES.pop(name, None)


def default_space() -> SearchSpace:
    """The space a new model trains on when nothing else is said (ENAS-6)."""
    return SPACES[DEFAULT_SPACE]


def space_named(name: str) -> SearchSpace:
    """The space called ``name``; an unknown name raises DataError listing the known ones."""
    try:
        return SPACES[name]
    except KeyError:
        raise DataError(f"unknown search space {name!r} (known: {', '.join(SPACES)})") from None


def space_parsing(text: str) -> SearchSpace:
    """The first space (the default first) whose parser reads ``text``.

    Raises ArchError with every space's reason when none does.
    """
    reasons = []
    for space in SPACES.values():
        try:
            space.parse(text)
            return space
        except ValueError as err:
            reasons.append(f"{space.name}: {err}")
    raise ArchError("no search space reads this (" + "; ".join(reasons) + ")")


def space_of(data: GraphData) -> SearchSpace:
    """The space a loaded data set belongs to; general DAGs (no space) raise DataError."""
    if data.space not in SPACES:
        known = ", ".join(s.title for s in SPACES.values())
        raise DataError(f"this needs the data set of a search space ({known}), not general DAGs")
    return SPACES[data.space]


def burn_in_of(data: GraphData) -> int:
    """Lines D-VAE's split drops first: the space's; general DAGs D-VAE's default 1,000."""
    space = SPACES.get(data.space)
    return GENERAL_BURN_IN if space is None else space.burn_in


def space_for_data(path: str | Path) -> SearchSpace | None:
    """The space that claims a data file (:meth:`SearchSpace.claims`), ``None`` for general DAGs.

    Each space says which files are its own (ENAS: any file that is not JSON lines; Asia: JSON
    lines whose first record has an ``adjacency``); other ``.jsonl`` files are general DAGs.
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


def load_dataset(path: str | Path | None = None) -> GraphData:
    """Load a data set file in its space's format (the default space's data set by default).

    The space that claims the file reads it (:func:`space_for_data`); other files are read in
    the general DAG format.
    """
    path = default_space().data_file if path is None else Path(path)
    space = space_for_data(path)
    return read_jsonl_file(path) if space is None else space.load(path)
