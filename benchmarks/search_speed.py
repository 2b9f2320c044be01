"""Time 10-sample, 100-step searches including decoding, on a checkpoint (the shipped one).

    python benchmarks/search_speed.py [--checkpoint checkpoints/ngae_default.pt] [--threads 2]

For each start strategy and optimizer (default step sizes, lambda 1) prints the seconds and the
goal figures: distinct valid, novel, best predicted accuracy against the data set's best, and
how many found architectures are smaller than every data-set architecture predicted at least
as accurate.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from ngae.explorer import DEFAULT_CHECKPOINT, Explorer
from ngae.search import SearchConfig


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--checkpoint", default=str(DEFAULT_CHECKPOINT))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--strategies", default="predicted,optimal,random")
    p.add_argument("--optimizers", default="adam,sgd")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    explorer = Explorer.open(Path(args.checkpoint))
    print(f"load (cached latents): {time.perf_counter() - start:.2f} s")
    explorer.search(SearchConfig(samples=1, steps=1, decodes=1))  # first-call costs
    print(f"data set best predicted accuracy: {explorer.latents.pred_acc.max():.4f}")
    for strategy in args.strategies.split(","):
        for optimizer in args.optimizers.split(","):
            cfg = SearchConfig(optimizer=optimizer, strategy=strategy, samples=10, steps=100)
            result = explorer.search(cfg)
            s = result.summary
            print(
                f"{strategy:>9} {optimizer:<4} lr {cfg.learning_rate():<5g} "
                f"{result.seconds:5.2f} s | distinct valid {s.distinct_valid:2d}, "
                f"novel {s.novel:2d}, best pred acc {s.best_pred_acc:.4f} "
                f"(beats data set: {s.beats_dataset_best}), smaller than every better "
                f"data-set arch: {s.smaller_than_all_better}",
                flush=True,
            )


if __name__ == "__main__":
    main()
