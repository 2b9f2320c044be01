"""``python -m ngae train``: the seed's training command line (D-VAE / NGAE flags)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ngae.commands.evaluate import add_eval_arguments, report, settings_from
from ngae.config import ModelConfig, TrainConfig
from ngae.errors import UserInputError
from ngae.files import DATA_DIR
from ngae.model.checkpoint import checkpoint_dir
from ngae.model.precision import PRECISIONS
from ngae.training.evaluation import evaluate_checkpoint
from ngae.training.fit import fit, quick_metrics

M, T = ModelConfig(), TrainConfig()


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``train`` parser with the seed's flags."""
    p = sub.add_parser("train", help="train NGAE / D-VAE (seed flags)")
    p.add_argument("--data-name", default="final_structures6", help="data/<name>.txt or .jsonl")
    p.add_argument("--data", default=None, help="a data file path (overrides --data-name)")
    p.add_argument("--save-dir", default=str(checkpoint_dir()), help="where the run file goes")
    p.add_argument("--save-appendix", default="_NGAE", help="run file: <data-name><appendix>.pt")
    p.add_argument(
        "--save-interval", type=int, default=T.save_interval, help="keep a snapshot every N epochs"
    )
    p.add_argument("--epochs", type=int, default=T.epochs)
    p.add_argument(
        "--lr",
        type=float,
        default=None,
        help=f"learning rate (default {T.lr:g}); with --continue-from, replaces the run file's",
    )
    p.add_argument("--batch-size", type=int, default=T.batch_size)
    p.add_argument("--model", choices=("NGAE", "DVAE"), default="NGAE")
    p.add_argument("--predictor", action="store_true", help="add predictor heads (NGAE has them)")
    p.add_argument("--bidirectional", action="store_true", help="reverse encoder pass")
    p.add_argument("--hs", type=int, default=M.hs)
    p.add_argument("--nz", type=int, default=M.nz)
    p.add_argument("--beta", type=float, default=M.beta)
    p.add_argument(
        "--eps-scale",
        type=float,
        default=M.eps_scale,
        help="scale of the sampling noise in training (D-VAE: 0.01; 1: a plain VAE)",
    )
    p.add_argument(
        "--vertex-count",
        action="store_true",
        help="the decoder's type network sees how many vertices it has emitted (not D-VAE's)",
    )
    p.add_argument(
        "--type-counts",
        action="store_true",
        help="the decoder's type network sees how many vertices of each type it has emitted",
    )
    p.add_argument("--perf-weight", type=float, default=M.perf_weight)
    p.add_argument("--cmplx-weight", type=float, default=M.cmplx_weight)
    p.add_argument("--cmplx-target", choices=("params", "proxy"), default=M.cmplx_target)
    p.add_argument("--device", default=T.device, help="auto, cpu or cuda")
    p.add_argument("--threads", type=int, default=T.threads, help="CPU threads (0: torch default)")
    p.add_argument("--seed", type=int, default=T.seed)
    p.add_argument(
        "--cuda-graph",
        action="store_true",
        help="capture a training step in a CUDA graph and replay it (one GPU)",
    )
    p.add_argument(
        "--precision",
        choices=PRECISIONS,
        default=T.precision,
        help="matrix products of the encoder and decoder: bf16 where fast (auto), or fp32",
    )
    p.add_argument(
        "--eval-interval", type=int, default=T.eval_interval, help="quick test metrics every N"
    )
    p.add_argument("--continue-from", type=int, default=None, metavar="EPOCH")
    p.add_argument("--only-test", action="store_true", help="evaluate the run's checkpoint")
    p.add_argument("--only-search", action="store_true", help="latent search from the checkpoint")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    add_eval_arguments(p)
    from ngae.commands.search import add_search_arguments

    add_search_arguments(p)
    p.set_defaults(func=run)


def configs_from(args: argparse.Namespace) -> tuple[ModelConfig, TrainConfig, Path]:
    """Validated model and training configs and the run file path."""
    data = Path(args.data) if args.data else _data_file(args.data_name)
    positive = {"epochs": args.epochs, "batch-size": args.batch_size, "hs": args.hs, "nz": args.nz}
    for name, value in positive.items():
        if value < 1:
            raise UserInputError(f"--{name} must be at least 1, got {value}")
    if not 0 <= args.eps_scale <= 10:
        raise UserInputError(f"--eps-scale must be between 0 and 10, got {args.eps_scale}")
    lr = T.lr if args.lr is None else args.lr
    if not 0 < lr < 10 or lr != lr:
        raise UserInputError(f"--lr must be a positive number below 10, got {lr}")
    model_cfg = ModelConfig(
        hs=args.hs,
        nz=args.nz,
        bidirectional=args.bidirectional,
        predictors=args.model == "NGAE" or args.predictor,
        beta=args.beta,
        eps_scale=args.eps_scale,
        vertex_count=args.vertex_count,
        type_counts=args.type_counts,
        perf_weight=args.perf_weight,
        cmplx_weight=args.cmplx_weight,
        cmplx_target=args.cmplx_target,
    )
    train_cfg = TrainConfig(
        data=str(data),
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=lr,
        seed=args.seed,
        device=args.device,
        threads=args.threads,
        precision=args.precision,
        cuda_graph=args.cuda_graph,
        save_interval=args.save_interval,
        eval_interval=args.eval_interval,
    )
    name = data.stem if args.data else args.data_name
    return model_cfg, train_cfg, Path(args.save_dir) / f"{name}{args.save_appendix}.pt"


def _data_file(name: str) -> Path:
    for suffix in (".txt", ".jsonl"):
        if (DATA_DIR / f"{name}{suffix}").is_file():
            return DATA_DIR / f"{name}{suffix}"
    raise UserInputError(f"no data set {name!r} in {DATA_DIR} (expected {name}.txt or .jsonl)")


def run(args: argparse.Namespace) -> int:
    """Train, or with ``--only-test`` / ``--only-search`` use the run's checkpoint."""
    model_cfg, train_cfg, out = configs_from(args)
    if args.only_test or args.only_search:
        if not out.is_file():
            raise UserInputError(f"{out}: no checkpoint to use; train first")
        if args.only_test:
            report(evaluate_checkpoint(out, settings_from(args), train_cfg.data), args.json)
            return 0
        from ngae.commands.search import run_search

        args.checkpoint = str(out)
        return run_search(args)
    if args.continue_from is None and out.exists():
        raise UserInputError(
            f"{out} exists: pass --continue-from EPOCH to resume, or another --save-appendix"
        )
    print(f"training -> {out}")
    fit(
        model_cfg,
        train_cfg,
        out,
        args.continue_from,
        progress=not args.no_progress,
        on_epoch=_print_epoch,
        evaluate_every=quick_metrics,
        on_precision=lambda choice: print(f"precision {choice.reason}", flush=True),
        resume_lr=args.lr,
    )
    return 0


def _print_epoch(record: dict) -> None:
    shown = ", ".join(f"{k} {v:.4g}" for k, v in record.items() if k != "epoch")
    print(f"epoch {record['epoch']}: {shown}", flush=True)
