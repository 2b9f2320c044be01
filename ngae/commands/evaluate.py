"""``python -m ngae evaluate --checkpoint PATH [--json]``: D-VAE's protocols on the test split."""

from __future__ import annotations

import argparse
import json

from ngae.errors import UserInputError
from ngae.spaces.registry import SPACES
from ngae.training.evaluation import EvalSettings, evaluate_checkpoint


def add_eval_arguments(p: argparse.ArgumentParser) -> None:
    """Flags shared by ``evaluate`` and ``train --only-test``."""
    p.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    d = EvalSettings()
    p.add_argument(
        "--recon-decodes",
        type=int,
        default=d.recon_decodes,
        help=f"decodes per test graph ({d.recon_decodes})",
    )
    p.add_argument(
        "--prior-samples",
        type=int,
        default=d.prior_samples,
        help=f"prior points ({d.prior_samples})",
    )
    p.add_argument(
        "--prior-decodes",
        type=int,
        default=d.prior_decodes,
        help=f"decodes per prior point ({d.prior_decodes})",
    )
    p.add_argument("--eval-seed", type=int, default=d.seed, help=f"sampling seed ({d.seed})")
    p.add_argument("--store", action="store_true", help="save the results into the checkpoint")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``evaluate`` parser."""
    p = sub.add_parser("evaluate", help="reconstruction, validity, predictor metrics")
    p.add_argument("--checkpoint", required=True, help="checkpoint file")
    p.add_argument("--data", default=None, help="data file (default: the one it was trained on)")
    p.add_argument("--device", default=EvalSettings.device, help="auto, cpu or cuda")
    add_eval_arguments(p)
    p.set_defaults(func=run)


def settings_from(args: argparse.Namespace) -> EvalSettings:
    """Validated protocol settings from parsed flags."""
    for name in ("recon_decodes", "prior_samples", "prior_decodes"):
        if getattr(args, name) < 1:
            raise UserInputError(f"--{name.replace('_', '-')} must be at least 1")
    return EvalSettings(
        args.recon_decodes, args.prior_samples, args.prior_decodes, args.eval_seed, args.device
    )


def report(result: dict, as_json: bool) -> None:
    """Print evaluation results as a table, or as one JSON line.

    The table shows the space's published figures beside each key (none for general DAGs).
    """
    if as_json:
        print(json.dumps(result, sort_keys=True))
        return
    space = SPACES.get(result.get("space", ""))
    published = {} if space is None else space.reference.figures
    anchors = {k: f"{name}: {v:g}" for name, figs in published.items() for k, v in figs.items()}
    for key, value in result.items():
        shown = f"{value:.5f}" if isinstance(value, float) else str(value)
        print(f"{key:>18}  {shown:<14} {anchors.get(key, '')}")


def run(args: argparse.Namespace) -> int:
    """Evaluate and print."""
    result = evaluate_checkpoint(args.checkpoint, settings_from(args), args.data, args.store)
    report(result, args.json)
    return 0
