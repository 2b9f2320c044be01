"""Training, encoding and decoding throughput of the seed configuration.

Trains hs 501, nz 56, bidirectional NGAE (batch 32 by default) on real data for a fixed number of
batches after warm-up and prints, last line:
``graphs_per_s=<x> threads=<n> device=<d> precision=<p> peak_rss_mb=<m>``.

    python benchmarks/train_throughput.py [--threads 1] [--device cpu] [--batch-size 32]
        [--precision auto|fp32|bf16] [--cuda-graph]

``--cuda-graph`` (one GPU) replays each step from a CUDA graph (``ngae.training.step``), and
the decoding from another (``ngae.model.inference.GraphedDecoder``); try ``--decode-points 10000``.

Encoding and decoding (inference) always run in fp32.
"""

from __future__ import annotations

import argparse
import resource
import time

import torch

from ngae.config import ModelConfig
from ngae.model.device import resolve_device
from ngae.model.graph_tensors import to_tensors, with_data_scale
from ngae.model.inference import INFER_BATCH, GraphedDecoder, decode_many, encode_mu
from ngae.model.precision import PRECISIONS, choose_precision
from ngae.model.vae import NGAE
from ngae.spaces.registry import load_dataset
from ngae.training.fit import make_adam
from ngae.training.step import GraphedStep, train_step


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--device", default="cpu")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--batches", type=int, default=30)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--decode-points", type=int, default=1000)
    p.add_argument("--precision", choices=PRECISIONS, default="auto")
    p.add_argument("--cuda-graph", action="store_true", help="replay steps from a CUDA graph")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    torch.manual_seed(0)
    data = load_dataset()
    model = NGAE(with_data_scale(ModelConfig(), data)).to(device)
    precision = choose_precision(args.precision, device)
    model.precision = precision.name
    print(f"precision {precision.reason}")
    t = to_tensors(
        data.subset(range(args.batch_size * (args.batches + args.warmup))), model.cfg, device
    )
    opt = make_adam(model.parameters(), 1e-4, capturable=args.cuda_graph)
    model.train()
    step = lambda batch: train_step(model, opt, batch)  # noqa: E731
    if args.cuda_graph:
        step = GraphedStep(model, opt, t.batch(torch.arange(args.batch_size, device=device)))
    for i in range(args.batches + args.warmup):
        if i == args.warmup:
            sync(device)
            start = time.perf_counter()
        idx = torch.arange(i * args.batch_size, (i + 1) * args.batch_size, device=device)
        step(t.batch(idx))
    sync(device)
    train_rate = args.batches * args.batch_size / (time.perf_counter() - start)
    model.eval()
    model.precision = "fp32"
    enc = to_tensors(data.subset(range(4096)), model.cfg, device)
    encode_mu(model, enc.types[:256], enc.adj[:256])
    sync(device)
    start = time.perf_counter()
    encode_mu(model, enc.types, enc.adj)
    sync(device)
    encode_rate = len(enc) / (time.perf_counter() - start)
    z = torch.randn(args.decode_points, model.cfg.nz, device=device)
    decode = lambda points: decode_many(model, points)  # noqa: E731
    if args.cuda_graph:  # decoding replayed from a CUDA graph too (captured before timing)
        decode = GraphedDecoder(model, batch=min(INFER_BATCH, args.decode_points))
    decode(z[:64])
    sync(device)
    start = time.perf_counter()
    decode(z)
    sync(device)
    decode_seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    epoch = 17118 / train_rate
    print(f"train: {train_rate:.1f} graphs/s (batch {args.batch_size}), epoch {epoch:.0f} s")
    print(
        f"encode: {encode_rate:.0f} graphs/s; decode {args.decode_points} points: "
        f"{decode_seconds:.3f} s ({args.decode_points / decode_seconds:.0f} graphs/s)"
    )
    print(
        f"graphs_per_s={train_rate:.1f} threads={args.threads} device={device} "
        f"precision={precision.name} cuda_graph={args.cuda_graph} peak_rss_mb={rss:.0f}"
    )


if __name__ == "__main__":
    main()
