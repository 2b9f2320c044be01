"""``ngae optimum --space SPACE [--json]``: the exact best score over the whole space."""

from __future__ import annotations

import argparse
import json
import time

from ngae.commands.score import add_space_arguments, oracle_space


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``optimum`` parser."""
    p = sub.add_parser("optimum", help="the exact optimum of the space (where computable)")
    add_space_arguments(p)
    p.add_argument("--json", action="store_true", help="last line: score, the object, seconds")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Compute the optimum and print it."""
    start = time.perf_counter()
    space = oracle_space(args)
    found = space.optimum()
    seconds = time.perf_counter() - start
    if found is None:
        print(f"the {space.title} space has no computable optimum")
        return 1
    score, best = found
    if args.json:
        record = {"score": score, "arch": best.to_string(), "seconds": seconds}
        record |= space.optimum_details(best)
        if space.exports_adjacency:
            record["adjacency"] = best.to_string()
        print(json.dumps(record))
    else:
        name = space.oracle_metrics()[0]
        print(f"optimum {name} {score:.6f} ({seconds:.3f} s)\n{space.describe_optimum(best)}")
    return 0
