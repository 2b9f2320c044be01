"""Command-line entry point: ``ngae COMMAND`` (or ``python -m ngae COMMAND``), see COMMANDS.

Each sub-command lives in :mod:`ngae.commands` and exposes ``register(subparsers)``, which adds
its parser and sets ``func`` to a handler returning an exit code. Errors a user can cause become
one line on stderr and exit code 2; never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ngae.commands import (
    convert,
    draw,
    evaluate,
    export,
    optimum,
    params,
    score,
    scratch,
    search,
    train,
)
from ngae.errors import USER_ERRORS

COMMANDS = (params, train, evaluate, search, scratch, draw, convert, export, score, optimum)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, like every other user error
        self.exit(2, f"error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every sub-command registered."""
    prog = "ngae" if Path(sys.argv[0]).name == "ngae" else "python -m ngae"  # as it was called
    parser = _Parser(prog=prog, description="NGAE Explorer command line (ngae or python -m ngae)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for module in COMMANDS:
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the process exit code."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except USER_ERRORS as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except (OSError, MemoryError) as err:
        print(f"error: {err.__class__.__name__}: {err}", file=sys.stderr)
        return 1
