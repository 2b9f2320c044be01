"""Does bf16 training hold quality? A short fixed training in fp32 and bf16, same seed.

Continues the shipped model (seed configuration: hs 501, nz 56, bidirectional) for a few epochs
on the first training graphs at the seed's learning rate, with seeds 0..S-1 in fp32 and in
bf16, and compares the test figures: greedy reconstruction accuracy and the accuracy head's RMSE
(``quick_metrics``), and (for information) the reconstruction loss per graph, which single runs
spike in either precision. Starting from a
trained model tests precision where it matters: near convergence, where the accuracy head's
errors (0.0015) are below bf16's resolution (a short run from scratch reconstructs nothing).
The figures compared are the means over the seeds; the tolerance is the run-to-run noise, twice
the spread (max - min) of the fp32 runs, and never below a floor (0.5 percentage points of
reconstruction, 10% of the RMSE). Prints one line per run and, last,
``quality_held=<yes|no> recon_gap=<x> rmse_gap=<y>``.

    python benchmarks/precision_quality.py [--epochs 2] [--graphs 4000] [--seeds 3] [--threads 1]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import torch

from ngae.config import ModelConfig, TrainConfig
from ngae.explorer.catalog import DEFAULT_CHECKPOINT as SHIPPED
from ngae.model.checkpoint import load_checkpoint, model_from_checkpoint
from ngae.model.graph_tensors import to_tensors
from ngae.spaces.enas.data_file import DEFAULT_DATA
from ngae.spaces.registry import load_dataset
from ngae.training.fit import fit, quick_metrics, split_data

FLOOR_RECON, FLOOR_RMSE_SHARE = 0.005, 0.10


def train_once(precision: str, seed: int, args: argparse.Namespace, folder: Path) -> dict:
    """Train one short run and return its test figures."""
    cfg = TrainConfig(
        data=str(DEFAULT_DATA),
        epochs=args.epochs,
        lr=args.lr,
        seed=seed,
        device="cpu",
        threads=args.threads,
        precision=precision,
        max_train=args.graphs,
        save_interval=0,
        eval_interval=0,
    )
    start = load_checkpoint(args.start)
    out = folder / f"{precision}_{seed}.pt"
    fit(ModelConfig(), cfg, out, progress=False, init_from=start)
    ckpt = load_checkpoint(out)
    model = model_from_checkpoint(ckpt, torch.device("cpu"))
    test = to_tensors(split_data(load_dataset())[1], model.cfg, torch.device("cpu"))
    test = test.head(args.test_graphs)
    figures = quick_metrics(model, test)
    with torch.no_grad():
        figures["test_recon_loss"] = float(model.eval().loss(test.types, test.adj)["recon"])
    figures["test_recon_loss"] /= len(test)
    figures["train_loss"] = ckpt["history"][-1]["loss"]
    figures["seconds"] = sum(r["seconds"] for r in ckpt["history"])
    return figures


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--start", default=str(SHIPPED), help="the checkpoint every run starts from")
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--graphs", type=int, default=4000, help="training graphs (the first N)")
    p.add_argument("--test-graphs", type=int, default=1000)
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seeds", type=int, default=3)
    args = p.parse_args()
    runs: dict[str, list[dict]] = {"fp32": [], "bf16": []}
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(args.seeds):
            for precision in runs:
                r = train_once(precision, seed, args, Path(tmp))
                runs[precision].append(r)
                print(
                    f"{precision} seed {seed}: recon {r['test_recon_greedy']:.4f} "
                    f"perf_rmse {r['test_perf_rmse']:.5f} recon_loss {r['test_recon_loss']:.4f} "
                    f"train_loss {r['train_loss']:.3f} ({r['seconds']:.0f} s)",
                    flush=True,
                )
    gaps, tols = {}, {}
    for key, floor in (("test_recon_greedy", FLOOR_RECON), ("test_perf_rmse", None)):
        ref = [r[key] for r in runs["fp32"]]
        low = [r[key] for r in runs["bf16"]]
        mean_ref = sum(ref) / len(ref)
        gaps[key] = abs(sum(low) / len(low) - mean_ref)
        tols[key] = max(2 * (max(ref) - min(ref)), floor or FLOOR_RMSE_SHARE * mean_ref)
        print(f"{key}: fp32 mean {mean_ref:.5f}, bf16 mean {sum(low) / len(low):.5f}")
    recon_gap, rmse_gap = gaps["test_recon_greedy"], gaps["test_perf_rmse"]
    recon_tol, rmse_tol = tols["test_recon_greedy"], tols["test_perf_rmse"]
    held = recon_gap <= recon_tol and rmse_gap <= rmse_tol
    print(f"tolerance (run-to-run noise): recon {recon_tol:.4f}, perf_rmse {rmse_tol:.5f}")
    print(
        f"quality_held={'yes' if held else 'no'} recon_gap={recon_gap:.4f} rmse_gap={rmse_gap:.5f}"
    )


if __name__ == "__main__":
    main()
