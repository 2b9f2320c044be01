"""The complexity weight and the parameter cap on a checkpoint (the shipped one).

    python benchmarks/search_tradeoffs.py [--checkpoint ...] [--lambdas 0,1,5,20] [--cap 1500000]

For each lambda: a search from the best predicted architectures (10 samples, defaults
otherwise); prints the mean and median exact parameters of what it returns and the mean
predicted accuracy. Then the capped search: how many distinct architectures it returns, the
largest, and its best predicted accuracy against the best data-set architecture under the cap.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from ngae.explorer import DEFAULT_CHECKPOINT, Explorer
from ngae.search import SearchConfig


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--checkpoint", default=str(DEFAULT_CHECKPOINT))
    p.add_argument("--lambdas", default="0,1,5,20")
    p.add_argument("--cap", type=float, default=1_500_000)
    p.add_argument("--samples", type=int, default=10)
    p.add_argument("--strategy", default="predicted")
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    ex = Explorer.open(args.checkpoint)
    base = SearchConfig(samples=args.samples, strategy=args.strategy)
    print(f"{args.checkpoint}: {args.strategy} starts, {args.samples} samples, {base.steps} steps")
    head = ("lambda", "found", "mean params", "median", "mean pred acc", "s")
    print(" ".join(f"{h:>{w}}" for h, w in zip(head, (6, 5, 12, 10, 13, 5), strict=True)))
    for lam in (float(v) for v in args.lambdas.split(",")):
        t = time.perf_counter()
        out = ex.search(SearchConfig(**{**base.__dict__, "lambda_cmplx": lam}))
        params = np.array([r.params for r in out.results], dtype=float)
        acc = np.array([r.pred_acc for r in out.results])
        print(
            f"{lam:6g} {len(params):5d} {params.mean():12,.0f} {np.median(params):10,.0f} "
            f"{acc.mean():13.4f} {time.perf_counter() - t:5.1f}"
        )
    t = time.perf_counter()
    out = ex.search(SearchConfig(**{**base.__dict__, "max_params": args.cap}))
    s = out.summary
    biggest = max((r.params for r in out.results), default=0)
    print(
        f"cap {args.cap:,.0f}: {s.distinct_valid} distinct valid ({s.novel} novel), largest "
        f"{biggest:,} params, best predicted {s.best_pred_acc:.4f} vs data set under the cap "
        f"{out.dataset_best_pred_acc:.4f} ({s.dataset_under_cap} architectures); "
        f"beats it: {s.beats_dataset_best}; {time.perf_counter() - t:.1f} s"
    )
    if s.note:
        print(f"  {s.note}")


if __name__ == "__main__":
    main()
