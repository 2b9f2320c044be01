"""Time a 10-sample, 100-step search including decoding, on a checkpoint (the shipped one).

    python benchmarks/search_speed.py [--checkpoint checkpoints/ngae_default.pt] [--threads 2]

Prints the summary figures and, last line, ``search_seconds=<s> samples=<n> steps=<k>``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ngae.search import SearchConfig  # noqa: E402
from ngae.service import DEFAULT_CHECKPOINT, Explorer  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--checkpoint", default=str(DEFAULT_CHECKPOINT))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--strategy", default="optimal")
    p.add_argument("--optimizer", default="sgd")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    explorer = Explorer.open(Path(args.checkpoint))
    print(f"load (cached latents): {time.perf_counter() - start:.2f} s")
    cfg = SearchConfig(optimizer=args.optimizer, strategy=args.strategy, samples=10, steps=100)
    result = explorer.search(cfg)
    print(result["summary"])
    print(f"search_seconds={result['seconds']:.2f} samples=10 steps=100")


if __name__ == "__main__":
    main()
