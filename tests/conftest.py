"""Shared fixtures: small data sets and tiny models made by the tests themselves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from ngae.data import DEFAULT_DATA, enas_graph_data, read_enas_file

ROOT = Path(__file__).resolve().parent.parent
torch.set_num_threads(1)


@pytest.fixture(scope="session")
def enas_small():
    """The first 300 architectures of the shipped data set as GraphData."""
    lines = DEFAULT_DATA.read_text().splitlines()[:300]
    archs, accs = read_enas_file_from_lines(lines)
    return enas_graph_data(archs, accs)


def read_enas_file_from_lines(lines: list[str]):
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(lines) + "\n")
    try:
        return read_enas_file(f.name)
    finally:
        Path(f.name).unlink()


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory) -> Path:
    """A tiny NGAE trained for 2 epochs on the first 200 architectures (in a temp folder)."""
    from ngae.config import ModelConfig, TrainConfig
    from ngae.train import fit, quick_metrics

    folder = tmp_path_factory.mktemp("ckpt")
    data = folder / "tiny.txt"
    data.write_text("\n".join(DEFAULT_DATA.read_text().splitlines()[:200]) + "\n")
    cfg = TrainConfig(data=str(data), epochs=2, batch_size=64, eval_interval=1, save_interval=0)
    return fit(
        ModelConfig(hs=16, nz=4),
        cfg,
        folder / "tiny.pt",
        progress=False,
        evaluate_every=quick_metrics,
    )
