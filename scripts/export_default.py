"""Make the shipped default model from a training run (see README, "The shipped model").

    python scripts/export_default.py runs/ngae_b64.pt [--refit-heads 100] [--threads 2]
    python scripts/export_default.py runs/asia200k/asia_e30.pt --out checkpoints/ngae_asia.pt \
        --threads 2 --refit-heads 20 --final

Exports a compact copy (no optimizer state, big weights in float16) to
checkpoints/ngae_default.pt (or ``--out``), refits the two predictor heads on the frozen latent
means of the training split (``ngae.train.refit_heads``; recorded in the file as
``heads_refit``), evaluates that file with D-VAE's protocols and stores the result in it, then
computes the cached latent codes and the PCA / t-SNE / UMAP maps the dashboard opens with.
Old caches of the default model are removed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

import torch

from ngae.explorer import DEFAULT_CHECKPOINT, Explorer
from ngae.explorer.latents import cache_dir_for
from ngae.model.checkpoint import (
    checkpoint_data_path,
    export_checkpoint,
    load_checkpoint,
    model_from_checkpoint,
    save_checkpoint,
)
from ngae.model.graph_tensors import to_tensors
from ngae.spaces.registry import load_dataset
from ngae.training.evaluation import EvalSettings, evaluate_checkpoint
from ngae.training.fit import refit_heads, split_data


def refit(dst: Path, epochs: int, lr: float) -> None:
    """Refit the heads of the exported file in place (weights as shipped: fp16 VAE)."""
    ckpt = load_checkpoint(dst)
    model = model_from_checkpoint(ckpt)
    train, _ = split_data(load_dataset(checkpoint_data_path(ckpt, dst)))
    losses = refit_heads(model, to_tensors(train, model.cfg, "cpu"), epochs, lr)
    state = dict(ckpt["state_dict"])
    for name, tensor in model.state_dict().items():
        if name.startswith(("perf_head", "cmplx_head")):
            state[name] = tensor.clone()
    info = {"epochs": epochs, "lr": lr, "first_loss": losses[0], "last_loss": losses[-1]}
    payload = {k: v for k, v in ckpt.items() if k != "format"}
    save_checkpoint(dst, payload | {"state_dict": state, "heads_refit": info})
    print(f"heads refitted: {info}", flush=True)


def mark_final(dst: Path) -> None:
    """Record that the run was stopped at this epoch by choice: the file claims no plan.

    The run's own plan is kept as ``run_epochs_planned``; the card and the picker then show
    the epochs done, not a partial run.
    """
    ckpt = load_checkpoint(dst)
    payload = {k: v for k, v in ckpt.items() if k != "format"}
    payload |= {"epochs_planned": None, "run_epochs_planned": ckpt.get("epochs_planned")}
    save_checkpoint(dst, payload)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("run")
    p.add_argument("--recon-decodes", type=int, default=100)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--skip-maps", action="store_true")
    p.add_argument("--refit-heads", type=int, default=100, help="epochs (0: keep the heads)")
    p.add_argument("--refit-lr", type=float, default=1e-3)
    p.add_argument("--out", default=str(DEFAULT_CHECKPOINT), help="the file to write")
    p.add_argument(
        "--final", action="store_true", help="the run was stopped here by choice (mark_final)"
    )
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    dst = Path(args.out)
    export_checkpoint(args.run, dst)
    if args.final:
        mark_final(dst)
    if args.refit_heads:
        refit(dst, args.refit_heads, args.refit_lr)
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
