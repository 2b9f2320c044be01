"""Where a training step's time goes: torch.profiler over a few seed-configuration steps.

Prints the milliseconds per step, and the share of the step, of the operators that take the
most time (self time, summed over calls), and last ``ms_per_step=<x> precision=<p>``.

    python benchmarks/train_profile.py [--precision auto|fp32|bf16] [--batch-size 32] [--top 12]
"""

from __future__ import annotations

import argparse

import torch
from torch.profiler import ProfilerActivity, profile

from ngae.config import ModelConfig
from ngae.model.graph_tensors import to_tensors, with_data_scale
from ngae.model.precision import PRECISIONS, choose_precision
from ngae.model.vae import NGAE
from ngae.spaces.registry import load_dataset
from ngae.training.fit import make_adam
from ngae.training.step import train_step


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--precision", choices=PRECISIONS, default="auto")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--top", type=int, default=12)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    data = load_dataset()
    model = NGAE(with_data_scale(ModelConfig(), data))
    model.precision = choose_precision(args.precision, torch.device("cpu")).name
    bs = args.batch_size
    t = to_tensors(data.subset(range(bs * (args.steps + 5))), model.cfg, torch.device("cpu"))
    opt = make_adam(model.parameters(), 1e-4)
    batches = [t.batch(torch.arange(i * bs, (i + 1) * bs)) for i in range(args.steps + 5)]
    for batch in batches[:5]:
        train_step(model, opt, batch)
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for batch in batches[5:]:
            train_step(model, opt, batch)
    events = [e for e in prof.key_averages() if e.key.startswith("aten::")]
    total = sum(e.self_cpu_time_total for e in events) / args.steps / 1000
    print(f"{'operator':<28}{'ms/step':>9}{'share':>8}{'calls/step':>12}")
    for e in sorted(events, key=lambda e: -e.self_cpu_time_total)[: args.top]:
        ms = e.self_cpu_time_total / args.steps / 1000
        print(f"{e.key:<28}{ms:>9.1f}{ms / total:>8.0%}{e.count / args.steps:>12.0f}")
    print(f"ms_per_step={total:.1f} precision={model.precision} batch={bs}")


if __name__ == "__main__":
    main()
