"""Make the shipped default model from a training run (see README, "The shipped model").

    python scripts/export_default.py runs/ngae_b64.pt [--recon-decodes 100] [--threads 2]

Exports a compact copy (no optimizer state, big weights in float16) to
checkpoints/ngae_default.pt, evaluates that file with D-VAE's protocols and stores the result in
it, then computes the cached latent codes and the PCA / t-SNE / UMAP maps the dashboard opens with.
Old caches of the default model are removed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ngae.checkpoint import export_checkpoint  # noqa: E402
from ngae.evaluation import EvalSettings, evaluate_checkpoint  # noqa: E402
from ngae.latents import cache_dir_for  # noqa: E402
from ngae.service import DEFAULT_CHECKPOINT, Explorer  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("run")
    p.add_argument("--recon-decodes", type=int, default=100)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--skip-maps", action="store_true")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    dst = DEFAULT_CHECKPOINT
    export_checkpoint(args.run, dst)
    start = time.perf_counter()
    result = evaluate_checkpoint(dst, EvalSettings(recon_decodes=args.recon_decodes), store=True)
    print(json.dumps(result, sort_keys=True), flush=True)
    print(f"evaluation: {time.perf_counter() - start:.0f} s", flush=True)
    keep = cache_dir_for(dst)
    for old in keep.parent.glob(f"{dst.stem}-*"):
        if old != keep:
            shutil.rmtree(old)
    explorer = Explorer.open(dst)
    for kind in () if args.skip_maps else ("tsne", "umap"):
        start = time.perf_counter()
        explorer.start_projection(kind)
        while explorer.projection_status(kind) == "running":
            time.sleep(0.5)
        print(f"{kind}: {explorer.projection_status(kind)} in {time.perf_counter() - start:.0f} s")
    print(f"size: {dst.stat().st_size / 1e6:.1f} MB; cache {keep}")


if __name__ == "__main__":
    main()
