"""``ngae score --space asia ADJ_OR_FILE``: the oracle's score of networks, one per line."""

from __future__ import annotations

import argparse
from pathlib import Path

from ngae.errors import UserInputError
from ngae.space.arch import ArchError
from ngae.space.asia_space import AsiaSpace
from ngae.space.base import SearchSpace
from ngae.space.data import read_lines
from ngae.space.registry import SPACES

ORACLE_SPACES = tuple(name for name, space in SPACES.items() if space.has_oracle)


def add_space_arguments(p: argparse.ArgumentParser) -> None:
    """``--space`` (spaces with an oracle) and ``--samples``."""
    p.add_argument("--space", choices=ORACLE_SPACES, default=ORACLE_SPACES[0])
    p.add_argument(
        "--samples", default=None, help="the data the score is computed on (default: shipped)"
    )


def oracle_space(args: argparse.Namespace) -> SearchSpace:
    """The space asked for, reading ``--samples`` when given."""
    if args.samples is None:
        return SPACES[args.space]
    path = Path(args.samples)
    if not path.is_file():
        raise UserInputError(f"{path}: no such samples file")
    return AsiaSpace(path)


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``score`` parser."""
    p = sub.add_parser("score", help="true score (BIC) of networks from the space's oracle")
    p.add_argument("source", help="a 64-digit adjacency string, or a file with one per line")
    add_space_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print one score per network, in input order."""
    space = oracle_space(args)
    path = Path(args.source)
    if path.is_file():
        items = []
        for number, line in enumerate(read_lines(path), start=1):
            if line.strip():
                try:
                    items.append(space.parse(line))
                except ArchError as err:
                    raise ArchError(f"{path}:{number}: {err}") from None
        if not items:
            raise UserInputError(f"{path}: no networks in the file")
    elif any(c in "/\\" for c in args.source) or args.source.endswith((".txt", ".csv")):
        raise UserInputError(f"{args.source}: no such file")
    else:
        items = [space.parse(args.source)]
    print("\n".join(f"{s:.6f}" for s in space.true_scores(items)))
    return 0
