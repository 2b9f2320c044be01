"""``python -m ngae search``: gradient search in latent space, results as a table or JSON."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

from tqdm import tqdm

from ngae.errors import UserInputError
from ngae.explorer.service import Explorer
from ngae.files import atomic_write_bytes
from ngae.search import DEFAULT_LR, STRATEGIES, SearchConfig, SearchResults
from ngae.spaces.base import SearchDefaults

D = SearchConfig()


def add_search_arguments(p: argparse.ArgumentParser) -> None:
    """Search flags, shared with ``train --only-search``."""
    p.add_argument("--search-optimizer", choices=tuple(DEFAULT_LR), default=D.optimizer)
    p.add_argument(
        "--search-strategy",
        choices=STRATEGIES,
        default=None,
        help="start from the best true accuracies (optimal, the seed's), the best predicted "
        f"ones (predicted) or prior samples (random); default: the space's ({D.strategy} for "
        "ENAS)",
    )
    p.add_argument("--search-samples", type=int, default=D.samples)
    p.add_argument("--steps", type=int, default=D.steps)
    p.add_argument(
        "--search-lr",
        "--lr-search",
        dest="search_lr",
        type=float,
        default=D.lr,
        help="step size (default: " + ", ".join(f"{k} {v:g}" for k, v in DEFAULT_LR.items()) + ")",
    )
    p.add_argument(
        "--lambda-cmplx",
        type=float,
        default=None,
        help="complexity weight (default: the space's, e.g. "
        f"{D.lambda_cmplx:g} for ENAS-6, 0 where the score already charges for complexity)",
    )
    p.add_argument(
        "--max-params", type=float, default=None, help="complexity limit (default: the space's)"
    )
    p.add_argument("--decodes", type=int, default=D.decodes, help="decodes per end point")
    p.add_argument(
        "--trust-radius",
        type=float,
        default=D.trust_radius,
        help="keep z within mean +- R std of the data's codes (0: off)",
    )
    p.add_argument(
        "--project-every",
        type=int,
        default=D.project_every,
        help="every K steps replace z by the encoding of its decoding (0: plain ascent)",
    )
    p.add_argument("--out", default=None, help="also write the JSON result to this file")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``search`` parser."""
    p = sub.add_parser("search", help="latent-space search for better, smaller architectures")
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--seed", type=int, default=D.seed)
    p.add_argument(
        "--lr", dest="search_lr_alias", type=float, default=None, help="alias of --search-lr"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    p.add_argument("--no-progress", action="store_true")
    add_search_arguments(p)
    p.set_defaults(func=run_search)


def config_from(args: argparse.Namespace, defaults: SearchDefaults | None = None) -> SearchConfig:
    """A validated :class:`SearchConfig` from parsed flags.

    ``--lambda-cmplx``, ``--max-params`` and ``--search-strategy`` left out take the space's
    ``defaults`` (the Search page's too), or :class:`SearchConfig`'s without a space.
    """
    lr = getattr(args, "search_lr_alias", None) or args.search_lr
    lam, cap, strategy = args.lambda_cmplx, args.max_params, args.search_strategy
    if lam is None:
        lam = D.lambda_cmplx if defaults is None else defaults.lambda_cmplx
    if cap is None and defaults is not None:
        cap = defaults.max_params
    if strategy is None:
        strategy = D.strategy if defaults is None else defaults.strategy
    return SearchConfig(
        optimizer=args.search_optimizer,
        strategy=strategy,
        samples=args.search_samples,
        steps=args.steps,
        lr=lr,
        lambda_cmplx=lam,
        max_params=cap,
        decodes=args.decodes,
        seed=args.seed,
        trust_radius=args.trust_radius,
        project_every=args.project_every,
    ).validate()


def run_search(args: argparse.Namespace) -> int:
    """Load the checkpoint, search, print the results and the Pareto front."""
    config_from(args)  # bad flags are reported before the checkpoint is read
    explorer = Explorer.open(Path(args.checkpoint))
    cfg = config_from(args, explorer.space.search_defaults)
    bar = tqdm(total=cfg.steps, desc="search", disable=args.no_progress or args.json, leave=False)

    def progress(step: int, total: int) -> None:
        bar.update(step - bar.n)

    result = explorer.search(cfg, progress)
    bar.close()
    text = json.dumps(result.to_dict(), sort_keys=True)
    if args.out:
        atomic_write_bytes(Path(args.out), lambda f: f.write(text.encode()))
    if args.json:
        print(text)
        return 0
    _print_table(result, explorer)
    return 0


def _print_table(result: SearchResults, explorer: Explorer) -> None:
    print(f"data set best predicted accuracy: {result.dataset_best_pred_acc:.5f}")
    scored = any(r.true_score is not None for r in result.results)
    head = f"{'arch':<44} {'pred_acc':>9} {'params':>10} {'novel':>6} {'true_acc':>9}"
    print(head + (f" {'true_score':>12}" if scored else ""))
    for r in result.results:
        true = f"{r.true_acc:.4f}" if r.true_acc is not None else "-"
        line = f"{r.arch:<44} {r.pred_acc:>9.5f} {r.params:>10,} {str(r.novel):>6} {true:>9}"
        if scored:
            line += f" {_score(r.true_score):>12}"
        print(line)
    if not result.results:
        raise UserInputError("no valid architecture decoded; try a smaller --search-lr")
    if scored:
        scores = [r.true_score for r in result.results if r.true_score is not None]
        print(
            f"true scores (the space's oracle): best found {_score(max(scores))}, "
            f"training split's best {_score(result.dataset_best_true_score)}, "
            f"optimum {_score(result.optimum_score)}"
        )
    front = explorer.pareto(result)
    found = front.source.count("found")
    print(f"Pareto front: {len(front.arch)} points, {found} of them found by search")
    summary = asdict(result.summary)
    print(", ".join(f"{k} {v}" for k, v in summary.items()) + f"; {result.seconds:.2f} s")


def _score(value: float | None) -> str:
    """A true score as the table prints it; ``-`` where there is none."""
    return "-" if value is None else f"{value:,.2f}"
