"""``python -m ngae params``: exact parameter counts of ENAS architectures."""

from __future__ import annotations

import argparse
from pathlib import Path

from ngae.errors import UserInputError
from ngae.spaces.enas.arch import Arch
from ngae.spaces.enas.data_file import read_enas_file
from ngae.spaces.enas.params import param_count


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``params`` parser."""
    p = sub.add_parser("params", help="exact parameter count of ENAS architectures")
    p.add_argument("source", help="a data file (one architecture per line) or '<21 integers>'")
    p.add_argument("--filters", type=int, default=96, help="stem filters F (default 96)")
    p.add_argument("--separable", action="store_true", help="true depthwise-separable convs")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print one integer per architecture."""
    if args.filters < 2 or args.filters % 2:
        raise UserInputError(f"--filters must be an even number >= 2, got {args.filters}")
    path = Path(args.source)
    if path.is_file():
        archs, _ = read_enas_file(path)
    elif any(c.isalpha() or c in "/." for c in args.source):
        raise UserInputError(f"{args.source}: no such file, and not an architecture string")
    else:
        archs = [Arch.from_string(args.source)]
    print("\n".join(str(param_count(a, args.filters, args.separable)) for a in archs))
    return 0
