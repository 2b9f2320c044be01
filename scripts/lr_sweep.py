"""Short training runs of several batch sizes / learning rates, to choose a configuration.

python scripts/lr_sweep.py --device cuda --epochs 6
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from ngae.config import ModelConfig, TrainConfig
from ngae.training.fit import fit, quick_metrics

CONFIGS = [(128, 5e-4), (128, 2e-3), (64, 1e-3), (32, 1e-4), (32, 5e-4)]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--device", default="cuda")
    p.add_argument("--epochs", type=int, default=6)
    args = p.parse_args()
    for batch, lr in CONFIGS:
        with tempfile.TemporaryDirectory() as tmp:
            cfg = TrainConfig(
                epochs=args.epochs,
                batch_size=batch,
                lr=lr,
                device=args.device,
                eval_interval=1,
                save_interval=0,
            )

            def show(r: dict, batch: int = batch, lr: float = lr) -> None:
                print(
                    f"batch {batch} lr {lr:g} epoch {r['epoch']}: recon {r['recon']:.3f} "
                    f"greedy {r['test_recon_greedy']:.3f} perf_rmse {r['test_perf_rmse']:.5f} "
                    f"cmplx_rmse {r['test_cmplx_rmse']:.4f} {r['seconds']:.1f}s",
                    flush=True,
                )

            fit(
                ModelConfig(perf_weight=100.0, cmplx_weight=10.0),
                cfg,
                Path(tmp) / "s.pt",
                progress=False,
                on_epoch=show,
                evaluate_every=quick_metrics,
            )


if __name__ == "__main__":
    main()
