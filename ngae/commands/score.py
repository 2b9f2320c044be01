"""``ngae score --space SPACE OBJECT|FILE``: the oracle's true figures of objects, one per line."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from ngae.errors import UserInputError
from ngae.spaces.base import SearchSpace
from ngae.spaces.errors import ArchError
from ngae.spaces.graph_data import read_lines
from ngae.spaces.registry import SPACES


def oracle_spaces() -> tuple[str, ...]:
    """Names of the registered spaces with an oracle (plug-ins included)."""
    return tuple(name for name, space in SPACES.items() if space.has_oracle)


def add_space_arguments(p: argparse.ArgumentParser) -> None:
    """``--space`` (spaces with an oracle) and its source (``--samples``, ``--dataset``)."""
    names = oracle_spaces()
    p.add_argument("--space", choices=names, default=names[0])
    p.add_argument(
        "--samples", default=None, help="the data the score is computed on (default: shipped)"
    )
    p.add_argument(
        "--dataset", default=None, help="the benchmark's data set (a tabular benchmark's oracle)"
    )


def oracle_space(args: argparse.Namespace) -> SearchSpace:
    """The space asked for, its oracle reading ``--samples`` or ``--dataset`` when given."""
    space = SPACES[args.space]
    given = [v for v in (args.samples, args.dataset) if v is not None]
    if len(given) > 1:
        raise UserInputError("give --samples or --dataset, not both")
    if not given:
        return space
    try:
        return space.with_oracle_source(given[0])
    except NotImplementedError:
        flag = "--samples" if args.samples is not None else "--dataset"
        raise UserInputError(f"the {space.title} space takes no {flag}") from None


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``score`` parser."""
    p = sub.add_parser("score", help="true figures of objects from the space's oracle")
    p.add_argument("source", help="an object's string, or a file with one per line")
    add_space_arguments(p)
    p.set_defaults(func=run)


def read_items(space: SearchSpace, source: str) -> list:
    """The objects of ``source``: one string, or a file of one per line (errors name the line)."""
    path = Path(source)
    if path.is_file():
        items = []
        for number, line in enumerate(read_lines(path), start=1):
            if line.strip():
                try:
                    items.append(space.parse(line))
                except ArchError as err:
                    raise ArchError(f"{path}:{number}: {err}") from None
        if not items:
            raise UserInputError(f"{path}: no {space.naming.items} in the file")
        return items
    if any(c in "/\\" for c in source) or source.endswith((".txt", ".csv")):
        raise UserInputError(f"{source}: no such file")
    return [space.parse(source)]


def run(args: argparse.Namespace) -> int:
    """Print each object's true figures (the oracle's metrics, space-separated), in input order.

    A figure the oracle does not have for an object prints as ``nan``.
    """
    space = oracle_space(args)
    items = read_items(space, args.source)
    metrics = space.true_metrics(items)
    columns = [metrics[name] for name in space.oracle_metrics()]
    missing = 0
    for row in zip(*columns, strict=True):
        missing += all(math.isnan(v) for v in map(float, row))
        print(" ".join("nan" if math.isnan(v) else f"{v:.6f}" for v in map(float, row)))
    if missing:
        where = f" on {space.oracle_source}" if space.oracle_source else ""
        print(f"{missing} of {len(items)} not evaluated{where} (nan)", file=sys.stderr)
    return 0
