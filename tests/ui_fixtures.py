"""A tiny checkpoint and data set for the UI tests (AppTest and the real browser).

``make_tiny_workspace(folder)`` writes the first 300 architectures of the shipped data set to
``folder/tiny.txt``, trains a tiny model (hs=24, nz=6) into
``folder/checkpoints/ngae_default.pt`` (10 epochs at a high learning rate: enough for its
decodings to be valid ENAS cells) and returns the environment variables that point the
app at it (``NGAE_CHECKPOINT_DIR``, ``NGAE_JOBS_DB``). Training takes a few seconds.
Starting the server and Chromium's flags live in :mod:`benchmarks.browser_harness` (the benchmarks
use them too).
"""

from __future__ import annotations

from pathlib import Path

from ngae.files import PROJECT_ROOT as ROOT

TINY_LINES = 300
__all__ = [
    "ROOT",
    "TINY_LINES",
    "copy_shipped",
    "empty_workspace",
    "make_asia_workspace",
    "make_nasbench_graph_workspace",
    "make_tiny_workspace",
    "train_tiny",
]


def train_tiny(out: Path, data: Path, lines: int = TINY_LINES) -> Path:
    """Write the first ``lines`` architectures to ``data`` and train the tiny model into ``out``."""
    import torch

    from ngae.config import ModelConfig, TrainConfig
    from ngae.spaces.enas.data_file import DEFAULT_DATA
    from ngae.training.fit import fit, quick_metrics

    data.write_text("\n".join(DEFAULT_DATA.read_text().splitlines()[:lines]) + "\n")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return fit(
            ModelConfig(hs=24, nz=6),
            TrainConfig(
                data=str(data),
                epochs=10,
                batch_size=64,
                lr=5e-3,
                eval_interval=2,
                save_interval=0,
                precision="fp32",  # the same tiny model on every machine
            ),
            out=out,
            progress=False,
            evaluate_every=quick_metrics,
        )
    finally:
        torch.set_num_threads(threads)


def make_tiny_workspace(folder: Path, lines: int = TINY_LINES) -> dict[str, str]:
    """Build the tiny data set and checkpoint under ``folder``; return the env overrides."""
    folder = Path(folder)
    ckpt_dir = folder / "checkpoints"
    ckpt_dir.mkdir(parents=True, exist_ok=True)
    train_tiny(ckpt_dir / "ngae_default.pt", folder / "tiny.txt", lines)
    return {"NGAE_CHECKPOINT_DIR": str(ckpt_dir), "NGAE_JOBS_DB": str(folder / "jobs.sqlite")}


def make_asia_workspace(folder: Path) -> dict[str, str]:
    """The shipped Asia model (``checkpoints/ngae_asia.pt``, with its cache) as the default.

    A tiny model trained in seconds never decodes a valid network (all eight variables, each
    once), so the Asia pages are tested on the real one.
    """
    folder = Path(folder)
    ckpt_dir = folder / "checkpoints"
    ckpt_dir.mkdir(parents=True, exist_ok=True)
    copy_shipped("ngae_asia.pt", ckpt_dir / "ngae_default.pt")
    return {"NGAE_CHECKPOINT_DIR": str(ckpt_dir), "NGAE_JOBS_DB": str(folder / "jobs.sqlite")}


def make_nasbench_graph_workspace(folder: Path) -> dict[str, str]:
    """The shipped NAS-Bench-Graph model (``checkpoints/ngae_nasbench_graph.pt``, with its
    cache) as the default: the pages with an oracle that reads nine data sets."""
    folder = Path(folder)
    ckpt_dir = folder / "checkpoints"
    ckpt_dir.mkdir(parents=True, exist_ok=True)
    copy_shipped("ngae_nasbench_graph.pt", ckpt_dir / "ngae_default.pt")
    return {"NGAE_CHECKPOINT_DIR": str(ckpt_dir), "NGAE_JOBS_DB": str(folder / "jobs.sqlite")}


def copy_shipped(name: str, target: Path) -> Path:
    """Copy the shipped checkpoint ``name`` to ``target`` with its cache (codes, maps).

    The same bytes under another name have the same cache, renamed: the map opens without
    encoding the data set again.
    """
    import shutil

    from ngae.explorer.latents import cache_dir_for

    shipped = ROOT / "checkpoints" / name
    shutil.copy(shipped, target)
    if cache_dir_for(shipped).is_dir():
        shutil.copytree(cache_dir_for(shipped), cache_dir_for(target))
    return Path(target)


def empty_workspace(folder: Path) -> dict[str, str]:
    """Environment overrides for an app with no checkpoint at all."""
    ckpt_dir = Path(folder) / "checkpoints"
    ckpt_dir.mkdir(parents=True, exist_ok=True)
    return {"NGAE_CHECKPOINT_DIR": str(ckpt_dir), "NGAE_JOBS_DB": str(Path(folder) / "jobs.sqlite")}


if __name__ == "__main__":  # build a workspace by hand: python tests/ui_fixtures.py /tmp/ws
    import sys

    print(make_tiny_workspace(Path(sys.argv[1])))
