"""``ngae optimum --space asia [--json]``: the exact best score over the whole space."""

from __future__ import annotations

import argparse
import json
import time

from ngae.commands.score import add_space_arguments, oracle_space


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``optimum`` parser."""
    p = sub.add_parser("optimum", help="the exact optimum of the space (dynamic programming)")
    add_space_arguments(p)
    p.add_argument("--json", action="store_true", help="last line: score, adjacency, seconds")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Compute the optimum and print it."""
    start = time.perf_counter()
    space = oracle_space(args)
    score, best = space.optimum()
    seconds = time.perf_counter() - start
    if args.json:
        print(json.dumps({"score": score, "adjacency": best.to_string(), "seconds": seconds}))
    else:
        edges = ", ".join(space.edge_names(best)) or "no edges"
        print(f"optimum BIC {score:.6f} ({seconds:.3f} s)\nadjacency {best}\nedges {edges}")
    return 0
