"""``python -m ngae search``: gradient search in latent space, results as a table or JSON."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from tqdm import tqdm

from ngae.checkpoint import atomic_write_bytes
from ngae.errors import UserInputError
from ngae.search import STRATEGIES, SearchConfig
from ngae.service import Explorer


def add_search_arguments(p: argparse.ArgumentParser) -> None:
    """Search flags, shared with ``train --only-search``."""
    p.add_argument("--search-optimizer", choices=("sgd", "adam"), default="adam")
    p.add_argument(
        "--search-strategy",
        choices=STRATEGIES,
        default="predicted",
        help="start from the best true accuracies (optimal, the seed's), the best predicted "
        "ones (predicted) or prior samples (random)",
    )
    p.add_argument("--search-samples", type=int, default=10)
    p.add_argument("--steps", type=int, default=100)
    p.add_argument(
        "--search-lr",
        "--lr-search",
        dest="search_lr",
        type=float,
        default=None,
        help="step size (default: sgd 1, adam 0.01)",
    )
    p.add_argument("--lambda-cmplx", type=float, default=1.0, help="complexity weight")
    p.add_argument("--max-params", type=float, default=None, help="parameter limit")
    p.add_argument("--decodes", type=int, default=50, help="decodes per end point")
    p.add_argument(
        "--trust-radius",
        type=float,
        default=3.0,
        help="keep z within mean +- R std of the data's codes (0: off)",
    )
    p.add_argument(
        "--project-every",
        type=int,
        default=10,
        help="every K steps replace z by the encoding of its decoding (0: plain ascent)",
    )
    p.add_argument("--out", default=None, help="also write the JSON result to this file")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``search`` parser."""
    p = sub.add_parser("search", help="latent-space search for better, smaller architectures")
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--lr", dest="search_lr_alias", type=float, default=None, help="alias of --search-lr"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    p.add_argument("--no-progress", action="store_true")
    add_search_arguments(p)
    p.set_defaults(func=run_search)


def config_from(args: argparse.Namespace) -> SearchConfig:
    """A validated :class:`SearchConfig` from parsed flags."""
    lr = getattr(args, "search_lr_alias", None) or args.search_lr
    return SearchConfig(
        optimizer=args.search_optimizer,
        strategy=args.search_strategy,
        samples=args.search_samples,
        steps=args.steps,
        lr=lr,
        lambda_cmplx=args.lambda_cmplx,
        max_params=args.max_params,
        decodes=args.decodes,
        seed=args.seed,
        trust_radius=args.trust_radius,
        project_every=args.project_every,
    ).validate()


def run_search(args: argparse.Namespace) -> int:
    """Load the checkpoint, search, print the results and the Pareto front."""
    cfg = config_from(args)
    explorer = Explorer.open(Path(args.checkpoint))
    bar = tqdm(total=cfg.steps, desc="search", disable=args.no_progress or args.json, leave=False)

    def progress(step: int, total: int) -> None:
        bar.update(step - bar.n)

    result = explorer.search(cfg, progress)
    bar.close()
    text = json.dumps(result, sort_keys=True)
    if args.out:
        atomic_write_bytes(Path(args.out), lambda f: f.write(text.encode()))
    if args.json:
        print(text)
        return 0
    _print_table(result, explorer)
    return 0


def _print_table(result: dict, explorer: Explorer) -> None:
    print(f"data set best predicted accuracy: {result['dataset_best_pred_acc']:.5f}")
    print(f"{'arch':<44} {'pred_acc':>9} {'params':>10} {'novel':>6} {'true_acc':>9}")
    for r in result["results"]:
        true = f"{r['true_acc']:.4f}" if r["true_acc"] is not None else "-"
        print(
            f"{r['arch']:<44} {r['pred_acc']:>9.5f} {r['params']:>10,} "
            f"{str(r['novel']):>6} {true:>9}"
        )
    if not result["results"]:
        raise UserInputError("no valid architecture decoded; try a smaller --search-lr")
    front = explorer.pareto(result["results"])
    found = [i for i, s in enumerate(front["source"]) if s == "found"]
    print(f"Pareto front: {len(front['arch'])} points, {len(found)} of them found by search")
    summary = result["summary"]
    print(", ".join(f"{k} {v}" for k, v in summary.items()) + f"; {result['seconds']:.2f} s")
